"""An uploaded framework file checked as `tracker framework validate` checks it: every problem located, and
the file's lines around each problem so it can be shown beside its line."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from tracker.domain import framework as fw
from tracker.domain.loader import parse_framework
from tracker.domain.problems import MAX_PROBLEMS_SHOWN
from tracker.domain.yaml_source import MAX_BYTES, Problem, decode
from tracker.services.framework_history import split_lines

CONTEXT_LINES = 3  # lines shown before and after each line with a problem
SOURCE_NAME_MAX = 200


def size_words(limit: int) -> str:
    """A byte limit as the loader says it: 1000000 -> '1 MB'."""
    return f"{limit / 1_000_000:g} MB" if limit >= 1_000_000 else f"{limit:,} bytes"


def file_limit(upload_max_bytes: int) -> int:
    """The largest framework file accepted: the loader's limit, or the configured upload limit if lower."""
    return min(MAX_BYTES, upload_max_bytes)


def source_name(filename: str) -> str:
    """The uploaded file's own name (no folders a browser may send), kept as the version's source name."""
    name = PureWindowsPath(PurePosixPath(filename).name).name.strip()
    return name[:SOURCE_NAME_MAX] or "framework.yaml"


# -- checking the file ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LocatedProblem:
    """A problem with its place in the file; `mark` is the listed line it is shown beside (0: none)."""

    number: int
    line: int
    column: int
    message: str
    mark: int

    @property
    def located(self) -> str:
        return f"{self.line}:{self.column}: {self.message}"


@dataclass(frozen=True)
class ShownLine:
    number: int
    text: str
    problems: tuple[LocatedProblem, ...]


@dataclass(frozen=True)
class Gap:
    """Lines of the file left out of the listing (no problem near them)."""

    first: int
    last: int


@dataclass(frozen=True)
class Checked:
    """An uploaded file: its framework when valid, else its problems (the first ones, all counted) and the
    lines around them."""

    name: str
    text: str | None
    framework: fw.Framework | None
    problems: tuple[LocatedProblem, ...]
    problem_count: int
    listing: tuple[ShownLine | Gap, ...]

    @property
    def ok(self) -> bool:
        return self.framework is not None

    @property
    def more_problems(self) -> int:
        return self.problem_count - len(self.problems)


def _listing(lines: list[str], problems: tuple[LocatedProblem, ...]) -> tuple[ShownLine | Gap, ...]:
    """The lines with problems and a few around each; what lies between is a gap."""
    by_line: dict[int, list[LocatedProblem]] = {}
    for p in problems:
        by_line.setdefault(p.mark, []).append(p)
    wanted = sorted(
        {
            n
            for mark in by_line
            for n in range(max(1, mark - CONTEXT_LINES), min(len(lines), mark + CONTEXT_LINES) + 1)
        }
    )
    parts: list[ShownLine | Gap] = []
    previous = 0
    for n in wanted:
        if n > previous + 1:
            parts.append(Gap(previous + 1, n - 1))
        parts.append(ShownLine(n, lines[n - 1], tuple(by_line.get(n, ()))))
        previous = n
    if wanted and previous < len(lines):
        parts.append(Gap(previous + 1, len(lines)))
    return tuple(parts)


def check_upload(raw: bytes, filename: str, limit: int) -> Checked:
    """Read an uploaded file as `tracker framework validate` does (strict safe YAML, every rule); `raw` may
    hold one byte more than `limit`, which refuses the file as too large."""
    name = source_name(filename)
    found: tuple[Problem, ...]
    text: str | None = None
    framework = None
    if len(raw) > limit:
        found = (
            Problem(1, 1, f"the file is larger than {size_words(limit)}, the limit for a framework file"),
        )
    else:
        text, decoded = decode(raw)
        if text is None:
            found = tuple(decoded)
        else:
            result = parse_framework(text, name)
            found, framework = result.problems, result.framework
    lines = split_lines(text) if text is not None else []
    problems = tuple(
        LocatedProblem(i, p.line, p.column, p.message, min(max(p.line, 1), len(lines)))
        for i, p in enumerate(sorted(found)[:MAX_PROBLEMS_SHOWN], start=1)
    )
    return Checked(name, text, framework, problems, len(found), _listing(lines, problems))
