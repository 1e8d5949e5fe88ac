"""Two `tracker serve` processes and one `tracker worker` over one PostgreSQL, one Redis and the database store
share everything a user sees: files, PDFs and sign-outs (docs/deploy.md). Real processes, real HTTP.

Each process has an instance folder of its own, so nothing can pass between them through local files.
"""

from __future__ import annotations

import hashlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path
from typing import IO, Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError

from ..conftest import PASSWORD, PG_URL, REPO, empty_database
from ..redis_db import flushed_database, unavailable
from ..services.test_survey_levels_stored import (
    ORGS_CSV,
    SURVEY,
    SURVEY_ID,
    current_rows,
    import_round,
    previous_rows,
)

pytestmark = pytest.mark.slow

REDIS_DB = 13  # a Redis database of this test's own, flushed first
TRACKER = [sys.executable, "-c", "from tracker.cli import main; main()"]
SLUG = "tiny-partnership"
LEAD = "lead@two-servers.invalid"
ADMIN = "admin@two-servers.invalid"
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')
# Over 2 MB, so the database store keeps it as three chunks; a PDF by its first bytes, as uploads must be.
UPLOAD = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n" + hashlib.sha256(b"x").digest() * 80_000
PATIENCE = 180  # seconds a process may take to start or the worker to render, before the test gives up


@pytest.fixture
def postgres(tmp_path: Path) -> Iterator[str]:
    if not PG_URL:
        unavailable("the two-server test needs PostgreSQL: set TRACKER_TEST_DATABASE_URL (CI does)")
    engine = create_engine(PG_URL)
    try:
        engine.connect().close()
    except OperationalError as error:
        unavailable(f"the two-server test needs PostgreSQL; {PG_URL} does not answer: {error.orig}")
    finally:
        engine.dispose()
    with empty_database("postgresql", tmp_path, "two_servers") as url:
        yield url


@pytest.fixture
def redis_url() -> Iterator[str]:
    yield from flushed_database(REDIS_DB, "the two-server test")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: IO[bytes]
    log_path: Path

    def output(self) -> str:
        self.log.flush()
        return self.log_path.read_text(errors="replace")[-3000:]

    def stop(self) -> None:
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)  # its own process group: gunicorn's workers, rq's horse
            try:
                self.popen.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait(30)
        self.log.close()


