"""`tracker report --format pdf` forks its render children first (pdf_pool.EarlyRenderer): they render the one
document they are sent within the time limit, and children never used or past the limit are stopped (issue 23)."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfReader

from tracker.reports import pdf, pdf_pool, render
from tracker.resources import static_dir

BOARD = '<html lang="en"><body><h1>Board report</h1><p>Every outcome, rated.</p></body></html>'


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return False


def test_the_early_renderer_renders_its_one_document_tagged_and_leaves_no_file(tmp_path: Path) -> None:
    renderer = pdf_pool.EarlyRenderer(2)
    pids = [child.process.pid for child in renderer._children]
    result = renderer.render(BOARD, static_dir(), tmp_path, 60)
    reader = PdfReader(io.BytesIO(result.pdf))
    assert "Board report" in reader.pages[0].extract_text()
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]  # tagged, as render_pdf's (PDF/UA-1)
    assert result.refused == ()
    assert list(tmp_path.iterdir()) == []
    assert all(gone(pid) for pid in pids)
    with pytest.raises(RuntimeError):
        renderer.render(BOARD, static_dir(), tmp_path, 60)
    renderer.close()  # after a render: nothing left to do


def test_an_unused_early_renderer_is_stopped_at_once() -> None:
    renderer = pdf_pool.EarlyRenderer(2)
    pids = [child.process.pid for child in renderer._children]
    assert len(pids) == 2 and None not in pids
    renderer.close()
    assert all(gone(pid) for pid in pids)


def test_the_early_renderer_keeps_the_time_limit(tmp_path: Path) -> None:
    renderer = pdf_pool.EarlyRenderer(2)
    pids = [child.process.pid for child in renderer._children]
    long_report = "<html><body>" + "<p>An outcome and its evidence.</p>" * 20_000 + "</body></html>"
    with pytest.raises(pdf.ReportTimeout, match=r"took longer than 0\.05 seconds"):
        renderer.render(long_report, static_dir(), tmp_path, 0.05)
    assert all(gone(pid) for pid in pids)
    assert list(tmp_path.iterdir()) == []


def test_a_render_that_fails_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise ValueError("no such font")

    monkeypatch.setattr(pdf, "render_part", broken)  # the fork copies the patched module
    renderer = pdf_pool.EarlyRenderer()
    with pytest.raises(pdf.ReportFailed, match="ValueError: no such font"):
        renderer.render(BOARD, static_dir(), tmp_path, 60)


def test_the_report_command_renders_through_its_early_renderer(
    app: Flask,
    runner: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    load_framework: Any,
    tiny_yaml: str,
) -> None:
    """The command's PDF comes from the child it forked first, not from the web's fork server."""
    load_framework(tiny_yaml)
    used: list[str] = []
    real = pdf_pool.EarlyRenderer.render

    def recorded(self: pdf_pool.EarlyRenderer, *args: Any) -> pdf.PdfResult:
        used.append("early")
        return real(self, *args)

    monkeypatch.setattr(pdf_pool.EarlyRenderer, "render", recorded)
    monkeypatch.setattr(render, "render_pdf", lambda *args, **kw: pytest.fail("the fork server was used"))
    out = tmp_path / "r.pdf"
    done = runner.invoke(
        args=["report", "--framework", "tiny-partnership", "--format", "pdf", "-o", str(out)]
    )
    assert done.exit_code == 0, done.output
    assert used == ["early"]
    assert out.read_bytes().startswith(b"%PDF")
