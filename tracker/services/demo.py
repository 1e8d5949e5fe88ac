"""The demo: the three seed frameworks with the evidence their reports cite, their events (issue 19), and one
user per role."""

from __future__ import annotations

import csv
import os
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.db.models import Event, EventLoad, User
from tracker.domain.evidence_input import parse_date
from tracker.domain.framework import Framework
from tracker.domain.loader import load_framework_file
from tracker.events.service import NamedFile, load_event
from tracker.overrides import service as overrides
from tracker.ratings import ratings_for
from tracker.services import accounts, demo_national, demo_plans, imports, surveys
from tracker.services import evidence as evidence_service
from tracker.services import frameworks as framework_service
from tracker.services.audit import Actor
from tracker.services.permissions import Principal

DEMO_FRAMEWORKS = (
    ("developing_together", "developing-together"),
    ("social_work_week_2021", "social-work-week-2021"),
    ("employer_standards_2024", "employer-standards-2024"),
)
DEMO_USERS = (
    ("admin", "admin@demo.invalid", None),
    ("lead", "lead@demo.invalid", "kingston-university"),
    ("evaluator", "evaluator@demo.invalid", None),
    ("board", "board@demo.invalid", None),
)
CREDENTIALS_FILE = "demo-credentials.txt"


class DemoError(RuntimeError):
    """The demo data did not load; nothing was written."""


@dataclass
class DemoSummary:
    lines: list[str] = field(default_factory=list)
    users: list[tuple[str, str, str]] = field(default_factory=list)


def _credentials(instance: Path) -> dict[str, str]:
    path = instance / CREDENTIALS_FILE
    if not path.exists():
        return {}
    pairs = (line.split(" ", 1) for line in path.read_text(encoding="utf-8").splitlines() if " " in line)
    return {email: password for email, password in pairs}


def _save_credentials(instance: Path, known: dict[str, str]) -> None:
    path = instance / CREDENTIALS_FILE
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.writelines(f"{email} {password}\n" for email, password in known.items())


ROUND_LABEL = re.compile(r"^(\d{4})-(\d{2})$")


def _round_closed(label: str, fallback: date) -> date:
    """A round labelled like 2023-24 closed by the end of that financial year (31 March 2024)."""
    match = ROUND_LABEL.match(label)
    return date(int(match[1]) + 1, 3, 31) if match else fallback


def _import_survey_rounds(
    session: Session,
    actor: Actor,
    principal: Principal,
    ctx: evidence_service.FrameworkContext,
    framework: Framework,
    folder: Path,
    stem: str,
) -> list[str]:
    """Rounds shipped as <stem>_survey_<round>.csv for the framework's one survey without participating
    organisations (the national one is generated: demo_national), oldest first, each once."""
    plain = [s for s in framework.surveys if not s.organisations]
    if len(plain) != 1:
        return []
    survey = plain[0]
    imported = []
    for path in sorted(folder.glob(f"{stem}_survey_*.csv")):
        label = path.stem.removeprefix(f"{stem}_survey_")
        if surveys.current_round(session, ctx.framework.id, survey.id, label) is not None:
            continue
        outcome = surveys.import_round(
            session,
            actor,
            principal,
            ctx,
            survey.id,
            label,
            path.read_bytes(),
            collected_on=_round_closed(label, framework.as_of or date.today()),
            source_name=path.name,
        )
        if not outcome.ok:
            row, column, message = outcome.problems[0]
            raise DemoError(f"{path.name}:{row}:{column}: {message}")
        imported.append(label)
    return imported


def _apply_overrides(session: Session, actor: Actor, framework_id: str, path: Path, today: date) -> int:
    """The evaluator judgements docs/demo.md explains, recorded like any override (once), each from the date
    its `applies_from` column gives (SOURCES.md cites it)."""
    if not path.exists():
        return 0
    rated = ratings_for(session, framework_id, detail=True, today=today)
    assert rated is not None
    evaluator = Principal(None, "demo evaluator", "evaluator", None)
    applied = 0
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            outcome = row["outcome"].strip()
            if outcome in rated.overrides:
                continue
            rating = rated.detail.get(outcome)
            if rating is None:
                raise DemoError(f"{path.name}:{number}: no outcome '{outcome}'")
            titles = [t.strip() for t in row.get("evidence", "").split(";") if t.strip()]
            by_title = {rated.evidence[a.item_id].title: a.item_id for a in rating.items}
            missing = [t for t in titles if t not in by_title]
            if missing:
                raise DemoError(f"{path.name}:{number}: no evidence titled {missing[0]!r} for {outcome}")
            applies_raw = (row.get("applies_from") or "").strip()
            applies_from = parse_date(applies_raw) if applies_raw else None
            if applies_raw and applies_from is None:
                raise DemoError(f"{path.name}:{number}: applies_from '{applies_raw[:20]}' is not YYYY-MM-DD")
            try:
                overrides.set_override(
                    session,
                    actor,
                    evaluator,
                    rated,
                    outcome,
                    row["rating"].strip(),
                    row["rationale"],
                    [by_title[t] for t in titles],
                    applies_from=applies_from,
                    today=today,
                )
            except overrides.OverrideInvalid as invalid:
                raise DemoError(f"{path.name}:{number}: {invalid}") from None
            applied += 1
    return applied


