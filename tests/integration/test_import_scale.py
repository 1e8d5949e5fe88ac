"""Large imports are quick and let others write meanwhile; bulk writes store what the one-at-a-time writers
store, and re-rate once (issue 15, A)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from tracker.db.models import AuditEvent, Evidence, EvidenceLink, KpiValue, RatingState, User
from tracker.domain.evidence_input import parse_evidence, parse_kpi_value
from tracker.extensions import db
from tracker.ratings import upkeep
from tracker.services import evidence as evidence_service
from tracker.services import evidence_bulk, imports, kpi_values
from tracker.services.audit import Actor
from tracker.services.evidence_bulk import create_many
from tracker.services.permissions import Principal

from ..conftest import PASSWORD, count_rows, sign_in
from ..import_checks import digest, post_file
from .test_rating_snapshots import live, stored_rows

SLUG = "tiny-partnership"
ROWS = 50_000
# Issue 15's speed goal (under 10 s; measured 5.8 s on SQLite and 7.0 s on PostgreSQL) is a benchmark, recorded
# in BENCHMARKS.md, not asserted here: a busy CI machine stretches any wall clock. What is asserted is behaviour:
# the other user is served throughout, and no request of theirs waited out SQLite's 30 s busy timeout.
BUSY_TIMEOUT_SECONDS = 30
EVIDENCE_HEADER = (
    "title,summary,source_type,collected_on,links,finding,respondents,population,positive,collection,group,"
    "independent,partner,quote,url,flags,status"
)


def evidence_file(rows: int = ROWS, status: str = "") -> bytes:
    """About 2.9 MB for 50,000 rows."""
    body = "".join(
        f"Placement survey {i},Students rated support,survey,2023-01-{1 + i % 28:02d},educators-supported,"
        f"supports,,,,,,,,,,,{status}\n"
        for i in range(rows)
    )
    return (EVIDENCE_HEADER + "\n" + body).encode()


def kpi_file(rows: int = ROWS) -> bytes:
    body = "".join(f"statutory-share,Month {i},2023-03-31,{i % 100},,Monthly figure\n" for i in range(rows))
    return ("kpi,period,period_end,value,partner,note\n" + body).encode()


@dataclass
class Request:
    what: str
    status: int
    started: float
    finished: float


def keep_signing_in_and_saving(app: Flask, email: str, stop: threading.Event, log: list[Request]) -> None:
    """Another lead, in its own thread: signs in afresh and logs an item, again and again.

    A short pause between rounds: in-process threads share one GIL (a server's workers do not), and a client
    that never pauses would mostly measure how the test shares it.
    """
    n = 0
    while not stop.wait(0.05):
        n += 1
        client = app.test_client()
        started = time.perf_counter()
        response = client.post("/login", data={"email": email, "password": PASSWORD})
        log.append(Request("sign in", response.status_code, started, time.perf_counter()))
        started = time.perf_counter()
        response = client.post(
            f"/f/{SLUG}/evidence/new",
            data={
                "title": f"Saved during the import {n}",
                "source_type": "interview",
                "collected_on": "2023-02-01",
                "links": ["retention"],
                "finding": "supports",
                "action": "submit",
            },
        )
        log.append(Request("save evidence", response.status_code, started, time.perf_counter()))


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["evidence", "kpi"])
def test_a_50000_row_import_is_quick_while_another_client_signs_in_and_saves(
    app: Flask, framework: str, make_user: Any, kind: str
) -> None:
    importer_email, other_email = make_user("lead"), make_user("lead")
    importer = app.test_client()
    sign_in(importer, importer_email)
    raw = evidence_file() if kind == "evidence" else kpi_file()
    assert len(raw) < 10 * 1024 * 1024
    stop, log = threading.Event(), list[Request]()
    other = threading.Thread(target=keep_signing_in_and_saving, args=(app, other_email, stop, log))
    other.start()
    try:
        time.sleep(0.3)  # the other client is under way
        started = time.perf_counter()
        response = post_file(importer, f"/f/{SLUG}/import", kind, raw)
        finished = time.perf_counter()
        time.sleep(0.3)
    finally:
        stop.set()
        other.join(timeout=120)
    took = finished - started
    during = [r for r in log if r.started < finished and r.finished > started]
    slowest = max((r.finished - r.started for r in during), default=0.0)
    backend = app.config["DATABASE_URL"].split(":")[0]
    print(
        f"\n{backend}: {ROWS:,}-row {kind} import took {took:.2f} s; meanwhile the other client made "
        f"{len(during)} requests, the slowest {slowest:.2f} s"
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    assert not other.is_alive()
    assert [r for r in log if r.status >= 500] == []
    assert {(r.what, r.status) for r in log} == {("sign in", 302), ("save evidence", 302)}
    assert sum(1 for r in during if r.what == "save evidence") >= 1, "no save completed during the import"
    assert slowest < BUSY_TIMEOUT_SECONDS, f"a request of the other user waited {slowest:.1f} s"
    saves = sum(1 for r in log if r.what == "save evidence")
    if kind == "evidence":
        assert count_rows(app, Evidence) == ROWS + saves
        assert count_rows(app, EvidenceLink) == ROWS + saves
    else:
        assert count_rows(app, KpiValue) == ROWS and count_rows(app, Evidence) == saves


# -- what the bulk writers store -------------------------------------------------------------------------


ROW = {
    "title": "Practice educator survey",
    "summary": "Most felt supported",
    "source_type": "survey",
    "collected_on": "2023-03-01",
    "links": "educators-supported;out-days",
    "finding": "supports",
    "respondents": "18",
    "population": "30",
    "positive": "15",
    "collection": "pe-survey-2023",
    "group": "practice-educators",
    "independent": "true",
    "partner": "other-council",
    "quote": 'They said "more, please"',
    "url": "https://example.org/survey",
    "flags": "indirect;partial_coverage",
    "status": "accepted",
    "shows": "better_off",
    "kpi": "statutory-share",
}
SKIPPED = {"id", "created_at", "updated_at", "reviewed_at", "accepted_at"}


def _columns(item: Evidence) -> dict[str, Any]:
    return {c.key: getattr(item, c.key) for c in Evidence.__table__.columns if c.key not in SKIPPED}


def _stored(app: Flask, ids: list[int]) -> list[tuple[dict[str, Any], list[int], list[tuple[Any, ...]]]]:
    """Each item's columns, links and audit events, without ids and times."""
    with app.app_context():
        session = db.session
        found = []
        for evidence_id in ids:
            item = session.get(Evidence, evidence_id)
            assert item is not None
            assert (item.reviewed_at is None) == (item.accepted_at is None) == (item.status != "accepted")
            links = sorted(
                session.scalars(
                    select(EvidenceLink.element_id).where(EvidenceLink.evidence_id == evidence_id)
                )
            )
            events = [
                (e.actor_id, e.actor, e.role, e.action, e.object_type, e.framework_id, e.before, e.after, e.detail,
                 e.remote_addr)
                for e in session.scalars(
                    select(AuditEvent).where(AuditEvent.object_type == "evidence",
                                             AuditEvent.object_id == str(evidence_id))
                )
            ]  # fmt: skip
            found.append((_columns(item), links, events))
        return found


@pytest.mark.parametrize("role", ["admin", "lead"])
def test_create_many_stores_what_create_stores(app: Flask, framework: str, make_user: Any, role: str) -> None:
    email = make_user(role)
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == email)).one()
        p, actor = Principal.of(user), Actor(user.email, user.role, user.id, "192.0.2.7")
    row = {**ROW, "status": "accepted" if role == "admin" else "submitted"}
    if role == "lead":
        row["partner"] = ""
    ids = []
    for bulk in (False, True):
        with app.app_context(), db.unit_of_work() as session:
            ctx = evidence_service.framework_context(session, SLUG)
            assert ctx is not None
            fields, problems = parse_evidence(row, ctx.linkable, set(ctx.partners), date(2024, 1, 1))
            assert fields is not None, problems
            if bulk:
                ids += create_many(session, actor, p, ctx, [fields])
            else:
                ids.append(evidence_service.create(session, actor, p, ctx, fields, status=fields.status).id)
    one, many = _stored(app, ids)
    assert many == one
    assert one[1] and one[2], "links and an audit event were stored"


