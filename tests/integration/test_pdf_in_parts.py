"""A report rendered in parts at once and joined (issue 23) is the report rendered whole: the same pages with the
same text, "Page N of M" on each, the same outline, contents page numbers and links, one valid structure tree."""

from __future__ import annotations

import io
import os
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from flask import Flask
from pypdf import PdfReader

from tracker.reports import pdf, pdf_parts, pdf_pool
from tracker.resources import static_dir

from .test_report import model_and_html, seed

MCID = re.compile(rb"/MCID\s+(\d+)")


@pytest.fixture
def print_html(app: Flask, make_evidence: Any) -> str:
    seed(make_evidence, app)
    return str(model_and_html(app)[2])


def render(
    html: str, work: Path, processes: int, progress: list[tuple[int, int | None]] | None = None
) -> bytes:
    on_progress = None if progress is None else (lambda done, total: progress.append((done, total)))
    result = pdf_pool.render_pdf(html, static_dir(), work, 120, processes=processes, on_progress=on_progress)
    assert result.refused == ()
    assert list(work.iterdir()) == []  # every part, sheet and joined file removed
    return result.pdf


def page_texts(data: bytes) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def outline(document: pikepdf.Pdf) -> list[tuple[int, str, int]]:
    """(depth, title, page index) of every outline item, depth first."""
    found: list[tuple[int, str, int]] = []

    def walk(items: Any, depth: int) -> None:
        for item in items:
            found.append((depth, str(item.title), document.pages.index(pikepdf.Page(item.destination[0]))))
            walk(item.children, depth + 1)

    with document.open_outline() as tree:
        walk(tree.root, 0)
    return found


def link_targets(document: pikepdf.Pdf) -> list[tuple[int, int]]:
    """(page index of the link, page index its named destination lands on) for every internal link."""
    dests = pikepdf.NameTree(document.Root.Names.Dests)
    found = []
    for index, page in enumerate(document.pages):
        for annotation in page.obj.get("/Annots", pikepdf.Array()):
            if "/Dest" in annotation:
                target = dests[str(annotation.Dest)]
                found.append((index, document.pages.index(pikepdf.Page(target[0]))))
    return found


