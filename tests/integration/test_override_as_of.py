"""An override applies only as of the date it takes effect: before it the computed rating stands, through the
service, `tracker rate --as-of`, the dashboard (and its kept tiles) and the outcome page."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from alembic import command
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from tracker.db import migrate
from tracker.db.models import Framework, RatingOverride, RatingSnapshot
from tracker.extensions import db
from tracker.overrides import service as override_service
from tracker.ratings import ratings_for, snapshots
from tracker.services.archive import columns_of
from tracker.services.audit import Actor
from tracker.services.permissions import Principal

from ..digest import database_digest
from ..page import Page

SLUG = "tiny-partnership"
OUTCOME = "educators-supported"
EVALUATOR = Principal(None, "evaluator@example.org", "evaluator", None)
RATIONALE = "The interviews show what the survey cannot: " + "the educators' own account of support. " * 3
COLLECTED = date(2023, 3, 1)  # make_evidence's default
APPLIES = date(2023, 3, 15)
DEFAULT_AS_OF = date(2023, 4, 30)  # tiny.yaml's as_of


def override(
    app: Flask, applies_from: date | None, as_of: date | None = None, **kwargs: Any
) -> RatingOverride:
    with app.app_context(), db.unit_of_work() as session:
        rated = ratings_for(session, SLUG, as_of, detail=True)
        assert rated is not None
        items = [a.item_id for a in rated.detail.get(OUTCOME).items]  # type: ignore[union-attr]
        made = override_service.set_override(
            session, Actor("test"), EVALUATOR, rated, OUTCOME, "strong", RATIONALE, items,
            applies_from=applies_from, **kwargs,
        )  # fmt: skip
        session.expunge(made)
        return made


def rating_as_of(app: Flask, as_of: date) -> tuple[str, str | None]:
    with app.app_context():
        rated = ratings_for(db.session, SLUG, as_of, detail=True)
        assert rated is not None
        rating = rated.detail.get(OUTCOME)
        assert rating is not None
        return rating.rating, rating.override


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(1900, 1, 1), ("insufficient", None)),  # before the evidence existed
        (COLLECTED, ("some", None)),  # the evidence exists; the override does not apply yet
        (date(2023, 3, 14), ("some", None)),
        (APPLIES, ("strong", "strong")),  # from the day it applies
        (DEFAULT_AS_OF, ("strong", "strong")),
        (date(2030, 1, 1), ("strong", "strong")),
    ],
)
def test_an_override_applies_from_its_date(
    app: Flask, make_evidence: Any, as_of: date, expected: tuple[str, str | None]
) -> None:
    make_evidence()
    override(app, APPLIES)
    assert rating_as_of(app, as_of) == expected


@pytest.mark.parametrize(
    ("rated_as_of", "today", "expected"),
    [
        (DEFAULT_AS_OF, date(2026, 12, 4), DEFAULT_AS_OF),  # the date of the ratings the evaluator judged
        (date(2030, 1, 1), date(2026, 12, 4), date(2026, 12, 4)),  # never after the day it is made
    ],
)
def test_the_default_date(
    app: Flask, make_evidence: Any, rated_as_of: date, today: date, expected: date
) -> None:
    make_evidence()
    made = override(app, None, rated_as_of, today=today)
    assert made.applies_from == expected
    assert rating_as_of(app, expected) == ("strong", "strong")
    assert rating_as_of(app, date(1900, 1, 1))[1] is None


@pytest.mark.parametrize(
    ("applies_from", "message"),
    [
        (date(2023, 2, 28), "is before the evidence it rests on existed (collected up to 2023-03-01)"),
        (date(2999, 1, 1), "is in the future"),
    ],
)
def test_impossible_dates_are_refused(
    app: Flask, make_evidence: Any, applies_from: date, message: str
) -> None:
    make_evidence()
    before = database_digest(app)
    with pytest.raises(override_service.OverrideInvalid) as refused:
        override(app, applies_from)
    assert refused.value.field == "applies_from" and message in str(refused.value)
    assert database_digest(app) == before


def test_applies_from_is_recorded_in_the_audit_and_exported(app: Flask, make_evidence: Any) -> None:
    make_evidence()
    made = override(app, APPLIES)
    assert made.snapshot()["applies_from"] == "2023-03-15"
    assert "applies_from" in columns_of("rating_override")


def test_rate_cli_as_of_a_date_before_the_override(app: Flask, runner: Any, make_evidence: Any) -> None:
    make_evidence()
    override(app, APPLIES)

    def rows(*as_of: str) -> dict[str, tuple[str, str]]:
        result = runner.invoke(args=["rate", "--framework", SLUG, "--json", *as_of])
        assert result.exit_code == 0, result.output
        return {r["outcome"]: (r["rating"], r["override"]) for r in json.loads(result.output)}

    assert rows("--as-of", "1900-01-01")[OUTCOME] == ("insufficient", None)
    assert rows("--as-of", "2023-03-14")[OUTCOME] == ("some", None)
    assert rows("--as-of", "2023-03-15")[OUTCOME] == ("strong", "strong")
    assert rows()[OUTCOME] == ("strong", "strong")


# -- pages: the dashboard (its tiles are kept per date) and the outcome page -------------------------------


def tile(page: Page) -> tuple[str, bool]:
    """The outcome's tile: its rating (its colour class, which its badge agrees with) and whether it notes an
    override."""
    (found,) = [t for t in page.tiles().values() if f"/outcomes/{OUTCOME}" in t.href]
    assert found.tile_class == found.rating.code, found
    return found.tile_class, found.note is not None


def dashboard(client: FlaskClient, as_of: str | None = None) -> tuple[str, bool]:
    query = f"?as_of={as_of}" if as_of else ""
    response = client.get(f"/f/{SLUG}/dashboard{query}")
    assert response.status_code == 200
    return tile(Page.of(response))


def test_dashboard_before_and_from_the_override_date(app: Flask, as_role: Any, make_evidence: Any) -> None:
    make_evidence()
    client = as_role("board")
    assert dashboard(client) == ("some", False)  # kept tiles and stored ratings, before the override
    override(app, APPLIES)
    # Each date in turn, the default date first and again last: what is kept for one never shows at another.
    for as_of, expected in [
        (None, ("strong", True)),
        ("1900-01-01", ("insufficient", False)),
        ("2023-03-14", ("some", False)),
        (None, ("strong", True)),
        ("2023-03-15", ("strong", True)),
        ("2023-03-14", ("some", False)),
        (None, ("strong", True)),
    ]:
        assert dashboard(client, as_of) == expected, as_of
    with app.app_context():
        stored = db.session.scalars(select(RatingSnapshot.as_of)).all()
        assert set(stored) == {DEFAULT_AS_OF}  # only the default date is stored; others are rated live
        summary = ratings_for(db.session, SLUG, date(2023, 3, 14))
        assert summary is not None and not summary.stored_date
        assert summary.rating_of(OUTCOME).override is None  # type: ignore[union-attr]


def test_a_kept_dashboard_is_not_reused_once_a_later_override_applies(
    app: Flask, as_role: Any, make_evidence: Any
) -> None:
    """Saving an override changes the kept tiles' key; tiles for another date are never kept."""
    make_evidence()
    client = as_role("board")
    assert dashboard(client) == ("some", False)
    with app.app_context():
        (framework_id,) = db.session.scalars(select(Framework.id)).all()
    override(app, date(2023, 4, 29), today=date(2026, 12, 4))
    assert dashboard(client) == ("strong", True)
    assert dashboard(client, "2023-04-28") == ("some", False)
    with app.app_context():
        head = snapshots.head(db.session, SLUG)
        assert head is not None and head.key is not None and DEFAULT_AS_OF in head.key
        assert snapshots.head(db.session, SLUG, date(2023, 4, 28)).key is None  # type: ignore[union-attr]
        assert framework_id in head.key


