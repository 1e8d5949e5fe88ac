"""Checking an export's action plans and turn-the-curve notes (issue 20) before anything is written.

Each revision of a plan is checked as a save checks it (`tracker.domain.action_plans.check_plan`), against
every target the framework has had (any version's outcomes, KPIs and survey standards) and the export's
users, and must be stored exactly as the tracker stores a plan, so that a restored plan reads back the same.
A plan's numbers, its revisions' and a KPI's note versions run 1, 2, ... without a gap or a repeat, as the
tracker numbers them; every message names the member, the row and what is wrong.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from tracker.domain.action_plans import Targets, check_plan
from tracker.domain.loader import parse_framework
from tracker.plans.curve import FIELDS as NOTE_FIELDS
from tracker.plans.curve import NOTE_LIMIT
from tracker.plans.service import COMMENT_LIMIT
from tracker.plans.targets import target_choices
from tracker.services.archive_format import ArchiveError, Row

# What a plan's row repeats from its current revision, so lists can filter and sort on it.
MIRRORED = ("title", "target_kind", "target_id", "status", "priority", "starts_on")


def check_plans(rows: Mapping[str, Sequence[Row]], label: str) -> None:
    """Refuse the export at the first plan, revision, comment or note the tracker could not have saved."""
    plans, notes = rows["action_plan"], rows["kpi_curve_note"]
    if not plans and not notes and not rows["action_plan_revision"] and not rows["action_plan_comment"]:
        return
    targets = _targets(rows)
    where = {p["id"]: f"{label}: action_plan.json id {p['id']} (plan {p['number']})" for p in plans}
    _check_numbers(plans, label)
    plan_number = {p["id"]: p["number"] for p in plans}
    revisions: dict[int, dict[int, Row]] = defaultdict(dict)
    for revision in rows["action_plan_revision"]:
        plan_id, number = revision["plan_id"], revision["number"]
        here = (
            f"{label}: action_plan_revision.json id {revision['id']} "
            f"(plan {plan_number[plan_id]}, revision {number})"
        )
        if number in revisions[plan_id]:
            other = revisions[plan_id][number]["id"]
            raise ArchiveError(f"{here}: the plan has another revision {number} (id {other})")
        _check_body(revision["body"], targets, here)
        revisions[plan_id][number] = revision
    members = {r["partner_id"] for r in rows["framework_partner"]}
    for plan in plans:
        _check_plan_row(plan, revisions[plan["id"]], members, where[plan["id"]])
    current = {p["id"]: p["revision"] for p in plans}
    for comment in rows["action_plan_comment"]:
        plan_id = comment["plan_id"]
        here = f"{label}: action_plan_comment.json id {comment['id']} (plan {plan_number[plan_id]})"
        _check_comment(comment, current[plan_id], here)
    _check_notes(notes, targets, label)


def _targets(rows: Mapping[str, Sequence[Row]]) -> Targets:
    """Every target the framework has had: archived outcomes and KPIs too, and any version's standards."""
    standards: set[str] = set()
    for version in rows["framework_version"]:
        parsed = parse_framework(version["yaml_text"], f"{version['title']} v{version['version']}").framework
        if parsed is not None:  # a version that no longer validates still names its outcomes as elements
            standards.update(c.id for c in target_choices(parsed) if c.kind == "standard")
    elements = rows["element"]
    return Targets(
        outcomes=frozenset(e["slug"] for e in elements if e["kind"] == "outcome"),
        kpis=frozenset(e["slug"] for e in elements if e["kind"] == "kpi"),
        standards=frozenset(standards),
        users=frozenset(u["id"] for u in rows["user_account"]),
    )


def _check_numbers(plans: Sequence[Row], label: str) -> None:
    seen: dict[int, int] = {}
    for plan in plans:
        number = plan["number"]
        here = f"{label}: action_plan.json id {plan['id']}"
        if number < 1:
            raise ArchiveError(f"{here}: number {number} is not a plan number (they start at 1)")
        if number in seen:
            raise ArchiveError(f"{here}: plan number {number} is also the number of plan id {seen[number]}")
        seen[number] = plan["id"]


