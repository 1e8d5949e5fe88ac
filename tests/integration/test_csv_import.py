"""CSV import of evidence and KPI values, from the CLI and the upload page: all rows or none, `CSV:ROW: message`."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select, update

from tracker.db.models import (
    AuditEvent,
    Element,
    Evidence,
    EvidenceLink,
    FrameworkPartner,
    KpiValue,
    Partner,
    utcnow,
)
from tracker.extensions import db
from tracker.services import evidence as evidence_service
from tracker.services import imports
from tracker.services.audit import Actor
from tracker.services.permissions import Principal

from ..conftest import count_rows
from ..import_checks import digest
from ..page import Page

SLUG = "tiny-partnership"
EVIDENCE_HEADER = (
    "title,summary,source_type,collected_on,links,finding,respondents,population,positive,collection,group,"
    "independent,partner,quote,url,flags,status"
)
GOOD_EVIDENCE = (
    EVIDENCE_HEADER + "\n"
    "Practice educator survey,Most felt supported,survey,2023-03-01,educators-supported,supports,18,30,15,"
    "pe-survey-2023,practice-educators,true,tiny-council,,https://example.org/survey,,accepted\n"
    "Allocation day feedback,,feedback_form,2022-11-20,more-statutory;out-days,mixed,40,,22,,students,false,"
    'other-council,"They said ""more, please""",,indirect;partial_coverage,\n'
    "Board minutes,,document,2023-01-09,retention,no_change,,,,,,,,,,,draft\n"
)
GOOD_KPIS = (
    "kpi,period,period_end,value,partner,note\n"
    "statutory-share,2021/22,2022-03-31,76,,\n"
    "statutory-share,2022/23,2023-03-31,81.5%,,From placement records\n"
    "statutory-share,2022/23,2023-03-31,79,tiny-council,Tiny's own figure\n"
)


def write(tmp_path: Path, text: str | bytes, name: str = "data.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def evidence_rows(app: Flask) -> dict[str, dict[str, Any]]:
    with app.app_context():
        session = db.session
        slugs = dict(session.execute(select(Element.id, Element.slug)).all())
        partners = dict(session.execute(select(Partner.id, Partner.slug)).all())
        links: dict[int, list[str]] = {}
        for evidence_id, element_id in session.execute(
            select(EvidenceLink.evidence_id, EvidenceLink.element_id)
        ):
            links.setdefault(evidence_id, []).append(slugs[element_id])
        return {
            e.title: {
                "summary": e.summary, "source_type": e.source_type, "collected_on": e.collected_on.isoformat(),
                "links": sorted(links.get(e.id, [])), "finding": e.finding, "respondents": e.respondents,
                "population": e.population, "positive": e.positive, "collection": e.collection,
                "group": e.respondent_group, "independent": e.independent,
                "partner": partners.get(e.partner_id) if e.partner_id else None, "quote": e.quote, "url": e.url,
                "flags": list(e.flags), "status": e.status,
            }
            for e in session.scalars(select(Evidence))
        }  # fmt: skip


def kpi_rows(app: Flask) -> list[tuple[str, str, float, str | None, str, bool]]:
    with app.app_context():
        partners = dict(db.session.execute(select(Partner.id, Partner.slug)).all())
        return [
            (v.period, v.period_end.isoformat(), v.value, partners.get(v.partner_id) if v.partner_id else None, v.note,
             v.superseded_at is not None)
            for v in db.session.scalars(select(KpiValue).order_by(KpiValue.id))
        ]  # fmt: skip


def problem_lines(output: str, path: Path) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(f"{path}:")]


