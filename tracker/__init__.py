"""The outcomes tracker: RBA frameworks in YAML, evidence, explainable ratings, board reports."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask

__all__ = ["create_app"]


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app (imported lazily so `tracker.domain` stays free of Flask)."""
    from tracker.app import create_app as factory

    return factory(test_config)
