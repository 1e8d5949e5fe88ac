"""Links to event pages (issue 19) from the pages events feed (KPIs, the framework page): the event pages
are a separate blueprint, so a link is made only when the application has the route, else plain text."""

from __future__ import annotations

from flask import current_app, url_for

EVENT_PAGE_RULE = "/f/<slug>/events/<event_id>"


def event_page_url(framework: str, event_id: str) -> str | None:
    """The event's page, or None when this application has no event pages."""
    endpoint = next(
        (
            rule.endpoint
            for rule in current_app.url_map.iter_rules()
            if rule.rule == EVENT_PAGE_RULE and "GET" in (rule.methods or ())
        ),
        None,
    )
    return None if endpoint is None else url_for(endpoint, slug=framework, event_id=event_id)
