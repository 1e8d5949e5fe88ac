"""An event's files (issue 19): EVENT.yaml and the sessions and feedback CSVs, read into values, and every
problem located as FILE:LINE:COL with a message that says what is wrong."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path

import pytest

from tracker.domain.event_csv import (
    FEEDBACK_COLUMNS,
    FEEDBACK_REQUIRED,
    SESSION_COLUMNS,
    SESSION_REQUIRED,
    canonical_answer,
    kept_feedback_problems,
    parse_feedback,
    parse_sessions,
)
from tracker.domain.event_files import ROOT_KEYS, ROOT_REQUIRED, FrameworkIds, check_framework, read_event
from tracker.domain.events import (
    AnswerCount,
    AnswerRow,
    Costs,
    Option,
    Population,
    Question,
    SessionRow,
    UniqueAttendees,
)

EVENT_YAML = """\
id: sww-2021
framework: social-work-week
title: Social Work Week 2021
starts_on: 2021-03-15
ends_on: 2021-03-19
links: [run-the-week, sessions-held]
unique_attendees: {value: 6000, estimated: true}
reach_target: 10000
population: {name: social workers on the register, size: 98524}
costs: {direct: 19800, staff_hours: 4717, full: 142860}
min_group_size: 10
questions:
  - {id: useful, text: How useful you found the session, kind: rating}
  - {id: agree-learned, text: I learned something new, kind: agree}
  - id: reasons
    text: What were your reasons for attending?
    kind: choose_any
    options: [{id: cpd, text: To learn and record CPD}, {id: speaker, text: A specific speaker or event}]
  - {id: comments, text: "Anything else?", kind: free_text}
