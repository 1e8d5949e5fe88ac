"""Bounded load test: simulated users against `tracker serve --workers 2` on loopback; nothing may be lost.

    .venv/bin/python -m tests.load.run_load --users 20 --seconds 60 [--database postgresql+psycopg://...]

Starts the production server on a free 127.0.0.1 port over a fresh database with the demo loaded, then runs
the users from this (second) process: leads sign in, log evidence with a PDF attachment and submit it;
evaluators accept submitted items and open the review queue; board members read the dashboard, outcome pages
and the report. Afterwards it checks: no 5xx answer, every save the server acknowledged (a redirect to the new
item) is in the database with its attachment, and two saves from the same version never both succeed.
Prints p50/p95 latency per kind of request as JSON. It stops by itself after --seconds.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class User:
    """One browser-like session: cookies, CSRF tokens, timings."""

    def __init__(
        self, base: str, email: str, password: str, stats: dict[str, list[float]], errors: list[str]
    ) -> None:
        self.base, self.email, self.password = base, email, password
        self.stats, self.errors = stats, errors
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), NoRedirect()
        )

    def request(
        self, kind: str, path: str, data: bytes | None = None, headers: dict[str, str] | None = None
    ) -> tuple[int, str, str]:
        started = time.perf_counter()
        req = urllib.request.Request(self.base + path, data=data, headers=headers or {})  # noqa: S310 (loopback)
        try:
            with self.opener.open(req, timeout=60) as response:
                status, body, location = response.status, response.read().decode("utf-8", "replace"), ""
        except urllib.error.HTTPError as error:
            status, body, location = (
                error.code,
                error.read().decode("utf-8", "replace"),
                error.headers.get("Location", ""),
            )
        self.stats.setdefault(kind, []).append(time.perf_counter() - started)
        if status >= 500:
            self.errors.append(f"{status} {kind} {path}")
        return status, body, location

    def token(self, path: str) -> str:
        _status, body, _ = self.request("page", path)
        match = CSRF.search(body)
        return match.group(1) if match else ""

    def post(
        self, kind: str, path: str, fields: dict[str, str | list[str]], form_path: str | None = None
    ) -> tuple[int, str, str]:
        token = self.token(form_path or path)
        pairs = [("csrf_token", token)]
        for key, value in fields.items():
            pairs += [(key, v) for v in (value if isinstance(value, list) else [value])]
        return self.request(
            kind,
            path,
            urllib.parse.urlencode(pairs).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )

    def sign_in(self) -> None:
        status, _body, _ = self.post("login", "/login", {"email": self.email, "password": self.password})
        if status != 302:
            self.errors.append(f"sign-in failed for {self.email}: {status}")

    def log_evidence(self, n: int) -> int | None:
        token = self.token("/f/developing-together/evidence/new")
        boundary = f"----load{random.getrandbits(64):x}"
        fields = {"csrf_token": token, "title": f"Load test item {self.email} {n}", "source_type": "survey",
                  "collected_on": "2020-05-01", "links": "strong-presence", "finding": "supports",
                  "respondents": "12", "action": "submit"}  # fmt: skip
        body = b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
            for k, v in fields.items()
        )
        body += (f'--{boundary}\r\nContent-Disposition: form-data; name="attachments"; filename="note-{n}.pdf"\r\n'
                 "Content-Type: application/pdf\r\n\r\n").encode() + PDF + f"\r\n--{boundary}--\r\n".encode()  # fmt: skip
        status, _body, location = self.request("log evidence", "/f/developing-together/evidence/new", body,
                                               {"Content-Type": f"multipart/form-data; boundary={boundary}"})  # fmt: skip
        match = re.search(r"/evidence/(\d+)$", location)
        return int(match.group(1)) if status == 302 and match else None


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def run(users: int, seconds: float, database: str | None) -> dict[str, object]:
    work = Path(tempfile.mkdtemp(prefix="tracker-load-"))
    env = dict(
        os.environ, TRACKER_INSTANCE_PATH=str(work / "instance"), TRACKER_SECRET_KEY="load-test-" + "x" * 40
    )
    if database:
        env["TRACKER_DATABASE_URL"] = database
    tracker = [sys.executable, "-c", "from tracker.cli import main; main()"]
    demo = subprocess.run(
        [*tracker, "demo", "--reset", "--yes"], env=env, capture_output=True, text=True, check=True
    )
    passwords = dict(re.findall(r"^\s+\w+\s+(\S+@demo\.invalid)\s+(\S+)$", demo.stdout, re.M))
    port = free_port()
    log = (work / "server.log").open("w")
    server = subprocess.Popen([*tracker, "serve", "--workers", "2", "--port", str(port)], env=env,
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/healthz", timeout=1).close()  # noqa: S310 (loopback)
                break
            except OSError:
                time.sleep(0.2)
        stats: dict[str, list[float]] = {}
        errors: list[str] = []
        acknowledged: list[int] = []
        lock = threading.Lock()
        deadline = time.monotonic() + seconds

        def lead(i: int) -> None:
            user = User(base, "lead@demo.invalid", passwords["lead@demo.invalid"], stats, errors)
            user.sign_in()
            n = 0
            while time.monotonic() < deadline:
                n += 1
                item = user.log_evidence(i * 100_000 + n)
                if item is not None:
                    with lock:
                        acknowledged.append(item)
                user.request("evidence list", "/f/developing-together/evidence")

        def evaluator() -> None:
            user = User(base, "evaluator@demo.invalid", passwords["evaluator@demo.invalid"], stats, errors)
            user.sign_in()
            while time.monotonic() < deadline:
                _s, body, _l = user.request("review queue", "/review")
                for item in re.findall(r'href="/evidence/(\d+)"', body)[:3]:
                    page_status, page, _ = user.request("evidence page", f"/evidence/{item}")
                    version = re.search(r'name="row_version" type="hidden" value="(\d+)"', page) or re.search(
                        r'id="row_version" name="row_version" type="hidden" value="(\d+)"', page)  # fmt: skip
                    if page_status == 200 and 'value="accepted"' in page:
                        user.post("accept", f"/evidence/{item}/status",
                                  {"to": "accepted", "row_version": version.group(1) if version else ""},
                                  form_path=f"/evidence/{item}")  # fmt: skip
                time.sleep(0.2)

        def board() -> None:
            user = User(base, "board@demo.invalid", passwords["board@demo.invalid"], stats, errors)
            user.sign_in()
            pages = ["/f/developing-together/dashboard", "/f/developing-together/outcomes/strong-presence",
                     "/f/developing-together/report", "/f/employer-standards-2024/surveys/health-check-survey"]  # fmt: skip
            while time.monotonic() < deadline:
                path = random.choice(pages)
                user.request(path.split("/")[-1] or "page", path)
            user.request("report pdf", "/f/developing-together/report.pdf")

        leads = users // 2
        evaluators = max(1, users // 5)
        targets = [lambda i=i: lead(i) for i in range(leads)] + [evaluator] * evaluators
        targets += [board] * max(0, users - len(targets))
        threads = [threading.Thread(target=target) for target in targets]
        for t in threads:
            t.start()
        for t in threads:
            t.join(seconds + 120)
        # Every acknowledged save is in the database, with its attachment.
        check = subprocess.run(
            [sys.executable, "-c", (
                "import json,sys; from tracker import create_app; from tracker.extensions import db; "
                "from tracker.db.models import Evidence, Attachment; from sqlalchemy import select; a=create_app(); "
                "ids=json.loads(sys.argv[1]);\nwith a.app_context():\n"
                "  found=set(db.session.scalars(select(Evidence.id).where(Evidence.id.in_(ids))))\n"
                "  files=set(db.session.scalars(select(Attachment.evidence_id).where(Attachment.evidence_id.in_(ids))))\n"
                "  print(json.dumps({'missing': sorted(set(ids)-found), 'without_file': sorted(set(ids)-files)}))"
            ), json.dumps(acknowledged)],
            env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        lost = json.loads(check.stdout)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
        log.close()
    latency = {
        kind: {"n": len(v), "p50_ms": round(statistics.median(v) * 1000, 1),
               "p95_ms": round(sorted(v)[int(len(v) * 0.95) - 1] * 1000, 1) if len(v) >= 20 else None}
        for kind, v in sorted(stats.items())
    }  # fmt: skip
    return {
        "database": "postgresql" if database else "sqlite",
        "users": users,
        "seconds": seconds,
        "requests": sum(len(v) for v in stats.values()),
        "server_errors": errors,
        "server_log": str(work / "server.log"),
        "acknowledged_saves": len(acknowledged),
        "lost_saves": lost["missing"],
        "saves_without_attachment": lost["without_file"],
        "latency": latency,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--database", default=None, help="a SQLAlchemy URL; default a fresh SQLite file")
    args = parser.parse_args()
    result = run(args.users, args.seconds, args.database)
    print(json.dumps(result, indent=2))
    ok = not result["server_errors"] and not result["lost_saves"] and not result["saves_without_attachment"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
