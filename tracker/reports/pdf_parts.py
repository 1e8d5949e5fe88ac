"""The report's HTML cut into parts that render on their own (issue 23): the front matter, runs of chapters.

Every chapter starts a page (`break-before: page` in report.css), so a run of chapters laid out alone gives
the same pages as inside the whole document, except what depends on the rest: the page numbers ("Page 3 of
57"), the contents' page numbers and links into other parts. Those are put right when the parts are joined
(`pdf_join.py`): page numbers are drawn once over the joined pages, the contents is rendered again with the
numbers the parts reported, and each link resolves through one table of destinations.
"""

from __future__ import annotations

import html
import itertools
import re
from dataclasses import dataclass
from pathlib import Path

# A top-level chapter: a <section> whose class list has the token `chapter` (nested blocks use other classes).
_CHAPTER = re.compile(r'<section\b[^>]*\bclass="(?:[^"]*\s)?chapter(?:\s[^"]*)?"', re.IGNORECASE)
_RUNNING_TITLE_END = re.compile(r'<p class="running-title"[^>]*>.*?</p>', re.DOTALL)
_MAIN_END = re.compile(r"</main>", re.IGNORECASE)
_HEAD_END = re.compile(r"</head>", re.IGNORECASE)
_ID = re.compile(r'\bid="([^"]+)"')
_INTERNAL_HREF = re.compile(r'\bhref="#([^"]+)"')
_TOC_LINK = re.compile(r'(<nav class="toc"[^>]*>)(.*?)(</nav>)', re.DOTALL)

# Page numbers are drawn over the joined pages, so each part leaves the corner empty. A later part's first
# page is not the document's first, so it keeps its running title: set by a rule on its first chapter, not by
# the running title's paragraph (in the flow before the chapter, it would make the chapter's break leave a
# blank page).
_PART_STYLE = "@page { @bottom-right { content: none; } }"
_LATER_PART_STYLE = "@page :first { @top-left { content: string(running); } }"
# The sheet of page numbers: the report's own @page rules (size, margins, font) with only the number left.
# Where a part's links to another part's ids point until the join turns them into links to named destinations.
JOIN_LINK = "https://part-link.tracker.invalid/"
NUMBERS_STYLE = (
    "@page { @top-left { content: none; } @bottom-left { content: none; }"
    " @bottom-right { content: string(page-number); } }"
)
_BREAK = "; break-before: page"


# A bookmark as a render child reports it: level (h1 = 1), label, x and y in CSS px from the page's top left,
# and whether it starts open or closed.
Bookmark = tuple[int, str, float, float, str]


@dataclass(frozen=True)
class RenderedPart:
    """A part's PDF file, the ids whose destinations it owns, and its pages' heights (px) and bookmarks."""

    path: Path
    ids: frozenset[str]
    heights: tuple[float, ...]
    bookmarks: tuple[tuple[Bookmark, ...], ...]


class NotSplittable(Exception):
    """The HTML lacks the report's landmarks (running title, chapters, </main>): render it whole."""


@dataclass(frozen=True)
class Part:
    """One document to render: its HTML, and the ids it holds (links to them from other parts land here)."""

    html: str
    ids: frozenset[str]


