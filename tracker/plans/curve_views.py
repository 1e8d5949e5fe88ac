"""Writing a KPI's turn-the-curve note (a new version each save) and reading every version of it.

Leads of the framework's partners and admins write; everyone signed in reads (the KPI page shows the current
version beside the KPI's chart, `tracker.web.kpis`).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from tracker.db.models import Element
from tracker.domain.action_plans import PLAN_STATUS_LABELS, PRIORITY_LABELS
from tracker.extensions import db
from tracker.plans import curve_pages
from tracker.plans.curve import note_history
from tracker.plans.curve_forms import SOURCE, CurveNoteForm, parse_evidence_numbers
from tracker.plans.service import PlanInvalid
from tracker.services import evidence as evidence_service
from tracker.services.evidence import EditConflict, FrameworkContext, Refused
from tracker.services.permissions import can_import_into
from tracker.web.form_parts import limit_form_size
from tracker.web.guard import actor, principal, refuse, require

bp = Blueprint("curve", __name__)
limit_form_size(bp)


def plan_url(slug: str, number: int) -> str:
    """An action plan's page (tracker.plans.views)."""
    return f"/f/{slug}/plans/{number}"


def new_plan_url(slug: str, kpi: str) -> str:
    """The new-plan form, its target set to this KPI (tracker.plans.views)."""
    return f"/f/{slug}/plans/new?kind=kpi&target={kpi}"


def _context(slug: str) -> FrameworkContext:
    ctx = evidence_service.framework_context(db.session, slug)
    if ctx is None:
        abort(404, description=f"No framework has the id '{slug}'.")
    return ctx


def _kpi(ctx: FrameworkContext, kpi: str) -> Element:
    element = ctx.elements.get(kpi)
    if element is None or element.kind != "kpi" or element.archived_at is not None:
        abort(404, description=f"This framework has no KPI '{kpi}'.")
    return element


def _form_page(
    ctx: FrameworkContext,
    element: Element,
    form: CurveNoteForm,
    status: int = 200,
    extra: list[tuple[str | None, str]] | None = None,
) -> ResponseReturnValue:
    curve = curve_pages.kpi_curves(db.session, ctx.framework).get(element.slug)
    return render_template(
        "kpis/curve_form.html",
        ctx=ctx,
        kpi=element,
        curve=curve,
        form=form,
        extra=extra or [],
        linked=curve_pages.linked_evidence(db.session, ctx.framework, element.id),
        plan_url=plan_url,
        new_plan_url=new_plan_url,
        plan_statuses=PLAN_STATUS_LABELS,
        priorities=PRIORITY_LABELS,
    ), status


def _field_errors(form: CurveNoteForm) -> bool:
    """The form's own checks (evidence numbers, the source's length), at their fields; True if any failed."""
    _ids, problem = parse_evidence_numbers(form.evidence_ids.data or "")
    if problem:
        form.evidence_ids.errors = [*form.evidence_ids.errors, problem[0].upper() + problem[1:]]
    too_long = SOURCE.problem(form.source.data or "")
    if too_long:
        form.source.errors = [*form.source.errors, f"The source {too_long}"]
    return bool(problem or too_long)


@bp.route("/f/<slug>/kpis/<kpi>/curve", methods=["GET", "POST"])
def edit(slug: str, kpi: str) -> ResponseReturnValue:
    ctx = _context(slug)
    element = _kpi(ctx, kpi)
    require(can_import_into(principal(), ctx.partner_ids), "write turn-the-curve note", "kpi", kpi)
    form = CurveNoteForm()
    if request.method == "GET":
        form.fill(curve_pages.kpi_curves(db.session, ctx.framework).get(kpi))
        return _form_page(ctx, element, form)
    if not form.validate_on_submit() or _field_errors(form):
        return _form_page(ctx, element, form, 400)
    ids, _problem = parse_evidence_numbers(form.evidence_ids.data or "")
    try:
        note = curve_pages.save_version(
            db.session,
            actor(),
            principal(),
            ctx.framework,
            kpi,
            form.seen_version(),
            story=form.story.data or "",
            partners=form.partners.data or "",
            what_works=form.what_works.data or "",
            evidence_ids=ids,
            source=form.source.data or "",
        )
    except Refused as refused:
        refuse("write turn-the-curve note", "kpi", kpi, str(refused))
    except PlanInvalid as invalid:
        extra: list[tuple[str | None, str]] = []
        for problem in invalid.problems:
            message = problem.message[0].upper() + problem.message[1:]
            field = getattr(form, problem.field, None)
            if field is None:
                extra.append((None, message))
            else:
                field.errors = [*field.errors, message]
        return _form_page(ctx, element, form, 400, extra)
    except EditConflict as conflict:
        db.session.rollback()
        return _form_page(ctx, element, form, 409, [(None, str(conflict)[0].upper() + str(conflict)[1:])])
    flash(f"Saved version {note.number} of the turn-the-curve note for {element.text}.", "success")
    return redirect(url_for("kpis.index", slug=slug) + f"#curve-{kpi}")


@bp.get("/f/<slug>/kpis/<kpi>/curve/history")
def history(slug: str, kpi: str) -> ResponseReturnValue:
    ctx = _context(slug)
    element = _kpi(ctx, kpi)
    versions = note_history(db.session, ctx.framework, kpi)
    refs = curve_pages.evidence_refs(
        db.session, ctx.framework.id, {i for v in versions for i in v.evidence_ids}
    )
    return render_template(
        "kpis/curve_history.html",
        ctx=ctx,
        kpi=element,
        versions=[(v, tuple(refs[i] for i in v.evidence_ids if i in refs)) for v in versions],
        can_write=can_import_into(principal(), ctx.partner_ids),
    )