def test_outcome_page_before_the_override_says_when_it_applies(
    app: Flask, as_role: Any, make_evidence: Any
) -> None:
    make_evidence()
    override(app, APPLIES)
    client = as_role("evaluator")
    before = Page.of(client.get(f"/f/{SLUG}/outcomes/{OUTCOME}?as_of=2023-03-14"), 200)
    assert before.outcome_rating.code == "some"
    notice = before.text("#override-later p")
    assert "applies from 15 March 2023" in notice and "the computed rating stands" in notice
    assert before.badges("#override-later span.rating")[0].code == "strong"
    [(_text, href)] = before.links("#override-later a")
    assert "as_of=2023-03-15" in href
    history = before.rows("Every override of this outcome, newest first")
    assert [row[3] for row in history] == [
        "15 March 2023"
    ]  # the history says from when each override applies
    after = Page.of(client.get(f"/f/{SLUG}/outcomes/{OUTCOME}?as_of=2023-03-15"), 200)
    assert not after.has_id("override-later") and after.outcome_rating.code == "strong"
    assert after.texts("h2.notice-title") == ["Evaluator override"]


def test_outcome_form_sets_the_date(app: Flask, as_role: Any, make_evidence: Any) -> None:
    item = make_evidence()
    client = as_role("evaluator")
    page = Page.of(client.get(f"/f/{SLUG}/outcomes/{OUTCOME}"), 200)
    field = page.field("applies_from")
    assert (field["type"], field["value"]) == ("date", "2023-04-30")
    assert page.described_by("applies_from") == ["applies_from-hint"]
    assert page.form(f"/f/{SLUG}/outcomes/{OUTCOME}/override?as_of=2023-04-30").method == "post"
    before = database_digest(app)
    form = {"rating": "strong", "rationale": RATIONALE, "evidence": [str(item)], "action": "set"}
    refused = client.post(
        f"/f/{SLUG}/outcomes/{OUTCOME}/override", data={**form, "applies_from": "2023-02-01"}
    )
    page = Page.of(refused, 400)
    page.assert_error_at("applies_from", "before the evidence it rests on existed")
    assert page.value("applies_from") == "2023-02-01"
    assert page.value("rationale") == RATIONALE
    assert database_digest(app) == before
    saved = client.post(f"/f/{SLUG}/outcomes/{OUTCOME}/override", data={**form, "applies_from": "2023-03-15"})
    assert saved.status_code == 302
    assert rating_as_of(app, date(2023, 3, 14)) == ("some", None)
    assert rating_as_of(app, date(2023, 3, 15)) == ("strong", "strong")


