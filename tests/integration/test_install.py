"""`pip install .` (not editable) into a fresh virtual environment gives a working `tracker`."""

from __future__ import annotations

import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_wheel_install_validates_the_shipped_frameworks(tmp_path: Path) -> None:
    source = tmp_path / "src"
    shutil.copytree(
        REPO,
        source,
        ignore=shutil.ignore_patterns(".venv", ".git", "instance", "__pycache__", "*.sqlite3*", ".*_cache"),
    )
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(source)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert install.returncode == 0, install.stderr[-2000:]
    shutil.rmtree(source)  # the installed copy must stand on its own
    tracker = env_dir / "bin" / "tracker"
    where = subprocess.run(
        [str(python), "-c", "import tracker.resources as r; print(r.frameworks_dir()); print(r.templates_dir())"],
        capture_output=True, text=True, check=True, cwd=tmp_path,
    )  # fmt: skip
    frameworks_dir, templates_dir = (Path(line) for line in where.stdout.split())
    assert str(env_dir) in str(frameworks_dir) and (templates_dir / "base.html").is_file()
    files = sorted(str(p) for p in frameworks_dir.glob("*.yaml"))
    assert len(files) == 3
    validate = subprocess.run(
        [str(tracker), "framework", "validate", *files], capture_output=True, text=True, cwd=tmp_path
    )
    assert validate.returncode == 0, validate.stdout + validate.stderr
    env = {"PATH": "/usr/bin:/bin", "TRACKER_INSTANCE_PATH": str(tmp_path / "instance")}
    init = subprocess.run([str(tracker), "init-db"], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert init.returncode == 0, init.stderr
    load = subprocess.run(
        [str(tracker), "framework", "load", *files], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert load.returncode == 0, load.stderr
    add = subprocess.run(
        [str(tracker), "user", "add", "board@example.org", "--role", "board", "--password-stdin"],
        input="a long board password\n", capture_output=True, text=True, cwd=tmp_path, env=env,
    )  # fmt: skip
    assert add.returncode == 0, add.stderr
    page = subprocess.run(
        [str(python), "-c", "from tracker import create_app; a = create_app({'WTF_CSRF_ENABLED': False}); "
         "c = a.test_client(); c.post('/login', data={'email': 'board@example.org', 'password': 'a long board password'}); "
         "r = c.get('/f/developing-together/'); print(r.status_code, b'The student journey' in r.data)"],
        capture_output=True, text=True, cwd=tmp_path, env=env,
    )  # fmt: skip
    assert page.stdout.strip() == "200 True", page.stderr[-2000:]
    assert sys.version_info >= (3, 11)