def test_evidence_import_good_file(
    app: Flask, runner: FlaskCliRunner, framework: str, tmp_path: Path
) -> None:
    path = write(tmp_path, GOOD_EVIDENCE)
    result = runner.invoke(args=["evidence", "import", str(path), "--framework", SLUG])
    assert result.exit_code == 0, result.output
    assert f"{SLUG}: imported 3 evidence items" in result.output
    rows = evidence_rows(app)
    assert rows["Practice educator survey"] == {
        "summary": "Most felt supported", "source_type": "survey", "collected_on": "2023-03-01",
        "links": ["educators-supported"], "finding": "supports", "respondents": 18, "population": 30, "positive": 15,
        "collection": "pe-survey-2023", "group": "practice-educators", "independent": True, "partner": "tiny-council",
        "quote": "", "url": "https://example.org/survey", "flags": [], "status": "accepted",
    }  # fmt: skip
    feedback = rows["Allocation day feedback"]
    assert feedback["links"] == ["more-statutory", "out-days"]
    assert feedback["quote"] == 'They said "more, please"'
    assert feedback["flags"] == ["indirect", "partial_coverage"]
    assert feedback["status"] == "submitted", "an empty status means the default, submitted"
    assert feedback["partner"] == "other-council" and feedback["independent"] is False
    assert rows["Board minutes"]["status"] == "draft" and rows["Board minutes"]["partner"] is None
    assert count_rows(app, EvidenceLink) == 4
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action)).all()
    assert actions.count("evidence.create") == 3 and actions.count("evidence.import") == 1


def test_evidence_import_accepts_a_byte_order_mark_and_crlf(
    app: Flask, runner: FlaskCliRunner, framework: str, tmp_path: Path
) -> None:
    path = write(tmp_path, "\ufeff".encode() + GOOD_EVIDENCE.replace("\n", "\r\n").encode())
    result = runner.invoke(args=["evidence", "import", str(path), "--framework", SLUG])
    assert result.exit_code == 0, result.output
    assert count_rows(app, Evidence) == 3


def test_evidence_import_bad_rows_write_nothing(
    app: Flask, runner: FlaskCliRunner, framework: str, tmp_path: Path
) -> None:
    text = (
        EVIDENCE_HEADER + "\n"
        "Good row,,survey,2023-01-01,educators-supported,supports,,,,,,,,,,,\n"  # row 2
        "Bad type,,poll,2023-01-01,educators-supported,supports,,,,,,,,,,,\n"  # row 3
        "Good row two,,interview,2023-01-02,more-statutory,supports,,,,,,,,,,,\n"  # row 4
        "Bad date and link,,survey,2023-02-30,no-such-outcome,supports,,,,,,,,,,,\n"  # row 5
        ",,survey,2023-01-01,educators-supported,supports,,,,,,,,,,,\n"  # row 6: no title
        "Too many positive,,survey,2023-01-01,educators-supported,supports,10,20,11,,,,,,,,\n"  # row 7
        "Bad partner,,survey,2023-01-01,educators-supported,supports,,,,,,,nowhere,,,,\n"  # row 8
        "Theme is not linkable,,survey,2023-01-01,placements,supports,,,,,,,,,,,\n"  # row 9
        "Future,,survey,2999-01-01,educators-supported,supports,,,,,,,,,,,\n"  # row 10
    )
    path = write(tmp_path, text)
    result = runner.invoke(args=["evidence", "import", str(path), "--framework", SLUG])
    assert result.exit_code == 1
    lines = problem_lines(result.stdout, path)
    assert {int(line.split(":")[1]) for line in lines} == {3, 5, 6, 7, 8, 9, 10}
    assert f"{path}:3: source_type 'poll' is not one of: " in result.stdout
    assert f"{path}:5: collected_on must be a date as YYYY-MM-DD, not '2023-02-30'" in lines
    assert f"{path}:5: links 'no-such-outcome' is not an outcome, output or KPI of this framework" in lines
    assert f"{path}:6: title is required" in lines
    assert f"{path}:7: positive 11 is more than the 10 respondents" in lines
    assert f"{path}:8: partner 'nowhere' is not a partner of this framework" in lines
    assert any(line.startswith(f"{path}:9: links 'placements' is a theme") for line in lines)
    assert f"{path}:10: collected_on 2999-01-01 is in the future" in lines
    assert "nothing was imported" in result.output
    assert "Traceback" not in result.output
    assert count_rows(app, Evidence) == 0 and count_rows(app, EvidenceLink) == 0


