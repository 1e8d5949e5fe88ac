"""Stored survey results (issue 21): what a page reads back is what the engine computes, in a constant number
of statements, written once; a new round, a changed organisation or definition, or a new result format makes
them computed again (old rows kept); a failed write loses only the stored copy.

The round is the engine tests' hand-made one (tests/domain/test_survey_levels.py), imported through the
services: organisations a (9 respondents), b (10) and c (30); regions North (a, b) and South (c).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from flask import Flask
from sqlalchemy import func, inspect, select

from tests.digest import table_digests
from tests.domain.test_survey_levels import DEFINITION, ORGS, SCORE, current_rows, previous_rows
from tests.querycount import count_statements
from tracker.db import migrate
from tracker.db.models import SurveyLevelResult
from tracker.domain.survey_level_results import Level, NationalRound
from tracker.domain.survey_levels import national_round
from tracker.domain.surveys import Response, SurveyDefinition
from tracker.extensions import db
from tracker.services import survey_levels
from tracker.services.surveys import definition_of, results

SLUG = "tiny-partnership"
SURVEY_ID = "health-check"
SURVEY = """\
surveys:
  - id: health-check
    title: Health Check
    scale: agree5
    min_group_size: {minimum}
    organisations: true
    breakdowns: [service_area]
    characteristics: [gender]
    overall: [s1, s2]
    sections:
      - id: s1
        title: Standard 1
        questions: {{q1: I know the framework, q2: It is used}}
      - id: s2
        title: Standard 2
        questions: {{q3: Workloads are safe, q4: I have too many cases}}
        reverse: [q4]
      - id: wx
        title: Workplace experiences
        questions: {{q5: I am treated fairly}}
"""
ORGS_CSV = "org,name,kind,region,partner\n" + "".join(
    f"{o.id},{o.name},{o.kind},{o.region},{'tiny-council' if o.id == 'b' else ''}\n" for o in ORGS
)
COLUMNS = ("org", "profession", "service_area", "gender", "q1", "q2", "q3", "q4", "q5")
LEVELS = ["national:", "region:North", "region:South", "org:a", "org:b", "org:c"]
ROWS_PER_ROUND = 1 + 2 + 3 + 1 + 1  # national, regions, organisations, by region, one kind's strips


def round_csv(rows: Sequence[Response]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in rows:
        answers = [SCORE[int(r.answers[q])] if r.answers.get(q) is not None else "" for q in COLUMNS[4:]]
        writer.writerow([r.groups.get(c, "") for c in COLUMNS[:4]] + answers)
    return out.getvalue()


def invoke(runner: Any, *args: str) -> Any:
    result = runner.invoke(args=list(args))
    assert result.exit_code == 0, result.output
    return result


def import_round(runner: Any, tmp_path: Path, label: str, rows: Sequence[Response], *extra: str) -> None:
    path = tmp_path / f"round-{label.replace('/', '-')}.csv"
    path.write_text(round_csv(rows), encoding="utf-8")
    invoke(runner, "survey", "import", str(path), "--framework", SLUG, "--survey", SURVEY_ID, "--round", label,
           *extra)  # fmt: skip


def load_hand_made_round(
    app: Flask, load_framework: Any, tiny_yaml: str, runner: Any, tmp_path: Path
) -> Flask:
    """The framework with the hand-made survey, its organisations and both rounds (2022/23 first)."""
    load_framework(tiny_yaml.replace("version: 1", "version: 2") + SURVEY.format(minimum=10))
    orgs = tmp_path / "orgs.csv"
    orgs.write_text(ORGS_CSV, encoding="utf-8")
    invoke(runner, "survey", "orgs", str(orgs), "--framework", SLUG, "--survey", SURVEY_ID)
    import_round(runner, tmp_path, "2022/23", previous_rows())
    import_round(runner, tmp_path, "2023/24", current_rows())
    return app


@pytest.fixture
def national_app(
    app: Flask, framework: str, load_framework: Any, tiny_yaml: str, runner: Any, tmp_path: Path
) -> Flask:
    return load_hand_made_round(app, load_framework, tiny_yaml, runner, tmp_path)


def definition(app: Flask) -> tuple[int, SurveyDefinition]:
    with app.app_context():
        return definition_of(db.session, SLUG, SURVEY_ID)


def engine_round(survey: SurveyDefinition) -> NationalRound:
    """What the engine computes from the same rows, given directly (not read from the database)."""
    return national_round(
        survey, ORGS, current_rows(), previous_rows(), round_label="2023/24", previous_label="2022/23"
    )


def stored_rows(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SurveyLevelResult)) or 0


def split(where: str) -> tuple[Level, str]:
    level, _, key = where.partition(":")
    return level, key  # type: ignore[return-value]


def level_in_request(app: Flask, where: str, label: str | None = None) -> Any:
    """level_for as a page calls it: the request's session, committed at the end."""
    framework_id, survey = definition(app)
    level, key = split(where)
    with app.test_request_context(), db.unit_of_work() as session:
        return survey_levels.level_for(session, framework_id, survey, level, key, label)


