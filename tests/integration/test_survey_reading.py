"""A survey round's results are computed once per process and its rows read once per session (a national
round has 10,000 rows): stored rows never change, so the kept results are the ones computed afresh, for the
round replaced, on another database, and under another definition alike."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import event

from tracker.domain.loader import parse_framework
from tracker.extensions import db
from tracker.services import frameworks as framework_service
from tracker.services import surveys as survey_service
from tracker.services.audit import Actor
from tracker.services.survey_reading import KEPT, KeptResults

from ..conftest import TrackerCliRunner
from .test_surveys_flow import SURVEY, rows, run_import, survey_app

__all__ = ["survey_app"]  # the fixture, used by name

SLUG, SURVEY_ID = "tiny-partnership", "pe-survey"


@pytest.fixture(autouse=True)
def nothing_kept() -> Iterator[None]:
    KEPT.clear()
    yield
    KEPT.clear()


def results(round_: str, by: str | None = None) -> list[tuple[str, int, float | None]]:
    _definition, _round, scored = survey_service.results(db.session, SLUG, SURVEY_ID, round_, by)
    return [(r.section, r.n, r.score) for r in scored]


def reads_of_rows(app: Flask) -> list[str]:
    """Every statement that reads survey_response from now on (appended as they run)."""
    seen: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "FROM survey_response" in statement:
            seen.append(statement)

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", note)
    return seen


def test_a_round_is_scored_once_and_read_once_per_session(
    survey_app: Flask, runner: Any, tmp_path: Any
) -> None:
    assert run_import(runner, tmp_path, "a.csv", rows(12, 10), "2022-23").exit_code == 0
    assert run_import(runner, tmp_path, "b.csv", rows(10, 12, "Disagree"), "2023-24").exit_code == 0
    KEPT.clear()
    reads = reads_of_rows(survey_app)
    with survey_app.app_context():
        first = results("2023-24")
        assert len(reads) == 2  # this round and the one before, for the change
        assert survey_service.distance_since_previous(db.session, SLUG, SURVEY_ID, "2023-24") is not None
        assert len(reads) == 2  # the same session: the rows parsed for the scores serve the distance
    with survey_app.app_context():
        assert results("2023-24") == first
        assert survey_service.distance_since_previous(db.session, SLUG, SURVEY_ID, "2023-24") is not None
        assert len(reads) == 2  # another session (request): kept results, no row read
        by = results("2023-24", "employer")
        assert len(reads) == 3  # a breakdown not scored yet reads the round again
        assert [(s, n) for s, n, _ in by] == [("support", 22)]


def test_a_replaced_round_is_scored_afresh(survey_app: Flask, runner: Any, tmp_path: Any) -> None:
    assert run_import(runner, tmp_path, "a.csv", rows(12, 10), "2022-23").exit_code == 0
    with survey_app.app_context():
        assert results("2022-23") == [("support", 22, pytest.approx(53.41, abs=0.01))]
    replaced = run_import(runner, tmp_path, "b.csv", rows(20, 0, "Disagree"), "2022-23", "--replace")
    assert replaced.exit_code == 0, replaced.output
    with survey_app.app_context():
        assert results("2022-23") == [("support", 20, 37.5)]


def test_another_database_with_the_same_round_id_has_its_own_results(
    survey_app: Flask, make_app: Any, second_url: str, runner: Any, tmp_path: Any, tiny_yaml: str
) -> None:
    assert run_import(runner, tmp_path, "a.csv", rows(12, 10), "2022-23").exit_code == 0
    other = make_app(DATABASE_URL=second_url)
    text = tiny_yaml.replace("version: 1", "version: 2") + SURVEY
    with other.app_context(), db.unit_of_work() as session:
        loaded = parse_framework(text, "test.yaml").framework
        assert loaded is not None
        framework_service.load_version(session, loaded, text, Actor("test"))
    assert run_import(TrackerCliRunner(other), tmp_path, "c.csv", rows(0, 15), "2022-23").exit_code == 0
    with survey_app.app_context():
        here = results("2022-23")
    with other.app_context():
        there = results("2022-23")
    assert here == [("support", 22, pytest.approx(53.41, abs=0.01))]
    assert there == [("support", 15, 12.5)]


def test_the_kept_results_are_bounded_and_least_recently_used_go_first() -> None:
    kept = KeptResults(size=2)
    computed: list[str] = []

    def compute(key: str) -> Any:
        return lambda: computed.append(key) or key.upper()

    assert [kept.get(k, compute(k)) for k in ("a", "b", "a", "c", "a", "b")] == ["A", "B", "A", "C", "A", "B"]
    assert computed == ["a", "b", "c", "b"]  # "b" was the least recently used when "c" came
    assert len(kept) == 2
