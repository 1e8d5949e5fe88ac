"""Evidence items as the engine sees them, and the tier of each: robust, indicative or anecdotal."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from operator import attrgetter
from types import MappingProxyType
from typing import Literal, NamedTuple

from tracker.domain.evidence_input import FINDINGS, FLAGS, SHOWS, SOURCE_TYPES
from tracker.domain.settings import DEFAULT_SETTINGS, RuleSettings

Tier = Literal["robust", "indicative", "anecdotal"]
Family = Literal["survey", "qualitative", "data", "document"]

NEGATIVE_FINDINGS: frozenset[str] = frozenset({"no_change", "contradicts", "mixed"})
# What evidence of effort answers (RBA: how much did we do, how well did we do it), as against effect.
EFFORT_SHOWS: frozenset[str] = frozenset({"how_much", "how_well"})
TIERS: tuple[Tier, ...] = ("robust", "indicative", "anecdotal")  # best first
TIER_RANK: Mapping[str, int] = MappingProxyType({tier: rank for rank, tier in enumerate(TIERS)})  # 0 is best
COUNTED_TIERS: frozenset[str] = frozenset({"robust", "indicative"})

# Testimonials have no family: they are never more than an illustration.
METHOD_FAMILIES: Mapping[str, Family | None] = MappingProxyType(
    {
        "survey": "survey",
        "feedback_form": "survey",
        "interview": "qualitative",
        "focus_group": "qualitative",
        "case_study": "qualitative",
        "observation": "qualitative",
        "admin_data": "data",
        "analytics": "data",
        "document": "document",
        "testimonial": None,
    }
)
_KNOWN_FLAGS = frozenset(FLAGS)
_KNOWN_SOURCE_TYPES = frozenset(SOURCE_TYPES)
SOURCE_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "survey": "survey",
        "feedback_form": "feedback form",
        "interview": "interview",
        "focus_group": "focus group",
        "case_study": "case study",
        "admin_data": "admin data",
        "analytics": "analytics",
        "document": "document",
        "observation": "observation",
        "testimonial": "testimonial",
    }
)


@dataclass(frozen=True, slots=True)
class EvidenceItem:
    """One accepted evidence item as plain values; the services layer builds these from rows."""

    id: int
    title: str
    source_type: str
    collected_on: date
    finding: str
    respondents: int | None = None
    population: int | None = None
    positive: int | None = None
    collection: str = ""
    group: str = ""
    independent: bool = False
    flags: frozenset[str] = frozenset()
    revision: int = 1
    quote: str = ""
    shows: str = ""  # how_much | how_well | better_off, or "" when not given (every item before issue 18)
    kpi: str = ""  # the id of a KPI whose value this item reports: that KPI's line stands for it

    def __post_init__(self) -> None:
        """Refuse values the rules cannot read, so a typo upstream fails loudly instead of mis-rating."""
        if self.source_type not in _KNOWN_SOURCE_TYPES:
            raise ValueError(f"unknown source type {self.source_type!r}; expected one of {SOURCE_TYPES}")
        if self.finding not in FINDINGS:
            raise ValueError(f"unknown finding {self.finding!r}; expected one of {FINDINGS}")
        if self.flags and not _KNOWN_FLAGS.issuperset(self.flags):
            unknown = sorted(set(self.flags) - _KNOWN_FLAGS)
            raise ValueError(f"unknown flags {unknown}; expected some of {FLAGS}")
        if self.shows and self.shows not in SHOWS:
            raise ValueError(f"unknown 'shows' {self.shows!r}; expected one of {SHOWS}")
        if not isinstance(self.flags, frozenset):
            object.__setattr__(self, "flags", frozenset(self.flags))

    @property
    def family(self) -> Family | None:
        return METHOD_FAMILIES[self.source_type]

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS[self.source_type]


class ItemAssessment(NamedTuple):
    """An item's tier, whether it counts towards the rating, and why, in one sentence.

    A named tuple (immutable like the other values here): one is made for each item a framework's ratings
    weigh, 33,000 a national framework, and a frozen dataclass took 0.53 µs to make against 0.32.
    """

    item_id: int
    tier: Tier
    counts: bool
    reason: str

    def to_json(self) -> dict[str, object]:
        return {"item": self.item_id, "tier": self.tier, "counts": self.counts, "reason": self.reason}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _rate_text(respondents: int, population: int) -> str:
    """A response rate rounded down, so 49.96% never shows as a misleading 50%."""
    rate = math.floor(respondents * 1000 / population) / 10
    return f"{int(rate)}%" if rate.is_integer() else f"{rate}%"


def _known_population(item: EvidenceItem) -> int | None:
    """A population of 0 or less is a data-entry slip, read as unknown rather than a 0% rate."""
    return item.population if item.population is not None and item.population > 0 else None


def _survey_tier(item: EvidenceItem, s: RuleSettings) -> tuple[str, Tier, str]:
    """(description, tier, note) for surveys and feedback forms."""
    label = item.source_label.capitalize()
    n = item.respondents
    if n is None:
        return f"{label} with the number of respondents not recorded", "anecdotal", ""
    population = _known_population(item)
    if population is not None:
        description = f"{label} with {n} of {population} responding ({_rate_text(n, population)})"
    else:
        description = f"{label} with {_plural(n, 'respondent')}"
    if n < s.survey_indicative_respondents:
        return description, "anecdotal", f" (fewer than {s.survey_indicative_respondents})"
    if n < s.survey_robust_respondents:
        return description, "indicative", f" ({s.survey_robust_respondents} or more would make it robust)"
    rate_ok = population is None or n * 100 >= s.survey_response_rate_percent * population - 1e-9
    if rate_ok:
        return description, "robust", ""
    if n >= s.survey_robust_any_rate_respondents:
        return description, "robust", f" ({s.survey_robust_any_rate_respondents} or more respondents)"
    return (
        description,
        "indicative",
        f" (response rate below {s.survey_response_rate_percent:g}% "
        f"and fewer than {s.survey_robust_any_rate_respondents} respondents)",
    )


def _qualitative_tier(item: EvidenceItem, s: RuleSettings) -> tuple[str, Tier, str]:
    """(description, tier, note) for interviews, focus groups, case studies and observations."""
    label = item.source_label.capitalize()
    n = item.respondents
    if n is None:
        return f"{label} with the number of participants not recorded", "anecdotal", ""
    description = f"{label} with {_plural(n, 'participant')}"
    if n >= s.qualitative_robust_participants:
        return description, "robust", ""
    if n >= s.qualitative_indicative_participants:
        return (
            description,
            "indicative",
            f" ({s.qualitative_robust_participants} or more would make it robust)",
        )
    return description, "anecdotal", f" (fewer than {s.qualitative_indicative_participants})"


def _base_tier(item: EvidenceItem, s: RuleSettings) -> tuple[str, Tier, str]:
    """The tier before the `indirect` flag, with the words that explain it."""
    family = item.family
    label = item.source_label.capitalize()
    if (
        family in ("survey", "qualitative")
        and item.respondents is None
        and item.independent
        and s.independent_unknown_size_indicative
    ):
        # The external evaluator's own fieldwork is more than an anecdote even when its size went unreported.
        size = "respondents" if family == "survey" else "participants"
        return (
            f"{label} by the external evaluator with the number of {size} not recorded",
            "indicative",
            " (collected independently, so more than an illustration)",
        )
    if family == "survey":
        return _survey_tier(item, s)
    if family == "qualitative":
        return _qualitative_tier(item, s)
    if family == "data":
        if "partial_coverage" in item.flags:
            return f"{label} with partial coverage", "indicative", ""
        return label, "robust", ""
    if family == "document":
        return label, "indicative", ""
    return label, "anecdotal", ""


def strength_order(counts: bool, tier: str, collected_on: date, item_id: int) -> tuple[bool, int, int, int]:
    """How lists of an outcome's items are ordered: counted first, robust first, newest first, then by id."""
    return (not counts, TIER_RANK[tier], -collected_on.toordinal(), item_id)


