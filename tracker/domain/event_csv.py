"""An event's sessions and feedback CSVs (issue 19): rows read into plain values, every problem located as
FILE:LINE:COL (line 1 is the header; COL is the column's position in it).

They are read by the imports' reader (csv_rows), numbered by the line each row starts on. Answers are stored
in a canonical form (`canonical_answer`), so the database can count them as the measures do. Feedback kept
from an earlier load is checked against a new YAML or sessions file by `kept_feedback_problems`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from datetime import datetime

from tracker.domain.csv_rows import CsvRows, decode_csv, read_csv
from tracker.domain.event_files import EventFile, Place
from tracker.domain.events import (
    RATINGS,
    SESSION_FORMATS,
    AnswerCount,
    AnswerRow,
    Question,
    SessionRow,
)
from tracker.domain.evidence_input import CONTROL, is_whole_number
from tracker.domain.node_reader import SLUG, SLUG_MAX
from tracker.domain.problems import ProblemLog
from tracker.domain.surveys import AGREE5, did_you_mean, normalise_answer
from tracker.domain.text_limits import (
    EVENT_ANSWER_TEXT,
    EVENT_RESPONDENT,
    EVENT_SESSION_THEME,
    EVENT_SESSION_TITLE,
    TextLimit,
)
from tracker.domain.yaml_source import Problem

SESSION_COLUMNS = (
    "session",
    "title",
    "theme",
    "starts_at",
    "format",
    "capacity",
    "signups",
    "attended",
    "partner",
)
SESSION_REQUIRED = ("session", "title")  # sign-ups and attendance may be unknown: blank, or no column
FEEDBACK_COLUMNS = ("session", "question", "answer", "respondent")
FEEDBACK_REQUIRED = ("question", "answer")
MAX_CSV_BYTES = 64 * 1024 * 1024
MAX_SESSIONS = 10_000
MAX_ANSWERS = 250_000
MAX_WHOLE_DIGITS = 9
AGREE_LABELS: Mapping[str, str] = {normalise_answer(label): label for label in AGREE5.answers()}


@dataclass(frozen=True, slots=True)
class SessionsFile:
    rows: tuple[SessionRow, ...]
    problems: tuple[Problem, ...]
    # Every session id the file gives (bad rows too), to check the feedback against; None when its rows could
    # not be read at all (its header, say, is wrong).
    ids: frozenset[str] | None


@dataclass(frozen=True, slots=True)
class FeedbackFile:
    rows: tuple[AnswerRow, ...]
    problems: tuple[Problem, ...]


def canonical_answer(question: Question, answer: str) -> str:
    """The answer as stored (a rating '1'-'5', the agree5 label, option ids in the question's order, or the
    text), or ValueError saying what is wrong with it."""
    value = answer.strip()
    if not value:
        raise ValueError("must not be empty")
    if question.kind == "rating":
        if value not in RATINGS:
            raise ValueError(
                f"'{value[:40]}' is not a rating of '{question.id}': give a whole number from 1 to 5"
            )
        return value
    if question.kind == "agree":
        label = AGREE_LABELS.get(normalise_answer(value))
        if label is None:
            raise ValueError(
                f"'{value[:40]}' is not an answer to '{question.id}'; "
                f"expected one of: {', '.join(AGREE5.answers())}"
            )
        return label
    if question.kind == "choose_any":
        order = {o.id: i for i, o in enumerate(question.options)}
        chosen = [part.strip() for part in value.split(";") if part.strip()]
        if not chosen:
            raise ValueError(
                f"give the ids of the options chosen, separated by ';' (its options: {', '.join(order)})"
            )
        for part in chosen:
            if part not in order:
                hint = did_you_mean(part, order)
                raise ValueError(
                    f"'{part[:40]}' is not an option of '{question.id}'{hint} "
                    f"(its options: {', '.join(order)})"
                )
        if len(set(chosen)) != len(chosen):
            raise ValueError(f"an option is chosen twice in '{value[:60]}'")
        return ";".join(sorted(chosen, key=order.__getitem__))
    if CONTROL.search(value):
        raise ValueError("contains control characters")
    too_long = EVENT_ANSWER_TEXT.problem(value)
    if too_long is not None:
        raise ValueError(too_long)
    return value


# -- the CSVs ---------------------------------------------------------------------------------------


def _read(
    text: str, filename: str, columns: tuple[str, ...], required: tuple[str, ...], rows: int
) -> tuple[CsvRows, list[Problem]]:
    log = ProblemLog(keep=rows + 100)
    read = read_csv(text, columns, required, log, max_rows=rows, by_line=True)
    problems = [
        Problem(p.row, read.position(p.column) if p.column else 1, p.message, filename) for p in log.first()
    ]
    return read, problems


def decode_event_csv(raw: bytes, filename: str) -> tuple[str | None, tuple[Problem, ...]]:
    """A sessions or feedback file's text: UTF-8, at most 64 MB."""
    log = ProblemLog()
    text = decode_csv(raw, log, MAX_CSV_BYTES)
    return text, tuple(Problem(p.row, 1, p.message, filename) for p in log.first())


