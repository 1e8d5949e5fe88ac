"""Stored ratings: written by the writers of rating inputs, read by pages, never older than the evidence."""

from __future__ import annotations

import random
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import delete, select

from tracker.db.models import Element, Evidence, KpiValue, RatingOverride, RatingSnapshot
from tracker.extensions import db
from tracker.ratings import RatingSet, compute, keep, ratings_for, snapshots, upkeep
from tracker.ratings.stored import REPORT_REASONS, OutcomeRating
from tracker.services import evidence as evidence_service

from ..querycount import count_statements

SLUG = "tiny-partnership"
OUTCOMES = ("more-statutory", "educators-supported", "retention")


def stored_rows(app: Flask) -> dict[str, tuple[int, str, Any]]:
    """outcome -> (row id, rating, computed_at) of every stored rating."""
    with app.app_context():
        return {
            slug: (row.id, row.rating, row.computed_at)
            for row, slug in db.session.execute(
                select(RatingSnapshot, Element.slug).join(Element, Element.id == RatingSnapshot.element_id)
            )
        }


def live(app: Flask, as_of: date | None = None) -> dict[str, OutcomeRating]:
    with app.app_context():
        rated = ratings_for(db.session, SLUG, as_of, detail=True)
        assert rated is not None
        return {r.outcome_id: r for r in rated.ratings}


def read(app: Flask, as_of: date | None = None) -> RatingSet:
    """Every stored field (the report's too), to compare with a rating made now."""
    with app.app_context():
        summary = ratings_for(db.session, SLUG, as_of, for_report=True)
        assert summary is not None
        return summary


def warm(app: Flask) -> None:
    """Read once and keep what was rated, as the dashboard does."""
    with app.app_context():
        summary = ratings_for(db.session, SLUG)
        assert summary is not None
        with db.side_transaction() as session:
            keep(session, summary)


def differences(stored: dict[str, OutcomeRating], computed: dict[str, OutcomeRating]) -> list[str]:
    """Each field where a stored rating differs from the live one, named, so a failure says what."""
    assert stored.keys() == computed.keys()
    return [
        f"{outcome}.{name}: stored {getattr(stored[outcome], name)!r}, live {getattr(computed[outcome], name)!r}"
        for outcome in computed
        for name in OutcomeRating.__slots__
        if getattr(stored[outcome], name) != getattr(computed[outcome], name)
    ]


def add_kpi_value(app: Flask, value: float, end: date = date(2023, 3, 31)) -> None:
    with app.app_context(), db.unit_of_work() as session:
        ctx = evidence_service.framework_context(session, SLUG)
        assert ctx is not None
        session.add(
            KpiValue(
                framework_id=ctx.framework.id,
                element_id=ctx.elements["statutory-share"].id,
                period=str(end.year),
                period_end=end,
                value=value,
            )
        )
        upkeep.inputs_changed(session, ctx.framework.id, [ctx.elements["statutory-share"].id])  # as a service


def forget_stored(app: Flask) -> None:
    """As after upgrading to migration 0004: no stored ratings yet."""
    with app.app_context(), db.unit_of_work() as session:
        session.execute(delete(RatingSnapshot))


def test_loading_a_version_stores_every_outcome_and_a_save_only_those_it_touches(
    app: Flask, make_evidence: Any
) -> None:
    loaded = stored_rows(app)
    assert set(loaded) == set(OUTCOMES)
    make_evidence()
    saved = stored_rows(app)
    assert saved["educators-supported"][2] > loaded["educators-supported"][2]
    assert saved["educators-supported"][1] == live(app)["educators-supported"].rating
    assert saved["more-statutory"] == loaded["more-statutory"]  # untouched: the same row, not re-rated
    assert saved["retention"] == loaded["retention"]
    make_evidence(links=("retention",), title="Graduate tracking", source_type="admin_data", collection="")
    after = stored_rows(app)
    assert after["more-statutory"] == saved["more-statutory"]
    assert after["educators-supported"] == saved["educators-supported"]
    assert after["retention"][2] > saved["retention"][2]


