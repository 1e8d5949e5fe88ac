"""A synthetic instance: frameworks written as YAML and loaded with the real loader, rows bulk-inserted.

Frameworks go through `parse_framework` + `services.frameworks.load_version`, so their elements, partners and
versions are exactly what the app makes. Evidence, links and KPI values are inserted in bulk: SQLAlchemy Core
`insert` with executemany in chunks on SQLite, `COPY` on PostgreSQL. Everything is seeded, so two runs make
the same instance. A finished instance is cached (the SQLite file, or the PostgreSQL database) together with
a marker naming the generator version; a rerun with the same version skips generation.
"""

from __future__ import annotations

import json
import math
import os
import random
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, insert, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from tests.benchmarks.plans import ensure_plans
from tracker.db import migrate
from tracker.db.models import Element, Evidence, EvidenceLink, Framework, KpiValue, Partner
from tracker.db.session import make_engine
from tracker.domain.loader import parse_framework
from tracker.services import accounts
from tracker.services import frameworks as framework_service
from tracker.services.audit import Actor

GENERATOR_VERSION = 3
# Where instances, results and profiles are kept between runs; TRACKER_BENCH_DIR moves it.
BENCH_DIR = Path(os.environ.get("TRACKER_BENCH_DIR", "/tmp/bench"))
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"
USER_EMAIL = "bench-evaluator@bench.invalid"
USER_PASSWORD = "Bench-marks-at-national-scale-7"

PERIOD_START = date(2019, 4, 1)
LAST_EVIDENCE = date(2024, 3, 31)
AS_OF = date(2024, 5, 31)

# Weighted like the shipped demo data (frameworks/demo/*_evidence.csv, 264 items).
SOURCE_WEIGHTS = {
    "document": 52,
    "admin_data": 51,
    "survey": 50,
    "interview": 29,
    "testimonial": 28,
    "feedback_form": 20,
    "focus_group": 18,
    "analytics": 15,
    "case_study": 1,
}
FINDING_WEIGHTS = {"supports": 218, "mixed": 31, "contradicts": 13, "no_change": 2}
GROUPS = (
    "social-workers",
    "stakeholders",
    "teaching-consultants",
    "attendees",
    "partners",
    "academics",
    "service-users-and-carers",
    "students",
    "practice-education-team",
    "social-work-managers",
    "practice-educators",
    "onsite-supervisors",
)
SOURCE_LABEL = {
    "document": "Document",
    "admin_data": "Administrative data",
    "survey": "Survey",
    "interview": "Interviews",
    "testimonial": "Testimonial",
    "feedback_form": "Feedback forms",
    "focus_group": "Focus group",
    "analytics": "Web analytics",
    "case_study": "Case study",
}
TOPICS = (
    "placement quality",
    "confidence in statutory practice",
    "retention after the first year",
    "readiness for practice",
    "supervision and reflective practice",
    "partnership working",
    "recruitment of students",
    "practice educator support",
    "use of research in practice",
    "service user involvement",
)
PARTNER_KINDS = ("local_authority",) * 7 + ("hei", "pvi", "nhs")


@dataclass(frozen=True)
class Scale:
    name: str
    frameworks: int
    themes: int
    outcomes_per_theme: int
    evidence: int
    kpi_values: int
    kpis_per_theme: int = 5
    partners_per_framework: int = 10
    partner_pool: int = 200

    @property
    def outcomes(self) -> int:
        return self.frameworks * self.themes * self.outcomes_per_theme


SCALES = {
    "national": Scale("national", 30, 4, 20, 1_000_000, 100_000),
    "100k": Scale("100k", 30, 4, 20, 100_000, 10_000),
    "tiny": Scale("tiny", 3, 4, 20, 600, 300),
    # One framework of 500 outcomes with about three items an outcome (the demo has about four):
    # the large-report PDF case.
    "big500": Scale("big500", 1, 10, 50, 1_500, 600, kpis_per_theme=4),
}


