"""A level's figures as CSV (tracker/reports/survey_level_csv.py) on the hand-made round
(tests/survey_level_round.py): every row read back against the engine, no value of a suppressed figure in its
row, the unreportable organisation's one row, a withheld characteristic's one row, and cells that a
spreadsheet would run as formulas neutralised."""

from __future__ import annotations

import dataclasses

import pytest

from tests.domain.test_survey_levels import current_rows, previous_rows
from tests.survey_level_places import FEWER, csv_path, csv_rows, figures, levels
from tests.survey_level_round import DEFINITION, ORGS, WIDER_ORGS, the_round, wider_round
from tracker.domain.survey_level_results import LevelResult, NationalRound, overall_text
from tracker.domain.survey_levels import national_round
from tracker.domain.surveys import Response, rounded_score
from tracker.reports.survey_level_csv import COLUMNS, csv_name, level_csv

HEADER = ",".join(COLUMNS)
W = "Because of group sizes, differences between groups were not shown locally; they are in the regional and national reports"

# Beckside (b): 5 adults and 5 children (too few each), all women (so gender shows), 10 social workers
ORG_B = [
    "org,b,completed,,,,,,10,,,,,,",
    f"org,b,completed,,,,service_area,adults,,,,,,,{FEWER}",
    f"org,b,completed,,,,service_area,children,,,,,,,{FEWER}",
    "org,b,completed,,,,profession,social_worker,10,,,,,,",
    "org,b,overall,,,,,,10,70,moderate,75,-5.0,2nd of 2,",
    f"org,b,overall,,,,service_area,adults,,,,,,,{FEWER}",
    f"org,b,overall,,,,service_area,children,,,,,,,{FEWER}",
    "org,b,overall,,,,gender,woman,10,70,moderate,75,-5.0,,",
    "org,b,section,s1,,Standard 1,,,10,63,moderate,75,-12.5,2nd of 2,",
    f"org,b,section,s1,,Standard 1,service_area,adults,,,,,,,{FEWER}",
    f"org,b,section,s1,,Standard 1,service_area,children,,,,,,,{FEWER}",
    "org,b,section,s1,,Standard 1,gender,woman,10,63,moderate,75,-12.5,,",
    "org,b,question,s1,q1,I know the framework,,,10,75,good,75,0.0,,",
    "org,b,question,s1,q2,It is used,,,10,50,poor,75,-25.0,,",
    "org,b,section,s2,,Standard 2,,,10,78,good,75,+2.5,1st of 2,",
    f"org,b,section,s2,,Standard 2,service_area,adults,,,,,,,{FEWER}",
    f"org,b,section,s2,,Standard 2,service_area,children,,,,,,,{FEWER}",
    "org,b,section,s2,,Standard 2,gender,woman,10,78,good,75,+2.5,,",
    "org,b,question,s2,q3,Workloads are safe,,,10,75,good,75,0.0,,",
    "org,b,question,s2,q4,I have too many cases,,,10,80,good,75,+5.0,,",
    "org,b,section,wx,,Workplace experiences,,,10,50,poor,75,-25.0,2nd of 2,",
    f"org,b,section,wx,,Workplace experiences,service_area,adults,,,,,,,{FEWER}",
    f"org,b,section,wx,,Workplace experiences,service_area,children,,,,,,,{FEWER}",
    "org,b,section,wx,,Workplace experiences,gender,woman,10,50,poor,75,-25.0,,",
    "org,b,question,wx,q5,I am treated fairly,,,10,50,poor,75,-25.0,,",
]


def lines(result: LevelResult | None) -> list[str]:
    assert result is not None
    text = level_csv(result, DEFINITION.min_group_size)
    assert text.endswith("\r\n")
    return text.removesuffix("\r\n").split("\r\n")


def test_an_organisations_figures_row_by_row() -> None:
    assert lines(the_round().level("org", "b")) == [HEADER, *ORG_B]


def test_an_organisation_without_a_report_has_one_row_saying_why() -> None:
    why = (
        "Fewer than 10 people completed the Health Check in Avon Council, so it has no local report and is "
        "not ranked: results from groups under 10 are never shown."
    )
    assert lines(the_round().level("org", "a")) == [HEADER, f'org,a,completed,,,,,,,,,,,,"{why}"']


def test_a_suppressed_level_has_only_notes() -> None:
    """North (Avon's 9 beside Beckside's 10) would give Avon away: every figure goes, its previous too."""
    rows = csv_rows(level_csv(the_round().regions["North"], 10))
    assert len(rows) == 25
    for row in rows:
        assert [row[c] for c in ("n", "score", "band", "previous", "change", "rank")] == [""] * 6, row
        assert row["note"] == FEWER


