"""`tracker survey results --level national|region|org [--region R] [--org ID] [--by COLUMN] --json`
(issue 21): the list shape the command always printed, one object per section, `rank` at organisation level,
suppressed figures with no value; each misuse one clear error, nothing written.

The round is the engine tests' hand-made one (see tests/services/test_survey_levels_stored.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.digest import database_digest
from tests.services.test_survey_levels_stored import (
    SLUG,
    SURVEY_ID,
    definition,
    engine_round,
    load_hand_made_round,
)
from tracker.domain.survey_level_listing import section_rows


@pytest.fixture
def national_app(
    app: Flask, framework: str, load_framework: Any, tiny_yaml: str, runner: Any, tmp_path: Path
) -> Flask:
    return load_hand_made_round(app, load_framework, tiny_yaml, runner, tmp_path)


BASE = ["survey", "results", "--framework", SLUG, "--survey", SURVEY_ID, "--round", "2023/24"]


def results(runner: Any, *args: str) -> Any:
    outcome = runner.invoke(args=[*BASE, *args])
    assert outcome.exit_code == 0, outcome.output
    return outcome


def as_json(runner: Any, *args: str) -> Any:
    return json.loads(results(runner, *args, "--json").output)


SMALL = {"n": None, "score": None, "band": None, "suppressed": True}


def test_an_organisation_by_service_area(national_app: Flask, runner: Any) -> None:
    c = as_json(runner, "--level", "org", "--org", "c", "--by", "service_area")
    assert [s["section"] for s in c] == ["s1", "s2", "wx"]
    assert {k: c[0][k] for k in ("n", "score", "band", "suppressed", "reason", "rank", "change")} == {
        "n": 30,
        "score": 73.75,
        "band": "moderate",
        "suppressed": False,
        "reason": "",
        "rank": {"position": 1, "of": 2},
        "change": None,  # c had 9 people in 2022/23: nothing to compare with
    }
    # 21 adults and 9 children: children too few, so adults are withheld too (else total - adults = children)
    assert c[0]["groups"] == [
        {"group": "adults", **SMALL, "reason": "complementary"},
        {"group": "children", **SMALL, "reason": "small"},
    ]
    assert c[0]["withheld"] == ""
    assert c == section_rows(engine_round(definition(national_app)[1]).orgs["c"], "service_area")


def test_the_change_and_a_lower_rank(national_app: Flask, runner: Any) -> None:
    b = as_json(runner, "--level", "org", "--org", "b")
    assert (b[0]["score"], b[0]["rank"], b[0]["groups"]) == (62.5, {"position": 2, "of": 2}, [])
    assert b[0]["change"] == {"value": -12.5, "unit": "points", "from_round": "2022/23"}


def test_an_organisation_too_small_to_report(national_app: Flask, runner: Any) -> None:
    a = as_json(runner, "--org", "a")  # --org alone means --level org
    assert [(s["section"], s["n"], s["score"], s["suppressed"], s["rank"]) for s in a] == [
        ("s1", None, None, True, None),
        ("s2", None, None, True, None),
        ("wx", None, None, True, None),
    ]
    text = results(runner, "--org", "a").output
    assert "Avon Council: fewer than 10 respondents." in text
    assert "9" not in text  # not the count, nor any score


def test_a_characteristic_withheld_locally_lists_no_groups_and_says_why(
    national_app: Flask, runner: Any
) -> None:
    c = as_json(runner, "--level", "org", "--org", "c", "--by", "gender")
    assert all(s["groups"] == [] for s in c)
    assert c[0]["withheld"].startswith(
        "Because of group sizes, differences between groups were not shown locally"
    )


def test_national_and_regional_levels_have_no_rank(national_app: Flask, runner: Any) -> None:
    expected = engine_round(definition(national_app)[1])
    national = as_json(runner, "--level", "national", "--by", "gender")
    assert national == section_rows(expected.national, "gender")
    assert "rank" not in national[0] and national[0]["n"] == 49
    south = as_json(runner, "--level", "region", "--region", "South")
    assert south == section_rows(expected.regions["South"])
    # South (30) is withheld too: the nation's 49 less South's 30 would give North's 19, and North less
    # Beckside's 10 gives Avon's 9 (the regions are the parts of the national figure)
    assert south[0]["n"] is None and south[0]["suppressed"] and "rank" not in south[0]
    # North is Avon (9) and Beckside (10): its 19 less Beckside's shown 10 would give Avon's 9 away
    north = as_json(runner, "--level", "region", "--region", "North")
    assert north == section_rows(expected.regions["North"])
    assert (north[0]["n"], north[0]["score"], north[0]["reason"]) == (None, None, "complementary")


def test_text_output(national_app: Flask, runner: Any) -> None:
    lines = results(runner, "--org", "c", "--by", "service_area").output.splitlines()
    assert lines[0] == "Health Check, round 2023/24, Southtown Council: 30 respondents"
    assert lines[1].startswith("  s1: n=30, 74 (moderate), ") and lines[1].endswith("% agreeing; 1st of 2")
    assert lines[2:4] == [
        "      service_area=adults: fewer than 10",
        "      service_area=children: fewer than 10",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--level", "region"], "--level region needs the region's name"),
        (["--level", "org"], "--level org needs the organisation's id"),
        (["--level", "org", "--region", "North"], "is only for --level region"),
        (["--level", "national", "--org", "c"], "is only for --level org"),
        (["--region", "Nowhere"], "survey 'health-check' has no region 'Nowhere' (its regions: North, South)"),
        (["--region", "north"], "has no region 'north'; did you mean 'North'?"),
        (["--org", "cc"], "survey 'health-check' has no organisation 'cc'; did you mean 'c'?"),
        (["--level", "national", "--by", "religion"], "'religion' is not a breakdown or characteristic of survey "
         "'health-check' (service_area, gender)"),
        (["--level", "national", "--round", "1999/00"], "survey 'health-check' has no round '1999/00'"),
        (["--level", "county"], "'county' is not one of 'national', 'region', 'org'"),
    ],
)  # fmt: skip
def test_each_misuse_is_one_clear_error_and_nothing_is_written(
    national_app: Flask, runner: Any, args: list[str], message: str
) -> None:
    before = database_digest(national_app)
    outcome = runner.invoke(args=[*BASE, *args, "--json"])
    assert outcome.exit_code != 0
    assert message in outcome.output
    assert "Traceback" not in outcome.output
    assert database_digest(national_app) == before


def test_without_a_level_an_organisations_survey_is_read_at_national_level(
    national_app: Flask, runner: Any
) -> None:
    """The plain scoring would print the national figures without suppression across levels."""
    assert as_json(runner) == as_json(runner, "--level", "national")
    assert as_json(runner, "--by", "service_area") == as_json(
        runner, "--level", "national", "--by", "service_area"
    )
