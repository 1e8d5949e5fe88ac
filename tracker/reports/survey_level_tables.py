"""The breakdown tables of a survey level report: how many completed by each group, and each standard by
service area or by characteristic, as rows of `Cell`s (suppressed parts print only the threshold's words)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from tracker.domain.survey_level_results import Breakdown, Figure, LevelResult
from tracker.reports.survey_level_cells import Cell, cell, count_cell, shown_value, value_label

_SHORT = re.compile("\\s+[\u2013\u2014-]\\s+")  # "Standard 1 \u2013 Strong and ..." -> "Standard 1"


@dataclass(frozen=True, slots=True)
class CountTable:
    """How many completed, by one breakdown (service area, profession)."""

    name: str
    label: str
    rows: tuple[tuple[str, Cell], ...]  # (group, count)
    withheld: str = ""


@dataclass(frozen=True, slots=True)
class GroupRow:
    key: str  # "overall" or a section id
    label: str
    total: Cell  # the figure over everyone at this level
    cells: tuple[Cell, ...]  # one per column; "" text where the group has no one
    values: tuple[
        float | None, ...
    ] = ()  # one per column: the shown value a chart draws; None when not shown


@dataclass(frozen=True, slots=True)
class GroupTable:
    """One breakdown of every standard: a column per group; withheld whole (saying why) when too small."""

    name: str
    label: str
    columns: tuple[str, ...]
    rows: tuple[GroupRow, ...]
    withheld: str = ""


def short_title(title: str) -> str:
    """A section's title before its dash ("Standard 3"), for narrow columns and sentences."""
    return _SHORT.split(title, maxsplit=1)[0]


def count_tables(breakdowns: Sequence[Breakdown], minimum: int) -> tuple[CountTable, ...]:
    return tuple(
        CountTable(
            b.name,
            value_label(b.name),
            tuple((value_label(p.value), count_cell(p.figure, minimum)) for p in b.parts),
            b.withheld,
        )
        for b in breakdowns
    )


def _columns(breakdowns: Sequence[Breakdown]) -> tuple[str, ...]:
    values = {p.value for b in breakdowns for p in b.parts}
    return tuple(sorted(values, key=lambda v: (v.casefold(), v)))


def group_tables(
    result: LevelResult,
    which: Literal["breakdowns", "characteristics"],
    minimum: int,
    overall_label: str,
) -> tuple[GroupTable, ...]:
    """One table per breakdown (or characteristic): the overall row (when the engine gives it), then each
    section, each with its total and a cell per group."""
    overall = result.overall_breakdowns if which == "breakdowns" else result.overall_characteristics
    sections = [(s.section, s.title, s.figure, getattr(s, which)) for s in result.sections]
    count = max([len(overall), *(len(parts) for *_, parts in sections)], default=0)
    tables = []
    for index in range(count):
        rows_in: list[tuple[str, str, Figure, Breakdown, bool]] = []
        if index < len(overall):
            rows_in.append(("overall", overall_label, result.overall, overall[index], True))
        rows_in += [
            (key, title, f, parts[index], False) for key, title, f, parts in sections if index < len(parts)
        ]
        found = [b for *_, b, _o in rows_in]
        withheld = next((b.withheld for b in found if b.withheld), "")
        columns = () if withheld else _columns(found)
        rows = []
        for key, label, figure, breakdown, is_overall in rows_in:
            parts = {p.value: p.figure for p in breakdown.parts}
            cells = tuple(
                cell(parts[c], minimum, overall=is_overall) if c in parts else Cell("") for c in columns
            )
            values = tuple(shown_value(parts[c], is_overall) if c in parts else None for c in columns)
            rows.append(GroupRow(key, label, cell(figure, minimum, overall=is_overall), cells, values))
        tables.append(
            GroupTable(
                found[0].name,
                value_label(found[0].name),
                tuple(value_label(c) for c in columns),
                () if withheld else tuple(rows),
                withheld,
            )
        )
    return tuple(tables)
