"""Survey rounds: import respondent rows (all or none), score them, and keep their evidence up to date."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from tracker.db.models import Evidence, SurveyOrg, SurveyResponse, SurveyRound, utcnow
from tracker.domain.evidence_input import EvidenceFields, parse_evidence
from tracker.domain.framework import Framework as DomainFramework
from tracker.domain.problems import ProblemLog, ProblemsFound
from tracker.domain.survey_evidence import section_evidence
from tracker.domain.survey_responses import parse_responses
from tracker.domain.survey_scoring import compare_rounds, distance_travelled
from tracker.domain.surveys import (
    DistanceResult,
    SectionResult,
    SurveyDefinition,
)
from tracker.domain.text_limits import SURVEY_ROUND_LABEL
from tracker.ratings import upkeep
from tracker.services import evidence as evidence_service
from tracker.services.audit import Actor, record
from tracker.services.bulk_rows import insert_rows
from tracker.services.evidence import FrameworkContext, Refused
from tracker.services.frameworks import current_version, framework_of
from tracker.services.imports import MAX_CSV_BYTES, MAX_ROWS
from tracker.services.permissions import Principal, can_import_into
from tracker.services.survey_reading import KEPT, rounds_key, scored_round
from tracker.services.survey_reading import responses_of as responses_of  # where callers found it before


class SurveyNotFound(LookupError):
    """No such framework, survey or round."""


@dataclass
class RoundImport(ProblemsFound):
    """What importing a round did, or its problems."""

    respondents: int = 0
    evidence_added: int = 0
    evidence_refreshed: int = 0
    replaced: bool = False
    sent_back: int = 0


def definition_of(session: Session, slug: str, survey_id: str) -> tuple[int, SurveyDefinition]:
    found = current_version(session, slug)
    if found is None:
        raise SurveyNotFound(f"no framework has the id '{slug}'")
    framework_row, version = found
    survey = next((s for s in framework_of(version).surveys if s.id == survey_id), None)
    if survey is None:
        raise SurveyNotFound(f"framework '{slug}' has no survey '{survey_id}'")
    return framework_row.id, survey


def _rows(raw: bytes, problems: ProblemLog) -> tuple[list[str], list[list[str]]]:
    """The header and the rows of a round's file, or none when it cannot be read (a problem says why)."""
    if len(raw) > MAX_CSV_BYTES:
        problems.add(1, f"the file is larger than {MAX_CSV_BYTES // 1048576} MB")
        return [], []
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        problems.add(raw[: error.start].count(b"\n") + 1, "the file is not UTF-8 text")
        return [], []
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as error:
        problems.add(1, f"cannot be read as CSV: {error}")
        return [], []
    if not rows:
        problems.add(1, "the file is empty")
        return [], []
    if len(rows) - 1 > MAX_ROWS:
        problems.add(MAX_ROWS + 2, f"more than {MAX_ROWS:,} rows; split the file")
        return [], []
    return rows[0], rows[1:]


def current_round(session: Session, framework_id: int, survey_id: str, label: str) -> SurveyRound | None:
    return session.scalars(
        select(SurveyRound).where(
            SurveyRound.framework_id == framework_id,
            SurveyRound.survey_slug == survey_id,
            SurveyRound.label == label,
            SurveyRound.replaced_at.is_(None),
        )
    ).first()


def rounds(session: Session, framework_id: int, survey_id: str) -> list[SurveyRound]:
    """Current rounds in the order they were first imported: a round replaced later keeps its place (its
    label's first import), so replacing last year's rows does not make it this year's successor."""
    first = aliased(SurveyRound)
    first_import = (
        select(func.min(first.id))
        .where(
            first.framework_id == SurveyRound.framework_id,
            first.survey_slug == SurveyRound.survey_slug,
            first.label == SurveyRound.label,
        )
        .correlate(SurveyRound)
        .scalar_subquery()
    )
    return list(
        session.scalars(
            select(SurveyRound)
            .where(
                SurveyRound.framework_id == framework_id,
                SurveyRound.survey_slug == survey_id,
                SurveyRound.replaced_at.is_(None),
            )
            .order_by(first_import, SurveyRound.id)
        )
    )


def previous_round(ordered: list[SurveyRound], this: SurveyRound) -> SurveyRound | None:
    """The current round before `this` in `rounds` order (first imports), or None."""
    index = next((i for i, r in enumerate(ordered) if r.id == this.id), 0)
    return ordered[index - 1] if index > 0 else None


def org_keys(session: Session, framework_id: int, survey_id: str) -> frozenset[str]:
    """The ids of the survey's participating organisations: what a round's `org` cells may give."""
    return frozenset(
        session.scalars(
            select(SurveyOrg.org_key).where(
                SurveyOrg.framework_id == framework_id, SurveyOrg.survey_slug == survey_id
            )
        )
    )


