"""Survey rounds through the database, the CLI, the page, the CSV export and the report."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from tracker.db.models import Evidence, SurveyResponse, SurveyRound
from tracker.extensions import db
from tracker.ratings import ratings_for
from tracker.reports import model as report_model
from tracker.reports.render import render_html
from tracker.services import surveys as survey_service

from ..page import Page, text_of

SURVEY = """\
surveys:
  - id: pe-survey
    title: Practice educator survey
    scale: agree5
    breakdowns: [employer]
    sections:
      - id: support
        title: Feeling supported
        questions: {q1: I feel supported, q2: I have enough time for the role}
        links: [educators-supported]
"""


def rows(n_big: int, n_small: int, answer: str = "Agree", respondent_prefix: str = "R") -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["respondent", "employer", "q1", "q2"])
    for i in range(n_big):
        writer.writerow([f"{respondent_prefix}{i}", "council", answer, "Somewhat agree"])
    for i in range(n_small):
        writer.writerow([f"{respondent_prefix}s{i}", "charity", "Disagree", "Somewhat disagree"])
    return out.getvalue()


@pytest.fixture
def survey_app(app: Flask, framework: str, load_framework: Any, tiny_yaml: str) -> Flask:
    """The shared test framework (with its second partner), as version 2 with a survey."""
    with_partner = tiny_yaml.replace(
        "  - {id: tiny-council, name: Tiny Council, kind: local_authority, tier: primary}\n",
        "  - {id: tiny-council, name: Tiny Council, kind: local_authority, tier: primary}\n"
        "  - {id: other-council, name: Other Council, kind: local_authority, tier: secondary}\n",
    )
    load_framework(with_partner.replace("version: 1", "version: 2") + SURVEY)
    return app


def run_import(runner: Any, tmp_path: Any, name: str, text: str, round_: str, *extra: str) -> Any:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return runner.invoke(args=["survey", "import", str(path), "--framework", "tiny-partnership", "--survey",
                               "pe-survey", "--round", round_, "--collected-on", "2023-03-01", *extra])  # fmt: skip


def test_nine_respondents_show_no_score_anywhere(
    survey_app: Flask, runner: Any, tmp_path: Any, as_role: Any
) -> None:
    result = run_import(runner, tmp_path, "r1.csv", rows(12, 9), "2022-23")
    assert result.exit_code == 0, result.output
    assert "21 respondents" in result.output
    # JSON: the group of 9 has null scores, the group of 12 is shown.
    out = runner.invoke(args=["survey", "results", "--framework", "tiny-partnership", "--survey", "pe-survey",
                              "--round", "2022-23", "--by", "employer", "--json"])  # fmt: skip
    (section,) = json.loads(out.output)
    groups = {g["group"]: g for g in section["groups"]}
    assert groups["charity"] == {"group": "charity", "n": 9, "score": None, "band": None, "suppressed": True}
    assert groups["council"]["n"] == 12 and groups["council"]["suppressed"] is False
    assert groups["council"]["score"] == pytest.approx(87.5) and groups["council"]["band"] == "good"
    assert section["n"] == 21 and section["suppressed"] is False and section["change"] is None
    # Page and CSV export.
    client = as_role("board")
    page = Page.of(client.get("/f/tiny-partnership/surveys/pe-survey?by=employer"), 200)
    scores = page.rows("Section scores for round 2022-23")
    assert scores[1:] == [
        ["employer: charity", "9", "Fewer than 10 responses"],
        ["employer: council", "12", "88", "Good", ""],
    ]
    assert page.all("tr.group-row .band")[0]["class"] == ["band", "band-good"]  # the council's only
    export = client.get(
        "/f/tiny-partnership/surveys/pe-survey/results.csv?round=2022-23&by=employer"
    ).get_data(as_text=True)
    charity = next(r for r in csv.DictReader(io.StringIO(export)) if r["group"] == "charity")
    assert charity["score"] == "" and charity["band"] == "" and charity["note"] == "fewer than 10 responses"
    # Report text.
    with survey_app.app_context(), survey_app.test_request_context():
        rated = ratings_for(db.session, "tiny-partnership", for_report=True)
        assert rated is not None
        blocks = survey_service.report_blocks(db.session, "tiny-partnership")
        html = render_html(report_model.build(rated, datetime.now(UTC), blocks), for_pdf=True)
    report = Page(html)
    table = report.table("Practice educator survey scores by employer")
    [charity_row] = [
        tr for tr in table.select("tbody tr") if text_of(tr).startswith("Feeling supported charity 9 ")
    ]
    assert [text_of(cell) for cell in charity_row.find_all(["th", "td"])] == [
        "Feeling supported", "charity", "9", "fewer than 10 responses", "", "",
    ]  # fmt: skip
    assert charity_row.th is not None and charity_row.th.select_one(".visually-hidden") is not None
    assert not charity_row.select("[class*=band-]")  # no band, and no band colour


def test_ten_respondents_are_shown_everywhere(
    survey_app: Flask, runner: Any, tmp_path: Any, as_role: Any
) -> None:
    assert run_import(runner, tmp_path, "r.csv", rows(10, 10), "2022-23").exit_code == 0
    out = runner.invoke(args=["survey", "results", "--framework", "tiny-partnership", "--survey", "pe-survey",
                              "--round", "2022-23", "--by", "employer", "--json"])  # fmt: skip
    (section,) = json.loads(out.output)
    assert section["n"] == 20 and section["suppressed"] is False
    assert {g["group"]: (g["n"], g["suppressed"], g["band"]) for g in section["groups"]} == {
        "council": (10, False, "good"), "charity": (10, False, "poor"),
    }  # fmt: skip
    client = as_role("board")
    page = Page.of(client.get("/f/tiny-partnership/surveys/pe-survey?by=employer"), 200)
    assert page.rows("Section scores for round 2022-23")[1:] == [
        ["employer: charity", "10", "13", "Poor", ""],
        ["employer: council", "10", "88", "Good", ""],
    ]
    assert "Fewer than 10 responses" not in page.body
    export = client.get(
        "/f/tiny-partnership/surveys/pe-survey/results.csv?round=2022-23&by=employer"
    ).get_data(as_text=True)
    charity = next(r for r in csv.DictReader(io.StringIO(export)) if r["group"] == "charity")
    assert charity["score"] == "13" and charity["band"] == "poor" and charity["note"] == ""
    with survey_app.app_context(), survey_app.test_request_context():
        rated = ratings_for(db.session, "tiny-partnership", for_report=True)
        assert rated is not None
        blocks = survey_service.report_blocks(db.session, "tiny-partnership")
        html = render_html(report_model.build(rated, datetime.now(UTC), blocks), for_pdf=True)
    report = Page(html)
    assert ["Feeling supported", "charity", "10", "13 poor", "", ""] in report.rows(
        "Practice educator survey scores by employer"
    )
    assert "fewer than 10 responses" not in report.body


def test_a_bad_cell_writes_nothing(survey_app: Flask, runner: Any, tmp_path: Any) -> None:
    text = rows(12, 0).replace("R3,council,Agree", "R3,council,Totally")
    result = run_import(runner, tmp_path, "bad.csv", text, "2022-23")
    assert result.exit_code == 1
    assert (
        f"{tmp_path / 'bad.csv'}:5:q1: 'Totally' is not an answer" in result.output
        and "nothing was imported" in result.output
    )
    with survey_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SurveyRound)) == 0
        assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 0
        assert db.session.scalar(select(func.count()).select_from(Evidence)) == 0


def test_rounds_compare_replace_and_count_once(survey_app: Flask, runner: Any, tmp_path: Any) -> None:
    assert run_import(runner, tmp_path, "a.csv", rows(12, 0, "Somewhat agree"), "2022-23").exit_code == 0
    assert run_import(runner, tmp_path, "b.csv", rows(12, 0), "2023-24").exit_code == 0
    again = run_import(runner, tmp_path, "b.csv", rows(12, 0), "2023-24")
    assert again.exit_code == 1 and "--replace" in again.output
    out = runner.invoke(args=["survey", "results", "--framework", "tiny-partnership", "--survey", "pe-survey",
                              "--round", "2023-24", "--json"])  # fmt: skip
    (section,) = json.loads(out.output)
    assert section["change"] == {"value": pytest.approx(12.5), "unit": "points", "from_round": "2022-23"}
    replaced = run_import(runner, tmp_path, "c.csv", rows(14, 0), "2023-24", "--replace")
    assert replaced.exit_code == 0 and "replacing the earlier import" in replaced.output
    with survey_app.app_context():
        rounds = db.session.scalars(select(SurveyRound).order_by(SurveyRound.id)).all()
        assert [(r.label, r.replaced_at is None) for r in rounds] == [
            ("2022-23", True),
            ("2023-24", False),
            ("2023-24", True),
        ]
        assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 12 + 12 + 14
        items = db.session.scalars(select(Evidence).where(Evidence.collection.like("pe-survey:%"))).all()
        assert sorted(e.collection for e in items) == ["pe-survey:2022-23", "pe-survey:2023-24"]
        refreshed = next(e for e in items if e.collection == "pe-survey:2023-24")
        # The new round changed what an evaluator accepted: it goes back for review, with a note saying why.
        assert refreshed.respondents == 14 and refreshed.status == "submitted"
        assert "needs a new review" in refreshed.review_note
        rated = ratings_for(db.session, "tiny-partnership", detail=True)
        assert rated is not None
        rating = rated.detail.get("educators-supported")
        assert rating is not None
        # Only the first round's item is accepted now; once the second is accepted again, two rounds of
        # one survey of one group are still one line of evidence, not two.
        assert rating.lines.positive == 1
        refreshed.status = "accepted"
        db.session.commit()
        rated = ratings_for(db.session, "tiny-partnership", detail=True)
        assert rated is not None
        rating = rated.detail.get("educators-supported")
        assert rating is not None and rating.lines.positive == 1


def test_web_upload_is_all_or_nothing(survey_app: Flask, as_role: Any) -> None:
    lead = as_role("lead")
    page = Page.of(lead.get("/f/tiny-partnership/surveys/pe-survey"), 200)
    assert page.text("h2#import") == "Import a round"
    form = page.form("/f/tiny-partnership/surveys/pe-survey")
    assert form.method == "post" and form.element.select_one("input[type=file][name=file]") is not None
    bad = rows(12, 0).replace("R3,council,Agree", "R3,council,Totally")
    refused = lead.post(
        "/f/tiny-partnership/surveys/pe-survey",
        data={"label": "2022-23", "collected_on": "2023-03-01", "file": (io.BytesIO(bad.encode()), "r.csv")},
        content_type="multipart/form-data",
    )
    refused_page = Page.of(refused, 400)
    [(target, problem)] = refused_page.error_summary
    assert target == "file" and problem.startswith("Row 5, column q1: ")
    assert refused_page.texts("h3 + ul > li") == [problem]
    with survey_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SurveyRound)) == 0
    done = lead.post(
        "/f/tiny-partnership/surveys/pe-survey",
        data={
            "label": "2022-23",
            "collected_on": "2023-03-01",
            "file": (io.BytesIO(rows(12, 0).encode()), "r.csv"),
        },
        content_type="multipart/form-data",
    )
    assert done.status_code == 302
    with survey_app.app_context():
        item = db.session.scalars(select(Evidence).where(Evidence.collection == "pe-survey:2022-23")).one()
        assert item.status == "submitted"  # a lead's survey evidence waits for an evaluator's review
    assert as_role("board").post("/f/tiny-partnership/surveys/pe-survey", data={}).status_code == 403


def test_distance_travelled_is_paired_when_respondents_match(
    survey_app: Flask, runner: Any, tmp_path: Any, as_role: Any
) -> None:
    assert run_import(runner, tmp_path, "a.csv", rows(12, 0, "Somewhat agree"), "2022-23").exit_code == 0
    assert run_import(runner, tmp_path, "b.csv", rows(12, 0), "2023-24").exit_code == 0
    with survey_app.app_context():
        view = survey_service.distance_since_previous(db.session, "tiny-partnership", "pe-survey", "2023-24")
        assert view is not None and view.previous == "2022-23"
        (result,) = view.results
        assert (result.kind, result.pairs, result.suppressed) == ("paired", 12, False)
        assert result.value == pytest.approx(12.5)
    page = Page.of(as_role("board").get("/f/tiny-partnership/surveys/pe-survey?round=2023-24"), 200)
    assert page.text("h2#distance") == "Distance travelled since 2022-23"
    assert page.text("h2#distance + p").startswith("Change for the same people:")
    assert page.rows("Distance travelled by section") == [
        ["Feeling supported", "12", "+12.5 (up 12.5 points)"]
    ]
    assert len(page.all("figure.chart > svg")) == 1
    # New respondent ids: no pairs, so a cohort comparison.
    assert run_import(runner, tmp_path, "c.csv", rows(12, 0, respondent_prefix="N"), "2024-25").exit_code == 0
    with survey_app.app_context():
        cohort = survey_service.distance_since_previous(
            db.session, "tiny-partnership", "pe-survey", "2024-25"
        )
        assert cohort is not None and cohort.results[0].kind == "cohort" and cohort.results[0].pairs == 0
