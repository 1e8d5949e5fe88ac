"""Every typed text has a limit said in its hint, kept in `maxlength`, and checked at the field with the text
kept: through the forms, CSV rows and the services alike; an over-large post is refused unread."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from tracker.db.models import Evidence, RatingOverride
from tracker.domain import text_limits
from tracker.domain.evidence_input import EvidenceFields, parse_evidence, parse_kpi_value
from tracker.domain.text_limits import TextLimit, TextTooLong
from tracker.extensions import db
from tracker.overrides import service as override_service
from tracker.ratings import ratings_for, upkeep
from tracker.services import evidence as evidence_service
from tracker.services.audit import Actor
from tracker.services.permissions import Principal

from ..digest import database_digest
from ..page import Page

SLUG = "tiny-partnership"
TWO_MB = 2 * 1024 * 1024
RATIONALE = "The interviews show what the survey cannot: " + "the educators' own account of support. " * 3
VALID_EVIDENCE = {
    "title": "Practice educator survey 2023", "summary": "Most felt supported", "source_type": "survey",
    "collected_on": "2023-02-14", "links": "educators-supported", "finding": "supports",
}  # fmt: skip

# -- the domain's table: each limit at its edge, for CSV rows and forms alike ----------------------------

EVIDENCE_LIMITS = [
    ("title", 200),
    ("summary", 5_000),
    ("quote", 2_000),
    ("collection", 200),
    ("group", 200),
]


@pytest.mark.parametrize(("column", "limit"), EVIDENCE_LIMITS)
def test_evidence_text_at_and_over_its_limit(column: str, limit: int) -> None:
    linkable, partners, today = {"educators-supported": "outcome"}, {"tiny-council"}, date(2024, 1, 1)
    fits, problems = parse_evidence({**VALID_EVIDENCE, column: "x" * limit}, linkable, partners, today)
    assert fits is not None and problems == []
    over, problems = parse_evidence({**VALID_EVIDENCE, column: "x" * (limit + 1)}, linkable, partners, today)
    assert over is None
    assert problems == [(column, f"is {limit + 1:,} characters long; the limit is {limit:,}")]


@pytest.mark.parametrize(("column", "limit"), [("period", 32), ("note", 1_000)])
def test_kpi_value_text_at_and_over_its_limit(column: str, limit: int) -> None:
    raw = {"kpi": "k", "period": "2022/23", "period_end": "2023-03-31", "value": "5", "note": ""}
    fits, problems = parse_kpi_value({**raw, column: "x" * limit}, {"k"}, set())
    assert fits is not None and problems == []
    over, problems = parse_kpi_value({**raw, column: "x" * (limit + 1)}, {"k"}, set())
    assert over is None and problems == [
        (column, f"is {limit + 1:,} characters long; the limit is {limit:,}")
    ]


@pytest.mark.parametrize(
    ("limit", "text", "problem"),
    [
        (TextLimit(5), "abcde", None),
        (TextLimit(5), "abcdef", "is 6 characters long; the limit is 5"),
        (TextLimit(5), "ab\r\ncd", None),  # a browser's line break counts once, as its maxlength counts it
        (TextLimit(5), "ab\n\ncd", "is 6 characters long; the limit is 5"),
        (TextLimit(10, minimum=3), "ab", "must be at least 3 characters (it has 2)"),
        (TextLimit(10, minimum=3), "abc", None),
    ],
)
def test_limit_table(limit: TextLimit, text: str, problem: str | None) -> None:
    assert limit.problem(text) == problem


@pytest.mark.parametrize(
    ("limit", "hint"),
    [(TextLimit(200), "Up to 200 characters."), (TextLimit(5_000, minimum=100), "100 to 5,000 characters.")],
)
def test_hints_say_the_limit(limit: TextLimit, hint: str) -> None:
    assert limit.hint == hint


def test_every_limit_ten_times_over_fits_in_a_form() -> None:
    """So over-long text reaches the field's check instead of a 413 (four bytes a character at worst)."""
    limits = [v for v in vars(text_limits).values() if isinstance(v, TextLimit)]
    assert len(limits) >= 10
    assert all(limit.maximum * 10 * 4 < text_limits.FORM_MAX_BYTES for limit in limits)