def _whole(cells: Mapping[str, str], name: str, error: _Error) -> int | None:
    """A whole number >= 0, or None when the cell is blank (not given)."""
    value = cells.get(name, "").strip()
    if not value:
        return None
    if value.startswith("-") and is_whole_number(value[1:]):
        error(name, f"must not be negative, found {value[:40]}")
        return None
    if not is_whole_number(value) or len(value) > MAX_WHOLE_DIGITS:
        error(name, f"must be a whole number of 0 or more, not '{value[:40]}'")
        return None
    return int(value)


def _starts_at(value: str, name: str, error: _Error) -> datetime | None:
    """`YYYY-MM-DD HH:MM` or `YYYY-MM-DDTHH:MM`, a local time as written."""
    if not value:
        return None
    if len(value) == 16 and value[10] in " T":
        try:
            return datetime.strptime(f"{value[:10]} {value[11:]}", "%Y-%m-%d %H:%M")
        except ValueError:
            pass
    error(name, f"'{value[:40]}' is not a date and time as YYYY-MM-DD HH:MM")
    return None


class _Error:
    """Adds a problem at one row's column: `error(column, message)`."""

    def __init__(self, problems: list[Problem], read: CsvRows, filename: str, line: int) -> None:
        self.problems, self.read, self.filename, self.line = problems, read, filename, line

    def __call__(self, column: str, message: str) -> None:
        self.problems.append(
            Problem(self.line, self.read.position(column), f"{column}: {message}", self.filename)
        )


def _text(cells: Mapping[str, str], name: str, error: _Error, limit: TextLimit) -> str:
    value = cells.get(name, "").strip()
    too_long = limit.problem(value)
    if CONTROL.search(value):
        error(name, "contains control characters")
    elif too_long is not None:
        error(name, too_long)
    return value


def parse_sessions(text: str, filename: str, partners: Set[str] | None) -> SessionsFile:
    """The sessions file: one session a row, every problem located; `partners` None leaves them unchecked
    (the framework is not known)."""
    read, problems = _read(text, filename, SESSION_COLUMNS, SESSION_REQUIRED, MAX_SESSIONS)
    rows: list[SessionRow] = []
    first: dict[str, int] = {}
    for line, cells in read.rows:
        error = _Error(problems, read, filename, line)
        before = len(problems)
        sid = cells.get("session", "").strip()
        if not sid:
            error("session", "must be given: the session's id")
        elif not _is_slug(sid):
            error(
                "session",
                f"'{sid[:40]}' is not a valid id: use lower-case letters, digits and single hyphens",
            )
        elif sid in first:
            error("session", f"duplicate session id '{sid}' (first on line {first[sid]})")
        else:
            first[sid] = line
        title = _text(cells, "title", error, EVENT_SESSION_TITLE)
        if not title:
            error("title", "must be given")
        theme = _text(cells, "theme", error, EVENT_SESSION_THEME)
        starts_at = _starts_at(cells.get("starts_at", "").strip(), "starts_at", error)
        form = cells.get("format", "").strip()
        if form and form not in SESSION_FORMATS:
            hint = did_you_mean(form, SESSION_FORMATS)
            error(
                "format",
                f"'{form[:40]}' is not a format; expected one of: {', '.join(SESSION_FORMATS)}{hint}",
            )
        capacity = _whole(cells, "capacity", error)
        signups = _whole(cells, "signups", error)
        attended = _whole(cells, "attended", error)
        partner = cells.get("partner", "").strip()
        if partner and partners is not None and partner not in partners:
            hint = did_you_mean(partner, partners)
            error("partner", f"unknown partner '{partner[:40]}': not a partner of the framework{hint}")
        if len(problems) == before:
            rows.append(
                SessionRow(sid, title, signups, attended, theme, starts_at, form, capacity, partner, line)
            )
    readable = not any(p.line == 1 for p in problems)
    ids = (
        frozenset(cells.get("session", "").strip() for _line, cells in read.rows) - {""} if readable else None
    )
    return SessionsFile(tuple(rows) if not problems else (), tuple(sorted(problems)), ids)


def _is_slug(value: str) -> bool:
    return bool(SLUG.match(value)) and len(value) <= SLUG_MAX


