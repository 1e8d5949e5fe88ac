"""GET /frameworks/{slug}/surveys, a round's results and a level of a round of a survey of organisations: what
the pages show, to the roles they show it to (404 for the rest), and never a value of a group under the
threshold, for a framework's own survey (tests/integration/test_surveys_flow.py's) and for the hand-made
national round (tests/services/test_survey_levels_stored.py: organisations a 9, b 10, c 30)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tracker.domain.survey_levels import national_round
from tracker.extensions import db

from ..domain.test_survey_levels import ORGS, current_rows, previous_rows
from ..integration.test_surveys_flow import SURVEY as PE_SURVEY
from ..integration.test_surveys_flow import rows, run_import
from ..page import Page
from ..querycount import count_statements
from ..services.test_survey_levels_stored import SURVEY, definition, engine_round, load_hand_made_round
from ..survey_level_places import FigurePath, Truth

SLUG = "tiny-partnership"
SURVEYS = f"/api/v1/frameworks/{SLUG}/surveys"
FEWER = "Fewer than 10 responses"
WITHHELD = ("n", "score", "band", "change", "agree_pct")
TWO_PARTNERS = (
    "  - {id: tiny-council, name: Tiny Council, kind: local_authority, tier: primary}\n",
    "  - {id: tiny-council, name: Tiny Council, kind: local_authority, tier: primary}\n"
    "  - {id: other-council, name: Other Council, kind: local_authority, tier: secondary}\n",
)


@pytest.fixture
def pe_survey(
    app: Flask, framework: str, load_framework: Any, tiny_yaml: str, runner: Any, tmp_path: Path
) -> Flask:
    """The practice educator survey: 2022-23 (council 12, charity 9) and 2023-24 (14 and 10, the same ids)."""
    load_framework(tiny_yaml.replace(*TWO_PARTNERS).replace("version: 1", "version: 2") + PE_SURVEY)
    assert run_import(runner, tmp_path, "a.csv", rows(12, 9), "2022-23").exit_code == 0
    assert run_import(runner, tmp_path, "b.csv", rows(14, 10, "Somewhat agree"), "2023-24").exit_code == 0
    return app


def rounds_of(client: Any, survey: str) -> dict[str, int]:
    listed = {s["id"]: s for s in client.get(SURVEYS).get_json()["data"]}
    return {r["label"]: r["id"] for r in listed[survey]["rounds"]}


# -- a framework's own survey --------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["admin", "evaluator", "board", "lead"])
def test_every_role_reads_the_surveys_and_their_rounds(pe_survey: Flask, api_as: Any, role: str) -> None:
    (survey,) = api_as(role).get(SURVEYS).get_json()["data"]
    assert {k: survey[k] for k in ("id", "title", "organisations", "min_group_size", "breakdowns")} == {
        "id": "pe-survey",
        "title": "Practice educator survey",
        "organisations": False,
        "min_group_size": 10,
        "breakdowns": ["employer"],
    }
    assert survey["sections"] == [
        {
            "id": "support",
            "title": "Feeling supported",
            "questions": [
                {"id": "q1", "text": "I feel supported"},
                {"id": "q2", "text": "I have enough time for the role"},
            ],
        }
    ]
    assert [(r["label"], r["respondents"], r["previous_round"]) for r in survey["rounds"]] == [
        ("2022-23", 21, None),
        ("2023-24", 24, "2022-23"),
    ]


def page_rows(body: dict[str, Any], minimum: int) -> list[list[str]]:
    """The survey page's score table as the API's figures would fill it (change column left out)."""
    found = []
    for s in body["sections"]:
        if s["suppressed"]:
            found.append([s["title"], str(s["n"]), f"Fewer than {minimum} responses"])
        else:
            found.append(
                [
                    s["title"],
                    str(s["n"]),
                    str(s["score_shown"]),
                    s["band"].capitalize(),
                    f"{s['agree_pct']:.0f}%",
                ]
            )
        for g in s["groups"]:
            label = f"{body['by']}: {g['group']}"
            if g["suppressed"]:
                found.append([label, str(g["n"]), f"Fewer than {minimum} responses"])
            else:
                found.append([label, str(g["n"]), str(g["score_shown"]), g["band"].capitalize(), ""])
    return found


def test_a_group_under_the_threshold_has_no_value_as_on_the_page(
    pe_survey: Flask, api_as: Any, as_role: Any
) -> None:
    client = api_as("board")
    first = rounds_of(client, "pe-survey")["2022-23"]
    body = client.get(f"{SURVEYS}/pe-survey/rounds/{first}?by=employer").get_json()
    (section,) = body["sections"]
    charity, council = section["groups"]
    # Nine from the charity: its n is shown, as on the page and in the CSV, but no score (12.5) nor band.
    assert charity == {
        "group": "charity",
        "n": 9,
        "score": None,
        "score_shown": None,
        "band": None,
        "suppressed": True,
    }
    assert council == {
        "group": "council",
        "n": 12,
        "score": 87.5,
        "score_shown": 88,
        "band": "good",
        "suppressed": False,
    }
    assert section["change"] is None and body["distance"] is None and body["levels"] is None
    page = Page.of(as_role("board").get(f"/f/{SLUG}/surveys/pe-survey?round=2022-23&by=employer"), 200)
    table = page.rows("Section scores for round 2022-23")
    assert [row[:5] for row in table] == page_rows(body, 10)
    assert table[1] == ["employer: charity", "9", FEWER]


def test_the_next_round_with_its_change_and_distance_as_on_the_page(
    pe_survey: Flask, api_as: Any, as_role: Any
) -> None:
    client = api_as("lead")
    second = rounds_of(client, "pe-survey")["2023-24"]
    body = client.get(f"{SURVEYS}/pe-survey/rounds/{second}?by=employer").get_json()
    assert body["round"]["previous_round"] == "2022-23" and body["by"] == "employer"
    (section,) = body["sections"]
    assert section["score_shown"] == 49 and section["band"] == "poor"
    assert section["change"] == {
        "value": pytest.approx(-6.4, abs=0.01),
        "shown": -6.4,
        "unit": "points",
        "from_round": "2022-23",
    }
    assert [(g["group"], g["suppressed"], g["score_shown"]) for g in section["groups"]] == [
        ("charity", False, 13),  # ten now: shown
        ("council", False, 75),
    ]
    distance = body["distance"]
    assert distance["from_round"] == "2022-23"
    (pairs,) = distance["sections"]
    # The same 21 people both times: the council's 12 fell 12.5 points each, the charity's 9 held.
    assert {k: pairs[k] for k in ("section", "kind", "pairs", "suppressed", "unit")} == {
        "section": "support",
        "kind": "paired",
        "pairs": 21,
        "suppressed": False,
        "unit": "points",
    }
    assert pairs["value"] == pytest.approx(-12.5 * 12 / 21)
    page = Page.of(as_role("board").get(f"/f/{SLUG}/surveys/pe-survey?round=2023-24&by=employer"), 200)
    table = page.rows("Section scores for round 2023-24")
    assert [row[:5] for row in table] == page_rows(body, 10)
    assert table[0][5] == "\u22126.4 (down 6.4 points since 2022-23)"
    assert page.rows("Distance travelled by section") == [
        ["Feeling supported", "21", "\u22127.1 (down 7.1 points)"]
    ]
    # Without a breakdown: no groups.
    plain = client.get(f"{SURVEYS}/pe-survey/rounds/{second}").get_json()
    assert plain["by"] is None and plain["sections"][0]["groups"] == []


@pytest.mark.parametrize(("query", "name"), [("by=region", "by"), ("by=" + "x" * 80, "by")])
def test_a_breakdown_the_survey_has_not_is_400(pe_survey: Flask, api_as: Any, query: str, name: str) -> None:
    client = api_as("board")
    first = rounds_of(client, "pe-survey")["2022-23"]
    response = client.get(f"{SURVEYS}/pe-survey/rounds/{first}?{query}")
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert response.get_json()["detail"].startswith(f"{name} must be a breakdown")


def test_unknown_surveys_and_rounds_and_replaced_rounds_are_404(
    pe_survey: Flask, api_as: Any, runner: Any, tmp_path: Path
) -> None:
    client = api_as("admin")
    ids = rounds_of(client, "pe-survey")
    for path in (f"/nope/rounds/{ids['2022-23']}", "/pe-survey/rounds/999", "/pe-survey/rounds/x",
                 f"/pe-survey/rounds/{ids['2022-23']}/levels/national"):  # fmt: skip
        response = client.get(SURVEYS + path)
        assert response.status_code == 404 and response.mimetype == "application/problem+json", path
    assert run_import(runner, tmp_path, "c.csv", rows(12, 12), "2022-23", "--replace").exit_code == 0
    again = rounds_of(client, "pe-survey")
    assert list(again) == ["2022-23", "2023-24"] and again["2022-23"] != ids["2022-23"]  # its place kept
    assert client.get(f"{SURVEYS}/pe-survey/rounds/{ids['2022-23']}").status_code == 404
    assert client.get(f"{SURVEYS}/pe-survey/rounds/{again['2022-23']}").status_code == 200


def test_etags_answer_304_until_a_round_is_imported(
    pe_survey: Flask, api_as: Any, runner: Any, tmp_path: Path
) -> None:
    client = api_as("board")
    first = f"{SURVEYS}/pe-survey/rounds/{rounds_of(client, 'pe-survey')['2022-23']}"
    listed, one = client.get(SURVEYS).headers["ETag"], client.get(first).headers["ETag"]
    assert client.get(SURVEYS, headers={"If-None-Match": listed}).status_code == 304
    assert client.get(first, headers={"If-None-Match": one}).status_code == 304
    assert run_import(runner, tmp_path, "d.csv", rows(12, 12), "2024-25").exit_code == 0
    response = client.get(SURVEYS, headers={"If-None-Match": listed})
    assert response.status_code == 200 and response.headers["ETag"] != listed
    assert client.get(first, headers={"If-None-Match": one}).status_code == 304  # that round is as it was


def test_the_list_sends_the_same_statements_for_2_rounds_or_5(
    pe_survey: Flask, api_as: Any, runner: Any, tmp_path: Path
) -> None:
    client = api_as("board")
    counts = []
    for labels in ((), ("2024-25", "2025-26", "2026-27")):
        for label in labels:
            assert run_import(runner, tmp_path, f"{label}.csv", rows(12, 3), label).exit_code == 0
        client.get(SURVEYS)
        with pe_survey.app_context(), count_statements(db.engine) as counter:
            (survey,) = client.get(SURVEYS).get_json()["data"]
        assert len(survey["rounds"]) == 2 + len(labels)
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


# -- a survey of organisations -------------------------------------------------------------------------

BASE = f"{SURVEYS}/health-check/rounds"
WHO = {"admin": ("admin", None), "evaluator": ("evaluator", None), "board": ("board", None),
       "own lead": ("lead", "tiny-council"), "other lead": ("lead", "other-council")}  # fmt: skip
EVERYONE = frozenset(WHO)
# (level, roles that may read it): as the level pages (tests/web/test_survey_level_pages.py's MATRIX)
MATRIX = [
    ("national", EVERYONE),
    ("region:North", EVERYONE),
    ("region:South", EVERYONE),
    ("org:b", {"admin", "evaluator", "own lead"}),  # b is Tiny Council
    ("org:a", {"admin", "evaluator"}),
    ("org:c", {"admin", "evaluator"}),
]


@pytest.fixture
def national(
    app: Flask, framework: str, load_framework: Any, tiny_yaml: str, runner: Any, tmp_path: Path
) -> Flask:
    load_hand_made_round(app, load_framework, tiny_yaml, runner, tmp_path)
    load_framework(
        tiny_yaml.replace(*TWO_PARTNERS).replace("version: 1", "version: 3") + SURVEY.format(minimum=10)
    )
    return app


def client_of(api_as: Any, who: str) -> Any:
    role, partner = WHO[who]
    return api_as(role, partner or "tiny-council")


@pytest.mark.parametrize("who", sorted(WHO))
def test_a_national_round_lists_the_levels_each_role_may_read(national: Flask, api_as: Any, who: str) -> None:
    client = client_of(api_as, who)
    ids = rounds_of(client, "health-check")
    assert list(ids) == ["2022/23", "2023/24"]
    body = client.get(f"{BASE}/{ids['2023/24']}").get_json()
    assert body["sections"] == [] and body["distance"] is None
    allowed = [level for level, roles in MATRIX if who in roles]
    assert sorted(level["level"] for level in body["levels"]) == sorted(allowed)
    # and each level listed is one the token reads; every other one is 404, never 403
    for level, _roles in MATRIX:
        response = client.get(f"{BASE}/{ids['2023/24']}/levels/{level}")
        assert response.status_code == (200 if level in allowed else 404), (who, level)


def api_figures(body: dict[str, Any]) -> Iterator[tuple[FigurePath, dict[str, Any]]]:
    """Every figure of a level's JSON by its path, as tests/survey_level_places.figures names them."""
    level, _, key = body["level"].partition(":")

    def parts(
        figure: str, section: str, breakdowns: list[dict[str, Any]]
    ) -> Iterator[tuple[FigurePath, dict[str, Any]]]:
        for b in breakdowns:
            yield from (((level, key, figure, section, "", b["name"], p["value"]), p) for p in b["parts"])

    yield (level, key, "completed", "", "", "", ""), body["completed"]
    yield from parts("completed", "", body["completed_by"])
    yield (level, key, "overall", "", "", "", ""), body["overall"]
    yield from parts("overall", "", body["overall"]["breakdowns"] + body["overall"]["characteristics"])
    for s in body["sections"]:
        yield (level, key, "section", s["section"], "", "", ""), s
        yield from parts("section", s["section"], s["breakdowns"] + s["characteristics"])
        for q in s["questions"]:
            yield (level, key, "question", s["section"], q["question"], "", ""), q


