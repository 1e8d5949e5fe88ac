"""The `tracker` command: exit codes, one line per problem, no tracebacks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select

from tracker.db.models import Element
from tracker.extensions import db
from tracker.resources import frameworks_dir

from ..conftest import TrackerCliRunner

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_validate_good_and_broken_files(runner: FlaskCliRunner) -> None:
    ok = runner.invoke(args=["framework", "validate", str(FIXTURES / "tiny.yaml")])
    assert ok.exit_code == 0, ok.output
    broken = runner.invoke(
        args=["framework", "validate", str(FIXTURES / "broken.yaml"), str(FIXTURES / "tiny.yaml")]
    )
    assert broken.exit_code == 1
    problem_lines = [line for line in broken.stdout.splitlines() if line]
    assert problem_lines == [
        f"{FIXTURES / 'broken.yaml'}:8:5: themes[0].colour: unknown key 'colour' "
        "(known: activities, aims, id, kpis, outcomes, outputs, ref, summary, title)"
    ]


def test_validate_all_shipped_frameworks(runner: FlaskCliRunner) -> None:
    files = sorted(str(p) for p in frameworks_dir().glob("*.yaml"))
    assert len(files) == 3
    result = runner.invoke(args=["framework", "validate", *files])
    assert result.exit_code == 0, result.output


def test_load_list_and_reload(app: Flask, runner: FlaskCliRunner) -> None:
    tiny = str(FIXTURES / "tiny.yaml")
    first = runner.invoke(args=["framework", "load", tiny])
    assert first.exit_code == 0, first.output
    assert "tiny-partnership: loaded version 1 (new framework)" in first.output
    assert "  added: 9" in first.output and "    outcome retention" in first.output
    again = runner.invoke(args=["framework", "load", tiny])
    assert again.exit_code == 0 and "already loaded; nothing changed" in again.output
    listing = runner.invoke(args=["framework", "list"])
    assert listing.exit_code == 0
    assert "tiny-partnership  v1  Tiny Teaching Partnership" in listing.output


def test_load_is_all_or_nothing(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=["framework", "load", str(FIXTURES / "tiny.yaml"), str(FIXTURES / "broken.yaml")]
    )
    assert result.exit_code == 1
    assert "broken.yaml:8:5:" in result.output and "nothing was loaded" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Element)) == 0


def test_commands_refuse_an_unmigrated_database(make_app: Any) -> None:
    app = make_app(migrated=False)
    result = TrackerCliRunner(app).invoke(args=["framework", "list"])
    assert result.exit_code == 1
    assert "run `tracker init-db` first" in result.output


def test_init_db_then_again(make_app: Any) -> None:
    app = make_app(migrated=False)
    runner = TrackerCliRunner(app)
    first = runner.invoke(args=["init-db"])
    assert first.exit_code == 0 and "upgraded from empty to revision" in first.output
    second = runner.invoke(args=["init-db"])
    assert second.exit_code == 0 and "is up to date" in second.output


def run_tracker(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-c", "from tracker.cli import main; main()", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)


def test_real_command_errors_are_one_line_without_traceback(tmp_path: Path) -> None:
    env = {**os.environ, "TRACKER_INSTANCE_PATH": str(tmp_path / "instance")}
    env["TRACKER_DATABASE_URL"] = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    unreachable = run_tracker("framework", "list", env=env)
    assert unreachable.returncode == 1
    assert "Traceback" not in unreachable.stderr + unreachable.stdout
    assert unreachable.stderr.startswith("Error: the database could not be used")
    env["TRACKER_DATABASE_URL"] = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    missing = run_tracker("framework", "validate", str(tmp_path / "absent.yaml"), env=env)
    assert (
        missing.returncode == 1 and missing.stdout.strip() == f"{tmp_path / 'absent.yaml'}:1:1: no such file"
    )
    unknown = run_tracker("no-such-command", env=env)
    assert unknown.returncode == 2 and "Traceback" not in unknown.stderr
