"""The results of a survey round at one level (national, region, organisation), as every output shows them.

Built by `survey_levels.national_round`; the rules (suppression, ranks, overall) are in its docstring.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from tracker.domain.survey_ranking import Rank
from tracker.domain.survey_suppression import Reason
from tracker.domain.surveys import Band, round_half_up, rounded_score

Level = Literal["national", "region", "org"]
ORGANISATION_KINDS: tuple[str, ...] = ("local_authority", "nhs_trust", "not_for_profit", "other")


def overall_text(score: float) -> str:
    """An overall figure as shown: 1 decimal with ".0" dropped (74, 77.5)."""
    shown = round_half_up(score, 1)
    return str(int(shown)) if shown.is_integer() else str(shown)


def suppressed_text(minimum: int) -> str:
    """What pages and PDFs print in place of a suppressed figure."""
    return f"Fewer than {minimum}"


@dataclass(frozen=True, slots=True)
class Organisation:
    """A participating organisation; kind is one of ORGANISATION_KINDS."""

    id: str
    name: str
    kind: str
    region: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "kind": self.kind, "region": self.region}


@dataclass(frozen=True, slots=True)
class Figure:
    """One number as every output shows it: withheld entirely when suppressed."""

    n: int | None  # None when suppressed
    score: float | None  # unrounded; None when suppressed or no scored answer (or a count figure)
    band: Band | None
    reason: Reason  # "" shown, "small", "complementary"
    previous: float | None = None  # previous round's shown score
    change: float | None = None  # score - previous, points, unrounded
    agree_pct: float | None = None  # section figures: share of favourable answers

    @property
    def suppressed(self) -> bool:
        return bool(self.reason)

    def to_json(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "score": self.score,
            "band": self.band,
            "suppressed": self.suppressed,
            "reason": self.reason,
            "previous": self.previous,
            "change": self.change,
            "agree_pct": self.agree_pct,
        }


@dataclass(frozen=True, slots=True)
class Part:
    value: str  # the breakdown value, e.g. "children"
    figure: Figure

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, **self.figure.to_json()}


@dataclass(frozen=True, slots=True)
class Breakdown:
    name: str  # "service_area", "profession", "gender", ...
    parts: tuple[Part, ...]  # sorted by value (casefold); "not stated" never listed
    withheld: str = ""  # non-empty: the whole breakdown is not shown, and why (org-level characteristics)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "withheld": self.withheld, "parts": [p.to_json() for p in self.parts]}


@dataclass(frozen=True, slots=True)
class QuestionFigure:
    question: str
    text: str
    figure: Figure

    def to_json(self) -> dict[str, Any]:
        return {"question": self.question, "text": self.text, **self.figure.to_json()}


@dataclass(frozen=True, slots=True)
class SectionLevel:
    section: str
    title: str
    figure: Figure
    questions: tuple[QuestionFigure, ...]
    breakdowns: tuple[Breakdown, ...]  # one per definition breakdown (service area), same order
    characteristics: tuple[Breakdown, ...]  # one per definition characteristic
    rank: Rank | None = None  # org level only
    vs_region: float | None = None  # org level only
    vs_national: float | None = None  # org and region level

    def to_json(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "title": self.title,
            **self.figure.to_json(),
            "rank": None if self.rank is None else self.rank.to_json(),
            "vs_region": self.vs_region,
            "vs_national": self.vs_national,
            "questions": [q.to_json() for q in self.questions],
            "breakdowns": [b.to_json() for b in self.breakdowns],
            "characteristics": [c.to_json() for c in self.characteristics],
        }


@dataclass(frozen=True, slots=True)
class LevelResult:
    level: Level
    key: str  # "" national, the region name, the organisation id
    name: str  # "National", the region, the organisation's name
    round_label: str
    previous_label: str | None
    completed: Figure  # count of respondents (score None)
    completed_by: tuple[Breakdown, ...]  # counts by each breakdown, then "profession" if any row has one
    overall: Figure  # mean of the `overall` sections
    overall_rank: Rank | None
    overall_vs_region: float | None
    overall_vs_national: float | None
    sections: tuple[SectionLevel, ...]
    reportable: bool = True
    why_not: str = ""
    organisation: Organisation | None = None  # org level
    overall_breakdowns: tuple[Breakdown, ...] = ()  # overall by each breakdown ("Standards 1-8" by area)
    overall_characteristics: tuple[Breakdown, ...] = ()  # overall by each characteristic

    def section(self, section_id: str) -> SectionLevel | None:
        return next((s for s in self.sections if s.section == section_id), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "key": self.key,
            "name": self.name,
            "round": self.round_label,
            "previous_round": self.previous_label,
            "reportable": self.reportable,
            "why_not": self.why_not,
            "organisation": None if self.organisation is None else self.organisation.to_json(),
            "completed": self.completed.to_json(),
            "completed_by": [b.to_json() for b in self.completed_by],
            "overall": {
                **self.overall.to_json(),
                "rank": None if self.overall_rank is None else self.overall_rank.to_json(),
                "vs_region": self.overall_vs_region,
                "vs_national": self.overall_vs_national,
                "breakdowns": [b.to_json() for b in self.overall_breakdowns],
                "characteristics": [c.to_json() for c in self.overall_characteristics],
            },
            "sections": [s.to_json() for s in self.sections],
        }


@dataclass(frozen=True, slots=True)
class RegionRow:
    """One region's overall and section figures, with previous/change (the chart by region v last year)."""

    region: str
    overall: Figure
    sections: tuple[tuple[str, Figure], ...]  # (section id, figure with previous/change)

    def to_json(self) -> dict[str, Any]:
        return {
            "region": self.region,
            "overall": self.overall.to_json(),
            "sections": {sid: figure.to_json() for sid, figure in self.sections},
        }


@dataclass(frozen=True, slots=True)
class NationalRound:
    definition_id: str
    round_label: str
    previous_label: str | None
    national: LevelResult
    regions: Mapping[str, LevelResult]  # by region name, sorted
    orgs: Mapping[str, LevelResult]  # by organisation id, every loaded organisation
    by_region: tuple[RegionRow, ...]

    def level(self, level: Level, key: str = "") -> LevelResult | None:
        if level == "national":
            return self.national
        return (self.regions if level == "region" else self.orgs).get(key)

    def strip(self, section: str | None, kind: str) -> tuple[tuple[str, float], ...]:
        """(org id, shown score) of every ranked organisation of `kind`, best first; None: overall."""
        ranked: list[tuple[str, float]] = []
        for org_id, result in self.orgs.items():
            if result.organisation is None or result.organisation.kind != kind:
                continue
            if section is None:
                if result.overall_rank is not None and result.overall.score is not None:
                    ranked.append((org_id, round_half_up(result.overall.score, 1)))
                continue
            level = result.section(section)
            if level is not None and level.rank is not None and level.figure.score is not None:
                ranked.append((org_id, float(rounded_score(level.figure.score))))
        return tuple(sorted(ranked, key=lambda item: (-item[1], item[0])))
