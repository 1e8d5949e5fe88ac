"""What a person sees on a page: the HTML parsed by BeautifulSoup, with the parts page tests assert on.

Tests ask for a title, a heading, a flash message, a field's error, a table's cells or a tile's rating, not
for substrings of the whole page. Text is the element's text with its white space collapsed, as it reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bs4 import BeautifulSoup, Tag
from bs4.element import CData, NavigableString

SIZE_CLASSES = frozenset({"rating-small"})  # classes of a badge that say its size, not its rating
DASH = "\u2013"  # the en dash that titles, notes and ranges use


def squash(text: str) -> str:
    """White space collapsed to single spaces, as a browser lays the text out."""
    return " ".join(text.split())


# Elements a browser lays out on lines of their own: their text never runs into their neighbours'.
BLOCKS = frozenset({
    "address", "article", "aside", "blockquote", "br", "caption", "dd", "div", "dl", "dt", "fieldset", "figcaption",
    "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "legend", "li", "main",
    "nav", "ol", "option", "p", "pre", "section", "select", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
})  # fmt: skip


def classes_of(element: Tag) -> list[str]:
    return [str(c) for c in element.get_attribute_list("class") if c]


def attr(element: Tag, name: str) -> str:
    """An attribute's value as a string ("" when absent)."""
    value = element.get(name)
    return " ".join(value) if isinstance(value, list) else str(value or "")


def text_of(element: Tag) -> str:
    """The element's text as it reads: block elements apart, inline ones run together, white space collapsed."""
    parts: list[str] = []

    def walk(node: Tag) -> None:
        for child in node.children:
            if isinstance(child, Tag):
                block = child.name in BLOCKS
                if block:
                    parts.append(" ")
                walk(child)
                if block:
                    parts.append(" ")
            elif type(child) in (NavigableString, CData):
                parts.append(str(child))

    walk(element)
    return squash("".join(parts))


@dataclass(frozen=True)
class Rating:
    """A rating badge: its code (from the `rating-CODE` class that colours it) and the words it shows."""

    code: str
    label: str


@dataclass(frozen=True)
class Tile:
    """One outcome on the dashboard: the tile's colour class, the badge inside it and the tile's link."""

    outcome: str
    tile_class: str
    rating: Rating
    href: str
    note: str | None


@dataclass(frozen=True)
class Form:
    action: str | None
    method: str
    element: Tag


def badge(element: Tag, symbol: bool = True) -> Rating:
    """A rating badge: the code its colour class (`rating-CODE`) names and the words it shows; on pages (not
    the report) colour never comes alone, so the badge must carry its symbol too."""
    codes = [
        c.removeprefix("rating-")
        for c in classes_of(element)
        if c.startswith("rating-") and c not in SIZE_CLASSES
    ]
    assert len(codes) == 1 and codes[0].replace("_", "").isalpha(), element
    mark = element.select_one(".rating-symbol")
    if not symbol:
        return Rating(codes[0], text_of(element))
    assert mark is not None and mark.get("aria-hidden") == "true" and text_of(mark), (
        "colour comes with a symbol"
    )
    return Rating(codes[0], squash(element.get_text().replace(mark.get_text(), "", 1)))


