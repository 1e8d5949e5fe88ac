"""The one strict YAML reader: nodes that know their position; safe tags only, no aliases, no duplicates.

Everything else in the domain reads YAML through here (node types, values, paths), never PyYAML directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode as MappingNode
from yaml.nodes import Node as Node
from yaml.nodes import ScalarNode as ScalarNode
from yaml.nodes import SequenceNode as SequenceNode

MAX_BYTES = 1_000_000
MAX_DEPTH = 50
STR_TAG = "tag:yaml.org,2002:str"
NULL_TAG = "tag:yaml.org,2002:null"
MAP_TAG = "tag:yaml.org,2002:map"


@dataclass(frozen=True, slots=True, order=True)
class Problem:
    """One thing wrong with an input, located for a human: `file:line:col: message`."""

    line: int
    column: int
    message: str
    file: str = ""

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}: {self.message}"


class YamlRefused(Exception):
    """Raised inside the composer to stop at once on input that must not be read further."""

    def __init__(self, mark: Any, message: str) -> None:
        super().__init__(message)
        self.mark = mark
        self.message = message


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors and aliases (no YAML bombs) and very deep nesting."""

    def compose_node(self, parent: Node | None, index: int) -> Node | None:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if isinstance(event, yaml.AliasEvent):
            raise YamlRefused(event.start_mark, f"aliases (*{event.anchor}) are not allowed")
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise YamlRefused(event.start_mark, f"anchors (&{anchor}) are not allowed")
        self._depth = getattr(self, "_depth", 0) + 1
        try:
            if self._depth > MAX_DEPTH:
                raise YamlRefused(event.start_mark, f"nesting deeper than {MAX_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def position(node: Node) -> tuple[int, int]:
    """1-based line and column of a node."""
    return node.start_mark.line + 1, node.start_mark.column + 1


class Unreadable:
    """Marks a value YAML could not construct (for example the date 2020-13-45)."""


UNREADABLE = Unreadable()


def construct(node: Node, *, deep: bool = False) -> Any:
    """A node's Python value exactly as yaml.safe_load gives it, or UNREADABLE."""
    try:
        return yaml.constructor.SafeConstructor().construct_object(node, deep=deep)
    except (ValueError, yaml.YAMLError):
        return UNREADABLE


def describe(node: Node) -> str:
    """How a problem message names what was found instead: a mapping, a list, nothing or 'value'."""
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == NULL_TAG:
        return "nothing"
    return f"'{node.value}'"


def join_path(path: str, key: str | int) -> str:
    """A key path as problems name it (themes[0].kpis[2].target); node_at reads it back."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def node_at(root: Node, path: str, *, key: bool = False) -> Node:
    """The node a path such as 'surveys[0].sections[1].reverse[0]' names; `key` gives a key's own node.

    Where the path leaves the document (a missing key, an index past the end) the deepest node reached is
    returned, which is where the missing part belongs.
    """
    node = root
    parts = _PATH_PART.findall(path)
    for position_, (name, index) in enumerate(parts):
        last = position_ == len(parts) - 1
        if name:
            if not isinstance(node, MappingNode):
                return node
            match = next(
                ((k, v) for k, v in node.value if isinstance(k, ScalarNode) and k.value == name), None
            )
            if match is None:
                return node
            node = match[0] if (last and key) else match[1]
        else:
            if not isinstance(node, SequenceNode) or int(index) >= len(node.value):
                return node
            node = node.value[int(index)]
    return node


def _duplicate_keys(node: Node) -> list[Problem]:
    problems: list[Problem] = []
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, MappingNode):
            seen: dict[str, int] = {}
            for key, value in current.value:
                if isinstance(key, ScalarNode):
                    if key.value in seen:
                        line, col = position(key)
                        problems.append(
                            Problem(
                                line,
                                col,
                                f"duplicate key '{key.value}' (first at line {seen[key.value]})",
                            )
                        )
                    else:
                        seen[key.value] = position(key)[0]
                stack.append(value)
        elif isinstance(current, SequenceNode):
            stack.extend(current.value)
    return problems


def _reader_problem(text: str, error: yaml.reader.ReaderError) -> Problem:
    """A character YAML does not allow (a NUL, a control character), located by line and column."""
    before = text[: error.position]
    line = before.count("\n") + 1
    column = error.position - (before.rfind("\n") + 1) + 1
    return Problem(line, column, f"the file holds a character YAML does not allow (U+{error.character:04X})")


def compose_text(text: str) -> tuple[Node | None, list[Problem]]:
    """The document's node tree and the problems that stop it being read (empty list when fine)."""
    try:
        loader = _StrictLoader(text)
    except yaml.reader.ReaderError as error:
        return None, [_reader_problem(text, error)]
    try:
        node = loader.get_single_node()
    except YamlRefused as refused:
        line, col = (refused.mark.line + 1, refused.mark.column + 1) if refused.mark else (1, 1)
        return None, [Problem(line, col, refused.message)]
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        what = error.problem or error.context or "cannot be read"
        return None, [Problem(line, col, f"YAML syntax error: {what}")]
    except yaml.reader.ReaderError as error:
        return None, [_reader_problem(text, error)]
    except yaml.YAMLError as error:
        return None, [Problem(1, 1, f"YAML error: {error}")]
    finally:
        loader.dispose()
    if node is None:
        return None, [Problem(1, 1, "the file is empty")]
    return node, _duplicate_keys(node)


def decode(raw: bytes) -> tuple[str | None, list[Problem]]:
    """UTF-8 text, or the position of the first byte that is not UTF-8."""
    if len(raw) > MAX_BYTES:
        return None, [Problem(1, 1, f"the file is {len(raw):,} bytes; the limit is 1 MB")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        before = raw[: error.start]
        line = before.count(b"\n") + 1
        col = error.start - (before.rfind(b"\n") + 1) + 1
        return None, [Problem(line, col, "the file is not UTF-8 text")]
    return text, []


def read_file(path: Path) -> tuple[str | None, list[Problem]]:
    """The file's text, refusing missing, unreadable and oversized files without reading them whole."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return None, [Problem(1, 1, f"the file is {size:,} bytes; the limit is 1 MB")]
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        return None, [Problem(1, 1, "no such file")]
    except IsADirectoryError:
        return None, [Problem(1, 1, "is a folder, not a file")]
    except OSError as error:
        return None, [Problem(1, 1, f"cannot be read: {error.strerror}")]
    return decode(raw)
