"""Export, import and backup: a round trip without loss, refusals that write nothing, a live SQLite copy."""

from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
import stat
import threading
import time
import zipfile
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click import Command
from flask import Flask
from sqlalchemy import func, insert, select, text

from tracker.cli.archive import backup_command, export_command, import_command
from tracker.db.models import AuditEvent, Base, Evidence, User
from tracker.db.session import make_engine
from tracker.domain.evidence_input import EvidenceFields, KpiValueFields
from tracker.extensions import db
from tracker.overrides import service as override_service
from tracker.ratings import ratings_for
from tracker.services import archive as archive_service
from tracker.services import archive_format, archive_safety
from tracker.services import evidence as evidence_service
from tracker.services import kpi_values as kpi_service
from tracker.services.audit import Actor, record
from tracker.services.permissions import Principal
from tracker.storage import local as local_store

from ..conftest import PASSWORD, TrackerCliRunner, sign_in

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
CSV = "title,count\n=cmd|' /C calc'!A0,3\ncafé ✓,4\n".encode()
HOSTILE_TITLE = "=cmd|' /C calc'!A0 <script>alert(1)</script> — café ✓ \"quoted\""
RATIONALE = (
    "The evaluator read every item again after the board meeting and found that the survey sample was too "
    "small to support the computed rating, so the rating is held at insufficient for now."
)
DEMO_FRAMEWORKS = ("developing-together", "social-work-week-2021", "employer-standards-2024")
DEMO_EVENTS = Path(__file__).resolve().parents[2] / "frameworks" / "demo" / "events"


# ------------------------------------------------------------------------------------------- helpers


def invoke(runner: Any, command: Command, *args: str) -> Any:
    """Runs one of the archive commands with the runner's app (works before and after registration)."""
    return runner.invoke(cli=command, args=list(args))


def table_counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        return {
            name: db.session.scalar(select(func.count()).select_from(Base.metadata.tables[name])) or 0
            for name in archive_service.TABLES
        }


def upload_files(app: Flask) -> list[Path]:
    """Every file in the upload folder, hidden temporary ones included."""
    folder = Path(app.config["UPLOAD_FOLDER"])
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