# -- the stored path returns what the engine returns ---------------------------------------------------


@pytest.mark.parametrize("where", LEVELS)
def test_every_level_read_back_is_the_engines(national_app: Flask, where: str) -> None:
    framework_id, survey = definition(national_app)
    expected = engine_round(survey).level(*split(where))
    assert expected is not None

    assert stored_rows(national_app) == 0
    assert level_in_request(national_app, where) == expected  # computed, and every level stored
    assert stored_rows(national_app) == ROWS_PER_ROUND

    before = table_digests(national_app)
    with (
        national_app.test_request_context(),
        db.unit_of_work() as session,
        count_statements(db.engine) as counter,
    ):
        back = survey_levels.level_for(session, framework_id, survey, *split(where))
    assert back == expected
    assert counter.count == 3, counter.statements  # rounds, organisations, the stored row
    assert table_digests(national_app) == before


def test_the_whole_round_read_back_is_the_engines(national_app: Flask) -> None:
    framework_id, survey = definition(national_app)
    expected = engine_round(survey)
    with national_app.app_context(), db.unit_of_work() as session:
        assert survey_levels.national_for(session, framework_id, survey) == expected
    before = table_digests(national_app)
    with national_app.app_context(), db.unit_of_work() as session:
        back = survey_levels.national_for(session, framework_id, survey)
    assert back == expected
    assert (
        back is not None and list(back.orgs) == ["a", "b", "c"] and list(back.regions) == ["North", "South"]
    )
    assert table_digests(national_app) == before


@pytest.mark.parametrize("stored_first", [False, True], ids=["computed", "stored"])
def test_pages_get_the_chart_by_region_and_their_kinds_strips(
    national_app: Flask, stored_first: bool
) -> None:
    framework_id, survey = definition(national_app)
    expected = engine_round(survey)
    if stored_first:
        level_in_request(national_app, "national:")
    with (
        national_app.app_context(),
        db.unit_of_work() as session,
        count_statements(db.engine) as counter,
    ):
        national = survey_levels.page_for(session, framework_id, survey, "national")
        org = survey_levels.page_for(session, framework_id, survey, "org", "c")
        region = survey_levels.page_for(session, framework_id, survey, "region", "North")
    assert national is not None and org is not None and region is not None
    assert (national.result, national.by_region, dict(national.strips)) == (
        expected.national,
        expected.by_region,
        {},
    )
    assert org.result == expected.orgs["c"] and org.by_region == ()
    assert dict(org.strips) == {
        section: expected.strip(section or None, "local_authority") for section in ("", "s1", "s2", "wx")
    }
    assert org.strips[""] == (("c", 75.6), ("b", 70.0))  # overall to 1 decimal; a (9 people) is not ranked
    assert (region.result, region.strips, region.by_region) == (expected.regions["North"], {}, ())
    if stored_first:
        assert counter.count == 9, counter.statements


def test_the_statement_count_does_not_grow_with_the_round(
    national_app: Flask, runner: Any, tmp_path: Path
) -> None:
    """Three statements for any level, of a round of 49 rows or of one four times as big."""
    counts = []
    for label, rows in (("2023/24", current_rows()), ("2024/25", current_rows() * 4)):
        if label == "2024/25":
            import_round(runner, tmp_path, label, rows)
        framework_id, survey = definition(national_app)
        for where in LEVELS:
            level_in_request(national_app, where, label)  # the first computes and stores them all
            with (
                national_app.app_context(),
                db.unit_of_work() as session,
                count_statements(db.engine) as counter,
            ):
                found = survey_levels.level_for(session, framework_id, survey, *split(where), label)
            assert found is not None and found.round_label == label
            counts.append(counter.count)
    assert counts == [3] * 12


