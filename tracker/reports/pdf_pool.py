"""Render children and the work they share (issue 23): a long report is cut into parts (pdf_parts.py) that the
children lay out and write at the same time, then one child joins them (pdf_join.py); a short one is one part.

The children are forked (from the web worker's fork server, or by `tracker report` before it rates), so a
render never blocks or bloats the process that asked for it, and a render past its time limit is killed with
them.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
import time
from collections.abc import Callable
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any

from tracker.reports import pdf_parts
from tracker.reports.pdf import PartPages, PdfResult, ReportFailed, ReportTimeout, log, preload, serve_tasks

# Pages laid out so far, and the pages expected: None until a part is laid out, an estimate until all are
# (always more than the pages done), then exact (the last call, and only it, has both equal).
Progress = Callable[[int, int | None], None]
_PRELOAD = ["tracker.reports.pdf_join", "tracker.reports.pdf_warm"]
_counter = itertools.count()


def default_render_processes() -> int:
    """One render child per CPU, at most 4; TRACKER_REPORT_RENDER_PROCESSES overrides it (as the config)."""
    configured = os.environ.get("TRACKER_REPORT_RENDER_PROCESSES", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(1, min(4, os.cpu_count() or 1))


def start_renderer() -> None:
    """Start the process renders are forked from, WeasyPrint loaded: a web worker does it when it starts, so
    a board member's first PDF does not wait about a second for it (later renders reuse it)."""
    multiprocessing.set_forkserver_preload(_PRELOAD)
    multiprocessing.get_context("forkserver")
    from multiprocessing import forkserver

    forkserver.ensure_running()


class _Child:
    """One render child and its end of the pipe."""

    def __init__(self, process: Any, connection: Any) -> None:
        self.process = process
        self.connection = connection
        self.task: str | None = None


def _fork_children(count: int, context_name: str) -> list[_Child]:
    if context_name == "forkserver":
        multiprocessing.set_forkserver_preload(_PRELOAD)
    context = multiprocessing.get_context(context_name)
    children = []
    for _ in range(count):
        parent_end, child_end = context.Pipe(duplex=True)
        process = context.Process(target=_child_main, args=(child_end,), daemon=True)  # type: ignore[attr-defined]
        process.start()
        child_end.close()
        children.append(_Child(process, parent_end))
    return children


def _child_main(connection: Any) -> None:
    preload()  # a forked child imports now, while the parent prepares the document
    serve_tasks(connection)


def _stop(children: list[_Child]) -> None:
    for child in children:
        with contextlib.suppress(OSError, ValueError):
            child.connection.send(None)
        child.connection.close()
    for child in children:
        child.process.join(5)
        if child.process.is_alive():
            child.process.kill()
            child.process.join(5)
        child.process.close()


class _Run:
    """One document's render by a set of children: each task to whichever child is free, within a deadline."""

    def __init__(self, children: list[_Child], deadline: float, on_progress: Progress | None) -> None:
        self.children = children
        self.deadline = deadline
        self.on_progress = on_progress
        self.pages: dict[str, int] = {}  # pages laid out so far, by counted task
        self.sizes: dict[str, int] = {}  # the counted tasks (the document's pages), by their HTML's length
        self.finished: set[str] = set()
        self.total: int | None = None  # once every counted task is laid out

    def count(self, task_id: str, html: str) -> None:
        """Count this task's pages in the progress (a draft or page-number sheet is not counted)."""
        self.sizes[task_id] = len(html)

    def _report(self) -> None:
        """Pages laid out, of the pages expected: estimated from the parts laid out so far (pages per byte of
        HTML) and above the pages done while a part is unfinished, so equal means all laid out."""
        if self.on_progress is None:
            return
        done = sum(self.pages.values())
        expected = self.total
        if expected is None and self.finished:
            per_byte = sum(self.pages[t] for t in self.finished) / max(
                1, sum(self.sizes[t] for t in self.finished)
            )
            expected = max(done + 1, round(per_byte * sum(self.sizes.values())))
        self.on_progress(done, expected)

    def run(self, tasks: list[tuple[Any, ...]]) -> dict[str, Any]:
        """Every task done (the larger first), their results by task id; ReportFailed on any error."""
        waiting = list(tasks)
        results: dict[str, Any] = {}
        while len(results) < len(tasks):
            for child in self.children:
                if child.task is None and waiting:
                    task = waiting.pop(0)
                    child.task = task[1]
                    self._send(child, task)
            busy = [child for child in self.children if child.task is not None]
            left = self.deadline - time.monotonic()
            if left <= 0 or not wait([child.connection for child in busy], timeout=left):
                raise ReportTimeout("over the time limit")
            for child in busy:
                if child.connection.poll():
                    self._receive(child, results)
        return results

    def _send(self, child: _Child, task: tuple[Any, ...]) -> None:
        try:
            child.connection.send(task)
        except OSError:
            raise ReportFailed("the renderer stopped without a result") from None

    def _receive(self, child: _Child, results: dict[str, Any]) -> None:
        try:
            kind, task_id, payload = child.connection.recv()
        except EOFError:
            raise ReportFailed("the renderer stopped without a result") from None
        if kind == "page":
            if task_id in self.sizes:
                self.pages[task_id] = max(self.pages.get(task_id, 0), int(payload))
                self._report()
            return
        child.task = None
        if kind == "error":
            raise ReportFailed(str(payload))
        results[task_id] = payload
        if task_id in self.sizes:
            self.pages[task_id] = len(payload.heights)
            self.finished.add(task_id)
            if self.finished == set(self.sizes):
                self.total = sum(self.pages.values())
            self._report()