def test_csv_rows_over_a_limit_are_row_problems(
    app: Flask, runner: Any, framework: str, tmp_path: Any
) -> None:
    header = (
        "title,summary,source_type,collected_on,links,finding,respondents,population,positive,collection,"
        "group,independent,partner,quote,url,flags,status"
    )
    path = tmp_path / "long.csv"
    path.write_text(
        f"{header}\nFine,,survey,2023-01-01,educators-supported,supports,,,,,,,,,,,\n"
        f"{'T' * 201},,survey,2023-01-01,educators-supported,supports,,,,,,,,,,,\n",
        encoding="utf-8",
    )
    before = database_digest(app)
    result = runner.invoke(args=["evidence", "import", str(path), "--framework", SLUG])
    assert result.exit_code == 1
    assert f"{path}:3: title is 201 characters long; the limit is 200" in result.output
    assert database_digest(app) == before
    kpis = tmp_path / "kpis.csv"
    kpis.write_text(
        f"kpi,period,period_end,value,partner,note\nstatutory-share,2022/23,2023-03-31,80,,{'n' * 1001}\n",
        encoding="utf-8",
    )
    result = runner.invoke(args=["kpi", "import", str(kpis), "--framework", SLUG])
    assert (
        result.exit_code == 1
        and f"{kpis}:2: note is 1,001 characters long; the limit is 1,000" in result.output
    )
    assert database_digest(app) == before


# -- the pages: hint, maxlength, the error at the field and the text kept --------------------------------

BOUNDARY = "limits-test-boundary"


def multipart(fields: dict[str, str]) -> bytes:
    """A browser's multipart body, built in memory (the test client would spool a large one to a file)."""
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    ]
    return ("".join(parts) + f"--{BOUNDARY}--\r\n").encode()


def assert_refused_at(page: Page, field_id: str, message: str) -> None:
    """The error sits in the field's own form group, the field points to it, and the summary links to it."""
    page.assert_error_at(field_id, message)
    group = page.by_id(f"{field_id}-error").find_parent(class_="form-group")
    assert group is not None and page.field(field_id).find_parent(class_="form-group") is group


def test_evidence_form_says_each_limit(as_role: Any) -> None:
    page = Page.of(as_role("lead").get(f"/f/{SLUG}/evidence/new"), 200)
    for field_id, limit in [("title", 200), ("summary", 5_000), ("quote", 2_000), ("collection", 200)]:
        assert page.field(field_id)["maxlength"] == str(limit)
        assert page.hint(field_id).endswith(f"Up to {limit:,} characters.")
        assert f"{field_id}-hint" in page.described_by(field_id)
    assert page.field("title").has_attr("required")


def test_evidence_title_ten_times_over_is_refused_at_the_field_and_kept(app: Flask, as_role: Any) -> None:
    client = as_role("lead")
    before = database_digest(app)
    title = "Practice educator survey " + "é" * 1_975  # 2,000 characters, ten times the limit
    response = client.post(
        f"/f/{SLUG}/evidence/new",
        data={**VALID_EVIDENCE, "links": ["educators-supported"], "title": title, "action": "submit"},
        content_type="multipart/form-data",  # as the browser sends it
    )
    assert response.status_code == 400
    page = Page.of(response, 400)
    assert_refused_at(page, "title", "Title is 2,000 characters long; the limit is 200")
    assert page.value("title") == title
    assert page.value("summary") == "Most felt supported"
    assert database_digest(app) == before


def test_evidence_title_of_two_megabytes_is_refused_unread(app: Flask, as_role: Any) -> None:
    """Larger than a form may be: a 413 before anything is parsed, and nothing written."""
    client = as_role("lead")
    before = database_digest(app)
    response = client.post(
        f"/f/{SLUG}/evidence/new",
        data=multipart({**VALID_EVIDENCE, "title": "x" * TWO_MB, "action": "submit"}),
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )
    assert response.status_code == 413
    assert len(response.get_data()) < 100_000
    assert database_digest(app) == before


def test_review_note_over_its_limit_is_refused_at_the_field(
    app: Flask, as_role: Any, make_evidence: Any
) -> None:
    item = make_evidence(status="submitted")
    client = as_role("evaluator")
    before = database_digest(app)
    note = "Please add the survey's response rate. " + "n" * 1_980
    response = client.post(
        f"/evidence/{item}/status", data={"to": "returned", "row_version": "1", "note": note}
    )
    assert response.status_code == 400
    page = Page.of(response, 400)
    assert_refused_at(page, "note", "Review note is 2,019 characters long; the limit is 2,000")
    assert page.value("note") == note and page.field("note")["maxlength"] == "2000"
    assert page.hint("note").endswith("Up to 2,000 characters.")
    assert database_digest(app) == before


