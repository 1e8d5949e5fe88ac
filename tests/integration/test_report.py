"""The progress report: one model, rendered as HTML and as a PDF whose text a board can search."""

from __future__ import annotations

import dataclasses
import io
import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from pypdf import PdfReader

from tracker.extensions import db
from tracker.ratings import ratings_for
from tracker.reports import model as report_model
from tracker.reports.pdf import render_in_process
from tracker.reports.render import render_html
from tracker.resources import static_dir

from ..page import Page, Rating, badge, text_of
from ..querycount import count_statements
from .test_ratings_service import add_kpi_value

HOSTILE = (
    '<script>alert(1)</script> <img src="file:///etc/passwd"> see http://169.254.169.254/latest/meta-data/'
)


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


def report_outcomes(page: Page) -> dict[str, Rating]:
    """The report's outcome sections: each outcome's heading and the rating its badge shows (code and words)."""
    found = {}
    for article in page.all("article.outcome"):
        rating = article.select_one("h4 + p > span.rating")
        assert article.h4 is not None and rating is not None
        found[text_of(article.h4)] = badge(rating, symbol=False)
    return found


def evidence_titles(page: Page, outcome: str) -> list[str]:
    return page.texts(f"article#outcome-{outcome} ul.evidence-list span.evidence-title")


def seed(make_evidence: Any, app: Flask) -> None:
    make_evidence(quote="The workshops gave me a toolbox.")
    make_evidence(title="Practice educator focus group", source_type="focus_group", respondents=7, collection="",
                  collected_on=date(2023, 3, 10))  # fmt: skip
    add_kpi_value(app, "statutory-share", "2022/23", date(2023, 3, 31), 90)


def model_and_html(app: Flask) -> tuple[report_model.ReportModel, str, str]:
    with app.app_context(), app.test_request_context():
        rated = ratings_for(db.session, "tiny-partnership", for_report=True)
        assert rated is not None
        model = report_model.build(rated, datetime(2024, 1, 2, 3, 4, tzinfo=UTC))
        return model, render_html(model, for_pdf=False), render_html(model, for_pdf=True)


def test_pdf_text_holds_the_report(app: Flask, make_evidence: Any) -> None:
    seed(make_evidence, app)
    model, web_html, print_html = model_and_html(app)
    result = render_in_process(print_html, static_dir())
    assert result.pdf.startswith(b"%PDF") and result.refused == ()
    reader = PdfReader(io.BytesIO(result.pdf))
    assert 5 <= len(reader.pages) <= 12
    text = " ".join(pdf_text(result.pdf).split())
    for title in ("Student placements",):
        assert title in text
    for outcome in ("More students have statutory placements", "Practice educators feel supported",
                    "Graduates stay in the region"):  # fmt: skip
        assert outcome in text
    assert "Strong evidence that outcome was achieved" in text
    assert "+15 pp" in text  # the KPI row: 75% -> 90%
    assert "30 April 2023" in text  # the as-of date
    assert "The workshops gave me a toolbox." in text
    assert "Page 2 of" in text  # page numbers on every page
    # Document metadata for the board's PDF reader.
    info = reader.metadata
    assert info is not None and info.title and "Tiny Teaching Partnership" in info.title
    assert info.author == "Outcomes tracker" and "version 1" in (info.subject or "")
    # The HTML page came from the same model: every outcome the web page shows, with its rating, is in the PDF.
    shown = report_outcomes(Page(web_html))
    assert shown == {
        o.text: Rating(o.rating, o.rating_label) for theme in model.themes for o in theme.outcomes
    }
    assert shown["Practice educators feel supported"] == Rating(
        "strong", "Strong evidence that outcome was achieved"
    )
    assert all(outcome in text for outcome in shown)


def test_user_text_is_escaped_and_fetches_nothing(
    app: Flask, make_evidence: Any, caplog: pytest.LogCaptureFixture
) -> None:
    seed(make_evidence, app)
    make_evidence(title=HOSTILE, summary=HOSTILE, quote=HOSTILE, collection="hostile")
    _model, web_html, print_html = model_and_html(app)
    # The markup holds no such element (checked on the source), and the page shows the text as it was typed.
    assert "<script>alert(1)</script>" not in web_html and '<img src="file:///etc/passwd">' not in print_html
    for page in (Page(web_html), Page(print_html)):
        assert page.all("script") == [] and page.all("img") == []
        assert HOSTILE in evidence_titles(page, "educators-supported")
    result = render_in_process(print_html, static_dir())
    assert result.refused == ()  # escaped text is only text: nothing was even asked for
    text = pdf_text(result.pdf)
    assert "root:" not in text
    assert "<script>alert(1)</script>" in " ".join(text.split())  # shown as the plain text it is


