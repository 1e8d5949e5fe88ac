"""Survey scoring (means, bands, small-group suppression) and comparisons between rounds."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tracker.domain.surveys import (
    Band,
    Change,
    DistanceResult,
    GroupResult,
    Response,
    Scale,
    Section,
    SectionResult,
    SurveyDefinition,
    rounded_score,
)

# -- scoring -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Stats:
    n: int
    score: float | None
    agree_pct: float | None


def _section_stats(scale: Scale, section: Section, responses: Iterable[Response]) -> _Stats:
    by_question: dict[str, list[float]] = {qid: [] for qid in section.question_ids}
    questions = [(qid, qid in section.reverse, by_question[qid]) for qid in section.question_ids]  # once
    n = favourable = answered = 0
    for response in responses:
        scored = False
        answers = response.answers
        for qid, reverse, values in questions:
            value = answers.get(qid)
            if value is None:
                continue
            values.append(100.0 - value if reverse else value)
            answered += 1
            favourable += scale.favourable(value, reverse)
            scored = True
        n += scored
    means = [math.fsum(values) / len(values) for values in by_question.values() if values]
    score = math.fsum(means) / len(means) if means else None
    agree_pct = 100.0 * favourable / answered if answered else None
    return _Stats(n, score, agree_pct)


def _respondent_score(section: Section, response: Response) -> float | None:
    """One respondent's section score: the mean of their scored answers, reverse items reversed."""
    values = [
        100.0 - value if qid in section.reverse else value
        for qid in section.question_ids
        if (value := response.answers.get(qid)) is not None
    ]
    return math.fsum(values) / len(values) if values else None


def _shown(
    definition: SurveyDefinition, stats: _Stats
) -> tuple[float | None, Band | None, bool, float | None]:
    """(score, band, suppressed, agree_pct) with everything withheld for a group that is too small."""
    if stats.n < definition.min_group_size or stats.score is None:
        return None, None, True, None
    return stats.score, definition.bands.band(rounded_score(stats.score)), False, stats.agree_pct


def score_round(
    definition: SurveyDefinition, responses: Sequence[Response], by: str | None = None
) -> tuple[SectionResult, ...]:
    """Each section's result for one round, with groups per value of breakdown `by` when given.

    A section or group with fewer than `min_group_size` respondents (n: respondents with at least one
    scored answer in the section) is suppressed: no score, band or agree_pct. Groups are sorted by name;
    respondents who left the `by` column blank are in no group.
    """
    if by is not None and by not in definition.breakdowns:
        raise ValueError(f"'{by}' is not a breakdown of survey '{definition.id}'")
    values = sorted({r.groups[by] for r in responses if by in r.groups}, key=str.casefold) if by else []
    results: list[SectionResult] = []
    for section in definition.sections:
        score, band, suppressed, agree = _shown(
            definition, stats := _section_stats(definition.scale, section, responses)
        )
        groups: list[GroupResult] = []
        for value in values:
            members = [r for r in responses if by is not None and r.groups.get(by) == value]
            group_stats = _section_stats(definition.scale, section, members)
            g_score, g_band, g_suppressed, g_agree = _shown(definition, group_stats)
            groups.append(GroupResult(value, group_stats.n, g_score, g_band, g_suppressed, g_agree))
        results.append(
            SectionResult(section.id, section.title, stats.n, score, band, suppressed, agree, tuple(groups))
        )
    return tuple(results)


# -- comparisons -----------------------------------------------------------------------------------


def compare_rounds(
    current: Sequence[SectionResult], previous: Sequence[SectionResult], previous_label: str
) -> tuple[SectionResult, ...]:
    """`current` with `change` filled in where both rounds have a shown (not suppressed) score.

    Sections are matched by id; a section missing from `previous`, or suppressed in either round,
    gets change None.
    """
    earlier = {result.section: result for result in previous}
    compared: list[SectionResult] = []
    for result in current:
        before = earlier.get(result.section)
        change = None
        if (
            before is not None
            and not result.suppressed
            and not before.suppressed
            and result.score is not None
            and before.score is not None
        ):
            change = Change(result.score - before.score, previous_label)
        compared.append(
            SectionResult(
                result.section,
                result.title,
                result.n,
                result.score,
                result.band,
                result.suppressed,
                result.agree_pct,
                result.groups,
                change,
            )
        )
    return tuple(compared)


def distance_travelled(
    definition: SurveyDefinition, pre: Sequence[Response], post: Sequence[Response]
) -> tuple[DistanceResult, ...]:
    """Per section, post minus pre.

    Paired (some respondent ids appear in both rounds): respondents in both rounds with a scored answer
    in the section in each are pairs; the value is the mean over pairs of (post - pre) respondent section
    scores, suppressed under `min_group_size` pairs. Otherwise (no ids, or no id in both rounds) a cohort
    comparison: the difference of the two rounds' section scores, suppressed unless both rounds meet the
    minimum size; pairs is 0.
    """
    results: list[DistanceResult] = []
    before = {r.respondent: r for r in pre if r.respondent}
    after = {r.respondent: r for r in post if r.respondent}
    paired = bool(before.keys() & after.keys())
    for section in definition.sections:
        pre_stats = _section_stats(definition.scale, section, pre)
        post_stats = _section_stats(definition.scale, section, post)
        minimum = definition.min_group_size
        if paired:
            differences: list[float] = []
            for respondent, later in after.items():
                earlier = before.get(respondent)
                if earlier is None:
                    continue
                start, end = _respondent_score(section, earlier), _respondent_score(section, later)
                if start is not None and end is not None:
                    differences.append(end - start)
            pairs = len(differences)
            suppressed = pairs < minimum
            value = None if suppressed else math.fsum(differences) / pairs
            results.append(
                DistanceResult(section.id, "paired", pairs, value, suppressed, pre_stats.n, post_stats.n)
            )
            continue
        suppressed = (
            pre_stats.n < minimum
            or post_stats.n < minimum
            or pre_stats.score is None
            or post_stats.score is None
        )
        value = None
        if not suppressed and pre_stats.score is not None and post_stats.score is not None:
            value = post_stats.score - pre_stats.score
        results.append(DistanceResult(section.id, "cohort", 0, value, suppressed, pre_stats.n, post_stats.n))
    return tuple(results)