def _load_plans(
    session: Session, actor: Actor, principal: Principal, ctx: evidence_service.FrameworkContext, path: Path
) -> demo_plans.PlansLoaded | None:
    """The framework's action plans and turn-the-curve notes (SOURCES.md, issue 20), where it has a file."""
    if not path.is_file():
        return None
    try:
        return demo_plans.load_plans(session, actor, principal, ctx.framework, path)
    except demo_plans.PlansFileError as error:
        raise DemoError(str(error)) from None


def _load_national(
    session: Session, actor: Actor, principal: Principal, ctx: evidence_service.FrameworkContext, f: Framework
) -> demo_national.NationalLoaded | None:
    """The generated national Health Check (issue 21), where the framework has its survey."""
    try:
        return demo_national.load_national(session, actor, principal, ctx, f)
    except demo_national.NationalDemoError as error:
        raise DemoError(str(error)) from None


def _named(path: Path) -> NamedFile | None:
    return NamedFile(path.name, path.read_bytes()) if path.is_file() else None


def _loaded_from(session: Session, event_id: str, files: tuple[NamedFile | None, ...]) -> bool:
    """Whether the event's current load came from these very files (loading them again adds nothing)."""
    latest = session.execute(
        select(EventLoad.yaml_sha256, EventLoad.sessions_sha256, EventLoad.feedback_sha256)
        .join(Event, Event.id == EventLoad.event_id)
        .where(Event.slug == event_id)
        .order_by(EventLoad.number.desc())
        .limit(1)
    ).first()
    return latest is not None and tuple(latest) == tuple(f.sha256 if f else "" for f in files)


def _load_events(session: Session, actor: Actor, principal: Principal, folder: Path) -> tuple[list[str], int]:
    """The demo's events (`events/ID.yaml` with `ID-sessions.csv` and `ID-feedback.csv` where there is one),
    through the events service like any load; an event already loaded from the same files is left as it is.
    Returns the events loaded now and how many were already."""
    loaded, kept = [], 0
    for path in sorted(folder.glob("*.yaml")):
        files = (
            NamedFile(path.name, path.read_bytes()),
            _named(folder / f"{path.stem}-sessions.csv"),
            _named(folder / f"{path.stem}-feedback.csv"),
        )
        if _loaded_from(session, path.stem, files):
            kept += 1
            continue
        outcome = load_event(session, actor, principal, *files)
        if not outcome.ok:
            raise DemoError("; ".join(str(p) for p in outcome.problems[:5]))
        loaded.append(outcome.event)
    return loaded, kept


def load_demo(session: Session, frameworks_dir: Path, instance: Path, today: date) -> DemoSummary:
    """Idempotent: frameworks already loaded and rows already present are left as they are."""
    summary = DemoSummary()
    actor, principal = Actor("demo loader", role="admin"), Principal.command_line()
    for stem, framework_id in DEMO_FRAMEWORKS:
        result = load_framework_file(frameworks_dir / f"{stem}.yaml")
        if not result.ok or result.framework is None or result.text is None:
            raise DemoError("; ".join(str(p) for p in result.problems) or f"{stem}.yaml did not load")
        loaded = framework_service.load_version(session, result.framework, result.text, actor, f"{stem}.yaml")
        state = "already loaded" if loaded.unchanged else f"loaded version {loaded.version}"
        ctx = evidence_service.framework_context(session, framework_id)
        assert ctx is not None
        as_of = result.framework.as_of or today
        reviewed = datetime.combine(as_of, time(12), tzinfo=UTC)
        evidence = imports.import_evidence(
            session,
            actor,
            principal,
            ctx,
            (frameworks_dir / "demo" / f"{stem}_evidence.csv").read_bytes(),
            today,
            reviewed_at=reviewed,
        )
        kpis = imports.import_kpi_values(
            session, actor, principal, ctx, (frameworks_dir / "demo" / f"{stem}_kpis.csv").read_bytes()
        )
        for outcome in (evidence, kpis):
            if not outcome.ok:
                raise DemoError("; ".join(p.located(f"{stem} demo data") for p in outcome.problems[:5]))
        session.flush()
        rounds = _import_survey_rounds(
            session, actor, principal, ctx, result.framework, frameworks_dir / "demo", stem
        )
        applied = _apply_overrides(
            session, actor, framework_id, frameworks_dir / "demo" / f"{stem}_overrides.csv", today
        )
        plans = _load_plans(session, actor, principal, ctx, frameworks_dir / "demo" / f"{stem}_plans.yaml")
        national = _load_national(session, actor, principal, ctx, result.framework)
        summary.lines.append(
            f"{framework_id}: {state}; {evidence.added} evidence items and {kpis.added} KPI values added "
            f"({evidence.skipped + kpis.skipped} already present)"
            + (f"; survey rounds {', '.join(rounds)} imported" if rounds else "")
            + (f"; {applied} evaluator overrides" if applied else "")
            + (f"; {plans.describe()}" if plans else "")
            + (f"; {national.describe()}" if national else "")
        )
    events, kept = _load_events(session, actor, principal, frameworks_dir / "demo" / "events")
    summary.lines.append(
        f"events: {', '.join(events) if events else 'none'} loaded"
        + (f"; {kept} already loaded" if kept else "")
    )
    known = _credentials(instance)
    for role, email, partner in DEMO_USERS:
        exists = session.scalars(select(User.id).where(User.email == email)).first() is not None
        if not exists:
            known[email] = secrets.token_urlsafe(12)
            accounts.create_user(session, actor, email, role, known[email], partner)
        summary.users.append((role, email, known.get(email, "(set before; see the admin pages)")))
    _save_credentials(instance, known)
    return summary
