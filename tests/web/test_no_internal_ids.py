"""No page of the demo shows an internal id or a rule code where a name exists.

Every page a signed-in person can reach from the front page by links (GET only, this site, per role) is read
as a person reads it: its text, and the attributes a screen reader speaks (title, aria-label, alt). Ids may
stay where nobody reads them: in links, form values and element ids.
"""

from __future__ import annotations

import re
from collections import deque
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from flask import Flask

from tests.page import Page, attr, text_of
from tracker.domain.loader import load_framework_file

DEMO = Path(__file__).resolve().parents[2] / "frameworks"
# A rule code: R1 to R9 as a word, or the override's code.
RULE_CODE = re.compile(r"\bR\d\b|R0-override")
SPOKEN_ATTRIBUTES = ("title", "aria-label", "alt")
PAGES_PER_ROLE = 120  # enough for every kind of page of three frameworks; evidence pages are sampled
SAMPLED = re.compile(r"/evidence/\d+")  # one item page of each framework stands for the others


def framework_ids() -> dict[str, str]:
    """Every id of the demo frameworks that a person could mistake for words (ids with a hyphen), with the
    name it stands for."""
    ids: dict[str, str] = {}
    for path in sorted(DEMO.glob("*.yaml")):
        framework = load_framework_file(path).framework
        assert framework is not None, path
        for element in framework.elements():
            if "-" in element.id:
                ids[element.id] = next(
                    str(getattr(element, name))
                    for name in ("text", "title", "name", "id")
                    if hasattr(element, name)
                )
    return ids


def shown(page: Page) -> str:
    """What a person reads or hears on the page."""
    spoken = [attr(element, name) for name in SPOKEN_ATTRIBUTES for element in page.all(f"[{name}]")]
    return " ".join([text_of(page.soup), *spoken])


def crawl(client: Any, start: str = "/") -> dict[str, Page]:
    """The HTML pages reachable by links from `start`, breadth first (sign-out and files are not followed)."""
    seen: set[str] = set()
    sampled: set[str] = set()
    pages: dict[str, Page] = {}
    queue = deque([start])
    while queue and len(pages) < PAGES_PER_ROLE:
        url = queue.popleft()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        page = Page(response.get_data(as_text=True))
        pages[url] = page
        for href in page.hrefs():
            target = urljoin(url, href)
            parts = urlsplit(target)
            if parts.netloc or parts.scheme or "logout" in parts.path or "." in parts.path.rsplit("/", 1)[-1]:
                continue
            key = parts.path + (f"?{parts.query}" if parts.query else "")
            if re.search(r"(?:^|&)page=(?:[3-9]|\d\d)", parts.query):
                continue  # the first pages of a list stand for the rest
            family = SAMPLED.sub("/evidence/N", parts.path)
            if family != parts.path:
                if family.split("/evidence/")[0] in sampled:
                    continue
                sampled.add(family.split("/evidence/")[0])
            queue.append(key)
    return pages


@pytest.fixture
def demo(app: Flask, runner: Any) -> dict[str, str]:
    """The demo loaded; each role's email and password."""
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    lines = (Path(app.instance_path) / "demo-credentials.txt").read_text().splitlines()
    return dict(line.split(" ", 1) for line in lines)


@pytest.mark.parametrize("role", ["admin", "lead", "evaluator", "board"])
def test_no_page_shows_an_id_or_rule_code_where_a_name_exists(
    app: Flask, demo: dict[str, str], role: str
) -> None:
    ids = framework_ids()
    pattern = re.compile(
        r"(?<![\w-])(" + "|".join(re.escape(i) for i in sorted(ids, key=len)[::-1]) + r")(?![\w-])"
    )
    client = app.test_client()
    email = f"{role}@demo.invalid"
    response = client.post("/login", data={"email": email, "password": demo[email]})
    assert response.status_code == 302
    pages = crawl(client)
    assert len(pages) >= 10, sorted(pages)  # the crawl reached the pages of the navigation
    found: dict[str, list[str]] = {}
    for url, page in pages.items():
        text = shown(page)
        problems = [f"id '{m}' (say: {ids[m][:40]})" for m in sorted(set(pattern.findall(text)))]
        problems += [
            f"rule code '{m.group(0)}' in “…{text[max(0, m.start() - 60) : m.end() + 20]}…”"
            for m in RULE_CODE.finditer(text)
        ]
        if problems:
            found[url] = problems
    assert not found, "\n".join(f"{url}: {'; '.join(problems)}" for url, problems in sorted(found.items()))
