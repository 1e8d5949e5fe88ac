"""One level's numbers and why each is suppressed, kept apart from its figures so that the rules across
levels can add suppressions (and their complements) before anything is shown or remembered."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from tracker.domain.survey_level_results import (
    Breakdown,
    Figure,
    Level,
    LevelResult,
    Organisation,
    Part,
    QuestionFigure,
    SectionLevel,
)
from tracker.domain.survey_suppression import (
    WITHHELD_LOCALLY,
    Candidate,
    Reason,
    alone,
    given_away,
    part_reasons,
    withheld_locally,
)
from tracker.domain.survey_tally import NOT_STATED, TOTAL, Cells, CellStats, Layout
from tracker.domain.surveys import SurveyDefinition, rounded_score

# a figure within a level: figure (section id, "overall" or "completed"), question, dimension, value
Key = tuple[str, str, str, str]
# a figure's place across rounds: level, level key, then its Key
Path = tuple[str, str, str, str, str, str]
Number = tuple[int, float | None, float | None]  # n, score (None: a count, or nothing scored), agree_pct
COMPLETED, OVERALL = "completed", "overall"


def _values(cells: Cells, dimension: int) -> list[str]:
    """The dimension's values at a level, sorted (casefold), then NOT_STATED when some rows left it blank."""
    found = [value for index, value in cells if index == dimension]
    listed = sorted((v for v in found if v != NOT_STATED), key=lambda v: (v.casefold(), v))
    return [*listed, NOT_STATED] if NOT_STATED in found else listed


def _why_not(definition: SurveyDefinition, level: Level, name: str) -> str:
    where = "" if level == "national" else f" in {name}"
    what = {
        "national": "there is no national report",
        "region": "there is no regional report",
        "org": "it has no local report and is not ranked",
    }[level]
    return (
        f"Fewer than {definition.min_group_size} people completed the {definition.title}{where}, "
        f"so {what}: results from groups under {definition.min_group_size} are never shown."
    )


@dataclass(frozen=True, slots=True)
class Sheet:
    """A level before it is shown: every figure's numbers by Key, "not stated" parts included.

    `reasons` gains suppressions while the rules run; `splits` lists each breakdown's values in order.
    A characteristic withheld whole (`withheld`) keeps its numbers, every part "small", so that the rules
    across levels count its groups as hidden.
    """

    level: Level
    key: str
    name: str
    organisation: Organisation | None
    reportable: bool
    numbers: dict[Key, Number]
    reasons: dict[Key, Reason]
    splits: dict[tuple[str, str], tuple[str, ...]]  # (figure, dimension) -> values, NOT_STATED last
    withheld: frozenset[str]  # dimensions withheld whole at this level (org-level characteristics)

    def shown(self) -> dict[Key, int]:
        """The n of every figure a reader sees or works out: a "not stated" part is never listed, but is
        its total minus the other parts when they and the total are shown."""
        numbers, reasons = self.numbers, self.reasons
        seen = {
            k: numbers[k][0] for k, why in reasons.items() if not why and not (k[2] and k[3] == NOT_STATED)
        }
        for (figure, dimension), values in self.splits.items():
            if not values or values[-1] != NOT_STATED or (figure, "", "", "") not in seen:
                continue
            rest = (figure, "", dimension, NOT_STATED)
            parts = [(figure, "", dimension, value) for value in values[:-1]]
            if not reasons[rest] and all(k in seen or not numbers[k][0] for k in parts):
                seen[rest] = numbers[rest][0]
        return seen

    def hiding(self, key: Key, minimum: int) -> Reason:
        """Why the figure is suppressed, as a part of its parent's figure: a group of a characteristic
        withheld whole is hidden but not secret unless it is too small to show, so it covers others."""
        why = self.reasons[key]
        return "" if why and key[2] in self.withheld and self.numbers[key][0] >= minimum else why

    def complete(self, figure: str, dimension: str) -> None:
        """The within-breakdown rule on one breakdown of a figure, adding to the suppressions so far; the
        figure itself goes when its one part with respondents is suppressed (it is that part)."""
        keys = [(figure, "", dimension, value) for value in self.splits[(figure, dimension)]]
        total = (figure, "", "", "")
        parts = [Candidate(k[3] if k[3] != NOT_STATED else None, self.numbers[k][0], False) for k in keys]
        reasons = part_reasons(not self.reasons[total], parts, [self.reasons[k] for k in keys])
        self.reasons.update(zip(keys, reasons, strict=True))
        if not self.reasons[total] and alone(parts, reasons):
            self.reasons[total] = "complementary"

    def complete_all(self, touched: Iterable[Key]) -> None:
        """The within-breakdown rule again on every breakdown that one of the `touched` parts belongs to."""
        for figure, dimension in sorted({(k[0], k[2]) for k in touched if k[2]}):
            self.complete(figure, dimension)

    def protect_from(self, children: Iterable[Mapping[Key, int]], minimum: int) -> bool:
        """The rule across levels: suppress what a shown child figure gives away, then their complements."""
        found = given_away(self.shown(), children, minimum)
        for key in found:
            self.reasons[key] = "complementary"
        self.complete_all(found)
        return bool(found)

    def cover_parts(self, children: Sequence[Sheet], minimum: int) -> bool:
        """The within-breakdown rule with the children as the parts of each shown figure of this level.

        A figure's parts are the same figure of each child with respondents, plus a never-listed remainder
        (this level's n minus theirs: rows of no loaded organisation), shown unless smaller than `minimum`.
        When exactly one part is suppressed, the smallest shown one goes too (ties: the remainder, then by
        name), else this figure minus the shown parts would give it back, or, with no other part, this
        figure (it is that part); then the breakdowns touched.
        """
        touched: dict[int, tuple[Sheet, set[Key]]] = {}
        mine: set[Key] = set()
        for key, total in self.shown().items():
            present = [
                (child, number[0])
                for child in children
                if (number := child.numbers.get(key)) is not None and number[0] > 0
            ]
            rest = total - sum(n for _, n in present)
            before: list[Reason] = [child.hiding(key, minimum) for child, _ in present]
            if sum(1 for why in before if why) + (0 < rest < minimum) != 1:
                continue
            candidates = [Candidate(child.name, n, False) for child, n in present]
            if rest > 0:
                candidates.append(Candidate(None, rest, False))
                before.append("small" if rest < minimum else "")
            after = part_reasons(True, candidates, before)
            for (child, _), now in zip(present, after, strict=False):
                if now and not child.reasons[key]:
                    child.reasons[key] = now
                    touched.setdefault(id(child), (child, set()))[1].add(key)
            if alone(candidates, after):
                self.reasons[key] = "complementary"
                mine.add(key)
        for child, keys in touched.values():
            child.complete_all(keys)
        self.complete_all(mine)
        return bool(touched or mine)