class Page:
    """A parsed page (HTML only: CSV, JSON and PDF bodies are checked as they are)."""

    def __init__(self, html: str | bytes) -> None:
        self.html = html.decode() if isinstance(html, bytes) else html
        self.soup = BeautifulSoup(self.html, "html.parser")

    @classmethod
    def of(cls, response: Any, status: int | None = None) -> Page:
        """The page a test-client response carries, checking its status first when given."""
        if status is not None:
            assert response.status_code == status, (
                response.status_code,
                response.get_data(as_text=True)[:300],
            )
        assert response.mimetype == "text/html", response.mimetype
        return cls(response.get_data(as_text=True))

    # -- finding elements ------------------------------------------------------------------------------

    def all(self, selector: str) -> list[Tag]:
        """Every element matching a CSS selector."""
        return list(self.soup.select(selector))

    def one(self, selector: str) -> Tag:
        """The one element matching a CSS selector (fails when there are none or several)."""
        found = self.soup.select(selector)
        assert len(found) == 1, f"{len(found)} elements match {selector!r}"
        return found[0]

    def has(self, selector: str) -> bool:
        return self.soup.select_one(selector) is not None

    def by_id(self, element_id: str) -> Tag:
        found = self.soup.find_all(id=element_id)
        assert len(found) == 1, f"{len(found)} elements have the id {element_id!r}"
        element = found[0]
        assert isinstance(element, Tag)
        return element

    def has_id(self, element_id: str) -> bool:
        return self.soup.find(id=element_id) is not None

    def texts(self, selector: str) -> list[str]:
        """The text of every element matching a selector, in page order."""
        return [text_of(e) for e in self.soup.select(selector)]

    def text(self, selector: str) -> str:
        """The text of the one element matching a selector."""
        return text_of(self.one(selector))

    # -- what every page has ---------------------------------------------------------------------------

    @property
    def title(self) -> str:
        return self.text("head > title")

    @property
    def title_parts(self) -> list[str]:
        """The title's parts between its en dashes: the page, then what it belongs to, then the site."""
        return self.title.split(f" {DASH} ")

    @property
    def h1(self) -> str:
        """The page's one main heading."""
        return self.text("h1")

    def headings(self, level: int | None = None) -> list[str]:
        """The headings in page order (all levels, or one)."""
        return self.texts(f"h{level}" if level else "h1, h2, h3, h4, h5, h6")

    @property
    def main(self) -> str:
        """Everything the main region says, as one line."""
        return self.text("main")

    @property
    def body(self) -> str:
        """Everything the page body says, as one line (for "shown nowhere" checks)."""
        return self.text("body")

    @property
    def flashes(self) -> list[str]:
        """The flashed messages at the top of the main region."""
        return self.texts("main > div.notice[role=status]")

    def flash_categories(self) -> list[tuple[str, str]]:
        """The flashed messages with their category (`notice-CATEGORY`)."""
        found = []
        for element in self.all("main > div.notice[role=status]"):
            kinds = [c.removeprefix("notice-") for c in classes_of(element) if c.startswith("notice-")]
            found.append((kinds[0] if kinds else "", text_of(element)))
        return found

    def links(self, selector: str = "a") -> list[tuple[str, str]]:
        """(text, href) of the links matching a selector."""
        return [(text_of(a), attr(a, "href")) for a in self.soup.select(selector)]

    def hrefs(self, selector: str = "a") -> list[str]:
        return [attr(a, "href") for a in self.soup.select(selector)]

    # -- forms -----------------------------------------------------------------------------------------

    def forms(self) -> list[Form]:
        """The page's forms but the header's sign-out form."""
        return [
            Form(attr(f, "action") if f.has_attr("action") else None, (attr(f, "method") or "get").lower(), f)
            for f in self.soup.select("form")
            if f.find_parent("header") is None
        ]

    def form(self, action: str | None = None) -> Form:
        """The one form (outside the header) posting to `action`, or the only form when no action is given."""
        forms = [f for f in self.forms() if action is None or f.action == action]
        assert len(forms) == 1, f"{len(forms)} forms post to {action!r}: {[f.action for f in self.forms()]}"
        return forms[0]

    def field(self, field_id: str) -> Tag:
        """The input, select, textarea or fieldset with the id."""
        element = self.by_id(field_id)
        assert element.name in {"input", "select", "textarea", "fieldset"}, element.name
        return element

    def value(self, field_id: str) -> str:
        """What a field shows: an input's value, a textarea's text, a select's chosen option's value."""
        element = self.field(field_id)
        if element.name == "textarea":
            text = element.get_text()
            return text.removeprefix("\r\n") if text.startswith("\r\n") else text.removeprefix("\n")
        if element.name == "select":
            chosen = element.select("option[selected]")
            return attr(chosen[0], "value") if chosen else ""
        return attr(element, "value")

    def checked(self, field_id: str) -> bool:
        return self.field(field_id).has_attr("checked")

    def described_by(self, field_id: str) -> list[str]:
        return attr(self.field(field_id), "aria-describedby").split()

    def field_error(self, field_id: str) -> str | None:
        """The message beside a field (its `FIELD-error` element), without the hidden "Error:" prefix."""
        found = self.soup.find_all(id=f"{field_id}-error")
        assert len(found) <= 1, f"{len(found)} errors for {field_id!r}"
        if not found:
            return None
        element = found[0]
        assert isinstance(element, Tag)
        prefix = element.select_one(".visually-hidden")
        assert prefix is not None and text_of(prefix) == "Error:", "a screen reader hears that it is an error"
        return squash(text_of(element).removeprefix("Error:"))

    def field_errors(self) -> dict[str, str]:
        """Every field's error message, by field id."""
        return {
            str(e["id"]).removesuffix("-error"): squash(text_of(e).removeprefix("Error:"))
            for e in self.soup.select("[id$='-error']")
        }

    def hint(self, field_id: str) -> str:
        return text_of(self.by_id(f"{field_id}-hint"))

    @property
    def error_summary(self) -> list[tuple[str | None, str]]:
        """The error summary's entries: (the field id it links to, or None, and the message)."""
        if not self.has("#error-summary"):
            return []
        entries: list[tuple[str | None, str]] = []
        for item in self.all("#error-summary li"):
            link = item.find("a")
            href = str(link["href"]) if isinstance(link, Tag) else None
            entries.append((href.removeprefix("#") if href else None, text_of(item)))
        return entries

    def assert_error_at(self, field_id: str, message: str) -> None:
        """An error a person can find: beside the field, named by it, and linked from the summary at the top."""
        beside = self.field_error(field_id)
        assert beside is not None and message in beside, (field_id, beside)
        assert f"{field_id}-error" in self.described_by(field_id), self.described_by(field_id)
        summary = [text for target, text in self.error_summary if target == field_id]
        assert any(message in text for text in summary), (field_id, self.error_summary)
        assert self.title.startswith("Error: "), self.title

    # -- tables ----------------------------------------------------------------------------------------

    def tables(self) -> list[Tag]:
        return self.all("table")

    def table(self, caption: str | None = None) -> Tag:
        """The table with the caption (its text, hidden or not), or the page's only table."""
        tables = [
            t
            for t in self.soup.select("table")
            if caption is None or (t.caption is not None and text_of(t.caption) == caption)
        ]
        assert len(tables) == 1, f"{len(tables)} tables with the caption {caption!r}"
        return tables[0]

    def rows(self, caption: str | None = None, table: Tag | None = None) -> list[list[str]]:
        """The table's body rows, each a list of its cells' texts (header cells included)."""
        found = table if table is not None else self.table(caption)
        body = found.find("tbody")
        scope = body if isinstance(body, Tag) else found
        return [
            [text_of(cell) for cell in row.find_all(["th", "td"], recursive=False)]
            for row in scope.find_all("tr")
            if row.find_parent("thead") is None
        ]

    def cells(self, selector: str = "td") -> list[str]:
        """The text of every table cell on the page."""
        return self.texts(selector)

    # -- ratings ---------------------------------------------------------------------------------------

    def tiles(self) -> dict[str, Tile]:
        """The dashboard's outcome tiles by outcome text."""
        found: dict[str, Tile] = {}
        for tile in self.all("li.tile"):
            link = tile.select_one("a.tile-link")
            assert link is not None
            classes = [c for c in classes_of(tile) if c.startswith("tile-")]
            assert len(classes) == 1, classes
            badges = tile.select("span.rating")
            assert len(badges) == 1, tile
            note = tile.select_one(".tile-note")
            found[text_of(link)] = Tile(
                text_of(link),
                classes[0].removeprefix("tile-"),
                badge(badges[0]),
                attr(link, "href"),
                text_of(note) if note is not None else None,
            )
        return found

    def tile_rating(self, outcome: str) -> str:
        """The rating code an outcome's tile shows; its colour class and its badge must agree."""
        tile = self.tiles()[outcome]
        assert tile.tile_class == tile.rating.code, tile
        return tile.tile_class

    def rating_counts(self) -> dict[str, int]:
        """The dashboard's count of outcomes at each rating."""
        counts = {}
        for item in self.all("ul.count-list > li"):
            rating = item.select_one("span.rating")
            number = item.find("strong")
            assert rating is not None and number is not None
            counts[badge(rating).code] = int(text_of(number))
        return counts

    def rating_key(self) -> list[Rating]:
        """The key to the ratings: each badge with its words."""
        return [badge(b) for b in self.all("ul.rating-key span.rating")]

    @property
    def outcome_rating(self) -> Rating:
        """The rating an outcome page shows under its heading."""
        return badge(self.one("h1 + p > span.rating"))

    def badges(self, selector: str = "span.rating", symbol: bool = True) -> list[Rating]:
        return [badge(b, symbol) for b in self.all(selector)]
