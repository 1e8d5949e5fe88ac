"""Property tests on form posts: any field values give a saved item or a 400 naming the field, never a 5xx.

A rejected post writes nothing; an accepted one stores exactly what was posted (escaped when shown). CI runs
them with a fixed seed; HYPOTHESIS_RANDOM=1 and HYPOTHESIS_EXAMPLES=N explore further.
"""

from __future__ import annotations

import os
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tracker.db.models import Evidence, EvidenceLink, KpiValue, RatingOverride
from tracker.extensions import db

from ..page import Page

SLUG = "tiny-partnership"
FORMS = settings(
    max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "60")),
    deadline=None,
    derandomize=os.environ.get("HYPOTHESIS_RANDOM") != "1",
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Field values: the plausible, the empty, the huge, the hostile and the strange.
text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "0", "-1", "1e309", "NaN", "²", "2023-02-30", "=cmd|' /C calc'!A0",
                     "<script>alert(1)</script>", "x" * 5000, "\x00", "\ud7ff", "١٢"]),
)  # fmt: skip
EVIDENCE_FIELDS = {
    "title": text,
    "summary": text,
    "source_type": st.one_of(st.sampled_from(["survey", "interview", "testimonial", "admin_data"]), text),
    "collected_on": st.one_of(st.sampled_from(["2023-01-01", "2023-04-30"]), text),
    "finding": st.one_of(st.sampled_from(["supports", "contradicts", "mixed"]), text),
    "respondents": st.one_of(st.sampled_from(["", "12", "0"]), text),
    "population": st.one_of(st.sampled_from(["", "30"]), text),
    "positive": st.one_of(st.sampled_from(["", "10"]), text),
    "links": st.one_of(st.sampled_from(["educators-supported", "retention", "statutory-share"]), text),
    "partner": st.one_of(st.sampled_from(["tiny-council", ""]), text),
    "collection": text,
    "respondent_group": text,
    "quote": text,
    "url": st.one_of(st.sampled_from(["", "https://example.org/r"]), text),
    "flags": st.one_of(st.sampled_from(["indirect", "partial_coverage"]), text),
    "action": st.sampled_from(["save", "submit", "publish", ""]),
}


def assert_says_which_field(page: Page) -> None:
    """A refusal lists what is wrong at the top, each message naming its field, and said again beside the field
    when the form shows it (a lead's form has no partner field, yet a post may carry one)."""
    assert page.error_summary, "a refusal must list what is wrong"
    assert page.title_parts[0].startswith("Error: ")
    for target, message in page.error_summary:
        assert target is not None, message
        if page.has_id(target):
            assert message in (page.field_error(target) or ""), (target, message, page.field_errors())


VALID_EVIDENCE = {
    "title": "Practice educator survey", "source_type": "survey", "collected_on": "2023-03-01",
    "finding": "supports", "respondents": "18", "population": "30", "links": "educators-supported",
    "partner": "tiny-council", "action": "save",
}  # fmt: skip


@st.composite
def evidence_posts(draw: st.DrawFn) -> dict[str, str]:
    """A valid post with none, one or a few fields replaced by hostile values (so both answers occur)."""
    post = dict(VALID_EVIDENCE)
    for name in draw(st.lists(st.sampled_from(sorted(EVIDENCE_FIELDS)), max_size=3, unique=True)):
        post[name] = draw(EVIDENCE_FIELDS[name])
    for name in draw(st.lists(st.sampled_from(sorted(post)), max_size=1)):
        del post[name]
    return post


def rows(app: Flask) -> tuple[int, int, int, int]:
    with app.app_context():
        return tuple(  # type: ignore[return-value]
            db.session.scalar(select(func.count()).select_from(m)) or 0
            for m in (Evidence, EvidenceLink, KpiValue, RatingOverride)
        )


@FORMS
@given(data=evidence_posts())
def test_evidence_form_posts_save_or_say_which_field(app: Flask, as_role: Any, data: dict[str, str]) -> None:
    client: FlaskClient = as_role("lead")
    before = rows(app)
    response = client.post(f"/f/{SLUG}/evidence/new", data=data)
    assert response.status_code in (302, 400), response.status_code
    event(f"answered {response.status_code}")  # --hypothesis-show-statistics: both outcomes occur
    if response.status_code == 400:
        page = Page.of(response)
        assert_says_which_field(page)
        # Typed text is escaped: the only scripts are the site's own files (the filter of the choices).
        assert [str(s.get("src")) for s in page.all("script")] == ["/static/link-filter.js"]
        assert "<script>alert(1)</script>" not in page.html
        assert rows(app) == before, "a refused post wrote something"
    else:
        assert rows(app)[0] == before[0] + 1
        with app.app_context():
            saved = db.session.scalars(select(Evidence).order_by(Evidence.id.desc())).first()
            assert saved is not None and saved.title == data["title"].strip()
            assert saved.status in {"draft", "submitted"}  # a lead's post is never accepted by itself


@FORMS
@given(
    data=st.fixed_dictionaries(
        {},
        optional={
            "kpi": st.one_of(st.sampled_from(["statutory-share"]), text),
            "period": text,
            "period_end": st.one_of(st.sampled_from(["2023-03-31"]), text),
            "value": st.one_of(st.sampled_from(["81", "81.5", "-3"]), text),
            "partner": st.one_of(st.sampled_from(["", "tiny-council"]), text),
            "note": text,
        },
    )
)
def test_kpi_value_posts_save_or_say_which_field(app: Flask, as_role: Any, data: dict[str, str]) -> None:
    client: FlaskClient = as_role("admin")
    before = rows(app)
    response = client.post(f"/f/{SLUG}/kpis", data=data)
    assert response.status_code in (302, 400), response.status_code
    event(f"answered {response.status_code}")  # --hypothesis-show-statistics: both outcomes occur
    if response.status_code == 400:
        assert_says_which_field(Page.of(response))
        assert rows(app) == before
    else:
        assert rows(app)[2] == before[2] + 1


@FORMS
@given(
    rating=st.one_of(st.sampled_from(["strong", "some", "none", "not_yet"]), text),
    rationale=text,
    evidence=st.lists(text, max_size=3),
    action=st.sampled_from(["set", "withdraw", ""]),
)
def test_override_posts_save_or_say_which_field(
    app: Flask,
    as_role: Any,
    make_evidence: Any,
    rating: str,
    rationale: str,
    evidence: list[str],
    action: str,
) -> None:
    client: FlaskClient = as_role("evaluator")
    before = rows(app)
    response = client.post(
        f"/f/{SLUG}/outcomes/educators-supported/override",
        data={"rating": rating, "rationale": rationale, "evidence": evidence, "action": action},
    )
    assert response.status_code in (302, 400), response.status_code
    event(f"answered {response.status_code}")  # --hypothesis-show-statistics: both outcomes occur
    if response.status_code == 400:
        assert rows(app) == before
