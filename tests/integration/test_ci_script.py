""".ci/run cannot pass by accident: a failing install or a missing browser fails it, before pytest runs.

Each test runs the script in a copy of the repository whose tests/ holds only a conftest that records
that pytest started and stops it at once, so this test can never run the suite from inside the suite.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# A dependency pip cannot install, found out without asking any registry: a file that is not there.
PROBE_PACKAGE = "tracker-ci-probe @ file:///nonexistent/tracker-ci-probe-0.0.1.tar.gz"
STOP_PYTEST = """
from pathlib import Path

import pytest

Path(__file__).with_name("PYTEST_RAN").write_text("pytest started")
pytest.exit("the CI script test's copy must never run its tests", returncode=99)
"""

pytestmark = pytest.mark.slow


def copy_repository(target: Path) -> Path:
    """The tracked files, but a tests/ that refuses to run anything."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = ROOT / name
        if name.startswith("tests/") or not source.is_file():
            continue
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target / name)
    (target / "tests").mkdir()
    (target / "tests" / "conftest.py").write_text(STOP_PYTEST, encoding="utf-8")
    return target


def stub(directory: Path, name: str, script: str = "exit 1") -> None:
    path = directory / name
    path.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)


def path_without(directory: Path, absent: set[str]) -> str:
    """A PATH of links to every command on this PATH except `absent`, stubs in `directory` first."""
    farm = directory / "bin"
    farm.mkdir()
    for entry in os.environ.get("PATH", "").split(os.pathsep):
        folder = Path(entry)
        if not folder.is_dir():
            continue
        for command in folder.iterdir():
            if (
                command.name in absent
                or (farm / command.name).exists()
                or (directory / command.name).exists()
            ):
                continue
            if command.is_file() and os.access(command, os.X_OK):
                (farm / command.name).symlink_to(command)
    return os.pathsep.join([str(directory), str(farm)])


def run_ci(repository: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", str(repository / ".ci" / "run")],
        cwd=repository,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=600,
        check=False,
    )


def base_env(stubs: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "TRACKER_", "VIRTUAL_ENV"))}
    env.pop("CI", None)
    env["PATH"] = os.pathsep.join([str(stubs), env.get("PATH", "")])
    return env


def test_a_failing_install_fails_the_script_before_pytest(tmp_path: Path) -> None:
    repository = copy_repository(tmp_path / "repo")
    pyproject = repository / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    assert "dependencies = [\n" in text
    text = text.replace("dependencies = [\n", f'dependencies = [\n    "{PROBE_PACKAGE}",\n', 1)
    pyproject.write_text(text + "\n[tool.hatch.metadata]\nallow-direct-references = true\n", encoding="utf-8")
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    stub(stubs, "apt-get")  # no package installs from a test
    env = base_env(stubs)

    result = run_ci(repository, env)

    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "CI FAILED: the README's test command failed" in result.stderr, output
    assert "tracker-ci-probe" in output
    assert not (repository / "tests" / "PYTEST_RAN").exists()
    assert "CI passed" not in output


def test_under_ci_a_missing_chromium_fails_with_one_clear_line(tmp_path: Path) -> None:
    repository = copy_repository(tmp_path / "repo")
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    stub(stubs, "apt-get")  # Chromium cannot be installed either
    env = base_env(stubs)
    env["CI"] = "true"
    env["PATH"] = path_without(stubs, {"chromium", "chromium-browser"})

    result = run_ci(repository, env)

    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    failures = [line for line in result.stderr.splitlines() if line.startswith("CI FAILED")]
    assert failures == [
        "CI FAILED: Chromium is missing ('chromium' is not on PATH and apt-get could not install it):"
        " browser tests cannot run"
    ], output
    assert not (repository / ".venv").exists()  # it stopped before the README's command
    assert not (repository / "tests" / "PYTEST_RAN").exists()
