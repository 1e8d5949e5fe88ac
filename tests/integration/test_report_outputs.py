"""The report's outputs (issue 20): in each theme, every output with its quadrant and RBA question, its How-much
figures (its KPIs, the counts of the events that feed it) and the accepted evidence linked to it by the as-of
date, strongest first; the PDF lists six and says how many more; one statement reads every output's evidence."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from typing import Any

import pytest
from bs4 import Tag
from flask import Flask

from tracker.events.service import NamedFile, load_event
from tracker.extensions import db
from tracker.ratings import ratings_for
from tracker.reports.inputs import report_model_for
from tracker.reports.model import WEB_EVIDENCE_LIMIT, ReportModel
from tracker.reports.render import render_html, report_pdf
from tracker.services.audit import Actor
from tracker.services.output_evidence import output_evidence
from tracker.services.permissions import Principal

from ..page import Page, attr, text_of
from ..querycount import count_statements
from ..web.test_output_events import EVENT_YAML, SESSIONS
from .test_ratings_service import add_kpi_value
from .test_report import pdf_text

SLUG = "tiny-partnership"
REPORT = f"/f/{SLUG}/report"
GUIDES = "Placement guides for practice educators"
EXTRA_OUTPUT = (
    "      - {id: out-guides, text: Placement guides for practice educators, quadrant: effort-quality, "
    "kpis: [statutory-share]}\n"
)


def with_guides(tiny_yaml: str, version: int = 1, outputs: int = 0) -> str:
    """The tiny framework with a second partner, the output `out-guides` (fed by the statutory-share KPI) and
    `outputs` more outputs (`out-more-N`)."""
    more = "".join(
        f"      - {{id: out-more-{n}, text: More output {n}, quadrant: effort-quantity}}\n"
        for n in range(1, outputs + 1)
    )
    return (
        tiny_yaml.replace("version: 1", f"version: {version}", 1)
        .replace(
            "  - {id: tiny-council, name: Tiny Council, kind: local_authority, tier: primary}\n",
            "  - {id: tiny-council, name: Tiny Council, kind: local_authority, tier: primary}\n"
            "  - {id: other-council, name: Other Council, kind: local_authority, tier: secondary}\n",
        )
        .replace("    outcomes:\n", EXTRA_OUTPUT + more + "    outcomes:\n", 1)
    )


@pytest.fixture
def framework(load_framework: Any, tiny_yaml: str) -> str:
    """This module's framework: the tiny one with a second output (the fixtures that build on `framework`,
    `make_evidence` and `as_role`, use it)."""
    load_framework(with_guides(tiny_yaml))
    return SLUG


def load_week(app: Flask, event_id: str, title: str, output_id: str = "out-days", more: str = "") -> None:
    """A week of two sessions (160 signed up, 120 attended) that feeds the output, as `tracker event load`."""
    yaml = EVENT_YAML.format(id=event_id, title=title, day="2023-03-13", more=more)
    with app.app_context(), db.unit_of_work() as session:
        outcome = load_event(
            session,
            Actor("test"),
            Principal.command_line(),
            NamedFile("event.yaml", yaml.replace("out-days", output_id).encode()),
            NamedFile("sessions.csv", SESSIONS.encode()),
        )
        assert outcome.ok, [str(p) for p in outcome.problems]


def seed(app: Flask, make_evidence: Any) -> None:
    """Items linked to out-days: two that show (a robust survey, a testimonial), and three that must not (a
    draft, one collected after the as-of date, one linked to an outcome only); a week of sessions that feeds
    out-days; a value of the KPI out-guides reports."""
    make_evidence(
        title="Allocation day attendance", links=("out-days",), source_type="admin_data", respondents=None,
        population=None, collection="days-register", collected_on=date(2023, 3, 20),
    )  # fmt: skip
    make_evidence(
        title="A student on the allocation day", links=("out-days", "educators-supported"),
        source_type="testimonial", respondents=1, population=None, collection="", collected_on=date(2023, 2, 1),
        quote="I met my placement team on the day.",
    )  # fmt: skip
    make_evidence(title="Draft register", links=("out-days",), status="draft", collection="draft")
    make_evidence(
        title="Later register", links=("out-days",), collection="later", collected_on=date(2023, 5, 10)
    )
    make_evidence(title="Outcome only", links=("educators-supported",), collection="outcome-only")
    load_week(
        app, "week-2023", "Practice Week 2023", more="unique_attendees: {value: 100, estimated: true}\n"
    )
    add_kpi_value(app, "statutory-share", "2022/23", date(2023, 3, 31), 90)


def output(page: Page, output_id: str) -> Tag:
    return page.one(f"#theme-placements article.output#output-{output_id}")


def rows(article: Tag, table_class: str) -> list[list[str]]:
    table = article.select_one(f"table.{table_class}")
    assert table is not None, f"no {table_class} table"
    return Page(str(table)).rows(table=table)


def evidence(article: Tag) -> list[tuple[str, str, str]]:
    """The output's evidence as listed: each item's title, its source, size, date and strength, and quote."""
    return [
        (
            text_of(li.select_one(".evidence-title")),  # type: ignore[arg-type]
            text_of(li.select_one(".evidence-meta")),  # type: ignore[arg-type]
            text_of(quote) if (quote := li.select_one("blockquote")) else "",
        )
        for li in article.select("ul.output-evidence > li")
    ]


def model_of(app: Flask, as_of: date | None = None) -> ReportModel:
    with app.app_context(), app.test_request_context():
        rated = ratings_for(db.session, SLUG, as_of, for_report=True)
        assert rated is not None
        return report_model_for(db.session, rated, datetime(2024, 1, 2, tzinfo=UTC))


def test_each_output_shows_its_quadrant_figures_and_evidence(
    app: Flask, framework: str, make_evidence: Any, as_role: Any
) -> None:
    seed(app, make_evidence)
    page = Page.of(as_role("board").get(REPORT), 200)
    theme = page.one("section#theme-placements")
    headings = [text_of(h) for h in theme.select("h3")]
    assert headings.index("Outputs") == headings.index("The evidence behind each outcome") - 1
    assert [text_of(h) for h in theme.select("article.output > h4")] == [
        "Four allocation days a year",
        GUIDES,
    ]
    days, guides = output(page, "out-days"), output(page, "out-guides")
    assert attr(days, "aria-labelledby") == "output-out-days-heading"
    assert text_of(days.select_one(".output-quadrant")) == "Effort quantity How much did we do?"  # type: ignore[arg-type]
    assert text_of(guides.select_one(".output-quadrant")) == "Effort quality How well did we do it?"  # type: ignore[arg-type]
    # How much: the event that feeds out-days (linked to its chapter), and the KPI out-guides names.
    assert rows(days, "output-events") == [
        ["Practice Week 2023 13 March 2023", "2", "160", "120", "100 (an estimate)"]
    ]
    assert [attr(a, "href") for a in days.select("table.output-events a")] == ["#event-week-2023"]
    assert page.has("section#events #event-week-2023")
    assert days.select("table.output-kpis") == []
    assert rows(guides, "output-kpis") == [
        ["Share of placements that are statutory", "90% (2022/23)", "85% or higher", "✓ met"]
    ]
    assert guides.select("table.output-events") == []
    # The evidence: accepted, collected by the as-of date, linked to the output; counted items first.
    assert evidence(days) == [
        ("Allocation day attendance", "Administrative data · Mar 2023 · robust", ""),
        ("A student on the allocation day", "Testimonial · n = 1 · Feb 2023 · anecdotal (illustration only)",
         "“I met my placement team on the day.”"),
    ]  # fmt: skip
    label = days.select_one("#output-out-days-evidence-label")
    assert label is not None and text_of(label) == "Evidence for the output “Four allocation days a year”"
    assert attr(days.select_one("ul.output-evidence"), "aria-labelledby") == "output-out-days-evidence-label"  # type: ignore[arg-type]
    assert [text_of(p) for p in guides.select("p.muted")] == [
        "No accepted evidence is linked to this output."
    ]
    # Every table has a caption naming its output, and header cells with their scope.
    tables = theme.select("article.output table")
    assert [text_of(t.caption) for t in tables if t.caption] == [
        "How much: the events that feed it (the output “Four allocation days a year”)",
        f"How much: KPIs of the output “{GUIDES}”",
    ]
    for table in tables:
        assert {attr(th, "scope") for th in table.select("th")} <= {"col", "row"}
        assert all(attr(th, "scope") for th in table.select("th"))


def test_an_earlier_as_of_date_shows_what_was_known_then(
    app: Flask, framework: str, make_evidence: Any, as_role: Any
) -> None:
    seed(app, make_evidence)
    page = Page.of(as_role("board").get(f"{REPORT}?as_of=2023-03-05"), 200)
    days = output(page, "out-days")
    assert [title for title, _meta, _quote in evidence(days)] == ["A student on the allocation day"]
    assert days.select("table.output-events") == []  # the week had not ended
    assert text_of(days.select_one("p.output-no-figures")) == "No KPI or event gives figures for this output."  # type: ignore[arg-type]


def test_the_model_holds_each_themes_outputs(app: Flask, framework: str, make_evidence: Any) -> None:
    seed(app, make_evidence)
    [theme] = model_of(app).themes
    days, guides = theme.outputs
    assert (days.id, days.quadrant, days.quadrant_title, days.question) == (
        "out-days", "effort-quantity", "Effort quantity", "How much did we do?"
    )  # fmt: skip
    assert [(e.id, e.sessions, e.signups, e.attended, e.unique_attendees) for e in days.events] == [
        ("week-2023", "2", "160", "120", "100 (an estimate)")
    ]
    assert [(e.title, e.tier, e.counts) for e in days.evidence] == [
        ("Allocation day attendance", "robust", True),
        ("A student on the allocation day", "anecdotal", False),
    ]
    assert days.evidence_total == 2 and days.kpis == ()
    assert [(k.id, k.latest, k.target, k.status_code) for k in guides.kpis] == [
        ("statutory-share", "90% (2022/23)", "85% or higher", "met")
    ]
    assert guides.kpis[0] == theme.kpis[0]  # the same row as the theme's KPI table
    assert (guides.events, guides.evidence, guides.evidence_total) == ((), (), 0)


def test_the_pdf_lists_the_six_strongest_and_says_how_many_more(
    app: Flask, framework: str, make_evidence: Any
) -> None:
    for n in range(8):
        make_evidence(title=f"Register {n}", links=("out-days",), collection=f"register-{n}",
                      collected_on=date(2023, 1, 1 + n))  # fmt: skip
    model = model_of(app)
    with app.app_context(), app.test_request_context():
        web, printed = Page(render_html(model, for_pdf=False)), Page(render_html(model, for_pdf=True))
        pdf = report_pdf(model)
    newest_first = [f"Register {n}" for n in range(7, -1, -1)]
    assert [title for title, _meta, _quote in evidence(output(web, "out-days"))] == newest_first
    assert not output(web, "out-days").select("p.output-more")  # nothing left out of the web page
    assert [title for title, _meta, _quote in evidence(output(printed, "out-days"))] == newest_first[:6]
    assert text_of(output(printed, "out-days").select_one("p.output-more")) == (  # type: ignore[arg-type]
        "And 2 more items, listed in the web report and the tracker's evidence list."
    )
    text = " ".join(pdf_text(pdf).split())
    chapter = text[text.index("What the theme set out to produce") :]
    for expected in ("Four allocation days a year", "Effort quantity How much did we do?", "Register 7",
                     "And 2 more items", GUIDES, "How well did we do it?", "Share of placements that are statutory"):  # fmt: skip
        assert expected in chapter, expected
    assert "Register 1 " not in chapter


def test_the_web_page_links_the_rest_of_a_long_list(app: Flask, framework: str, make_evidence: Any) -> None:
    make_evidence(title="Register", links=("out-days",), collection="register")
    model = model_of(app)
    [theme] = model.themes
    days = dataclasses.replace(theme.outputs[0], evidence_total=WEB_EVIDENCE_LIMIT + 3)
    longer = dataclasses.replace(
        model, themes=(dataclasses.replace(theme, outputs=(days, *theme.outputs[1:])),)
    )
    with app.app_context(), app.test_request_context():
        web = output(Page(render_html(longer, for_pdf=False)), "out-days")
    assert text_of(web.select_one("p.output-more")) == (  # type: ignore[arg-type]
        f"And {WEB_EVIDENCE_LIMIT + 2} more items: all the evidence linked to this output."
    )
    assert [attr(a, "href") for a in web.select("p.output-more a")] == [
        f"/f/{SLUG}/evidence?element=out-days"
    ]


def test_every_outputs_evidence_is_one_statement_however_many_outputs(
    app: Flask, load_framework: Any, tiny_yaml: str, make_evidence: Any
) -> None:
    counts: list[int] = []
    for version, outputs in ((2, 1), (3, 6)):
        load_framework(with_guides(tiny_yaml, version, outputs))
        ids = [f"out-more-{n}" for n in range(1, outputs + 1)]
        for output_id in ids[len(counts) :]:  # the outputs this version adds
            for n in range(3):
                make_evidence(
                    title=f"{output_id} item {n}", links=(output_id,), collection=f"{output_id}-{n}"
                )
            load_week(app, f"{output_id}-week", f"Week of {output_id}", output_id)
        with app.app_context():
            rated = ratings_for(db.session, SLUG, for_report=True)
            assert rated is not None
            with count_statements(db.engine) as whole:
                model = report_model_for(db.session, rated, datetime.now(UTC))
            with count_statements(db.engine) as alone:
                found = output_evidence(
                    db.session, rated.framework_id, ["out-days", "out-guides", *ids], rated.as_of
                )
        assert sorted(found) == ids and all(len(items) == 3 for items in found.values())
        shown = {o.id: o for o in model.themes[0].outputs}
        assert all(
            shown[i].evidence_total == 3 and [e.id for e in shown[i].events] == [f"{i}-week"] for i in ids
        )
        assert alone.count == 1
        counts.append(whole.count)
    assert counts[0] == counts[1]
