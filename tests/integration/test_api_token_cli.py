"""`tracker api-token create|revoke|list` (issue 22): the token printed once, alone on its stdout line, works;
revoking stops it; unknown users and ids are one clear line, exit 1, and nothing written."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select

from tracker.api import tokens
from tracker.db.models import AuditEvent
from tracker.extensions import db
from tracker.services import accounts
from tracker.services.audit import Actor

from ..digest import database_digest

TOKEN_LINE = re.compile(r"trk_[A-Za-z0-9_-]{43}\n")
pytestmark = pytest.mark.usefixtures("framework")


def check(app: Flask, raw: str) -> tokens.TokenPrincipal | None:
    with app.app_context():
        return tokens.authenticate(db.session, raw)


def create(runner: FlaskCliRunner, *args: str) -> Any:
    return runner.invoke(args=["api-token", "create", *args])


def disable(app: Flask, email: str) -> None:
    with app.app_context(), db.unit_of_work() as session:
        accounts.disable_user(session, Actor("test", "admin"), accounts.find_user(session, email))


def test_create_prints_the_token_alone_on_stdout_and_it_works(
    app: Flask, runner: FlaskCliRunner, make_user: Any
) -> None:
    email = make_user("lead")
    result = create(runner, "--user", email.upper(), "--name", "Council dashboard")
    assert result.exit_code == 0, result.output
    assert TOKEN_LINE.fullmatch(result.stdout), result.stdout
    raw = result.stdout.strip()
    found = check(app, raw)
    assert found is not None and found.principal.email == email and found.token_name == "Council dashboard"
    assert result.stderr == f"token {found.token_id} for {email} (lead): shown once, store it now\n"
    with app.app_context():
        [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "api_token.create"))
        assert (event.actor, event.role, event.object_id) == ("command line", "admin", str(found.token_id))
    # Without a name: "token N", N counting the user's tokens.
    second = create(runner, "--user", email)
    assert second.exit_code == 0 and TOKEN_LINE.fullmatch(second.stdout)
    named = check(app, second.stdout.strip())
    assert named is not None and named.token_name == "token 2"


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("nobody@example.org", "Error: no user has the email address nobody@example.org\n"),
        (
            "gone@example.org",
            "Error: the account gone@example.org is disabled: enable it before giving it a token\n",
        ),
    ],
)
def test_create_for_an_unknown_or_disabled_user_exits_1_and_writes_nothing(
    app: Flask, runner: FlaskCliRunner, make_user: Any, email: str, message: str
) -> None:
    make_user("board", email="gone@example.org")
    disable(app, "gone@example.org")
    before = database_digest(app)
    result = create(runner, "--user", email)
    assert result.exit_code == 1
    assert result.stdout == "" and result.stderr == message
    assert database_digest(app) == before


def test_create_refuses_a_name_over_100_characters(
    app: Flask, runner: FlaskCliRunner, make_user: Any
) -> None:
    email = make_user("board")
    before = database_digest(app)
    result = create(runner, "--user", email, "--name", "x" * 101)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr == "Error: the name is 101 characters long; the limit is 100\n"
    assert database_digest(app) == before


def test_revoke_stops_the_token_and_says_when_it_already_was(
    app: Flask, runner: FlaskCliRunner, make_user: Any
) -> None:
    email = make_user("evaluator")
    raw = create(runner, "--user", email, "--name", "Sheet").stdout.strip()
    found = check(app, raw)
    assert found is not None
    result = runner.invoke(args=["api-token", "revoke", str(found.token_id)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"revoked token {found.token_id} ('Sheet') of {email}: it no longer works\n"
    assert check(app, raw) is None
    before = database_digest(app)
    again = runner.invoke(args=["api-token", "revoke", str(found.token_id)])
    assert again.exit_code == 0
    assert again.stdout == f"token {found.token_id} ('Sheet') of {email} is already revoked\n"
    assert database_digest(app) == before


@pytest.mark.parametrize("token_id", ["99", "0", "99999999999999999999"])
def test_revoke_an_unknown_id_exits_1(
    app: Flask, runner: FlaskCliRunner, make_user: Any, token_id: str
) -> None:
    create(runner, "--user", make_user("board"))
    before = database_digest(app)
    result = runner.invoke(args=["api-token", "revoke", token_id])
    assert result.exit_code == 1
    assert result.stderr == f"Error: no API token has the id {token_id}\n"
    assert database_digest(app) == before


def test_list_shows_every_token_with_its_state(app: Flask, runner: FlaskCliRunner, make_user: Any) -> None:
    empty = runner.invoke(args=["api-token", "list"])
    assert empty.exit_code == 0
    assert empty.stdout == "no API tokens yet: make one with `tracker api-token create --user EMAIL`\n"
    lead, board = make_user("lead"), make_user("board")
    first = create(runner, "--user", lead, "--name", "Sheet").stdout.strip()
    second = create(runner, "--user", board).stdout.strip()
    runner.invoke(args=["api-token", "revoke", "1"])
    disable(app, board)
    result = runner.invoke(args=["api-token", "list"])
    assert result.exit_code == 0
    header, *rows = [re.split(r"\s{2,}", line) for line in result.stdout.splitlines()]
    assert header == [
        "ID",
        "NAME",
        "BEGINS WITH",
        "USER",
        "ROLE",
        "MADE (UTC)",
        "LAST USED (UTC)",
        "REVOKED (UTC)",
    ]
    assert [row[:5] for row in rows] == [
        ["1", "Sheet", f"{first[:12]}…", lead, "lead"],
        ["2", "token 1", f"{second[:12]}…", f"{board} (disabled)", "board"],
    ]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", rows[0][5]) and rows[0][6] == "never"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", rows[0][7]) and rows[1][7] == "-"
    assert first[12:] not in result.stdout and second[12:] not in result.stdout


def test_the_real_command_keeps_the_token_alone_on_stdout(app: Flask, make_user: Any, tmp_path: Path) -> None:
    """Through `tracker`'s own entry point: stdout is the token and its line end, nothing else."""
    email = make_user("board")
    env = {
        **os.environ,
        "TRACKER_INSTANCE_PATH": str(tmp_path / "instance"),
        "TRACKER_DATABASE_URL": app.config["DATABASE_URL"],
    }
    command = [
        sys.executable,
        "-c",
        "from tracker.cli import main; main()",
        "api-token",
        "create",
        "--user",
        email,
    ]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    assert TOKEN_LINE.fullmatch(done.stdout), done.stdout
    assert done.stderr.endswith(f"for {email} (board): shown once, store it now\n")
    assert check(app, done.stdout.strip()) is not None