def test_row_numbers_count_records_not_lines(
    app: Flask, runner: FlaskCliRunner, framework: str, tmp_path: Path
) -> None:
    """A quoted cell may hold line breaks; the row number is still the spreadsheet's row (header = row 1)."""
    text = (
        EVIDENCE_HEADER + "\n"
        'Good row,"A summary\nover three\nlines",survey,2023-01-01,educators-supported,supports,,,,,,,,,,,\n'  # row 2
        "Bad row,,poll,2023-01-01,educators-supported,supports,,,,,,,,,,,\n"  # row 3
    )
    path = write(tmp_path, text)
    result = runner.invoke(args=["evidence", "import", str(path), "--framework", SLUG])
    assert result.exit_code == 1
    assert [line.split(":")[1] for line in problem_lines(result.stdout, path)] == ["3"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(EVIDENCE_HEADER + ",colour\n", "1: unknown column 'colour'", id="unknown-column"),
        pytest.param(
            "title,source_type,collected_on,finding\nT,survey,2023-01-01,supports\n",
            "1: the column 'links' is missing",
            id="missing-required-column",
        ),
        pytest.param("", "1: the file is empty", id="empty-file"),
        pytest.param(
            "title,title,source_type,collected_on,links,finding\n",
            "1: a column name appears twice",
            id="duplicate-column",
        ),
        pytest.param(
            "title,source_type,collected_on,links,finding\nT,survey,2023-01-01,educators-supported,supports,extra\n",
            "2: has 6 cells but the header has 5",
            id="too-many-cells",
        ),
    ],
)
def test_evidence_import_bad_structure(
    app: Flask, runner: FlaskCliRunner, framework: str, tmp_path: Path, text: str, expected: str
) -> None:
    path = write(tmp_path, text)
    result = runner.invoke(args=["evidence", "import", str(path), "--framework", SLUG])
    assert result.exit_code == 1
    assert f"{path}:{expected}" in result.output
    assert count_rows(app, Evidence) == 0


def test_non_utf8_bytes_are_reported_with_their_row(
    app: Flask, runner: FlaskCliRunner, framework: str, tmp_path: Path
) -> None:
    text = (
        EVIDENCE_HEADER + "\n"
        "Good row,,survey,2023-01-01,educators-supported,supports,,,,,,,,,,,\n"
        "Caf\u00e9 survey,,survey,2023-01-01,educators-supported,supports,,,,,,,,,,,\n"
    )
    path = write(tmp_path, text.encode("latin-1"))
    result = runner.invoke(args=["evidence", "import", str(path), "--framework", SLUG])
    assert result.exit_code == 1
    assert f"{path}:3: the file is not UTF-8 text (save it as CSV UTF-8)" in result.output
    assert count_rows(app, Evidence) == 0


def test_formula_looking_cells_are_stored_as_text(
    app: Flask, runner: FlaskCliRunner, framework: str, tmp_path: Path
) -> None:
    text = (
        EVIDENCE_HEADER + "\n"
        '"=HYPERLINK(""http://evil.example"",""click"")",+SUM(1;2),survey,2023-01-01,educators-supported,supports,'
        ",,,=cmd|' /C calc'!A0,-group,,,@import,,,\n"
    )
    path = write(tmp_path, text)
    result = runner.invoke(args=["evidence", "import", str(path), "--framework", SLUG])
    assert result.exit_code == 0, result.output
    [(title, row)] = evidence_rows(app).items()
    assert title == '=HYPERLINK("http://evil.example","click")'
    assert row["summary"] == "+SUM(1;2)"
    assert row["collection"] == "=cmd|' /C calc'!A0"
    assert row["group"] == "-group"
    assert row["quote"] == "@import"


def test_reimporting_the_same_file_adds_nothing(
    app: Flask, runner: FlaskCliRunner, framework: str, tmp_path: Path
) -> None:
    path = write(tmp_path, GOOD_EVIDENCE)
    assert runner.invoke(args=["evidence", "import", str(path), "--framework", SLUG]).exit_code == 0
    again = runner.invoke(args=["evidence", "import", str(path), "--framework", SLUG])
    assert again.exit_code == 0, again.output
    assert "imported 0 evidence items; 3 already present" in again.output
    assert count_rows(app, Evidence) == 3 and count_rows(app, EvidenceLink) == 4
    # A file that repeats one item and adds another imports just the new one.
    more = write(
        tmp_path, GOOD_EVIDENCE + "New item,,interview,2023-02-02,retention,supports,,,,,,,,,,,\n", "more.csv"
    )
    third = runner.invoke(args=["evidence", "import", str(more), "--framework", SLUG])
    assert third.exit_code == 0 and "imported 1 evidence items; 3 already present" in third.output
    assert count_rows(app, Evidence) == 4