def children(node: Any) -> list[Any]:
    kids = node.get("/K")
    listed = list(kids) if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []
    return [k for k in listed if isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/StructElem"]


def elements(node: Any) -> Iterator[Any]:
    for kid in children(node):
        yield kid
        yield from elements(kid)


def content(page: pikepdf.Page) -> bytes:
    contents = page.obj.Contents
    streams = list(contents) if isinstance(contents, pikepdf.Array) else [contents]
    return b"\n".join(stream.read_bytes() for stream in streams)


@pytest.fixture
def both(print_html: str, tmp_path: Path) -> tuple[pikepdf.Pdf, pikepdf.Pdf, bytes, bytes]:
    whole = render(print_html, tmp_path / "whole", 1)
    parts = render(print_html, tmp_path / "parts", 2)
    return pikepdf.open(io.BytesIO(whole)), pikepdf.open(io.BytesIO(parts)), whole, parts


def test_the_report_is_cut_into_several_parts(print_html: str) -> None:
    parts = pdf_parts.split_report(print_html)
    assert len(parts.chapters) >= 6
    assert len(pdf_parts.group_chapters(parts.chapters, 6)) >= 3


def test_the_parts_joined_have_the_whole_reports_pages_and_text(both: Any) -> None:
    whole, joined, whole_bytes, joined_bytes = both
    assert len(joined.pages) == len(whole.pages) >= 6
    total = len(whole.pages)
    whole_text, joined_text = page_texts(whole_bytes), page_texts(joined_bytes)
    for number, (a, b) in enumerate(zip(whole_text, joined_text, strict=True), start=1):
        assert f"Page {number} of {total}" in a
        assert f"Page {number} of {total}" in b
        assert sorted(a.split()) == sorted(b.split()), f"page {number} differs"


def test_the_contents_page_numbers_outline_and_links_are_the_whole_reports(both: Any) -> None:
    whole, joined, whole_bytes, joined_bytes = both
    assert outline(joined) == outline(whole)
    assert len(outline(joined)) > 10
    assert link_targets(joined) == link_targets(whole)
    assert any(target > 2 for _page, target in link_targets(joined))  # contents links into later parts
    contents = re.findall(r"\. (\d+)\b", page_texts(joined_bytes)[1])
    assert contents and contents == re.findall(r"\. (\d+)\b", page_texts(whole_bytes)[1])


def test_the_joined_structure_tree_is_one_document_whose_keys_match_the_pages(both: Any) -> None:
    whole, joined, _, _ = both
    root = joined.Root.StructTreeRoot
    [document] = list(root.K)
    assert document.S == "/Document"
    assert {str(part.S) for part in document.K} == {"/Part"}
    assert root.ParentTreeNextKey == len(root.ParentTree.Nums) // 2
    nums = root.ParentTree.Nums
    tree = {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}
    keys: list[int] = []
    for page in joined.pages:
        key = int(page.obj.StructParents)
        keys.append(key)
        ids = {int(m) for m in MCID.findall(content(page))}
        assert ids and max(ids) < len(tree[key])  # every marked piece of the page has its element
        for annotation in page.obj.get("/Annots", pikepdf.Array()):
            assert int(annotation.StructParent) in tree
    assert len(set(keys)) == len(keys)
    # Every element points to its parent, and the same kinds of element are there as in the whole report.
    for element in [document, *elements(document)]:
        for kid in children(element):
            assert kid.P.objgen == element.objgen
    whole_kinds = Counter(str(e.S) for e in elements(whole.Root.StructTreeRoot.K[0]))
    joined_kinds = Counter(str(e.S) for e in elements(document))
    joined_kinds["/Part"] -= len(document.K)  # each rendered part's document is a Part of the one Document
    assert +joined_kinds == whole_kinds
    assert joined.Root.Lang == "en-GB" and joined.Root.MarkInfo.Marked
    assert b"pdfuaid:part" in joined.Root.Metadata.read_bytes()


def test_the_page_numbers_are_artifacts_not_content(both: Any) -> None:
    _, joined, _, _ = both
    for page in joined.pages:
        drawn = content(page)
        assert drawn.count(b"/Artifact <</Type /Pagination /Subtype /Footer>> BDC") == 1
        assert drawn.rstrip().endswith(b"EMC Q")


def test_progress_counts_pages_and_ends_with_the_total(print_html: str, tmp_path: Path) -> None:
    progress: list[tuple[int, int | None]] = []
    data = render(print_html, tmp_path / "work", 2, progress)
    pages = len(pikepdf.open(io.BytesIO(data)).pages)
    assert progress and progress[0][1] is None  # laid out pages counted before any part is finished
    done = [d for d, _ in progress]
    assert done == sorted(done)
    estimates = [total for _, total in progress if total is not None]
    assert estimates and all(total > done for done, total in progress[:-1] if total is not None)
    assert progress[-1] == (pages, pages)  # exact at the end, and equal only there


def test_a_part_that_fails_mid_render_fails_the_whole_and_leaves_nothing(
    print_html: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = pdf.render_part

    def failing(html: str, *args: Any, **kwargs: Any) -> Any:
        if 'id="method"' in html:  # the last chapter's part: others are laid out first or alongside
            raise RuntimeError("disk full")
        return real(html, *args, **kwargs)

    monkeypatch.setattr(pdf, "render_part", failing)  # the forked children copy the patched module
    progress: list[int] = []
    work = tmp_path / "work"
    renderer = pdf_pool.EarlyRenderer(2)
    pids = [child.process.pid for child in renderer._children]
    with pytest.raises(pdf.ReportFailed, match="RuntimeError: disk full"):
        renderer.render(
            print_html, static_dir(), work, 120, on_progress=lambda done, _: progress.append(done)
        )
    assert progress and progress[-1] > 0  # it failed mid-work: other parts had pages laid out
    assert list(work.iterdir()) == []  # no part file left behind
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
