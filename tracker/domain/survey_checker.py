"""Reading a survey definition's plain YAML value: problems collected as (key path, message), none raised."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence

from tracker.domain.settings import describe_value
from tracker.domain.surveys import did_you_mean, number_text
from tracker.domain.yaml_source import join_path

Problems = list[tuple[str, str]]
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX = 64


class Checker:
    """Collects (path, message) problems while reading the plain YAML value."""

    def __init__(self) -> None:
        self.problems: Problems = []

    def error(self, path: str, message: str) -> None:
        self.problems.append((path, message))

    def mapping(
        self, raw: object, path: str, allowed: Sequence[str], required: Iterable[str] = ()
    ) -> dict[str, object] | None:
        if not isinstance(raw, Mapping):
            self.error(path, f"expected a mapping of keys, found {describe_value(raw)}")
            return None
        found: dict[str, object] = {}
        for key, value in raw.items():
            name = str(key)
            if name not in allowed:
                known = ", ".join(sorted(allowed))
                self.error(
                    join_path(path, name),
                    f"unknown key '{name}'{did_you_mean(name, allowed)} (known: {known})",
                )
                continue
            found[name] = value
        for name in sorted(set(required) - found.keys()):
            self.error(path, f"missing required key '{name}'")
        return found

    def sequence(self, raw: object, path: str) -> list[object]:
        if raw is None:
            return []
        if isinstance(raw, list | tuple):
            return list(raw)
        self.error(path, f"expected a list, found {describe_value(raw)}")
        return []

    def text(self, raw: object, path: str) -> str:
        if raw is None:
            self.error(path, "must not be empty")
            return ""
        if not isinstance(raw, str):
            self.error(path, f"expected text, found {describe_value(raw)}; put it in quotes")
            return ""
        if not raw.strip():
            self.error(path, "must not be empty")
        return raw.strip()

    def slug(self, raw: object, path: str) -> str:
        value = self.text(raw, path)
        if value and (not SLUG.match(value) or len(value) > SLUG_MAX):
            self.error(
                path,
                f"'{value}' is not a valid id: use lower-case letters, digits and single hyphens "
                f"(at most {SLUG_MAX} characters)",
            )
            return ""
        return value

    def number(self, raw: object, path: str, low: float, high: float) -> float | None:
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
            self.error(path, f"expected a number, found {describe_value(raw)}")
            return None
        if not low <= raw <= high:
            self.error(path, f"must be between {number_text(low)} and {number_text(high)}, found {raw}")
            return None
        return float(raw)
