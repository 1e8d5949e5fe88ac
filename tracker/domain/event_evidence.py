"""Evidence from an event's feedback (issue 19): one feedback-form item per rating question, as plain values.

Judgement calls:
- An item per rating question that has answers (a question nobody answered makes none), titled
  "<event title>: <question text>" (cut to the title's limit), collected on the day the event ended.
- respondents = the question's answers (n), positive = answers of 4 or 5; the finding `supports` when the mean
  is 4 or more, else `mixed`. It shows `how_well` (satisfaction with what was delivered), independent no.
- It links to the event's linked outputs only: activities cannot carry evidence, and the outcomes are for an
  evaluator to judge. An event linking no output makes items that link to nothing (the load says so).
- Its collection is "event:<event id>", so the items of one event are found together.
- A reload with different figures (respondents, positive, finding, date) sends the item for review again,
  even an accepted one (a returned or draft one is submitted); a new title or links alone (the event renamed,
  relinked) do not change its status.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tracker.domain.event_measures import RatingMeasure
from tracker.domain.events import EventDefinition
from tracker.domain.evidence_input import EvidenceFields
from tracker.domain.formats import number
from tracker.domain.text_limits import EVIDENCE_TITLE

SOURCE_TYPE = "feedback_form"
POSITIVE_FROM = 4  # answers of 4 or 5 are positive
SUPPORTS_FROM = 4.0  # a mean of 4 or more supports
ELLIPSIS = "…"


def collection_of(event_id: str) -> str:
    return f"event:{event_id}"


def _title(definition: EventDefinition, rating: RatingMeasure) -> str:
    title = f"{definition.title}: {rating.text}"
    limit = EVIDENCE_TITLE.maximum
    return title if len(title) <= limit else title[: limit - 1].rstrip() + ELLIPSIS


def _days(definition: EventDefinition) -> str:
    start, end = definition.starts_on, definition.ends_on
    if start == end:
        return f"{end.day} {end:%B %Y}"
    return f"{start.isoformat()} to {end.isoformat()}"


@dataclass(frozen=True, slots=True)
class FeedbackItem:
    """The item one rating question makes: its question and its fields."""

    question: str
    fields: EvidenceFields


def feedback_items(
    definition: EventDefinition, ratings: Sequence[RatingMeasure], outputs: Sequence[str]
) -> tuple[FeedbackItem, ...]:
    """One submitted item per answered rating question, linked to `outputs` (the event's linked outputs)."""
    items = []
    for rating in ratings:
        if not rating.n or rating.mean is None:
            continue
        positive = sum(rating.counts[POSITIVE_FROM - 1 :])
        summary = (
            f'The feedback on {definition.title} ({_days(definition)}) rated "{rating.text}" '
            f"{number(rating.mean)} out of 5 on average, from {rating.n:,} answers; {positive:,} gave "
            f"{POSITIVE_FROM} or 5. Made from the event's feedback (event {definition.id}, question "
            f"{rating.question}) and refreshed whenever it is loaded again."
        )
        fields = EvidenceFields(
            title=_title(definition, rating),
            summary=summary,
            source_type=SOURCE_TYPE,
            collected_on=definition.ends_on,
            links=tuple(outputs),
            finding="supports" if rating.mean >= SUPPORTS_FROM else "mixed",
            respondents=rating.n,
            population=None,
            positive=positive,
            collection=collection_of(definition.id),
            group="",
            independent=False,
            partner="",
            quote="",
            url="",
            flags=(),
            status="submitted",
            shows="how_well",
        )
        items.append(FeedbackItem(rating.question, fields))
    return tuple(items)


def figures_changed(before: EvidenceFields, after: EvidenceFields) -> bool:
    """Whether what an evaluator accepted has changed: the counts, the finding or the date."""
    return (before.respondents, before.positive, before.finding, before.collected_on) != (
        after.respondents,
        after.positive,
        after.finding,
        after.collected_on,
    )