def test_import_needs_a_known_framework_and_file(
    runner: FlaskCliRunner, framework: str, tmp_path: Path
) -> None:
    path = write(tmp_path, GOOD_EVIDENCE)
    result = runner.invoke(args=["evidence", "import", str(path), "--framework", "nope"])
    assert result.exit_code == 1 and "no framework has the id 'nope'" in result.output
    missing = tmp_path / "missing.csv"
    result = runner.invoke(args=["evidence", "import", str(missing), "--framework", SLUG])
    assert result.exit_code == 1 and f"{missing}:1: no such file" in result.output
    assert "Traceback" not in result.output


# -- what an item answers and the KPI it reports (issue 18) ---------------------------------------------------

ANSWERS_HEADER = "title,source_type,collected_on,links,finding,shows,kpi,status"
ANSWERS = (
    ANSWERS_HEADER + "\n"
    "Placement returns,admin_data,2023-03-31,more-statutory;statutory-share,supports,better_off,statutory-share,"
    "accepted\n"
    "Allocation days held,document,2023-02-01,out-days,supports,how_much,,\n"
    "Educator satisfaction,survey,2023-03-01,educators-supported,supports,how_well,,\n"
    "Graduates' first year,interview,2023-03-20,retention,too_early,,,\n"
)


def answers(app: Flask) -> dict[str, tuple[str, str, str]]:
    """Each item's finding, what it answers and the KPI it reports, by title."""
    with app.app_context():
        return {
            title: (finding, shows, kpi)
            for title, finding, shows, kpi in db.session.execute(
                select(Evidence.title, Evidence.finding, Evidence.shows, Evidence.kpi)
            )
        }


def test_what_an_item_answers_and_its_kpi_import_and_export(
    app: Flask, runner: FlaskCliRunner, as_role: Any, tmp_path: Path
) -> None:
    path = write(tmp_path, ANSWERS)
    result = runner.invoke(args=["evidence", "import", str(path), "--framework", SLUG])
    assert result.exit_code == 0, result.output
    imported = answers(app)
    assert imported == {
        "Placement returns": ("supports", "better_off", "statutory-share"),
        "Allocation days held": ("supports", "how_much", ""),
        "Educator satisfaction": ("supports", "how_well", ""),
        "Graduates' first year": ("too_early", "", ""),
    }
    with app.app_context():
        after = db.session.scalars(
            select(AuditEvent.after).where(AuditEvent.action == "evidence.create")
        ).all()
    assert sorted((a["shows"], a["kpi"]) for a in after) == sorted((s, k) for _f, s, k in imported.values())
    # The download writes them in the import's columns, and imports as it is (the id column taken off).
    exported = as_role("admin").get(f"/f/{SLUG}/evidence.csv").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(exported)))
    assert {r["title"]: (r["finding"], r["shows"], r["kpi"]) for r in rows} == imported
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[name for name in rows[0] if name != "id"], extrasaction="ignore")
    writer.writeheader()
    writer.writerows({**r, "title": r["title"] + " (again)"} for r in rows)
    again_csv = write(tmp_path, out.getvalue(), "again.csv")
    again = runner.invoke(args=["evidence", "import", str(again_csv), "--framework", SLUG])
    assert again.exit_code == 0, again.output
    restored = {t.removesuffix(" (again)"): v for t, v in answers(app).items() if t.endswith(" (again)")}
    assert restored == imported


