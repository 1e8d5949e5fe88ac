"""Rating every outcome of the instance against the floor; peak memory; re-rating after one save;
`tracker refresh-ratings` for the whole instance.

Run by `tests.benchmarks.run` in a subprocess of its own per mode (so the memory figure is this process's):

    python -m tests.benchmarks.bench_rating --url URL --mode timing|memory|rerate|refresh --slugs a,b,...
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.benchmarks.common import emit, load, maxrss_mb, profile_to, rss_mb, summary, timed
from tests.benchmarks.generate import BENCH_DIR
from tests.querycount import count_statements
from tracker.db.models import Element, Evidence, EvidenceLink, Framework, RatingSnapshot, RatingState
from tracker.db.session import make_engine
from tracker.ratings import RatingSet, ratings_for, upkeep
from tracker.ratings.gc_pause import gc_paused
from tracker.ratings.stored import OutcomeRating

# The floor: one statement that reads the rows `rate` reads and the columns the ratings use, fetched into plain
# tuples by the driver. Since 6 December `rate` reads each accepted item's row once, the links as pairs of ids
# and the current KPI values with their partner: so does the floor (issue 8's definition: "the same columns of
# the same rows": `compute._ITEM_COLUMNS`, the link pairs, and `kpi_actuals`'s five columns). An item is read
# when one of its links is (the rating reads the items linked to outcomes).
# The first branch names the value's type: PostgreSQL resolves a UNION's NULLs two branches at a time.
FLOOR_SQL = """
SELECT e.id, e.title, e.source_type, e.collected_on, e.finding, e.respondents, e.population, e.positive,
       e.collection, e.respondent_group, e.independent, e.flags, e.row_version, e.quote, e.shows, e.kpi,
       NULL AS element_id, CAST(NULL AS REAL) AS value
FROM evidence e
WHERE e.status = 'accepted' AND e.collected_on <= {as_of}
  AND EXISTS (SELECT 1 FROM evidence_link l WHERE l.evidence_id = e.id)
UNION ALL
SELECT l.evidence_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       l.element_id, NULL
FROM evidence_link l
UNION ALL
SELECT NULL, k.period, NULL, k.period_end, p.slug, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, k.element_id, k.value
FROM kpi_value k LEFT JOIN partner p ON p.id = k.partner_id
WHERE k.superseded_at IS NULL AND k.period_end <= {as_of}
"""
# The floor as `rate` read its rows until 6 December: an item's columns once per link (accepted evidence joined
# to its links), and the KPI values. Kept as information: the goal's ratio was measured against it until then.
FLOOR_PER_LINK_SQL = """
SELECT e.id, e.title, e.source_type, e.collected_on, e.finding, e.respondents, e.population, e.positive,
       e.collection, e.respondent_group, e.independent, e.flags, e.row_version, e.quote, l.element_id,
       NULL AS value
FROM evidence e JOIN evidence_link l ON l.evidence_id = e.id
WHERE e.status = 'accepted' AND e.collected_on <= {as_of}
UNION ALL
SELECT k.id, k.period, NULL, k.period_end, p.slug, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, k.row_version, NULL, k.element_id,
       k.value
