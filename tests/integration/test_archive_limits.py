"""Import limits: a backup of anything the tracker accepted restores; a lying or oversized zip writes nothing.

Issue 15: a 20 MiB PDF of zeros, accepted as an upload, made its own export unrestorable (refused as a zip
bomb for expanding 1,027 times). The guard is now the sizes and sha256 the manifest declares plus absolute
limits, checked on the zip's directory first and again while each member is read, a chunk at a time.
"""

from __future__ import annotations

import hashlib
import io
import json
import struct
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tracker.cli.archive import export_command, import_command
from tracker.db.models import Attachment, Base
from tracker.extensions import db
from tracker.services import archive as archive_service
from tracker.services import archive_safety

from ..conftest import TrackerCliRunner, sign_in
from .test_archive import invoke, members, upload_files, write_zip

SLUG = "tiny-partnership"
LIMIT = 20 * 1024 * 1024
SHIPPED = Path(__file__).resolve().parents[2] / "frameworks" / "social_work_week_2021.yaml"


def zero_pdf(size: int) -> bytes:
    """A valid-looking PDF of exactly `size` bytes, nearly all zeros: it compresses about a thousand times."""
    head, tail = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n", b"\n%%EOF\n"
    return head + bytes(size - len(head) - len(tail)) + tail


def database_digest(app: Flask) -> str:
    """One sha256 over every row of every table, in primary-key order: any write changes it."""
    digest = hashlib.sha256()
    with app.app_context():
        for table in Base.metadata.sorted_tables:
            query = select(table).order_by(*table.primary_key.columns)
            for row in db.session.execute(query):
                digest.update(repr((table.name, tuple(row))).encode())
    return digest.hexdigest()


@pytest.fixture
def empty_target(make_app: Any, second_url: str, tmp_path: Path) -> Flask:
    """An empty, migrated tracker on the second database, with an upload folder of its own."""
    return make_app(DATABASE_URL=second_url, UPLOAD_FOLDER=str(tmp_path / "target-uploads"))  # type: ignore[no-any-return]


@pytest.fixture
def target(empty_target: Flask) -> Flask:
    """The second tracker holding another framework, so 'nothing was written' is about rows that exist."""
    app = empty_target
    result = TrackerCliRunner(app).invoke(args=["framework", "load", str(SHIPPED)])
    assert result.exit_code == 0, result.output
    return app


@pytest.fixture
def target_runner(target: Flask) -> TrackerCliRunner:
    return TrackerCliRunner(target)


@pytest.fixture
def big_export(app: Flask, runner: Any, make_user: Any, framework: str, tmp_path: Path) -> Path:
    """The tiny framework with a 20 MiB (exactly the upload limit) PDF of zeros uploaded through the form."""
    assert app.config["UPLOAD_MAX_BYTES"] == LIMIT
    client = app.test_client()
    sign_in(client, make_user("lead"))
    fields = {
        "title": "Placement audit scans",
        "source_type": "survey",
        "collected_on": "2023-01-20",
        "links": "educators-supported",
        "finding": "supports",
        "action": "submit",
        "attachments": FileStorage(io.BytesIO(zero_pdf(LIMIT)), "scans.pdf"),
    }
    # Encoded in memory: the test client would spool a body this large to a file it never closes.
    boundary, body = encode_multipart(fields)
    response = client.post(
        f"/f/{SLUG}/evidence/new", data=body, content_type=f"multipart/form-data; boundary={boundary}"
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    path = tmp_path / "big.zip"
    result = invoke(runner, export_command, "--framework", SLUG, "-o", str(path))
    assert result.exit_code == 0, result.output
    return path


def stored_attachments(app: Flask) -> list[tuple[str, str, int, str]]:
    with app.app_context():
        return [
            (a.original_name, a.stored_name, a.size, a.sha256)
            for a in db.session.scalars(select(Attachment).order_by(Attachment.id))
        ]


def file_member(content: dict[str, bytes]) -> str:
    return next(name for name in content if name.startswith(archive_service.FILES_PREFIX))


def refused_and_untouched(runner: TrackerCliRunner, app: Flask, path: Path, message: str) -> None:
    """The import fails with one line naming the problem, and neither the database nor the folder changed."""
    before, files = database_digest(app), upload_files(app)
    result = invoke(runner, import_command, str(path))
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], lines
    assert database_digest(app) == before
    assert upload_files(app) == files


# ------------------------------------------------------------------------------------------- round trip


def test_an_export_holding_a_20_mib_compressible_attachment_restores(
    app: Flask, big_export: Path, empty_target: Flask
) -> None:
    target, target_runner = empty_target, TrackerCliRunner(empty_target)
    with zipfile.ZipFile(big_export) as zf:
        info = zf.getinfo(file_member(members(big_export)))
    assert info.file_size == LIMIT and info.file_size > 500 * info.compress_size  # the old guard's refusal
    result = invoke(target_runner, import_command, str(big_export))
    assert result.exit_code == 0, result.output
    assert f"imported {SLUG}" in result.output and f"{LIMIT:,} bytes of files" in result.output
    [restored] = stored_attachments(target)
    assert stored_attachments(app) == [restored]
    assert restored[0] == "scans.pdf" and restored[2] == LIMIT
    [path] = upload_files(target)  # kept by the default store under its digest
    assert path.parent.name + path.name == restored[3] and path.stat().st_size == LIMIT
    assert hashlib.sha256(path.read_bytes()).hexdigest() == restored[3]


