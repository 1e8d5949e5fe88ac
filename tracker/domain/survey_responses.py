"""Survey responses from one round's spreadsheet rows, with problems located by row and column."""

from __future__ import annotations

from collections.abc import Sequence

from tracker.domain.problems import ProblemLog
from tracker.domain.surveys import (
    RESPONDENT_COLUMN,
    Response,
    SurveyDefinition,
    did_you_mean,
)

# -- responses from a spreadsheet ------------------------------------------------------------------


def column_letter(index: int) -> str:
    """Spreadsheet column name of a 0-based index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def parse_responses(
    definition: SurveyDefinition, header: Sequence[str], rows: Sequence[Sequence[str]]
) -> tuple[tuple[Response, ...], ProblemLog]:
    """Responses from one round's rows, or none at all with the problems (the first kept, all counted).

    Rows are numbered as in a spreadsheet (header 1, first data row 2); the column is its heading as
    written, or its letter when it has none. Every question column and every declared breakdown column
    is required; a `respondent` column is optional. Wholly blank rows are skipped.
    """
    problems = ProblemLog()
    names = [str(cell).strip().lstrip("\ufeff").strip() for cell in header]
    if not any(names):
        problems.add(1, "the file has no header row")
        return (), problems
    expected: dict[str, tuple[str, str]] = {}  # casefolded heading -> (kind, canonical name)
    for qid in definition.question_ids():
        expected[qid.casefold()] = ("question", qid)
    for name in definition.breakdowns:
        expected[name.casefold()] = ("breakdown", name)
    expected[RESPONDENT_COLUMN] = ("respondent", RESPONDENT_COLUMN)
    columns: dict[str, int] = {}  # canonical name -> index
    for index, name in enumerate(names):
        label = name or column_letter(index)
        if not name:
            if any(index < len(row) and str(row[index]).strip() for row in rows):
                problems.add(1, f"column {label} has answers but no heading", column=label)
            continue
        known = expected.get(name.casefold())
        if known is None:
            choices = [canonical for _, canonical in expected.values()]
            hint = did_you_mean(name, choices)
            problems.add(1, f"unknown column '{name}'{hint} (expected: {', '.join(choices)})", column=name)
            continue
        canonical = known[1]
        if canonical in columns:
            first = column_letter(columns[canonical])
            again = column_letter(index)
            problems.add(1, f"column '{name}' appears twice (columns {first} and {again})", column=name)
            continue
        columns[canonical] = index
    questions = {qid: text for section in definition.sections for qid, text in section.questions}
    for qid, text in questions.items():
        if qid not in columns:
            problems.add(1, f"missing column '{qid}' for the question '{text[:80]}'", column=qid)
    for name in definition.breakdowns:
        if name not in columns:
            problems.add(1, f"missing breakdown column '{name}'", column=name)

    responses: list[Response] = []
    respondent_rows: dict[str, int] = {}
    width = len(names)
    for offset, row in enumerate(rows):
        number = offset + 2
        cells = [str(cell) for cell in row]
        if not any(cell.strip() for cell in cells):
            continue
        extra = [i for i in range(width, len(cells)) if cells[i].strip()]
        if extra:
            beyond = f"has a value beyond the {width} headed columns"
            problems.add(number, beyond, column=column_letter(extra[0]))
        cells += [""] * (width - len(cells))
        answers: dict[str, float | None] = {}
        for qid in questions:
            index = columns.get(qid, -1)
            if index < 0:
                continue
            try:
                answers[qid] = definition.scale.score(cells[index])
            except ValueError as error:
                problems.add(number, str(error), column=names[index])
        groups: dict[str, str] = {}
        for name in definition.breakdowns:
            value = cells[columns[name]].strip() if name in columns else ""
            if value:
                groups[name] = value
        respondent = ""
        if RESPONDENT_COLUMN in columns:
            index = columns[RESPONDENT_COLUMN]
            respondent = cells[index].strip()
            if respondent in respondent_rows:
                again = f"respondent '{respondent[:60]}' is already on row {respondent_rows[respondent]}"
                problems.add(number, again, column=names[index])
            elif respondent:
                respondent_rows[respondent] = number
        responses.append(Response(respondent, answers, groups))
    if not responses and not problems:
        problems.add(2, "the file has no responses")
    if problems:
        return (), problems
    return tuple(responses), problems