def framework_slug(scale: Scale, n: int) -> str:
    return f"{scale.name}-tp-{n:02d}" if scale.name != "big500" else "national-programme-500"


def framework_slugs(scale: Scale) -> list[str]:
    return [framework_slug(scale, n) for n in range(1, scale.frameworks + 1)]


# --------------------------------------------------------------------------- framework YAML


def _q(value: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(value)


def framework_yaml(scale: Scale, n: int, partner_ids: list[str], rng: random.Random) -> str:
    slug = framework_slug(scale, n)
    lines = [
        f"id: {slug}",
        f"title: {_q(f'Synthetic Teaching Partnership {n:02d} ({scale.name} benchmark)')}",
        "version: 1",
        f"vision: {_q('Every social worker in the region is well prepared, well supported and stays.')}",
        f"description: {_q('A generated framework for the performance benchmark: ' + 'themes, aims, activities, outputs, outcomes and KPIs in the RBA model. ' * 2)}",
        f"source: {_q('tests/benchmarks/generate.py')}",
        f"period: {{start: {PERIOD_START.isoformat()}, end: {LAST_EVIDENCE.isoformat()}}}",
        f"as_of: {AS_OF.isoformat()}",
        "partners:",
    ]
    for i, pid in enumerate(partner_ids):
        kind = PARTNER_KINDS[int(pid.rsplit("-", 1)[1]) % len(PARTNER_KINDS)]
        tier = "primary" if i < len(partner_ids) * 2 // 3 else "secondary"
        lines.append(
            f"  - {{id: {pid}, name: {_q('Organisation ' + pid.rsplit('-', 1)[1])}, kind: {kind}, tier: {tier}}}"
        )
    lines.append("themes:")
    quadrants = ("effect-quantity", "effect-quality")
    for t in range(1, scale.themes + 1):
        topic = TOPICS[(t + n) % len(TOPICS)]
        lines += [
            f"  - id: t{t}",
            f"    title: {_q(f'Theme {t}: {topic}')}",
            f"    ref: {_q(str(t + 2))}",
            f"    summary: {_q(f'What the partnership did about {topic}, and what came of it for students, practitioners and the people they support.')}",
            "    aims:",
            f"      - {{id: aim-t{t}-1, text: {_q(f'To improve {topic} across the partnership')}}}",
            f"      - {{id: aim-t{t}-2, text: {_q(f'To share what works on {topic} with other partnerships')}}}",
            "    activities:",
        ]
        for a in range(1, 4):
            lines.append(
                f"      - {{id: act-t{t}-{a}, aims: [aim-t{t}-{1 + a % 2}], text: {_q(f'Activity {a} on {topic}: workshops, guidance and peer support')}}}"
            )
        lines.append("    outputs:")
        for o in range(1, 5):
            quadrant = "effort-quantity" if o % 2 else "effort-quality"
            lines.append(
                f"      - {{id: out-t{t}-{o}, quadrant: {quadrant}, text: {_q(f'Output {o}: sessions and materials on {topic} delivered to partners')}}}"
            )
        lines.append("    outcomes:")
        for o in range(1, scale.outcomes_per_theme + 1):
            term = rng.choices(("short", "medium", "long"), (50, 35, 15))[0]
            parts = [
                f"id: o-t{t}-{o:02d}",
                f"text: {_q(f'Outcome {t}.{o}: more practitioners report better {topic} ({o})')}",
                f"quadrant: {quadrants[o % 2]}",
                f"term: {term}",
                f"aims: [aim-t{t}-{1 + o % 2}]",
            ]
            if term == "long":
                parts.append(f"expected_by: {rng.choice(('2023-03-31', '2026-03-31'))}")
            if o % 4 == 1:
                parts.append(f"kpis: [kpi-t{t}-{1 + (o // 4) % scale.kpis_per_theme}]")
            lines.append("      - {" + ", ".join(parts) + "}")
        lines.append("    kpis:")
        for k in range(1, scale.kpis_per_theme + 1):
            per_partner = k % 2 == 0
            unit = ("percent", "count", "score", "number")[k % 4]
            lines += [
                f"      - id: kpi-t{t}-{k}",
                f"        name: {_q(f'KPI {t}.{k}: {topic} ({unit})')}",
                f"        unit: {unit}",
                "        direction: higher_is_better",
                f"        baseline: {{period: {_q('2018/19')}, value: {40 + k}}}",
                f"        target: {{value: {60 + k}}}",
            ]
            if per_partner:
                lines.append("        per_partner: true")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- rows


@dataclass
class Ids:
    evidence: int = 0
    link: int = 0
    kpi: int = 0


def _evidence_rows(
    scale: Scale,
    framework_id: int,
    count: int,
    outcome_ids: list[int],
    partner_ids: list[int],
    rng: random.Random,
    ids: Ids,
    now: datetime,
) -> Iterator[tuple[dict[str, Any], list[int]]]:
    """`count` accepted items: ~30% in shared collections of 2-8, 1-3 links each to outcomes."""
    sources, source_w = list(SOURCE_WEIGHTS), list(SOURCE_WEIGHTS.values())
    findings, finding_w = list(FINDING_WEIGHTS), list(FINDING_WEIGHTS.values())
    span = (LAST_EVIDENCE - PERIOD_START).days
    made = 0
    collection_no = 0
    while made < count:
        # P(block is a collection) = 0.079 with mean size 5 puts ~30% of items in shared collections.
        size = rng.randint(2, 8) if rng.random() < 0.079 else 1
        size = min(size, count - made)
        source = rng.choices(sources, source_w)[0]
        if size > 1 and source in {"document", "testimonial", "case_study"}:
            source = "survey"
        collected = PERIOD_START + timedelta(days=rng.randrange(span))
        group = rng.choice(GROUPS) if rng.random() < 0.55 else ""
        respondents = population = None
        if source in {"survey", "feedback_form"} and rng.random() < 0.6:
            respondents = max(2, min(2000, int(rng.lognormvariate(math.log(30), 1.0))))
            if rng.random() < 0.5:
                population = int(respondents / rng.uniform(0.2, 0.95))
        elif source in {"interview", "focus_group"} and rng.random() < 0.85:
            respondents = rng.randint(1, 15) if source == "interview" else rng.randint(3, 12)
        elif source == "testimonial" and rng.random() < 0.1:
            respondents = 1
        collection = ""
        if size > 1:
            collection_no += 1
            collection = f"fw{framework_id}-collection-{collection_no}"
        independent = rng.random() < 0.37
        partner = rng.choice(partner_ids) if rng.random() < 0.8 else None
        for _ in range(size):
            ids.evidence += 1
            made += 1
            topic = rng.choice(TOPICS)
            finding = rng.choices(findings, finding_w)[0]
            positive = (
                int(respondents * rng.uniform(0.3, 0.95)) if respondents and rng.random() < 0.5 else None
            )
            r = rng.random()
            flags = ["indirect"] if r < 0.034 else ["partial_coverage"] if r < 0.057 else []
            who = group.replace("-", " ") if group else "partners"
            row = {
                "id": ids.evidence,
                "framework_id": framework_id,
                "title": f"{SOURCE_LABEL[source]} {ids.evidence}: {who} on {topic}",
                "summary": (
                    f"{SOURCE_LABEL[source]} collected in {collected:%B %Y} on {topic}; "
                    f"{finding.replace('_', ' ')} the outcome for {who}. Generated for the benchmark."
                ),
                "source_type": source,
                "collected_on": collected,
                "finding": finding,
                "respondents": respondents,
                "population": population,
                "positive": positive,
                "collection": collection,
                "respondent_group": group,
                "independent": independent,
                "partner_id": partner,
                "quote": (
                    f"\u201cSince the {topic} work started I feel far better prepared for practice.\u201d"
                    if rng.random() < 0.15
                    else ""
                ),
                "url": "",
                "flags": flags,
                "status": "accepted",
                "review_note": "",
                "reviewed_at": now,
                "accepted_at": now,
                "created_by_id": None,
                "created_at": now,
                "updated_at": now,
                "updated_by_id": None,
                "row_version": 1,
            }
            links = rng.sample(outcome_ids, rng.choices((1, 2, 3), (45, 45, 10))[0])
            yield row, links


def _quarters() -> list[tuple[str, date]]:
    out = []
    year, quarter = 2019, 2
    while True:
        month_end = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}[quarter]
        end = date(year, *month_end)
        if end > LAST_EVIDENCE:
            return out
        out.append((f"{year}-Q{quarter}", end))
        quarter = quarter % 4 + 1
        year += quarter == 1


