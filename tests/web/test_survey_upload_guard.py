"""Survey uploads: a changed round sends accepted evidence back for review; bad files cost bounded pages."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

from flask import Flask
from sqlalchemy import select

from tests.digest import table_digests
from tests.page import Page, text_of
from tests.web.test_route_walk import SLUG, World, survey_csv
from tracker.db.models import Evidence
from tracker.domain.problems import MAX_PROBLEMS_SHOWN
from tracker.extensions import db
from tracker.services import evidence as evidence_service
from tracker.services import surveys as survey_service
from tracker.services.attachments import attachment_header
from tracker.services.audit import Actor
from tracker.services.permissions import Principal

pytest_plugins = ["tests.web.test_route_walk"]


def _survey_items(app: Flask) -> list[tuple[str, str, str]]:
    with app.app_context():
        return [
            (e.status, e.finding, e.review_note)
            for e in db.session.scalars(select(Evidence).where(Evidence.collection == "pe-survey:2022-23"))
        ]


def _upload(client: Any, csv_bytes: bytes, label: str = "2022-23") -> Any:
    return client.post(
        f"/f/{SLUG}/surveys/pe-survey",
        data={
            "label": label,
            "collected_on": "2023-03-01",
            "replace": "y",
            "file": (io.BytesIO(csv_bytes), "r.csv"),
        },
        content_type="multipart/form-data",
    )


def test_a_member_lead_replacing_a_round_sends_changed_accepted_items_back(
    world: World, as_role: Any
) -> None:
    assert [s for s, _f, _n in _survey_items(world.app)] == ["accepted"]
    response = _upload(as_role("lead"), survey_csv("Strongly disagree"))
    assert response.status_code == 302
    ((status, finding, note),) = _survey_items(world.app)
    assert (status, finding) == ("submitted", "contradicts")
    assert "needs a new review" in note and "supports -> contradicts" in note


def test_an_admin_replacing_a_round_with_the_same_answers_changes_no_status(
    world: World, as_role: Any
) -> None:
    response = _upload(as_role("admin"), survey_csv("Strongly agree"))
    assert response.status_code == 302
    assert [(s, f) for s, f, _n in _survey_items(world.app)] == [("accepted", "supports")]


def test_a_file_of_bad_cells_lists_the_first_problems_and_counts_the_rest(world: World, as_role: Any) -> None:
    lines = ["respondent,employer,q1,q2"] + [f"R{i},council,maybe,perhaps" for i in range(5000)]
    lead = as_role("lead")
    before = table_digests(world.app)
    response = _upload(lead, ("\n".join(lines) + "\n").encode())
    page = Page.of(response, 400)
    [heading] = page.texts("h3")  # (the count has no thousands separator here, unlike the CSV import page)
    assert heading.replace(",", "") == "Problems found (10000)"
    problems = page.texts("h3 + ul > li")
    assert len(problems) == MAX_PROBLEMS_SHOWN == 100 and all(p.startswith("Row ") for p in problems)
    assert (
        page.text("h3 + ul + p")
        == "… and 9,900 more problems not listed here. Fix these and upload the file again."
    )
    assert page.error_summary == [("file", p) for p in problems[:20]]  # the summary repeats the first 20
    assert len(response.data) < 200_000
    assert table_digests(world.app) == before


def test_more_rows_than_the_limit_are_refused_before_parsing(world: World) -> None:
    too_many = b"respondent,employer,q1,q2\n" + b"R,council,Agree,Agree\n" * (survey_service.MAX_ROWS + 1)
    with world.app.app_context():
        ctx = evidence_service.framework_context(db.session, SLUG)
        assert ctx is not None
        result = survey_service.import_round(
            db.session, Actor("t", "admin"), Principal(None, "t", "admin", None), ctx, "pe-survey", "big",
            too_many, collected_on=date(2023, 3, 1),
        )  # fmt: skip
        db.session.rollback()
    assert [m for _r, _c, m in result.problems] == ["more than 50,000 rows; split the file"]


def test_a_round_label_with_a_line_break_is_refused(world: World, as_role: Any) -> None:
    response = _upload(as_role("admin"), survey_csv("Agree"), label="2023\r\nX-Injected: 1")
    page = Page.of(response, 400)
    [(_target, message)] = page.error_summary  # (listed as a problem of the file, not beside the label)
    assert "the round label must not hold line breaks" in message
    assert [p for p in page.texts("h3 + ul > li") if "line breaks" in p] == [message]


def test_download_names_cannot_break_the_header() -> None:
    header = attachment_header('r\r\nSet-Cookie: x=1; "evil".csv')
    assert "\r" not in header and "\n" not in header
    assert header.startswith('attachment; filename="') and header.count('"') == 2
    assert (
        attachment_header("файл.pdf")
        == "attachment; filename=\"download.pdf\"; filename*=UTF-8''%D1%84%D0%B0%D0%B9%D0%BB.pdf"
    )


def test_evidence_list_ignores_unknown_query_keys(world: World, as_role: Any) -> None:
    lead = as_role("lead")
    for query in ("slug=x", "endpoint=x", "_method=POST", "slug=x&status=accepted&page=99999999999999999999"):
        page = Page.of(lead.get(f"/f/{SLUG}/evidence?{query}"), 200)
        echoed = [*page.hrefs(), *(str(f.get("action", "")) for f in page.all("form"))]
        echoed += [str(i.get("value", "")) for i in page.all("input")]
        assert not [e for e in echoed if "slug=x" in e or "endpoint" in e or "_method" in e], query
        assert "slug=x" not in page.body, query


def test_a_lead_may_open_every_item_an_outcome_page_lists(
    world: World, as_role: Any, make_evidence: Any
) -> None:
    other = make_evidence(status="accepted", title="Other partner's accepted", partner="other-council")
    hidden = make_evidence(status="draft", title="Other partner's draft", partner="other-council")
    outsider = as_role("lead", partner="other-council")
    lead = as_role("lead")
    page = Page.of(lead.get(f"/f/{SLUG}/outcomes/educators-supported"), 200)
    table = page.table("Accepted evidence for this outcome, with its tier")
    listed = {text_of(a): a["href"] for a in table.select("tbody td:first-child > a")}
    assert listed["Other partner's accepted"] == f"/evidence/{other}"
    assert "Other partner's draft" not in listed
    assert lead.get(f"/evidence/{other}").status_code == 200
    assert lead.get(f"/evidence/{hidden}").status_code == 403
    assert outsider.get(f"/evidence/{hidden}").status_code == 200
