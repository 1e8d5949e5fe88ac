"""The results of a survey round at one level (national, region, organisation), as every output shows them.

Built by `survey_levels.national_round`; the rules (suppression, ranks, overall) are in its docstring.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from tracker.domain.survey_ranking import Rank
from tracker.domain.survey_suppression import Reason
from tracker.domain.surveys import BANDS, Band, round_half_up, rounded_score

Level = Literal["national", "region", "org"]
LEVELS: tuple[Level, ...] = ("national", "region", "org")
REASONS: tuple[Reason, ...] = ("", "small", "complementary")
ORGANISATION_KINDS: tuple[str, ...] = ("local_authority", "nhs_trust", "not_for_profit", "other")


def overall_text(score: float) -> str:
    """An overall figure as shown: 1 decimal with ".0" dropped (74, 77.5)."""
    shown = round_half_up(score, 1)
    return str(int(shown)) if shown.is_integer() else str(shown)


def suppressed_text(minimum: int) -> str:
    """What pages and PDFs print in place of a suppressed figure."""
    return f"Fewer than {minimum}"


# -- reading results back from their JSON (stored results, `tracker.services.survey_levels`) ------------


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError(f"expected text, found {value!r}")
    return value


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"expected true or false, found {value!r}")
    return value


def _count(value: Any) -> int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise ValueError(f"expected a whole number or null, found {value!r}")
    return value


def _number(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"expected a number or null, found {value!r}")
    return float(value)


def _band(value: Any) -> Band | None:
    for band in (None, *BANDS):
        if value == band:
            return band
    raise ValueError(f"expected a band ({', '.join(BANDS)}) or null, found {value!r}")


def _reason(value: Any) -> Reason:
    for reason in REASONS:
        if value == reason:
            return reason
    raise ValueError(f"expected a reason ({', '.join(map(repr, REASONS))}), found {value!r}")


def _level(value: Any) -> Level:
    for level in LEVELS:
        if value == level:
            return level
    raise ValueError(f"expected a level ({', '.join(LEVELS)}), found {value!r}")


def _rank(value: Any) -> Rank | None:
    return None if value is None else Rank.from_json(value)


def _breakdowns(values: Any) -> tuple[Breakdown, ...]:
    return tuple(Breakdown.from_json(b) for b in values)


@dataclass(frozen=True, slots=True)
class Organisation:
    """A participating organisation; kind is one of ORGANISATION_KINDS."""

    id: str
    name: str
    kind: str
    region: str

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "kind": self.kind, "region": self.region}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Organisation:
        return cls(_text(data["id"]), _text(data["name"]), _text(data["kind"]), _text(data["region"]))


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

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Figure:
        return cls(
            n=_count(data["n"]),
            score=_number(data["score"]),
            band=_band(data["band"]),
            reason=_reason(data["reason"]),
            previous=_number(data["previous"]),
            change=_number(data["change"]),
            agree_pct=_number(data["agree_pct"]),
        )


@dataclass(frozen=True, slots=True)
class Part:
    value: str  # the breakdown value, e.g. "children"
    figure: Figure

    def to_json(self) -> dict[str, Any]:
        return {"value": self.value, **self.figure.to_json()}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Part:
        return cls(_text(data["value"]), Figure.from_json(data))


@dataclass(frozen=True, slots=True)
class Breakdown:
    name: str  # "service_area", "profession", "gender", ...
    parts: tuple[Part, ...]  # sorted by value (casefold); "not stated" never listed
    withheld: str = ""  # non-empty: the whole breakdown is not shown, and why (org-level characteristics)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "withheld": self.withheld, "parts": [p.to_json() for p in self.parts]}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Breakdown:
        return cls(
            _text(data["name"]), tuple(Part.from_json(p) for p in data["parts"]), _text(data["withheld"])
        )


@dataclass(frozen=True, slots=True)
class QuestionFigure:
    question: str
    text: str
    figure: Figure

    def to_json(self) -> dict[str, Any]:
        return {"question": self.question, "text": self.text, **self.figure.to_json()}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> QuestionFigure:
        return cls(_text(data["question"]), _text(data["text"]), Figure.from_json(data))


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

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> SectionLevel:
        return cls(
            section=_text(data["section"]),
            title=_text(data["title"]),
            figure=Figure.from_json(data),
            questions=tuple(QuestionFigure.from_json(q) for q in data["questions"]),
            breakdowns=_breakdowns(data["breakdowns"]),
            characteristics=_breakdowns(data["characteristics"]),
            rank=_rank(data["rank"]),
            vs_region=_number(data["vs_region"]),
            vs_national=_number(data["vs_national"]),
        )


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

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> LevelResult:
        overall = data["overall"]
        organisation = data["organisation"]
        return cls(
            level=_level(data["level"]),
            key=_text(data["key"]),
            name=_text(data["name"]),
            round_label=_text(data["round"]),
            previous_label=None if data["previous_round"] is None else _text(data["previous_round"]),
            completed=Figure.from_json(data["completed"]),
            completed_by=_breakdowns(data["completed_by"]),
            overall=Figure.from_json(overall),
            overall_rank=_rank(overall["rank"]),
            overall_vs_region=_number(overall["vs_region"]),
            overall_vs_national=_number(overall["vs_national"]),
            sections=tuple(SectionLevel.from_json(s) for s in data["sections"]),
            reportable=_flag(data["reportable"]),
            why_not=_text(data["why_not"]),
            organisation=None if organisation is None else Organisation.from_json(organisation),
            overall_breakdowns=_breakdowns(overall["breakdowns"]),
            overall_characteristics=_breakdowns(overall["characteristics"]),
        )


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

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> RegionRow:
        sections = data["sections"]
        return cls(
            _text(data["region"]),
            Figure.from_json(data["overall"]),
            tuple((_text(sid), Figure.from_json(figure)) for sid, figure in sections.items()),
        )


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