def _months() -> list[tuple[str, date]]:
    out = []
    d = date(2019, 4, 1)
    while d <= LAST_EVIDENCE:
        nxt = date(d.year + d.month // 12, d.month % 12 + 1, 1)
        out.append((f"{d:%Y-%m}", nxt - timedelta(days=1)))
        d = nxt
    return out


def _kpi_rows(
    framework_id: int,
    count: int,
    kpis: list[tuple[int, bool]],
    partner_ids: list[int],
    rng: random.Random,
    ids: Ids,
    now: datetime,
) -> list[dict[str, Any]]:
    """`count` values: per-partner KPIs quarterly by partner, others monthly; the excess as superseded values."""
    slots: list[tuple[int, str, date, int | None]] = []
    for element_id, per_partner in kpis:
        if per_partner:
            slots += [(element_id, p, end, pid) for p, end in _quarters() for pid in partner_ids]
        else:
            slots += [(element_id, p, end, None) for p, end in _months()]
    slots.sort(key=lambda s: (s[2], s[0]))
    current = slots[:count]
    extra = [rng.choice(current) for _ in range(max(0, count - len(current)))]
    rows = []
    for superseded, chosen in ((True, extra), (False, current)):
        for element_id, period, end, pid in chosen:
            ids.kpi += 1
            rows.append(
                {
                    "id": ids.kpi,
                    "framework_id": framework_id,
                    "element_id": element_id,
                    "period": period,
                    "period_end": end,
                    "value": round(rng.uniform(20, 95), 1),
                    "partner_id": pid,
                    "note": "",
                    "created_by_id": None,
                    "created_at": now,
                    "superseded_at": now if superseded else None,
                    "row_version": 1,
                }
            )
    return rows


# --------------------------------------------------------------------------- writing


class Writer:
    """Bulk inserts: Core executemany in chunks (SQLite), COPY (PostgreSQL)."""

    CHUNK = 20_000

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.pg = engine.dialect.name == "postgresql"
        self.buffers: dict[str, list[dict[str, Any]]] = {"evidence": [], "evidence_link": [], "kpi_value": []}
        self.tables = {
            "evidence": Evidence.__table__,
            "evidence_link": EvidenceLink.__table__,
            "kpi_value": KpiValue.__table__,
        }
        self.raw = engine.raw_connection() if self.pg else None
        self.sqlite = engine.connect() if not self.pg else None
        if self.sqlite is not None:
            self.sqlite.begin()

    def add(self, table: str, row: dict[str, Any]) -> None:
        buffer = self.buffers[table]
        buffer.append(row)
        if len(buffer) >= self.CHUNK:
            self.flush(table)

    def flush(self, table: str) -> None:
        rows = self.buffers[table]
        if not rows:
            return
        if table == "evidence_link":
            self.flush("evidence")  # the links' items first: foreign keys are checked at once
        if self.sqlite is not None:
            self.sqlite.execute(insert(self.tables[table]), rows)
        else:
            assert self.raw is not None
            columns = list(rows[0])
            cursor = self.raw.cursor()
            with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:  # type: ignore[attr-defined]
                for row in rows:
                    copy.write_row([json.dumps(row[c]) if c == "flags" else row[c] for c in columns])
            cursor.close()
        rows.clear()

    def close(self) -> None:
        for table in ("evidence", "evidence_link", "kpi_value"):
            self.flush(table)
        if self.sqlite is not None:
            self.sqlite.commit()
            self.sqlite.close()
        if self.raw is not None:
            cursor = self.raw.cursor()
            for table in ("evidence", "evidence_link", "kpi_value"):
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608 (fixed names)
                )
            cursor.close()
            self.raw.commit()
            self.raw.close()


