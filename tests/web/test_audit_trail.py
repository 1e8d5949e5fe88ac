"""The audit trail page: filters by who, action, object and dates; words and names, not codes and ids (issue 17)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text

from tracker.db.models import Framework, User
from tracker.extensions import db
from tracker.services.audit import Actor, record

from ..conftest import sign_in
from ..page import Page
from ..querycount import count_statements

SLUG = "tiny-partnership"
OLD = datetime(2020, 1, 15, 10, 30, tzinfo=UTC)


def user_id(app: Flask, email: str) -> int:
    with app.app_context():
        found = db.session.scalar(select(User.id).where(User.email == email))
        assert found is not None
        return found


def add(app: Flask, action: str, who: str | None = None, at: datetime | None = None, **values: Any) -> None:
    """An entry as a service writes it, by a user (email) or the command line, optionally back-dated."""
    with app.app_context(), db.unit_of_work() as session:
        user = session.scalar(select(User).where(User.email == who)) if who else None
        actor = Actor(user.email, user.role, user.id) if user else Actor.command_line()
        event = record(session, actor, action, **values)
        if at is not None:
            event.at = at


def framework_id(app: Flask) -> int:
    with app.app_context():
        found = db.session.scalar(select(Framework.id).where(Framework.slug == SLUG))
        assert found is not None
        return found


@pytest.fixture
def trail(app: Flask, as_role: Any, make_user: Any, make_evidence: Any) -> dict[str, Any]:
    """An evaluator accepts an item through the page; other entries are written as their services do."""
    admin = as_role("admin")
    evaluator_email = make_user("evaluator")
    evaluator = app.test_client()
    sign_in(evaluator, evaluator_email)
    item = make_evidence(status="submitted", title="Practice educator survey 2023")
    response = evaluator.post(
        f"/evidence/{item}/status", data={"to": "accepted", "row_version": "1", "note": ""}
    )
    assert response.status_code == 302
    lead_email = make_user("lead")
    lead_id = user_id(app, lead_email)
    fid = framework_id(app)
    add(
        app,
        "user.update",
        object_type="user",
        object_id=lead_id,
        before={"email": lead_email, "role": "lead", "partner": "tiny-council", "active": True},
        after={"email": lead_email, "role": "lead", "partner": "other-council", "active": False},
    )
    add(
        app,
        "kpi_value.import",
        at=OLD,
        object_type="framework",
        object_id=SLUG,
        framework_id=fid,
        after={"added": 3, "skipped": 1},
    )
    add(
        app,
        "override.set",
        evaluator_email,
        object_type="outcome",
        object_id="educators-supported",
        framework_id=fid,
        before=None,
        after={
            "rating": "strong",
            "computed": "some",
            "computed_rule": "R2",
            "fingerprint": "ab" * 32,
            "evidence_ids": [item],
            "as_of": "2023-04-30",
            "applies_from": "2023-04-30",
            "rationale": "The interviews show it.",
        },
    )
    add(
        app,
        "evidence.edit",
        evaluator_email,
        object_type="evidence",
        object_id=item,
        framework_id=fid,
        before={
            "title": "Practice educator survey",
            "links": ["educators-supported"],
            "partner": "tiny-council",
        },
        after={
            "title": "Practice educator survey 2023",
            "links": ["educators-supported", "more-statutory"],
            "partner": "tiny-council",
        },
    )
    add(app, "refused", object_type="attachment", object_id="\u00b2", detail="download attachment")
    return {
        "admin": admin,
        "evaluator": evaluator_email,
        "item": item,
        "lead": lead_email,
        "lead_id": lead_id,
    }


def rows_by_action(page: Page) -> dict[str, list[str]]:
    return {row[2]: row for row in page.rows("Audit entries")}


def test_entries_read_as_words_with_names_and_links(app: Flask, trail: dict[str, Any]) -> None:
    page = Page.of(trail["admin"].get("/admin/audit"), 200)
    rows = rows_by_action(page)
    accepted = rows["Accepted evidence"]
    assert accepted[1] == f"{trail['evaluator']} (Evaluator)"
    assert accepted[3] == "Evidence item: Practice educator survey 2023"
    assert "Status: Submitted → Accepted" in accepted[4]
    assert ("Practice educator survey 2023", f"/evidence/{trail['item']}") in page.links("table a")
    edited = rows["Edited evidence"]
    assert "Title: Practice educator survey → Practice educator survey 2023" in edited[4]
    assert (
        "Bears on: Practice educators feel supported → Practice educators feel supported; More students"
        in edited[4]
    )
    assert "Partner" not in edited[4]  # unchanged fields are not listed
    changed = rows["Changed a user's role or access"]
    assert changed[3] == f"User: {trail['lead']}"
    assert "Partner: Tiny Council → Other Council" in changed[4]
    assert "Account enabled: yes → no" in changed[4]
    assert changed[1] == "The command line"
    assert (trail["lead"], f"/admin/users/{trail['lead_id']}") in page.links("table a")
    override = rows["Overrode a rating"]
    assert override[3] == "Outcome: Practice educators feel supported"
    assert "Rating: Strong" in override[4] and "Computed rating: Some" in override[4]
    assert "… and 2 more fields" in override[4]
    assert (
        "Practice educators feel supported",
        f"/f/{SLUG}/outcomes/educators-supported",
    ) in page.links("table a")
    imported = rows["Imported KPI values from a CSV file"]
    assert imported[0] == "15 January 2020 at 10:30"
    assert imported[3] == "Framework: Tiny Teaching Partnership"
    assert "Added: 3" in imported[4] and "Skipped (already present): 1" in imported[4]
    refused = rows["Refused: not permitted"]
    assert (refused[3], refused[4]) == ("Attachment: \u00b2", "Tried to download attachment")
    # No code, rule or element id is shown where a name exists.
    table = page.text("table")
    for code in ("evidence.accepted", "override.set", "educators-supported", "more-statutory", "R2",
                 "tiny-council", "kpi_value"):  # fmt: skip
        assert code not in table, code


def test_filters_narrow_the_trail_and_keep_their_values(app: Flask, trail: dict[str, Any]) -> None:
    admin: FlaskClient = trail["admin"]
    evaluator = str(user_id(app, trail["evaluator"]))
    page = Page.of(
        admin.get("/admin/audit", query_string={"who": evaluator, "action": "evidence.accepted"}), 200
    )
    assert [row[2] for row in page.rows("Audit entries")] == ["Accepted evidence"]
    assert page.text("main p[role=status]") == "1 entry matches these filters."
    assert page.value("who") == evaluator and page.value("action") == "evidence.accepted"
    # Every field has its label; the dates are date fields.
    for field_id, label in (("who", "Who"), ("action", "Action"), ("object", "Object"), ("from", "From"),
                            ("to", "To")):  # fmt: skip
        assert page.text(f"label[for={field_id}]").startswith(label)
    assert page.field("from")["type"] == "date"
    by_evaluator = Page.of(admin.get("/admin/audit", query_string={"who": evaluator}), 200)
    assert sorted(row[2] for row in by_evaluator.rows("Audit entries")) == [
        "Accepted evidence",
        "Edited evidence",
        "Overrode a rating",
        "Signed in",
    ]
    query = {"who": "command-line", "object": "framework", "from": "2020-01-01", "to": "2020-01-15"}
    dated = Page.of(admin.get("/admin/audit", query_string=query), 200)
    assert [row[2] for row in dated.rows("Audit entries")] == ["Imported KPI values from a CSV file"]
    assert (dated.value("object"), dated.value("from"), dated.value("to")) == (
        "framework",
        "2020-01-01",
        "2020-01-15",
    )
    after = Page.of(admin.get("/admin/audit", query_string={**query, "from": "2020-01-16", "to": ""}), 200)
    assert not after.has("table")
    assert "No entries match these filters" in after.main
    cleared = dated.links("form.audit-filters a")
    assert cleared == [("Clear filters", "/admin/audit")]


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ({"from": "15/01/2020"}, "from", "From must be a date as YYYY-MM-DD"),
        ({"to": "2020-02-30"}, "to", "To must be a date as YYYY-MM-DD"),
        ({"from": "2020-02-01", "to": "2020-01-31"}, "to", "To must be the same as or after From"),
        ({"action": "evidence.deleted"}, "action", "Choose an action from the list"),
        ({"who": "999999"}, "who", "Choose someone from the list"),
        ({"object": "table"}, "object", "Choose an object from the list"),
    ],
)
def test_a_bad_filter_is_an_error_at_its_field(
    app: Flask, trail: dict[str, Any], query: dict[str, str], field: str, message: str
) -> None:
    page = Page.of(trail["admin"].get("/admin/audit", query_string=query), 400)
    page.assert_error_at(field, message)
    assert not page.has("table")
    if field in {"from", "to"}:  # what was typed is kept to be corrected
        assert page.value(field) == query[field]


def test_pages_keep_the_filters(app: Flask, trail: dict[str, Any]) -> None:
    for n in range(54):  # and the fixture's own load of version 1
        add(app, "framework.load", object_type="framework", object_id=SLUG, after={"version": n + 2})
    admin: FlaskClient = trail["admin"]
    first = Page.of(admin.get("/admin/audit", query_string={"action": "framework.load"}), 200)
    assert len(first.rows("Audit entries")) == 50
    assert first.text("main p[role=status]") == "55 entries match these filters; page 1 of 2."
    older = dict(first.links("nav.pagination a"))["Older entries"]
    assert parse_qs(urlsplit(older).query) == {"action": ["framework.load"], "page": ["2"]}
    second = Page.of(admin.get(older), 200)
    assert len(second.rows("Audit entries")) == 5
    assert second.value("action") == "framework.load"
    assert "Version: 1" in second.rows("Audit entries")[-1][4]


def test_a_page_costs_the_same_statements_however_many_entries_it_names(
    app: Flask, trail: dict[str, Any], make_evidence: Any
) -> None:
    admin: FlaskClient = trail["admin"]
    with app.app_context():
        engine = db.engine
    with count_statements(engine) as few:
        response = admin.get("/admin/audit")
    assert response.status_code == 200
    fid = framework_id(app)
    for n in range(12):
        item = make_evidence(title=f"Item {n}")
        add(
            app,
            "evidence.accepted",
            object_type="evidence",
            object_id=item,
            framework_id=fid,
            before={"status": "submitted"},
            after={"status": "accepted"},
        )
        add(
            app,
            "override.withdraw",
            object_type="outcome",
            object_id="retention",
            framework_id=fid,
            after={"rating": None, "links": ["out-days"], "kpi": "statutory-share"},
        )
        add(app, "user.password", object_type="user", object_id=trail["lead_id"], detail="password set")
        add(app, "refused", object_type="survey", object_id="none", detail="import survey round")
    with count_statements(engine) as many:
        response = admin.get("/admin/audit")
    assert response.status_code == 200
    assert len(Page(response.get_data(as_text=True)).rows("Audit entries")) == 50
    assert many.count == few.count, (few.statements, many.statements)
    assert many.count <= 16, many.statements


@pytest.mark.parametrize(
    ("filters", "index"),
    [({"action": "evidence.create"}, "ix_audit_event_action"), ({"who": "1"}, "ix_audit_event_actor")],
)
def test_each_filter_of_the_trail_walks_its_own_index(
    app: Flask, filters: dict[str, str], index: str
) -> None:
    """The page's query, newest first under a filter, reads an index instead of the whole trail (SQLite)."""
    from tracker.db.models import AuditEvent
    from tracker.services.audit_queries import AuditFilters

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("EXPLAIN QUERY PLAN is SQLite's; PostgreSQL chooses by its statistics")
        conditions = AuditFilters(**filters).conditions()
        statement = select(AuditEvent.id).where(*conditions).order_by(AuditEvent.id.desc()).limit(50)
        compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
        plan = " ".join(
            str(row[-1]) for row in db.session.execute(text(f"EXPLAIN QUERY PLAN {compiled}")).all()
        )
    assert index in plan, plan
