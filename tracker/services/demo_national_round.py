"""The demo's national Health Check round (issue 21): two generated rounds of ~10,000 synthetic respondents.

Pure and deterministic: one `random.Random(SEED)` and a fixed order of draws, so every Python 3.11+ makes the
same rows; no Flask or SQLAlchemy. frameworks/demo/SURVEYS.md, "The national round (generated)", says how the
rows are made and which sentence of the seed each target cites.

How the published figures are hit without a slow search: every cell gets a latent score (the target of its
service area and question plus the respondent's, organisation's and region's effects plus noise) snapped to
the nearest answer; then, per round, service area and question, the answers nearest a step boundary move one
step until the question's total is exactly the one whose mean is the target. Respondents who left the service
area blank ("not stated") take up the rest: their totals make each national question mean hit its target.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from statistics import NormalDist
from types import MappingProxyType

from tracker.services.demo_national_orgs import REGIONS, DemoOrganisation, organisations, sizes

SEED = 20240528  # the date of the virtual event the seed's slides are from
SURVEY_ID = "health-check-national"
ROUNDS: tuple[str, ...] = ("2022/23", "2023/24")
AREAS: tuple[str, ...] = ("children", "adults", "mental-health")
NOT_STATED = ""
LABELS: tuple[str, ...] = (
    "Disagree",
    "Somewhat disagree",
    "Neither agree nor disagree",
    "Somewhat agree",
    "Agree",
)
DONT_KNOW = "Don't know"
DONT_KNOW_RATE = 0.02
BLANK_RATE = 0.01

# The survey's sections in definition order, each question with its offset (points) from the section target;
# offsets sum to 0 so the section score (the mean of its question means) is the target.
SECTIONS: tuple[tuple[str, tuple[tuple[str, float], ...]], ...] = (
    ("hcn-standard-1", (("hc-s1-principles", 1.0), ("hc-s1-applied", -3.0), ("hc-s1-understand", 2.0))),
    ("hcn-standard-2", (("hc-s2-right-number", -4.0), ("hc-s2-right-skills", 3.0), ("hc-s2-future", 1.0))),
    (
        "hcn-standard-3",
        (("hc-s3-workload-safe", 1.0), ("hc-s3-excessive-workload", -5.0), ("hc-s3-allocation", 4.0)),
    ),
    ("hcn-standard-4", (("hc-s4-culture", 1.0), ("hc-s4-tools", 0.0), ("hc-s4-environment", -1.0))),
    ("hcn-standard-5", (("hc-s5-regular", -2.0), ("hc-s5-quality", 0.0), ("hc-s5-reflect", 2.0))),
    ("hcn-standard-6", (("hc-s6-time", -4.0), ("hc-s6-opportunity", 3.0), ("hc-s6-impact", 1.0))),
    ("hcn-standard-7", (("hc-s7-supported", 1.0), ("hc-s7-requirements", -1.0))),
    ("hcn-standard-8", (("hc-s8-partnerships", 1.5), ("hc-s8-collaboration", -1.5))),
    (
        "hcn-workplace-experiences",
        (
            ("hc-we-manageable", -6.0),
            ("hc-we-location", 3.0),
            ("hc-we-respect", 5.0),
            ("hc-we-listened", -2.0),
        ),
    ),
)
REVERSE = frozenset({"hc-s3-excessive-workload"})
QUESTIONS: tuple[str, ...] = tuple(qid for _, questions in SECTIONS for qid, _ in questions)

# Section targets (Standards 1-8, then Workplace Experiences) per round: national, and per service area.
# 2023/24 cites the seed: Standards 1-8 means 74 / 74 / 77.5 / 75.5, Standard 3 75 / 73 / 77 / 75,
# Workplace Experiences 66 / 65 / 68 / 64 (overall / children / adults / mental health); 2022/23: 79 overall.
NATIONAL_TARGETS: Mapping[str, tuple[float, ...]] = MappingProxyType(
    {
        "2022/23": (78.25, 78.25, 79.75, 79.0, 79.75, 79.0, 79.75, 78.25, 69.0),
        "2023/24": (79.25, 70.25, 75.0, 71.75, 73.75, 70.75, 77.0, 74.25, 66.0),
    }
)
AREA_TARGETS: Mapping[str, Mapping[str, tuple[float, ...]]] = MappingProxyType(
    {
        "2022/23": MappingProxyType(
            {
                "children": (79.0, 78.5, 79.0, 79.0, 80.0, 79.0, 80.0, 79.0, 68.5),
                "adults": (79.0, 80.0, 81.0, 81.0, 81.5, 81.0, 81.5, 81.0, 70.5),
                "mental-health": (79.5, 79.0, 80.0, 80.0, 81.0, 80.0, 81.0, 80.0, 69.0),
            }
        ),
        "2023/24": MappingProxyType(
            {
                "children": (81.0, 70.0, 73.0, 71.0, 74.0, 70.0, 78.0, 75.0, 65.0),
                "adults": (80.0, 75.0, 77.0, 76.0, 78.0, 75.0, 80.0, 79.0, 68.0),
                "mental-health": (80.0, 72.0, 75.0, 73.0, 76.0, 73.0, 79.0, 76.0, 64.0),
            }
        ),
    }
)

# Who answers: (value, weight) per organisation kind, then characteristics ("" = left blank, not stated).
_AREA_MIX = MappingProxyType(
    {
        "local_authority": (("children", 50), ("adults", 30), ("mental-health", 8), (NOT_STATED, 12)),
        "nhs_trust": (("children", 2), ("adults", 30), ("mental-health", 56), (NOT_STATED, 12)),
        "not_for_profit": (("children", 40), ("adults", 40), ("mental-health", 8), (NOT_STATED, 12)),
    }
)
_PROFESSION_MIX = MappingProxyType(
    {
        "local_authority": (
            ("social_worker", 78),
            ("occupational_therapist", 10),
            ("social_care_worker", 12),
        ),
        "nhs_trust": (("social_worker", 60), ("occupational_therapist", 30), ("social_care_worker", 10)),
        "not_for_profit": (("social_worker", 45), ("occupational_therapist", 5), ("social_care_worker", 50)),
    }
)
CHARACTERISTICS: tuple[tuple[str, tuple[tuple[str, float], ...]], ...] = (
    ("gender", (("woman", 78), ("man", 17), ("non-binary", 1), (NOT_STATED, 4))),
    (
        "age_band",
        (
            ("under-25", 5),
            ("25-34", 28),
            ("35-44", 27),
            ("45-54", 22),
            ("55-64", 15),
            ("65-plus", 1),
            (NOT_STATED, 2),
        ),
    ),
    (
        "sexuality",
        (("heterosexual", 84), ("gay-or-lesbian", 4), ("bisexual", 3), ("other", 1), (NOT_STATED, 8)),
    ),
    (
        "religion",
        (
            ("no-religion", 45),
            ("christian", 38),
            ("muslim", 6),
            ("hindu", 2),
            ("sikh", 1),
            ("other", 3),
            (NOT_STATED, 5),
        ),
    ),
)
COLUMNS: tuple[str, ...] = (
    "respondent",
    "org",
    "profession",
    "service_area",
    *(name for name, _ in CHARACTERISTICS),
    *QUESTIONS,
)

# Effects on a respondent's latent scores (points): small, so characteristic tables differ a little.
_EFFECTS = MappingProxyType(
    {
        "occupational_therapist": 1.5,
        "social_care_worker": -1.5,
        "non-binary": -4.0,
        "under-25": 2.0,
        "55-64": -1.0,
        "bisexual": -2.0,
    }
)
_TENDENCY_SD = 9.0  # a respondent's own leaning, shared by all their answers
_NOISE_SD = 15.0  # one answer's own noise
# Standard normal quantiles at 2,048 evenly spaced probabilities: an answer's noise is one of them, picked by
# the same uniform draw that decides whether the cell is answered (twice as fast as random.gauss per cell).
_NORMAL: tuple[float, ...] = tuple(NormalDist().inv_cdf((k + 0.5) / 2048) for k in range(2048))
_ORG_SD, _ORG_ROUND_SD, _ORG_SECTION_SD = 4.0, 1.5, 3.0
_REGION_SD, _REGION_ROUND_SD = 1.5, 1.0
# A few organisations with one standard far below the rest in 2023/24, so some local reports show a poor
# (red) standard that "needs a plan".
STRUGGLING: Mapping[tuple[str, str], float] = MappingProxyType(
    {
        ("la-033", "hcn-standard-3"): -32.0,
        ("la-104", "hcn-standard-3"): -32.0,
        ("la-071", "hcn-standard-6"): -32.0,
    }
)


@dataclass(frozen=True, slots=True)
class DemoRound:
    """One round's respondent rows, each a mapping of CSV cells keyed by COLUMNS."""

    label: str
    rows: tuple[Mapping[str, str], ...]

    def table(self) -> list[list[str]]:
        """The header then every row as a list of cells: for csv.writer or `parse_responses`."""
        return [list(COLUMNS), *([row[column] for column in COLUMNS] for row in self.rows)]


