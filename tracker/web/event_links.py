"""Links to event pages (issue 19) from the pages events feed (KPIs, the framework page): the event pages
are a separate blueprint, so a link is made only when the application has the route, else plain text."""

from __future__ import annotations

import re
from typing import Any

from flask import current_app, url_for

# /f/<slug>/events/<event_id>, whatever its two arguments are called (and any converter they use)
EVENT_PAGE_RULE = re.compile(r"^/f/<(?:\w+:)?(?P<framework>\w+)>/events/<(?:\w+:)?(?P<event>\w+)>/?$")


def event_page_url(framework: str, event_id: str) -> str | None:
    """The event's page, or None when this application has no event pages."""
    for rule in current_app.url_map.iter_rules():
        found = EVENT_PAGE_RULE.match(rule.rule)
        if found is not None and "GET" in (rule.methods or ()):
            values: dict[str, Any] = {found["framework"]: framework, found["event"]: event_id}
            return url_for(rule.endpoint, **values)
    return None
