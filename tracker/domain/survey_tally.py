"""Additive survey counters for one round, packed into one integer per cell so a national round is one pass.

Every counter a figure needs (rows; respondents scored in each section and in the `overall` sections;
favourable and answered counts per section; answers and their exact sum per question) is a fixed-width
field of one Python integer. A row becomes one such integer, and adding a row to a cell, or cells up to a
region or the nation, is one integer addition, so the cost per row does not grow with the number of cells
it counts in. Sums are kept exactly (each score as an integer multiple of 2**-K), so a mean is the correctly
rounded quotient, the very float `math.fsum(values) / len(values)` gives in `survey_scoring`.
"""

from __future__ import annotations

import math
import sys
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from tracker.domain.surveys import Response, SurveyDefinition

TOTAL = -1  # the dimension index of a level's total cell (value "")
NOT_STATED = ""  # the value of the rows that left a dimension's cell blank
ORG_COLUMN = "org"

CellKey = tuple[int, str]  # (dimension index or TOTAL, value)
Cells = dict[CellKey, int]


@dataclass(frozen=True, slots=True)
class SectionStats:
    """One section's counters in one cell; `score` is the mean of question means, as in `score_round`."""

    n: int
    favourable: int
    answered: int
    means: tuple[float | None, ...]  # per question, reverse items reversed; None: no scored answer
    answers: tuple[int, ...]  # per question, scored answers
    score: float | None

    @property
    def agree_pct(self) -> float | None:
        return 100.0 * self.favourable / self.answered if self.answered else None


@dataclass(frozen=True, slots=True)
class CellStats:
    """Every counter of one cell: rows, respondents scored in the overall sections, each section."""

    rows: int
    overall_n: int
    sections: tuple[SectionStats, ...]


def _exact(value: float) -> tuple[int, int]:
    """(p, k) with value == p / 2**k exactly; ValueError for a score that cannot be counted."""
    if not math.isfinite(value) or not 0.0 <= value <= 100.0:
        raise ValueError(f"an answer's score must be from 0 to 100, found {value!r}")
    numerator, denominator = value.as_integer_ratio()
    return numerator, denominator.bit_length() - 1