class Deployment:
    """The settings every process shares, and an instance folder of its own for each."""

    def __init__(self, tmp_path: Path, database_url: str, redis_url: str) -> None:
        self.tmp_path = tmp_path
        shared = {k: v for k, v in os.environ.items() if not k.startswith("TRACKER_")}
        self.env = shared | {
            "TRACKER_DATABASE_URL": database_url,
            "TRACKER_REDIS_URL": redis_url,
            "TRACKER_STORAGE_URL": "database:",
            "TRACKER_SECRET_KEY": "two-servers-" + uuid.uuid4().hex * 2,
            "TRACKER_REPORT_QUEUE": f"two-servers-{uuid.uuid4().hex}",
        }
        self.processes: list[Process] = []

    def env_for(self, name: str) -> dict[str, str]:
        instance = self.tmp_path / f"instance-{name}"
        return self.env | {"TRACKER_INSTANCE_PATH": str(instance)}

    def run(self, *args: str, stdin: str = "") -> str:
        done = subprocess.run(
            [*TRACKER, *args],
            env=self.env_for("setup"),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, f"tracker {' '.join(args)}: {done.stdout}{done.stderr}"
        return done.stdout

    def invoke(self, args: list[str]) -> Any:
        """The CLI runner's interface, so the survey tests' loaders run the real command in a process."""
        done = subprocess.run(
            [*TRACKER, *args], env=self.env_for("setup"), capture_output=True, text=True, timeout=300
        )
        return type("Result", (), {"exit_code": done.returncode, "output": done.stdout + done.stderr})()

    def start(self, name: str, *args: str) -> Process:
        log_path = self.tmp_path / f"{name}.log"
        log = log_path.open("wb")
        popen = subprocess.Popen(
            [*TRACKER, *args],
            env=self.env_for(name),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        process = Process(name, popen, log, log_path)
        self.processes.append(process)
        return process

    def serve(self, name: str) -> str:
        port = free_port()
        process = self.start(name, "serve", "--port", str(port), "--workers", "1")
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + PATIENCE
        while time.monotonic() < deadline:
            assert process.popen.poll() is None, f"server {name} stopped:\n{process.output()}"
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as response:  # noqa: S310 (loopback)
                    if response.status == 200:
                        return base
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"server {name} did not answer within {PATIENCE} s:\n{process.output()}")

    def stop(self) -> None:
        for process in self.processes:
            process.stop()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    headers: Any

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Browser:
    """One browser behind a load balancer: one cookie jar, whichever server a request reaches."""

    def __init__(self) -> None:
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def request(self, url: str, data: bytes | None = None, headers: dict[str, str] | None = None) -> Answer:
        req = urllib.request.Request(url, data=data, headers=headers or {})  # noqa: S310 (loopback)
        try:
            with self.opener.open(req, timeout=120) as response:
                return Answer(response.status, response.read(), response.headers)
        except urllib.error.HTTPError as error:
            with error:
                return Answer(error.code, error.read(), error.headers)

    def token(self, url: str) -> str:
        page = self.request(url)
        match = CSRF.search(page.text)
        assert page.status == 200 and match, f"no CSRF token on {url} ({page.status})"
        return match.group(1)

    def post(self, url: str, fields: dict[str, str], form_url: str | None = None) -> Answer:
        pairs = {"csrf_token": self.token(form_url or url), **fields}
        body = urllib.parse.urlencode(pairs).encode()
        return self.request(url, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)


def multipart(fields: dict[str, str], filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = f"----two-servers-{uuid.uuid4().hex}"
    body = b"".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    )
    body += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="{filename}"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    body += content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


@pytest.fixture
def deployment(tmp_path: Path, postgres: str, redis_url: str) -> Iterator[Deployment]:
    deployment = Deployment(tmp_path, postgres, redis_url)
    deployment.run("init-db")
    deployment.run("framework", "load", str(REPO / "tests" / "fixtures" / "tiny.yaml"))
    deployment.run("user", "add", LEAD, "--role", "lead", "--partner", "tiny-council", "--password-stdin",
                   stdin=PASSWORD + "\n")  # fmt: skip
    deployment.run("user", "add", ADMIN, "--role", "admin", "--password-stdin", stdin=PASSWORD + "\n")
    try:
        yield deployment
    finally:
        deployment.stop()


def test_two_servers_and_a_worker_share_files_pdfs_and_sign_outs(deployment: Deployment) -> None:
    a, b = deployment.serve("a"), deployment.serve("b")
    worker = deployment.start("worker", "worker")
    browser = Browser()
    signed_in = browser.post(f"{a}/login", {"email": LEAD, "password": PASSWORD})
    assert signed_in.status == 302, signed_in.text[:500]
    assert browser.request(f"{b}/").status == 200  # the cookie A signed is good on B (one SECRET_KEY)

    # An upload on A is downloadable, byte for byte, from B.
    token = browser.token(f"{a}/f/{SLUG}/evidence/new")
    fields = {"csrf_token": token, "title": "Survey on two servers", "source_type": "survey",
              "collected_on": "2023-01-20", "links": "educators-supported", "finding": "supports",
              "action": "submit"}  # fmt: skip
    body, content_type = multipart(fields, "two-servers.pdf", UPLOAD)
    saved = browser.request(f"{a}/f/{SLUG}/evidence/new", body, {"Content-Type": content_type})
    assert saved.status == 302, saved.text[:1000]
    evidence_path = urllib.parse.urlsplit(saved.headers["Location"]).path
    on_b = browser.request(f"{b}{evidence_path}")
    assert on_b.status == 200
    links = re.findall(r'href="(/attachments/\d+)"', on_b.text)
    assert len(set(links)) == 1, links
    download = browser.request(f"{b}{links[0]}")
    assert download.status == 200 and download.body == UPLOAD
    assert not list((deployment.tmp_path / "instance-a").rglob("blobs"))  # not kept in A's folder

    # A report PDF asked for on A is rendered by the worker and served by B (which never renders it itself).
    asked = browser.request(f"{a}/f/{SLUG}/report.pdf")
    assert asked.status == 202 and "Making the PDF" in asked.text
    deadline = time.monotonic() + PATIENCE
    served = browser.request(f"{b}/f/{SLUG}/report.pdf")
    while served.status == 202 and time.monotonic() < deadline:
        assert worker.popen.poll() is None, f"the worker stopped:\n{worker.output()}"
        time.sleep(0.5)
        served = browser.request(f"{b}/f/{SLUG}/report.pdf")
    assert served.status == 200, f"{served.status} {served.text[:500]}\nworker:\n{worker.output()}"
    assert served.body.startswith(b"%PDF") and served.headers["Content-Type"] == "application/pdf"
    assert browser.request(f"{a}/f/{SLUG}/report.pdf").body == served.body  # one cached copy for both
    for name in ("a", "b", "worker"):
        assert not list((deployment.tmp_path / f"instance-{name}").rglob("*.pdf")), name

    # Sign-in attempts are counted in Redis, not in each process.
    from redis import Redis

    with Redis.from_url(deployment.env["TRACKER_REDIS_URL"]) as redis:
        assert any(key.startswith(b"LIMITS") for key in redis.scan_iter()), list(redis.scan_iter())

    # A sign-out on A ends that very session cookie on B as well.
    cookie = browser.cookie_header()
    assert cookie
    stale = Browser()
    assert stale.request(f"{b}/", headers={"Cookie": cookie}).status == 200
    signed_out = browser.post(f"{a}/logout", {}, form_url=f"{a}/")
    assert signed_out.status == 302 and signed_out.headers["Location"].endswith("/login")
    refused = stale.request(f"{b}/", headers={"Cookie": cookie})
    assert refused.status == 302 and "/login" in refused.headers["Location"]
    assert stale.request(f"{b}{links[0]}", headers={"Cookie": cookie}).status == 302

    engine = create_engine(deployment.env["TRACKER_DATABASE_URL"])
    try:
        with engine.connect() as connection:
            cached = connection.execute(text("SELECT count(*) FROM cached_pdf")).scalar_one()
    finally:
        engine.dispose()
    assert cached == 1


def test_a_survey_report_set_made_by_the_worker_is_shown_and_served_by_the_other_server(
    deployment: Deployment,
) -> None:
    tmp_path = deployment.tmp_path
    framework = tmp_path / "tiny-surveys.yaml"
    tiny = (REPO / "tests" / "fixtures" / "tiny.yaml").read_text(encoding="utf-8")
    framework.write_text(
        tiny.replace("version: 1", "version: 2") + SURVEY.format(minimum=10), encoding="utf-8"
    )
    deployment.run("framework", "load", str(framework))
    orgs = tmp_path / "orgs.csv"
    orgs.write_text(ORGS_CSV, encoding="utf-8")
    deployment.run("survey", "orgs", str(orgs), "--framework", SLUG, "--survey", SURVEY_ID)
    import_round(deployment, tmp_path, "2022/23", previous_rows())
    import_round(deployment, tmp_path, "2023/24", current_rows())
    a, b = deployment.serve("a"), deployment.serve("b")
    worker = deployment.start("worker", "worker")
    browser = Browser()
    assert browser.post(f"{a}/login", {"email": ADMIN, "password": PASSWORD}).status == 302
    reports = f"/f/{SLUG}/surveys/{SURVEY_ID}/reports"
    started = browser.post(f"{a}{reports}?round=2023/24", {}, form_url=f"{a}{reports}?round=2023/24")
    assert started.status == 302, started.text[:500]
    deadline = time.monotonic() + PATIENCE
    page = browser.request(f"{b}{reports}?round=2023/24")
    while "All 6 reports were made" not in page.text and time.monotonic() < deadline:
        assert worker.popen.poll() is None, f"the worker stopped:\n{worker.output()}"
        time.sleep(1)
        page = browser.request(f"{b}{reports}?round=2023/24")
    assert "All 6 reports were made" in page.text, f"{page.text[-2000:]}\nworker:\n{worker.output()}"
    links = dict(re.findall(r'href="([^"]+/reports/2023-24/[^"]+)">([^<]+)<', page.text))
    assert sorted(links.values()) == sorted(
        ["national.pdf", "region-north.pdf", "region-south.pdf", "org-a.pdf", "org-b.pdf", "org-c.pdf"]
    ), links
    org_b = next(href for href, name in links.items() if name == "org-b.pdf")
    pdf = browser.request(f"{b}{org_b}")
    assert pdf.status == 200 and pdf.body.startswith(b"%PDF")
    for name in ("a", "b", "worker"):
        assert not (tmp_path / f"instance-{name}" / "survey-reports").exists(), name