def test_every_figure_of_every_level_is_the_engines_and_no_withheld_one_has_a_value(
    national: Flask, api_as: Any
) -> None:
    _framework_id, survey = definition(national)
    labels: dict[str, Any] = {"round_label": "2023/24", "previous_label": "2022/23"}
    everyone = national_round(
        replace(survey, min_group_size=1), ORGS, current_rows(), previous_rows(), **labels
    )
    truth = Truth(engine_round(survey), everyone, survey.min_group_size)
    client = client_of(api_as, "admin")
    round_id = rounds_of(client, "health-check")["2023/24"]
    withheld = 0
    for level, _roles in MATRIX:
        body = client.get(f"{BASE}/{round_id}/levels/{level}").get_json()
        assert body["round"]["label"] == "2023/24" and body["round"]["previous_round"] == "2022/23"
        if not body["reportable"]:
            assert level == "org:a" and body["sections"] == [] and body["completed_by"] == []
            assert body["why_not"] and body["completed"]["n"] is None
            continue
        seen = dict(api_figures(body))
        assert set(seen) == {p for p in truth.real if p[:2] == next(iter(seen))[:2]}, level
        for path, figure in seen.items():
            real, true = truth.real[path], truth.values[path]
            assert figure["suppressed"] == real.suppressed and figure["reason"] == real.reason, path
            if real.suppressed:
                withheld += 1
                assert all(figure[k] is None for k in WITHHELD), (path, figure)
                continue
            assert figure["n"] == true.n, path
            assert figure["score"] == (None if true.score is None else pytest.approx(true.score)), path
            assert figure["band"] == real.band, path
    assert withheld > 10  # the round withholds many figures: the check above is not empty


