"""Small-group suppression that cannot leak: a part too small to show, and any figure that would betray it."""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

Reason = Literal["", "small", "complementary"]
K = TypeVar("K", bound=Hashable)

WITHHELD_LOCALLY = (
    "Because of group sizes, differences between groups were not shown locally; "
    "they are in the regional and national reports"
)


@dataclass(frozen=True, slots=True)
class Candidate:
    """One part of a breakdown as the rule sees it; `name` None is the never-listed "not stated" part."""

    name: str | None
    n: int
    small: bool  # fewer than the threshold, or nothing to score


def part_reasons(
    total_shown: bool, parts: Sequence[Candidate], already: Sequence[Reason] | None = None
) -> tuple[Reason, ...]:
    """Why each part is suppressed ("" shown), in the order given.

    `already` is why each part is suppressed so far (default: "small" where the part is small). If the
    total is shown and exactly one part is suppressed, the total and the other parts would give it away,
    so the shown part with the smallest n is suppressed too ("complementary"; ties: the "not stated"
    part, which is never listed, then the first by name), until zero or at least two parts are. A
    suppressed part of no respondents hides no one, so it does not count.
    """
    reasons: list[Reason] = (
        ["small" if part.small else "" for part in parts] if already is None else list(already)
    )
    while total_shown and sum(1 for i, reason in enumerate(reasons) if reason and parts[i].n) == 1:
        shown = [index for index, reason in enumerate(reasons) if not reason and parts[index].n]
        if not shown:
            break
        pick = min(
            shown, key=lambda i: (parts[i].n, parts[i].name is not None, (parts[i].name or "").casefold())
        )
        reasons[pick] = "complementary"
    return tuple(reasons)


def alone(parts: Sequence[Candidate], reasons: Sequence[Reason]) -> bool:
    """Exactly one part with respondents is suppressed and none is shown to go with it: the total is
    that part, so the total must go instead."""
    hidden = [bool(reason) for part, reason in zip(parts, reasons, strict=True) if part.n]
    return hidden.count(True) == 1 and hidden.count(False) == 0


def given_away(parent: Mapping[K, int], children: Iterable[Mapping[K, int]], minimum: int) -> set[K]:
    """The parent's shown figures that the same shown figure of one child would give away.

    Each mapping holds the n of a level's shown figures by figure. A reader of the parent and of one
    child can subtract them: when 0 < n(parent) - n(child) < minimum the rest of the parent is a group
    too small to show, so the parent's figure must go. A child with no respondents gives nothing away.
    """
    found: set[K] = set()
    for child in children:
        for key, n in child.items():
            total = parent.get(key)
            if n > 0 and total is not None and 0 < total - n < minimum:
                found.add(key)
    return found


def withheld_locally(group_rows: Sequence[int], minimum: int) -> bool:
    """An organisation shows a characteristic only when every group (not stated too) has `minimum` rows."""
    return any(rows < minimum for rows in group_rows)
