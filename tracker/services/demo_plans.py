"""The demo's action plans and turn-the-curve notes (issue 20): read from `<framework>_plans.yaml` and saved
through the plans services like anyone's, each once, so the demo shows plans its sources support."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.db.models import ActionPlan, ActionPlanRevision, Evidence, Framework
from tracker.plans.curve import current_notes, save_curve_note
from tracker.plans.service import PlanInvalid, create_plan
from tracker.services.audit import Actor
from tracker.services.evidence import Refused
from tracker.services.permissions import Principal

PLAN_KEYS = frozenset(
    {
        "source",
        "title",
        "target_kind",
        "target_id",
        "priority",
        "status",
        "starts_on",
        "measures",
        "measure_kpis",
        "lead_name",
        "actions",
    }
)
ACTION_KEYS = frozenset({"title", "owner", "cost", "status", "steps"})
STEP_KEYS = frozenset({"text", "due_on", "owner", "status"})
NOTE_KEYS = frozenset({"kpi", "source", "story", "partners", "what_works", "evidence"})
ROOT_KEYS = frozenset({"plans", "curve_notes"})


class PlansFileError(ValueError):
    """The plans file is not what the loader reads; the message names the file and the entry."""


@dataclass
class PlansLoaded:
    plans_added: int = 0
    plans_kept: int = 0
    notes_saved: int = 0
    notes_kept: int = 0

    def describe(self) -> str:
        """The demo summary's words for what was loaded now and what was already there."""
        return (
            f"action plans: {self.plans_added} added, {self.plans_kept} already present; "
            f"turn-the-curve notes: {self.notes_saved} added, {self.notes_kept} already present"
        )


def _entries(data: Mapping[str, Any], key: str, allowed: frozenset[str], where: str) -> list[dict[str, Any]]:
    entries = data.get(key) or []
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise PlansFileError(f"{where}: `{key}` must be a list of mappings")
    for number, entry in enumerate(entries, start=1):
        unknown = sorted(set(entry) - allowed)
        if unknown:
            raise PlansFileError(f"{where}: {key} {number}: unknown keys {', '.join(unknown)}")
        if not str(entry.get("source") or "").strip():
            raise PlansFileError(f"{where}: {key} {number}: give its `source` (the SOURCES.md entry)")
    return entries


def _check_actions(plan: Mapping[str, Any], where: str) -> None:
    for a, action in enumerate(plan.get("actions") or [], start=1):
        unknown = sorted(set(action) - ACTION_KEYS)
        steps = action.get("steps") or []
        unknown += sorted(k for step in steps for k in set(step) - STEP_KEYS)
        if unknown:
            raise PlansFileError(f"{where}: action {a}: unknown keys {', '.join(unknown)}")


def read_plans_file(path: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The file's plans and notes, each checked for unknown keys and a `source` (the values are checked
    when they are saved)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        raise PlansFileError(f"{path.name}: not YAML: {error}") from None
    if not isinstance(data, dict) or set(data) - ROOT_KEYS:
        raise PlansFileError(f"{path.name}: expected a mapping with `plans` and `curve_notes`")
    plans = _entries(data, "plans", PLAN_KEYS, path.name)
    for number, plan in enumerate(plans, start=1):
        _check_actions(plan, f"{path.name}: plans {number}")
    notes = _entries(data, "curve_notes", NOTE_KEYS, path.name)
    for number, note in enumerate(notes, start=1):
        titles = note.get("evidence") or []
        if not isinstance(titles, list) or not all(isinstance(t, str) for t in titles):
            raise PlansFileError(f"{path.name}: curve_notes {number}: `evidence` must be a list of titles")
    return plans, notes


def _text(value: Any) -> Any:
    """YAML dates as the ISO text the form fields carry; lists and mappings with their values likewise."""
    if isinstance(value, list):
        return [_text(v) for v in value]
    if isinstance(value, dict):
        return {k: _text(v) for k, v in value.items()}
    return "" if value is None else str(value)


def _loaded_targets(session: Session, framework: Framework, label: str) -> set[tuple[str, str]]:
    """The targets of the plans this loader created before (their first revision is its), however edited."""
    rows = session.execute(
        select(ActionPlan.target_kind, ActionPlan.target_id)
        .join(ActionPlanRevision, ActionPlanRevision.plan_id == ActionPlan.id)
        .where(
            ActionPlan.framework_id == framework.id,
            ActionPlanRevision.number == 1,
            ActionPlanRevision.saved_by == label,
        )
    )
    return {(kind, target) for kind, target in rows}


def _evidence_ids(session: Session, framework: Framework, titles: Sequence[str], where: str) -> list[int]:
    """The accepted items of the framework with these titles, one each."""
    wanted = [str(t).strip() for t in titles]
    rows = session.execute(
        select(Evidence.title, Evidence.id).where(
            Evidence.framework_id == framework.id,
            Evidence.status == "accepted",
            Evidence.title.in_(wanted),
        )
    ).all()
    found: dict[str, list[int]] = {}
    for title, item_id in rows:
        found.setdefault(title, []).append(item_id)
    for title in wanted:
        if len(found.get(title, [])) != 1:
            what = "no" if title not in found else "more than one"
            raise PlansFileError(f"{where}: {what} accepted evidence item titled {title!r}")
    return sorted(found[t][0] for t in wanted)


def load_plans(
    session: Session, actor: Actor, principal: Principal, framework: Framework, path: Path
) -> PlansLoaded:
    """Each plan of the file whose target has no plan from this loader yet, and each note that differs from
    its KPI's current one (a changed note is a new version, as any save is)."""
    plans, notes = read_plans_file(path)
    loaded = PlansLoaded()
    done = _loaded_targets(session, framework, actor.label)
    for number, entry in enumerate(plans, start=1):
        raw = _text({k: v for k, v in entry.items() if k != "source"})
        if (raw.get("target_kind"), raw.get("target_id")) in done:
            loaded.plans_kept += 1
            continue
        try:
            create_plan(session, actor, principal, framework, raw)
        except (PlanInvalid, Refused) as error:
            raise PlansFileError(f"{path.name}: plans {number}: {error}") from None
        done.add((raw["target_kind"], raw["target_id"]))
        loaded.plans_added += 1
    current = current_notes(session, framework)
    for number, entry in enumerate(notes, start=1):
        where = f"{path.name}: curve_notes {number}"
        kpi = str(entry.get("kpi") or "")
        fields = {k: str(entry.get(k) or "").strip() for k in ("story", "partners", "what_works")}
        ids = _evidence_ids(session, framework, entry.get("evidence") or [], where)
        source = str(entry["source"]).strip()
        now = current.get(kpi)
        wanted = (fields["story"], fields["partners"], fields["what_works"], tuple(ids), source)
        if (
            now is not None
            and (now.story, now.partners, now.what_works, now.evidence_ids, now.source) == wanted
        ):
            loaded.notes_kept += 1
            continue
        try:
            save_curve_note(
                session, actor, principal, framework, kpi, evidence_ids=ids, source=source, **fields
            )
        except (PlanInvalid, Refused) as error:
            raise PlansFileError(f"{where}: {error}") from None
        loaded.notes_saved += 1
    return loaded