# --------------------------------------------------------------------------- instances


def sqlite_path(scale: Scale) -> Path:
    return BENCH_DIR / f"{scale.name}.sqlite3"


def database_url(scale: Scale, backend: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{sqlite_path(scale)}"
    return f"{PG_SERVER}/bench_{scale.name}"


def _marker(engine: Engine) -> dict[str, Any] | None:
    try:
        with engine.connect() as connection:
            raw = connection.execute(text("SELECT info FROM bench_meta")).scalar()
    except Exception:
        return None
    return json.loads(raw) if raw else None


def _pg_admin(sql: str) -> None:
    admin = make_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(sql))
    finally:
        admin.dispose()


def pg_database_exists(name: str) -> bool:
    admin = make_engine(f"{PG_SERVER}/postgres")
    try:
        with admin.connect() as connection:
            return bool(
                connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).scalar()
            )
    finally:
        admin.dispose()


def drop(scale: Scale, backend: str) -> None:
    if backend == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite_path(scale)}{suffix}").unlink(missing_ok=True)
    elif pg_database_exists(f"bench_{scale.name}"):
        _pg_admin(f'DROP DATABASE "bench_{scale.name}" WITH (FORCE)')


def ensure(scale: Scale, backend: str, log: Any = print) -> dict[str, Any]:
    """The instance's marker (with its generation time), generating it first when it is not cached."""
    url = database_url(scale, backend)
    if backend == "sqlite" or pg_database_exists(f"bench_{scale.name}"):
        engine = make_engine(url)
        marker = _marker(engine)
        engine.dispose()
        if marker and marker.get("generator") == GENERATOR_VERSION and marker.get("scale") == asdict(scale):
            # An instance cached under an older schema gets the app's newer migrations (tables, indexes).
            engine = make_engine(url)
            try:
                before, after = migrate.upgrade(engine)
            finally:
                engine.dispose()
            if before != after:
                log(f"[{backend}] {scale.name}: cached instance migrated from {before} to {after}")
            marker["cached"] = True
            marker["plans"] = top_up_plans(scale, url, log)
            log(
                f"[{backend}] {scale.name}: cached instance ({marker['generation_seconds']:.0f} s to generate on "
                f"{marker['generated_at'][:10]})"
            )
            return marker
    drop(scale, backend)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    if backend == "postgresql":
        _pg_admin(f'CREATE DATABASE "bench_{scale.name}"')
    log(
        f"[{backend}] {scale.name}: generating {scale.frameworks} frameworks x {scale.outcomes // scale.frameworks} outcomes, "
        f"{scale.evidence:,} evidence items, {scale.kpi_values:,} KPI values ..."
    )
    started = time.perf_counter()
    engine = make_engine(url)
    try:
        marker = _generate(scale, engine, log)
    finally:
        engine.dispose()
    marker["generation_seconds"] = time.perf_counter() - started
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE bench_meta (info TEXT)"))
        connection.execute(text("INSERT INTO bench_meta (info) VALUES (:i)"), {"i": json.dumps(marker)})
    engine.dispose()
    log(
        f"[{backend}] {scale.name}: generated in {marker['generation_seconds']:.1f} s "
        f"(frameworks {marker['timings']['frameworks']:.1f} s, rows {marker['timings']['rows']:.1f} s, "
        f"analyse {marker['timings']['analyse']:.1f} s)"
    )
    marker["cached"] = False
    marker["plans"] = top_up_plans(scale, url, log)
    return marker