def _shape_problem(body: Any) -> str:
    """What keeps a body from being read as a plan at all (check_plan reads mappings and lists)."""
    if not isinstance(body, dict):
        return "its body is not a JSON object"
    kpis = body.get("measure_kpis", [])
    if not isinstance(kpis, list) or not all(isinstance(k, str) for k in kpis):
        return "measure_kpis is not a list of KPI ids"
    actions = body.get("actions", [])
    if not isinstance(actions, list) or not all(isinstance(a, dict) for a in actions):
        return "actions is not a list of objects"
    for number, action in enumerate(actions, start=1):
        steps = action.get("steps", [])
        if not isinstance(steps, list) or not all(isinstance(s, dict) for s in steps):
            return f"actions-{number}-steps is not a list of objects"
    return ""


def _check_body(body: Any, targets: Targets, here: str) -> None:
    """A revision's body is a plan the tracker would save, written as the tracker writes it."""
    problem = _shape_problem(body)
    if problem:
        raise ArchiveError(f"{here}: {problem}")
    lead = body.get("lead_user_id")
    if type(lead) is int and lead not in targets.users:
        raise ArchiveError(f"{here}: lead_user_id {lead} refers to no user_account row in the export")
    content, problems = check_plan(body, targets)
    if content is None:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise ArchiveError(f"{here}: {problems[0]}{more}")
    stored = content.as_dict()
    if _json(stored) != _json(body):
        differs = next((k for k in (*stored, *body) if _json(stored.get(k)) != _json(body.get(k))), "")
        raise ArchiveError(f"{here}: its body is not as the tracker stores a plan ({differs} differs)")


def _json(value: Any) -> str:
    """Compared as JSON text, so true is not 1 and 1.0 is not 1."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _check_plan_row(plan: Row, revisions: Mapping[int, Row], members: set[int], here: str) -> None:
    """Its revisions run 1 to its current one, and what it repeats of the current one agrees."""
    if plan["revision"] < 1:
        raise ArchiveError(f"{here}: revision {plan['revision']} is not a revision number (they start at 1)")
    found = sorted(revisions)
    if found != list(range(1, plan["revision"] + 1)):
        raise ArchiveError(
            f"{here}: its current revision is {plan['revision']} but its revisions are numbered "
            f"{', '.join(map(str, found)) or 'none'} (expected 1 to {plan['revision']})"
        )
    body = revisions[plan["revision"]]["body"]
    for column in MIRRORED:
        value = plan[column].isoformat() if column == "starts_on" else plan[column]
        if value != body[column]:
            raise ArchiveError(
                f"{here}: {column} {value!r} differs from its current revision's ({body[column]!r})"
            )
    if plan["partner_id"] is not None and plan["partner_id"] not in members:
        raise ArchiveError(f"{here}: partner_id {plan['partner_id']} is not a partner of this framework")


def _check_comment(comment: Row, current: int, here: str) -> None:
    if not 1 <= comment["revision"] <= current:
        raise ArchiveError(
            f"{here}: revision {comment['revision']} is not a revision of the plan (it has 1 to {current})"
        )
    body = comment["body"]
    if not body.strip():
        raise ArchiveError(f"{here}: body is empty")
    if len(body) > COMMENT_LIMIT:
        raise ArchiveError(f"{here}: body is {len(body):,} characters long; the limit is {COMMENT_LIMIT:,}")


def _check_notes(notes: Sequence[Row], targets: Targets, label: str) -> None:
    """Each note is of a KPI of the framework, says something, and a KPI's versions run 1, 2, ..."""
    versions: dict[str, dict[int, int]] = defaultdict(dict)
    for note in notes:
        kpi, number = note["kpi"], note["number"]
        here = f"{label}: kpi_curve_note.json id {note['id']} (KPI {kpi!r}, version {number})"
        if kpi not in targets.kpis:
            raise ArchiveError(f"{here}: this framework has no KPI {kpi!r}")
        if number in versions[kpi]:
            raise ArchiveError(f"{here}: the KPI has another version {number} (id {versions[kpi][number]})")
        versions[kpi][number] = note["id"]
        if not any(note[name].strip() for name in NOTE_FIELDS):
            raise ArchiveError(f"{here}: story, partners and what_works are all empty")
        for name in NOTE_FIELDS:
            if len(note[name]) > NOTE_LIMIT:
                raise ArchiveError(
                    f"{here}: {name} is {len(note[name]):,} characters long; the limit is {NOTE_LIMIT:,}"
                )
    for kpi, numbered in versions.items():
        found = sorted(numbered)
        if found != list(range(1, len(found) + 1)):
            raise ArchiveError(
                f"{label}: kpi_curve_note.json: the notes of KPI {kpi!r} are versions "
                f"{', '.join(map(str, found))} (expected 1 to {len(found)})"
            )
