"""The report PDF is tagged (PDF/UA-1): a screen reader gets its headings, lists, tables and charts."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Iterator
from typing import Any

from flask import Flask
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject

from tracker.reports.pdf import render_in_process
from tracker.resources import static_dir

from ..page import Page
from .test_report import model_and_html, seed


def struct_elements(node: Any) -> Iterator[DictionaryObject]:
    """Every structure element under `node`, depth first (marked-content ids and annotations skipped)."""
    node = node.get_object()
    kids = node.get("/K")
    if kids is None:
        return
    for kid in kids if isinstance(kids, ArrayObject) else [kids]:
        kid = kid.get_object()
        if isinstance(kid, DictionaryObject) and kid.get("/Type") == "/StructElem":
            yield kid
            yield from struct_elements(kid)


def test_the_report_pdf_is_tagged_with_its_language_and_structure(app: Flask, make_evidence: Any) -> None:
    seed(make_evidence, app)
    _model, _web_html, print_html = model_and_html(app)
    result = render_in_process(print_html, static_dir())
    root = PdfReader(io.BytesIO(result.pdf)).trailer["/Root"].get_object()

    # What `pdfinfo` reports as "Tagged: yes", and what PDF/UA asks of the catalogue.
    assert root["/MarkInfo"]["/Marked"].value is True
    assert root["/Lang"] == "en-GB"
    assert root["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    assert b"pdfuaid:part" in root["/Metadata"].get_object().get_data()

    elements = list(struct_elements(root["/StructTreeRoot"]))
    kinds = Counter(str(e["/S"]) for e in elements)
    assert {"/Document", "/H1", "/H2", "/H3", "/P", "/L", "/LI", "/Table", "/TH", "/TD", "/Figure"} <= set(
        kinds
    )
    # One heading element for each heading of the printed page.
    printed = Page(print_html)
    assert kinds["/H1"] == len(printed.all("h1")) == 1
    assert kinds["/H2"] == len(printed.all("h2"))
    # Charts carry their SVG title as alternative text.
    figures = [e for e in elements if e["/S"] == "/Figure"]
    assert figures and all(str(e.get("/Alt", "")).strip() for e in figures)
    # Data cells name their headers, so a table reads cell by cell with its column and row.
    cells = [e for e in elements if e["/S"] == "/TD"]
    assert cells and all(e["/A"]["/Headers"] for e in cells)