def test_save_many_stores_what_save_stores(app: Flask, framework: str, make_user: Any) -> None:
    """Two values in turn for one KPI and period: the first superseded (its version raised), both audited."""
    email = make_user("lead")
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == email)).one()
        p, actor = Principal.of(user), Actor(user.email, user.role, user.id, "192.0.2.7")
    for period, bulk in (("2021/22", False), ("2022/23", True)):
        for value in ("76", "78"):
            with app.app_context(), db.unit_of_work() as session:
                ctx = evidence_service.framework_context(session, SLUG)
                assert ctx is not None
                raw = {"kpi": "statutory-share", "period": period, "period_end": "2023-03-31", "value": value,
                       "partner": "tiny-council", "note": "From placement records"}  # fmt: skip
                fields, problems = parse_kpi_value(raw, {"statutory-share"}, set(ctx.partners))
                assert fields is not None, problems
                if bulk:
                    kpi_values.save_many(session, actor, p, ctx, [fields])
                else:
                    kpi_values.save(session, actor, p, ctx, fields)
    with app.app_context():
        session = db.session
        stored = {
            period: [
                (v.element_id, v.period_end, v.value, v.partner_id, v.note, v.created_by_id, v.row_version,
                 v.superseded_at is not None)
                for v in session.scalars(select(KpiValue).where(KpiValue.period == period).order_by(KpiValue.id))
            ]
            for period in ("2021/22", "2022/23")
        }  # fmt: skip
        audited = {
            period: [
                (e.actor, e.role, e.action, e.object_type, e.before, {**e.after, "period": "-"})
                for e in session.scalars(
                    select(AuditEvent).where(AuditEvent.action == "kpi_value.save").order_by(AuditEvent.id)
                )
                if e.after["period"] == period
            ]
            for period in ("2021/22", "2022/23")
        }
    assert stored["2022/23"] == stored["2021/22"]
    assert [row[-2:] for row in stored["2021/22"]] == [(2, True), (1, False)]
    for events in audited.values():  # the second event's "before" names its own period
        events[1] = (*events[1][:4], {**events[1][4], "period": "-"}, events[1][5])
    assert audited["2022/23"] == audited["2021/22"]
    assert audited["2021/22"][1][4]["value"] == 76.0