def results(
    session: Session, slug: str, survey_id: str, label: str, by: str | None = None
) -> tuple[SurveyDefinition, SurveyRound, tuple[SectionResult, ...]]:
    """Section results of one round, compared with the round imported before it when there is one."""
    framework_id, definition = definition_of(session, slug, survey_id)
    if by is not None and by not in definition.breakdowns:
        raise SurveyNotFound(
            f"'{by}' is not a breakdown of survey '{survey_id}' ({', '.join(definition.breakdowns)})"
        )
    all_rounds = rounds(session, framework_id, survey_id)
    this = next((r for r in all_rounds if r.label == label), None)
    if this is None:
        raise SurveyNotFound(f"survey '{survey_id}' has no round '{label}'")
    scored = scored_round(session, definition, this, by)
    previous = previous_round(all_rounds, this)
    if previous is not None:
        scored = compare_rounds(scored, scored_round(session, definition, previous), previous.label)
    return definition, this, scored


def import_round(
    session: Session,
    actor: Actor,
    p: Principal,
    ctx: FrameworkContext,
    survey_id: str,
    label: str,
    raw: bytes,
    *,
    replace: bool = False,
    collected_on: date,
    source_name: str = "",
) -> RoundImport:
    """Store a round's rows (all or none), then add or refresh one evidence item per scored section."""
    if not can_import_into(p, ctx.partner_ids):
        raise Refused("you may not import survey rounds into this framework")
    _framework_id, definition = definition_of(session, ctx.framework.slug, survey_id)
    problems = ProblemLog()
    header, rows = _rows(raw, problems)
    if not problems:
        loaded = org_keys(session, ctx.framework.id, survey_id) if definition.organisations else None
        parsed, problems = parse_responses(definition, header, rows, loaded)
    if problems:
        return RoundImport.failed(problems)
    label = label.strip()
    if not label or SURVEY_ROUND_LABEL.problem(label):
        problems.add(1, f"the round label must be 1 to {SURVEY_ROUND_LABEL.maximum} characters")
    elif any(ch < " " or ch == "\x7f" for ch in label):
        problems.add(1, "the round label must not hold line breaks or control characters")
    existing = current_round(session, ctx.framework.id, survey_id, label)
    if existing is not None and not replace:
        problems.add(1, f"round '{label}' is already imported; import it with --replace to replace it")
    if problems:
        return RoundImport.failed(problems)
    result = RoundImport()
    if existing is not None:
        existing.replaced_at = utcnow()
        result.replaced = True
    round_ = SurveyRound(
        framework_id=ctx.framework.id,
        survey_slug=survey_id,
        label=label,
        source_name=source_name,
        respondents=len(parsed),
        imported_by=actor.label,
    )
    session.add(round_)
    session.flush()
    columns = [h.strip() for h in header]
    stored: list[dict[str, Any]] = []
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {c: (row[i] if i < len(row) else "") for i, c in enumerate(columns)}
        stored.append(
            {
                "round_id": round_.id,
                "row_number": number,
                "respondent": cells.get("respondent", ""),
                "cells": cells,
            }
        )
    insert_rows(session, SurveyResponse, stored)  # one statement: a national round has 10,000 rows
    result.respondents = len(parsed)
    _refresh_evidence(session, actor, p, ctx, definition, label, collected_on, result)
    record(
        session,
        actor,
        "survey.import",
        object_type="survey",
        object_id=survey_id,
        framework_id=ctx.framework.id,
        after={"round": label, "respondents": result.respondents, "replaced": result.replaced},
    )
    return result


def _refresh_evidence(
    session: Session,
    actor: Actor,
    p: Principal,
    ctx: FrameworkContext,
    definition: SurveyDefinition,
    label: str,
    collected_on: date,
    result: RoundImport,
) -> None:
    """One item per section result, collection "{survey}:{round}", so a round counts once in the ratings."""
    if not any(section.links for section in definition.sections):
        return  # no section counts in an outcome's rating, so no item is made: skip scoring the round again
    _definition, _round, scored = results(session, ctx.framework.slug, definition.id, label)
    collection = f"{definition.id}:{label}"
    existing = {
        e.title: e
        for e in session.scalars(
            select(Evidence).where(
                Evidence.framework_id == ctx.framework.id, Evidence.collection == collection
            )
        )
    }
    status = "accepted" if p.role in {"admin", "evaluator"} else "submitted"
    for section_result in scored:
        raw = section_evidence(definition, section_result, label)
        if not raw.get("finding") or not raw.get("links"):
            continue
        raw = {**raw, "collected_on": collected_on.isoformat(), "status": status}
        fields, problems = parse_evidence(raw, ctx.linkable, set(ctx.partners), date.max)
        if fields is None:
            raise ValueError(f"survey evidence for {section_result.section} is not valid: {problems}")
        item = existing.get(fields.title)
        if item is None:
            evidence_service.create(session, actor, p, ctx, fields, status=status)
            result.evidence_added += 1
        elif (item.summary, item.finding, item.respondents) != (
            fields.summary,
            fields.finding,
            fields.respondents,
        ):
            _refresh_item(session, actor, p, item, fields, label, result)