@dataclass(frozen=True, slots=True)
class NationalDemo:
    """The organisations and the two rounds, oldest first."""

    organisations: tuple[DemoOrganisation, ...]
    rounds: tuple[DemoRound, ...]

    def round(self, label: str) -> DemoRound:
        return next(r for r in self.rounds if r.label == label)

    def organisation_table(self) -> list[list[str]]:
        """The header then one row per organisation: the CSV of `tracker survey orgs`."""
        return [
            ["org", "name", "kind", "region"],
            *([o.id, o.name, o.kind, o.region] for o in self.organisations),
        ]


@dataclass(slots=True)
class _Respondent:
    org: DemoOrganisation
    area: str
    cells: dict[str, str]
    offset: float  # tendency plus organisation, region, profession and characteristic effects


@functools.cache
def _cumulative(mix: tuple[tuple[str, float], ...]) -> tuple[tuple[str, ...], tuple[float, ...]]:
    return tuple(value for value, _ in mix), tuple(itertools.accumulate(weight for _, weight in mix))


def _pick(rng: random.Random, mix: tuple[tuple[str, float], ...]) -> str:
    """One value drawn by weight (what rng.choices does, without rebuilding the weights each time)."""
    values, cumulative = _cumulative(mix)
    return values[bisect.bisect(cumulative, rng.random() * cumulative[-1])]


