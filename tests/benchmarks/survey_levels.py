"""Issue 21: `national_round` on a seeded synthetic Health Check round (a script, not a timed test).

    .venv/bin/python -m tests.benchmarks.survey_levels [--respondents 20000] [--runs 5] [--seed 21]

Makes 169 organisations in the nine English regions (local authorities, NHS trusts, not-for-profit
providers, some too small to be shown), a survey of 8 standards and workplace experiences (26 questions),
one service-area breakdown and six characteristics, and two rounds of respondents (the current one of
`--respondents`, the previous one 10% fewer). Times `national_round` with and without the previous round,
`--runs` times each, and prints the medians; the goal of issue 21 is well under 2 s. The last line is a
JSON results line.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Sequence
from typing import Any

from tests.benchmarks.common import emit, load, maxrss_mb, summary
from tracker.domain.survey_levels import Organisation, national_round
from tracker.domain.surveys import AGREE5, Response, Section, SurveyDefinition

REGIONS = (
    "East Midlands",
    "East of England",
    "London",
    "North East",
    "North West",
    "South East",
    "South West",
    "West Midlands",
    "Yorkshire and the Humber",
)
KINDS = (("local_authority", 140), ("nhs_trust", 19), ("not_for_profit", 10))
AREAS = ("adults", "children", "mental_health")
PROFESSIONS = ("social_worker", "occupational_therapist", "social_care_worker")
CHARACTERISTICS = {
    "gender": ("woman", "man", "non_binary"),
    "age_band": ("18-24", "25-34", "35-44", "45-54", "55+"),
    "religion": ("none", "christian", "muslim", "hindu", "jewish", "sikh", "other"),
    "sexuality": ("heterosexual", "gay_or_lesbian", "bisexual", "other"),
    "ethnicity": ("white", "black", "asian", "mixed", "other"),
    "disability": ("yes", "no"),
}
QUESTIONS_PER_SECTION = (3, 3, 3, 3, 3, 3, 2, 2, 4)  # 26 questions


def definition() -> SurveyDefinition:
    sections = []
    for index, size in enumerate(QUESTIONS_PER_SECTION):
        sid = f"standard-{index + 1}" if index < 8 else "workplace"
        questions = tuple((f"s{index + 1}q{q + 1}", f"Question {q + 1} of {sid}") for q in range(size))
        reverse = frozenset({questions[-1][0]}) if index == 8 else frozenset()
        sections.append(Section(sid, sid.replace("-", " ").title(), questions, reverse))
    return SurveyDefinition(
        id="health-check",
        title="Health Check",
        scale=AGREE5,
        breakdowns=("service_area",),
        sections=tuple(sections),
        organisations=True,
        characteristics=tuple(CHARACTERISTICS),
        overall=tuple(s.id for s in sections[:8]),
    )


def organisations(rng: random.Random) -> list[Organisation]:
    orgs: list[Organisation] = []
    for kind, count in KINDS:
        for _ in range(count):
            number = len(orgs) + 1
            orgs.append(
                Organisation(f"org-{number:03d}", f"Organisation {number}", kind, rng.choice(REGIONS))
            )
    return orgs


def respondents(
    survey: SurveyDefinition, orgs: Sequence[Organisation], count: int, rng: random.Random, shift: float
) -> list[Response]:
    """Rows spread over organisations by weight (a few get under 10), answers around a per-org mood."""
    weights = [rng.choice((1, 1, 2, 3, 5, 8)) if i % 25 else 0.05 for i in range(len(orgs))]
    mood = {org.id: rng.gauss(0, 0.6) + shift for org in orgs}
    labels = [label for label, _ in AGREE5.options[:5]]
    questions = survey.question_ids()
    rows: list[Response] = []
    for number, org in enumerate(rng.choices(orgs, weights=weights, k=count)):
        answers: dict[str, float | None] = {}
        for qid in questions:
            if rng.random() < 0.04:
                answers[qid] = None
                continue
            index = min(4, max(0, round(rng.gauss(2.9 + mood[org.id], 1.1))))
            answers[qid] = AGREE5.score(labels[index])
        groups = {"org": org.id, "service_area": rng.choice(AREAS), "profession": rng.choice(PROFESSIONS)}
        for name, values in CHARACTERISTICS.items():
            if rng.random() > 0.05:
                groups[name] = rng.choice(values)
        rows.append(Response(f"r{number}", answers, groups))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=21)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    survey = definition()
    orgs = organisations(rng)
    current = respondents(survey, orgs, args.respondents, rng, 0.0)
    previous = respondents(survey, orgs, int(args.respondents * 0.9), rng, 0.2)
    print(f"load before: {load()}")
    results: dict[str, Any] = {"respondents": len(current), "previous": len(previous), "orgs": len(orgs)}
    for name, before in (("current only", ()), ("with previous", previous)):
        samples: list[float] = []
        for _ in range(args.runs):
            started = time.perf_counter()
            outcome = national_round(
                survey, orgs, current, before, round_label="2023/24", previous_label="2022/23"
            )
            samples.append(time.perf_counter() - started)
        stats = summary(samples)
        results[name] = stats
        unreportable = sum(not r.reportable for r in outcome.orgs.values())
        print(
            f"national_round, {name}: median {stats['median']:.3f} s "
            f"(min {stats['min']:.3f}, max {stats['max']:.3f}, {args.runs} runs); "
            f"{len(current)} respondents, {len(orgs)} organisations ({unreportable} without a local report), "
            f"{len(outcome.regions)} regions"
        )
    print(f"load after: {load()}; peak memory {maxrss_mb():.0f} MB")
    results["maxrss_mb"] = maxrss_mb()
    emit(results)


if __name__ == "__main__":
    main()