def test_a_bad_answer_or_a_kpi_that_is_not_a_kpi_is_refused_and_nothing_written(
    app: Flask, runner: FlaskCliRunner, as_role: Any, tmp_path: Path
) -> None:
    admin = as_role("admin")
    before = digest(app)
    text = (
        ANSWERS_HEADER + "\n"
        "Good row,survey,2023-01-01,educators-supported,supports,how_well,,\n"  # row 2
        "Effect,survey,2023-01-01,educators-supported,supports,effect,,\n"  # row 3
        "Outcome as KPI,survey,2023-01-01,more-statutory,supports,better_off,more-statutory,\n"  # row 4
        "Unknown KPI,survey,2023-01-01,more-statutory,supports,,no-such-kpi,\n"  # row 5
        "Question as typed,survey,2023-01-01,more-statutory,supports,Is anyone better off?,,\n"  # row 6
    )
    path = write(tmp_path, text)
    result = runner.invoke(args=["evidence", "import", str(path), "--framework", SLUG])
    assert result.exit_code == 1
    assert problem_lines(result.stdout, path) == [
        f"{path}:3: shows 'effect' is not one of: how_much, how_well, better_off",
        f"{path}:4: kpi 'more-statutory' is not a KPI of this framework",
        f"{path}:5: kpi 'no-such-kpi' is not a KPI of this framework",
        f"{path}:6: shows 'Is anyone better off?' is not one of: how_much, how_well, better_off",
    ]
    assert "nothing was imported" in result.output and "Traceback" not in result.output
    assert digest(app) == before
    # The upload page says the same, naming the column, and writes nothing either.
    assert problems(upload(admin, text))[:2] == [
        "Row 3: shows 'effect' is not one of: how_much, how_well, better_off",
        "Row 4: kpi 'more-statutory' is not a KPI of this framework",
    ]
    assert digest(app) == before


def test_what_it_answers_and_its_kpi_do_not_make_a_row_new(
    app: Flask, runner: FlaskCliRunner, framework: str, tmp_path: Path
) -> None:
    """The duplicate check compares title, date, type, finding and links, as before: a file imported again
    with the new columns filled in adds nothing (no item is counted twice)."""
    row = "Placement returns,admin_data,2023-03-31,more-statutory,supports"
    plain = write(tmp_path, f"{ANSWERS_HEADER}\n{row},,,\n")
    filled = write(tmp_path, f"{ANSWERS_HEADER}\n{row},better_off,statutory-share,\n", "filled.csv")
    assert runner.invoke(args=["evidence", "import", str(plain), "--framework", SLUG]).exit_code == 0
    again = runner.invoke(args=["evidence", "import", str(filled), "--framework", SLUG])
    assert again.exit_code == 0 and "imported 0 evidence items; 1 already present" in again.output
    assert answers(app) == {"Placement returns": ("supports", "", "")}


def test_kpi_import_good_file(app: Flask, runner: FlaskCliRunner, framework: str, tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_KPIS)
    result = runner.invoke(args=["kpi", "import", str(path), "--framework", SLUG])
    assert result.exit_code == 0, result.output
    assert f"{SLUG}: imported 3 KPI values" in result.output
    assert kpi_rows(app) == [
        ("2021/22", "2022-03-31", 76.0, None, "", False),
        ("2022/23", "2023-03-31", 81.5, None, "From placement records", False),
        ("2022/23", "2023-03-31", 79.0, "tiny-council", "Tiny's own figure", False),
    ]
    again = runner.invoke(args=["kpi", "import", str(path), "--framework", SLUG])
    assert again.exit_code == 0 and "imported 0 KPI values; 3 already present" in again.output
    assert len(kpi_rows(app)) == 3
    # A changed value supersedes the old one; both are kept.
    changed = write(tmp_path, GOOD_KPIS.replace("81.5%", "82"), "changed.csv")
    third = runner.invoke(args=["kpi", "import", str(changed), "--framework", SLUG])
    assert third.exit_code == 0 and "imported 1 KPI values; 2 already present" in third.output
    rows = kpi_rows(app)
    assert [(r[2], r[5]) for r in rows if r[0] == "2022/23" and r[3] is None] == [(81.5, True), (82.0, False)]