FROM kpi_value k LEFT JOIN partner p ON p.id = k.partner_id
WHERE k.superseded_at IS NULL AND k.period_end <= {as_of}
"""
# The same rows with every evidence column, as `rate` read them before it read columns (whole `Evidence`
# entities); two statements. Kept for comparison with the earlier run.
FLOOR_ALL_COLUMNS_SQL = (
    """SELECT e.*, l.element_id FROM evidence e JOIN evidence_link l ON l.evidence_id = e.id
    WHERE e.status = 'accepted' AND e.collected_on <= {as_of}""",
    """SELECT k.*, p.slug FROM kpi_value k LEFT JOIN partner p ON p.id = k.partner_id
    WHERE k.superseded_at IS NULL AND k.period_end <= {as_of}""",
)


def floor(engine: Engine, as_of: date, statements: tuple[str, ...] = (FLOOR_SQL,)) -> int:
    """Rows fetched by the statement(s), straight from the DB-API cursor (tuples)."""
    placeholder = "?" if engine.dialect.name == "sqlite" else "%s"
    raw = engine.raw_connection()
    count = 0
    try:
        cursor = raw.cursor()
        for sql in statements:
            cursor.execute(sql.replace("{as_of}", placeholder), (as_of.isoformat(),) * sql.count("{as_of}"))
            while rows := cursor.fetchmany(10_000):
                count += len(rows)
        cursor.close()
        raw.rollback()
        return count
    finally:
        raw.close()


def rate_all(engine: Engine, slugs: list[str], keep: bool = False) -> tuple[int, list[Any]]:
    """Every outcome of every framework rated now through `ratings_for(..., detail=True)` (as `tracker rate`
    does), one session and the collector paused for each framework, as `tracker refresh-ratings` does."""
    kept = []
    outcomes = 0
    with Session(engine) as session:
        for slug in slugs:
            with gc_paused():
                rated = ratings_for(session, slug, detail=True)
            assert rated is not None, slug
            # `detail`, as `tracker rate` reads it: the `OutcomeRating`s pages list are not made for it
            outcomes += len(rated.detail)
            if keep:
                kept.append(rated)
            session.expunge_all()
    return outcomes, kept


def as_of_of(engine: Engine, slug: str) -> date:
    with Session(engine) as session:
        rated = ratings_for(session, slug)
        assert rated is not None
        return rated.as_of


def mode_timing(engine: Engine, slugs: list[str], runs: int, profile: str | None) -> dict[str, Any]:
    as_of = as_of_of(engine, slugs[0])
    load_before = load()
    # Warm-up: the page cache, the parsed-YAML cache, SQLAlchemy's statement cache.
    floor(engine, as_of)
    rate_all(engine, slugs[:2])
    floor_times, per_link_times, all_col_times, rate_times = [], [], [], []
    rows = per_link_rows = outcomes = 0
    for _ in range(runs):
        gc.collect()
        t, rows = timed(lambda: floor(engine, as_of))
        floor_times.append(t)
        gc.collect()
        t, per_link_rows = timed(lambda: floor(engine, as_of, (FLOOR_PER_LINK_SQL,)))
        per_link_times.append(t)
        gc.collect()
        t, _ = timed(lambda: floor(engine, as_of, FLOOR_ALL_COLUMNS_SQL))
        all_col_times.append(t)
        gc.collect()
        t, (outcomes, _) = timed(lambda: rate_all(engine, slugs))
        rate_times.append(t)
    with count_statements(engine) as counter, Session(engine) as session:
        ratings_for(session, slugs[0], detail=True)
    profile_to(profile, lambda: rate_all(engine, slugs[:1]))
    return {
        "floor": summary(floor_times),
        "floor_per_link": summary(per_link_times),
        "floor_all_columns": summary(all_col_times),
        "rate_all": summary(rate_times),
        "floor_rows": rows,
        "floor_per_link_rows": per_link_rows,
        "outcomes": outcomes,
        "frameworks": len(slugs),
        "statements_per_framework": counter.count,
        "ratio": summary(rate_times)["median"] / summary(floor_times)["median"],
        "ratio_per_link": summary(rate_times)["median"] / summary(per_link_times)["median"],
        "ratio_all_columns": summary(rate_times)["median"] / summary(all_col_times)["median"],
        "load_before": load_before,
        "load_after": load(),
    }


def mode_memory(engine: Engine, slugs: list[str], keep: bool = True) -> dict[str, Any]:
    before = rss_mb()
    load_before = load()
    t, (outcomes, kept) = timed(lambda: rate_all(engine, slugs, keep=keep))
    return {
        "rss_before_mb": before,
        "maxrss_mb": maxrss_mb(),
        "rss_after_mb": rss_mb(),
        "seconds": t,
        "outcomes": outcomes,
        "kept": len(kept),
        "results_kept": keep,
        "load_before": load_before,
        "load_after": load(),
    }


def _touched_outcomes(session: Session, evidence_id: int) -> list[str]:
    """The outcomes one evidence item is linked to (what a save of it must re-rate)."""
    return list(
        session.scalars(
            select(Element.slug)
            .join(EvidenceLink, EvidenceLink.element_id == Element.id)
            .where(EvidenceLink.evidence_id == evidence_id, Element.kind == "outcome")
            .order_by(Element.position)
        )
    )


def _save(
    factory: sessionmaker[Session], evidence_id: int, findings: tuple[str, str], rerate: bool = True
) -> float:
    """One evidence save as the app makes it: load the item, change its finding, commit. Seconds taken.

    The finding always changes (to whichever of `findings` it is not), so every save writes a rating input.
    With `rerate`, the save says so as a service does (`upkeep.inputs_changed`) and the commit point settles
    it (`upkeep.settle`): the outcomes the item is linked to are re-rated and stored before the commit.
    """
    with factory() as session:
        started = time.perf_counter()
        item = session.get(Evidence, evidence_id)
        assert item is not None
        item.finding = findings[1] if item.finding == findings[0] else findings[0]
        if rerate:
            upkeep.inputs_changed(session, item.framework_id, evidence_ids=[evidence_id])
            upkeep.settle(session)
        session.commit()
        return time.perf_counter() - started


def _stored_against_live(engine: Engine, slug: str, outcomes: list[str]) -> dict[str, Any]:
    """Do the ratings the saves stored equal a live rating of the same outcomes, field by field?

    The stored ones are read as the report reads them (`ratings_for(..., for_report=True)`); outcomes
    without a stored row are rated by it and show up in `fresh`, so they are counted apart.
    """
    with Session(engine) as session:
        read = ratings_for(session, slug, for_report=True)
        assert read is not None
        fresh = {r.outcome_id for r in read.fresh}
        live = ratings_for(session, slug, outcomes=outcomes, detail=True)
        assert live is not None
        differing = []
        stored = 0
        for computed in live.ratings:
            kept = read.rating_of(computed.outcome_id)
            if kept is None or computed.outcome_id in fresh:
                differing.append(f"{computed.outcome_id}: not stored")
                continue
            stored += 1
            differing += [
                f"{computed.outcome_id}.{name}"
                for name in OutcomeRating.__slots__
                if getattr(kept, name) != getattr(computed, name)
            ]
        return {"compared": len(live.ratings), "stored": stored, "differing": differing}


def _kinds(statements: list[str]) -> dict[str, int]:
    kinds: dict[str, int] = {}
    for statement in statements:
        word = statement.lstrip().split(None, 1)[0].upper() if statement.strip() else "?"
        kinds[word] = kinds.get(word, 0) + 1
    return kinds


def mode_rerate(engine: Engine, slugs: list[str], runs: int, profile: str | None) -> dict[str, Any]:
    """Re-rating after one save, as the app does it now: the service names the item, the commit re-rates.

    One accepted evidence item of a framework mid-list has its finding changed, named to `upkeep` as a
    service names it, and settled and committed as the app's commit point does: the outcomes the item is
    linked to are re-rated and stored in the same transaction; that save + commit is the re-rating after one
    save. Beside it: the same save not named (no re-rating), `ratings_for(..., outcomes=<the touched
    outcomes>, detail=True)` alone, and of the whole framework (what a save cost before stored ratings).
    The item is left as generated.
    """
    slug = slugs[len(slugs) // 2]
    watched = sessionmaker(engine, expire_on_commit=False)
    with Session(engine) as session:
        framework_id = session.scalar(select(Framework.id).where(Framework.slug == slug))
        evidence_id = session.scalar(
            select(Evidence.id)
            .where(Evidence.framework_id == framework_id, Evidence.status == "accepted")
            .order_by(Evidence.id)
            .limit(1)
        )
        assert evidence_id is not None
        original = session.scalar(select(Evidence.finding).where(Evidence.id == evidence_id))
        assert original is not None
        touched = _touched_outcomes(session, evidence_id)
        items_per_outcome = dict(
            session.execute(
                select(Element.slug, func.count())
                .join(EvidenceLink, EvidenceLink.element_id == Element.id)
                .join(Evidence, Evidence.id == EvidenceLink.evidence_id)
                .where(Element.framework_id == framework_id, Element.slug.in_(touched))
                .where(Evidence.status == "accepted")
                .group_by(Element.slug)
            ).all()
        )

    def inputs_version() -> int:
        with Session(engine) as session:
            return (
                session.scalar(
                    select(RatingState.inputs_version).where(RatingState.framework_id == framework_id)
                )
                or 0
            )

    findings = ("mixed", "supports") if original == "supports" else ("supports", "mixed")
    load_before = load()
    # The unwatched saves first (they leave the stored ratings behind the evidence; the watched saves
    # after them re-rate the same outcomes, so nothing stays stale).
    plain_times = [_save(watched, evidence_id, findings, rerate=False) for _ in range(runs + 1)][1:]
    version_before = inputs_version()
    save_times = []
    for run in range(runs + 1):
        gc.collect()
        t = _save(watched, evidence_id, findings)
        if run:  # the first is a warm-up (statement cache, parsed YAML)
            save_times.append(t)
    saves_counted = inputs_version() - version_before
    # The statements of one save's commit (flush, then the re-rating of the touched outcomes, stored).
    with watched() as session:
        item = session.get(Evidence, evidence_id)
        assert item is not None
        item.finding = findings[1] if item.finding == findings[0] else findings[0]
        upkeep.inputs_changed(session, item.framework_id, evidence_ids=[evidence_id])
        with count_statements(engine) as counter:
            upkeep.settle(session)
            session.commit()
    profile_to(profile, lambda: _save(watched, evidence_id, findings))

    def rate_only(outcomes: list[str] | None) -> tuple[float, RatingSet | None]:
        with Session(engine) as session:
            return timed(lambda: ratings_for(session, slug, outcomes=outcomes, detail=True))

    only_times, whole_times = [], []
    for run in range(runs + 1):
        gc.collect()
        t_only, only = rate_only(touched)
        gc.collect()
        t_whole, whole = rate_only(None)
        if run:
            only_times.append(t_only)
            whole_times.append(t_whole)
    assert only is not None and whole is not None
    with watched() as session:  # leave the item as generated, its ratings stored to match
        item = session.get(Evidence, evidence_id)
        assert item is not None
        item.finding = original
        upkeep.inputs_changed(session, item.framework_id, evidence_ids=[evidence_id])
        upkeep.settle(session)
        session.commit()
    check = _stored_against_live(engine, slug, touched)
    with count_statements(engine) as rate_counter, Session(engine) as session:
        ratings_for(session, slug, outcomes=touched, detail=True)
    return {
        "framework": slug,
        "evidence_id": evidence_id,
        "outcomes_touched": len(touched),
        "touched": touched,
        "items_per_touched_outcome": items_per_outcome,
        "framework_items": len(whole.evidence),
        "save_watched": summary(save_times),
        "save_plain": summary(plain_times),
        "commit_statements": counter.count,
        "commit_statement_kinds": _kinds(counter.statements),
        "inputs_version_raised_by": saves_counted,
        "rate_touched": summary(only_times),
        "rate_touched_statements": rate_counter.count,
        "rate_framework": summary(whole_times),
        "stored_equals_live": check,
        "load_before": load_before,
        "load_after": load(),
    }


def mode_refresh(url: str, slugs: list[str]) -> dict[str, Any]:
    """`tracker refresh-ratings` for the whole instance, as an operator runs it: wall time and peak memory."""
    instance = BENCH_DIR / "cli-instance"
    instance.mkdir(parents=True, exist_ok=True)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")},
        "TRACKER_DATABASE_URL": url,
        "TRACKER_INSTANCE_PATH": str(instance),
        "TRACKER_LOG_LEVEL": "WARNING",
    }
    tracker = str(Path(sys.executable).parent / "tracker")
    # The command's own start (imports, app, schema check): it refuses an unknown framework right after.
    started = time.perf_counter()
    subprocess.run(
        [tracker, "refresh-ratings", "--framework", "no-such-framework"],
        env=env,
        capture_output=True,
        check=False,
    )
    start_seconds = time.perf_counter() - started
    load_before = load()
    started = time.perf_counter()
    child = subprocess.Popen(
        [tracker, "refresh-ratings"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stdout, stderr = child.communicate()
    elapsed = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    if child.returncode:
        raise RuntimeError(f"tracker refresh-ratings failed ({child.returncode}): {stderr[-2000:]}")
    engine = make_engine(url)
    with Session(engine) as session:
        stored = session.scalar(select(func.count()).select_from(RatingSnapshot)) or 0
    engine.dispose()
    lines = [line for line in stdout.splitlines() if "outcomes rated and stored" in line]
    return {
        "seconds": elapsed,
        "command_start_seconds": start_seconds,
        "frameworks": len(lines),
        "frameworks_in_instance": len(slugs),
        "outcomes_stored": stored,
        "maxrss_mb": usage.ru_maxrss / 1024,
        "load_before": load_before,
        "load_after": load(),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--mode", choices=("timing", "memory", "rerate", "refresh"), required=True)
    parser.add_argument("--no-keep", action="store_true", help="memory: drop each framework's results")
    parser.add_argument("--slugs", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", default=None)
    args = parser.parse_args()
    slugs = args.slugs.split(",")
    if args.mode == "refresh":
        emit(mode_refresh(args.url, slugs))
        return
    engine = make_engine(args.url)
    if args.mode == "timing":
        emit(mode_timing(engine, slugs, args.runs, args.profile))
    elif args.mode == "memory":
        emit(mode_memory(engine, slugs, keep=not args.no_keep))
    else:
        emit(mode_rerate(engine, slugs, args.runs, args.profile))
    engine.dispose()


if __name__ == "__main__":
    main()
