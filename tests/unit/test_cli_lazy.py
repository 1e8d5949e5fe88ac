"""`tracker --help` imports no Flask, database or PDF code, and the listed commands are true to the real ones
(issue 23: a command imports what it needs, no more)."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from tracker import cli as tracker_cli

HEAVY = ("flask", "flask_sqlalchemy", "flask_wtf", "flask_login", "flask_limiter", "sqlalchemy", "alembic")
HEAVY += (
    "weasyprint",
    "pikepdf",
    "werkzeug",
    "jinja2",
    "wtforms",
    "psycopg",
    "gunicorn",
    "rq",
    "redis",
    "yaml",
)


def modules_after(*args: str) -> set[str]:
    """The modules a fresh `tracker ARGS` process has imported when it ends."""
    code = (
        "import sys\n"
        "from tracker.cli import main\n"
        f"sys.argv = ['tracker', *{list(args)!r}]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('\\n'.join(sorted(sys.modules)), file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "Usage: tracker" in done.stdout
    return set(done.stderr.split())


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.split(".")[0] in HEAVY)


def features(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m.startswith("tracker.") and not m.startswith("tracker.cli"))


def test_tracker_help_imports_only_click_and_the_command_group() -> None:
    modules = modules_after("--help")
    assert heavy(modules) == []
    assert features(modules) == []
    assert sorted(m for m in modules if m.startswith("tracker.cli.")) == []


def test_the_reports_help_imports_its_own_module_and_nothing_heavy() -> None:
    """`tracker report` imports its database and PDF code when it runs (a PDF's renderer starts first); a
    command's help has Flask loaded (the app's ScriptInfo is made as the group hands over to the command)."""
    modules = modules_after("report", "--help")
    every = {f"tracker.cli.{m}" for names, _ in tracker_cli.COMMANDS.values() for m in names}
    assert sorted(every & modules) == ["tracker.cli.reports"]
    assert [m for m in heavy(modules) if m.split(".")[0] not in ("flask", "werkzeug", "jinja2")] == []
    assert features(modules) == []


def test_the_app_and_the_report_code_leave_the_pdf_libraries_to_the_render_children() -> None:
    """WeasyPrint and pikepdf load in the render children (and their fork server), never in a web worker or
    the command that asks for a PDF: their import is half a second the command would wait for."""
    code = (
        "import sys\n"
        "import tracker.reports.render, tracker.reports.pdf_pool, tracker.web.reports, tracker.cli.reports\n"
        "from tracker import create_app\n"
        "print(' '.join(m for m in ('weasyprint', 'pikepdf') if m in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == []


@pytest.fixture(scope="module")
def every_command() -> dict[str, click.Command]:
    tracker_cli._register_feature_commands()
    return dict(tracker_cli.cli.commands)


def test_the_listed_commands_are_every_command(every_command: dict[str, click.Command]) -> None:
    assert set(every_command) == {*tracker_cli.COMMANDS, "init-db", "serve"}
    # A new command module works unlisted (imported for `--help` and for any name not listed), but add its
    # line to COMMANDS: its modules and its one-line help.
    assert tracker_cli.unlisted_modules() == []


@pytest.mark.parametrize("name", sorted(tracker_cli.COMMANDS))
def test_each_command_lists_the_modules_that_make_it(
    every_command: dict[str, click.Command], name: str
) -> None:
    """Importing the listed modules alone makes the command whole: its own and every subcommand's."""
    command = every_command[name]
    parts = [command, *(command.commands.values() if isinstance(command, click.Group) else ())]
    made_in = {getattr(part.callback, "__module__", "") for part in parts}
    assert made_in == {f"tracker.cli.{m}" for m in tracker_cli.COMMANDS[name][0]}


@pytest.mark.parametrize("name", sorted(tracker_cli.COMMANDS))
def test_each_listed_help_reads_as_the_commands_own(
    every_command: dict[str, click.Command], name: str
) -> None:
    """At every terminal width `tracker --help` shows, unimported, the line the command itself would."""
    listed = click.Command(name, help=tracker_cli.COMMANDS[name][1])
    for limit in range(20, 200):
        assert listed.get_short_help_str(limit) == every_command[name].get_short_help_str(limit), limit
