"""The demo's national Health Check (issue 21): the generated organisations and rounds, loaded once through
`tracker survey orgs` and `tracker survey import`'s own services, as any administrator's files would be."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from tracker.domain.framework import Framework
from tracker.domain.problems import RowProblem
from tracker.services import survey_orgs, surveys
from tracker.services.audit import Actor
from tracker.services.demo_national_orgs import organisations
from tracker.services.demo_national_round import ROUNDS, SURVEY_ID, national_demo
from tracker.services.evidence import FrameworkContext
from tracker.services.permissions import Principal

ORGS_FILE = "health-check-national-orgs.csv"  # the name the audit trail records as the load's file


class NationalDemoError(RuntimeError):
    """A generated file was refused: the generator and the survey's definition disagree."""


@dataclass
class NationalLoaded:
    """What loading did: organisations added, updated or already there, and the rounds imported now."""

    added: int = 0
    changed: int = 0
    kept: int = 0
    rounds: list[str] = field(default_factory=list)
    respondents: int = 0

    def describe(self) -> str:
        changed = f", {self.changed} updated" if self.changed else ""
        rounds = f"rounds {', '.join(self.rounds)} imported ({self.respondents:,} respondents)"
        return f"{SURVEY_ID}: {self.added} organisations added{changed} ({self.kept} already present); " + (
            rounds if self.rounds else "no round imported"
        )


def _csv_bytes(table: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(table)
    return out.getvalue().encode("utf-8")


def _located(name: str, problem: RowProblem) -> str:
    row, column, message = problem
    return f"{name}:{row}:{column}: {message}" if column else f"{name}:{row}: {message}"


def _closed(label: str) -> date:
    """A round labelled 2023/24 closed with that financial year, on 31 March 2024."""
    return date(int(label[:4]) + 1, 3, 31)


def load_national(
    session: Session, actor: Actor, principal: Principal, ctx: FrameworkContext, framework: Framework
) -> NationalLoaded | None:
    """The organisations (only when they differ from those stored: a load is audited even when it changes
    nothing) and each round not imported yet, oldest first; None when the framework has no such survey."""
    if not any(s.id == SURVEY_ID and s.organisations for s in framework.surveys):
        return None
    stored = {
        (o.org_key, o.name, o.kind, o.region)
        for o in survey_orgs.stored_orgs(session, ctx.framework.id, SURVEY_ID)
    }
    orgs = organisations()  # cheap; the rounds are generated (0.5 s) only when one is missing
    loaded = NationalLoaded(kept=sum((o.id, o.name, o.kind, o.region) in stored for o in orgs))
    if loaded.kept < len(orgs):
        raw = _csv_bytes(national_demo().organisation_table())
        done = survey_orgs.load_orgs(
            session, actor, principal, framework.id, SURVEY_ID, raw, source_name=ORGS_FILE
        )
        if not done.ok:
            raise NationalDemoError(_located(ORGS_FILE, done.problems[0]))
        loaded.added, loaded.changed, loaded.kept = len(done.added), len(done.changed), done.unchanged
    for label in ROUNDS:
        if surveys.current_round(session, ctx.framework.id, SURVEY_ID, label) is not None:
            continue
        name = f"{SURVEY_ID}-{label.replace('/', '-')}.csv"
        outcome = surveys.import_round(
            session,
            actor,
            principal,
            ctx,
            SURVEY_ID,
            label,
            _csv_bytes(national_demo().round(label).table()),
            collected_on=_closed(label),
            source_name=name,
        )
        if not outcome.ok:
            raise NationalDemoError(_located(name, outcome.problems[0]))
        loaded.rounds.append(label)
        loaded.respondents += outcome.respondents
    return loaded