def test_the_national_level_has_its_regions_withheld_as_on_its_page(national: Flask, api_as: Any) -> None:
    client = client_of(api_as, "board")
    round_id = rounds_of(client, "health-check")["2023/24"]
    body = client.get(f"{BASE}/{round_id}/levels/national").get_json()
    assert body["name"] == "National" and body["organisation"] is None
    assert [(r["region"], r["overall"]["suppressed"], r["overall"]["score"]) for r in body["regions"]] == [
        ("North", True, None),
        ("South", True, None),  # the nation less South would give North back
    ]
    (profession,) = [b for b in body["completed_by"] if b["name"] == "profession"]
    assert [(p["value"], p["suppressed"], p["n"]) for p in profession["parts"]] == [
        ("occupational_therapist", True, None),
        ("social_worker", True, None),
    ]
    region = client.get(f"{BASE}/{round_id}/levels/region:South").get_json()
    assert region["regions"] == [] and region["name"] == "South"


@pytest.mark.parametrize(
    "level", ["bogus", "region:Nowhere", "org:zz", "org:", "region", "national:x", "org:b:c"]
)
def test_levels_there_are_not_are_404(national: Flask, api_as: Any, level: str) -> None:
    client = client_of(api_as, "admin")
    round_id = rounds_of(client, "health-check")["2023/24"]
    response = client.get(f"{BASE}/{round_id}/levels/{level}")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_a_breakdown_is_refused_on_a_survey_of_organisations(national: Flask, api_as: Any) -> None:
    client = client_of(api_as, "admin")
    round_id = rounds_of(client, "health-check")["2023/24"]
    response = client.get(f"{BASE}/{round_id}?by=service_area")
    assert response.status_code == 400 and "by" in response.get_json()["detail"]


def test_a_level_answers_304_to_its_etag(national: Flask, api_as: Any) -> None:
    client = client_of(api_as, "own lead")
    url = f"{BASE}/{rounds_of(client, 'health-check')['2023/24']}/levels/org:b"
    etag = client.get(url).headers["ETag"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