def top_up_plans(scale: Scale, url: str, log: Any) -> int:
    """The first framework's action plans (issue 20), made through the service: `plans.PLANS` of them."""
    engine = make_engine(url)
    try:
        return ensure_plans(engine, scale.name, framework_slugs(scale)[0], log)
    finally:
        engine.dispose()


def _generate(scale: Scale, engine: Engine, log: Any) -> dict[str, Any]:
    rng = random.Random(f"bench-{scale.name}")
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    migrate.upgrade(engine)
    pool = [f"org-{i:03d}" for i in range(1, scale.partner_pool + 1)]
    actor = Actor("benchmark generator")
    with Session(engine) as session:
        for n in range(1, scale.frameworks + 1):
            partners = rng.sample(pool, scale.partners_per_framework)
            yaml_text = framework_yaml(scale, n, partners, rng)
            parsed = parse_framework(yaml_text, f"{framework_slug(scale, n)}.yaml")
            if parsed.framework is None:
                raise RuntimeError("; ".join(str(p) for p in parsed.problems[:5]))
            framework_service.load_version(session, parsed.framework, yaml_text, actor, "generated")
        accounts.create_user(session, actor, USER_EMAIL, "evaluator", USER_PASSWORD, None)
        session.commit()
    timings["frameworks"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    now = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    ids = Ids()
    writer = Writer(engine)
    with Session(engine) as session:
        frameworks = session.execute(
            select(Framework.id, Framework.slug)
            .where(Framework.slug.in_(framework_slugs(scale)))
            .order_by(Framework.id)
        ).all()
        elements = session.execute(
            select(Element.framework_id, Element.id, Element.kind, Element.slug, Element.attrs)
        ).all()
        partner_rows = dict(session.execute(select(Partner.slug, Partner.id)).all())
        memberships = session.execute(text("SELECT framework_id, partner_id FROM framework_partner")).all()
    per_fw_evidence = [
        scale.evidence // scale.frameworks + (i < scale.evidence % scale.frameworks)
        for i in range(scale.frameworks)
    ]
    per_fw_kpi = [
        scale.kpi_values // scale.frameworks + (i < scale.kpi_values % scale.frameworks)
        for i in range(scale.frameworks)
    ]
    assert partner_rows
    for i, (framework_id, _slug) in enumerate(frameworks):
        outcome_ids = [e.id for e in elements if e.framework_id == framework_id and e.kind == "outcome"]
        kpis = [
            (e.id, bool((e.attrs or {}).get("per_partner")))
            for e in elements
            if e.framework_id == framework_id and e.kind == "kpi"
        ]
        partner_ids = sorted(p for f, p in memberships if f == framework_id)
        for row, links in _evidence_rows(
            scale, framework_id, per_fw_evidence[i], outcome_ids, partner_ids, rng, ids, now
        ):
            writer.add("evidence", row)
            for element_id in links:
                ids.link += 1
                writer.add(
                    "evidence_link", {"id": ids.link, "evidence_id": row["id"], "element_id": element_id}
                )
        for row in _kpi_rows(framework_id, per_fw_kpi[i], kpis, partner_ids, rng, ids, now):
            writer.add("kpi_value", row)
        if scale.frameworks > 3 and (i + 1) % 5 == 0:
            log(
                f"    {i + 1}/{scale.frameworks} frameworks written ({ids.evidence:,} items, "
                f"{time.perf_counter() - t0:.0f} s)"
            )
    writer.close()
    timings["rows"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
            connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    timings["analyse"] = time.perf_counter() - t0
    return {
        "generator": GENERATOR_VERSION,
        "scale": asdict(scale),
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "frameworks": [slug for _, slug in frameworks],
        "evidence": ids.evidence,
        "links": ids.link,
        "kpi_values": ids.kpi,
        "timings": timings,
        "url": make_url(str(engine.url)).render_as_string(hide_password=True),
    }


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="Generate (or find cached) a synthetic benchmark instance.")
    parser.add_argument("--scale", choices=sorted(SCALES), default="tiny")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()
    if args.regenerate:
        drop(SCALES[args.scale], args.backend)
    print(json.dumps(ensure(SCALES[args.scale], args.backend), indent=2, default=str))
