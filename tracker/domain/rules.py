"""The rating rules as data: lines of evidence, and an ordered registry of rules where the first match wins.

How evidence becomes lines (judgement calls documented here so the rules stay readable):
- Only counted items (indicative or robust, with a method family) form clusters. Items sharing a
  `collection` are one cluster whatever their source types; an item without one is a cluster alone.
- A cluster's tier, family and respondent group are those of its best item: highest tier, then more
  respondents, then the lower id. Its findings are the findings of all its items, so a collection whose
  survey supports but whose analytics export shows no change both supports and does not.
- A line is a distinct (family, respondent group) pair; items with no group recorded share one "group
  not recorded" per family, so unlabelled evidence is never counted as several independent lines.
  Each linked KPI with a judged status (not `no_data`) is a robust line of its own.
- A line is positive when any of its clusters supports (or its KPI is met or partly met) and negative
  when any shows no change, contradicts or is mixed (or its KPI is missed); a line with both is counted
  in P and in N. P_r (N_r) counts positive (negative) lines with a robust cluster among those that make
  them positive (negative).
- `independent`, `positive` and `quote` are shown with an item but the default rules do not weigh them.
- The rules the evaluation gives leave a gap (for example one indicative supporting line and nothing
  else): the last rule, R7, rates that `insufficient` and says what more evidence would settle it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from operator import attrgetter
from types import MappingProxyType
from typing import Literal

from tracker.domain.evidence import (
    METHOD_FAMILIES,
    NEGATIVE_FINDINGS,
    TIERS,
    EvidenceItem,
    Family,
    ItemAssessment,
    Tier,
    describe_item,
)
from tracker.domain.framework import Outcome
from tracker.domain.kpi import KPI_STATUS_LABELS, KpiStatus, format_date
from tracker.domain.settings import RuleSettings

RatingCode = Literal["strong", "some", "insufficient", "none", "not_yet"]

RATING_CODES: tuple[RatingCode, ...] = ("strong", "some", "insufficient", "none", "not_yet")
RATING_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "strong": "Strong evidence that outcome was achieved",
        "some": "Some evidence of progress towards outcome being achieved",
        "insufficient": "Insufficient evidence available to determine progress",
        "none": "No evidence of progress made",
        "not_yet": "Evidence not available during the evaluation period (long-term aim)",
    }
)

OVERRIDE_RULE_ID = "R0-override"
FAMILY_LABELS: Mapping[str, str] = MappingProxyType(
    {"survey": "survey", "qualitative": "qualitative", "data": "data", "document": "document", "kpi": "KPI"}
)
NAMES_SHOWN = 4
SOURCES_DESCRIBED = 8  # a line's sentence names this many sources, then counts the rest


@dataclass(frozen=True, slots=True)
class Cluster:
    """Counted items from one data collection (or a single item): one source, however many files."""

    items: tuple[EvidenceItem, ...]
    best: EvidenceItem
    tier: Tier
    family: Family
    group: str
    findings: frozenset[str]  # shared between clusters with the same findings (see `_findings`)

    @property
    def key(self) -> str:
        """The collection it stands for, or the single item (computed: 40,000 clusters a framework)."""
        return f"collection:{self.best.collection}" if self.best.collection else f"item:{self.best.id}"

    @property
    def supports(self) -> bool:
        return "supports" in self.findings

    @property
    def negative(self) -> bool:
        return bool(self.findings & NEGATIVE_FINDINGS)


_VERDICTS = ("positive", "negative", "robust_positive", "robust_negative")


@dataclass(frozen=True, slots=True)
class Line:
    """An independent line of evidence: a (method family, respondent group) pair, or one linked KPI."""

    family: str
    group: str
    clusters: tuple[Cluster, ...] = ()
    kpi: KpiStatus | None = None
    # Its verdicts, found once when it is made: summaries, rules and reasons read them many times.
    positive: bool = field(init=False, compare=False)
    negative: bool = field(init=False, compare=False)
    robust_positive: bool = field(init=False, compare=False)
    robust_negative: bool = field(init=False, compare=False)

    def __post_init__(self) -> None:
        if self.kpi is not None:
            positive = self.kpi.status in ("met", "partly_met")
            negative = self.kpi.status == "missed"
            verdicts = (positive, negative, positive, negative)
        else:
            clusters = self.clusters
            positive = any(c.supports for c in clusters)
            negative = any(c.negative for c in clusters)
            verdicts = (
                positive,
                negative,
                positive and any(c.supports and c.tier == "robust" for c in clusters),
                negative and any(c.negative and c.tier == "robust" for c in clusters),
            )
        for name, value in zip(_VERDICTS, verdicts, strict=True):
            object.__setattr__(self, name, value)

    def sources(self, positive: bool) -> int:
        """How many sources make this line positive (or negative)."""
        if self.kpi is not None:
            return 1
        return sum(1 for c in self.clusters if (c.supports if positive else c.negative))

    def names(self, positive: bool, limit: int | None = None) -> tuple[str, ...]:
        """The sources that make this line positive (or negative), as reasons name them (`limit` of them)."""
        if self.kpi is not None:
            return (f'the KPI "{self.kpi.name}" ({KPI_STATUS_LABELS[self.kpi.status]})',)
        wanted = [c for c in self.clusters if (c.supports if positive else c.negative)][:limit]
        return tuple(describe_item(c.best) for c in wanted)

    def describe(self) -> str:
        """One sentence for the outcome page listing what the line is and what it shows."""
        if self.kpi is not None:
            return f'KPI "{self.kpi.name}": {KPI_STATUS_LABELS[self.kpi.status]}. {self.kpi.reason}'
        if self.positive and self.negative:
            verdict = "mixed (some support, some do not)"
        elif self.positive:
            verdict = "supports the outcome"
        else:
            verdict = "does not support the outcome"
        parts = []
        for c in self.clusters[:SOURCES_DESCRIBED]:
            extra = len(c.items) - 1
            more = (
                f" with {extra} more item{'s' if extra != 1 else ''} from the same collection"
                if extra
                else ""
            )
            shows = ", ".join(f.replace("_", " ") for f in sorted(c.findings))
            parts.append(f"{describe_item(c.best)}{more}: {c.tier}, {shows}")
        if len(self.clusters) > SOURCES_DESCRIBED:
            rest = len(self.clusters) - SOURCES_DESCRIBED
            parts.append(f"and {rest} more source{'s' if rest != 1 else ''} (all listed with the evidence)")
        return (
            f"{FAMILY_LABELS[self.family].capitalize()} evidence from {group_label(self.group)} {verdict}: "
            + ("; ".join(parts) + ".")
        )


@dataclass(frozen=True, slots=True)
class LineSummary:
    """P, N, P_r, N_r: the counts the rules are written in."""

    positive: int
    negative: int
    robust_positive: int
    robust_negative: int

    def to_json(self) -> dict[str, int]:
        return {
            "positive": self.positive,
            "negative": self.negative,
            "robust_positive": self.robust_positive,
            "robust_negative": self.robust_negative,
        }


@dataclass(frozen=True, slots=True)
class Facts:
    """Everything a rule may look at for one outcome, already computed."""

    outcome: Outcome
    as_of: date
    items: tuple[EvidenceItem, ...]
    assessments: tuple[ItemAssessment, ...]
    lines: tuple[Line, ...]
    summary: LineSummary
    kpis: tuple[KpiStatus, ...]

    @property
    def judged_kpis(self) -> tuple[KpiStatus, ...]:
        """The linked KPIs with a judged status: the ones that are lines of evidence."""
        return tuple(k for k in self.kpis if k.has_data)


RulePredicate = Callable[[Facts, RuleSettings], bool]
ReasonBuilder = Callable[[Facts, RuleSettings], str]


@dataclass(frozen=True, slots=True)
class Rule:
    """One rating rule: a stable id, the rating it gives, when it applies and how it explains itself."""

    id: str
    rating: RatingCode
    summary: str
    applies: RulePredicate
    reason: ReasonBuilder


# -- building lines -------------------------------------------------------------------------------


def group_label(group: str) -> str:
    """A respondent group as words: 'practice-educators' -> 'practice educators'."""
    return group.replace("-", " ").replace("_", " ").strip() or "a group not recorded"


def _best(items: Sequence[EvidenceItem], tiers: Mapping[int, Tier]) -> EvidenceItem:
    """The best item: highest tier, then more respondents, then the lower id (deterministic)."""
    if len(items) == 1:
        return items[0]
    return min(items, key=lambda i: (TIERS.index(tiers[i.id]), -(i.respondents or 0), i.id))


_BY_ID = attrgetter("id")


@lru_cache(maxsize=1024)
def _group_key(group: str) -> str:
    """A respondent group as lines compare it; one string per group, shared by its clusters."""
    return group.strip().lower()


@lru_cache(maxsize=64)
def _findings(findings: str | tuple[str, ...]) -> frozenset[str]:
    """One frozenset per combination of findings (there are a few), not one per cluster (~200 bytes each)."""
    return frozenset([findings] if isinstance(findings, str) else findings)


def build_clusters(
    items: Sequence[EvidenceItem], assessments: Sequence[ItemAssessment]
) -> tuple[Cluster, ...]:
    """Group counted items by collection; an item without a collection is its own cluster."""
    tiers = {a.item_id: a.tier for a in assessments if a.counts}
    groups: dict[str | int, list[EvidenceItem]] = {}  # by collection name, or by item id when none
    for item in sorted(items, key=_BY_ID):
        if item.id not in tiers:  # not counted (an item without a method family never counts)
            continue
        key = item.collection or item.id
        members = groups.get(key)
        if members is None:
            groups[key] = [item]
        else:
            members.append(item)
    clusters = []
    for members in groups.values():
        best = _best(members, tiers)
        family = METHOD_FAMILIES[best.source_type]
        if family is None:  # pragma: no cover - excluded above
            continue
        clusters.append(
            Cluster(
                items=tuple(members),
                best=best,
                tier=tiers[best.id],
                family=family,
                group=_group_key(best.group),
                findings=_findings(
                    best.finding if len(members) == 1 else tuple(sorted({m.finding for m in members}))
                ),
            )
        )
    return tuple(clusters)


def build_lines(clusters: Sequence[Cluster], kpis: Sequence[KpiStatus]) -> tuple[Line, ...]:
    """Lines from clusters (one per family and group) and one per linked KPI that can be judged."""
    by_pair: dict[tuple[str, str], list[Cluster]] = {}
    for cluster in clusters:
        by_pair.setdefault((cluster.family, cluster.group), []).append(cluster)
    lines = [Line(family, group, tuple(members)) for (family, group), members in by_pair.items()]
    lines.extend(Line("kpi", k.kpi_id, (), k) for k in kpis if k.has_data)
    return tuple(lines)


def summarise(lines: Sequence[Line]) -> LineSummary:
    """Count P, N, P_r and N_r once, so every rule reads the same numbers."""
    return LineSummary(
        positive=sum(line.positive for line in lines),
        negative=sum(line.negative for line in lines),
        robust_positive=sum(line.robust_positive for line in lines),
        robust_negative=sum(line.robust_negative for line in lines),
    )


# -- words ----------------------------------------------------------------------------------------


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _join(names: Sequence[str], total: int | None = None) -> str:
    """'A, B and C', cut short after a few names (of `total`, if more were not built) so it stays readable."""
    total = len(names) if total is None else total
    shown = list(names[:NAMES_SHOWN])
    if total > NAMES_SHOWN:
        shown.append(f"{total - NAMES_SHOWN} more")
    if len(shown) <= 1:
        return "".join(shown)
    return ", ".join(shown[:-1]) + " and " + shown[-1]


def _names(facts: Facts, positive: bool) -> str:
    """The items and KPIs behind the positive (or negative) lines, best lines first."""
    lines = [line for line in facts.lines if (line.positive if positive else line.negative)]
    robust = [line for line in lines if (line.robust_positive if positive else line.robust_negative)]
    robust_ids = {id(line) for line in robust}  # identity: comparing lines field by field is slow
    ordered = robust + [line for line in lines if id(line) not in robust_ids]
    names: list[str] = []
    for line in ordered:  # only the names shown are built; the rest are counted
        if len(names) < NAMES_SHOWN:
            names.extend(line.names(positive, NAMES_SHOWN - len(names)))
    return _join(names, sum(line.sources(positive) for line in ordered))


def _sources(facts: Facts) -> str:
    """' In support: A and B. Against: C.': the items and KPIs that decided the rule, by name."""
    text = ""
    if facts.summary.positive:
        text += f" In support: {_names(facts, True)}."
    if facts.summary.negative:
        text += f" Against: {_names(facts, False)}."
    return text


def _lines(n: int) -> str:
    return _count(n, "line") + " of evidence"


def _verb(n: int, singular: str, plural: str) -> str:
    return singular if n == 1 else plural


def _lines_that(n: int, singular: str, plural: str, of_evidence: bool = True) -> str:
    """'1 line of evidence supports', '2 lines point': counts with the verb agreeing."""
    return f"{_lines(n) if of_evidence else _count(n, 'line')} {_verb(n, singular, plural)}"


def _why_not_strong(facts: Facts, s: RuleSettings) -> str:
    """Which condition of R1 failed, so a 'some' rating says what would make it 'strong'."""
    p = facts.summary
    if p.negative:
        return f"not strong because {_lines_that(p.negative, 'points', 'point', False)} the other way"
    if p.positive < s.strong_min_lines:
        return f"not strong because fewer than {s.strong_min_lines} independent lines support it"
    if p.robust_positive < s.strong_min_robust_lines:
        return "not strong because no supporting line is robust"
    partly = [k.name for k in facts.judged_kpis if k.status != "met"]
    if partly:
        return (
            "not strong because "
            + _join([f'the KPI "{n}"' for n in partly])
            + " has not fully met its target"
        )
    return "not strong"  # pragma: no cover - R1 would have matched


def _what_would_help(facts: Facts, s: RuleSettings) -> str:
    """Concrete evidence that would count, so an unrated outcome comes with a next step."""
    groups = sorted({i.group.strip() for i in facts.items if i.group.strip()})
    who = group_label(groups[0]) if len(groups) == 1 else "respondents"
    ideas = [
        f"a survey of at least {s.survey_robust_respondents} {who}",
        f"interviews or a focus group with {s.qualitative_robust_participants} or more",
    ]
    missing = [k for k in facts.kpis if not k.has_data]
    if missing:
        ideas.append("values for " + _join([f'the KPI "{k.name}"' for k in missing]))
    else:
        ideas.append("admin data")
    return ", ".join(ideas[:-1]) + ", or " + ideas[-1]


# -- the rules ------------------------------------------------------------------------------------


def _kpis_all_met(facts: Facts) -> bool:
    """A partly met KPI keeps an outcome from 'strong'."""
    return all(k.status == "met" for k in facts.judged_kpis)


def _r1_applies(f: Facts, s: RuleSettings) -> bool:
    """R1 strong: P >= 2, P_r >= 1, N = 0 and every linked KPI with data met."""
    p = f.summary
    return (
        p.positive >= s.strong_min_lines
        and p.robust_positive >= s.strong_min_robust_lines
        and p.negative == 0
        and _kpis_all_met(f)
    )


def _r1_reason(f: Facts, s: RuleSettings) -> str:
    """Why strong, naming the supporting items and KPIs."""
    p = f.summary
    kpi_note = ", and every linked KPI with data meets its target" if f.judged_kpis else ""
    return (
        f"Strong evidence that the outcome was achieved: {_lines_that(p.positive, 'supports', 'support')} "
        f"it, {p.robust_positive} of them robust, and none points the other way{kpi_note}.{_sources(f)}"
    )


def _r2_applies(f: Facts, s: RuleSettings) -> bool:
    """R2 some: (P_r >= 1 or P >= 2) and P > N."""
    p = f.summary
    return (p.robust_positive >= s.some_min_robust_lines or p.positive >= s.some_min_lines) and (
        p.positive > p.negative
    )


def _r2_reason(f: Facts, s: RuleSettings) -> str:
    """Why some, and why not strong."""
    p = f.summary
    against = f" and {_lines_that(p.negative, 'points', 'point', False)} the other way" if p.negative else ""
    return (
        f"Some evidence of progress: {_lines_that(p.positive, 'supports', 'support')} the outcome{against}; "
        f"{_why_not_strong(f, s)}.{_sources(f)}"
    )


def _r3_applies(f: Facts, s: RuleSettings) -> bool:
    """R3 not yet: a long-term aim whose expected_by is after the as-of date."""
    expected = f.outcome.expected_by
    return f.outcome.term == "long" and expected is not None and expected > f.as_of


def _r3_reason(f: Facts, s: RuleSettings) -> str:
    """Why it is too early, with any early evidence named."""
    expected = f.outcome.expected_by
    when = format_date(expected) if expected is not None else "later"
    p = f.summary
    early = ""
    if p.positive or p.negative:
        early = (
            f" The early evidence ({_count(p.positive, 'line')} for, {_count(p.negative, 'line')} against) "
            f"is not enough to judge it.{_sources(f)}"
        )
    return (
        f"A long-term aim: evidence is expected from {when}, after the as-of date {format_date(f.as_of)}, "
        f"so it is too early to rate.{early}"
    )


def _r4_applies(f: Facts, s: RuleSettings) -> bool:
    """R4 none: N_r >= 1, P_r = 0 and N > P."""
    p = f.summary
    return (
        p.robust_negative >= s.none_min_robust_negative_lines
        and p.robust_positive == 0
        and p.negative > p.positive
    )


def _r4_reason(f: Facts, s: RuleSettings) -> str:
    """Why no progress, naming the evidence against."""
    p = f.summary
    weak = (
        f"; the {_count(p.positive, 'line')} in support {_verb(p.positive, 'is', 'are')} not robust"
        if p.positive
        else ""
    )
    return (
        f"No evidence of progress: {_lines_that(p.negative, 'shows', 'show')} no change or the opposite, "
        f"{p.robust_negative} of them robust{weak}.{_sources(f)}"
    )


def _r5_applies(f: Facts, s: RuleSettings) -> bool:
    """R5 conflict: at least one line each way."""
    return f.summary.positive >= 1 and f.summary.negative >= 1


def _r5_reason(f: Facts, s: RuleSettings) -> str:
    """Why the evidence conflicts, naming both sides."""
    p = f.summary
    return (
        f"The evidence conflicts, so progress cannot be determined yet: "
        f"{_lines_that(p.positive, 'supports', 'support')} the outcome but "
        f"{_lines_that(p.negative, 'does', 'do', False)} not.{_sources(f)}"
    )


def _r6_applies(f: Facts, s: RuleSettings) -> bool:
    """R6 no usable evidence: no counted item and no judged KPI."""
    return not f.lines


def _r6_reason(f: Facts, s: RuleSettings) -> str:
    """What evidence would help, and which anecdotal items were only illustrations."""
    shown = {a.item_id for a in f.assessments if not a.counts}
    help_text = _what_would_help(f, s)
    if not shown:
        return f"No counted evidence yet: {help_text} would help."
    names = _join([describe_item(i) for i in f.items if i.id in shown])
    return (
        f"No counted evidence yet: {help_text} would help. Only anecdotal evidence so far, shown for "
        f"illustration: {names}."
    )


def _r7_applies(f: Facts, s: RuleSettings) -> bool:
    """R7 fallback: counted evidence too thin for any rule above."""
    return True


def _r7_reason(f: Facts, s: RuleSettings) -> str:
    """Why the counted evidence is not enough, and what would settle it."""
    p = f.summary
    parts = []
    if p.positive:
        parts.append(f"{_lines_that(p.positive, 'supports', 'support')} the outcome")
    if p.negative:
        parts.append(f"{_lines_that(p.negative, 'shows', 'show')} no change or the opposite")
    return (
        f"Too little evidence to judge: only {' and '.join(parts)}, which is not enough to rate progress "
        f"either way; a robust source or another independent line ({_what_would_help(f, s)}) would settle "
        f"it.{_sources(f)}"
    )


RULES: tuple[Rule, ...] = (
    Rule(
        "R1-strong",
        "strong",
        "two or more positive lines, one robust, none negative, KPIs met",
        _r1_applies,
        _r1_reason,
    ),
    Rule(
        "R2-some",
        "some",
        "a robust positive line or two positive lines, more positive than negative",
        _r2_applies,
        _r2_reason,
    ),
    Rule("R3-not-yet", "not_yet", "a long-term aim before its expected date", _r3_applies, _r3_reason),
    Rule(
        "R4-none",
        "none",
        "a robust negative line, no robust positive one, more negative than positive",
        _r4_applies,
        _r4_reason,
    ),
    Rule("R5-conflict", "insufficient", "positive and negative lines conflict", _r5_applies, _r5_reason),
    Rule("R6-no-usable-evidence", "insufficient", "no counted evidence", _r6_applies, _r6_reason),
    Rule(
        "R7-too-little-evidence",
        "insufficient",
        "counted evidence too thin to judge",
        _r7_applies,
        _r7_reason,
    ),
)
RULE_IDS: tuple[str, ...] = (OVERRIDE_RULE_ID, *(r.id for r in RULES))


def first_match(facts: Facts, settings: RuleSettings) -> Rule:
    """The first rule that applies; R7 always does, so every outcome gets a rating."""
    for rule in RULES:
        if rule.applies(facts, settings):
            return rule
    raise AssertionError("the last rule always applies")  # pragma: no cover