def test_a_kpi_value_re_rates_the_outcomes_that_link_the_kpi(app: Flask, make_evidence: Any) -> None:
    make_evidence()
    warm(app)
    before = stored_rows(app)
    add_kpi_value(app, 90)
    after = stored_rows(app)
    assert after["more-statutory"][2] > before["more-statutory"][2]
    assert after["educators-supported"] == before["educators-supported"]
    assert read(app).rating_of("more-statutory") == live(app)["more-statutory"]


def test_reads_use_stored_rows_in_fewer_statements_and_store_nothing_twice(
    app: Flask, make_evidence: Any
) -> None:
    make_evidence()
    forget_stored(app)
    first = read(app)
    assert {r.outcome_id for r in first.fresh} == set(OUTCOMES)
    warm(app)
    with app.app_context():
        engine = db.engine
    with count_statements(engine) as counted, app.app_context():
        second = ratings_for(db.session, SLUG)  # as the dashboard reads them
    assert second is not None and second.fresh == () and counted.count == 3  # head, stored rows, overrides
    assert {r.outcome_id: r for r in read(app).ratings} == live(app)


def test_a_reader_does_not_keep_ratings_a_writer_made_stale(app: Flask, make_evidence: Any) -> None:
    forget_stored(app)
    with app.app_context():
        summary = ratings_for(db.session, SLUG)
        assert summary is not None and len(summary.fresh) == 3  # nothing stored: all rated by the reader
        make_evidence()  # a writer commits after the read, in its own session
        with db.side_transaction() as session:
            assert keep(session, summary) is False
    assert set(stored_rows(app)) == {"educators-supported"}
    assert read(app).rating_of("educators-supported") == live(app)["educators-supported"]


def test_another_as_of_date_is_rated_live_and_not_stored(app: Flask, make_evidence: Any) -> None:
    make_evidence()
    warm(app)
    earlier = read(app, date(2023, 2, 1))
    assert len(earlier.fresh) == 0  # nothing to keep
    assert {r.outcome_id: r for r in earlier.ratings} == live(app, date(2023, 2, 1))
    assert earlier.rating_of("educators-supported") != read(app).rating_of("educators-supported")


def test_a_new_framework_version_sets_stored_rows_aside(app: Flask, make_evidence: Any, load_framework: Any,
                                                       tiny_yaml: str) -> None:  # fmt: skip
    make_evidence()
    warm(app)
    load_framework(
        tiny_yaml.replace("version: 1", "version: 2").replace(
            "stay in the region", "stay in the region longer"
        )
    )
    with app.app_context():
        stored = db.session.scalars(select(RatingSnapshot.framework_version)).all()
        assert stored == [2, 2, 2]  # the new version rated every outcome when it loaded
    assert differences({r.outcome_id: r for r in read(app).ratings}, live(app)) == []


