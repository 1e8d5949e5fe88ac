"""The README's tour of the commands names every command the `tracker` program has (issue 17, item 8)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click

from tracker.cli import cli

README = Path(__file__).resolve().parents[2] / "README.md"


def subcommands(group: click.Group) -> Iterator[tuple[str, click.Command]]:
    """Every command of a group, through click's own lookup (the `tracker` group imports its modules lazily)."""
    context = click.Context(group)
    for name in group.list_commands(context):
        command = group.get_command(context, name)
        assert command is not None, name
        yield name, command


def commands(group: click.Group, prefix: str = "tracker") -> Iterator[str]:
    for name, command in subcommands(group):
        if isinstance(command, click.Group):
            yield from commands(command, f"{prefix} {name}")
        else:
            yield f"{prefix} {name}"


def tour() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("## A short tour of the commands")
    return text[start : text.index("\n## ", start + 1)]


def test_the_tour_names_every_command() -> None:
    listed = set(re.findall(r"^\| `(tracker [a-z-]+(?: [a-z][a-z-]*)?)", tour(), flags=re.MULTILINE))
    every = set(commands(cli))
    assert {"tracker export", "tracker import", "tracker backup", "tracker worker"} <= every
    assert every - listed == set(), "commands missing from the README's tour"


def test_the_tour_shows_each_commands_real_options() -> None:
    """Each option a row names is one its command takes (no option invented or renamed)."""
    rows = re.findall(r"^\| `(tracker [^`]+)` \|", tour(), flags=re.MULTILINE)
    every = {name: command for name, command in _named(cli)}
    for row in rows:
        name = next(n for n in sorted(every, key=len, reverse=True) if row.startswith(n + " ") or row == n)
        options = {o for p in every[name].params for o in getattr(p, "opts", [])}
        for written in re.findall(r"(?<![\w-])(--?[a-z][a-z-]*)", row.removeprefix(name)):
            assert written in options, f"{name}: {written} is not an option of the command"


def _named(group: click.Group, prefix: str = "tracker") -> Iterator[tuple[str, click.Command]]:
    for name, command in subcommands(group):
        if isinstance(command, click.Group):
            yield from _named(command, f"{prefix} {name}")
        else:
            yield f"{prefix} {name}", command