def lower_tier(tier: Tier) -> Tier:
    """One tier down; anecdotal stays anecdotal."""
    return TIERS[min(TIERS.index(tier) + 1, len(TIERS) - 1)]


def assess_item(item: EvidenceItem, settings: RuleSettings = DEFAULT_SETTINGS) -> ItemAssessment:
    """Tier an item by its source, size and flags, so evaluators can see why it does or does not count."""
    tier, counts, reason = _judgement(
        item.source_type,
        item.respondents,
        item.population,
        item.flags,
        item.independent,
        item.finding,
        settings,
    )
    return ItemAssessment(item.id, tier, counts, reason)


# The fields a judgement depends on, in `_judgement`'s order (read in C: it runs for every item).
_JUDGED_BY = attrgetter("source_type", "respondents", "population", "flags", "independent", "finding")


def item_assessor(settings: RuleSettings) -> Callable[[EvidenceItem], ItemAssessment]:
    """`assess_item` for one settings value, remembering each judgement by the fields it depends on: a
    framework's items share a few hundred, and hashing the settings for each of 30,000 items was a tenth of
    the engine's time."""
    judged: dict[tuple[str, int | None, int | None, frozenset[str], bool, str], tuple[Tier, bool, str]] = {}

    def assess(item: EvidenceItem) -> ItemAssessment:
        key = _JUDGED_BY(item)
        found = judged.get(key)
        if found is None:
            found = judged[key] = _judgement(*key, settings)
        return ItemAssessment(item.id, found[0], found[1], found[2])

    return assess


