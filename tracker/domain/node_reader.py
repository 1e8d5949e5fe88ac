"""Typed values from framework YAML nodes, every problem located as FILE:LINE:COL: key.path: message."""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from tracker.domain.yaml_source import (
    NULL_TAG,
    STR_TAG,
    MappingNode,
    Node,
    Problem,
    ScalarNode,
    SequenceNode,
    construct,
    describe,
    join_path,
    position,
)

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX = 64
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

KIND_LABEL = {
    "partner": "partner",
    "theme": "theme",
    "aim": "aim",
    "activity": "activity",
    "output": "output",
    "outcome": "outcome",
    "kpi": "KPI",
}

C = TypeVar("C", bound=str)


def _article(noun: str) -> str:
    return "an" if noun[0] in "aeio" else "a"


class NodeReader:
    """Walks the node tree once, converting values and collecting every problem on the way."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.problems: list[Problem] = []
        self.ids: dict[str, tuple[str, int]] = {}
        self.references: list[tuple[str, Node, str, str]] = []

    # -- reporting -------------------------------------------------------------------------------
    def error(self, node: Node, path: str, message: str) -> None:
        line, col = position(node)
        text = f"{path}: {message}" if path else message
        self.problems.append(Problem(line, col, text, self.filename))

    # -- containers ------------------------------------------------------------------------------
    def mapping(
        self, node: Node, path: str, allowed: Iterable[str], required: Iterable[str] = ()
    ) -> dict[str, Node] | None:
        allowed = set(allowed)
        if not isinstance(node, MappingNode):
            self.error(node, path or "(root)", f"expected a mapping of keys, found {describe(node)}")
            return None
        found: dict[str, Node] = {}
        for key, value in node.value:
            if not isinstance(key, ScalarNode):
                self.error(key, path, "keys must be plain names")
                continue
            name = str(key.value)
            if name not in allowed:
                close = difflib.get_close_matches(name, sorted(allowed), n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                known = ", ".join(sorted(allowed))
                self.error(key, join_path(path, name), f"unknown key '{name}'{hint} (known: {known})")
                continue
            found.setdefault(name, value)
        for name in sorted(set(required) - found.keys()):
            self.error(node, path or "(root)", f"missing required key '{name}'")
        return found

    def sequence(self, node: Node, path: str) -> list[Node]:
        if isinstance(node, SequenceNode):
            return list(node.value)
        if isinstance(node, ScalarNode) and node.tag == NULL_TAG:
            return []
        self.error(node, path, f"expected a list, found {describe(node)}")
        return []

    # -- scalars ---------------------------------------------------------------------------------
    def value(self, node: Node, path: str) -> Any:
        """A single value as YAML reads it (UNREADABLE when it cannot), or None with a problem."""
        if not isinstance(node, ScalarNode):
            self.error(node, path, f"expected a single value, found {describe(node)}")
            return None
        return construct(node)

    def text(self, node: Node, path: str) -> str:
        value = self.value(node, path)
        if value is None and isinstance(node, ScalarNode):
            self.error(node, path, "must not be empty")
            return ""
        if isinstance(node, ScalarNode) and node.tag != STR_TAG:
            self.error(node, path, f"expected text, found {describe(node)}; put it in quotes")
            return ""
        if not isinstance(value, str):
            return ""
        if not value.strip():
            self.error(node, path, "must not be empty")
        return value.strip()

    def label(self, node: Node, path: str) -> str:
        """A period label such as 2018/19; a bare number like 2019 is taken as text."""
        value = self.value(node, path)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(node.value)
        return self.text(node, path)

    def slug(self, node: Node, path: str) -> str:
        value = self.text(node, path)
        if value and (not SLUG.match(value) or len(value) > SLUG_MAX):
            self.error(
                node,
                path,
                f"'{value}' is not a valid id: use lower-case letters, digits and single hyphens "
                f"(at most {SLUG_MAX} characters)",
            )
        return value

    def integer(self, node: Node, path: str, minimum: int | None = None) -> int:
        value = self.value(node, path)
        if not isinstance(value, int) or isinstance(value, bool):
            if isinstance(node, ScalarNode):
                self.error(node, path, f"expected a whole number, found {describe(node)}")
            return 0
        if minimum is not None and value < minimum:
            self.error(node, path, f"must be at least {minimum}, found {value}")
        return value

    def number(self, node: Node, path: str) -> float:
        value = self.value(node, path)
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not ok or not math.isfinite(value):
            if isinstance(node, ScalarNode):
                self.error(node, path, f"expected a number, found {describe(node)}")
            return 0.0
        return float(value)

    def boolean(self, node: Node, path: str) -> bool:
        value = self.value(node, path)
        if not isinstance(value, bool):
            if isinstance(node, ScalarNode):
                self.error(node, path, f"expected true or false, found {describe(node)}")
            return False
        return value

    def date(self, node: Node, path: str) -> date:
        value = self.value(node, path)
        if not isinstance(node, ScalarNode):
            return date.min
        if isinstance(value, datetime):
            self.error(node, path, f"expected a date without a time (YYYY-MM-DD), found '{node.value}'")
            return date.min
        if isinstance(value, date):
            return value
        raw = str(node.value)
        if ISO_DATE.match(raw):
            try:
                return date.fromisoformat(raw)
            except ValueError:
                pass
            self.error(node, path, f"'{raw}' is not a real date")
            return date.min
        self.error(node, path, f"expected a date as YYYY-MM-DD, found {describe(node)}")
        return date.min

    def choice(self, node: Node, path: str, choices: Sequence[C], what: str) -> C:
        value = self.value(node, path)
        if isinstance(value, str) and value in choices:
            return choices[choices.index(value)]
        if isinstance(node, ScalarNode):
            self.error(node, path, f"unknown {what} {describe(node)}; expected one of: {', '.join(choices)}")
        return choices[0]

    # -- ids and references ----------------------------------------------------------------------
    def register(self, node: Node, path: str, kind: str) -> str:
        value = self.slug(node, path)
        if not value:
            return value
        if value in self.ids:
            other_kind, line = self.ids[value]
            self.error(
                node,
                path,
                f"id '{value}' is already used by the {KIND_LABEL[other_kind]} at line {line}; "
                "ids must be unique across the file",
            )
        else:
            self.ids[value] = (kind, position(node)[0])
        return value

    def references_to(self, node: Node, path: str, kind: str) -> tuple[str, ...]:
        found: list[str] = []
        for index, item in enumerate(self.sequence(node, path)):
            item_path = join_path(path, index)
            value = self.text(item, item_path)
            if value:
                self.references.append((item_path, item, value, kind))
                found.append(value)
        return tuple(found)

    def check_references(self) -> None:
        for path, node, value, kind in self.references:
            if value not in self.ids:
                self.error(
                    node, path, f"unknown {KIND_LABEL[kind]} '{value}': no {KIND_LABEL[kind]} has this id"
                )
            elif self.ids[value][0] != kind:
                found, wanted = KIND_LABEL[self.ids[value][0]], KIND_LABEL[kind]
                self.error(
                    node, path, f"'{value}' is {_article(found)} {found}, not {_article(wanted)} {wanted}"
                )