# -- invalidation: used only while everything it was computed from is unchanged ---------------------------


def test_a_new_round_is_computed_and_the_older_rounds_results_stay_in_use(
    national_app: Flask, runner: Any, tmp_path: Path
) -> None:
    level_in_request(national_app, "org:c")
    import_round(runner, tmp_path, "2024/25", previous_rows())
    latest = level_in_request(national_app, "org:c")
    assert (latest.round_label, latest.previous_label) == ("2024/25", "2023/24")
    assert stored_rows(national_app) == 2 * ROWS_PER_ROUND
    before = table_digests(national_app)
    older = level_in_request(national_app, "org:c", "2023/24")
    assert older == engine_round(definition(national_app)[1]).orgs["c"]
    assert table_digests(national_app) == before


def test_a_replaced_round_is_computed_again(national_app: Flask, runner: Any, tmp_path: Path) -> None:
    level_in_request(national_app, "national:")
    import_round(runner, tmp_path, "2023/24", current_rows() * 2, "--replace")
    again = level_in_request(national_app, "national:")
    assert again.completed.n == 2 * len(current_rows())
    assert stored_rows(national_app) == 2 * ROWS_PER_ROUND  # the replaced round's rows are kept


def test_replacing_last_years_round_keeps_its_place(national_app: Flask, runner: Any, tmp_path: Path) -> None:
    """2022/23 replaced after 2023/24 was imported is still the round before 2023/24, not after it."""
    before = level_in_request(national_app, "org:b")
    assert before.sections[0].figure.previous == 75.0
    import_round(runner, tmp_path, "2022/23", [row for row in previous_rows() if row.groups["org"] == "b"]
                 + current_rows()[9:19], "--replace")  # fmt: skip
    after = level_in_request(national_app, "org:b")
    assert (after.round_label, after.previous_label) == ("2023/24", "2022/23")
    assert after.sections[0].figure.previous == (75.0 * 10 + 62.5 * 10) / 20  # b's 10 of old and 10 of new
    assert stored_rows(national_app) == 2 * ROWS_PER_ROUND
    with national_app.app_context():
        _definition, _round, scored = results(db.session, SLUG, SURVEY_ID, "2023/24")
    assert scored[0].change is not None and scored[0].change.from_round == "2022/23"


def test_a_changed_organisation_is_computed_again(national_app: Flask, runner: Any, tmp_path: Path) -> None:
    assert level_in_request(national_app, "org:b").name == "Beckside Council"
    orgs = tmp_path / "renamed.csv"
    orgs.write_text(
        "org,name,kind,region\nb,Beckside Borough Council,local_authority,South\n", encoding="utf-8"
    )
    invoke(runner, "survey", "orgs", str(orgs), "--framework", SLUG, "--survey", SURVEY_ID)
    moved = level_in_request(national_app, "org:b")
    assert moved.name == "Beckside Borough Council"
    assert moved.organisation is not None and moved.organisation.region == "South"
    assert level_in_request(national_app, "region:South").completed.n == 40  # b's 10 with c's 30
    assert stored_rows(national_app) == 2 * ROWS_PER_ROUND  # nothing deleted


def test_a_changed_definition_is_computed_again(
    national_app: Flask, load_framework: Any, tiny_yaml: str
) -> None:
    assert not level_in_request(national_app, "org:a").reportable  # 9 people, under 10
    load_framework(tiny_yaml.replace("version: 1", "version: 3") + SURVEY.format(minimum=5))
    assert level_in_request(national_app, "org:a").reportable
    assert stored_rows(national_app) == 2 * ROWS_PER_ROUND


