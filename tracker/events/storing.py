"""What a load of an event's files stores (issue 19): the definition on the event's row, and its sessions,
answers and answer counts as rows for a bulk insert."""

from __future__ import annotations

from typing import Any

from tracker.db.models import Event
from tracker.domain.events import AnswerCount, AnswerRow, EventDefinition, SessionRow


def store_definition(event: Event, d: EventDefinition, yaml_text: str) -> None:
    event.title = d.title
    event.starts_on = d.starts_on
    event.ends_on = d.ends_on
    event.links = list(d.links)
    event.unique_attendees = d.unique_attendees.value if d.unique_attendees else None
    event.unique_estimated = d.unique_attendees.estimated if d.unique_attendees else False
    event.reach_target = d.reach_target
    event.population_name = d.population.name if d.population else ""
    event.population_size = d.population.size if d.population else None
    event.cost_direct = d.costs.direct
    event.cost_staff_hours = d.costs.staff_hours
    event.cost_full = d.costs.full
    event.min_group_size = d.min_group_size
    event.questions = [q.to_json() for q in d.questions]
    event.source = d.source
    event.yaml_text = yaml_text


def session_row(load_id: int, s: SessionRow, partners: dict[str, int]) -> dict[str, Any]:
    return {
        "load_id": load_id,
        "line": s.line,
        "slug": s.id,
        "title": s.title,
        "theme": s.theme,
        "starts_at": s.starts_at,
        "format": s.format,
        "capacity": s.capacity,
        "signups": s.signups,
        "attended": s.attended,
        "partner_id": partners.get(s.partner) if s.partner else None,
    }


def answer_row(load_id: int, a: AnswerRow) -> dict[str, Any]:
    return {
        "load_id": load_id,
        "line": a.line,
        "session": a.session,
        "question": a.question,
        "answer": a.answer,
        "respondent": a.respondent,
    }


def count_row(load_id: int, c: AnswerCount) -> dict[str, Any]:
    return {
        "load_id": load_id,
        "session": c.session,
        "question": c.question,
        "answer": c.answer,
        "count": c.count,
    }