def _settle(latents: Sequence[float], total: int) -> list[int]:
    """Steps 0-4 nearest each latent, then moved one at a time, nearest a boundary first, to sum to total."""
    steps = [min(4, max(0, int(latent / 25.0 + 0.5))) for latent in latents]
    missing = total - sum(steps)
    while missing:
        way = 1 if missing > 0 else -1
        movable = [i for i, step in enumerate(steps) if 0 <= step + way <= 4]
        if not movable:
            raise ValueError(f"no answers left to move towards a total of {total}")
        movable.sort(key=lambda i: (-way * (latents[i] - 25.0 * steps[i]), i))
        for i in movable[: abs(missing)]:
            steps[i] += way
        missing = total - sum(steps)
    return steps


def _steps_total(target: float, count: int) -> int:
    """The whole number of answer steps (25 points each) whose mean over `count` answers is nearest target."""
    return int(target * count / 25.0 + 0.5)


def _respondents(
    rng: random.Random,
    label: str,
    orgs: Sequence[DemoOrganisation],
    counts: Sequence[int],
    effects: Mapping[str, float],
) -> list[_Respondent]:
    made: list[_Respondent] = []
    prefix = "R" + label[2:4] + label[5:7]
    for org, count in zip(orgs, counts, strict=True):
        for _ in range(count):
            area = _pick(rng, _AREA_MIX[org.kind])
            profession = _pick(rng, _PROFESSION_MIX[org.kind])
            cells = {"respondent": f"{prefix}-{len(made) + 1:05d}", "org": org.id, "profession": profession}
            cells["service_area"] = area
            offset = effects[org.id] + _EFFECTS.get(profession, 0.0) + rng.gauss(0.0, _TENDENCY_SD)
            for name, mix in CHARACTERISTICS:
                cells[name] = value = _pick(rng, mix)
                offset += _EFFECTS.get(value, 0.0)
            made.append(_Respondent(org, area, cells, offset))
    return made