def test_a_characteristic_withheld_locally_is_one_row_saying_why() -> None:
    """Southtown (c): 12 women, 10 men and 8 who did not say: the 8 withhold gender locally."""
    rows = csv_rows(level_csv(the_round().orgs["c"], 10))
    gender = [
        (r["figure"], r["section"], r["part"], r["n"], r["note"]) for r in rows if r["breakdown"] == "gender"
    ]
    assert gender == [
        (f, s, "", "", W)
        for f, s in [("overall", ""), ("section", "s1"), ("section", "s2"), ("section", "wx")]
    ]


def true_round(wider: bool) -> NationalRound:
    """The same rows with a threshold of 1: every figure's true value."""
    everyone = dataclasses.replace(DEFINITION, min_group_size=1)
    if not wider:
        return national_round(
            everyone, ORGS, current_rows(), previous_rows(), round_label="2023/24", previous_label="2022/23"
        )
    rows = current_rows()
    more = [Response("", r.answers, {**r.groups, "org": "d"}) for r in rows if r.groups["org"] == "c"]
    more += [Response("", next(r for r in rows if r.groups["org"] == "a").answers, {"org": "e"})] * 12
    return national_round(everyone, WIDER_ORGS, [*rows, *more], round_label="2023/24")


def score_text(score: float | None, figure: str) -> str:
    if score is None:
        return ""
    return overall_text(score) if figure == "overall" else str(rounded_score(score))


@pytest.mark.parametrize("wider", [False, True], ids=["round", "wider round"])
def test_every_level_against_the_engine(wider: bool) -> None:
    shown = wider_round() if wider else the_round()
    true = {path: f for r in levels(true_round(wider)) for path, f in figures(r)}
    suppressed = 0
    for result in levels(shown):
        rows = csv_rows(level_csv(result, 10))
        if not result.reportable:
            assert len(rows) == 1 and rows[0]["note"] == result.why_not
            continue
        values = [r for r in rows if r["part"] or not r["breakdown"]]
        assert [csv_path(r) for r in values] == [path for path, _ in figures(result)]
        for row, (path, figure) in zip(values, figures(result), strict=True):
            if figure.suppressed:
                suppressed += 1
                assert [row[c] for c in ("n", "score", "band", "previous", "change")] == [""] * 5, row
                assert row["note"] == FEWER
                secret = {str(true[path].n), score_text(true[path].score, path[2])} - {"", "None"}
                assert not secret & set(row.values()), (row, true[path])
                continue
            assert row["n"] == str(figure.n) == str(true[path].n), row
            assert row["score"] == score_text(true[path].score, path[2]), row
            assert row["band"] == (figure.band or "") and row["note"] in ("", "No scored answers"), row
    assert suppressed > 50


FORMULAS = ['=HYPERLINK("x")', "+1+1", "-2", "@SUM(1)", "\tx"]


@pytest.mark.parametrize("formula", FORMULAS)
def test_text_a_spreadsheet_would_run_is_neutralised(formula: str) -> None:
    """A region's name, a group's value and a question's words come from files: each is written with a
    leading apostrophe when it starts like a formula; numbers (a change of -25.0) are left as numbers."""
    b = the_round().orgs["b"]
    s1 = b.sections[0]
    part = dataclasses.replace(s1.breakdowns[0].parts[0], value=formula)
    question = dataclasses.replace(s1.questions[0], text=formula)
    section = dataclasses.replace(
        s1,
        questions=(question, *s1.questions[1:]),
        breakdowns=(dataclasses.replace(s1.breakdowns[0], parts=(part,)),),
    )
    result = dataclasses.replace(b, key=formula, sections=(section,))
    rows = csv_rows(level_csv(result, 10))
    assert {r["key"] for r in rows} == {"'" + formula}
    assert [r["part"] for r in rows if r["breakdown"] == "service_area" and r["figure"] == "section"] == [
        "'" + formula
    ]
    assert [r["title"] for r in rows if r["question"] == "q1"] == ["'" + formula]
    assert [r["change"] for r in rows if r["question"] == "q2"] == ["-25.0"]


@pytest.mark.parametrize(
    ("level", "key", "name"),
    [
        ("national", "", "national.csv"),
        ("region", "North East", "region-north-east.csv"),
        ("org", "la-104", "org-la-104.csv"),
    ],
)
def test_file_names(level: str, key: str, name: str) -> None:
    assert csv_name(level, key) == name  # type: ignore[arg-type]
