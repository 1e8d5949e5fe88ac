"""The problems of a file's rows, as an import or a survey round reports them: all counted, the first kept."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple, Self

# Problems kept to show: a file of 50,000 bad rows must not make a page (or a list in memory) of them all.
MAX_PROBLEMS_SHOWN = 100


class RowProblem(NamedTuple):
    """What is wrong at a row numbered as a spreadsheet shows it (the header is row 1), and in which column
    when one is to blame ("" when the row or the file as a whole is)."""

    row: int
    column: str
    message: str

    def located(self, name: str) -> str:
        return f"{name}:{self.row}: {self.message}"


class ProblemLog:
    """Counts every problem but keeps only the first `keep` by row, so a bad file of any size costs bounded
    memory whatever order its problems are found in."""

    def __init__(self, keep: int = MAX_PROBLEMS_SHOWN) -> None:
        self.keep = keep
        self.total = 0
        self._kept: list[RowProblem] = []

    def add(self, row: int, message: str, *, column: str = "") -> None:
        self.total += 1
        self._kept.append(RowProblem(row, column, message))
        if len(self._kept) >= 4 * self.keep:
            self._kept = self.first()

    def first(self) -> list[RowProblem]:
        """The problems of the lowest rows, in row order (a row's own problems in the order found)."""
        return sorted(self._kept, key=lambda problem: problem.row)[: self.keep]

    def __bool__(self) -> bool:
        return self.total > 0


@dataclass
class ProblemsFound:
    """What a file's load or import reports when it fails: the first problems kept, all of them counted;
    a result type adds what a successful one did."""

    problems: list[RowProblem] = field(default_factory=list)
    problem_count: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def more_problems(self) -> int:
        """Problems found but not listed (only the first ones are kept)."""
        return max(0, self.problem_count - len(self.problems))

    @classmethod
    def failed(cls, problems: ProblemLog) -> Self:
        return cls(problems=problems.first(), problem_count=problems.total)