def test_kpi_note_over_its_limit_is_refused_at_the_field(app: Flask, as_role: Any) -> None:
    client = as_role("admin")
    page = Page.of(client.get(f"/f/{SLUG}/kpis"), 200)
    assert page.field("note")["maxlength"] == "1000"
    assert page.hint("note") == "Up to 1,000 characters."
    before = database_digest(app)
    note = "From the placement records. " + "n" * 10_000
    response = client.post(
        f"/f/{SLUG}/kpis",
        data={
            "kpi": "statutory-share",
            "period": "2022/23",
            "period_end": "2023-03-31",
            "value": "80",
            "note": note,
        },
    )
    assert response.status_code == 400
    page = Page.of(response, 400)
    assert_refused_at(page, "note", "Note is 10,028 characters long; the limit is 1,000")
    assert page.value("note") == note
    assert database_digest(app) == before


# -- the override form ------------------------------------------------------------------------------------


def override_form(client: FlaskClient, rationale: str, item: int, rating: str = "some") -> Any:
    return client.post(
        f"/f/{SLUG}/outcomes/educators-supported/override",
        data={"rating": rating, "rationale": rationale, "evidence": [str(item)], "action": "set"},
    )


def test_override_form_says_the_limits(as_role: Any, make_evidence: Any) -> None:
    make_evidence()
    page = Page.of(as_role("evaluator").get(f"/f/{SLUG}/outcomes/educators-supported"), 200)
    rationale = page.field("rationale")
    assert (rationale["maxlength"], rationale["minlength"]) == ("5000", "100")
    assert page.hint("rationale") == "What in the evidence supports this rating: 100 to 5,000 characters."
    assert page.described_by("rationale") == ["rationale-hint"]


def test_rationale_ten_times_over_is_refused_at_the_field_and_kept(
    app: Flask, as_role: Any, make_evidence: Any
) -> None:
    item = make_evidence()
    client = as_role("evaluator")
    before = database_digest(app)
    rationale = RATIONALE + "r" * (50_000 - len(RATIONALE))
    response = override_form(client, rationale, item)
    assert response.status_code == 400
    page = Page.of(response, 400)
    assert_refused_at(page, "rationale", "Rationale is 50,000 characters long; the limit is 5,000")
    assert page.value("rationale") == rationale
    assert page.checked("rating-some") and page.checked(f"evidence-{item}")
    assert database_digest(app) == before


def test_rationale_of_two_megabytes_is_refused_at_the_field_unread(
    app: Flask, as_role: Any, make_evidence: Any
) -> None:
    item = make_evidence()
    client = as_role("evaluator")
    before = database_digest(app)
    response = override_form(client, "r" * TWO_MB, item)
    assert response.status_code == 413
    body = response.get_data(as_text=True)
    assert len(body) < 100_000  # the page does not carry the text back
    page = Page(body)
    assert_refused_at(page, "rationale", "The form was too large to receive, so nothing was saved")
    assert page.value("rationale") == ""
    assert database_digest(app) == before


def test_rationale_at_the_limit_is_saved(app: Flask, as_role: Any, make_evidence: Any) -> None:
    item = make_evidence()
    rationale = RATIONALE + "r" * (5_000 - len(RATIONALE))
    assert override_form(as_role("evaluator"), rationale, item).status_code == 302
    with app.app_context():
        assert db.session.scalars(select(RatingOverride.rationale)).one() == rationale


# -- the services refuse over-long text from any caller ---------------------------------------------------

EVALUATOR = Principal(None, "evaluator@example.org", "evaluator", None)


