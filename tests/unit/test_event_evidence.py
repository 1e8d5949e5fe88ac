"""Evidence from an event's feedback (issue 19), as plain values: one feedback-form item per answered rating
question, with its figures, finding, links and title."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from tracker.domain.event_evidence import feedback_items, figures_changed
from tracker.domain.event_measures import compute_measures
from tracker.domain.events import AnswerRow, EventDefinition, Question, tally

EVENT = EventDefinition(
    id="week-2023",
    framework="f",
    title="Practice Week 2023",
    starts_on=date(2023, 3, 13),
    ends_on=date(2023, 3, 17),
    questions=(
        Question("useful", "How useful you found the session", "rating"),
        Question("quality", "The quality of the content", "rating"),
        Question("why", "Why did you come?", "free_text"),
    ),
)


def items_for(
    answers: dict[str, list[int]], definition: EventDefinition = EVENT, outputs: tuple[str, ...] = ()
):  # type: ignore[no-untyped-def]
    rows = [AnswerRow(q, str(a)) for q, given in answers.items() for a in given]
    measures = compute_measures(definition, (), tally(definition, rows))
    return feedback_items(definition, measures.ratings, outputs)


@pytest.mark.parametrize(
    ("answers", "n", "positive", "finding"),
    [
        ([5, 4, 3], 3, 2, "supports"),  # mean 4.0: supports
        ([5, 4, 4, 2, 4, 3], 6, 4, "mixed"),  # mean 3.67
        ([4, 4, 4, 4, 4, 4, 3], 7, 6, "mixed"),  # 3.857..., 3.86 to 2 places: under 4
        ([1, 2, 3], 3, 0, "mixed"),
        ([5], 1, 1, "supports"),
    ],
)
def test_one_item_per_answered_rating_question(
    answers: list[int], n: int, positive: int, finding: str
) -> None:
    (item,) = items_for({"useful": answers}, outputs=("out-days",))
    f = item.fields
    assert item.question == "useful"
    assert (f.respondents, f.positive, f.finding) == (n, positive, finding)
    assert (f.title, f.source_type, f.collected_on, f.collection, f.status, f.links) == (
        "Practice Week 2023: How useful you found the session",
        "feedback_form",
        date(2023, 3, 17),
        "event:week-2023",
        "submitted",
        ("out-days",),
    )
    assert (f.population, f.partner, f.independent, f.quote, f.shows) == (None, "", False, "", "how_well")


def test_unanswered_and_other_questions_make_no_item() -> None:
    assert items_for({}) == ()
    items = items_for({"quality": [4, 5], "why": [1]})
    assert [i.question for i in items] == ["quality"]


def test_the_summary_gives_the_figures() -> None:
    (item,) = items_for({"useful": [5] * 650 + [4] * 290 + [3] * 45 + [2] * 10 + [1] * 5})
    assert item.fields.summary == (
        'The feedback on Practice Week 2023 (2023-03-13 to 2023-03-17) rated "How useful you found the '
        "session\" 4.57 out of 5 on average, from 1,000 answers; 940 gave 4 or 5. Made from the event's "
        "feedback (event week-2023, question useful) and refreshed whenever it is loaded again."
    )


def test_a_long_title_is_cut_to_the_limit() -> None:
    long = dataclasses.replace(EVENT, title="A" * 190)
    (item,) = items_for({"useful": [5]}, long)
    assert item.fields.title == "A" * 190 + ": How use…"


def test_figures_changed() -> None:
    (item,) = items_for({"useful": [5, 4]})
    f = item.fields
    assert not figures_changed(f, dataclasses.replace(f, title="Renamed", links=("x",), summary="new"))
    for change in (
        {"respondents": 3},
        {"positive": 1},
        {"finding": "mixed"},
        {"collected_on": date(2023, 4, 1)},
    ):
        assert figures_changed(f, dataclasses.replace(f, **change))  # type: ignore[arg-type]
