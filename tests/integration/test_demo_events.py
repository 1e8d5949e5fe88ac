"""The demo's events (issue 19), as `tracker demo` loads them: Social Work Week 2021 reproduces every figure
its evaluation publishes, its KPIs take their values from the event instead of typed rows, and its feedback
waits for an evaluator as three evidence items; the Developing Together conferences say what was not published."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from sqlalchemy import select

from tracker.db.models import Element, Evidence, EvidenceLink, Framework, KpiValue
from tracker.extensions import db

TOP_FOUR = [
    {
        "title": "Reflecting for action: why it's time to take anti-racist practice seriously",
        "attended": 1018,
    },
    {"title": "Living a careless life: redefining the narrative for children in care", "attended": 865},
    {"title": "Women in leadership", "attended": 687},
    {"title": "Social work by all and for all: a vision for the future", "attended": 665},
]


def show(runner: Any, event_id: str) -> dict[str, Any]:
    result = runner.invoke(args=["event", "show", event_id, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)  # type: ignore[no-any-return]


def test_the_demo_reproduces_social_work_week_2021s_published_figures(app: Flask, runner: Any) -> None:
    loaded = runner.invoke(args=["demo"])
    assert loaded.exit_code == 0, loaded.output
    assert (
        "events: dt-launch-2018, dt-practice-education-2019, dt-wellbeing-2019-03, dt-wellbeing-2019-09, "
        "sww-2021 loaded" in loaded.output
    )
    sww = show(runner, "sww-2021")
    assert (sww["sessions"], sww["sold_out"], sww["attended"], sww["conversion"]) == (73, 20, 10504, 0.54)
    assert {q: r["mean"] for q, r in sww["ratings"].items()} == {
        "useful": 4.57,
        "content-quality": 4.65,
        "overall": 4.61,
    }
    assert sww["cost_per_attendee"] == {"value": 3.3, "basis": "unique"}
    assert (sww["full_cost_per_attendee"], sww["full_cost_per_member"]) == (23.81, 1.45)
    assert sww["unique_attendees"] == {"value": 6000, "estimated": True}
    assert sww["top_sessions"][:4] == TOP_FOUR
    assert sww["top_sessions"][4]["attended"] < 665
    assert {o: round(s, 3) for o, s in sww["choices"]["reasons"].items() if o != "meet-people"} == {
        "cpd": 0.481,
        "speaker": 0.284,
        "regulator": 0.11,
    }


def test_the_weeks_kpis_come_from_the_event_and_are_typed_nowhere(app: Flask, runner: Any) -> None:
    assert runner.invoke(args=["demo"]).exit_code == 0
    result = runner.invoke(args=["kpis", "--framework", "social-work-week-2021", "--json"])
    latest = {k["kpi"]: k["latest"] for k in json.loads(result.output)}
    week = "Social Work Week 2021"
    assert {k: latest[k] for k in SOURCED} == {
        "attendees": {"period": week, "value": 6000},
        "attendee-logins": {"period": week, "value": 10504},
        "signup-attendance-rate": {"period": week, "value": 54},
        "sessions": {"period": week, "value": 73},
        "rating-usefulness": {"period": week, "value": 4.57},
        "rating-content-quality": {"period": week, "value": 4.65},
        "rating-overall-experience": {"period": week, "value": 4.61},
        "cost-per-attendee": {"period": week, "value": 3.3},
        "cost-per-attendee-full-cost": {"period": week, "value": 23.81},
    }
    assert latest["attending-for-cpd"] == {"period": "2021", "value": 48.1}  # a share: still typed
    with app.app_context():
        typed = set(
            db.session.scalars(
                select(Element.slug)
                .join(KpiValue, KpiValue.element_id == Element.id)
                .join(Framework, Framework.id == KpiValue.framework_id)
                .where(Framework.slug == "social-work-week-2021")
            )
        )
    assert typed.isdisjoint(SOURCED)


SOURCED = (
    "attendees",
    "attendee-logins",
    "signup-attendance-rate",
    "sessions",
    "rating-usefulness",
    "rating-content-quality",
    "rating-overall-experience",
    "cost-per-attendee",
    "cost-per-attendee-full-cost",
)


def test_the_weeks_feedback_waits_for_an_evaluator_and_developing_together_says_what_is_unknown(
    app: Flask, runner: Any
) -> None:
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        items = {
            e.title: (e.status, e.respondents, e.positive, e.finding)
            for e in db.session.scalars(select(Evidence).where(Evidence.collection == "event:sww-2021"))
        }
        linked = set(
            db.session.scalars(
                select(Element.kind)
                .join(EvidenceLink, EvidenceLink.element_id == Element.id)
                .join(Evidence, Evidence.id == EvidenceLink.evidence_id)
                .where(Evidence.collection == "event:sww-2021")
            )
        )
    assert items == {
        "Social Work Week 2021: How useful you found the session": ("submitted", 1000, 940, "supports"),
        "Social Work Week 2021: The quality of the content": ("submitted", 1000, 940, "supports"),
        "Social Work Week 2021: Overall experience of the session": ("submitted", 1000, 940, "supports"),
    }
    assert linked == {"output"}
    launch = show(runner, "dt-launch-2018")
    assert (launch["signups"], launch["attended"], launch["conversion"]) == (None, None, None)
    conference = show(runner, "dt-wellbeing-2019-09")
    assert (conference["signups"], conference["attended"], conference["conversion"]) == (None, 70, None)
