"""Lines of evidence: counted items grouped into clusters, clusters into lines, lines summarised as P/N.

How evidence becomes lines (judgement calls documented here so the rules stay readable):
- Only counted items (indicative or robust, with a method family) form clusters. Items sharing a
  `collection` are one cluster whatever their source types; an item without one is a cluster alone.
- A cluster's tier, family and respondent group are those of its best item: highest tier, then more
  respondents, then the lower id. Its findings are the findings of all its items, so a collection whose
  survey supports but whose analytics export shows no change both supports and does not.
- A line is a distinct (family, respondent group) pair; items with no group recorded share one "group
  not recorded" per family, so unlabelled evidence is never counted as several independent lines.
  Each linked KPI with a judged verdict (not `no_data`) is a robust line of its own.
- A line is positive when any of its clusters supports (or its KPI's verdict is met or partly met: a KPI
  with no target but better than its baseline is partly met) and negative when any shows no change,
  contradicts or is mixed (or its KPI's verdict is missed); a line with both is counted
  in P and in N. P_r (N_r) counts positive (negative) lines with a robust cluster among those that make
  them positive (negative).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice
from operator import itemgetter
from types import MappingProxyType
from typing import NamedTuple

from tracker.domain.evidence import (
    EFFORT_SHOWS,
    METHOD_FAMILIES,
    NEGATIVE_FINDINGS,
    TIER_RANK,
    EvidenceItem,
    Family,
    ItemAssessment,
    Tier,
    describe_item,
)
from tracker.domain.kpi import KPI_STATUS_LABELS, KpiStatus

FAMILY_LABELS: Mapping[str, str] = MappingProxyType(
    {"survey": "survey", "qualitative": "qualitative", "data": "data", "document": "document", "kpi": "KPI"}
)
SOURCES_DESCRIBED = 8  # a line's sentence names this many sources, then counts the rest


class Cluster(NamedTuple):
    """Counted items from one data collection (or a single item): one source, however many files.

    A named tuple (immutable like the other values here): a national framework's outcomes make some 27,000,
    and a frozen dataclass took 0.78 µs to make against 0.33.
    """

    items: tuple[EvidenceItem, ...]
    best: EvidenceItem
    tier: Tier
    family: Family
    group: str
    findings: frozenset[str]  # shared between clusters with the same findings (see `_findings`)
    effort_only: bool = False  # every supporting item says it shows how much or how well, not an effect

    @property
    def key(self) -> str:
        """The collection it stands for, or the single item (computed: 40,000 clusters a framework)."""
        return f"collection:{self.best.collection}" if self.best.collection else f"item:{self.best.id}"

    @property
    def supports(self) -> bool:
        return "supports" in self.findings

    @property
    def negative(self) -> bool:
        return not self.findings.isdisjoint(NEGATIVE_FINDINGS)


_VERDICTS = ("positive", "negative", "robust_positive", "robust_negative", "effort_only", "_for", "_against")


@dataclass(frozen=True, slots=True)
class Line:
    """An independent line of evidence: a (method family, respondent group) pair, or one linked KPI."""

    family: str
    group: str
    clusters: tuple[Cluster, ...] = ()
    kpi: KpiStatus | None = None
    kpi_shows_effort: bool = False  # the KPI declares `shows: how_much` or `how_well`
    # Its verdicts, found once when it is made: summaries, rules and reasons read them many times.
    positive: bool = field(init=False, compare=False)
    negative: bool = field(init=False, compare=False)
    robust_positive: bool = field(init=False, compare=False)
    robust_negative: bool = field(init=False, compare=False)
    # Supports the outcome with evidence of effort only (how much, how well), not of anyone better off.
    effort_only: bool = field(init=False, compare=False)
    # How many sources make it positive, and negative (`sources`): a KPI is one source either way.
    _for: int = field(init=False, compare=False, repr=False)
    _against: int = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.kpi is not None:
            positive = self.kpi.verdict in ("met", "partly_met")
            negative = self.kpi.verdict == "missed"
            verdicts = (positive, negative, positive, negative, positive and self.kpi_shows_effort, 1, 1)
        else:  # in one pass over the clusters: a framework has some 40,000
            robust_positive = robust_negative = False
            effort_only = True
            supporting = against = 0
            for c in self.clusters:
                findings = c.findings
                if "supports" in findings:
                    supporting += 1
                    robust_positive = robust_positive or c.tier == "robust"
                    effort_only = effort_only and c.effort_only
                if not findings.isdisjoint(NEGATIVE_FINDINGS):
                    against += 1
                    robust_negative = robust_negative or c.tier == "robust"
            positive, negative = supporting > 0, against > 0
            verdicts = (
                positive,
                negative,
                robust_positive,
                robust_negative,
                positive and effort_only,
                supporting,
                against,
            )
        for name, value in zip(_VERDICTS, verdicts, strict=True):
            object.__setattr__(self, name, value)

    def sources(self, positive: bool) -> int:
        """How many sources make this line positive (or negative)."""
        return self._for if positive else self._against

    def names(self, positive: bool, limit: int | None = None) -> tuple[str, ...]:
        """The sources that make this line positive (or negative), as reasons name them (`limit` of them)."""
        if self.kpi is not None:
            return (f'the KPI "{self.kpi.name}" ({KPI_STATUS_LABELS[self.kpi.status]})',)
        wanted = islice((c for c in self.clusters if (c.supports if positive else c.negative)), limit)
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
            parts.append(f"{describe_item(c.best)}{more}: {c.tier}, {_findings_text(c.findings)}")
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


def group_label(group: str) -> str:
    """A respondent group as words: 'practice-educators' -> 'practice educators'."""
    return group.replace("-", " ").replace("_", " ").strip() or "a group not recorded"


_FIRST = itemgetter(0)


def _best_first(member: tuple[int, EvidenceItem, Tier]) -> tuple[int, int, int]:
    """The best item of a cluster sorts first: highest tier, then more respondents, then the lower id."""
    item_id, item, tier = member
    return (TIER_RANK[tier], -(item.respondents or 0), item_id)


@lru_cache(maxsize=1024)
def _group_key(group: str) -> str:
    """A respondent group as lines compare it; one string per group, shared by its clusters."""
    return group.strip().lower()


@lru_cache(maxsize=64)
def _findings(findings: str | tuple[str, ...]) -> frozenset[str]:
    """One frozenset per combination of findings (there are a few), not one per cluster (~200 bytes each)."""
    return frozenset([findings] if isinstance(findings, str) else findings)


@lru_cache(maxsize=64)
def _findings_text(findings: frozenset[str]) -> str:
    """'no change, supports': a cluster's findings as a line's sentence lists them (a few combinations)."""
    return ", ".join(f.replace("_", " ") for f in sorted(findings))


def build_clusters(
    items: Sequence[EvidenceItem],
    assessments: Sequence[ItemAssessment],
    singles: dict[int, Cluster] | None = None,
) -> tuple[Cluster, ...]:
    """Group counted items by collection; an item without a collection is its own cluster.

    `singles`: the one-item clusters made so far, by item id, for outcomes that share items to share them
    (most clusters are one item, and a national framework's outcomes make some 40,000).
    """
    # (id, item, tier) of counted items, by id (unique in an outcome, so sorting by it alone is the same)
    counted = sorted(
        [(i.id, i, a.tier) for i, a in zip(items, assessments, strict=True) if a.counts], key=_FIRST
    )
    made = {} if singles is None else singles
    # Each cluster where its first item (by id) comes: an item without a collection is made at once (or
    # found in `made`), a collection's place is kept until all its members are known.
    clusters: list[Cluster | None] = []
    collections: dict[str, tuple[int, list[tuple[int, EvidenceItem, Tier]]]] = {}
    for entry in counted:
        item_id, item, tier = entry
        collection = item.collection
        if collection:
            found = collections.get(collection)
            if found is None:
                collections[collection] = (len(clusters), [entry])
                clusters.append(None)
            else:
                found[1].append(entry)
            continue
        clusters.append(_single(made, item_id, item, tier))
    for place, members in collections.values():
        clusters[place] = _single(made, *members[0]) if len(members) == 1 else _cluster(members)
    return tuple([c for c in clusters if c is not None])


def _single(made: dict[int, Cluster], item_id: int, item: EvidenceItem, tier: Tier) -> Cluster | None:
    """An item alone (most clusters), the one in `made` if there is one; None without a method family
    (such an item never counts)."""
    single = made.get(item_id)
    if single is not None and single.best is item and single.tier == tier:
        return single
    family = METHOD_FAMILIES[item.source_type]
    if family is None:  # pragma: no cover - an item without a method family never counts
        return None
    single = made[item_id] = Cluster(
        (item,),
        item,
        tier,
        family,
        _group_key(item.group),
        _findings(item.finding),
        item.shows in EFFORT_SHOWS,
    )
    return single


def _cluster(members: list[tuple[int, EvidenceItem, Tier]]) -> Cluster | None:
    """The items of one collection: the best item's tier, family and group, and every item's findings."""
    _, best, tier = min(members, key=_best_first)
    family = METHOD_FAMILIES[best.source_type]
    if family is None:  # pragma: no cover - an item without a method family never counts
        return None
    return Cluster(
        tuple([m[1] for m in members]),
        best,
        tier,
        family,
        _group_key(best.group),
        _findings(tuple(sorted({m[1].finding for m in members}))),
        all(m[1].shows in EFFORT_SHOWS for m in members if m[1].finding == "supports"),
    )


def build_lines(
    clusters: Sequence[Cluster], kpis: Sequence[KpiStatus], effort_kpis: Set[str] = frozenset()
) -> tuple[Line, ...]:
    """Lines from clusters (one per family and group) and one per linked KPI that can be judged;
    `effort_kpis`: the KPIs that declare they show effort (how much, how well)."""
    by_pair: dict[tuple[str, str], list[Cluster]] = {}
    for cluster in clusters:
        pair = (cluster.family, cluster.group)
        members = by_pair.get(pair)
        if members is None:
            by_pair[pair] = [cluster]
        else:
            members.append(cluster)
    lines = [Line(family, group, tuple(members)) for (family, group), members in by_pair.items()]
    lines.extend(Line("kpi", k.kpi_id, (), k, k.kpi_id in effort_kpis) for k in kpis if k.has_data)
    return tuple(lines)


def summarise(lines: Sequence[Line]) -> LineSummary:
    """Count P, N, P_r and N_r once, so every rule reads the same numbers."""
    return LineSummary(
        positive=sum(line.positive for line in lines),
        negative=sum(line.negative for line in lines),
        robust_positive=sum(line.robust_positive for line in lines),
        robust_negative=sum(line.robust_negative for line in lines),
    )
