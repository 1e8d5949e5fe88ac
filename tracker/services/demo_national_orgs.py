"""The demo's 169 synthetic participating organisations and how many of their people answer each round.

Pure and deterministic (the sizes take draws from the caller's seeded `random.Random`); no real council,
trust or provider is named. frameworks/demo/SURVEYS.md, "The national round (generated)", gives the reasons.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

REGIONS: tuple[str, ...] = (
    "North East",
    "North West",
    "Yorkshire and the Humber",
    "East Midlands",
    "West Midlands",
    "East of England",
    "London",
    "South East",
    "South West",
)
KINDS: tuple[str, ...] = ("local_authority", "nhs_trust", "not_for_profit")
# Organisations of each kind per region, in REGIONS order: 151 + 11 + 7 = 169 ("169 Organisations
# participated: Local Authorities (major group), NHS Trusts, Not for profit providers").
PER_REGION: Mapping[str, tuple[int, ...]] = MappingProxyType(
    {
        "local_authority": (12, 23, 15, 9, 14, 11, 33, 19, 15),
        "nhs_trust": (1, 2, 1, 1, 1, 1, 2, 1, 1),
        "not_for_profit": (0, 1, 1, 0, 1, 0, 2, 1, 1),
    }
)
_ID_PREFIX = MappingProxyType({"local_authority": "la", "nhs_trust": "nhs", "not_for_profit": "nfp"})
_NAME = MappingProxyType(
    {
        "local_authority": "Local authority",
        "nhs_trust": "NHS trust",
        "not_for_profit": "Not-for-profit provider",
    }
)
_DIGITS = MappingProxyType({"local_authority": 3, "nhs_trust": 2, "not_for_profit": 2})

# Completers per round, fixed by hand so the demo always shows suppression (under 10), the threshold itself
# (exactly 10), an organisation shown last round but not this one and the reverse, and two organisations that
# joined in 2023/24 (0 in 2022/23). Every other organisation has at least MIN_SIZE in both rounds.
FIXED_SIZES: Mapping[str, tuple[int, int]] = MappingProxyType(
    {
        "la-015": (14, 9),
        "la-062": (6, 4),
        "la-097": (9, 23),
        "la-118": (8, 7),
        "la-140": (10, 10),
        "la-151": (0, 41),
        "nhs-07": (0, 8),
        "nfp-02": (7, 6),
        "nfp-05": (12, 9),
    }
)
MIN_SIZE = 12
# Median completers of an organisation of each kind (log-normal spread), and each round's scale: about
# 10,000 respondents a round, most of them from local authorities.
_MEDIAN = MappingProxyType({"local_authority": 58.0, "nhs_trust": 30.0, "not_for_profit": 15.0})
_SPREAD = 0.45
_ROUND_SCALE = (0.97, 1.0)


@dataclass(frozen=True, slots=True)
class DemoOrganisation:
    """One synthetic participating organisation: the columns of `tracker survey orgs`."""

    id: str
    name: str
    kind: str
    region: str


def organisations() -> tuple[DemoOrganisation, ...]:
    """The 169 organisations, local authorities first, each kind numbered through the regions in order."""
    made: list[DemoOrganisation] = []
    for kind in KINDS:
        number = 0
        for region, count in zip(REGIONS, PER_REGION[kind], strict=True):
            for _ in range(count):
                number += 1
                digits = str(number).zfill(_DIGITS[kind])
                made.append(
                    DemoOrganisation(f"{_ID_PREFIX[kind]}-{digits}", f"{_NAME[kind]} {digits}", kind, region)
                )
    return tuple(made)


def sizes(rng: random.Random, orgs: Sequence[DemoOrganisation]) -> tuple[tuple[int, ...], ...]:
    """Completers of each organisation (in `orgs` order) in each round, oldest round first."""
    bases = [_MEDIAN[org.kind] * math.exp(rng.gauss(0.0, _SPREAD)) for org in orgs]
    rounds: list[tuple[int, ...]] = []
    for index, scale in enumerate(_ROUND_SCALE):
        counts: list[int] = []
        for org, base in zip(orgs, bases, strict=True):
            drawn = max(MIN_SIZE, round(base * scale * math.exp(rng.gauss(0.0, 0.1))))
            fixed = FIXED_SIZES.get(org.id)
            counts.append(drawn if fixed is None else fixed[index])
        rounds.append(tuple(counts))
    return tuple(rounds)