def test_the_fetcher_refuses_files_and_the_network(caplog: pytest.LogCaptureFixture) -> None:
    html = (
        '<html><head><link rel="stylesheet" href="http://169.254.169.254/x.css">'
        '<style>@import url("file:///etc/passwd");</style></head><body><p>Safe text</p>'
        '<img src="file:///etc/passwd" alt="x"><img src="http://169.254.169.254/latest/meta-data/" alt="y">'
        '<img src="/static/../../../../etc/passwd" alt="z">'
        '<img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=" alt="ok">'
        "</body></html>"
    )
    result = render_in_process(html, static_dir())
    refused = " ".join(result.refused)
    assert "file:///etc/passwd" in refused and "169.254.169.254" in refused
    assert not any(url.startswith("data:") for url in result.refused)
    text = pdf_text(result.pdf)
    assert "Safe text" in text and "root:" not in text


def test_report_pages_and_pdf_download(
    app: Flask, as_role: Any, make_evidence: Any, caplog: pytest.LogCaptureFixture
) -> None:
    seed(make_evidence, app)
    client = as_role("board")
    page = Page.of(client.get("/f/tiny-partnership/report"), 200)
    assert page.h1 == "Tiny Teaching Partnership" and page.title.endswith(
        "progress report as of 30 April 2023"
    )
    assert page.links(".report-actions a") == [
        ("Download the PDF", "/f/tiny-partnership/report.pdf?as_of=2023-04-30")
    ]
    assert page.text(".report-actions p > span.muted") == (
        "The PDF is made when first downloaded, then kept until the evidence changes."
    )
    first = client.get("/f/tiny-partnership/report.pdf")
    assert first.status_code == 200 and first.data.startswith(b"%PDF")
    assert first.headers["Content-Disposition"].startswith("attachment;")
    assert "tiny-partnership-report-2023-04-30.pdf" in first.headers["Content-Disposition"]
    # The second download is the cached copy, and the page says when it was made.
    again = client.get("/f/tiny-partnership/report.pdf")
    assert again.data == first.data
    cached = Page.of(client.get("/f/tiny-partnership/report"), 200).text(".report-actions p > span.muted")
    assert cached.startswith("A PDF of exactly this report was made ") and cached.endswith(
        "downloading it is instant."
    )
    # A past as-of date is a different report.
    older = client.get("/f/tiny-partnership/report.pdf?as_of=2023-03-05")
    assert older.status_code == 200 and older.data != first.data
    assert client.get("/f/tiny-partnership/report?as_of=not-a-date").status_code == 400


def test_a_render_past_its_time_limit_stops_and_the_app_keeps_serving(
    make_app: Any, make_user: Any, load_framework: Any, tiny_yaml: str
) -> None:
    app = make_app(REPORT_TIME_LIMIT_SECONDS=0.05)
    from ..conftest import sign_in

    load_framework(tiny_yaml)
    client = app.test_client()
    sign_in(client, make_user("board"))
    slow = client.get("/f/tiny-partnership/report.pdf")
    page = Page.of(slow, 503)
    assert "took longer than" in page.text("main h1 + p"), page.main
    assert client.get("/f/tiny-partnership/report").status_code == 200


def test_report_model_query_count_is_constant(app: Flask, make_evidence: Any) -> None:
    seed(make_evidence, app)
    counts = []
    for extra in (0, 12):
        for n in range(extra):
            make_evidence(
                title=f"Extra {n}", collection=f"x{n}", links=("educators-supported", "more-statutory")
            )
        with app.app_context(), count_statements(db.engine) as counter:
            rated = ratings_for(db.session, "tiny-partnership", for_report=True)
            assert rated is not None
            report_model.build(rated, datetime.now(UTC))
        counts.append(counter.count)
    assert counts[0] == counts[1]


def test_report_command_writes_html_and_pdf(
    app: Flask, runner: Any, make_evidence: Any, tmp_path: Any
) -> None:
    seed(make_evidence, app)
    html_file, pdf_file = tmp_path / "r.html", tmp_path / "r.pdf"
    result = runner.invoke(
        args=["report", "--framework", "tiny-partnership", "--format", "html", "-o", str(html_file)]
    )
    assert result.exit_code == 0, result.output
    assert "Practice educators feel supported" in html_file.read_text()
    result = runner.invoke(
        args=["report", "--framework", "tiny-partnership", "--format", "pdf", "-o", str(pdf_file)]
    )
    assert result.exit_code == 0, result.output
    assert pdf_file.read_bytes().startswith(b"%PDF")
    assert not list(tmp_path.glob(".render-*"))  # no temporary file left behind
    logging.getLogger(__name__).info("report written")