def test_the_limit_per_file_is_the_importing_trackers_upload_limit(
    big_export: Path, make_app: Any, tmp_path: Path, second_url: str
) -> None:
    """The per-file limit is the importing tracker's UPLOAD_MAX_BYTES, and the refusal names it."""
    smaller = make_app(
        DATABASE_URL=second_url, UPLOAD_FOLDER=str(tmp_path / "small-uploads"), UPLOAD_MAX_BYTES=LIMIT - 1
    )
    runner = TrackerCliRunner(smaller)
    message = f"expands to {LIMIT:,} bytes, more than the {LIMIT - 1:,} (20 MB) allowed for an attachment (the upload"
    refused_and_untouched(runner, smaller, big_export, message)


# ------------------------------------------------------------------------------------------- refusals


def test_a_member_longer_than_its_declared_size_is_refused(
    big_export: Path, target: Flask, target_runner: TrackerCliRunner, tmp_path: Path
) -> None:
    """The manifest declares 19 MiB; the member, within the absolute limit, holds 20 MiB."""
    content = members(big_export)
    name = file_member(content)
    manifest = json.loads(content[archive_service.MANIFEST])
    manifest["members"][name]["size"] = LIMIT - 1024**2
    content[archive_service.MANIFEST] = json.dumps(manifest).encode()
    bad = write_zip(tmp_path / "longer.zip", content)
    message = f"member {name!r} is damaged: the zip says {LIMIT:,} bytes, the manifest {LIMIT - 1024**2:,}"
    refused_and_untouched(target_runner, target, bad, message)


def lie_about_size(path: Path, name: str, size: int) -> None:
    """Rewrites the uncompressed size of one member in both its local header and the central directory."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(name)
        start = zf.start_dir  # type: ignore[attr-defined]
    struct.pack_into("<I", data, info.header_offset + 22, size)
    at = start
    while data[at : at + 4] == b"PK\x01\x02":
        name_length, extra_length, comment_length = struct.unpack_from("<HHH", data, at + 28)
        if data[at + 46 : at + 46 + name_length].decode() == name:
            struct.pack_into("<I", data, at + 24, size)
        at += 46 + name_length + extra_length + comment_length
    path.write_bytes(bytes(data))


def test_a_member_whose_zip_header_lies_is_read_no_further_than_declared(
    big_export: Path, target: Flask, target_runner: TrackerCliRunner, tmp_path: Path
) -> None:
    """The zip's directory and the manifest agree on 1 MiB, but the member inflates to 20 MiB."""
    content = members(big_export)
    name = file_member(content)
    manifest = json.loads(content[archive_service.MANIFEST])
    small = 1024 * 1024
    manifest["members"][name]["size"] = small
    content[archive_service.MANIFEST] = json.dumps(manifest).encode()
    bad = write_zip(tmp_path / "lying.zip", content)
    lie_about_size(bad, name, small)
    with zipfile.ZipFile(bad) as zf:
        assert zf.getinfo(name).file_size == small
    refused_and_untouched(target_runner, target, bad, f"member {name!r} is damaged")


def test_a_member_beyond_the_absolute_limit_is_refused_from_the_directory(
    big_export: Path, target: Flask, target_runner: TrackerCliRunner, tmp_path: Path
) -> None:
    """A forger makes the manifest and the attachment row agree on a 40 MiB file of zeros."""
    content = members(big_export)
    name = file_member(content)
    content[name] = zero_pdf(2 * LIMIT)
    digest = hashlib.sha256(content[name]).hexdigest()
    document = json.loads(content["attachment.json"])
    document["rows"][0].update(size=2 * LIMIT, sha256=digest)
    content["attachment.json"] = json.dumps(document).encode()
    bad = write_zip(tmp_path / "huge.zip", content, fix_manifest=True)
    refused_and_untouched(
        target_runner,
        target,
        bad,
        f"member {name!r} expands to {2 * LIMIT:,} bytes, more than the 20,971,520 (20 MB) allowed for an attachment",
    )


def test_a_manifest_declaring_a_member_beyond_the_limit_is_refused(
    big_export: Path, target: Flask, target_runner: TrackerCliRunner, tmp_path: Path
) -> None:
    content = members(big_export)
    name = file_member(content)
    manifest = json.loads(content[archive_service.MANIFEST])
    manifest["members"][name]["size"] = 10 * 1024**3
    content[archive_service.MANIFEST] = json.dumps(manifest).encode()
    bad = write_zip(tmp_path / "declared.zip", content)
    refused_and_untouched(target_runner, target, bad, f"member {name!r} is declared as 10,737,418,240 bytes")


def test_a_table_document_beyond_its_limit_is_refused(
    big_export: Path, target: Flask, target_runner: TrackerCliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archive_safety, "MAX_TABLE_BYTES", 1000)
    refused_and_untouched(target_runner, target, big_export, "allowed for a table document")


def test_a_disk_without_room_for_the_files_is_refused_before_anything_is_written(
    big_export: Path, target: Flask, target_runner: TrackerCliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The disk's free space is checked against what the manifests declare, with 64 MB kept spare."""
    monkeypatch.setattr(
        archive_service.shutil, "disk_usage", lambda _path: SimpleNamespace(free=80 * 1024**2)
    )
    message = (
        "the attachments need 20 MB but the upload folder's disk has 80 MB free (and 64 MB is kept spare)"
    )
    refused_and_untouched(target_runner, target, big_export, message)


def test_an_export_that_an_import_would_refuse_is_not_written(
    app: Flask,
    runner: Any,
    framework: str,
    make_evidence: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The limits are the import's, so a backup that could not be restored is refused when it is made."""
    make_evidence()
    monkeypatch.setattr(archive_safety, "MAX_TABLE_BYTES", 1000)
    out = tmp_path / "out.zip"
    result = invoke(runner, export_command, "--framework", SLUG, "-o", str(out))
    assert (
        result.exit_code == 1
        and "an import accepts for a table document; nothing was exported" in result.output
    )
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".zip" or ".part" in p.name) == []
