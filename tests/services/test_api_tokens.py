"""API tokens (issue 22): only a digest is stored, a token is checked in one statement and reads as its user as
the user is now, revoked, disabled, malformed and unknown tokens are refused, and every change is audited."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import column, inspect, select, table

from tests.digest import database_digest
from tests.querycount import count_statements
from tracker.api import tokens
from tracker.db.models import ApiToken, AuditEvent, Partner, User
from tracker.extensions import db
from tracker.services import accounts
from tracker.services.audit import Actor

pytestmark = pytest.mark.usefixtures("framework")
ADMIN = Actor("admin@example.org", "admin", None)


def make_token(app: Flask, email: str, name: str = "", actor: Actor = ADMIN) -> tuple[int, str]:
    with app.app_context(), db.unit_of_work() as session:
        token, raw = tokens.create_token(session, actor, email, name)
        return token.id, raw


def check(app: Flask, raw: str) -> tokens.TokenPrincipal | None:
    with app.app_context():
        return tokens.authenticate(db.session, raw)


def revoke(app: Flask, token_id: int) -> bool:
    with app.app_context(), db.unit_of_work() as session:
        return tokens.revoke_token(session, ADMIN, token_id)


def stored(app: Flask, token_id: int) -> ApiToken:
    with app.app_context():
        row = db.session.get(ApiToken, token_id)
        assert row is not None
        db.session.expunge(row)
        return row


def audit_rows(app: Flask, prefix: str = "api_token.") -> list[AuditEvent]:
    with app.app_context():
        rows = list(
            db.session.scalars(
                select(AuditEvent).where(AuditEvent.action.startswith(prefix)).order_by(AuditEvent.id)
            )
        )
        db.session.expunge_all()
        return rows


def change_user(app: Flask, email: str, *, role: str, active: bool, partner: str | None) -> None:
    with app.app_context(), db.unit_of_work() as session:
        user = accounts.find_user(session, email)
        accounts.update_user(session, ADMIN, user, role=role, active=active, partner_slug=partner)


def every_stored_value(app: Flask) -> str:
    """Every value of every row of every table, as one text, to search for a secret."""
    with app.app_context(), db.engine.connect() as connection:
        names = inspect(connection).get_table_names()
        parts = []
        for name in names:
            columns = [c["name"] for c in inspect(connection).get_columns(name)]
            for row in connection.execute(select(*(column(c) for c in columns)).select_from(table(name))):
                parts.append(repr(tuple(row)))
        return "\n".join(parts)


def test_only_the_digest_is_stored_never_the_token(app: Flask, make_user: Any) -> None:
    email = make_user("board")
    token_id, raw = make_token(app, email, "Council dashboard")
    assert re.fullmatch(r"trk_[A-Za-z0-9_-]{43}", raw)
    row = stored(app, token_id)
    assert row.secret_sha256 == hashlib.sha256(raw.encode()).hexdigest()
    assert row.prefix == raw[4:12] and len(row.prefix) == 8
    assert (row.name, row.created_by, row.revoked_by) == ("Council dashboard", "admin@example.org", "")
    assert row.last_used_at is None and row.revoked_at is None
    everything = every_stored_value(app)
    assert raw not in everything and raw[4:] not in everything, "the raw token is stored somewhere"
    assert raw[4:20] not in everything, "more of the token than its prefix is stored"
    # Two tokens are two different secrets.
    _second_id, second = make_token(app, email)
    assert second != raw and second[4:12] != raw[4:12]


def test_a_token_is_checked_in_one_statement_and_reads_as_its_user(app: Flask, make_user: Any) -> None:
    email = make_user("lead")
    token_id, raw = make_token(app, email, "Lead's sheet")
    with app.app_context():
        user_id = db.session.scalars(select(User.id).where(User.email == email)).one()
        partner_id = db.session.scalars(select(Partner.id).where(Partner.slug == "tiny-council")).one()
        with count_statements(db.engine) as counted:
            found = tokens.authenticate(db.session, raw)
        assert counted.count == 1, counted.statements
    assert found is not None
    assert (found.token_id, found.token_name) == (token_id, "Lead's sheet")
    principal = found.principal
    assert (principal.user_id, principal.email, principal.role) == (user_id, email, "lead")
    assert principal.partner_id == partner_id


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "trk_",
        "Bearer trk_" + "a" * 43,
        "trk_" + "a" * 42,
        "trk_" + "a" * 44,
        "TRK_" + "a" * 43,
        "trk_" + "a" * 42 + "=",
        "trk_" + "a" * 42 + "é",
        " trk_" + "a" * 43,
        "trk_" + "a" * 43 + "\n",
        "x" * 100_000,
    ],
    ids=lambda raw: f"{raw[:12]!r}-{len(raw)}",
)
def test_a_malformed_token_is_refused_without_a_query(app: Flask, make_user: Any, raw: str) -> None:
    make_token(app, make_user("board"))
    with app.app_context():
        with count_statements(db.engine) as counted:
            assert tokens.authenticate(db.session, raw) is None
        assert counted.count == 0, counted.statements


def test_an_unknown_token_is_refused(app: Flask, make_user: Any) -> None:
    _token_id, raw = make_token(app, make_user("board"))
    other = raw[:-1] + ("A" if raw[-1] != "A" else "B")
    assert check(app, other) is None
    assert check(app, "trk_" + "A" * 43) is None
    assert check(app, raw) is not None


def test_a_revoked_token_is_refused_and_revoking_again_writes_nothing(app: Flask, make_user: Any) -> None:
    email = make_user("evaluator")
    token_id, raw = make_token(app, email)
    kept_id, kept = make_token(app, email)
    assert revoke(app, token_id) is True
    assert check(app, raw) is None
    assert check(app, kept) is not None, "revoking one token leaves the user's others working"
    row = stored(app, token_id)
    assert row.revoked_at is not None and row.revoked_by == "admin@example.org"
    before = database_digest(app)
    assert revoke(app, token_id) is False
    assert database_digest(app) == before
    assert stored(app, kept_id).revoked_at is None


def test_a_disabled_users_tokens_do_not_work_until_enabled_again(app: Flask, make_user: Any) -> None:
    email = make_user("board")
    _token_id, raw = make_token(app, email)
    change_user(app, email, role="board", active=False, partner=None)
    assert check(app, raw) is None
    change_user(app, email, role="board", active=True, partner=None)
    found = check(app, raw)
    assert found is not None and found.principal.role == "board"


def test_a_role_or_partner_change_applies_at_once(app: Flask, make_user: Any) -> None:
    email = make_user("lead")
    _token_id, raw = make_token(app, email)
    with app.app_context():
        other = db.session.scalars(select(Partner.id).where(Partner.slug == "other-council")).one()
    change_user(app, email, role="lead", active=True, partner="other-council")
    found = check(app, raw)
    assert found is not None and (found.principal.role, found.principal.partner_id) == ("lead", other)
    change_user(app, email, role="board", active=True, partner=None)
    found = check(app, raw)
    assert found is not None and (found.principal.role, found.principal.partner_id) == ("board", None)


def test_making_and_revoking_are_audited_without_the_secret(app: Flask, make_user: Any) -> None:
    email = make_user("board")
    token_id, raw = make_token(app, email, "Funder portal")
    revoke(app, token_id)
    made, revoked = audit_rows(app)
    assert (made.action, made.object_type, made.object_id) == ("api_token.create", "api_token", str(token_id))
    assert (made.actor, made.role) == ("admin@example.org", "admin")
    assert made.after == {"token": "Funder portal", "email": email, "role": "board", "prefix": raw[4:12]}
    assert (revoked.action, revoked.object_type, revoked.object_id) == (
        "api_token.revoke",
        "api_token",
        str(token_id),
    )
    assert revoked.after == {"token": "Funder portal", "email": email, "prefix": raw[4:12]}
    digest = hashlib.sha256(raw.encode()).hexdigest()
    for row in (made, revoked):
        recorded = repr((row.before, row.after, row.detail))
        assert raw[4:] not in recorded and digest not in recorded


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("nobody@example.org", "no user has the email address nobody@example.org"),
        ("", "no user has the email address (blank)"),
        ("disabled@example.org", "the account disabled@example.org is disabled"),
    ],
)
def test_a_token_for_an_unknown_or_disabled_user_is_refused_and_nothing_written(
    app: Flask, make_user: Any, email: str, message: str
) -> None:
    make_user("board", email="disabled@example.org")
    change_user(app, "disabled@example.org", role="board", active=False, partner=None)
    before = database_digest(app)
    with pytest.raises(tokens.TokenRefused, match=re.escape(message)) as refused:
        make_token(app, email)
    assert refused.value.field == "user"
    assert database_digest(app) == before


def test_names_are_one_line_of_at_most_100_characters_and_default_to_token_n(
    app: Flask, make_user: Any
) -> None:
    email = make_user("board")
    first, _raw = make_token(app, email)
    named, _raw = make_token(app, email, "  Council\n  dashboard\t")
    third, _raw = make_token(app, email.upper())
    assert [stored(app, i).name for i in (first, named, third)] == ["token 1", "Council dashboard", "token 3"]
    assert len(stored(app, make_token(app, email, "x" * 100)[0]).name) == 100
    before = database_digest(app)
    for name, message in (("x" * 101, "the name is 101 characters long; the limit is 100"),
                          ("bell\x07", "the name must be plain text")):  # fmt: skip
        with pytest.raises(tokens.TokenRefused, match=re.escape(message)) as refused:
            make_token(app, email, name)
        assert refused.value.field == "name"
    assert database_digest(app) == before


@pytest.mark.parametrize("token_id", [999, 0, -1, 2**31, 10**30])
def test_revoking_an_unknown_id_is_refused(app: Flask, make_user: Any, token_id: int) -> None:
    make_token(app, make_user("board"))
    before = database_digest(app)
    with pytest.raises(tokens.TokenRefused, match=f"no API token has the id {token_id}"):
        revoke(app, token_id)
    assert database_digest(app) == before


def test_note_use_is_one_update_of_last_used(app: Flask, make_user: Any) -> None:
    token_id, _raw = make_token(app, make_user("board"))
    moment = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)
    with app.app_context(), db.unit_of_work() as session:
        with count_statements(db.engine) as counted:
            tokens.note_use(session, token_id, moment)
        assert [s.split()[0] for s in counted.statements] == ["UPDATE"]
    assert stored(app, token_id).last_used_at == moment


def test_the_list_shows_every_token_with_its_user_as_now(app: Flask, make_user: Any) -> None:
    lead = make_user("lead")
    board = make_user("board")
    first, first_raw = make_token(app, lead, "Sheet")
    second, second_raw = make_token(app, board, "Portal")
    revoke(app, first)
    change_user(app, board, role="board", active=False, partner=None)
    with app.app_context():
        listed = tokens.list_tokens(db.session)
        assert tokens.token_listing(db.session, second) == listed[1]
        assert tokens.token_listing(db.session, 999) is None
        assert tokens.token_listing(db.session, 2**40) is None
    assert [(t.id, t.name, t.user_email, t.role, t.user_active) for t in listed] == [
        (first, "Sheet", lead, "lead", True),
        (second, "Portal", board, "board", False),
    ]
    assert [t.shown_prefix for t in listed] == [f"{first_raw[:12]}…", f"{second_raw[:12]}…"]
    assert listed[0].revoked_at is not None and listed[1].revoked_at is None
    assert all(t.created_by == "admin@example.org" and t.last_used_at is None for t in listed)


def test_eligible_users_are_the_enabled_ones(app: Flask, make_user: Any) -> None:
    kept = make_user("evaluator", email="kept@example.org")
    gone = make_user("board", email="gone@example.org")
    change_user(app, gone, role="board", active=False, partner=None)
    with app.app_context():
        assert tokens.eligible_users(db.session) == [(kept, "evaluator")]