class Layout:
    """Where each counter sits in a cell's integer, and the integer each possible answer adds."""

    def __init__(self, definition: SurveyDefinition, values: Iterable[float], max_rows: int) -> None:
        sections = definition.sections
        overall = set(definition.overall) or {section.id for section in sections}
        scores = sorted({float(v) for v in values} | {float(s) for _, s in definition.scale.options})
        stored = {v: (v, 100.0 - v) for v in scores}  # (as answered, reversed)
        exact = {x: _exact(x) for pair in stored.values() for x in pair}
        self.shift = max((k for _, k in exact.values()), default=0)
        scaled = {x: p << (self.shift - k) for x, (p, k) in exact.items()}
        biggest = max(max(scaled.values(), default=0) * max(1, max_rows), max(1, max_rows))
        bits = biggest.bit_length() + 1
        self.width = 32 if bits <= 32 else 64 if bits <= 64 else -(-bits // 8) * 8
        self.section_count = len(sections)
        self.question_counts = tuple(len(section.questions) for section in sections)
        self.fields = 2 + 2 * self.section_count + 2 * sum(self.question_counts)
        self.mask = (1 << self.width) - 1
        self.row = 1  # field 0: rows
        self.overall_bit = 1 << self.width  # field 1: respondents scored in an overall section
        self._plan: list[tuple[int, bool, tuple[tuple[str, dict[float, int]], ...]]] = []
        field = 2 + 2 * self.section_count
        for index, section in enumerate(sections):
            n_bit = 1 << (self.width * (2 + index))
            favourable_bit = 1 << (self.width * (2 + self.section_count + index))
            questions: list[tuple[str, dict[float, int]]] = []
            for qid in section.question_ids:
                reverse = qid in section.reverse
                count_bit, sum_shift = 1 << (self.width * field), self.width * (field + 1)
                table = {}
                for value, (plain, reversed_) in stored.items():
                    counted = reversed_ if reverse else plain
                    liked = definition.scale.favourable(value, reverse)
                    table[value] = (
                        count_bit + (scaled[counted] << sum_shift) + (favourable_bit if liked else 0)
                    )
                questions.append((qid, table))
                field += 2
            self._plan.append((n_bit, section.id in overall, tuple(questions)))

    def encode(self, response: Response) -> int:
        """The row's counters as one integer; KeyError for an answer score the layout does not know."""
        answers = response.answers
        packed = self.row
        in_overall = False
        for n_bit, overall, questions in self._plan:
            scored = False
            for qid, table in questions:
                value = answers.get(qid)
                if value is not None:
                    packed += table[value]
                    scored = True
            if scored:
                packed += n_bit
                in_overall = in_overall or overall
        return packed + self.overall_bit if in_overall else packed

    def rows(self, packed: int) -> int:
        """The rows counted in a cell, without decoding the rest."""
        return packed & self.mask

    def decode(self, packed: int) -> CellStats:
        counts = self._fields(packed)
        sections: list[SectionStats] = []
        field = 2 + 2 * self.section_count
        unit = 1 << self.shift
        for index, size in enumerate(self.question_counts):
            means: list[float | None] = []
            answers: list[int] = []
            for _ in range(size):
                count, total = counts[field], counts[field + 1]
                means.append(total / unit / count if count else None)
                answers.append(count)
                field += 2
            scored = [mean for mean in means if mean is not None]
            sections.append(
                SectionStats(
                    n=counts[2 + index],
                    favourable=counts[2 + self.section_count + index],
                    answered=sum(answers),
                    means=tuple(means),
                    answers=tuple(answers),
                    score=math.fsum(scored) / len(scored) if scored else None,
                )
            )
        return CellStats(rows=counts[0], overall_n=counts[1], sections=tuple(sections))

    def sizes(self, packed: int) -> CellStats:
        """Only the respondents counted (no answers, means or scores): for a group that is never shown."""
        counts = self._fields(packed)
        sections = tuple(
            SectionStats(counts[2 + index], 0, 0, (), (), None) for index in range(self.section_count)
        )
        return CellStats(rows=counts[0], overall_n=counts[1], sections=sections)

    def _fields(self, packed: int) -> Sequence[int]:
        size = self.width // 8
        raw = packed.to_bytes(self.fields * size, "little")
        if self.width in (32, 64):
            code = next(c for c in "ILQ" if array(c).itemsize == size)
            fields = array(code, raw)
            if sys.byteorder == "big":
                fields.byteswap()
            return fields
        return [int.from_bytes(raw[i : i + size], "little") for i in range(0, len(raw), size)]


def tally(
    definition: SurveyDefinition,
    rows: Sequence[Response],
    dimensions: Sequence[str],
    organisations: Mapping[str, object],
) -> tuple[Layout, dict[str | None, Cells]]:
    """Cells by organisation id (None: rows of no loaded organisation), each by (dimension, value).

    A row counts in its organisation's total cell and in one cell per dimension (its value there, or
    NOT_STATED when blank).
    """
    layout = Layout(definition, (), len(rows))
    try:
        return layout, _tally(layout, rows, dimensions, organisations)
    except KeyError:  # an answer score not on the scale (a hand-made response): lay out every score seen
        seen = {v for r in rows for v in r.answers.values() if v is not None}
        layout = Layout(definition, seen, len(rows))
        return layout, _tally(layout, rows, dimensions, organisations)


def _tally(
    layout: Layout, rows: Sequence[Response], dimensions: Sequence[str], organisations: Mapping[str, object]
) -> dict[str | None, Cells]:
    by_org: dict[str | None, Cells] = {}
    indexed = tuple(enumerate(dimensions))
    for response in rows:
        groups = response.groups
        org = groups.get(ORG_COLUMN)
        cells = by_org.setdefault(org if org in organisations else None, {})
        packed = layout.encode(response)
        key: CellKey = (TOTAL, NOT_STATED)
        cells[key] = cells.get(key, 0) + packed
        for index, name in indexed:
            key = (index, groups.get(name, NOT_STATED))
            cells[key] = cells.get(key, 0) + packed
    return by_org


def merge(parts: Iterable[Cells]) -> Cells:
    """Cells added up key by key (organisations into a region, regions into the nation)."""
    total: Cells = {}
    for cells in parts:
        for key, packed in cells.items():
            total[key] = total.get(key, 0) + packed
    return total
