"""A small HTML tree from the standard library's parser, so page tests assert on elements, not substrings."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass(eq=False)
class Element:
    tag: str
    attrs: dict[str, str]
    parent: Element | None = None
    children: list[Element] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The element's own text and its descendants', in document order; a textarea's first line break is
        dropped, as browsers drop it."""
        text = "".join(self.parts)
        if self.tag == "textarea":
            text = text.removeprefix("\r\n") if text.startswith("\r\n") else text.removeprefix("\n")
        return text

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def ancestor(self, css_class: str) -> Element | None:
        """The nearest enclosing element with the class."""
        node = self.parent
        while node is not None and css_class not in node.classes:
            node = node.parent
        return node

    def described_by(self) -> list[str]:
        return self.attrs.get("aria-describedby", "").split()


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("document", {})
        self.open = [self.root]
        self.by_id: dict[str, Element] = {}
        self.all: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, self.open[-1])
        self.open[-1].children.append(element)
        self.all.append(element)
        if "id" in element.attrs:
            self.by_id[element.attrs["id"]] = element
        if tag not in VOID:
            self.open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.open) - 1, 0, -1):
            if self.open[depth].tag == tag:
                del self.open[depth:]
                return

    def handle_data(self, data: str) -> None:
        for element in self.open:
            element.parts.append(data)


@dataclass
class Page:
    by_id: dict[str, Element]
    elements: list[Element]

    def get(self, element_id: str) -> Element:
        assert element_id in self.by_id, f"no element with id {element_id!r}"
        return self.by_id[element_id]

    def find_all(self, tag: str, css_class: str | None = None) -> list[Element]:
        return [e for e in self.elements if e.tag == tag and (css_class is None or css_class in e.classes)]


def parse(html: str) -> Page:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return Page(builder.by_id, builder.all)
