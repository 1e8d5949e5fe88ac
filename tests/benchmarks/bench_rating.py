"""Rating every outcome of the instance against the floor; peak memory; re-rating after one save.

Run by `tests.benchmarks.run` in a subprocess of its own per mode (so the memory figure is this process's):

    python -m tests.benchmarks.bench_rating --url URL --mode timing|memory|rerate --slugs a,b,...
"""

from __future__ import annotations

import argparse
import gc
import time
from datetime import date
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tests.benchmarks.common import emit, load, maxrss_mb, profile_to, rss_mb, summary, timed
from tests.querycount import count_statements
from tracker.db.models import Element, Evidence, EvidenceLink, Framework, FrameworkVersion, KpiValue, Partner
from tracker.db.session import make_engine
from tracker.domain.engine import rate_outcome
from tracker.domain.evidence import EvidenceItem
from tracker.domain.kpi import KpiActual, kpi_status
from tracker.services import ratings
from tracker.services.frameworks import framework_of

# The floor: one statement that reads the rows `rate` reads (accepted evidence joined to its links, current
# KPI values with their partner) and the columns the ratings use, fetched into plain tuples by the driver.
FLOOR_SQL = """
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
# The same rows with every evidence column, as `select(Evidence, ...)` in `rate` reads them (two statements).
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
    """Every outcome of every framework through the app's `rate`, one session as a command would use."""
    kept = []
    outcomes = 0
    with Session(engine) as session:
        for slug in slugs:
            rated = ratings.rate(session, slug)
            assert rated is not None, slug
            outcomes += len(rated.ratings)
            if keep:
                kept.append(rated)
            session.expunge_all()
    return outcomes, kept


def as_of_of(engine: Engine, slug: str) -> date:
    with Session(engine) as session:
        rated = ratings.rate(session, slug)
        assert rated is not None
        return rated.as_of


