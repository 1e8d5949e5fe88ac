"""KPI values: each KPI's progress (baseline, target, latest, change, status, trend), each KPI's chart beside
its turn-the-curve note (tracker.plans.curve_views writes them), the values given, a form to add one, and
which partners have not reported."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import SelectField, StringField, TextAreaField

from tracker.domain import formats, text_limits
from tracker.domain.action_plans import PLAN_STATUS_LABELS, PRIORITY_LABELS
from tracker.domain.evidence_input import parse_kpi_value
from tracker.domain.kpi_sources import measure_label
from tracker.extensions import db
from tracker.plans import curve_pages
from tracker.plans.curve_views import new_plan_url, plan_url
from tracker.reports import charts
from tracker.services import evidence as evidence_service
from tracker.services import kpi_values
from tracker.services.evidence import FrameworkContext, Refused
from tracker.services.kpi_values import Progress
from tracker.services.permissions import can_enter_kpi_value, can_import_into
from tracker.web.as_of import requested_as_of
from tracker.web.event_links import event_page_url
from tracker.web.form_parts import Limit, Required, choices, limit_form_size
from tracker.web.guard import actor, principal, refuse, require

bp = Blueprint("kpis", __name__)
limit_form_size(bp)


class KpiValueForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no type hints: FlaskForm is Any
    kpi = SelectField("KPI", choices=[], validate_choice=False, validators=[Required()])
    period = StringField("Period", validators=[Required(), Limit(text_limits.KPI_PERIOD)])
    period_end = StringField("Last day of the period", validators=[Required()])
    value = StringField("Value", validators=[Required()])
    partner = SelectField("Partner", choices=[], validate_choice=False)
    note = TextAreaField("Note", validators=[Limit(text_limits.KPI_NOTE)])

    def raw_values(self) -> dict[str, str]:
        return {
            name: (getattr(self, name).data or "")
            for name in ("kpi", "period", "period_end", "value", "partner", "note")
        }


def _context(slug: str) -> FrameworkContext:
    ctx = evidence_service.framework_context(db.session, slug)
    if ctx is None:
        abort(404, description=f"No framework has the id '{slug}'.")
    return ctx


def _form(ctx: FrameworkContext) -> KpiValueForm:
    form = KpiValueForm()
    kpis = sorted(
        (e for e in ctx.elements.values() if e.kind == "kpi" and e.archived_at is None),
        key=lambda e: e.position,
    )
    typed = (k for k in kpis if kpi_values.sourced_refusal(ctx, k.slug) is None)  # the rest come from events
    form.kpi.choices = choices([("", "Choose a KPI"), *((k.slug, k.text) for k in typed)])
    form.partner.choices = choices(
        [("", "The whole partnership"), *((s, p.name) for s, p in ctx.partners.items())]
    )
    if request.method == "GET" and request.args.get("kpi"):
        form.kpi.data = request.args["kpi"]
    return form


def _sparklines(progress: Progress | None) -> dict[str, Markup]:
    """Each KPI's trend as a small line, for the KPIs with two periods or more (the baseline counts once)."""
    lines: dict[str, Markup] = {}
    if progress is None:
        return lines
    for k in progress.kpis:
        points = k.status.timeline()
        target = k.definition.target
        if len(points) >= 2:
            lines[k.status.kpi_id] = charts.kpi_sparkline(
                f"spark-{k.status.kpi_id}",
                k.status.name,
                k.status.unit,
                points,
                None if target is None else target.value,
                None if target is None else formats.kpi_target(target, k.status.unit, k.status.direction),
            )
    return lines


def _trends(progress: Progress | None) -> dict[str, Markup]:
    """Each KPI's chart beside its turn-the-curve note: the report's chart, with its forecast."""
    if progress is None:
        return {}
    return {
        k.status.kpi_id: charts.kpi_trend(
            f"trend-{k.status.kpi_id}",
            k.status.name,
            k.status.unit,
            [(period, value) for period, _end, value in k.status.series],
            k.status.baseline,
            None if k.definition.target is None else k.definition.target.value,
            k.status.direction,
            show_title=False,
            target_text=None
            if k.definition.target is None
            else formats.kpi_target(k.definition.target, k.status.unit, k.status.direction),
        )
        for k in progress.kpis
    }