def test_a_rating_failure_does_not_lose_the_save(
    app: Flask, make_evidence: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    make_evidence()
    warm(app)

    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("engine bug")

    monkeypatch.setattr(compute, "rate", broken)
    item = make_evidence(title="Saved anyway", links=("retention",))
    assert "could not re-rate" in caplog.text
    monkeypatch.undo()
    with app.app_context():
        assert db.session.get(Evidence, item) is not None
    assert stored_rows(app) == {}  # set aside: readers re-rate
    assert {r.outcome_id: r for r in read(app).ratings} == live(app)


def test_random_writes_keep_stored_ratings_equal_to_live_ones(app: Flask, make_evidence: Any) -> None:
    """Whatever sequence of saves, status changes, KPI values and overrides, stored equals live."""
    rng = random.Random(8)
    items: list[int] = []
    for step in range(24):
        action = rng.choice(["add", "add", "status", "edit", "kpi", "override"])
        if action == "add" or not items:
            items.append(
                make_evidence(
                    links=tuple(rng.sample(OUTCOMES, rng.randint(1, 2))),
                    title=f"Item {step}",
                    source_type=rng.choice(["survey", "interview", "admin_data", "document", "testimonial"]),
                    respondents=rng.choice([None, 3, 12, 40]),
                    finding=rng.choice(["supports", "supports", "contradicts", "no_change"]),
                    collection=rng.choice(["", "a", "b"]),
                    collected_on=date(2023, rng.randint(1, 6), 1),
                    status=rng.choice(["accepted", "accepted", "submitted"]),
                )
            )
        elif action in {"status", "edit"}:
            with app.app_context(), db.unit_of_work() as session:
                row = session.get(Evidence, rng.choice(items))
                assert row is not None
                if action == "status":
                    row.status = "returned" if row.status == "accepted" else "accepted"
                else:
                    row.finding = "mixed" if row.finding != "mixed" else "supports"
                upkeep.inputs_changed(session, row.framework_id, evidence_ids=[row.id])  # as a service
        elif action == "kpi":
            add_kpi_value(app, rng.choice([70.0, 80.0, 90.0]), date(2023, rng.randint(1, 4), 28))
        else:
            with app.app_context(), db.unit_of_work() as session:
                ctx = evidence_service.framework_context(session, SLUG)
                assert ctx is not None
                outcome = rng.choice(OUTCOMES)
                for old in session.scalars(
                    select(RatingOverride).where(RatingOverride.superseded_at.is_(None))
                ):
                    old.superseded_at = old.created_at
                    upkeep.inputs_changed(session, ctx.framework.id, [old.element_id])  # as a service
                session.add(
                    RatingOverride(
                        framework_id=ctx.framework.id, element_id=ctx.elements[outcome].id,
                        rating=rng.choice(["strong", "some", "insufficient"]), rationale="r" * 100,
                        computed="none", computed_rule="R6", fingerprint="", as_of=date(2023, 4, 30),
                    )
                )  # fmt: skip
                upkeep.inputs_changed(session, ctx.framework.id, [ctx.elements[outcome].id])
        if step % 3 == 0:
            warm(app)
        summary = read(app)
        assert differences({r.outcome_id: r for r in summary.ratings}, live(app)) == [], (step, action)
    warm(app)
    assert read(app).fresh == ()


def test_refresh_command_rates_and_stores_every_outcome(app: Flask, runner: Any, make_evidence: Any) -> None:
    make_evidence()
    forget_stored(app)
    result = runner.invoke(args=["refresh-ratings"])
    assert result.exit_code == 0, result.output
    assert "tiny-partnership: 3 outcomes rated and stored" in result.output
    assert read(app).fresh == ()
    unknown = runner.invoke(args=["refresh-ratings", "--framework", "nope"])
    assert unknown.exit_code != 0 and "no framework has the id 'nope'" in unknown.output


def test_refresh_commits_framework_by_framework(
    app: Flask,
    runner: Any,
    framework: str,
    load_framework: Any,
    tiny_yaml: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A whole-instance refresh must not hold the write lock for its whole run (saves would wait)."""
    from tracker.db.session import Database

    load_framework(tiny_yaml.replace("id: tiny-partnership", "id: second-partnership"))
    units = []
    real = Database.unit_of_work

    def counted(self: Database) -> Any:
        units.append(1)
        return real(self)

    monkeypatch.setattr(Database, "unit_of_work", counted)
    result = runner.invoke(args=["refresh-ratings"])
    assert result.exit_code == 0, result.output
    assert (
        "second-partnership: 3 outcomes" in result.output and "tiny-partnership: 3 outcomes" in result.output
    )
    assert len(units) == 2  # one transaction per framework


def test_tiles_read_without_the_report_fields_and_the_report_refuses_them(
    app: Flask, make_evidence: Any
) -> None:
    from datetime import UTC, datetime

    from tracker.reports import model as report_model

    make_evidence()
    with app.app_context():
        tiles = ratings_for(db.session, SLUG)
        assert tiles is not None and tiles.fresh == ()
        stored = tiles.rating_of("educators-supported")
        assert stored is not None and stored.reasons == () and stored.items == ()
        assert stored.rating == live(app)["educators-supported"].rating  # the tile fields are all there
        with pytest.raises(ValueError, match="for_report=True"):
            report_model.build(tiles, datetime.now(UTC))


def report_count(app: Flask, as_of: str = "") -> tuple[int, bool]:
    """(the report's accepted-items figure, whether it was counted now) as the report routes read it."""
    from tracker.web.as_of import ratings_or_abort

    with app.test_request_context(f"/f/{SLUG}/report" + (f"?as_of={as_of}" if as_of else "")):
        rated = ratings_or_abort(SLUG, for_report=True)[0]
        assert rated.evidence_total is not None
        return rated.evidence_total, rated.counted_now


def test_the_report_count_is_kept_beside_the_ratings_until_an_input_changes(
    app: Flask, make_evidence: Any
) -> None:
    make_evidence()
    make_evidence(links=("educators-supported", "retention"), title="Exit interviews", collection="")
    make_evidence(links=("out-days",), title="Allocation day register", collection="")  # an output only
    make_evidence(status="draft", title="Draft survey", collection="")
    warm(app)
    assert report_count(app) == (2, True)
    with app.app_context():
        engine = db.engine
    with count_statements(engine) as counted:
        assert report_count(app) == (2, False)  # read beside the stored ratings: no count
    assert not any("count(" in s.lower() for s in counted.statements)
    make_evidence(links=("retention",), title="Graduate tracking", source_type="admin_data", collection="")
    assert report_count(app) == (3, True)  # the save raised inputs_version: counted again
    assert report_count(app) == (3, False)
    # Another as-of date is counted live every time and leaves the kept count alone.
    assert report_count(app, "2023-02-01") == (0, True)
    assert report_count(app, "2023-02-01") == (0, True)
    assert report_count(app) == (3, False)


def test_a_report_count_made_stale_by_a_writer_is_not_kept(app: Flask, make_evidence: Any) -> None:
    make_evidence()
    warm(app)
    with app.app_context():
        summary = ratings_for(db.session, SLUG, for_report=True)
        assert summary is not None and summary.counted_now
        make_evidence(title="Second survey", collection="")  # a writer commits after the read
        with db.side_transaction() as session:
            assert keep(session, summary) is False
    assert report_count(app) == (2, True)


@pytest.mark.parametrize("probed", [0, 1, 100])
def test_ratings_read_the_same_items_whichever_way_links_are_found(
    app: Flask, make_evidence: Any, monkeypatch: pytest.MonkeyPatch, probed: int
) -> None:
    """A few outcomes are found through the link index, many by reading each item's links: same answer."""
    make_evidence()
    make_evidence(links=("educators-supported", "retention"), title="Exit interviews", collection="")
    make_evidence(links=("out-days",), title="Allocation day register", collection="")
    expected = live(app)
    monkeypatch.setattr(compute, "_PROBED_ELEMENTS", probed)
    assert live(app) == expected
    with app.app_context():
        rated = ratings_for(db.session, SLUG, detail=True)
        assert rated is not None
        assert {r.outcome_id: len(r.items) for r in rated.detail.values()} == {
            "more-statutory": 0,
            "educators-supported": 2,
            "retention": 1,
        }


def test_only_the_reasons_the_report_prints_are_stored(app: Flask, make_evidence: Any) -> None:
    make_evidence()
    make_evidence(title="Focus group", source_type="focus_group", respondents=7, collection="")
    with app.app_context():
        rated = ratings_for(db.session, SLUG, detail=True)
        assert rated is not None
        full = rated.detail["educators-supported"].reasons
    assert len(full) > REPORT_REASONS  # the rule's reason, the counts, two lines
    stored = read(app).rating_of("educators-supported")
    assert stored is not None and stored.reasons == full[:REPORT_REASONS]


def test_the_listed_items_are_stored_as_printed_and_follow_an_edit(app: Flask, make_evidence: Any) -> None:
    """The report reads no evidence rows: a changed title reaches the stored listing through the save."""
    item = make_evidence(title="Practice educator survey, first draft of the title")
    warm(app)
    listed = read(app).rating_of("educators-supported")
    assert listed is not None
    assert [(i.id, i.title, i.respondents, i.population) for i in listed.items] == [
        (item, "Practice educator survey, first draft of the title", 18, 30)
    ]
    with app.app_context(), db.unit_of_work() as session:
        row = session.get(Evidence, item)
        assert row is not None
        row.title = "Practice educator survey 2023"
        upkeep.inputs_changed(session, row.framework_id, evidence_ids=[row.id])  # as a service
    after = read(app).rating_of("educators-supported")
    assert after is not None and [i.title for i in after.items] == ["Practice educator survey 2023"]
    assert after == live(app)["educators-supported"]


def test_the_head_is_one_statement_and_its_key_follows_saves_not_reads(
    app: Flask, make_evidence: Any
) -> None:
    """The key the kept tiles are under comes from one statement of plain columns (once the process has
    parsed the version); another date has no key; a save raises the counter in it."""
    make_evidence()
    warm(app)
    with app.app_context():
        engine = db.engine
    with app.app_context(), count_statements(engine) as counted:
        found = snapshots.head(db.session, SLUG)
    assert found is not None and found.key is not None and counted.count == 1
    assert found.key == (
        found.framework_id,
        found.version_id,
        found.version,
        found.as_of,
        found.inputs_version,
    )
    with app.app_context():
        assert snapshots.head(db.session, SLUG, found.as_of) == found
        assert snapshots.head(db.session, SLUG, date(2023, 2, 1)).key is None  # type: ignore[union-attr]
        assert snapshots.head(db.session, "no-such-framework") is None
    make_evidence(title="Second survey", collection="")  # a save raises the counter: a new key
    with app.app_context():
        again = snapshots.head(db.session, SLUG)
        assert again is not None and again.key is not None
        assert again.key[:-1] == found.key[:-1] and again.key[-1] == found.key[-1] + 1


def test_a_stored_rating_in_an_older_form_is_rated_again_not_an_error(app: Flask, make_evidence: Any) -> None:
    """Stored ratings are a cache: a row written by an older release (before migration 0008 its listed
    items were [id, tier, counts]) is read as missing, rated again and replaced, and the report still opens."""
    make_evidence()
    warm(app)
    with app.app_context(), db.unit_of_work() as session:
        for row in session.scalars(select(RatingSnapshot)):
            row.items = [[entry[0], entry[1], entry[2]] for entry in row.items]
    summary = read(app)
    assert {r.outcome_id for r in summary.fresh} == {"educators-supported"}  # the only row listing items
    assert summary.rating_of("educators-supported") == live(app)["educators-supported"]
    assert report_count(app)[0] == 1  # the report page's inputs read (and keep) without an error
    assert read(app).fresh == ()  # kept in the current form


def test_a_stored_rating_with_a_code_this_release_does_not_know_is_rated_again(
    app: Flask, make_evidence: Any
) -> None:
    """A rating code renamed or dropped since a row was stored reads as missing (rated again and replaced),
    not as a failed page."""
    make_evidence()
    warm(app)
    with app.app_context(), db.unit_of_work() as session:
        row = session.scalars(select(RatingSnapshot)).first()
        assert row is not None
        row.rating = "excellent"
        element_id = row.element_id
    summary = read(app)
    assert [r.outcome_id for r in summary.fresh] == [
        o for o, i in summary.element_ids.items() if i == element_id
    ]
    assert summary.ratings == tuple(live(app)[r.outcome_id] for r in summary.ratings)
    warm(app)  # the dashboard's read keeps what it rated
    assert read(app).fresh == ()  # replaced by a readable row