def test_override_service_refuses_an_over_long_rationale(app: Flask, make_evidence: Any) -> None:
    item = make_evidence()
    before = database_digest(app)
    with (
        app.app_context(),
        pytest.raises(override_service.OverrideInvalid) as refused,
        db.unit_of_work() as s,
    ):
        rated = ratings_for(s, SLUG, detail=True)
        assert rated is not None
        override_service.set_override(
            s, Actor("test"), EVALUATOR, rated, "educators-supported", "some", "r" * 5_001, [item]
        )
    assert refused.value.field == "rationale" and "the limit is 5,000" in str(refused.value)
    with app.app_context(), pytest.raises(override_service.OverrideInvalid), db.unit_of_work() as s:
        rated = ratings_for(s, SLUG, detail=True)
        assert rated is not None
        override_service.set_override(
            s, Actor("test"), EVALUATOR, rated, "educators-supported", "some", RATIONALE, [item]
        )
        override_service.withdraw_override(
            s, Actor("test"), EVALUATOR, rated, "educators-supported", "w" * 5_001
        )
    assert database_digest(app) == before


def test_evidence_service_refuses_over_long_text(app: Flask, make_evidence: Any) -> None:
    item = make_evidence(status="submitted")
    before = database_digest(app)
    fields = EvidenceFields(
        "t" * 201, "", "survey", date(2023, 1, 1), ("educators-supported",), "supports",
        None, None, None, "", "", False, "", "", "", (), "submitted",
    )  # fmt: skip
    admin = Principal(None, "admin@example.org", "admin", None)
    with (
        app.app_context(),
        pytest.raises(TextTooLong, match="title is 201 characters long"),
        db.unit_of_work() as s,
    ):
        ctx = evidence_service.framework_context(s, SLUG)
        assert ctx is not None
        evidence_service.create(s, Actor("test"), admin, ctx, fields, status="draft")
    with (
        app.app_context(),
        pytest.raises(ValueError, match="Review note is 2,001 characters long"),
        db.unit_of_work() as s,
    ):
        evidence = s.get(Evidence, item)
        assert evidence is not None
        evidence_service.move(s, Actor("test"), EVALUATOR, evidence, "accepted", note="n" * 2_001)
    assert database_digest(app) == before


def test_a_rationale_stored_before_the_limit_no_longer_grows_pages_or_the_report(
    app: Flask, as_role: Any, make_evidence: Any
) -> None:
    """A 2 MB rationale saved by an earlier release: pages and the report show it cut to the limit."""
    item = make_evidence()
    assert override_form(as_role("evaluator"), RATIONALE, item, "strong").status_code == 302
    with app.app_context(), db.unit_of_work() as session:
        stored = session.scalars(select(RatingOverride)).one()
        stored.rationale = "r" * TWO_MB  # written past the service, as before the limit existed
        upkeep.inputs_changed(session, stored.framework_id, [stored.element_id])  # and its stored ratings
    client = as_role("board")
    for url in (
        f"/f/{SLUG}/outcomes/educators-supported",
        f"/f/{SLUG}/disagreements",
        f"/f/{SLUG}/report",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.get_data(as_text=True)
        assert len(body) < 100_000, (url, len(body))
        cut = "r" * 5_000 + " … (shortened to the limit of 5,000 characters)"
        shown = Page(body).texts("td, ul.reasons > li")  # the rationale's cell, or the rating's reasons
        assert [text for text in shown if cut in text], url
    with app.app_context():
        rated = ratings_for(db.session, SLUG, detail=True)
        assert rated is not None
        reasons = rated.detail.get("educators-supported").reasons  # type: ignore[union-attr]
        assert max(len(r) for r in reasons) < 5_100


@pytest.mark.parametrize(
    ("role", "url"),
    [
        ("evaluator", f"/f/{SLUG}/outcomes/no-such-outcome/override"),
        ("admin", f"/f/{SLUG}/kpis"),
        (None, f"/f/{SLUG}/outcomes/educators-supported/override"),  # CSRF reads the form before sign-in
    ],
)
def test_other_over_large_posts_get_a_readable_page_and_nothing_else(
    app: Flask, make_app: Any, as_role: Any, make_evidence: Any, role: str | None, url: str
) -> None:
    make_evidence()
    client = as_role(role) if role else make_app(WTF_CSRF_ENABLED=True).test_client()
    before = database_digest(app)
    response = client.post(url, data={"rationale": "r" * TWO_MB, "note": "n" * TWO_MB, "action": "set"})
    assert response.status_code == 413
    page = Page.of(response)
    assert page.h1 == "The form was too large" and "nothing was saved" in page.text("main h1 + p")
    assert page.forms() == [] and not page.has_id("rationale")
    assert "Practice educator survey" not in page.body and "Practice educator survey" not in page.html
    assert database_digest(app) == before
