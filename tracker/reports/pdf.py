"""HTML -> PDF with WeasyPrint: the only module that imports it; fetches nothing but our own static files.

The processes that render (a pool of children, the parts of a long report in parallel) are in pdf_pool.py;
what each child does with a task is here."""

from __future__ import annotations

import gc
import logging
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

# Relative URLs in the report resolve against this; only its /static/ part is served, from the package.
BASE_URL = "https://report.tracker.invalid/"
STATIC_PREFIX = BASE_URL + "static/"
# PDF/UA-1: a tagged PDF (headings, lists, tables with their headers, figures with their titles) in the
# language of <html lang>, so a screen reader gets the report's structure, not a stream of text.
PDF_VARIANT = "pdf/ua-1"


class ReportTimeout(Exception):
    """The render took longer than the configured limit and was stopped."""


class ReportFailed(Exception):
    """WeasyPrint could not render the document."""


@dataclass(frozen=True)
class PdfResult:
    pdf: bytes
    refused: tuple[str, ...]


def _fetcher_class() -> Any:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):  # type: ignore[misc]
        """Serves the app's static files and data: URLs; refuses file paths, http(s) and everything else."""

        def __init__(self, static_root: Path) -> None:
            super().__init__(allowed_protocols={"data", "https"}, allow_redirects=False, timeout=1)
            self.static_root = static_root.resolve()
            self.refused: list[str] = []

        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith(STATIC_PREFIX):
                relative = url.removeprefix(STATIC_PREFIX).split("?", 1)[0].split("#", 1)[0]
                path = (self.static_root / relative).resolve()
                if path.is_relative_to(self.static_root) and path.is_file():
                    mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                    return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": mime})
            self.refused.append(url[:300])
            raise ValueError(f"the report does not fetch {url[:120]}")

    return StaticOnlyFetcher


def render_in_process(html: str, static_root: Path) -> PdfResult:
    """Render in this process (the caller bounds the time); stylesheets go through the same fetcher."""
    import weasyprint

    fetcher = _fetcher_class()(static_root)
    source = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher, media_type="print")
    pdf = _write(source.render(pdf_variant=PDF_VARIANT), None, tagged=True)
    assert pdf is not None  # no target: WeasyPrint returns the bytes
    return PdfResult(pdf, tuple(fetcher.refused))


def _write(document: Any, target: Path | None, *, tagged: bool) -> bytes | None:
    """The one place a laid-out document becomes PDF (bytes when `target` is None): every render writes with
    the same identifier, compression and, when tagged, the PDF/UA variant."""
    options: dict[str, Any] = {"pdf_variant": PDF_VARIANT} if tagged else {}
    written: bytes | None = document.write_pdf(
        target, pdf_identifier=b"outcomes-tracker", uncompressed_pdf=False, **options
    )
    return written


@dataclass(frozen=True)
class PartPages:
    """What a child reports of a rendered part: its pages' heights (px), bookmarks, anchors; refused URLs."""

    heights: tuple[float, ...]
    bookmarks: tuple[tuple[tuple[int, str, float, float, str], ...], ...]
    anchors: tuple[frozenset[str], ...]
    refused: tuple[str, ...]


class _PageCounter(logging.Handler):
    """WeasyPrint logs each page it lays out ("Step 5 - Creating layout - Page 12"): passed on as progress."""

    def __init__(self, on_page: Callable[[int], None]) -> None:
        super().__init__(logging.INFO)
        self.on_page = on_page
        self.pages = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.msg == "Step 5 - Creating layout - Page %d" and record.args:
            page = int(str(record.args[0]))  # type: ignore[index]
            if page > self.pages:
                self.pages = page
                self.on_page(page)


def render_part(
    html: str, static_root: Path, out_path: Path | None, *, tagged: bool, on_page: Callable[[int], None]
) -> PartPages:
    """Lay out and write one document (a part of a report, or a whole one) to `out_path` (None: lay out only,
    to count pages); its pages' heights and bookmarks go to the join, which puts the outlines together."""
    import weasyprint

    progress = logging.getLogger("weasyprint.progress")
    counter = _PageCounter(on_page)
    progress.addHandler(counter)
    progress.setLevel(logging.INFO)
    progress.propagate = False
    try:
        fetcher = _fetcher_class()(static_root)
        options: dict[str, Any] = {"pdf_variant": PDF_VARIANT} if tagged else {}
        source = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher, media_type="print")
        document = source.render(**options)
        if out_path is not None:
            _write(document, out_path, tagged=tagged)
    finally:
        progress.removeHandler(counter)
    pages = document.pages
    return PartPages(
        heights=tuple(float(page.height) for page in pages),
        bookmarks=tuple(
            tuple(
                (int(level), str(label), float(x), float(y), str(state))
                for level, label, (x, y), state in page.bookmarks
            )
            for page in pages
        ),
        anchors=tuple(frozenset(page.anchors) for page in pages),
        refused=tuple(fetcher.refused),
    )


def serve_tasks(connection: Any) -> None:
    """A render child's loop: a task in, its result out, until told to stop (None) or the parent is gone.
    No cycle collections while WeasyPrint allocates its boxes (one short-lived process: the demo 7% less CPU,
    4 MB more memory; as ratings/gc_pause)."""
    gc.disable()
    while True:
        try:
            task = connection.recv()
        except EOFError:
            return
        if task is None:
            return
        kind, task_id, *args = task
        try:
            if kind == "part":
                html, static_root, out_path, tagged = args

                def tick(page: int, task_id: str = task_id) -> None:
                    connection.send(("page", task_id, page))

                target = None if out_path is None else Path(out_path)
                pages = render_part(html, Path(static_root), target, tagged=tagged, on_page=tick)
                connection.send(("done", task_id, pages))
            elif kind == "join":
                from tracker.reports.pdf_join import join_parts

                parts, numbers, out_path = args
                joined = join_parts(parts, [Path(sheet) for sheet in numbers], Path(out_path))
                connection.send(("done", task_id, joined))
            else:
                raise ValueError(f"unknown task {kind!r}")
        except Exception as error:  # reported to the parent as one line, never a traceback
            connection.send(("error", task_id, f"{type(error).__name__}: {error}"))


_preloaded: list[bool] = []


def preload() -> None:
    """What a render child needs, loaded before the work arrives (while the parent prepares it): the imports,
    and a tiny render, which loads the fonts and default styles a first render otherwise waits ~0.3 s for.
    Once a process: children forked from a preloaded fork server start warm."""
    if _preloaded:
        return
    import pikepdf  # noqa: F401
    import weasyprint

    _write(weasyprint.HTML(string="<p>Warm-up</p>").render(), None, tagged=False)
    _preloaded.append(True)