def settle(national: Sheet, regions: Sequence[tuple[Sheet, Sequence[Sheet]]], minimum: int) -> None:
    """The rules across levels, again and again until none adds a suppression (they only ever add).

    Each time round: every region against its organisations (one child at a time, then the organisations
    as its parts), then the nation against the regions and every organisation, then the regions as its
    parts; each rule runs the within-breakdown rule again on the breakdowns it touched.
    """
    changed = True
    while changed:
        changed = False
        shown: list[Mapping[Key, int]] = []
        for region, orgs in regions:
            seen = [org.shown() for org in orgs]
            changed |= region.protect_from(seen, minimum)
            if region.cover_parts(orgs, minimum):
                changed, seen = True, [org.shown() for org in orgs]
            shown += seen
        children = [*(region.shown() for region, _ in regions), *shown]
        changed |= national.protect_from(children, minimum)
        changed |= national.cover_parts([region for region, _ in regions], minimum)


class LevelBuilder:
    """Measures one round's levels into sheets, then shows them; remembers every shown score by path."""

    def __init__(
        self,
        definition: SurveyDefinition,
        layout: Layout,
        dimensions: Sequence[str],
        counted: Sequence[int],
        previous: Mapping[Path, float],
        labels: tuple[str, str | None],
    ) -> None:
        self.definition = definition
        self.minimum = definition.min_group_size
        self.layout = layout
        self.dimensions = dimensions
        self.breakdowns = tuple(dimensions.index(name) for name in definition.breakdowns)
        self.characteristics = tuple(dimensions.index(name) for name in definition.characteristics)
        self.counted = counted
        chosen = set(definition.overall) or {section.id for section in definition.sections}
        self.overall = tuple(i for i, s in enumerate(definition.sections) if s.id in chosen)
        self.previous = previous
        self.labels = labels
        self.record: dict[Path, float] = {}

    def overall_of(self, stats: CellStats) -> tuple[int, float | None, bool]:
        """(n, score, small) of the overall figure: small unless every overall section is shown."""
        scores: list[float] = []
        for index in self.overall:
            section = stats.sections[index]
            if section.n < self.minimum or section.score is None:
                return stats.overall_n, None, True
            scores.append(section.score)
        if not scores:
            return stats.overall_n, None, True
        return stats.overall_n, math.fsum(scores) / len(scores), stats.overall_n < self.minimum

    def measure(
        self, level: Level, key: str, name: str, cells: Cells, organisation: Organisation | None = None
    ) -> Sheet:
        """Every figure's numbers, suppressed when small, then by the within-breakdown rule."""
        minimum, layout, dimensions = self.minimum, self.layout, self.dimensions
        numbers: dict[Key, Number] = {}
        reasons: dict[Key, Reason] = {}
        splits: dict[tuple[str, str], tuple[str, ...]] = {}

        def put(at: Key, n: int, score: float | None, small: bool, agree: float | None) -> None:
            numbers[at] = (n, score, agree)
            reasons[at] = "small" if small else ""

        total = layout.decode(cells.get((TOTAL, NOT_STATED), 0))
        put((COMPLETED, "", "", ""), total.rows, None, total.rows < minimum, None)
        for d in self.counted:
            values = _values(cells, d)
            splits[(COMPLETED, dimensions[d])] = tuple(values)
            for value in values:
                rows = layout.rows(cells[(d, value)])
                put((COMPLETED, "", dimensions[d], value), rows, None, rows < minimum, None)
        scored: dict[str, list[tuple[str, CellStats]]] = {}
        withheld: set[str] = set()
        for d in self.breakdowns + self.characteristics:
            values = _values(cells, d)
            local = level == "org" and d in self.characteristics
            if local and withheld_locally([layout.rows(cells[(d, v)]) for v in values], minimum):
                withheld.add(dimensions[d])  # counted only, for the rules across levels
                scored[dimensions[d]] = [(v, layout.sizes(cells[(d, v)])) for v in values]
            else:
                scored[dimensions[d]] = [(v, layout.decode(cells[(d, v)])) for v in values]
        for index, section in enumerate(self.definition.sections):
            stats = total.sections[index]
            small = stats.n < minimum or stats.score is None
            put((section.id, "", "", ""), stats.n, stats.score, small, stats.agree_pct)
            for qid, count, mean in zip(section.question_ids, stats.answers, stats.means, strict=True):
                put((section.id, qid, "", ""), count, mean, count < minimum or mean is None, None)
            for dimension, parts in scored.items():
                splits[(section.id, dimension)] = tuple(value for value, _ in parts)
                for value, cell in parts:
                    part = cell.sections[index]
                    small = part.n < minimum or part.score is None or dimension in withheld
                    put((section.id, "", dimension, value), part.n, part.score, small, part.agree_pct)
        put((OVERALL, "", "", ""), *self.overall_of(total), None)
        for dimension, parts in scored.items():
            splits[(OVERALL, dimension)] = tuple(value for value, _ in parts)
            for value, cell in parts:
                n, score, small = self.overall_of(cell)
                put((OVERALL, "", dimension, value), n, score, small or dimension in withheld, None)
        reportable, hidden = total.rows >= minimum, frozenset(withheld)
        sheet = Sheet(level, key, name, organisation, reportable, numbers, reasons, splits, hidden)
        for figure, dimension in splits:
            if dimension not in hidden:  # every part already suppressed
                sheet.complete(figure, dimension)
        return sheet

    def figure(self, path: Path, number: Number, reason: Reason) -> Figure:
        n, score, agree = number
        before = self.previous.get(path)
        if reason:
            return Figure(None, None, None, reason, before)
        band = None if score is None else self.definition.bands.band(rounded_score(score))
        if score is not None:
            self.record[path] = score
        change = None if score is None or before is None else score - before
        return Figure(n, score, band, "", before, change, agree)

    def show(self, sheet: Sheet) -> LevelResult:
        """The level as every output shows it, once every rule has run; records its shown scores."""

        def figure(at: Key) -> Figure:
            return self.figure((sheet.level, sheet.key, *at), sheet.numbers[at], sheet.reasons[at])

        def breakdowns(figure_id: str, dims: Sequence[int]) -> tuple[Breakdown, ...]:
            result: list[Breakdown] = []
            for d in dims:
                name = self.dimensions[d]
                if name in sheet.withheld:
                    result.append(Breakdown(name, (), WITHHELD_LOCALLY))
                    continue
                parts = (
                    Part(value, figure((figure_id, "", name, value)))
                    for value in sheet.splits[(figure_id, name)]
                    if value != NOT_STATED
                )
                result.append(Breakdown(name, tuple(parts)))
            return tuple(result)

        sections = tuple(
            SectionLevel(
                section.id,
                section.title,
                figure((section.id, "", "", "")),
                tuple(
                    QuestionFigure(qid, text, figure((section.id, qid, "", "")))
                    for qid, text in section.questions
                ),
                breakdowns(section.id, self.breakdowns),
                breakdowns(section.id, self.characteristics),
            )
            for section in self.definition.sections
        )
        return LevelResult(
            level=sheet.level,
            key=sheet.key,
            name=sheet.name,
            round_label=self.labels[0],
            previous_label=self.labels[1],
            completed=figure((COMPLETED, "", "", "")),
            completed_by=breakdowns(COMPLETED, self.counted),
            overall=figure((OVERALL, "", "", "")),
            overall_rank=None,
            overall_vs_region=None,
            overall_vs_national=None,
            sections=sections,
            reportable=sheet.reportable,
            why_not="" if sheet.reportable else _why_not(self.definition, sheet.level, sheet.name),
            organisation=sheet.organisation,
            overall_breakdowns=breakdowns(OVERALL, self.breakdowns),
            overall_characteristics=breakdowns(OVERALL, self.characteristics),
        )