source: "Social Work England, Social Work Week 2021 evaluation"
"""
FRAMEWORK = FrameworkIds(
    "social-work-week",
    frozenset({"run-the-week", "sessions-held"}),
    frozenset({"north-council", "a-university"}),
)
QUESTIONS = read_event(EVENT_YAML, "e.yaml").questions
SESSIONS_HEADER = "session,title,theme,starts_at,format,capacity,signups,attended,partner\n"


def located(problems: object) -> list[str]:
    return [str(p) for p in problems]  # type: ignore[attr-defined]


# -- EVENT.yaml ------------------------------------------------------------------------------------


def test_a_valid_event_file_reads_every_value() -> None:
    event = check_framework(read_event(EVENT_YAML, "e.yaml"), FRAMEWORK)
    assert event.problems == ()
    d = event.definition
    assert d is not None
    assert (d.id, d.framework, d.title, d.starts_on, d.ends_on) == (
        "sww-2021",
        "social-work-week",
        "Social Work Week 2021",
        date(2021, 3, 15),
        date(2021, 3, 19),
    )
    assert d.links == ("run-the-week", "sessions-held")
    assert d.unique_attendees == UniqueAttendees(6000, True)
    assert (d.reach_target, d.min_group_size) == (10000, 10)
    assert d.population == Population("social workers on the register", 98524)
    assert d.costs == Costs(19800, 4717, 142860)
    assert [(q.id, q.kind) for q in d.questions] == [
        ("useful", "rating"),
        ("agree-learned", "agree"),
        ("reasons", "choose_any"),
        ("comments", "free_text"),
    ]
    assert d.questions[2].options == (
        Option("cpd", "To learn and record CPD"),
        Option("speaker", "A specific speaker or event"),
    )
    assert d.source.startswith("Social Work England")


def test_the_smallest_event_file() -> None:
    event = read_event("id: launch\nframework: f\ntitle: Launch\nstarts_on: 2019-01-10\n", "e.yaml")
    assert event.problems == ()
    assert event.definition is not None and event.definition.ends_on == date(2019, 1, 10)
    assert event.definition.unique_attendees is None and event.definition.costs == Costs()


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("ends_on: 2021-03-19", "ends_on: 2021-02-30"),
            "e.yaml:5:10: ends_on: '2021-02-30' is not a real date",
        ),
        (
            ("ends_on: 2021-03-19", "ends_on: 2021-03-14"),
            "e.yaml:5:10: ends_on: the event ends (2021-03-14) before it starts (2021-03-15)",
        ),
        (
            ("starts_on: 2021-03-15", "starts_on: 15/03/2021"),
            "e.yaml:4:12: starts_on: expected a date as YYYY-MM-DD, found '15/03/2021'",
        ),
        (
            ("reach_target: 10000", "reach_target: 10000\ncolour: red"),
            "e.yaml:9:1: colour: unknown key 'colour'",
        ),
        (("reach_target: 10000", "reach_targets: 10000"), "did you mean 'reach_target'?"),
        (("id: sww-2021", "id: SWW 2021"), "e.yaml:1:5: id: 'SWW 2021' is not a valid id"),
        (
            ("{id: agree-learned,", "{id: useful,"),
            "e.yaml:14:10: questions[1].id: id 'useful' is already used by the question at line 13",
        ),
        (
            ("kind: agree}", "kind: likert}"),
            "questions[1].kind: unknown kind 'likert'; expected one of: rating, agree",
        ),
        (
            ("{id: speaker, text: A specific", "{id: cpd, text: A specific"),
            "e.yaml:18:62: questions[2].options[1].id: option 'cpd' is already given at line 18",
        ),
        (
            (
                "kind: choose_any\n    options: [{id: cpd, text: To learn and record CPD}, {id: speaker, text: A specific speaker or event}]",
                "kind: choose_any",
            ),
            "e.yaml:15:5: questions[2]: a choose_any question needs 'options'",
        ),
        (
            ("kind: rating}", "kind: rating, options: [{id: a, text: A}]}"),
            "only a choose_any question has options, not rating",
        ),
        (
            ("unique_attendees: {value: 6000, estimated: true}", "unique_attendees: {value: -1}"),
            "unique_attendees.value: must be at least 0, found -1",
        ),
        (("direct: 19800", "direct: -5"), "costs.direct: must not be negative, found -5"),
        (("size: 98524", "size: 0"), "population.size: must be at least 1, found 0"),
        (
            ("title: Social Work Week 2021", "title: " + "W" * 301),
            "e.yaml:3:8: title: is 301 characters long; the limit is 300",
        ),
        (
            ("name: social workers on the register", "name: " + "s" * 301),
            "population.name: is 301 characters long; the limit is 300",
        ),
        (("title: Social Work Week 2021\n", ""), "e.yaml:1:1: (root): missing required key 'title'"),
        (
            ("links: [run-the-week, sessions-held]", "links: [run-the-week, run-the-week]"),
            "links[1]: 'run-the-week' is already linked at line 6",
        ),
    ],
)
def test_event_file_problems_are_located(change: tuple[str, str], expected: str) -> None:
    old, new = change
    assert old in EVENT_YAML
    event = read_event(EVENT_YAML.replace(old, new), "e.yaml")
    assert event.definition is None
    assert any(expected in p for p in located(event.problems)), located(event.problems)


def test_unknown_links_and_framework_are_found_with_the_frameworks_ids() -> None:
    text = EVENT_YAML.replace(
        "links: [run-the-week, sessions-held]", "links: [run-the-week, sesions-held, more-placements]"
    )
    event = check_framework(read_event(text, "e.yaml"), FRAMEWORK)
    assert located(event.problems) == [
        "e.yaml:6:23: links[1]: unknown link 'sesions-held': the framework 'social-work-week' has no activity or "
        "output with this id; did you mean 'sessions-held'?",
        "e.yaml:6:37: links[2]: unknown link 'more-placements': the framework 'social-work-week' has no activity "
        "or output with this id",
    ]
    missing = check_framework(read_event(EVENT_YAML, "e.yaml"), None)
    assert located(missing.problems) == [
        "e.yaml:2:12: framework: no framework has the id 'social-work-week' (load it first: tracker framework load)"
    ]


def test_a_question_with_a_problem_is_left_unchecked_not_unknown() -> None:
    event = read_event(EVENT_YAML.replace("kind: agree}", "kind: likert}"), "e.yaml")
    assert [q.id for q in event.questions] == ["useful", "reasons", "comments"]
    assert event.unchecked == frozenset({"agree-learned"})


def test_yaml_syntax_errors_are_located() -> None:
    event = read_event("id: x\n  title: [unclosed\n", "e.yaml")
    assert event.draft is None and located(event.problems)[0].startswith("e.yaml:2:")


# -- the sessions file -----------------------------------------------------------------------------


def test_sessions_are_read() -> None:
    text = SESSIONS_HEADER + (
        "keynote,Keynote,Practice,2021-03-15 09:30,online,1000,1200,1018,north-council\n"
        "panel,Panel,,2021-03-16T14:00,hybrid,,900,865,\n"
        "\n"
        "walk,A walk,,,,0,0,0,\n"
    )
    parsed = parse_sessions(text, "s.csv", FRAMEWORK.partners)
    assert parsed.problems == ()
    assert parsed.rows == (
        SessionRow(
            "keynote",
            "Keynote",
            1200,
            1018,
            "Practice",
            datetime(2021, 3, 15, 9, 30),
            "online",
            1000,
            "north-council",
            2,
        ),
        SessionRow("panel", "Panel", 900, 865, "", datetime(2021, 3, 16, 14, 0), "hybrid", None, "", 3),
        SessionRow("walk", "A walk", 0, 0, "", None, "", 0, "", 5),
    )
    assert parsed.ids == {"keynote", "panel", "walk"}


@pytest.mark.parametrize(
    ("text", "signups", "attended"),
    [
        (SESSIONS_HEADER + "a,A,,,,,,,\n", None, None),  # blank: not given (not published), never 0
        (SESSIONS_HEADER + "a,A,,,,10, ,35,\n", None, 35),
        (SESSIONS_HEADER + "a,A,,,,,0,0,\n", 0, 0),  # 0 is a figure: nobody came
        ("session,title\na,A\n", None, None),  # the columns themselves are optional
        ("session,title,attended\na,A,7\n", None, 7),
    ],
)
def test_signups_and_attended_may_be_left_blank(text: str, signups: int | None, attended: int | None) -> None:
    parsed = parse_sessions(text, "s.csv", None)
    assert parsed.problems == ()
    assert [(r.signups, r.attended) for r in parsed.rows] == [(signups, attended)]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            "a,Dup,,,,,1,1,\na,Again,,,,,1,1,",
            "s.csv:3:1: session: duplicate session id 'a' (first on line 2)",
        ),
        ("a,A,,,,,-5,1,", "s.csv:2:7: signups: must not be negative, found -5"),
        ("a,A,,,,,1,-1,", "s.csv:2:8: attended: must not be negative, found -1"),
        ("a,A,,,,1.5,1,1,", "s.csv:2:6: capacity: must be a whole number of 0 or more, not '1.5'"),
        ("a,A,,,,,x,1,", "s.csv:2:7: signups: must be a whole number of 0 or more, not 'x'"),
        ("a,A,,,,,1,2.5,", "s.csv:2:8: attended: must be a whole number of 0 or more, not '2.5'"),
        (
            "a,A,,2021-03-32 10:00,,,1,1,",
            "s.csv:2:4: starts_at: '2021-03-32 10:00' is not a date and time as YYYY-MM-DD HH:MM",
        ),
        (
            "a,A,,15/03/2021,,,1,1,",
            "s.csv:2:4: starts_at: '15/03/2021' is not a date and time as YYYY-MM-DD HH:MM",
        ),
        (
            "a,A,,,in person,,1,1,",
            "s.csv:2:5: format: 'in person' is not a format; expected one of: online, in_person, hybrid; did you mean 'in_person'?",
        ),
        (
            "a,A,,,,,1,1,south-council",
            "s.csv:2:9: partner: unknown partner 'south-council': not a partner of the framework; did you mean 'north-council'?",
        ),
        ("A 1,A,,,,,1,1,", "s.csv:2:1: session: 'A 1' is not a valid id"),
        (",A,,,,,1,1,", "s.csv:2:1: session: must be given: the session's id"),
        ("a,,,,,,1,1,", "s.csv:2:2: title: must be given"),
        ("a,A,,,,,1,1,,extra", "s.csv:2:1: has 10 cells but the header has 9"),
        ("a," + "T" * 301 + ",,,,,1,1,", "s.csv:2:2: title: is 301 characters long; the limit is 300"),
    ],
)
def test_session_problems_are_located(row: str, expected: str) -> None:
    parsed = parse_sessions(SESSIONS_HEADER + row + "\n", "s.csv", FRAMEWORK.partners)
    assert parsed.rows == ()
    assert any(p.startswith(expected) for p in located(parsed.problems)), located(parsed.problems)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("session,signups,attended\n", "s.csv:1:1: the column 'title' is missing"),
        (
            "session,title,signups,attended,room\n",
            "s.csv:1:5: unknown column 'room'; the columns are: session, title",
        ),
    ],
)
def test_a_bad_header_refuses_the_file(header: str, expected: str) -> None:
    parsed = parse_sessions(header + "a,A,1,1\n", "s.csv", FRAMEWORK.partners)
    assert parsed.ids is None  # nothing could be read: feedback is not checked against it
    assert any(p.startswith(expected) for p in located(parsed.problems)), located(parsed.problems)


def test_an_empty_file_is_refused() -> None:
    parsed = parse_sessions("", "s.csv", FRAMEWORK.partners)
    assert (located(parsed.problems), parsed.ids) == (["s.csv:1:1: the file is empty"], None)


def test_columns_in_any_order_are_located_by_their_position() -> None:
    parsed = parse_sessions("attended,signups,title,session\n1,-2,A,a\n", "s.csv", None)
    assert located(parsed.problems) == ["s.csv:2:2: signups: must not be negative, found -2"]


# -- the feedback file -----------------------------------------------------------------------------

FEEDBACK_HEADER = "session,question,answer,respondent\n"


def test_feedback_is_read_in_canonical_form() -> None:
    text = FEEDBACK_HEADER + (
        "keynote,useful, 5 ,r1\n"
        "keynote,agree-learned,strongly  AGREE,r1\n"
        "keynote,reasons,speaker; cpd,r1\n"
        ',comments,"Two\nlines",\n'
        ",useful,4,\n"
    )
    parsed = parse_feedback(text, "f.csv", QUESTIONS, {"keynote"})
    assert parsed.problems == ()
    assert parsed.rows == (
        AnswerRow("useful", "5", "keynote", "r1", 2),
        AnswerRow("agree-learned", "Strongly agree", "keynote", "r1", 3),
        AnswerRow("reasons", "cpd;speaker", "keynote", "r1", 4),
        AnswerRow("comments", "Two\nlines", "", "", 5),
        AnswerRow("useful", "4", "", "", 7),  # the line it starts on: the comment above took two
    )


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            "keynot,useful,4,",
            "f.csv:2:1: session: unknown session 'keynot': not a session of the sessions file; did you mean 'keynote'?",
        ),
        (
            "keynote,useful,6,",
            "f.csv:2:3: answer: '6' is not a rating of 'useful': give a whole number from 1 to 5",
        ),
        ("keynote,useful,4.5,", "f.csv:2:3: answer: '4.5' is not a rating of 'useful'"),
        ("keynote,useful,,", "f.csv:2:3: answer: must not be empty"),
        (
            "keynote,usefull,4,",
            "f.csv:2:2: question: unknown question 'usefull'; did you mean 'useful'? (the event's questions: useful, agree-learned, reasons, comments)",
        ),
        (",,4,", "f.csv:2:2: question: must be given: a question id of the event"),
        (
            "keynote,agree-learned,Yes,",
            "f.csv:2:3: answer: 'Yes' is not an answer to 'agree-learned'; expected one of: Disagree",
        ),
        (
            "keynote,reasons,cpd;travel,",
            "f.csv:2:3: answer: 'travel' is not an option of 'reasons' (its options: cpd, speaker)",
        ),
        ("keynote,reasons,cpd;cpd,", "f.csv:2:3: answer: an option is chosen twice in 'cpd;cpd'"),
        ("keynote,reasons,; ;,", "f.csv:2:3: answer: give the ids of the options chosen, separated by ';'"),
        (
            "keynote,comments," + "x" * 2001 + ",",
            "f.csv:2:3: answer: is 2,001 characters long; the limit is 2,000",
        ),
        ("keynote,useful,4," + "r" * 101, "f.csv:2:4: respondent: is 101 characters long; the limit is 100"),
    ],
)
def test_feedback_problems_are_located(row: str, expected: str) -> None:
    parsed = parse_feedback(FEEDBACK_HEADER + row + "\n", "f.csv", QUESTIONS, {"keynote"})
    assert parsed.rows == ()
    assert any(p.startswith(expected) for p in located(parsed.problems)), located(parsed.problems)


def test_every_bad_row_is_listed_not_only_the_first() -> None:
    rows = "".join(f"keynote,useful,{7 + i},\n" for i in range(250))
    parsed = parse_feedback(FEEDBACK_HEADER + rows, "f.csv", QUESTIONS, {"keynote"})
    assert len(parsed.problems) == 250
    assert str(parsed.problems[-1]).startswith("f.csv:251:3: answer: '256'")


def test_feedback_names_the_current_sessions_when_no_sessions_file_is_given() -> None:
    parsed = parse_feedback(
        FEEDBACK_HEADER + "gone,useful,4,\n",
        "f.csv",
        QUESTIONS,
        {"keynote"},
        sessions_from="not a session of the event's current sessions (load 2)",
    )
    assert located(parsed.problems) == [
        "f.csv:2:1: session: unknown session 'gone': not a session of the event's current sessions (load 2)"
    ]


def test_unknown_questions_and_sessions_are_not_claimed_when_their_files_could_not_be_read() -> None:
    parsed = parse_feedback(FEEDBACK_HEADER + "any,whatever,x,\nany,more,,\n", "f.csv", None, None)
    assert located(parsed.problems) == ["f.csv:3:3: answer: must not be empty"]
    unchecked = parse_feedback(
        FEEDBACK_HEADER + "keynote,broken,x,\n", "f.csv", QUESTIONS, {"keynote"}, unchecked={"broken"}
    )
    assert unchecked.problems == ()


@pytest.mark.parametrize(
    ("question", "answer", "canonical"),
    [
        (Question("q", "Q", "rating"), " 3 ", "3"),
        (Question("q", "Q", "agree"), "neither agree or disagree", "Neither agree or disagree"),
        (Question("q", "Q", "agree"), "Don\u2019t know", "Don't know"),
        (Question("q", "Q", "choose_any", (Option("a", "A"), Option("b", "B"))), "b;a;", "a;b"),
        (Question("q", "Q", "free_text"), "  Thanks!  ", "Thanks!"),
    ],
)
def test_canonical_answers(question: Question, answer: str, canonical: str) -> None:
    assert canonical_answer(question, answer) == canonical


# -- feedback kept from an earlier load ----------------------------------------------------------------


def test_kept_feedback_must_still_fit_the_new_yaml_and_sessions() -> None:
    text = EVENT_YAML.replace(
        "{id: speaker, text: A specific speaker or event}", "{id: speakers, text: Speakers}"
    )
    text = text.replace("  - {id: agree-learned, text: I learned something new, kind: agree}\n", "")
    text = text.replace("kind: free_text}", "kind: rating}")
    event = read_event(text, "e.yaml")
    counts = [
        AnswerCount("keynote", "useful", "5", 30),
        AnswerCount("keynote", "agree-learned", "Agree", 12),
        AnswerCount("panel", "reasons", "cpd;speaker", 4),
        AnswerCount("panel", "reasons", "cpd", 9),
        AnswerCount("", "comments", "", 7),
    ]
    problems = kept_feedback_problems(
        event,
        QUESTIONS,
        counts,
        {"keynote"},
        kept_from="the feedback kept from load 1 (f.csv)",
        sessions_file="s.csv",
    )
    assert located(problems) == [
        "e.yaml:13:3: questions: the feedback kept from load 1 (f.csv) answers the question 'agree-learned', which "
        "this file no longer has: keep the question, or load the feedback again with --feedback (12 answers)",
        "e.yaml:14:5: questions: the feedback kept from load 1 (f.csv) holds answers to 'reasons' that no longer "
        "fit it: 'speaker' is not an option of 'reasons'; did you mean 'speakers'? (its options: cpd, speakers); "
        "keep what they answer, or load the feedback again with --feedback (4 answers)",
        "e.yaml:18:5: questions: 'comments' was a free_text question when the feedback kept from load 1 (f.csv) "
        "was loaded, now it is rating: load the feedback again with --feedback (7 answers)",
        "s.csv:1:1: the feedback kept from load 1 (f.csv) names the session 'panel', which this file does not "
        "have: keep the session, or load the feedback again with --feedback (13 answers)",
    ]
    assert (
        kept_feedback_problems(read_event(EVENT_YAML, "e.yaml"), QUESTIONS, counts, None, kept_from="x") == ()
    )


# -- the documentation says what the code reads -------------------------------------------------------


def documented(section: str) -> list[tuple[str, str]]:
    """(key or column, required) of the table under a `### section` heading of docs/file-formats.md."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "file-formats.md").read_text(encoding="utf-8")
    start = text.index(f"\n### {section}\n")
    end = text.find("\n#", start + 1)
    return re.findall(r"^\| `([a-z_]+)` \| (yes|no) \|", text[start:end], flags=re.MULTILINE)


@pytest.mark.parametrize(
    ("section", "names", "required"),
    [
        ("EVENT.yaml", ROOT_KEYS, ROOT_REQUIRED),
        ("Sessions CSV", SESSION_COLUMNS, SESSION_REQUIRED),
        ("Feedback CSV", FEEDBACK_COLUMNS, FEEDBACK_REQUIRED),
    ],
)
def test_the_docs_list_the_keys_and_columns_the_code_reads(
    section: str, names: tuple[str, ...], required: tuple[str, ...]
) -> None:
    assert documented(section) == [(n, "yes" if n in required else "no") for n in names]


def test_the_docs_example_event_file_reads_without_a_problem() -> None:
    text = (Path(__file__).resolve().parents[2] / "docs" / "file-formats.md").read_text(encoding="utf-8")
    example = text[text.index("```yaml\nid: sww-2021") + len("```yaml\n") :]
    event = read_event(example[: example.index("```")], "EVENT.yaml")
    assert event.problems == () and event.definition is not None and len(event.definition.questions) == 4
