"""Links to event pages (issue 19) from the pages events feed: the KPI page and the framework page."""

from __future__ import annotations

from flask import url_for


def event_page_url(framework: str, event_id: str) -> str:
    """The event's page (the events blueprint's `show`)."""
    return url_for("events.show", slug=framework, event_id=event_id)