def _refresh_item(
    session: Session,
    actor: Actor,
    p: Principal,
    item: Evidence,
    fields: EvidenceFields,
    label: str,
    result: RoundImport,
) -> None:
    """Rewrite an item from a new round; an accepted item goes back for review, as an evaluator accepted
    what it said before, not what it says now."""
    before = {
        "summary": item.summary,
        "finding": item.finding,
        "respondents": item.respondents,
        "status": item.status,
        "review_note": item.review_note,
    }
    item.summary, item.finding, item.respondents = fields.summary, fields.finding, fields.respondents
    item.collected_on = fields.collected_on
    item.updated_by_id = p.user_id
    item.updated_at = utcnow()
    upkeep.inputs_changed(session, item.framework_id, evidence_ids=[item.id])
    detail = f"refreshed from survey round {label}"
    if item.status == "accepted":
        item.status = "submitted"
        item.accepted_at = None
        item.review_note = (
            f"Survey round {label} was imported again by {actor.label} and changed this item "
            f"(finding {before['finding']} -> {item.finding}); it needs a new review before it counts."
        )
        detail += "; sent back for review"
        result.sent_back += 1
    record(
        session,
        actor,
        "evidence.edit",
        object_type="evidence",
        object_id=item.id,
        framework_id=item.framework_id,
        before=before,
        after={
            "summary": item.summary,
            "finding": item.finding,
            "respondents": item.respondents,
            "status": item.status,
            "review_note": item.review_note,
        },
        detail=detail,
    )
    result.evidence_refreshed += 1


@dataclass(frozen=True)
class LatestRound:
    """A survey's latest round, scored and broken down by its first breakdown: what the report shows."""

    definition: SurveyDefinition
    round_label: str
    respondents: int
    breakdown: str | None
    sections: tuple[SectionResult, ...]


def report_blocks(session: Session, slug: str) -> tuple[LatestRound, ...]:
    """Each survey's latest round, for the report (tracker.reports.survey_blocks draws its rows).

    A survey of participating organisations is left out: its results are the national, regional and local
    reports, whose suppression (across levels too) the framework report's plain scoring does not apply."""
    found = current_version(session, slug)
    if found is None:
        return ()
    framework_row, version = found
    return report_blocks_of(session, framework_row.id, framework_of(version))


def report_blocks_of(
    session: Session, framework_id: int, framework: DomainFramework
) -> tuple[LatestRound, ...]:
    """`report_blocks` for a caller that has the framework's current version parsed (the report's read);
    the framework's id is its slug."""
    slug = framework.id
    latest = []
    for definition in framework.surveys:
        available = [] if definition.organisations else rounds(session, framework_id, definition.id)
        if not available:
            continue
        by = definition.breakdowns[0] if definition.breakdowns else None
        _d, round_, scored = results(session, slug, definition.id, available[-1].label, by)
        latest.append(LatestRound(definition, round_.label, round_.respondents, by, scored))
    return tuple(latest)


@dataclass(frozen=True)
class DistanceView:
    """Distance travelled from the previous round to this one, and both rounds' scores for the chart."""

    previous: str
    results: tuple[DistanceResult, ...]
    chart_rows: tuple[tuple[str, float, float], ...]


def distance_since_previous(session: Session, slug: str, survey_id: str, label: str) -> DistanceView | None:
    """Paired (matched respondent ids) or cohort change per section since the round imported before."""
    framework_id, definition = definition_of(session, slug, survey_id)
    all_rounds = rounds(session, framework_id, survey_id)
    this = next((r for r in all_rounds if r.label == label), None)
    previous = None if this is None else previous_round(all_rounds, this)
    if this is None or previous is None:
        return None
    return KEPT.get(
        ("distance", definition, *rounds_key(session, previous, this)),
        lambda: _distance(session, definition, previous, this),
    )


def _distance(
    session: Session, definition: SurveyDefinition, previous: SurveyRound, this: SurveyRound
) -> DistanceView:
    pre, post = responses_of(session, definition, previous), responses_of(session, definition, this)
    before = {r.section: r for r in scored_round(session, definition, previous)}
    after = {r.section: r for r in scored_round(session, definition, this)}
    chart_rows = tuple(
        (after[s.id].title, pre_score, post_score)
        for s in definition.sections
        if (pre_score := before[s.id].score) is not None
        and (post_score := after[s.id].score) is not None
        and not (before[s.id].suppressed or after[s.id].suppressed)
    )
    return DistanceView(previous.label, distance_travelled(definition, pre, post), chart_rows)