def _answer(
    rng: random.Random,
    label: str,
    people: Sequence[_Respondent],
    org_sections: Mapping[tuple[str, str], float],
) -> None:
    """Fills every question cell of `people` so each service area and the nation hit the round's targets."""
    groups = {area: [i for i, p in enumerate(people) if p.area == area] for area in (*AREAS, NOT_STATED)}
    skip = DONT_KNOW_RATE + BLANK_RATE
    width = len(_NORMAL) / (1.0 - skip)
    for index, (section, questions) in enumerate(SECTIONS):
        bases = [p.offset + org_sections[(p.org.id, section)] for p in people]
        for qid, shift in questions:
            # Each answered cell's deviation from its group's target; one draw per cell decides all.
            deviation: dict[int, float] = {}
            for position, (person, base) in enumerate(zip(people, bases, strict=True)):
                draw = rng.random()
                if draw < skip:
                    person.cells[qid] = DONT_KNOW if draw < DONT_KNOW_RATE else ""
                else:
                    deviation[position] = base + _NOISE_SD * _NORMAL[int((draw - skip) * width)]
            answered = {area: [i for i in members if i in deviation] for area, members in groups.items()}
            national = _steps_total(NATIONAL_TARGETS[label][index] + shift, sum(map(len, answered.values())))
            totals = {
                area: _steps_total(AREA_TARGETS[label][area][index] + shift, len(answered[area]))
                for area in AREAS
            }
            totals[NOT_STATED] = national - sum(totals.values())
            for area, where in answered.items():
                centre = 25.0 * totals[area] / len(where)
                steps = _settle([centre + deviation[i] for i in where], totals[area])
                for i, step in zip(where, steps, strict=True):
                    people[i].cells[qid] = LABELS[4 - step if qid in REVERSE else step]


def build_national_demo() -> NationalDemo:
    """Generates the organisations and both rounds afresh (use `national_demo`, which caches it)."""
    rng = random.Random(SEED)  # noqa: S311 - synthetic demo rows, reproducible on purpose; not security
    orgs = organisations()
    counts = sizes(rng, orgs)
    region_base = {region: rng.gauss(0.0, _REGION_SD) for region in REGIONS}
    org_base = {org.id: rng.gauss(0.0, _ORG_SD) for org in orgs}
    org_sections = {
        (org.id, section): rng.gauss(0.0, _ORG_SECTION_SD) for org in orgs for section, _ in SECTIONS
    }
    rounds: list[DemoRound] = []
    for label, round_counts in zip(ROUNDS, counts, strict=True):
        region_now = {region: base + rng.gauss(0.0, _REGION_ROUND_SD) for region, base in region_base.items()}
        effects = {
            org.id: org_base[org.id] + region_now[org.region] + rng.gauss(0.0, _ORG_ROUND_SD) for org in orgs
        }
        sections = dict(org_sections)
        if label == ROUNDS[-1]:
            for key, drop in STRUGGLING.items():
                sections[key] += drop
        people = _respondents(rng, label, orgs, round_counts, effects)
        _answer(rng, label, people, sections)
        rows = tuple(MappingProxyType(p.cells) for p in people)  # cells were filled in COLUMNS order
        rounds.append(DemoRound(label, rows))
    return NationalDemo(orgs, tuple(rounds))


@functools.cache
def national_demo() -> NationalDemo:
    """The generated national demo, made once per process (it is the same every time)."""
    return build_national_demo()
