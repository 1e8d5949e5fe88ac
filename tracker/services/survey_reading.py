"""Survey rounds read back: each round's rows once per session, its section results once per process. Stored
rows are never altered (a replaced round is a new round), so a round's id and import time name the same rows
for good, and a national round of 10,000 rows is read and scored once, not on every page that shows it."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.db.models import SurveyResponse, SurveyRound
from tracker.domain.survey_responses import parse_responses
from tracker.domain.survey_scoring import score_round
from tracker.domain.surveys import Response, SectionResult, SurveyDefinition

T = TypeVar("T")
KEPT_RESULTS = 64  # small values (a round's section results), so a few rounds of each survey fit


class KeptResults:
    """A bounded, thread-safe LRU of results by key; a result is computed outside the lock (two threads may
    both compute one the first time, and get equal values)."""

    def __init__(self, size: int = KEPT_RESULTS) -> None:
        self.size = size
        self._items: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                found: T = self._items[key]  # type: ignore[assignment]  # put under this key by compute
                return found
        value = compute()
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


KEPT = KeptResults()


def rounds_key(session: Session, *rounds: SurveyRound) -> tuple[Hashable, ...]:
    """The database (tests and tools run many in one process) and each round's id and import time."""
    engine = session.get_bind().engine
    url = engine.url.render_as_string(hide_password=True)
    return (id(engine), url, *((r.id, r.imported_at) for r in rounds))


def responses_of(session: Session, definition: SurveyDefinition, round_: SurveyRound) -> tuple[Response, ...]:
    """The stored rows, read again through the definition (they validated when they were imported); read once
    per session (a request), as a page may score a round and measure the distance travelled from it."""
    read: dict[Hashable, tuple[Response, ...]] = session.info.setdefault("survey_responses", {})
    key = (definition, *rounds_key(session, round_))
    if key not in read:
        read[key] = _read_responses(session, definition, round_)
    return read[key]


def _read_responses(
    session: Session, definition: SurveyDefinition, round_: SurveyRound
) -> tuple[Response, ...]:
    stored = session.scalars(  # the cells alone: 10,000 ORM objects of a national round took twice as long
        select(SurveyResponse.cells)
        .where(SurveyResponse.round_id == round_.id)
        .order_by(SurveyResponse.row_number)
    ).all()
    if not stored:
        return ()
    header = list(stored[0])
    parsed, _problems = parse_responses(
        definition, header, [[cells.get(h, "") for h in header] for cells in stored]
    )
    return parsed


def scored_round(
    session: Session, definition: SurveyDefinition, round_: SurveyRound, by: str | None = None
) -> tuple[SectionResult, ...]:
    """A round's section results (by a breakdown), scored once per process: its rows never change."""
    return KEPT.get(
        ("scored", definition, by, *rounds_key(session, round_)),
        lambda: score_round(definition, responses_of(session, definition, round_), by),
    )