def test_a_new_result_format_is_computed_again(national_app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    level_in_request(national_app, "national:")
    monkeypatch.setattr(survey_levels, "FORMAT_VERSION", survey_levels.FORMAT_VERSION + 1)
    assert level_in_request(national_app, "national:") == engine_round(definition(national_app)[1]).national
    assert stored_rows(national_app) == 2 * ROWS_PER_ROUND


def test_format_version_is_raised_when_the_results_change() -> None:
    """The engine's JSON for the hand-made round, pinned to FORMAT_VERSION: if this fails, the engine's
    rules or result types changed, so stored results are stale. Raise FORMAT_VERSION and pin the new digest."""
    found = engine_round(DEFINITION)
    levels = [found.national, *found.regions.values(), *found.orgs.values()]
    text = json.dumps(
        [lv.to_json() for lv in levels] + [r.to_json() for r in found.by_region], sort_keys=True
    )
    pinned = {
        1: "ad108ded434987440766592448c9b08fe93a5c33f3b6a355a196aa9a2727fbaa",
        2: "23479723df78d0e2577019fdaeac07cf9fbec9d4cf28fc2c23f51f9f64762486",  # parts rules across levels
    }
    assert (survey_levels.FORMAT_VERSION, hashlib.sha256(text.encode()).hexdigest()) == (
        survey_levels.FORMAT_VERSION,
        pinned[survey_levels.FORMAT_VERSION],
    )


# -- nothing asked that does not exist; a failed write ----------------------------------------------------


@pytest.mark.parametrize(
    ("where", "label"),
    [
        ("region:Nowhere", None),
        ("org:zzz", None),
        ("national:", "1999/00"),
        ("org:c", "1999/00"),
        ("national:x", None),
    ],
)
def test_what_does_not_exist_is_none_and_nothing_is_written(
    national_app: Flask, where: str, label: str | None
) -> None:
    before = table_digests(national_app)
    assert level_in_request(national_app, where, label) is None
    assert table_digests(national_app) == before


def test_a_survey_without_rounds_has_no_results(national_app: Flask) -> None:
    framework_id, survey = definition(national_app)
    other = SurveyDefinition(id="no-rounds", title="None", scale=survey.scale, sections=survey.sections)
    with national_app.app_context(), db.unit_of_work() as session:
        assert survey_levels.national_for(session, framework_id, other) is None
        assert survey_levels.level_for(session, framework_id, other, "national") is None


def test_a_failed_write_loses_only_the_stored_copy(
    national_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = survey_levels._rows

    def broken(*args: Any) -> list[dict[str, Any]]:
        rows = real(*args)
        rows[-1]["level"] = None  # NOT NULL: the insert fails
        return rows

    monkeypatch.setattr(survey_levels, "_rows", broken)
    expected = engine_round(definition(national_app)[1])
    assert level_in_request(national_app, "org:c") == expected.orgs["c"]  # and the request commits
    assert stored_rows(national_app) == 0
    monkeypatch.setattr(survey_levels, "_rows", real)
    assert level_in_request(national_app, "org:c") == expected.orgs["c"]
    assert stored_rows(national_app) == ROWS_PER_ROUND


def test_migration_0017_adds_the_table_and_takes_it_away(national_app: Flask) -> None:
    level_in_request(national_app, "national:")
    with national_app.app_context():
        config = migrate.alembic_config(db.engine)
        db.session.rollback()  # end the read: a downgrade drops a table an open read would block
        others = table_digests(national_app, exclude=("survey_level_result",))
        command.downgrade(config, "0016")
        assert "survey_level_result" not in inspect(db.engine).get_table_names()
        kept = table_digests(national_app, exclude=())  # the tables of later migrations went too
        assert kept == {name: others[name] for name in kept}  # nothing else touched
        command.upgrade(config, "head")
        assert migrate.is_current(db.engine)
    assert stored_rows(national_app) == 0
    assert level_in_request(national_app, "org:c") == engine_round(definition(national_app)[1]).orgs["c"]
    assert stored_rows(national_app) == ROWS_PER_ROUND


def test_store_round_computes_only_what_is_missing(national_app: Flask) -> None:
    """For a caller that wants the first reader spared the wait (after an import, say)."""
    framework_id, survey = definition(national_app)
    with national_app.app_context(), db.unit_of_work() as session:
        assert survey_levels.store_round(session, framework_id, survey) is True
    assert stored_rows(national_app) == ROWS_PER_ROUND
    before = table_digests(national_app)
    with national_app.app_context(), db.unit_of_work() as session:
        assert survey_levels.store_round(session, framework_id, survey) is False
        assert survey_levels.store_round(session, framework_id, survey, "1999/00") is False
    assert table_digests(national_app) == before