def render_document(
    html: str,
    static_root: Path,
    work_dir: Path,
    time_limit: float,
    children: list[_Child],
    on_progress: Progress | None = None,
) -> PdfResult:
    """Render `html` with these children (stopped at the end): in parts joined into one PDF when the document
    has the report's chapters and there is more than one child, else whole."""
    work_dir.mkdir(parents=True, exist_ok=True)
    files = _Files(work_dir)
    run = _Run(children, time.monotonic() + time_limit, on_progress)
    try:
        try:
            parts = pdf_parts.split_report(html) if len(children) > 1 else None
        except pdf_parts.NotSplittable:
            parts = None
        if parts is None:
            run.count("whole", html)
            pages: PartPages = run.run(
                [("part", "whole", html, str(static_root), str(files["whole"]), True)]
            )["whole"]
            result = PdfResult(files["whole"].read_bytes(), pages.refused)
        else:
            result = _render_in_parts(parts, run, files, len(children), str(static_root))
    except ReportTimeout:
        for child in children:
            child.process.kill()
        raise ReportTimeout(f"the report took longer than {time_limit:g} seconds and was stopped") from None
    except ReportFailed:
        for child in children:  # the others' parts are of no use now: not waited for
            if child.task is not None:
                child.process.kill()
        raise
    finally:
        _stop(children)
        files.remove()
    for url in result.refused:
        log.warning("report renderer refused to fetch %s", url)
    return result


class _Files:
    """The render's files in the work folder, by name; all removed at the end."""

    def __init__(self, work_dir: Path) -> None:
        self.stem = f".render-{os.getpid()}-{next(_counter)}"
        self.work_dir = work_dir
        self.made: dict[str, Path] = {}

    def __getitem__(self, name: str) -> Path:
        return self.made.setdefault(name, self.work_dir / f"{self.stem}-{name}.pdf")

    def remove(self) -> None:
        for made in self.made.values():
            made.unlink(missing_ok=True)