def test_kpi_import_bad_rows_write_nothing(
    app: Flask, runner: FlaskCliRunner, framework: str, tmp_path: Path
) -> None:
    text = (
        "kpi,period,period_end,value,partner,note\n"
        "statutory-share,2021/22,2022-03-31,76,,\n"  # row 2: good
        "statutory-share,2022/23,2023-03-31,n/a,,\n"  # row 3
        "no-such-kpi,2022/23,2023-03-31,50,,\n"  # row 4
        "statutory-share,2022/23,31/03/2023,50,,\n"  # row 5
        "statutory-share,2021/22,2022-03-31,77,,\n"  # row 6: repeats row 2
        "statutory-share,2022/23,2023-03-31,50,nowhere,\n"  # row 7
        "statutory-share,2023/24,2024-03-31,150,,\n"  # row 8: a percentage over 100
        "statutory-share,2024/25,2025-03-31,-5%,,\n"  # row 9: and under 0
    )
    path = write(tmp_path, text)
    result = runner.invoke(args=["kpi", "import", str(path), "--framework", SLUG])
    assert result.exit_code == 1
    lines = problem_lines(result.stdout, path)
    assert lines == [
        f"{path}:3: value must be a number, not 'n/a'",
        f"{path}:4: kpi 'no-such-kpi' is not a KPI of this framework",
        f"{path}:5: period_end must be a date as YYYY-MM-DD, not '31/03/2023'",
        f"{path}:6: repeats row 2 (same KPI, period and partner)",
        f"{path}:7: partner 'nowhere' is not a partner of this framework",
        f"{path}:8: value must be between 0 and 100 for a percentage, not 150",
        f"{path}:9: value must be between 0 and 100 for a percentage, not \u22125",
    ]
    assert count_rows(app, KpiValue) == 0


def test_kpi_import_unknown_and_missing_columns(
    app: Flask, runner: FlaskCliRunner, framework: str, tmp_path: Path
) -> None:
    path = write(tmp_path, "kpi,period,value,colour\nstatutory-share,2022/23,50,red\n")
    result = runner.invoke(args=["kpi", "import", str(path), "--framework", SLUG])
    assert result.exit_code == 1
    assert f"{path}:1: unknown column 'colour'" in result.output
    assert f"{path}:1: the column 'period_end' is missing" in result.output
    assert count_rows(app, KpiValue) == 0


# The upload page does the same: all rows or none, each bad row on the page, 400.


def flashes(client: Any, path: str) -> list[tuple[str, str]]:
    """The messages the page after an import shows (but the one left from signing in)."""
    shown = Page.of(client.get(path), 200).flash_categories()
    return [(kind, text) for kind, text in shown if text != "You are signed in."]


def problems(response: Any) -> list[str]:
    """The problems a refused upload lists, each also linked from the error summary to the file field."""
    page = Page.of(response, 400)
    listed = page.texts("ul.import-problems > li")
    assert page.error_summary == [("file", p) for p in listed[:20]]
    return listed


def upload(client: Any, text: str | bytes, kind: str = "evidence") -> Any:
    raw = text.encode() if isinstance(text, str) else text
    return client.post(f"/f/{SLUG}/import", data={"kind": kind, "file": (io.BytesIO(raw), "upload.csv")})


def test_upload_page_good_file(app: Flask, as_role: Any) -> None:
    admin = as_role("admin")
    response = upload(admin, GOOD_EVIDENCE)
    assert response.status_code == 302 and response.headers["Location"] == f"/f/{SLUG}/evidence"
    assert set(evidence_rows(app)) == {"Practice educator survey", "Allocation day feedback", "Board minutes"}
    assert flashes(admin, f"/f/{SLUG}/evidence") == [("success", "Imported 3 evidence items.")]
    response = upload(admin, GOOD_EVIDENCE)
    assert response.status_code == 302
    assert flashes(admin, f"/f/{SLUG}/evidence") == [
        ("success", "Imported 0 evidence items. 3 were already present.")
    ]
    assert count_rows(app, Evidence) == 3
    response = upload(admin, GOOD_KPIS, kind="kpi")
    assert response.status_code == 302 and response.headers["Location"] == f"/f/{SLUG}/kpis"
    assert len(kpi_rows(app)) == 3