def members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def write_zip(path: Path, content: dict[str, bytes], *, fix_manifest: bool = False) -> Path:
    """Writes members; with fix_manifest the manifest is made to agree, as a careful forger would."""
    if fix_manifest and archive_service.MANIFEST in content:
        manifest = json.loads(content[archive_service.MANIFEST])
        manifest["members"] = {
            name: {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in content.items()
            if name != archive_service.MANIFEST
        }
        content = {**content, archive_service.MANIFEST: json.dumps(manifest).encode()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in content.items():
            zf.writestr(name, data)
    return path


def edit_table(content: dict[str, bytes], table: str, change: Callable[[list[dict[str, Any]]], None]) -> None:
    document = json.loads(content[f"{table}.json"])
    change(document["rows"])
    content[f"{table}.json"] = json.dumps(document).encode()


@pytest.fixture
def target(make_app: Any, second_url: str, tmp_path: Path) -> Flask:
    """An empty, migrated tracker on the second database, with an upload folder of its own."""
    return make_app(DATABASE_URL=second_url, UPLOAD_FOLDER=str(tmp_path / "target-uploads"))  # type: ignore[no-any-return]


@pytest.fixture
def target_runner(target: Flask) -> TrackerCliRunner:
    return TrackerCliRunner(target)


def lead_principal(session: Any, email: str) -> Principal:
    user = session.scalars(select(User).where(User.email == email)).one()
    return Principal.of(user)


def add_evidence_with_files(app: Flask, slug: str, lead: str, *names: str) -> int:
    """A draft logged by a lead through the evidence service, with files stored as uploads are."""
    with app.app_context(), db.unit_of_work() as session:
        ctx = evidence_service.framework_context(session, slug)
        assert ctx is not None
        outcome = next(s for s, e in ctx.elements.items() if e.kind == "outcome" and e.archived_at is None)
        kpi = next(s for s, e in ctx.elements.items() if e.kind == "kpi" and e.archived_at is None)
        fields = EvidenceFields(
            title=HOSTILE_TITLE,
            summary="Line one\nline two, with a tab\tand ünïcödé",
            source_type="survey",
            collected_on=date(2020, 3, 1),
            links=(outcome,),
            finding="supports",
            respondents=12,
            population=20,
            positive=9,
            collection="archive-test",
            group="students",
            independent=False,
            partner="",
            quote="“It helped.”",
            url="https://example.org/report?a=1&b=2",
            flags=("indirect",),
            status="draft",
            shows="how_well",
            kpi=kpi,
        )
        uploads = [
            evidence_service.Upload(name, io.BytesIO(PDF if name.endswith(".pdf") else CSV)) for name in names
        ]
        item = evidence_service.create(
            session,
            Actor(lead, "lead"),
            lead_principal(session, lead),
            ctx,
            fields,
            status="draft",
            uploads=uploads,
            upload_dir=Path(app.config["UPLOAD_FOLDER"]),
            max_bytes=app.config["UPLOAD_MAX_BYTES"],
        )
        return item.id


def enrich_demo(app: Flask, make_user: Any) -> str:
    """Adds to the demo what it lacks: files, every status, superseded KPI values and overrides, a refusal."""
    slug = "developing-together"
    with app.app_context():
        ctx = evidence_service.framework_context(db.session, slug)
        assert ctx is not None
        partner = sorted(ctx.partners)[0]
    lead = make_user("lead", partner=partner, email="restored.lead@example.org")
    item_id = add_evidence_with_files(app, slug, lead, "findings.pdf", "responses.csv")
    admin = Principal.command_line()
    with app.app_context(), db.unit_of_work() as session:
        ctx = evidence_service.framework_context(session, slug)
        assert ctx is not None
        accepted = session.scalars(
            select(Evidence).where(Evidence.framework_id == ctx.framework.id).order_by(Evidence.id)
        ).first()
        assert accepted is not None
        evidence_service.move(
            session, Actor("admin", "admin"), admin, accepted, "returned", note="Add the rate."
        )
        kpi = next(s for s, e in ctx.elements.items() if e.kind == "kpi" and not e.attrs.get("per_partner"))
        for value in (41.5, 42.25):
            kpi_service.save(
                session, Actor("admin", "admin"), admin, ctx,
                KpiValueFields(kpi, "2031/32", date(2032, 3, 31), value, "", "corrected"),
            )  # fmt: skip
        record(session, Actor(lead, "lead"), "refused", object_type="evidence", object_id=item_id, detail="x")
    with app.app_context(), db.unit_of_work() as session:
        rated = ratings_for(session, slug, detail=True)
        assert rated is not None and rated.overrides
        evaluator = session.scalars(select(User).where(User.role == "evaluator")).first()
        assert evaluator is not None
        outcome = sorted(rated.overrides)[0]
        override_service.set_override(
            session, Actor(evaluator.email, "evaluator"), Principal.of(evaluator), rated, outcome,
            "insufficient", RATIONALE, [],
        )  # fmt: skip
    return lead


# ------------------------------------------------------------------------------------------- round trip


@pytest.mark.slow
def test_round_trip_into_an_empty_database_is_identical(
    app: Flask, runner: Any, make_user: Any, target: Flask, target_runner: Any, tmp_path: Path
) -> None:
    assert runner.invoke(args=["demo"]).exit_code == 0
    lead = enrich_demo(app, make_user)
    # A second load of Social Work Week's event that keeps the sessions and feedback of the first.
    reloaded = runner.invoke(args=["event", "load", str(DEMO_EVENTS / "sww-2021.yaml")])
    assert reloaded.exit_code == 0 and "sessions kept from load 1" in reloaded.output, reloaded.output
    first: dict[str, Path] = {}
    started = time.perf_counter()
    for slug in DEMO_FRAMEWORKS:
        first[slug] = tmp_path / f"first-{slug}.zip"
        result = invoke(runner, export_command, "--framework", slug, "-o", str(first[slug]))
        assert result.exit_code == 0, result.output
        assert "password hashes" in result.output
        assert stat.S_IMODE(first[slug].stat().st_mode) == 0o600
    exported = time.perf_counter() - started
    before = table_counts(app)

    started = time.perf_counter()
    result = invoke(target_runner, import_command, *(str(first[s]) for s in DEMO_FRAMEWORKS))
    assert result.exit_code == 0, result.output
    imported = time.perf_counter() - started
    for slug in DEMO_FRAMEWORKS:
        assert f"imported {slug}" in result.output

    after = table_counts(target)
    # Everything but the trail of the export and import commands themselves, and users of no framework.
    for name in archive_service.TABLES:
        if name not in {"audit_event", "user_account"}:
            assert after[name] == before[name], name
    for slug in DEMO_FRAMEWORKS:
        second = tmp_path / f"second-{slug}.zip"
        result = invoke(target_runner, export_command, "--framework", slug, "-o", str(second))
        assert result.exit_code == 0, result.output
        one, two = members(first[slug]), members(second)
        manifest_one = json.loads(one.pop(archive_service.MANIFEST))
        manifest_two = json.loads(two.pop(archive_service.MANIFEST))
        assert manifest_one.pop("created_at") != manifest_two.pop("created_at")
        assert manifest_one == manifest_two
        assert one == two, slug

    dt = members(first["developing-together"])
    manifest = json.loads(dt[archive_service.MANIFEST])
    assert manifest["format"] == "outcomes-tracker-export" and manifest["format_version"] == 1
    assert (
        manifest["counts"]["files"] == 2 and manifest["counts"]["rating_override"] == 6
    )  # the demo's 5, one superseded above
    statuses = {r["status"] for r in json.loads(dt["evidence.json"])["rows"]}
    assert statuses == {"accepted", "draft", "returned"}
    kpi_rows = json.loads(dt["kpi_value.json"])["rows"]
    assert any(r["superseded_at"] for r in kpi_rows) and any(r["value"] == 42.25 for r in kpi_rows)
    assert any(r["title"] == HOSTILE_TITLE for r in json.loads(dt["evidence.json"])["rows"])
    assert any(r["action"] == "refused" for r in json.loads(dt["audit_event.json"])["rows"])
    users = json.loads(dt["user_account.json"])["rows"]
    assert all(r["password_hash"].startswith("$argon2") for r in users)
    es = json.loads(members(first["employer-standards-2024"])["survey_response.json"])["rows"]
    assert len(es) > 100

    # The files are back, byte for byte, and nothing else is in the upload folder.
    source_files = {p.name: p.read_bytes() for p in upload_files(app)}
    assert {p.name: p.read_bytes() for p in upload_files(target)} == source_files
    assert len(source_files) == 2
    # The events came back with every load (the restored pages read the same history and measures), and
    # the restored tracker rates the same: Social Work Week's KPIs take their values from its event.
    for slug in DEMO_FRAMEWORKS:
        for event in json.loads(members(first[slug])["event.json"])["rows"]:
            for extra in ((), ("--json",)):
                shown = ["event", "show", event["slug"], "--framework", slug, *extra]
                before_show, after_show = runner.invoke(args=shown), target_runner.invoke(args=shown)
                assert before_show.exit_code == 0, before_show.output
                assert after_show.output == before_show.output, (slug, event["slug"])
    sww_sessions = json.loads(members(first["social-work-week-2021"])["event_session.json"])["rows"]
    assert sww_sessions[0]["starts_at"] == "2021-03-08T09:30:00.000000"  # the file's own clock time, no zone
    sww = json.loads(members(first["social-work-week-2021"])["event_load.json"])["rows"]
    assert [r["number"] for r in sww] == [1, 2] and sww[1]["sessions_load_id"] == sww[0]["id"]
    counts = [json.loads(members(first[s])[archive_service.MANIFEST])["counts"] for s in DEMO_FRAMEWORKS]
    assert all(sum(c[name] for c in counts) > 0 for name in archive_format.EVENT_TABLES)
    for slug in DEMO_FRAMEWORKS:
        assert (
            runner.invoke(args=["rate", "--framework", slug, "--json"]).output
            == target_runner.invoke(args=["rate", "--framework", slug, "--json"]).output
        )
    # Its people sign in with their old passwords, and new rows get fresh ids (the PostgreSQL sequences
    # were moved past the restored ids).
    sign_in(target.test_client(), lead, PASSWORD)
    new_id = add_evidence_with_files(target, "developing-together", lead, "later.pdf")
    assert new_id > max(r["id"] for r in json.loads(dt["evidence.json"])["rows"])
    sizes = {slug: first[slug].stat().st_size for slug in DEMO_FRAMEWORKS}
    print(
        f"\nround trip: rows {sum(before.values())}, zips {sizes}, export {exported:.2f} s, import {imported:.2f} s"
    )


# ------------------------------------------------------------------------------------------- refusals


@pytest.fixture
def small_export(
    app: Flask, runner: Any, make_user: Any, framework: str, make_evidence: Any, tmp_path: Path
) -> Path:
    """The tiny framework with evidence in two states and two attached files, exported."""
    make_evidence()
    make_evidence(status="draft", title="A draft")
    add_evidence_with_files(app, framework, make_user("lead"), "a.pdf", "b.csv")
    path = tmp_path / "small.zip"
    result = invoke(runner, export_command, "--framework", framework, "-o", str(path))
    assert result.exit_code == 0, result.output
    return path


def _no_manifest(c: dict[str, bytes]) -> None:
    del c[archive_service.MANIFEST]


def _manifest(**changes: Any) -> Callable[[dict[str, bytes]], None]:
    def change(c: dict[str, bytes]) -> None:
        manifest = json.loads(c[archive_service.MANIFEST])
        manifest.update(changes)
        c[archive_service.MANIFEST] = json.dumps(manifest).encode()

    return change


def _damage(c: dict[str, bytes]) -> None:
    c["evidence.json"] = c["evidence.json"].replace(b"Practice educator survey", b"Practice educator surveY")


def _drop_file(c: dict[str, bytes]) -> None:
    del c[next(n for n in c if n.startswith("files/"))]


def _add(name: str, data: bytes = b"evil") -> Callable[[dict[str, bytes]], None]:
    def change(c: dict[str, bytes]) -> None:
        c[name] = data

    return change


def _dangling_link(c: dict[str, bytes]) -> None:
    edit_table(c, "evidence_link", lambda rows: rows[0].update(element_id=999_999))


def _foreign_row(c: dict[str, bytes]) -> None:
    edit_table(c, "evidence", lambda rows: rows[0].update(framework_id=rows[0]["framework_id"] + 1))


def _bad_date(c: dict[str, bytes]) -> None:
    edit_table(c, "evidence", lambda rows: rows[0].update(collected_on="01/03/2023"))


def _swap_file(c: dict[str, bytes]) -> None:
    c[next(n for n in c if n.startswith("files/"))] = b"%PDF-1.4 something else entirely\n"


def _drop_table(c: dict[str, bytes]) -> None:
    del c["kpi_value.json"]


REFUSALS: list[tuple[str, Callable[[dict[str, bytes]], None], bool, str]] = [
    # (case, change, manifest made to agree, what the one line says)
    ("no manifest", _no_manifest, False, "no manifest.json"),
    ("foreign format", _manifest(format="something-else"), False, "not an outcomes tracker export"),
    ("future version", _manifest(format_version=2), False, "format version 2 is not supported"),
    ("damaged member", _damage, False, "is damaged: its sha256 differs"),
    ("missing file", _drop_file, False, "is listed in the manifest but missing"),
    ("missing table", _drop_table, True, "'kpi_value.json' is missing"),
    ("unlisted member", _add("notes.txt"), False, "'notes.txt' is not listed in the manifest"),
    ("escaping path", _add("../../evil.sh"), True, "unsafe path"),
    ("escaping file path", _add("files/../../evil.sh"), True, "unsafe path"),
    ("absolute path", _add("/tmp/evil.sh"), True, "unsafe path"),
    ("zip bomb", _add("files/bomb", bytes(50 * 1024 * 1024)), True, "refused as a possible zip bomb"),
    ("dangling reference", _dangling_link, True, "element_id 999999 refers to no element row in the export"),
    ("row of another framework", _foreign_row, True, "refers to no framework row in the export"),
    ("bad value", _bad_date, True, "collected_on expected a date"),
    ("file not matching its row", _swap_file, True, "differs from its recorded sha256"),
]


@pytest.mark.parametrize(("case", "change", "fix", "message"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_a_damaged_or_foreign_file_is_refused_and_nothing_is_written(
    small_export: Path,
    target: Flask,
    target_runner: Any,
    tmp_path: Path,
    case: str,
    change: Callable[[dict[str, bytes]], None],
    fix: bool,
    message: str,
) -> None:
    content = members(small_export)
    change(content)
    bad = write_zip(tmp_path / "bad.zip", content, fix_manifest=fix)
    result = invoke(target_runner, import_command, str(bad))
    assert result.exit_code == 1, (case, result.output)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], lines
    assert set(table_counts(target).values()) == {0}
    assert upload_files(target) == []


@pytest.mark.parametrize(
    ("case", "data"),
    [("text", b"title,count\n1,2\n"), ("empty", b""), ("truncated zip", None)],
)
def test_a_file_that_is_not_a_zip_is_refused(
    small_export: Path, target: Flask, target_runner: Any, tmp_path: Path, case: str, data: bytes | None
) -> None:
    bad = tmp_path / "bad.zip"
    bad.write_bytes(small_export.read_bytes()[: small_export.stat().st_size // 2] if data is None else data)
    result = invoke(target_runner, import_command, str(bad))
    assert result.exit_code == 1 and "not a readable zip file" in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1
    assert set(table_counts(target).values()) == {0} and upload_files(target) == []


def test_an_archive_larger_than_the_limit_is_refused_unread(
    small_export: Path, target: Flask, target_runner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archive_safety, "MAX_TOTAL_BYTES", 10_000)
    result = invoke(target_runner, import_command, str(small_export))
    assert result.exit_code == 1 and "refused as a possible zip bomb" in result.output, result.output
    assert set(table_counts(target).values()) == {0}


def test_a_framework_already_there_or_colliding_ids_are_refused(
    small_export: Path, target: Flask, target_runner: Any
) -> None:
    assert invoke(target_runner, import_command, str(small_export)).exit_code == 0
    counts, files = table_counts(target), upload_files(target)
    again = invoke(target_runner, import_command, str(small_export))
    assert again.exit_code == 1 and "is already in this database" in again.output
    assert table_counts(target) == counts and upload_files(target) == files


def test_rows_whose_ids_are_taken_are_refused(
    small_export: Path, make_app: Any, tmp_path: Path, second_url: str
) -> None:
    other = make_app(DATABASE_URL=second_url, UPLOAD_FOLDER=str(tmp_path / "other-uploads"))
    other_runner = TrackerCliRunner(other)
    shipped = Path(__file__).resolve().parents[2] / "frameworks" / "social_work_week_2021.yaml"
    assert other_runner.invoke(args=["framework", "load", str(shipped)]).exit_code == 0
    counts = table_counts(other)
    result = invoke(other_runner, import_command, str(small_export))
    assert result.exit_code == 1 and "is already used by another row" in result.output, result.output
    assert table_counts(other) == counts and upload_files(other) == []


def test_a_failure_while_restoring_files_leaves_no_file_and_no_row(
    small_export: Path, target: Flask, target_runner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_replace = os.replace
    calls: list[str] = []

    def disk_fills_up(source: Any, destination: Any) -> None:
        calls.append(str(destination))
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real_replace(source, destination)

    monkeypatch.setattr(local_store.os, "replace", disk_fills_up)  # the store renames each file into place
    result = invoke(target_runner, import_command, str(small_export))
    monkeypatch.undo()
    assert result.exit_code == 1 and "No space left on device; nothing was imported" in result.output
    assert len(calls) == 2 and set(table_counts(target).values()) == {0}
    assert upload_files(target) == []


def test_a_failure_after_the_files_are_written_removes_them(
    small_export: Path, target: Flask, target_runner: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fails(*_args: Any, **_kwargs: Any) -> None:
        assert len(upload_files(target)) == 2  # both files are in place when the transaction fails
        raise RuntimeError("the database went away")

    monkeypatch.setattr(archive_service, "record", fails)
    result = invoke(target_runner, import_command, str(small_export))
    assert isinstance(result.exception, RuntimeError)
    assert set(table_counts(target).values()) == {0} and upload_files(target) == []


def test_export_refuses_an_unknown_framework_or_a_missing_file(
    app: Flask, runner: Any, small_export: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out.zip"
    unknown = invoke(runner, export_command, "--framework", "no-such-thing", "-o", str(out))
    assert unknown.exit_code == 1 and "no framework has the id 'no-such-thing'" in unknown.output
    upload_files(app)[0].unlink()
    missing = invoke(runner, export_command, "--framework", "tiny-partnership", "-o", str(out))
    assert missing.exit_code == 1 and "is missing; nothing was exported" in missing.output
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".zip" or ".part" in p.name) == [
        "small.zip"
    ]


# ------------------------------------------------------------------------------------------- backup


@pytest.mark.slow
def test_backup_of_a_live_database_holds_every_acknowledged_write(
    app: Flask, runner: Any, make_app: Any, database_url: str, tmp_path: Path
) -> None:
    copy = tmp_path / "backup.sqlite3"
    if not database_url.startswith("sqlite"):
        result = invoke(runner, backup_command, "-o", str(copy))
        assert result.exit_code == 2 and "pg_dump" in result.output and not copy.exists()
        assert len(result.output.strip().splitlines()) == 1
        return
    assert runner.invoke(args=["demo"]).exit_code == 0
    engine = make_engine(database_url)
    acknowledged: list[int] = []
    stop = threading.Event()
    failures: list[BaseException] = []
    table = AuditEvent.__table__

    def write() -> None:
        """Each transaction writes a pair of rows; a pair is acknowledged once its commit returns."""
        n = 0
        try:
            while not stop.is_set():
                n += 1
                with engine.begin() as connection:
                    for half in ("a", "b"):
                        connection.execute(insert(table).values(action=f"load.{half}", detail=f"pair {n}"))
                acknowledged.append(n)
        except BaseException as error:  # pragma: no cover - reported below
            failures.append(error)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        while len(acknowledged) < 50 and not failures:
            time.sleep(0.005)
        before_backup = set(acknowledged)
        started = time.perf_counter()
        result = invoke(runner, backup_command, "-o", str(copy))
        took = time.perf_counter() - started
        count_at_end = len(acknowledged)
        while len(acknowledged) < count_at_end + 50 and not failures:
            time.sleep(0.005)
    finally:
        stop.set()
        writer.join()
        engine.dispose()
    assert not failures, failures
    assert result.exit_code == 0, result.output
    assert "integrity ok" in result.output
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600

    with sqlite3.connect(copy) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        halves: dict[int, set[str]] = {}
        for action, detail in connection.execute(
            "SELECT action, detail FROM audit_event WHERE action LIKE 'load.%'"
        ):
            halves.setdefault(int(detail.split()[1]), set()).add(action)
    connection.close()
    assert before_backup <= set(halves), "an acknowledged write is missing from the copy"
    assert all(v == {"load.a", "load.b"} for v in halves.values()), "the copy holds half a transaction"
    # The copy is a working tracker database: same evidence, same ratings.
    restored = TrackerCliRunner(make_app(DATABASE_URL=f"sqlite:///{copy}"))
    rate = ["rate", "--framework", "developing-together", "--json"]
    assert restored.invoke(args=rate).output == runner.invoke(args=rate).output
    print(
        f"\nbackup: {copy.stat().st_size:,} bytes in {took:.2f} s; {len(before_backup)} writes before it, "
        f"{len(acknowledged)} in all, {len(halves)} in the copy"
    )


def test_backup_refuses_to_replace_a_file_unless_forced(
    app: Flask, runner: Any, database_url: str, tmp_path: Path
) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("tracker backup copies SQLite databases; PostgreSQL is backed up with pg_dump")
    copy = tmp_path / "backup.sqlite3"
    copy.write_bytes(b"keep me")
    refused = invoke(runner, backup_command, "-o", str(copy))
    assert refused.exit_code == 1 and "--force" in refused.output and copy.read_bytes() == b"keep me"
    forced = invoke(runner, backup_command, "-o", str(copy), "--force")
    assert forced.exit_code == 0, forced.output
    with sqlite3.connect(copy) as connection:
        assert connection.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)
    connection.close()
    assert not [p for p in tmp_path.iterdir() if ".part" in p.name]


def test_an_export_made_before_overrides_had_a_start_date_still_restores(
    app: Flask,
    runner: Any,
    framework: str,
    make_evidence: Any,
    target: Flask,
    target_runner: Any,
    tmp_path: Path,
) -> None:
    """rating_override gained `applies_from` (migration 0010); an older export lacks it and is filled in."""
    item = make_evidence(status="accepted", collected_on=date(2023, 2, 1))
    with app.app_context(), db.unit_of_work() as session:
        rated = ratings_for(session, framework, detail=True)
        assert rated is not None
        override_service.set_override(
            session, Actor("admin", "admin"), Principal.command_line(), rated, "educators-supported",
            "some", RATIONALE, [item],
        )  # fmt: skip
    path = tmp_path / "new.zip"
    assert invoke(runner, export_command, "--framework", framework, "-o", str(path)).exit_code == 0
    content = members(path)
    document = json.loads(content["rating_override.json"])
    assert "applies_from" in document["columns"] and len(document["rows"]) == 1
    document["columns"].remove("applies_from")
    for row in document["rows"]:
        del row["applies_from"]
    content["rating_override.json"] = json.dumps(document).encode()
    older = write_zip(tmp_path / "older.zip", content, fix_manifest=True)
    result = invoke(target_runner, import_command, str(older))
    assert result.exit_code == 0, result.output
    with target.app_context():
        ((as_of, created_at, applies_from),) = db.session.execute(
            text("SELECT as_of, created_at, applies_from FROM rating_override")
        ).all()

    def day(value: Any) -> date:
        return date.fromisoformat(str(value)[:10])  # a date, a datetime or SQLite's text

    assert day(applies_from) == min(day(as_of), day(created_at))


def test_what_an_item_answers_and_its_kpi_go_and_come_back(
    app: Flask,
    runner: Any,
    framework: str,
    make_evidence: Any,
    target: Flask,
    target_runner: Any,
    tmp_path: Path,
) -> None:
    make_evidence(title="Placement returns", shows="better_off", kpi="statutory-share", finding="too_early")
    make_evidence(title="Said nothing")
    path = tmp_path / "answers.zip"
    assert invoke(runner, export_command, "--framework", framework, "-o", str(path)).exit_code == 0
    rows = json.loads(members(path)["evidence.json"])["rows"]
    assert {r["title"]: (r["shows"], r["kpi"]) for r in rows} == {
        "Placement returns": ("better_off", "statutory-share"),
        "Said nothing": ("", ""),
    }
    result = invoke(target_runner, import_command, str(path))
    assert result.exit_code == 0, result.output
    with target.app_context():
        restored = db.session.execute(select(Evidence.title, Evidence.finding, Evidence.shows, Evidence.kpi))
        assert sorted(tuple(r) for r in restored) == [
            ("Placement returns", "too_early", "better_off", "statutory-share"),
            ("Said nothing", "supports", "", ""),
        ]


def test_an_export_made_before_items_said_what_they_answer_still_restores(
    app: Flask,
    runner: Any,
    framework: str,
    make_evidence: Any,
    target: Flask,
    target_runner: Any,
    tmp_path: Path,
) -> None:
    """evidence gained `shows` and `kpi` (migration 0011); an older export lacks both and restores with ''."""
    make_evidence(title="Before issue 18")
    path = tmp_path / "new.zip"
    assert invoke(runner, export_command, "--framework", framework, "-o", str(path)).exit_code == 0
    content = members(path)
    document = json.loads(content["evidence.json"])
    assert {"shows", "kpi"} <= set(document["columns"])
    for name in ("shows", "kpi"):
        document["columns"].remove(name)
        for row in document["rows"]:
            del row[name]
    content["evidence.json"] = json.dumps(document).encode()
    older = write_zip(tmp_path / "older.zip", content, fix_manifest=True)
    result = invoke(target_runner, import_command, str(older))
    assert result.exit_code == 0, result.output
    with target.app_context():
        restored = db.session.execute(select(Evidence.title, Evidence.shows, Evidence.kpi)).all()
    assert [tuple(r) for r in restored] == [("Before issue 18", "", "")]
    # Only the columns added since are filled in: an export lacking another column is still refused.
    del document["columns"][document["columns"].index("quote")]
    for row in document["rows"]:
        del row["quote"]
    content["evidence.json"] = json.dumps(document).encode()
    broken = write_zip(tmp_path / "broken.zip", content, fix_manifest=True)
    refused = invoke(runner, import_command, str(broken))
    assert refused.exit_code == 1 and "missing ['quote', 'shows', 'kpi']" in refused.output


def test_an_export_made_before_events_still_restores_without_events(
    app: Flask, runner: Any, target: Flask, target_runner: Any, tmp_path: Path
) -> None:
    """The event tables came with issue 19; an export made before has none of them and restores without."""
    assert runner.invoke(args=["demo"]).exit_code == 0
    slug = "social-work-week-2021"
    path = tmp_path / "new.zip"
    assert invoke(runner, export_command, "--framework", slug, "-o", str(path)).exit_code == 0
    content = members(path)
    manifest = json.loads(content[archive_service.MANIFEST])
    assert all(manifest["counts"][name] > 0 for name in ("event", "event_load", "event_answer"))
    partial = dict(content)
    del partial["event_answer.json"]
    for name in archive_format.EVENT_TABLES:
        del content[f"{name}.json"]
    uncounted = write_zip(tmp_path / "uncounted.zip", content, fix_manifest=True)
    for name in archive_format.EVENT_TABLES:
        del manifest["counts"][name]
    content[archive_service.MANIFEST] = json.dumps(manifest).encode()
    # What an older tracker wrote: no event tables, no event counts, and no audit rows of event loads.
    edit_table(
        content,
        "audit_event",
        lambda rows: rows.__setitem__(slice(None), [r for r in rows if r["object_type"] != "event"]),
    )
    manifest["counts"]["audit_event"] = len(json.loads(content["audit_event.json"])["rows"])
    content[archive_service.MANIFEST] = json.dumps(manifest).encode()
    older = write_zip(tmp_path / "older.zip", content, fix_manifest=True)
    result = invoke(target_runner, import_command, str(older))
    assert result.exit_code == 0, result.output
    counts = table_counts(target)
    assert counts["framework"] == 1 and counts["evidence"] > 0
    assert all(counts[name] == 0 for name in archive_format.EVENT_TABLES)
    shown = target_runner.invoke(args=["event", "show", "sww-2021"])
    assert shown.exit_code == 1 and "sww-2021" in shown.output
    rated = target_runner.invoke(args=["rate", "--framework", slug, "--json"])
    assert rated.exit_code == 0, rated.output

    # Event tables missing from an export whose manifest counts their rows, or some of them but not all:
    # a damaged export, not an older one, refused with nothing written.
    restored = table_counts(target)
    for bad, message in (
        (uncounted, "'event.json' is missing; the manifest says it has"),
        (write_zip(tmp_path / "partial.zip", partial, fix_manifest=True), "'event_answer.json' is missing"),
    ):
        refused = invoke(target_runner, import_command, str(bad))
        assert refused.exit_code == 1 and message in refused.output, refused.output
        assert len(refused.output.strip().splitlines()) == 1
        assert table_counts(target) == restored