def test_the_pdf_lists_the_strongest_items_and_says_how_many_more(app: Flask, make_evidence: Any) -> None:
    seed(make_evidence, app)
    for n in range(8):
        make_evidence(title=f"Testimonial {n}", source_type="testimonial", respondents=None, collection="")
    model, web_html, print_html = model_and_html(app)
    outcome = next(o for t in model.themes for o in t.outcomes if o.id == "educators-supported")
    assert len(outcome.evidence) == 10 and outcome.not_printed == 10 - report_model.PRINT_EVIDENCE_LIMIT
    assert [e.counts for e in outcome.evidence[:2]] == [True, True]  # counted items first
    web, printed = Page(web_html), Page(print_html)
    web_titles = evidence_titles(web, "educators-supported")
    assert len(web_titles) == 10 and {f"Testimonial {n}" for n in range(8)} <= set(web_titles)  # every item
    printed_titles = evidence_titles(printed, "educators-supported")
    assert printed_titles == web_titles[: report_model.PRINT_EVIDENCE_LIMIT]
    assert (
        len([t for t in printed_titles if t.startswith("Testimonial ")])
        == report_model.PRINT_EVIDENCE_LIMIT - 2
    )
    assert printed.text("article#outcome-educators-supported ul.evidence-list + p") == (
        "And 4 more items, listed in the web report and the tracker's evidence list."
    )


def test_a_kpi_with_one_value_is_named_not_drawn(app: Flask, make_evidence: Any) -> None:
    make_evidence()  # no KPI values: the statutory share has its baseline alone
    model, web_html, print_html = model_and_html(app)
    assert not next(k for t in model.themes for k in t.kpis).has_trend
    no_trend = (
        "No trend to draw yet (one value or none): Share of placements that are statutory. "
        "Their figures are in the table above."
    )
    for html in (web_html, print_html):
        page = Page(html)
        assert page.all("[id^=trend-statutory-share]") == [] and page.all("figure.trend") == []
        assert page.texts("section#theme-placements p.muted.small") == [no_trend]
    add_kpi_value(app, "statutory-share", "2022/23", date(2023, 3, 31), 90)
    model, web_html, _ = model_and_html(app)
    assert next(k for t in model.themes for k in t.kpis).has_trend  # baseline and one value: two points
    page = Page(web_html)
    [trend] = page.all("figure.trend")
    assert trend.select("svg [id^=trend-statutory-share], svg[id^=trend-statutory-share]")
    assert "No trend to draw yet" not in page.body


def test_a_kpi_chart_lists_each_period_once(app: Flask, make_evidence: Any) -> None:
    """A value reported for the baseline's year is the baseline point, not a flat year that never happened."""
    make_evidence()
    add_kpi_value(app, "statutory-share", "2021/22", date(2022, 3, 31), 75)  # the baseline's own year
    add_kpi_value(app, "statutory-share", "2022/23", date(2023, 3, 31), 90)
    _model, web_html, print_html = model_and_html(app)
    for html in (web_html, print_html):
        page = Page(html)
        [chart] = page.all("figure.trend svg")
        labels = [text_of(t) for t in chart.select("text")]
        assert [label for label in labels if "/" in label] == ["2021/22", "2022/23"]  # the x axis
        assert labels.count("baseline") == 1
        assert len(chart.select("rect[data-part=baseline]")) == 1
        assert len(chart.select("circle[data-part=point]")) == 1
        assert text_of(chart.select_one("desc")) == (  # type: ignore[arg-type]
            "Baseline 75% (2021/22); 2022/23: 90%; target 85% or higher. Higher is better."
        )
        [row] = page.rows("KPIs of theme 1")
        assert row[4:] == ["85% or higher", "✓ met"]
        status = page.one("table.kpi-table span.kpi-status")
        assert "kpi-status-met" in (status.get("class") or [])
        symbol = status.select_one(".kpi-status-symbol")
        assert symbol is not None and symbol.get("aria-hidden") == "true" and text_of(symbol) == "✓"


