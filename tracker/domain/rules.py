"""The rating rules as data: an ordered registry of rules where the first match wins.

The rules read the lines of evidence built by evidence_lines (whose judgement calls are documented there).
Judgement calls of the rules themselves:

- `positive` and `quote` are shown with an item but the default rules do not weigh them; `independent`
  weighs only where the size of the evaluator's own fieldwork went unrecorded (evidence.py).
- Evidence of effort is not evidence of effect (issue 18, switch `effort_caps_effect`): an outcome in an
  effect quadrant whose supporting lines all show how much or how well was done is at most `some`; R1 does
  not apply and R2's reason says why. A line that does not say what it shows lifts the cap.
- The rules the evaluation gives leave a gap (for example one indicative supporting line and nothing
  else): the last rule, R7, rates that `insufficient` and says what more evidence would settle it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

from tracker.domain import vocabulary
from tracker.domain.evidence import EvidenceItem, ItemAssessment, describe_item
from tracker.domain.evidence_lines import Line, LineSummary, group_label
from tracker.domain.framework import Outcome
from tracker.domain.kpi import KpiStatus, format_date
from tracker.domain.settings import RuleSettings

RatingCode = Literal["strong", "some", "insufficient", "none", "not_yet"]

RATING_CODES: tuple[RatingCode, ...] = ("strong", "some", "insufficient", "none", "not_yet")
# The words for each code live in the vocabulary, with every other label people read.
RATING_LABELS = vocabulary.RATING_LABELS

OVERRIDE_RULE_ID = "R0-override"
NAMES_SHOWN = 4


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
    too_early: tuple[EvidenceItem, ...] = ()  # items finding the effect too early to measure

    @property
    def judged_kpis(self) -> tuple[KpiStatus, ...]:
        """The linked KPIs with a judged status: the ones that are lines of evidence."""
        return tuple(k for k in self.kpis if k.has_data)


def shows_effort_only(f: Facts) -> bool:
    """An effect outcome (not a deliverable) whose supporting lines all show effort (how much, how well).

    A line that does not say what it shows (every item entered before `shows` existed) is not effort only,
    so such evidence rates as it always did."""
    if not (f.outcome.is_effect and f.outcome.kind != "deliverable"):
        return False
    supporting = [line for line in f.lines if line.positive]
    return bool(supporting) and all(line.effort_only for line in supporting)


def effort_capped(f: Facts, s: RuleSettings) -> bool:
    """Evidence of effort only, with the switch on: the outcome is at most 'some'."""
    return s.effort_caps_effect and shows_effort_only(f)


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
    if effort_capped(facts, s) and p.negative == 0:
        return (
            "not strong because this is evidence of effort, not yet of effect: every supporting line shows "
            "how much or how well was done, and none that anyone is better off"
        )
    if p.negative:
        return f"not strong because {_lines_that(p.negative, 'points', 'point', False)} the other way"
    if p.positive < s.strong_min_lines:
        return f"not strong because fewer than {s.strong_min_lines} independent lines support it"
    if p.robust_positive < s.strong_min_robust_lines:
        return "not strong because no supporting line is robust"
    unmet = [k for k in facts.judged_kpis if k.status != "met"]
    if unmet:
        return "not strong because " + _join(
            [
                f'the KPI "{k.name}" '
                + ("has no target to meet" if k.status == "no_target" else "has not fully met its target")
                for k in unmet
            ]
        )
    if effort_capped(facts, s):  # pragma: no cover - the first branch names it when nothing is against
        return "not strong because this is evidence of effort, not yet of effect"
    return "not strong"  # pragma: no cover - R1 would have matched


# What an unjudged KPI lacks: its value, a second value, or something to judge its value against.
_KPI_NEEDS = {"too_early": "more values for", "no_target": "a target or baseline for"}


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
        ideas.append(_join([f'{_KPI_NEEDS.get(k.status, "values for")} the KPI "{k.name}"' for k in missing]))
    else:
        ideas.append("admin data")
    return ", ".join(ideas[:-1]) + ", or " + ideas[-1]


# -- the rules ------------------------------------------------------------------------------------


def _kpis_all_met(facts: Facts) -> bool:
    """A partly met KPI keeps an outcome from 'strong'."""
    return all(k.status == "met" for k in facts.judged_kpis)


def _r1_applies(f: Facts, s: RuleSettings) -> bool:
    """R1 strong: P >= 2, P_r >= 1, N = 0, every linked KPI with data met, and not effort only."""
    p = f.summary
    return (
        p.positive >= s.strong_min_lines
        and p.robust_positive >= s.strong_min_robust_lines
        and p.negative == 0
        and _kpis_all_met(f)
        and not effort_capped(f, s)
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
_SUMMARIES = {OVERRIDE_RULE_ID: "an evaluator's override", **{r.id: r.summary for r in RULES}}


def rule_summary(rule_id: str) -> str:
    """What a rule says, as pages name it: its id is for CSV, JSON and logs, not for people."""
    return _SUMMARIES.get(rule_id, rule_id)


def first_match(facts: Facts, settings: RuleSettings) -> Rule:
    """The first rule that applies; R7 always does, so every outcome gets a rating."""
    for rule in RULES:
        if rule.applies(facts, settings):
            return rule
    raise AssertionError("the last rule always applies")  # pragma: no cover
