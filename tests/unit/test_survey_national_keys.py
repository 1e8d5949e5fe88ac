"""Issue 21's survey keys (`organisations`, `characteristics`, `overall`) and the columns they bring to a round:
`org` (a loaded organisation, required), `profession` and characteristics (optional), all kept in groups."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tracker.domain.survey_definitions import parse_surveys
from tracker.domain.survey_responses import group_columns, parse_responses
from tracker.domain.surveys import AGREE5, Response, Section, SurveyDefinition

OUTCOMES = {"wellbeing-up"}
TAKEN = {"wellbeing-up", "theme-1"}


def raw_national() -> list[dict[str, Any]]:
    return [
        {
            "id": "health-check",
            "title": "Health Check",
            "organisations": True,
            "breakdowns": ["service_area"],
            "characteristics": ["gender", "age_band"],
            "overall": ["s1", "s2"],
            "sections": [
                {"id": "s1", "title": "Standard 1", "questions": {"q1": "One"}},
                {"id": "s2", "title": "Standard 2", "questions": {"q2": "Two"}},
                {"id": "wx", "title": "Workplace experiences", "questions": {"q3": "Three"}},
            ],
        }
    ]


def test_the_national_keys_are_parsed() -> None:
    (survey,), problems = parse_surveys(raw_national(), OUTCOMES, TAKEN)
    assert problems == []
    assert (survey.organisations, survey.characteristics, survey.overall) == (
        True,
        ("gender", "age_band"),
        ("s1", "s2"),
    )
    assert survey.breakdowns == ("service_area",)


def test_without_the_keys_a_survey_has_no_organisations_characteristics_or_overall_list() -> None:
    raw = raw_national()
    for key in ("organisations", "characteristics", "overall"):
        del raw[0][key]
    (survey,), problems = parse_surveys(raw, OUTCOMES, TAKEN)
    assert problems == []
    # An empty `overall` means every section: the key left out.
    assert (survey.organisations, survey.characteristics, survey.overall) == (False, (), ())


def changed(key: str, value: Any) -> list[dict[str, Any]]:
    raw = copy.deepcopy(raw_national())
    raw[0][key] = value
    return raw


PROBLEMS = [
    # (key, value, problem path, words the message must contain)
    ("organisations", "yes", "surveys[0].organisations", ["expected true or false", "'yes'"]),
    ("organisations", 1, "surveys[0].organisations", ["expected true or false"]),
    ("characteristics", "gender", "surveys[0].characteristics", ["expected a list"]),
    ("characteristics", ["gender", "Gender"], "surveys[0].characteristics[1]", ["listed twice"]),
    ("characteristics", ["gender", "q2"], "surveys[0].characteristics[1]", ["'q2' is a question id"]),
    (
        "characteristics",
        ["Service_Area"],
        "surveys[0].characteristics[0]",
        ["'Service_Area' is already a breakdown"],
    ),
    ("characteristics", ["respondent"], "surveys[0].characteristics[0]", ["reserved column of respondent"]),
    ("characteristics", ["org"], "surveys[0].characteristics[0]", ["reserved column", "org, profession"]),
    ("characteristics", ["Profession"], "surveys[0].characteristics[0]", ["reserved column"]),
    ("characteristics", [""], "surveys[0].characteristics[0]", ["must not be empty"]),
    ("breakdowns", ["profession"], "surveys[0].breakdowns[0]", ["reserved column", "not a breakdown"]),
    ("breakdowns", ["org"], "surveys[0].breakdowns[0]", ["reserved column"]),
    (
        "overall",
        ["s1", "s9"],
        "surveys[0].overall[1]",
        ["unknown section 's9'", "(this survey's sections: s1, s2, wx)"],
    ),
    ("overall", ["s1", "s22"], "surveys[0].overall[1]", ["unknown section 's22'", "did you mean 's2'?"]),
    ("overall", ["s1", "s1"], "surveys[0].overall[1]", ["'s1' is listed twice"]),
    ("overall", ["wellbeing-up"], "surveys[0].overall[0]", ["unknown section 'wellbeing-up'"]),
    ("overall", [], "surveys[0].overall", ["at least one section", "leave the key out"]),
    ("overall", "s1", "surveys[0].overall", ["expected a list"]),
    ("overall", [3], "surveys[0].overall[0]", ["expected text"]),
]


@pytest.mark.parametrize(
    ("key", "value", "path", "words"), PROBLEMS, ids=[f"{c[0]}={c[1]!r}" for c in PROBLEMS]
)
def test_bad_values_are_located_at_their_key(key: str, value: Any, path: str, words: list[str]) -> None:
    _surveys, problems = parse_surveys(changed(key, value), OUTCOMES, TAKEN)
    assert [p for p, _message in problems] == [path], problems
    for word in words:
        assert word in problems[0][1], problems[0][1]


def test_a_survey_without_organisations_may_have_a_breakdown_called_org() -> None:
    raw = changed("organisations", False)
    raw[0]["breakdowns"] = ["org"]
    (survey,), problems = parse_surveys(raw, OUTCOMES, TAKEN)
    assert problems == [] and survey.breakdowns == ("org",)


# -- a round's columns -----------------------------------------------------------------------------------

NATIONAL = SurveyDefinition(
    id="health-check",
    title="Health Check",
    scale=AGREE5,
    breakdowns=("service_area",),
    sections=(Section("s1", "Standard 1", (("q1", "One"),)), Section("s2", "Standard 2", (("q2", "Two"),))),
    organisations=True,
    characteristics=("gender", "age_band"),
    overall=("s1",),
)
LOADED = {"barnet", "camden", "leeds-nhs"}
HEADER = ["respondent", "service_area", "org", "profession", "gender", "age_band", "q1", "q2"]


def test_group_columns_are_breakdowns_then_org_and_profession_then_characteristics() -> None:
    assert group_columns(NATIONAL) == ("service_area", "org", "profession", "gender", "age_band")
    plain = SurveyDefinition("s", "S", AGREE5, breakdowns=("team",), characteristics=("gender",))
    assert group_columns(plain) == ("team", "gender")


def test_every_non_question_value_is_in_groups_and_blank_cells_are_left_out() -> None:
    rows = [
        ["r1", "children", "barnet", "social_worker", "woman", "25-34", "Agree", "Disagree"],
        ["r2", "", "camden", "", "", "", "Somewhat agree", ""],
        ["", "adults", " leeds-nhs ", "occupational_therapist", "man", "", "", "Agree"],
    ]
    responses, problems = parse_responses(NATIONAL, HEADER, rows, LOADED)
    assert problems.total == 0
    assert responses == (
        Response(
            "r1",
            {"q1": 100.0, "q2": 0.0},
            {
                "service_area": "children",
                "org": "barnet",
                "profession": "social_worker",
                "gender": "woman",
                "age_band": "25-34",
            },
        ),
        Response("r2", {"q1": 75.0, "q2": None}, {"org": "camden"}),
        Response(
            "",
            {"q1": None, "q2": 100.0},
            {
                "service_area": "adults",
                "org": "leeds-nhs",
                "profession": "occupational_therapist",
                "gender": "man",
            },
        ),
    )


def test_profession_and_characteristic_columns_are_optional() -> None:
    header = ["Org", "SERVICE_AREA", "q1", "q2"]
    responses, problems = parse_responses(
        NATIONAL, header, [["barnet", "children", "Agree", "Agree"]], LOADED
    )
    assert problems.total == 0
    assert responses[0].groups == {"org": "barnet", "service_area": "children"}


def test_rows_read_again_without_the_loaded_ids_are_not_checked_against_them() -> None:
    responses, problems = parse_responses(NATIONAL, HEADER, [["r1", "", "gone", "", "", "", "Agree", ""]])
    assert problems.total == 0 and responses[0].groups["org"] == "gone"


ROUND_PROBLEMS = [
    # (header, rows, loaded ids, [(row, column), ...], words the first message must contain)
    (
        HEADER,
        [["r1", "", "barnet", "", "", "", "Agree", ""], ["r2", "", "barnt", "", "", "", "Agree", ""]],
        LOADED,
        [(3, "org")],
        ["unknown organisation 'barnt'; did you mean 'barnet'? (", "loaded with `tracker survey orgs`)"],
    ),
    (
        ["ORG", *HEADER[1:2], *HEADER[3:]],
        [["Barnet", "", "", "", "Agree", ""]],
        LOADED,
        [(2, "ORG")],
        ["unknown organisation 'Barnet'; did you mean 'barnet'?"],
    ),
    (
        HEADER,
        [["r1", "", "", "nurse", "", "", "Agree", ""]],
        LOADED,
        [(2, "org")],
        ["organisation's id is blank"],
    ),
    (
        [h for h in HEADER if h != "org"],
        [["r1", "", "", "", "", "Agree", ""]],
        LOADED,
        [(1, "org")],
        ["missing column 'org'", "tracker survey orgs"],
    ),
    (
        HEADER,
        [["r1", "", "barnet", "", "", "", "Agree", ""]],
        set(),
        [(1, "org")],
        ["no participating organisations are loaded", "tracker survey orgs"],
    ),
    (
        [*HEADER, "religion"],
        [["r1", "", "barnet", "", "", "", "Agree", "", "none"]],
        LOADED,
        [(1, "religion")],
        ["unknown column 'religion'", "expected: q1, q2, service_area, org, profession, gender, age_band"],
    ),
    (
        [*HEADER, "Profession"],
        [["r1", "", "barnet", "", "", "", "Agree", "", ""]],
        LOADED,
        [(1, "Profession")],
        ["column 'Profession' appears twice (columns D and I)"],
    ),
]


@pytest.mark.parametrize(
    ("header", "rows", "loaded", "where", "words"), ROUND_PROBLEMS, ids=[c[4][0] for c in ROUND_PROBLEMS]
)
def test_round_problems_name_row_and_column_and_import_nothing(
    header: list[str], rows: list[list[str]], loaded: set[str], where: list[tuple[int, str]], words: list[str]
) -> None:
    responses, problems = parse_responses(NATIONAL, header, rows, loaded)
    assert responses == ()
    first = problems.first()
    assert [(row, column) for row, column, _message in first] == where, first
    for word in words:
        assert word in first[0].message, first[0].message


def test_an_org_column_in_a_survey_without_organisations_is_an_unknown_column() -> None:
    plain = SurveyDefinition("s", "S", AGREE5, sections=NATIONAL.sections)
    responses, problems = parse_responses(plain, ["org", "q1", "q2"], [["barnet", "Agree", ""]], LOADED)
    assert responses == ()
    [(row, column, message)] = problems.first()
    assert (row, column) == (1, "org") and message.startswith("unknown column 'org'")


def test_many_rows_naming_one_unknown_organisation_are_each_reported() -> None:
    rows = [[f"r{i}", "", "nowhere", "", "", "", "Agree", ""] for i in range(500)]
    responses, problems = parse_responses(NATIONAL, HEADER, rows, LOADED)
    assert responses == () and problems.total == 500
    assert {p.message for p in problems.first()} == {
        "unknown organisation 'nowhere' (a survey's organisations are loaded with `tracker survey orgs`)"
    }
