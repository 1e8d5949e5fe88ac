"""The report's logic model section: in the contents, drawn per theme and listed in words, from the one report
model, in the web page and the PDF alike, with the same ratings as the rest of the report."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tracker.domain.logic_model import LogicModel
from tracker.reports.pdf import render_in_process
from tracker.resources import static_dir

from ..page import Page, attr, text_of
from .test_report import model_and_html, pdf_text, seed


def test_the_report_has_a_logic_model_section_listed_in_its_contents(app: Flask, make_evidence: Any) -> None:
    seed(make_evidence, app)
    model, web_html, print_html = model_and_html(app)
    assert isinstance(model.logic_model, LogicModel)
    for html in (web_html, print_html):
        page = Page(html)
        contents = page.links("nav.toc a")
        assert contents[1:3] == [("Visual progress diagrams", "#diagrams"), ("Logic model", "#logic-model")]
        section = page.one("section#logic-model")
        assert text_of(section.h2) == "Logic model"  # type: ignore[arg-type]
        assert [text_of(h) for h in section.select("h3")] == ["Theme 1: Student placements"]
        [svg] = section.select("svg[data-chart='logic-model']")
        assert attr(svg, "role") == "img"
        assert [attr(g, "data-box") for g in svg.select("g[data-box]")] == [
            "aim-ready",
            "act-allocation",
            "out-days",
            "more-statutory",
            "educators-supported",
            "retention",
        ]
        assert [attr(p, "data-link") for p in svg.select("path[data-link]")] == ["aim-ready act-allocation"]
        entries = {attr(li, "id"): li for li in section.select("ul.lm-list li.lm-box")}
        assert list(entries) == [f"lm-{g['data-box']}" for g in svg.select("g[data-box]")]
        assert [(text_of(a), attr(a, "href")) for a in entries["lm-aim-ready"].select(".lm-links a")] == [
            ("Activity 1", "#lm-act-allocation")
        ]


def test_the_logic_model_rates_each_outcome_as_the_rest_of_the_report_does(
    app: Flask, make_evidence: Any
) -> None:
    seed(make_evidence, app)
    model, web_html, _print_html = model_and_html(app)
    assert model.logic_model is not None
    ratings = {o.id: o.rating for t in model.themes for o in t.outcomes}
    drawn = {b.id: b.status for t in model.logic_model.themes for b in t.column("outcomes").boxes}
    assert drawn == ratings
    page = Page(web_html)
    for outcome, code in ratings.items():
        box = page.one(f"section#logic-model g[data-box='{outcome}']")
        assert attr(box, "data-status") == code
        assert "rating-" + code in attr(page.one(f"li#lm-{outcome} span.rating"), "class")
    # The output is measured by no KPI in this framework: it says so, in words.
    assert text_of(page.one("li#lm-out-days .lm-status")) == "○ No KPI"


def test_the_pdf_prints_the_drawing_and_the_list(app: Flask, make_evidence: Any) -> None:
    seed(make_evidence, app)
    _model, _web_html, print_html = model_and_html(app)
    text = " ".join(pdf_text(render_in_process(print_html, static_dir()).pdf).split())
    assert "Logic model Each theme as a logic model" in text
    assert "Served by: Activity 1" in text  # the list
    assert "Hold placement allocation days" in text and "●● Strong" in text  # the drawing's box and pill
