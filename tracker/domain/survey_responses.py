"""Survey responses from one round's spreadsheet rows, with problems located by row and column."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from tracker.domain.problems import ProblemLog
from tracker.domain.survey_definitions import ORG_COLUMN, PROFESSION_COLUMN
from tracker.domain.surveys import (
    RESPONDENT_COLUMN,
    Response,
    SurveyDefinition,
    did_you_mean,
)

MAX_HINTS = 200  # unknown organisations given a "did you mean" (problems past the first 100 are not shown)

# -- responses from a spreadsheet ------------------------------------------------------------------


def column_letter(index: int) -> str:
    """Spreadsheet column name of a 0-based index: 0 -> A, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def group_columns(definition: SurveyDefinition) -> tuple[str, ...]:
    """The columns whose values a response keeps in `groups`: breakdowns, then org and profession (a survey
    with organisations), then characteristics."""
    org = (ORG_COLUMN, PROFESSION_COLUMN) if definition.organisations else ()
    return (*definition.breakdowns, *org, *definition.characteristics)


def _check_org(
    org: str,
    organisations: Collection[str] | None,
    hints: dict[str, str],
    problems: ProblemLog,
    number: int,
    column: str,
) -> None:
    """A row's organisation is given and, when the loaded ids are known, one of them."""
    if not org:
        problems.add(number, "the organisation's id is blank; every respondent needs one", column=column)
        return
    if organisations is None or org in organisations:
        return
    if org not in hints:  # the hint is worked out once however many rows name it, and for so many ids only
        hints[org] = did_you_mean(org, organisations) if len(hints) < MAX_HINTS else ""
    where = "a survey's organisations are loaded with `tracker survey orgs`"
    message = f"unknown organisation '{org[:60]}'{hints[org]} ({where})"
    problems.add(number, message, column=column)


def parse_responses(
    definition: SurveyDefinition,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    organisations: Collection[str] | None = None,
) -> tuple[tuple[Response, ...], ProblemLog]:
    """Responses from one round's rows, or none at all with the problems (the first kept, all counted).

    Rows are numbered as in a spreadsheet (header 1, first data row 2); the column is its heading as
    written, or its letter when it has none. Every question column and every declared breakdown column
    is required; a `respondent` column is optional. Wholly blank rows are skipped. A survey with
    organisations also requires `org` in every row and takes `profession` and its characteristics (blank:
    not stated); with `organisations` (the ids loaded for the survey) each `org` must be one of them, and
    without (rows read again after they were stored) it is not checked again.
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
    if definition.organisations:
        expected[ORG_COLUMN] = ("org", ORG_COLUMN)
        expected[PROFESSION_COLUMN] = ("profession", PROFESSION_COLUMN)
    for name in definition.characteristics:
        expected[name.casefold()] = ("characteristic", name)
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
    if definition.organisations and ORG_COLUMN not in columns:
        problems.add(
            1,
            f"missing column '{ORG_COLUMN}': each respondent's organisation, an id loaded with "
            "`tracker survey orgs`",
            column=ORG_COLUMN,
        )
    elif definition.organisations and organisations is not None and not organisations:
        problems.add(
            1,
            "no participating organisations are loaded for this survey; "
            "load them first with `tracker survey orgs`",
            column=ORG_COLUMN,
        )
        organisations = None
    loaded = None if organisations is None else frozenset(organisations)
    hints: dict[str, str] = {}
    grouped = group_columns(definition)

    scored: dict[str, float | None] = {}  # each accepted cell's score: a round repeats a few answers
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
            cell = cells[index]
            try:
                answers[qid] = scored[cell]
            except KeyError:
                try:
                    answers[qid] = scored[cell] = definition.scale.score(cell)
                except ValueError as error:
                    problems.add(number, str(error), column=names[index])
        groups: dict[str, str] = {}
        for name in grouped:
            value = cells[columns[name]].strip() if name in columns else ""
            if value:
                groups[name] = value
        if definition.organisations and ORG_COLUMN in columns:
            _check_org(
                groups.get(ORG_COLUMN, ""), loaded, hints, problems, number, names[columns[ORG_COLUMN]]
            )
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