def test_theme_diagrams_are_html_boxes_coloured_patterned_and_labelled(
    app: Flask, make_evidence: Any, as_role: Any
) -> None:
    from tracker.reports import charts

    seed(make_evidence, app)
    model, web_html, print_html = model_and_html(app)
    expected = [
        (
            ["diagram-box", f"diagram-{o.rating}"],
            o.rating,
            o.text,
            f"{charts.rating_tags()[o.rating]}: {o.rating_label}",
        )
        for theme in model.themes
        for o in theme.outcomes
    ]
    for html in (web_html, print_html):
        diagrams = Page(html).one("section#diagrams")
        boxes = [
            (box["class"], box["data-rating"], text_of(box.select_one("span.diagram-text")),  # type: ignore[arg-type]
             text_of(box.select_one("span.diagram-band > span.diagram-pill")))  # type: ignore[arg-type]
            for box in diagrams.select("li.diagram-box")
        ]  # fmt: skip
        assert boxes == expected  # coloured, patterned (by class) and labelled, in words for a screen reader
        key = diagrams.select("ul.rating-key-list > li > span.key-swatch")
        assert [s["class"] for s in key] == [["key-swatch", f"key-{code}"] for code in model.codes]
        assert len(key) == 5  # the key: every rating, with its words
        assert diagrams.select("text") == []  # no SVG text there
    css = (static_dir() / "report.css").read_text(encoding="utf-8")
    assert charts.diagram_css() in css  # the fills and patterns are the charts' own


def test_hostile_outcome_text_is_escaped_in_the_diagram(
    app: Flask, make_evidence: Any, load_framework: Any, tiny_yaml: str
) -> None:
    load_framework(
        tiny_yaml.replace("version: 1", "version: 2").replace(
            "Practice educators feel supported", "Practice educators <script>alert(1)</script> & co"
        )
    )
    _, web_html, print_html = model_and_html(app)
    for html in (web_html, print_html):
        assert "<script>alert(1)</script>" not in html  # in the source, not only as a browser reads it
        page = Page(html)
        assert page.all("script") == []
        assert "Practice educators <script>alert(1)</script> & co" in page.texts(
            "section#diagrams span.diagram-text"
        )


def test_the_report_from_stored_ratings_is_the_report_rated_now(app: Flask, make_evidence: Any) -> None:
    """One pipeline: the report from stored rows is the report of the same outcomes rated now, with the same
    PDF cache key; as of another date (never stored) too."""
    from sqlalchemy import delete, update

    from tracker.db.models import RatingSnapshot, RatingState
    from tracker.reports.render import model_fingerprint

    seed(make_evidence, app)
    make_evidence(title="A testimonial", source_type="testimonial", respondents=None, collection="",
                  quote="It changed how I supervise.")  # fmt: skip
    when = datetime(2024, 1, 2, tzinfo=UTC)
    for as_of in (None, date(2023, 3, 5)):  # the stored default, and another date (rated now)
        with app.app_context():
            stored = ratings_for(db.session, "tiny-partnership", as_of, for_report=True)
            assert stored is not None and stored.fresh == ()  # the default date was stored by the saves
            db.session.execute(delete(RatingSnapshot))
            db.session.execute(update(RatingState).values(linked_items=None))
            now = ratings_for(db.session, "tiny-partnership", as_of, for_report=True)
            assert now is not None and now.counted_now
            assert len(now.fresh) == (len(now.ratings) if now.stored_date else 0)
            model = report_model.build(stored, when)
            assert model == report_model.build(now, when)
            later = report_model.build(now, when + timedelta(days=1))
            assert model_fingerprint(model) == model_fingerprint(later)  # when it was made is not shown data
            # The count is part of the key: a count read apart from the ratings cannot share their PDF.
            assert stored.evidence_total is not None
            other_count = dataclasses.replace(stored, evidence_total=stored.evidence_total + 1)
            assert model_fingerprint(report_model.build(other_count, when)) != model_fingerprint(model)
            db.session.rollback()


def test_report_page_statements_stay_constant_and_long_lists_link_to_the_rest(
    app: Flask, as_role: Any, make_evidence: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report_model, "WEB_EVIDENCE_LIMIT", 2)
    seed(make_evidence, app)
    client = as_role("board")
    counts = []
    for size in (0, 12):
        for n in range(size):
            make_evidence(
                title=f"Extra {n}", collection=f"x{n}", links=("educators-supported", "more-statutory")
            )
        client.get("/f/tiny-partnership/report")
        with app.app_context():
            engine = db.engine
        with count_statements(engine) as counter:
            response = client.get("/f/tiny-partnership/report")
        page = Page.of(response, 200)
        counts.append(counter.count)
    assert counts[0] == counts[1]
    assert len(evidence_titles(page, "educators-supported")) == 2
    more = page.one("article#outcome-educators-supported ul.evidence-list + p")
    assert (
        text_of(more) == "And 12 more items: all the evidence linked to this outcome."
    )  # 14 linked, 2 listed
    assert [a["href"] for a in more.select("a")] == [
        "/f/tiny-partnership/evidence?element=educators-supported"
    ]
