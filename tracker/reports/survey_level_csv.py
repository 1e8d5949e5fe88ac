"""A survey level's figures as CSV (issue 21): one row per figure of a `LevelResult`, written as the level's
page writes it, so a spreadsheet gets the same numbers and a suppressed figure gets none of its values.

Rows come in the page's order: how many completed (then by each breakdown), the overall figure (then by
each breakdown and characteristic), and each standard (then by each breakdown and characteristic, then its
questions). A suppressed figure keeps only what it is and the note "Fewer than 10": the note never says why
(too few, or it would give a small group away), as the pages do not, since that would say whether the group
is under the threshold. A breakdown withheld whole is one row saying why; a level without a report one row
saying why (as its page).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence

from tracker.domain.survey_level_results import (
    Breakdown,
    Figure,
    Level,
    LevelResult,
    overall_text,
    suppressed_text,
)
from tracker.domain.survey_ranking import Rank
from tracker.domain.surveys import change_points, rounded_score
from tracker.reports.survey_level_render import file_slug
from tracker.services.evidence_queries import neutralise

COLUMNS: tuple[str, ...] = (
    "level",
    "key",
    "figure",  # completed, overall, section or question
    "section",
    "question",
    "title",  # the section's title or the question's words
    "breakdown",
    "part",
    "n",
    "score",
    "band",
    "previous",
    "change",
    "rank",
    "note",
)
NO_SCORE = "No scored answers"
_TEXT = frozenset({"key", "section", "question", "title", "breakdown", "part", "note"})


def _score(value: float | None, overall: bool) -> str:
    """As the page shows it: overall to 1 decimal with ".0" dropped, other scores whole."""
    if value is None:
        return ""
    return overall_text(value) if overall else str(rounded_score(value))


def _change(value: float | None) -> str:
    """Points to 1 decimal, signed as the page signs them (+2.5, -5.0, 0.0), in a minus spreadsheets read."""
    if value is None:
        return ""
    shown = change_points(value)
    return "0.0" if shown == 0 else f"{shown:+.1f}"


def _values(figure: Figure, minimum: int, *, overall: bool = False, count: bool = False) -> dict[str, str]:
    """A figure's value cells and note; a suppressed one has none but the note."""
    if figure.suppressed:
        return {"note": suppressed_text(minimum)}
    values = {
        "n": "" if figure.n is None else str(figure.n),
        "score": _score(figure.score, overall),
        "band": figure.band or "",
        "previous": _score(figure.previous, overall),
        "change": _change(figure.change),
    }
    if figure.score is None and not count:
        values["note"] = NO_SCORE
    return values


def _rank(rank: Rank | None) -> dict[str, str]:
    return {} if rank is None else {"rank": rank.text()}


def _parts(
    base: dict[str, str],
    breakdowns: Sequence[Breakdown],
    minimum: int,
    *,
    overall: bool = False,
    count: bool = False,
) -> Iterator[dict[str, str]]:
    for breakdown in breakdowns:
        where = {**base, "breakdown": breakdown.name}
        if breakdown.withheld:
            yield {**where, "note": breakdown.withheld}
            continue
        for part in breakdown.parts:
            yield {**where, "part": part.value, **_values(part.figure, minimum, overall=overall, count=count)}


def figure_rows(result: LevelResult, minimum: int) -> Iterator[dict[str, str]]:
    """Every figure of the level as a row (column name to cell; absent columns are empty)."""
    level = {"level": result.level, "key": result.key}
    completed = {**level, "figure": "completed"}
    if not result.reportable:
        yield {**completed, "note": result.why_not}
        return
    yield {**completed, **_values(result.completed, minimum, count=True)}
    yield from _parts(completed, result.completed_by, minimum, count=True)
    overall = {**level, "figure": "overall"}
    yield {**overall, **_values(result.overall, minimum, overall=True), **_rank(result.overall_rank)}
    yield from _parts(
        overall, (*result.overall_breakdowns, *result.overall_characteristics), minimum, overall=True
    )
    for s in result.sections:
        section = {**level, "figure": "section", "section": s.section, "title": s.title}
        yield {**section, **_values(s.figure, minimum), **_rank(s.rank)}
        yield from _parts(section, (*s.breakdowns, *s.characteristics), minimum)
        for q in s.questions:
            question = {**level, "figure": "question", "section": s.section, "question": q.question}
            yield {**question, "title": q.text, **_values(q.figure, minimum)}


def level_csv(result: LevelResult, minimum: int) -> str:
    """The level's figures as CSV text, every text cell safe to open in a spreadsheet (`neutralise`)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in figure_rows(result, minimum):
        writer.writerow([neutralise(row.get(c, "")) if c in _TEXT else row.get(c, "") for c in COLUMNS])
    return out.getvalue()


def csv_name(level: Level, key: str) -> str:
    """national.csv, region-north-east.csv, org-la-104.csv."""
    return "national.csv" if level == "national" else f"{level}-{file_slug(key)}.csv"
