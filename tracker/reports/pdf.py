"""HTML -> PDF with WeasyPrint: the only module that imports it; fetches nothing but our own static files."""

from __future__ import annotations

import contextlib
import gc
import logging
import mimetypes
import multiprocessing
import os
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
    document = weasyprint.HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher, media_type="print")
    pdf = document.write_pdf(
        pdf_identifier=b"outcomes-tracker", pdf_variant=PDF_VARIANT, uncompressed_pdf=False
    )
    return PdfResult(bytes(pdf), tuple(fetcher.refused))


def _child(html: str, static_root: str, out_path: str, connection: Any) -> None:
    # One process, one render, then it exits: no cycle collections while WeasyPrint allocates its boxes (the
    # demo: 7% less CPU, 4 MB more memory; the 500-outcome report 968 MB against 950 MB; as ratings/gc_pause).
    gc.disable()
    try:
        result = render_in_process(html, Path(static_root))
        Path(out_path).write_bytes(result.pdf)
        connection.send(("ok", result.refused))
    except Exception as error:  # reported to the parent as one line, never a traceback
        connection.send(("error", f"{type(error).__name__}: {error}"))
    finally:
        connection.close()


def start_renderer() -> None:
    """Start the process renders are forked from, WeasyPrint loaded: a web worker does it when it starts, so
    a board member's first PDF does not wait about a second for it (later renders reuse it)."""
    multiprocessing.set_forkserver_preload(["tracker.reports.pdf", "weasyprint"])
    multiprocessing.get_context("forkserver")
    from multiprocessing import forkserver

    forkserver.ensure_running()


def render_pdf(html: str, static_root: Path, work_dir: Path, time_limit: float) -> PdfResult:
    """Render in a child process that is killed after `time_limit` seconds, so a worker never hangs."""
    work_dir.mkdir(parents=True, exist_ok=True)
    out_path = work_dir / f".render-{os.getpid()}-{id(html)}.pdf"
    multiprocessing.set_forkserver_preload(["tracker.reports.pdf", "weasyprint"])
    context = multiprocessing.get_context("forkserver")
    parent, child = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(html, str(static_root), str(out_path), child), daemon=True)
    process.start()
    child.close()
    return _result(process, parent, out_path, time_limit)


def _result(process: Any, parent: Any, out_path: Path, time_limit: float) -> PdfResult:
    """The PDF, else ReportTimeout (the child killed) or ReportFailed; then child and file are gone."""
    try:
        if not parent.poll(time_limit):
            process.kill()
            raise ReportTimeout(f"the report took longer than {time_limit:g} seconds and was stopped")
        status, detail = parent.recv()
        process.join(5)
        if status != "ok":
            raise ReportFailed(str(detail))
        for url in detail:
            log.warning("report renderer refused to fetch %s", url)
        return PdfResult(out_path.read_bytes(), tuple(detail))
    except EOFError:
        raise ReportFailed("the renderer stopped without a result") from None
    finally:
        parent.close()
        if process.is_alive():
            process.kill()
        process.join(5)
        process.close()
        out_path.unlink(missing_ok=True)


class EarlyRenderer:
    """One render for a command: a child forked at once, while the process is small (no threads, no database
    connections), imports WeasyPrint on the other CPU while the command rates and writes the HTML, then
    renders the one document `render` sends it (issue 23); no new interpreter, no fork server."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")
        self._results, results_end = context.Pipe(duplex=False)  # the child's answer comes back on it
        document_end, self._document = context.Pipe(duplex=False)  # the HTML goes out on it
        ends = (document_end, results_end, self._document, self._results)
        self._process = context.Process(target=_early_child, args=ends, daemon=True)
        self._process.start()
        document_end.close()
        results_end.close()
        self._used = False

    def render(self, html: str, static_root: Path, work_dir: Path, time_limit: float) -> PdfResult:
        """As `render_pdf` (the same limit, errors and clean-up), once."""
        if self._used:
            raise RuntimeError("an early renderer renders one document")
        self._used = True
        work_dir.mkdir(parents=True, exist_ok=True)
        out_path = work_dir / f".render-{os.getpid()}-{id(html)}.pdf"
        with contextlib.suppress(OSError):  # the child is gone: _result says so
            self._document.send((html, str(static_root), str(out_path)))
        self._document.close()
        return _result(self._process, self._results, out_path, time_limit)

    def close(self) -> None:
        """Stop an unused child (a cached PDF, an error: nothing to wait for); a used one is already gone."""
        if self._used:
            return
        self._used = True
        self._document.close()
        self._results.close()
        self._process.kill()
        self._process.join(5)
        self._process.close()


def _early_child(document: Any, connection: Any, *parents_ends: Any) -> None:
    for end in parents_ends:  # the fork copied them: closed here, the parent's close is seen as the end
        end.close()
    import weasyprint  # noqa: F401  # now, while the parent prepares the document

    try:
        html, static_root, out_path = document.recv()
    except EOFError:  # the command needed no render
        connection.close()
        return
    document.close()
    _child(html, static_root, out_path, connection)