def mode_timing(engine: Engine, slugs: list[str], runs: int, profile: str | None) -> dict[str, Any]:
    as_of = as_of_of(engine, slugs[0])
    load_before = load()
    # Warm-up: the page cache, the parsed-YAML cache, SQLAlchemy's statement cache.
    floor(engine, as_of)
    rate_all(engine, slugs[:2])
    floor_times, all_col_times, rate_times = [], [], []
    rows = outcomes = 0
    for _ in range(runs):
        gc.collect()
        t, rows = timed(lambda: floor(engine, as_of))
        floor_times.append(t)
        gc.collect()
        t, _ = timed(lambda: floor(engine, as_of, FLOOR_ALL_COLUMNS_SQL))
        all_col_times.append(t)
        gc.collect()
        t, (outcomes, _) = timed(lambda: rate_all(engine, slugs))
        rate_times.append(t)
    with count_statements(engine) as counter, Session(engine) as session:
        ratings.rate(session, slugs[0])
    profile_to(profile, lambda: rate_all(engine, slugs[:1]))
    return {
        "floor": summary(floor_times),
        "floor_all_columns": summary(all_col_times),
        "rate_all": summary(rate_times),
        "floor_rows": rows,
        "outcomes": outcomes,
        "frameworks": len(slugs),
        "statements_per_framework": counter.count,
        "ratio": summary(rate_times)["median"] / summary(floor_times)["median"],
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


def _incremental_prototype(session: Session, slug: str, evidence_id: int | None) -> int:
    """What rating only the touched outcomes costs: their items and KPIs read and rated (the fix's shape).

    Not app code: a sketch of `rate(..., outcomes=...)` that the report recommends, to size its gain. The
    items are read as columns (not ORM entities) and each is built once. With `evidence_id` None it rates
    every outcome of the framework the same way, to size the gain of the column query alone.
    """
    found = session.execute(select(Framework).where(Framework.slug == slug)).scalar_one()
    rated_version = session.execute(
        select(FrameworkVersion).where(
            FrameworkVersion.framework_id == found.id,
            FrameworkVersion.version == found.current_version,
        )
    ).scalar_one()
    framework = framework_of(rated_version)
    as_of = framework.default_as_of(date.today())
    if evidence_id is None:
        touched = dict(
            session.execute(
                select(Element.id, Element.slug).where(
                    Element.framework_id == found.id, Element.kind == "outcome"
                )
            ).all()
        )
    else:
        touched = dict(
            session.execute(
                select(Element.id, Element.slug)
                .join(EvidenceLink, EvidenceLink.element_id == Element.id)
                .where(EvidenceLink.evidence_id == evidence_id)
            ).all()
        )
    items: dict[str, list[EvidenceItem]] = {}
    built: dict[int, EvidenceItem] = {}
    columns = (
        Evidence.id,
        Evidence.title,
        Evidence.source_type,
        Evidence.collected_on,
        Evidence.finding,
        Evidence.respondents,
        Evidence.population,
        Evidence.positive,
        Evidence.collection,
        Evidence.respondent_group,
        Evidence.independent,
        Evidence.flags,
        Evidence.row_version,
        Evidence.quote,
        EvidenceLink.element_id,
    )
    for r in session.execute(
        select(*columns)
        .join(EvidenceLink, EvidenceLink.evidence_id == Evidence.id)
        .where(
            EvidenceLink.element_id.in_(list(touched)),
            Evidence.status == "accepted",
            Evidence.collected_on <= as_of,
        )
    ):
        item = built.get(r.id)
        if item is None:
            item = built[r.id] = EvidenceItem(
                id=r.id,
                title=r.title,
                source_type=r.source_type,
                collected_on=r.collected_on,
                finding=r.finding,
                respondents=r.respondents,
                population=r.population,
                positive=r.positive,
                collection=r.collection,
                group=r.respondent_group,
                independent=r.independent,
                flags=frozenset(r.flags),
                revision=r.row_version,
                quote=r.quote,
            )
        items.setdefault(touched[r.element_id], []).append(item)
    outcomes = [o for o in framework.outcomes if o.id in items]
    kpi_ids = {k for o in outcomes for k in o.kpis}
    actuals: dict[str, list[KpiActual]] = {}
    if kpi_ids:
        kpi_elements = dict(
            session.execute(
                select(Element.id, Element.slug).where(
                    Element.framework_id == found.id, Element.slug.in_(kpi_ids)
                )
            ).all()
        )
        for value, partner in session.execute(
            select(KpiValue, Partner.slug)
            .outerjoin(Partner, Partner.id == KpiValue.partner_id)
            .where(
                KpiValue.element_id.in_(list(kpi_elements)),
                KpiValue.superseded_at.is_(None),
                KpiValue.period_end <= as_of,
            )
            .order_by(KpiValue.period_end, KpiValue.id)
        ):
            actuals.setdefault(kpi_elements[value.element_id], []).append(
                KpiActual(value.period, value.period_end, value.value, partner)
            )
    kpis = framework.kpis
    statuses = {
        k.id: kpi_status(k, actuals.get(k.id, ()), as_of, framework.settings) for k in kpis if k.id in kpi_ids
    }
    done = [
        rate_outcome(o, items[o.id], kpis, actuals, as_of, framework.settings, statuses=statuses)
        for o in outcomes
    ]
    return len(done)


def mode_rerate(engine: Engine, slugs: list[str], runs: int, profile: str | None) -> dict[str, Any]:
    """Save one evidence item (its finding changes, its row_version goes up), then rate its framework."""
    slug = slugs[len(slugs) // 2]
    with Session(engine) as session:
        framework_id = session.scalar(select(Framework.id).where(Framework.slug == slug))
        evidence_id = session.scalar(
            select(Evidence.id).where(Evidence.framework_id == framework_id).order_by(Evidence.id).limit(1)
        )
        assert evidence_id is not None
        original = session.scalar(select(Evidence.finding).where(Evidence.id == evidence_id))
        touched = session.scalar(select(func.count()).where(EvidenceLink.evidence_id == evidence_id))
    load_before = load()
    save_times, rate_times, proto_times = [], [], []
    for run in range(runs + 1):
        with Session(engine) as session:
            t0 = time.perf_counter()
            item = session.get(Evidence, evidence_id)
            assert item is not None
            item.finding = ("supports", "mixed")[run % 2]
            session.commit()
            saved = time.perf_counter()
            rated = ratings.rate(session, slug)
            done = time.perf_counter()
            assert rated is not None
        with Session(engine) as session:
            proto, _ = timed(lambda s=session: _incremental_prototype(s, slug, evidence_id))
        if run:  # the first is a warm-up
            save_times.append(saved - t0)
            rate_times.append(done - saved)
            proto_times.append(proto)
    with Session(engine) as session:
        profile_to(profile, lambda: _incremental_prototype(session, slug, evidence_id))
    with Session(engine) as session:  # leave the item as generated
        item = session.get(Evidence, evidence_id)
        assert item is not None
        item.finding = original
        session.commit()
        with count_statements(engine) as counter:
            rated = ratings.rate(session, slug)
    return {
        "framework": slug,
        "evidence_id": evidence_id,
        "outcomes_touched": touched,
        "save": summary(save_times),
        "rate_framework": summary(rate_times),
        "incremental_prototype": summary(proto_times),
        "statements": counter.count,
        "load_before": load_before,
        "load_after": load(),
    }


def mode_sketch(engine: Engine, slugs: list[str], runs: int) -> dict[str, Any]:
    """One framework: the app's `rate` beside the sketch (column query, items built once, same engine)."""
    slug = slugs[0]
    load_before = load()
    app_times, sketch_times = [], []
    for run in range(runs + 1):
        with Session(engine) as session:
            t_app, _ = timed(lambda s=session: ratings.rate(s, slug))
        with Session(engine) as session:
            t_sketch, _ = timed(lambda s=session: _incremental_prototype(s, slug, None))
        if run:
            app_times.append(t_app)
            sketch_times.append(t_sketch)
    return {
        "framework": slug,
        "rate": summary(app_times),
        "sketch_columns": summary(sketch_times),
        "load_before": load_before,
        "load_after": load(),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--mode", choices=("timing", "memory", "rerate", "sketch"), required=True)
    parser.add_argument("--no-keep", action="store_true", help="memory: drop each framework's results")
    parser.add_argument("--slugs", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profile", default=None)
    args = parser.parse_args()
    engine = make_engine(args.url)
    slugs = args.slugs.split(",")
    if args.mode == "timing":
        emit(mode_timing(engine, slugs, args.runs, args.profile))
    elif args.mode == "memory":
        emit(mode_memory(engine, slugs, keep=not args.no_keep))
    elif args.mode == "sketch":
        emit(mode_sketch(engine, slugs, args.runs))
    else:
        emit(mode_rerate(engine, slugs, args.runs, args.profile))
    engine.dispose()


if __name__ == "__main__":
    main()