def test_an_import_re_rates_once_at_commit(
    app: Flask, framework: str, as_role: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    admin = as_role("admin")
    before = stored_rows(app)
    with app.app_context():
        version = db.session.scalar(select(func.max(RatingState.inputs_version)))
    calls: list[list[str]] = []
    rate = upkeep.compute.rate

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(list(args[4] or ()))
        return rate(*args, **kwargs)

    monkeypatch.setattr(upkeep.compute, "rate", counted)
    response = post_file(admin, f"/f/{SLUG}/import", "evidence", evidence_file(500, status="accepted"))
    assert response.status_code == 302
    assert calls == [["educators-supported"]]
    with app.app_context():
        assert db.session.scalar(select(func.max(RatingState.inputs_version))) == (version or 0) + 1
    after = stored_rows(app)
    assert after["educators-supported"][2] > before["educators-supported"][2]
    assert after["educators-supported"][1] == live(app)["educators-supported"].rating
    assert after["retention"] == before["retention"]


def test_a_fault_during_the_bulk_write_leaves_every_row_as_it_was(
    app: Flask, framework: str, make_evidence: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The audit events go in last: failing there, after the items and links were inserted, keeps nothing."""
    make_evidence(status="submitted")
    before = digest(app)
    real = evidence_bulk.insert_rows
    inserted_before_the_fault: list[int] = []

    def failing(session: Any, model: Any, rows: Any, **kwargs: Any) -> list[int]:
        if model is AuditEvent:
            inserted_before_the_fault.append(session.scalar(select(func.count()).select_from(EvidenceLink)))
            raise RuntimeError("disk full")
        return real(session, model, rows, **kwargs)

    monkeypatch.setattr(evidence_bulk, "insert_rows", failing)
    with app.app_context(), pytest.raises(RuntimeError, match="disk full"), db.unit_of_work() as session:
        ctx = evidence_service.framework_context(session, SLUG)
        assert ctx is not None
        imports.import_evidence(session, Actor.command_line(), Principal.command_line(), ctx, evidence_file(1000),
                                date.today())  # fmt: skip
    assert inserted_before_the_fault == [1 + 1000], "the fault came after the items and links were written"
    assert digest(app) == before