# -- the migration and the demo --------------------------------------------------------------------------


def test_migration_dates_existing_overrides(app: Flask, make_evidence: Any) -> None:
    """Made before 0010: each applies from the date of the ratings it overrode, or the day it was made if
    earlier; stored ratings are cleared, to be rated again."""
    make_evidence()
    override(app, None)
    with app.app_context():
        assert db.session.scalars(select(RatingSnapshot.id)).all()
        db.session.rollback()  # end the read: a downgrade alters rating_snapshot, which an open read would block
        config = migrate.alembic_config(db.engine)
        command.downgrade(config, "0008")
        with db.engine.begin() as connection:
            made = datetime(2023, 4, 1, 9, 30, tzinfo=UTC)
            connection.execute(update(RatingOverride.__table__).values(created_at=made))
        command.upgrade(config, "head")
        with db.engine.connect() as connection:
            dated = connection.execute(select(RatingOverride.applies_from)).scalars().all()
            stored = connection.execute(select(RatingSnapshot.id)).scalars().all()
        assert dated == [date(2023, 4, 1)] and stored == []
    assert rating_as_of(app, date(2023, 3, 31)) == ("some", None)
    assert rating_as_of(app, date(2023, 4, 1)) == ("strong", "strong")


def test_demo_overrides_apply_from_the_evaluation_date(app: Flask, runner: Any) -> None:
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        dates = set(db.session.scalars(select(RatingOverride.applies_from)))
        assert dates == {date(2020, 5, 31)}
        at = ratings_for(db.session, "developing-together", detail=True)
        before = ratings_for(db.session, "developing-together", date(2020, 5, 30), detail=True)
        assert at is not None and before is not None and at.as_of == date(2020, 5, 31)
        assert sum(r.override is not None for r in at.ratings) == 5
        assert sum(r.override is not None for r in before.ratings) == 0
        assert [r.rating for r in before.ratings] == [r.computed for r in before.ratings]
