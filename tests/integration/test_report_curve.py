"""The report's turn-the-curve notes (issue 20): each KPI's note and plans beside its chart, with the forecast
on the chart, in the web page and the PDF alike (one template, one model); the PDF's cache key follows the
note's version."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any

from flask import Flask
from pypdf import PdfReader
from sqlalchemy import select

from tracker.db.models import Evidence, Framework, User
from tracker.extensions import db
from tracker.plans import curve_pages
from tracker.plans import service as plan_service
from tracker.plans.curve import save_curve_note
from tracker.ratings import ratings_for
from tracker.reports import model as report_model
from tracker.reports.pdf import render_in_process
from tracker.reports.render import model_fingerprint, render_html
from tracker.resources import static_dir
from tracker.services.audit import Actor
from tracker.services.permissions import Principal

from ..page import Page, attr, text_of
from ..unit.test_action_plans import plan
from .test_ratings_service import add_kpi_value

SLUG = "tiny-partnership"
KPI = "statutory-share"


def seed(app: Flask, make_user: Any, make_evidence: Any) -> dict[str, int]:
    """Three periods of the KPI, an accepted and a later-returned item named by its note, and a plan."""
    for period, end, value in (("2020/21", date(2021, 3, 31), 70), ("2021/22", date(2022, 3, 31), 75),
                               ("2022/23", date(2023, 3, 31), 80)):  # fmt: skip
        add_kpi_value(app, KPI, period, end, value)
    items = {
        "kept": make_evidence(links=(KPI,), title="Allocation day evaluation"),
        "returned": make_evidence(links=(KPI,), title="An item sent back later", collection="other"),
    }
    email = make_user("lead")
    with app.app_context(), db.unit_of_work() as session:
        user = session.scalars(select(User).where(User.email == email)).one()
        framework = session.scalars(select(Framework).where(Framework.slug == SLUG)).one()
        actor, p = Actor(user.email, user.role, user.id), Principal.of(user)
        save_curve_note(
            session, actor, p, framework, KPI, story="Teams were stretched", partners="", what_works="x"
        )
        save_curve_note(
            session, actor, p, framework, KPI,
            story="Statutory teams were stretched.\nAllocation days helped.",
            partners="Tiny Council; the university",
            what_works="Allocation days with every team",
            evidence_ids=[items["kept"], items["returned"]],
            source="Evaluation report, page 12",
        )  # fmt: skip
        raw = plan(target_kind="kpi", target_id=KPI, title="More statutory placements", status="agreed")
        plan_service.create_plan(session, actor, p, framework, raw)
        session.get_one(Evidence, items["returned"]).status = "returned"
    return items


def build(app: Flask) -> tuple[report_model.ReportModel, str, str]:
    with app.app_context(), app.test_request_context():
        rated = ratings_for(db.session, SLUG, for_report=True)
        assert rated is not None
        curves = curve_pages.report_curves(db.session, SLUG, rated.framework)
        model = report_model.build(rated, datetime(2024, 1, 2, tzinfo=UTC), curves=curves)
        return model, render_html(model, for_pdf=False), render_html(model, for_pdf=True)


def test_the_note_stands_beside_its_kpi_chart_in_the_web_report(
    app: Flask, make_user: Any, make_evidence: Any
) -> None:
    items = seed(app, make_user, make_evidence)
    model, web, _print = build(app)
    (row,) = [k for t in model.themes for k in t.kpis]
    assert row.curve is not None and row.curve.version == 2
    page = Page(web)
    curve = page.by_id(f"curve-{KPI}")
    # the chart and the note are the two halves of one row, in the KPI section of its theme
    assert curve.find_parent("section", id="theme-placements") is not None
    [chart] = curve.select("figure.trend svg[data-chart=trend]")
    assert text_of(curve.select_one("figure .trend-title")).startswith(
        "Share of placements that are statutory"
    )
    assert len(chart.select("path[data-part=forecast]")) == 1
    assert "Forecast (straight line through 3 periods): 85% in 2023/24" in text_of(chart.select_one("desc"))
    block = curve.select_one(".curve-block")
    assert text_of(block.select_one("h4")) == "Turning the curve: Share of placements that are statutory"
    answers = {text_of(dt): text_of(dt.find_next_sibling("dd")) for dt in block.select("dl > dt")}
    assert answers["The story behind the curve"] == "Statutory teams were stretched. Allocation days helped."
    assert answers["Partners with a role to play"] == "Tiny Council; the university"
    assert answers["What works"].startswith("Allocation days with every team")
    # only the item still accepted is named, and it links to its page on the web
    assert [(text_of(a), attr(a, "href")) for a in block.select(".curve-evidence a")] == [
        ("Allocation day evaluation", f"/evidence/{items['kept']}")
    ]
    assert "An item sent back later" not in text_of(block)
    assert answers["Proposed actions"] == (
        "Action plan 1: More statutory placements (Agreed; Red: high priority)"
    )
    version = text_of(block.select_one(".curve-version"))
    assert version.startswith("Version 2, saved by lead") and version.endswith(
        "Source: Evaluation report, page 12."
    )


def test_the_pdf_prints_the_same_note_and_forecast(app: Flask, make_user: Any, make_evidence: Any) -> None:
    seed(app, make_user, make_evidence)
    _model, _web, print_html = build(app)
    block = Page(print_html).one(f"#curve-{KPI} .curve-block")
    assert block.select("a") == []  # print names the items and plans; it links nowhere
    assert "Allocation day evaluation (evidence" in text_of(block)
    result = render_in_process(print_html, static_dir())
    reader = PdfReader(io.BytesIO(result.pdf))
    text = " ".join(" ".join(p.extract_text() or "" for p in reader.pages).split())
    assert "Turning the curve" in text and "The story behind the curve" in text
    assert "Statutory teams were stretched." in text and "Action plan 1: More statutory placements" in text
    assert "Forecast (straight line through 3 periods)" in text


def test_a_kpi_without_a_note_or_plan_has_no_block_and_each_version_changes_the_pdf_key(
    app: Flask, make_user: Any, make_evidence: Any
) -> None:
    add_kpi_value(app, KPI, "2022/23", date(2023, 3, 31), 80)
    model, web, _print = build(app)
    assert not Page(web).has(".curve-block") and not Page(web).has_id(f"curve-{KPI}")
    seed(app, make_user, make_evidence)
    noted, _web, _print = build(app)
    with app.app_context(), db.unit_of_work() as session:  # the same words again: a new version all the same
        admin = Principal(None, "test", "admin", None)
        framework = session.scalars(select(Framework).where(Framework.slug == SLUG)).one()
        save_curve_note(
            session, Actor("test", "admin"), admin, framework, KPI,
            story="Statutory teams were stretched.\nAllocation days helped.",
            partners="Tiny Council; the university", what_works="Allocation days with every team",
        )  # fmt: skip
    again, _web, _print = build(app)
    keys = {model_fingerprint(m) for m in (model, noted, again)}
    assert len(keys) == 3  # the PDF cache never serves a report without the newest version
