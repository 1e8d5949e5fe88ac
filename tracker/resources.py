"""Where the shipped templates and frameworks live, in a source checkout and in an installed wheel."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _shipped(name: str) -> Path:
    """The wheel carries top-level folders under tracker/_bundled; a checkout has them beside tracker/."""
    bundled = _PACKAGE / "_bundled" / name
    if bundled.is_dir():
        return bundled
    return _PACKAGE.parent / name


def templates_dir() -> Path:
    return _shipped("templates")


def frameworks_dir() -> Path:
    return _shipped("frameworks")


def static_dir() -> Path:
    return _PACKAGE / "static"
