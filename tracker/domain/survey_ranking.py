"""Ranks of organisations among those of the same kind, as the Health Check prints them ("12th of 151")."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


def ordinal(number: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 22nd, 101st, 111th."""
    if number % 100 in (11, 12, 13):
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th') }"


@dataclass(frozen=True, slots=True)
class Rank:
    """A position among `of` ranked organisations; tied figures share a position (1, 2, 2, 4)."""

    position: int
    of: int

    def text(self) -> str:
        return f"{ordinal(self.position)} of {self.of}"

    def to_json(self) -> dict[str, Any]:
        return {"position": self.position, "of": self.of}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Rank:
        position, of = data["position"], data["of"]
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (position, of)):
            raise ValueError(f"a rank needs whole numbers, found {position!r} of {of!r}")
        return cls(position, of)


def competition_ranks(shown: Mapping[str, float]) -> dict[str, Rank]:
    """Each key's rank by its shown figure, highest first; equal figures share the higher position."""
    ordered = sorted(shown.values(), reverse=True)
    first: dict[float, int] = {}
    for index, value in enumerate(ordered):
        first.setdefault(value, index + 1)
    return {key: Rank(first[value], len(ordered)) for key, value in shown.items()}