@lru_cache(maxsize=65_536)
def _judgement(
    source_type: str,
    respondents: int | None,
    population: int | None,
    flags: frozenset[str],
    independent: bool,
    finding: str,
    settings: RuleSettings,
) -> tuple[Tier, bool, str]:
    """(tier, counts, reason) from the only fields a tier depends on: many items share one, and its words."""
    item = EvidenceItem(
        0,
        "",
        source_type,
        date.min,
        "supports",
        respondents,
        population,
        independent=independent,
        flags=flags,
    )
    description, tier, note = _base_tier(item, settings)
    lowerings = []  # why the tier is lower than its source and size alone give, in order
    if "indirect" in flags:
        lowerings.append("indirect")
    if (
        "partial_coverage" in flags
        and finding == "supports"
        and item.family != "data"
        and settings.partial_coverage_lowers
    ):
        # Partial coverage limits how far support for part of the population generalises; a gap found in
        # part of it is a gap all the same, so evidence against keeps its tier (a caveat never raises a
        # rating). Data with partial coverage is indicative in `_base_tier`, whatever it finds, as before.
        lowerings.append("covering only part of the outcome's population")
    if lowerings:
        lowered = tier
        for _ in lowerings:
            lowered = lower_tier(lowered)
        reason = f"{description}: {tier}{note}, but {' and '.join(lowerings)}, so {lowered}."
        tier = lowered
    else:
        reason = f"{description}: {tier}{note}."
    if finding == "too_early":  # the effect cannot be measured yet: whatever its tier, it weighs nothing
        return tier, False, reason + " Too early to measure the effect, so it counts neither for nor against."
    counts = tier in COUNTED_TIERS and item.family is not None
    if not counts:
        reason += " Shown for illustration only; it does not count towards the rating."
    return tier, counts, reason


def describe_item(item: EvidenceItem) -> str:
    """How reasons name an item for a board member: its title, kind and size."""
    n = item.respondents
    word = _SIZE_WORDS.get(item.source_type) if n is not None else None
    size = f", {_plural(n, word)}" if word is not None and n is not None else ""
    return f'"{item.title}" ({SOURCE_LABELS[item.source_type]}{size})'


# What a size counts, by source type (surveys count respondents, qualitative methods participants):
# looked up at once, as `describe_item` names tens of thousands of items a national framework.
_SIZE_WORDS: Mapping[str, str] = MappingProxyType(
    {
        source: "respondent" if family == "survey" else "participant"
        for source, family in METHOD_FAMILIES.items()
        if family in ("survey", "qualitative")
    }
)