@dataclass(frozen=True)
class ReportParts:
    start: str  # from <!doctype> to the running title: every part begins with it
    running: str  # the running title (a zero-height paragraph that sets the page header's text)
    front: str  # the cover and the contents
    chapters: tuple[str, ...]
    end: str  # </main> to the end

    def part(
        self,
        body: str,
        *,
        first: bool,
        elsewhere: frozenset[str] = frozenset(),
        contents: dict[str, int] | None = None,
    ) -> Part:
        """A whole HTML document of `body`. A link to an id another part holds (`elsewhere`) points to
        JOIN_LINK, so WeasyPrint keeps it (a link to an id it cannot find is dropped) and the join makes it a
        link to that id's destination; `contents` writes the contents' page numbers in (report.css counts
        them in one document)."""
        style = _PART_STYLE if first else f"{_PART_STYLE} {_LATER_PART_STYLE} {self._running_string()}"
        if contents:
            style += "".join(_contents_rule(target, page) for target, page in contents.items())
        start = _HEAD_END.sub(lambda _: f"<style>{style}</style></head>", self.start, count=1)
        own = ids_in(body)
        if first:
            start += self.running
            own |= ids_in(self.start)
        if elsewhere:
            body = _INTERNAL_HREF.sub(lambda m: _joined_href(m, elsewhere), body)
        return Part(start + body + self.end, own)

    def _running_string(self) -> str:
        text = html.unescape(re.sub(r"<[^>]*>", "", self.running)).strip()
        escaped = "".join(ch if ch.isalnum() or ch in " .,:;()-·/'&" else f"\\{ord(ch):x} " for ch in text)
        return f'main > section:first-of-type {{ string-set: running "{escaped}"; }}'

    def numbers_sheet(self, first: int, last: int, total: int) -> str:
        """Empty pages `first` to `last` of `total`, with the report's @page rules and only "Page N of M" in
        their margins, written out (not counted) so a long report's sheet renders in pieces at once."""
        start = _HEAD_END.sub(lambda _: f"<style>{NUMBERS_STYLE}</style></head>", self.start, count=1)
        head = start[: start.index("<body")]
        pages = (_number_page(n, total, breaks=n > first) for n in range(first, last + 1))
        return head + "<body>" + "".join(pages) + "</body></html>"


def _number_page(number: int, total: int, *, breaks: bool) -> str:
    style = f"string-set: page-number 'Page {number} of {total}'" + (_BREAK if breaks else "")
    return f'<div style="{style}"></div>'


def split_report(document: str) -> ReportParts:
    """Cut the report's HTML at its chapters; NotSplittable when its landmarks are missing."""
    running = _RUNNING_TITLE_END.search(document)
    main_end = _MAIN_END.search(document)
    if running is None or main_end is None:
        raise NotSplittable("no running title or no </main>")
    starts = [m.start() for m in _CHAPTER.finditer(document, running.end(), main_end.start())]
    if not starts:
        raise NotSplittable("no chapters")
    bounds = [*starts, main_end.start()]
    chapters = tuple(document[a:b] for a, b in itertools.pairwise(bounds))
    return ReportParts(
        start=document[: running.start()],
        running=document[running.start() : running.end()],
        front=document[running.end() : starts[0]],
        chapters=chapters,
        end=document[main_end.start() :],
    )


def group_chapters(chapters: tuple[str, ...], pieces: int) -> list[tuple[str, ...]]:
    """Runs of consecutive chapters, each about 1/`pieces` of the whole (HTML length stands for layout work; a
    larger chapter is a run of its own), so children taking the largest first finish about together."""
    target = sum(len(c) for c in chapters) / max(1, pieces)
    runs: list[tuple[str, ...]] = []
    current: list[str] = []
    size = 0
    for chapter in chapters:
        if current and size + len(chapter) > target:
            runs.append(tuple(current))
            current, size = [], 0
        current.append(chapter)
        size += len(chapter)
    if current:
        runs.append(tuple(current))
    return runs


def _joined_href(match: re.Match[str], elsewhere: frozenset[str]) -> str:
    target = html.unescape(match.group(1))
    return f'href="{JOIN_LINK}#{match.group(1)}"' if target in elsewhere else match.group(0)


def ids_in(body: str) -> frozenset[str]:
    return frozenset(html.unescape(i) for i in _ID.findall(body))


def _contents_rule(target: str, page: int) -> str:
    safe = target.replace("\\", "\\\\").replace('"', '\\"')
    return f'.toc a[href$="#{safe}"]::after {{ content: leader(". ") "{page}"; }}'


def contents_targets(front: str) -> list[str]:
    """The ids the contents links to, in order."""
    match = _TOC_LINK.search(front)
    return [html.unescape(i) for i in _INTERNAL_HREF.findall(match.group(2))] if match else []