def _render_in_parts(
    parts: pdf_parts.ReportParts, run: _Run, files: _Files, processes: int, static: str
) -> PdfResult:
    """Runs of chapters and a draft of the front matter laid out at once; then the front again with the
    contents' page numbers and the sheet of page numbers, at once; then the join."""
    bodies = ["".join(chapters) for chapters in pdf_parts.group_chapters(parts.chapters, processes * 4)]
    front_ids = pdf_parts.ids_in(parts.front)
    everywhere = front_ids.union(*(pdf_parts.ids_in(body) for body in bodies))
    documents = {}
    for index, body in enumerate(bodies):
        documents[f"run{index}"] = parts.part(
            body, first=False, elsewhere=everywhere - pdf_parts.ids_in(body)
        )
    targets = pdf_parts.contents_targets(parts.front)
    elsewhere = everywhere - front_ids
    draft = parts.part(parts.front, first=True, elsewhere=elsewhere, contents=dict.fromkeys(targets, 999))
    tasks: list[tuple[str, str, str, str, str | None, bool]] = [
        ("part", name, documents[name].html, static, str(files[name]), True)
        for name in sorted(documents, key=lambda name: -len(documents[name].html))
    ]
    tasks.append(("part", "draft", draft.html, static, None, True))  # laid out only: its pages counted
    for name, document in documents.items():
        run.count(name, document.html)
    run.count("draft", parts.front)
    laid_out: dict[str, PartPages] = run.run(tasks)
    front_pages = len(laid_out["draft"].heights)
    total = front_pages + sum(len(laid_out[name].heights) for name in documents)
    contents = _page_numbers(targets, front_pages, [laid_out[name] for name in documents])
    front = parts.part(parts.front, first=True, elsewhere=elsewhere, contents=contents)
    # The front takes one child, the page-number sheets the others: one task each, no child waiting on a
    # second task while another is free (three tasks on two children took a third longer).
    sheets = [f"numbers{i}" for i in range(max(1, processes - 1))]
    finished: dict[str, PartPages] = run.run(
        [
            ("part", "front", front.html, static, str(files["front"]), True),
            *(
                ("part", name, parts.numbers_sheet(first, last, total), static, str(files[name]), False)
                for name, (first, last) in zip(sheets, _pieces(total, len(sheets)), strict=True)
            ),
        ]
    )
    if len(finished["front"].heights) != front_pages:
        raise ReportFailed("the contents changed length when its page numbers were written in")
    rendered = [_rendered(files["front"], front, finished["front"])]
    rendered += [_rendered(files[name], documents[name], laid_out[name]) for name in documents]
    numbers = [str(files[name]) for name in sheets]
    run.run([("join", "join", rendered, numbers, str(files["joined"]))])
    refused = [url for pages in (*laid_out.values(), *finished.values()) for url in pages.refused]
    return PdfResult(files["joined"].read_bytes(), tuple(dict.fromkeys(refused)))


def _rendered(path: Path, part: pdf_parts.Part, pages: PartPages) -> pdf_parts.RenderedPart:
    return pdf_parts.RenderedPart(path, part.ids, pages.heights, pages.bookmarks)


def _pieces(total: int, count: int) -> list[tuple[int, int]]:
    """Pages 1 to `total` in `count` consecutive ranges of about equal length (first, last)."""
    bounds = [round(total * i / count) for i in range(count + 1)]
    return [(bounds[i] + 1, bounds[i + 1]) for i in range(count)]


def _page_numbers(targets: list[str], front_pages: int, runs: list[PartPages]) -> dict[str, int]:
    """The page each contents entry's target starts on in the joined document (runs follow the front)."""
    first_page: dict[str, int] = {}
    number = front_pages
    for pages in runs:
        for anchors in pages.anchors:
            number += 1
            for anchor in anchors:
                first_page.setdefault(anchor, number)
    return {target: first_page[target] for target in targets if target in first_page}


def render_pdf(
    html: str,
    static_root: Path,
    work_dir: Path,
    time_limit: float,
    *,
    processes: int = 1,
    on_progress: Progress | None = None,
) -> PdfResult:
    """Render in children forked from the fork server, killed after `time_limit` seconds so a worker never
    hangs; a report in parts over `processes` children."""
    children = _fork_children(max(1, processes), "forkserver")
    return render_document(html, static_root, work_dir, time_limit, children, on_progress)


class EarlyRenderer:
    """The children for one command's render, forked at once while the process is small (no threads, no
    database connections): they import WeasyPrint on the other CPUs while the command rates and writes the
    HTML, then render what `render` sends them; no new interpreter, no fork server."""

    def __init__(self, processes: int = 1) -> None:
        self._children = _fork_children(max(1, processes), "fork")
        self._used = False

    def render(
        self,
        html: str,
        static_root: Path,
        work_dir: Path,
        time_limit: float,
        *,
        on_progress: Progress | None = None,
    ) -> PdfResult:
        """As `render_pdf` (the same limit, errors and clean-up), once."""
        if self._used:
            raise RuntimeError("an early renderer renders one document")
        self._used = True
        return render_document(html, static_root, work_dir, time_limit, self._children, on_progress)

    def close(self) -> None:
        """Stop unused children (a cached PDF, an error: nothing to render); used ones are already gone."""
        if self._used:
            return
        self._used = True
        for child in self._children:
            child.process.kill()
        _stop(self._children)
