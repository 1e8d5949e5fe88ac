"""Property test on the plan form (issue 20): any field values give a saved plan or a 400 whose every problem
is at a field the page shows, never a 5xx; a refused post writes nothing, and typed text is escaped."""

from __future__ import annotations

from typing import Any

from flask import Flask
from hypothesis import event, given
from hypothesis import strategies as st
from sqlalchemy import func, select

from tracker.db.models import ActionPlan, ActionPlanRevision
from tracker.extensions import db

from ..page import Page
from .plan_forms import SLUG, plan_form
from .test_hostile_forms import FORMS, text

FIELDS = {
    "title": text,
    "target": st.one_of(
        st.sampled_from(["outcome:retention", "kpi:statutory-share", "outcome:", ":x"]), text
    ),
    "priority": st.one_of(st.sampled_from(["red", "amber", "green"]), text),
    "status": st.one_of(st.sampled_from(["draft", "done"]), text),
    "starts_on": st.one_of(st.sampled_from(["2024-06-01", "2024-13-01"]), text),
    "measures": text,
    "measure_kpis": st.one_of(st.sampled_from(["statutory-share"]), text),
    "lead_user_id": st.one_of(st.sampled_from(["", "1", "-1", "99999999999999999999"]), text),
    "lead_name": text,
    "actions-1-cost": st.one_of(st.sampled_from(["£1,200.50", "1,20", "1e3"]), text),
    "actions-2-steps-3-due_on": st.one_of(st.sampled_from(["2024-05-31", "2024-08-01"]), text),
    "actions-3-status": st.one_of(st.sampled_from(["done", "dropped"]), text),
    "actions-3-steps-1-text": text,
    "actions-9-steps-9-text": text,  # beyond the form's slots: the domain counts it
}


@st.composite
def plan_posts(draw: st.DrawFn) -> dict[str, str]:
    post = plan_form()
    for name in draw(st.lists(st.sampled_from(sorted(FIELDS)), max_size=3, unique=True)):
        post[name] = draw(FIELDS[name])
    for name in draw(st.lists(st.sampled_from(sorted(post)), max_size=1)):
        del post[name]
    return post


def counts(app: Flask) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(ActionPlan)) or 0,
            db.session.scalar(select(func.count()).select_from(ActionPlanRevision)) or 0,
        )


@FORMS
@given(data=plan_posts())
def test_plan_form_posts_save_or_say_which_field(app: Flask, as_role: Any, data: dict[str, str]) -> None:
    client = as_role("lead")
    before = counts(app)
    response = client.post(f"/f/{SLUG}/plans/new", data=data)
    assert response.status_code in (302, 400), response.status_code
    event(f"answered {response.status_code}")
    if response.status_code == 302:
        assert counts(app) == (before[0] + 1, before[1] + 1)
        return
    page = Page.of(response)
    assert counts(app) == before, "a refused post wrote something"
    assert page.error_summary and page.title.startswith("Error: ")
    for target, message in page.error_summary:
        assert target, message
        assert page.field_error(target), (target, message)
        assert f"{target}-error" in page.described_by(target)
    assert "<script>alert(1)</script>" not in page.html and page.all("script") == []