def _event_pages(ctx: FrameworkContext, progress: Progress | None) -> dict[str, str]:
    """The page of each sourced KPI's event, by KPI id, where the event exists and has a page."""
    pages = {}
    for kpi, sourced in (progress.sources if progress else {}).items():
        url = event_page_url(ctx.framework.slug, sourced.source.event) if sourced.definition else None
        if url is not None:
            pages[kpi] = url
    return pages


def _page(ctx: FrameworkContext, form: KpiValueForm, status: int = 200) -> ResponseReturnValue:
    rows = kpi_values.current_values(db.session, ctx)
    periods, gaps = kpi_values.completeness(rows, ctx)
    progress = kpi_values.progress(db.session, ctx, rows, requested_as_of())
    sourced = sorted(
        (row.element for row in rows if kpi_values.sourced_refusal(ctx, row.element.slug) is not None),
        key=lambda e: e.position,
    )
    p = principal()
    can_enter = can_enter_kpi_value(p, ctx.partner_ids, p.partner_id if p.role == "lead" else None)
    curves = curve_pages.kpi_curves(db.session, ctx.framework) if progress else {}
    partner_names = {partner.id: partner.name for partner in ctx.partners.values()}
    return render_template(
        "kpis/index.html",
        ctx=ctx,
        rows=rows,
        progress=progress,
        sparklines=_sparklines(progress),
        trends=_trends(progress),
        directions={k.status.kpi_id: charts.direction_note(k.status.direction) for k in progress.kpis}
        if progress
        else {},
        curves=curves,
        can_write_curve=can_import_into(p, ctx.partner_ids),
        plan_url=plan_url,
        new_plan_url=new_plan_url,
        plan_statuses=PLAN_STATUS_LABELS,
        priorities=PRIORITY_LABELS,
        form=form,
        gaps=gaps,
        periods=periods,
        can_enter=can_enter,
        is_lead=p.role == "lead",
        partner_names=partner_names,
        sources=progress.sources if progress else {},
        sourced=sourced,
        event_pages=_event_pages(ctx, progress),
        measure_label=measure_label,
    ), status


@bp.get("/f/<slug>/kpis")
def index(slug: str) -> ResponseReturnValue:
    ctx = _context(slug)
    return _page(ctx, _form(ctx))


@bp.post("/f/<slug>/kpis")
def add(slug: str) -> ResponseReturnValue:
    ctx = _context(slug)
    p = principal()
    require(
        can_enter_kpi_value(p, ctx.partner_ids, p.partner_id if p.role == "lead" else None),
        "enter KPI values",
        "framework",
        slug,
    )
    form = _form(ctx)
    if not form.validate_on_submit():
        return _page(ctx, form, 400)
    units = {
        e.slug: str(e.attrs.get("unit", ""))
        for e in ctx.elements.values()
        if e.kind == "kpi" and e.archived_at is None
    }
    fields, problems = parse_kpi_value(form.raw_values(), set(units), set(ctx.partners), units)
    refusal = kpi_values.sourced_refusal(ctx, form.kpi.data or "")
    if refusal is not None:  # its value comes from an event: never typed twice
        form.kpi.errors = [*form.kpi.errors, f"{refusal[0].upper()}{refusal[1:]}."]
        return _page(ctx, form, 400)
    if fields is None:
        for name, message in problems:
            field = getattr(form, name)
            field.errors = [*field.errors, f"{field.label.text} {message}"]
        return _page(ctx, form, 400)
    try:
        kpi_values.save(db.session, actor(), p, ctx, fields)
    except Refused as refused:
        refuse("enter KPI value", "framework", slug, str(refused))
    flash(f"Saved the value for {fields.period}.", "success")
    return redirect(url_for("kpis.index", slug=slug))
