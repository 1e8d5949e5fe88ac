"""What would raise a rating: the smallest change in the evidence that lifts an outcome one step, in words.

Read from the same facts the rules read, for the rules in force (settings included), so the advice and the
rating cannot disagree. Judgement calls:

- The steps are `some` from `insufficient` or `none`, and `strong` from `some`: from `none`, more evidence
  against is no progress, so the advice is what would show progress at all.
- Each entry of the result is one change that is needed; where several changes would each do, one entry
  names them joined by "or". Adding evidence never removes a line against, so for `strong` that condition
  is stated as it is ("nothing against it").
- A long-term aim before its date says when evidence is expected; an evaluator's override does not change
  the advice, which is about what the rules alone would give.
"""

from __future__ import annotations

from tracker.domain.evidence_lines import Cluster, Line
from tracker.domain.kpi import format_date
from tracker.domain.rules import Facts, RatingCode, effort_capped
from tracker.domain.settings import RuleSettings


def _lines(n: int) -> str:
    return "one more line" if n == 1 else f"{n} more lines"


def _kinds(f: Facts, s: RuleSettings) -> str:
    """Examples of a robust source for this outcome, with its linked KPIs first."""
    ideas = [f'values of the KPI "{k.name}" that meet its target' for k in f.kpis if not k.has_data]
    ideas += [
        f"a survey of at least {s.survey_robust_respondents}",
        f"interviews or a focus group with {s.qualitative_robust_participants} or more",
        "admin data",
    ]
    return ", ".join(ideas[:-1]) + ", or " + ideas[-1]


def _upgrade(cluster: Cluster, s: RuleSettings) -> str | None:
    """How one indicative supporting source would become robust, naming its size today."""
    item = cluster.best
    n = item.respondents
    family = cluster.family
    if item.flags:
        return None  # lowered by a flag (indirect, partial coverage): a new source, not a bigger one
    if family == "survey" and n is not None:
        population = item.population
        if n < s.survey_robust_respondents:
            return f'"{item.title}" with at least {s.survey_robust_respondents} respondents instead of {n}'
        if population:
            half = -(-population * s.survey_response_rate_percent // 100)
            return (
                f'"{item.title}" with at least {s.survey_robust_any_rate_respondents} respondents, or '
                f"{int(half)} of {population} ({s.survey_response_rate_percent:g}%), instead of {n} of "
                f"{population}"
            )
    if family == "qualitative" and n is not None and n < s.qualitative_robust_participants:
        return f'"{item.title}" with {s.qualitative_robust_participants} or more participants instead of {n}'
    return None


def _best_upgrade(lines: list[Line], s: RuleSettings) -> str | None:
    """The first supporting source that a bigger sample would make robust, if any."""
    for line in lines:
        for cluster in line.clusters:
            if cluster.supports and cluster.tier != "robust":
                found = _upgrade(cluster, s)
                if found:
                    return found
    return None


def _too_early(f: Facts) -> list[str]:
    if not f.too_early:
        return []
    titles = ", ".join(f'"{i.title}"' for i in f.too_early[:3])
    return [f"the effect measured where {titles} found it too early to tell"]


def _to_some(f: Facts, s: RuleSettings) -> tuple[str, ...]:
    """What R2 (some) needs: a robust supporting line or enough lines, and more for than against."""
    p = f.summary
    has_weight = p.robust_positive >= s.some_min_robust_lines or p.positive >= s.some_min_lines
    majority = max(p.negative - p.positive + 1, 0)  # supporting lines to add so more are for than against
    steps: list[str] = []
    missed = [k for k in f.judged_kpis if k.verdict == "missed"]
    if has_weight:
        # Enough weight already; only the balance is wrong.
        options = [f"{_lines(majority)} of evidence supporting it, of a kind or group not yet heard"]
        options += [f'the KPI "{k.name}" meeting its target' for k in missed[:2]]
        steps.append(" or ".join(options) + f" (today {p.positive} for, {p.negative} against)")
        return tuple(steps)
    options = []
    upgrade = _best_upgrade([line for line in f.lines if line.positive], s)
    if upgrade and majority == 0:
        options.append(upgrade)
    robust_needed = max(majority, 1)
    options.append(
        f"{'one robust line' if robust_needed == 1 else f'{robust_needed} lines, one robust,'} of evidence "
        f"supporting it ({_kinds(f, s)})"
    )
    more = max(s.some_min_lines - p.positive, majority)
    if more > robust_needed:
        options.append(f"{_lines(more)} of any counted kind supporting it")
    options += [f'the KPI "{k.name}" meeting its target' for k in missed[:2]]
    options += _too_early(f)
    steps.append(" or ".join(options))
    return tuple(steps)


def _to_strong(f: Facts, s: RuleSettings) -> tuple[str, ...]:
    """What R1 (strong) needs that the evidence lacks today, one entry per condition."""
    p = f.summary
    steps: list[str] = []
    if p.negative:
        against = [line for line in f.lines if line.negative]
        names = ", ".join(line.names(False, 2)[0] for line in against[:2])
        steps.append(
            f"nothing against it: today {names} {'points' if p.negative == 1 else 'point'} the other way"
        )
    if p.positive < s.strong_min_lines:
        extra = s.strong_min_lines - p.positive
        steps.append(f"{_lines(extra)} of evidence supporting it, of a kind or group not yet heard")
    if p.robust_positive < s.strong_min_robust_lines:
        upgrade = _best_upgrade([line for line in f.lines if line.positive], s)
        robust = f"one robust supporting line ({_kinds(f, s)})"
        steps.append(f"{upgrade} or {robust}" if upgrade else robust)
    for k in f.judged_kpis:
        if k.status == "no_target":
            steps.append(f'a target for the KPI "{k.name}", and the KPI meeting it')
        elif k.status != "met":
            steps.append(f'the KPI "{k.name}" meeting its target in full')
    if effort_capped(f, s):
        steps.append(
            "one robust line showing that someone is better off (an effect), not only how much or how well "
            "was done"
        )
    return tuple(steps)


def next_steps(f: Facts, rating: RatingCode, s: RuleSettings) -> tuple[str, ...]:
    """What would lift the computed `rating` one step, as phrases; () when it is strong."""
    if rating == "strong":
        return ()
    if rating == "not_yet":
        expected = f.outcome.expected_by
        when = format_date(expected) if expected is not None else "later"
        return (f"the evidence expected from {when}: a long-term aim is not rated before then",)
    if rating == "some":
        return _to_strong(f, s)
    return _to_some(f, s)
