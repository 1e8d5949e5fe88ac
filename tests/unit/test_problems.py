"""The one problem log that CSV imports and survey rounds share: all counted, the lowest rows kept."""

from __future__ import annotations

from tracker.domain.problems import MAX_PROBLEMS_SHOWN, ProblemLog, RowProblem


def test_an_empty_log_is_false_and_lists_nothing() -> None:
    problems = ProblemLog()
    assert not problems
    assert (problems.total, problems.first()) == (0, [])


def test_every_problem_is_counted_but_only_the_first_by_row_are_kept() -> None:
    problems = ProblemLog(keep=3)
    for row in (9, 4, 7, 2, 8, 5, 3, 6, 2, 10, 11, 12, 13):
        problems.add(row, f"bad {row}")
    assert problems and problems.total == 13
    assert problems.first() == [
        RowProblem(2, "", "bad 2"),
        RowProblem(2, "", "bad 2"),
        RowProblem(3, "", "bad 3"),
    ]


def test_a_problem_keeps_its_column_and_reads_as_a_tuple() -> None:
    problems = ProblemLog()
    problems.add(1, "missing column 'q1'", column="q1")
    problems.add(1, "the file has no responses")
    (row, column, message), whole_row = problems.first()
    assert (row, column, message) == (1, "q1", "missing column 'q1'")
    assert (
        whole_row.column == "" and whole_row.located("round.csv") == "round.csv:1: the file has no responses"
    )


def test_the_first_hundred_are_kept_for_imports_and_survey_rounds_alike() -> None:
    problems = ProblemLog()
    for row in range(2, 2 + 5 * MAX_PROBLEMS_SHOWN):
        problems.add(row, "bad")
    assert len(problems.first()) == MAX_PROBLEMS_SHOWN == 100
    assert [p.row for p in problems.first()] == list(range(2, 2 + MAX_PROBLEMS_SHOWN))
    assert problems.total == 5 * MAX_PROBLEMS_SHOWN