def parse_feedback(
    text: str,
    filename: str,
    questions: Sequence[Question] | None,
    sessions: Set[str] | None,
    *,
    sessions_from: str = "not a session of the sessions file",
    unchecked: Set[str] = frozenset(),
) -> FeedbackFile:
    """The feedback file: one answer a row.

    `sessions` are the ids an answer may name (`sessions_from` says whose, ending the message about an
    unknown one: "not a session of the sessions file s.csv"); answers to
    `unchecked` questions (ones with problems in the YAML) are not checked. None (the YAML or the sessions
    file could not be read at all) leaves the questions or the sessions unchecked, so that the problems
    listed are the file's own.
    """
    read, problems = _read(text, filename, FEEDBACK_COLUMNS, FEEDBACK_REQUIRED, MAX_ANSWERS)
    by_id = {q.id: q for q in questions or ()}
    known = list(dict.fromkeys([*by_id, *sorted(unchecked)]))
    rows: list[AnswerRow] = []
    for line, cells in read.rows:
        error = _Error(problems, read, filename, line)
        before = len(problems)
        session = cells.get("session", "").strip()
        if session and sessions is not None and session not in sessions:
            hint = did_you_mean(session, sessions)
            error("session", f"unknown session '{session[:64]}': {sessions_from}{hint}")
        qid = cells.get("question", "").strip()
        answer = cells.get("answer", "")
        question = by_id.get(qid)
        if not qid:
            error("question", "must be given: a question id of the event")
        elif question is None and questions is not None and qid not in unchecked:
            hint = did_you_mean(qid, known)
            listed = ", ".join(known) or "none"
            error("question", f"unknown question '{qid[:64]}'{hint} (the event's questions: {listed})")
        if question is not None:
            try:
                answer = canonical_answer(question, answer)
            except ValueError as problem:
                error("answer", str(problem))
        elif not answer.strip():
            error("answer", "must not be empty")
        respondent = _text(cells, "respondent", error, EVENT_RESPONDENT)
        if len(problems) == before:
            rows.append(AnswerRow(qid, answer, session, respondent, line))
    return FeedbackFile(tuple(rows) if not problems else (), tuple(sorted(problems)))


# -- feedback kept from an earlier load -------------------------------------------------------------


def kept_feedback_problems(
    event: EventFile,
    earlier: Sequence[Question],
    counts: Sequence[AnswerCount],
    sessions: Set[str] | None,
    *,
    kept_from: str,
    sessions_file: str = "",
) -> tuple[Problem, ...]:
    """What stops the current feedback (counted, `counts`) being kept with this YAML and these sessions.

    `earlier` are the questions it was loaded against; `sessions` the ids of a new sessions file (None when
    the sessions are kept too). One problem per question, answer or session, with how many answers it
    concerns, located at the question in the YAML or at the sessions file's header.
    """
    now = {q.id: q for q in event.questions}
    before = {q.id: q for q in earlier}
    again = "load the feedback again with --feedback"
    found: dict[tuple[str, Place, str], int] = {}  # (file, place, message) -> answers

    def add(filename: str, place: Place, message: str, count: int) -> None:
        found[(filename, place, message)] = found.get((filename, place, message), 0) + count

    for c in counts:
        question, old = now.get(c.question), before.get(c.question)
        place = event.place(f"question:{c.question}")
        if c.question in event.unchecked:
            pass
        elif question is None:
            add(
                event.filename,
                event.place("questions"),
                f"questions: {kept_from} answers the question '{c.question}', which this file no longer has: "
                f"keep the question, or {again}",
                c.count,
            )
        elif old is not None and old.kind != question.kind:
            add(
                event.filename,
                place,
                f"questions: '{c.question}' was a {old.kind} question when {kept_from} was loaded, "
                f"now it is {question.kind}: {again}",
                c.count,
            )
        elif question.kind != "free_text":
            try:
                canonical_answer(question, c.answer)
            except ValueError as problem:
                add(
                    event.filename,
                    place,
                    f"questions: {kept_from} holds answers to '{c.question}' that no longer fit it: "
                    f"{problem}; keep what they answer, or {again}",
                    c.count,
                )
        if sessions is not None and c.session and c.session not in sessions:
            add(
                sessions_file,
                (1, 1),
                f"{kept_from} names the session '{c.session}', which this file does not have: "
                f"keep the session, or {again}",
                c.count,
            )
    found_problems = (
        Problem(line, col, f"{message} ({n:,} answer{'s' if n != 1 else ''})", filename)
        for (filename, (line, col), message), n in found.items()
    )
    return tuple(
        sorted(found_problems, key=lambda p: (p.file != event.filename, p.line, p.column, p.message))
    )