def test_upload_page_bad_rows(app: Flask, as_role: Any) -> None:
    admin = as_role("admin")
    text = (
        EVIDENCE_HEADER + "\n"
        "Good row,,survey,2023-01-01,educators-supported,supports,,,,,,,,,,,\n"
        "Bad type,,poll,2023-01-01,educators-supported,supports,,,,,,,,,,,\n"
        "Bad link,,survey,2023-01-01,nowhere,supports,,,,,,,,,,,\n"
    )
    response = upload(admin, text)
    page = Page.of(response, 400)
    assert (
        page.title_parts[0] == "Error: Import a CSV file" and page.text("h2#problems") == "Problems found (2)"
    )
    bad_type, bad_link = page.texts("ul.import-problems > li")  # not row 2, which is good
    assert bad_type.startswith("Row 3: source_type 'poll' is not one of")
    assert bad_link == "Row 4: links 'nowhere' is not an outcome, output or KPI of this framework"
    assert page.error_summary == [("file", bad_type), ("file", bad_link)]
    assert count_rows(app, Evidence) == 0
    response = upload(
        admin, "kpi,period,period_end,value\nstatutory-share,2022/23,2023-03-31,lots\n", kind="kpi"
    )
    assert problems(response) == ["Row 2: value must be a number, not 'lots'"]
    assert count_rows(app, KpiValue) == 0
    response = upload(
        admin, "kpi,period,period_end,value\nstatutory-share,2022/23,2023-03-31,101\n", kind="kpi"
    )
    assert problems(response) == ["Row 2: value must be between 0 and 100 for a percentage, not 101"]
    assert count_rows(app, KpiValue) == 0
    [not_utf8] = problems(upload(admin, "Caf\u00e9,x\n".encode("latin-1")))
    assert "not UTF-8" in not_utf8
    page = Page.of(admin.post(f"/f/{SLUG}/import", data={"kind": "evidence"}), 400)
    assert page.field_error("file") == "Choose a CSV file to upload"
    assert page.error_summary == [("file", "Choose a CSV file to upload")]


def test_upload_by_a_lead_cannot_accept(app: Flask, as_role: Any) -> None:
    """A row naming another partner is refused outright (403): see tests/web/test_import_refusals.py."""
    lead = as_role("lead")
    text = (
        EVIDENCE_HEADER + "\n"
        "Self accepted,,survey,2023-01-01,educators-supported,supports,,,,,,,,,,,accepted\n"
        "Own partner named,,survey,2023-01-01,educators-supported,supports,,,,,,,tiny-council,,,,\n"
    )
    response = upload(lead, text)
    assert problems(response) == [
        "Row 2: status accepted: only an evaluator can accept evidence"
    ]  # not row 3
    assert count_rows(app, Evidence) == 0
    response = upload(
        lead, EVIDENCE_HEADER + "\nMine,,survey,2023-01-01,educators-supported,supports,,,,,,,,,,,\n"
    )
    assert response.status_code == 302
    assert evidence_rows(app)["Mine"]["partner"] == "tiny-council"


@pytest.mark.parametrize(
    ("role", "status"), [("admin", 200), ("lead", 200), ("evaluator", 403), ("board", 403)]
)
def test_upload_page_opens_for_those_who_may_import(app: Flask, as_role: Any, role: str, status: int) -> None:
    response = as_role(role).get(f"/f/{SLUG}/import")
    assert response.status_code == status
    if status == 200:
        page = Page.of(response)
        assert page.h1 == "Import a CSV file" and page.title_parts[0] == "Import a CSV file"
        form = page.form()
        assert (form.method, form.element.get("enctype")) == ("post", "multipart/form-data")
        [file] = form.element.select("input[type=file]")
        assert (file["name"], file["id"], page.text("label[for=file]")) == ("file", "file", "CSV file")
        assert [r["value"] for r in form.element.select("input[name=kind]")] == ["evidence", "kpi"]


def test_a_framework_changed_while_the_file_was_checked_is_not_written(app: Flask, framework: str) -> None:
    """The file is checked against the framework read before; the write reads it again and compares."""
    with app.app_context():
        ctx = evidence_service.framework_context(db.session, SLUG)
        assert ctx is not None
        p = Principal.command_line()
        checked = imports.check_evidence(
            imports.ImportScope.of(ctx, p), p, GOOD_EVIDENCE.encode(), date.today()
        )
        db.session.rollback()
        assert checked.ok and len(checked.rows) == 3
    with app.app_context(), db.unit_of_work() as session:  # meanwhile, a partner leaves the framework
        session.execute(update(FrameworkPartner).values(archived_at=utcnow()))
    with app.app_context(), db.unit_of_work() as session:
        result = imports.write_evidence(session, Actor.command_line(), p, checked)
    assert not result.ok
    assert [problem.message for problem in result.problems] == [
        "the framework changed while the file was being checked; upload it again"
    ]
    assert count_rows(app, Evidence) == 0
