"""The action plan pages (issue 20): a framework's plans, one plan with its history and comments, the form
that starts or revises one, and the CSV of them all. The plans service checks and writes; a refused or
invalid post writes nothing (the request's one commit happens only when the answer is a success)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from tracker.db.models import ActionPlan
from tracker.domain.action_plans import (
    MAX_ACTIONS,
    MAX_STEPS,
    PLAN_STATUS_LABELS,
    PRIORITY_LABELS,
    TARGET_KIND_LABELS,
    WORK_STATUS_LABELS,
    FieldProblem,
)
from tracker.domain.evidence_input import is_whole_number
from tracker.extensions import db
from tracker.plans import forms, pages, reading, service
from tracker.plans.export import plans_csv
from tracker.plans.forms import CommentForm, PlanForm
from tracker.plans.pages import PlansContext
from tracker.services.attachments import attachment_header
from tracker.services.evidence import EditConflict, Refused
from tracker.services.permissions import can_comment_plan, can_write_plan
from tracker.web.form_parts import limit_form_size
from tracker.web.guard import actor, principal, refuse, require

bp = Blueprint("plans", __name__)
limit_form_size(bp)

LABELS = {
    "priorities": PRIORITY_LABELS,
    "statuses": PLAN_STATUS_LABELS,
    "work": WORK_STATUS_LABELS,
    "kinds": TARGET_KIND_LABELS,
}


def _context(slug: str) -> PlansContext:
    ctx = pages.plans_context(db.session, slug)
    if ctx is None:
        abort(404, description=f"No framework has the id '{slug}'.")
    return ctx


def _plan(ctx: PlansContext, number: int) -> ActionPlan:
    plan = reading.plan_by_number(db.session, ctx.framework, number)
    if plan is None:
        abort(404, description=f"This framework has no plan {number}.")
    return plan


def _own_partner() -> int | None:
    p = principal()
    return p.partner_id if p.role == "lead" else None


def _may_start(ctx: PlansContext) -> bool:
    """A new plan is its lead's partner's (an admin's is the framework's)."""
    return can_write_plan(principal(), set(ctx.partner_ids), _own_partner())


# -- reading ------------------------------------------------------------------------------------------


@bp.get("/f/<slug>/plans")
def index(slug: str) -> ResponseReturnValue:
    ctx = _context(slug)
    plans = reading.plans_of(db.session, ctx.framework, ctx.domain)
    today = date.today()
    return render_template(
        "plans/index.html",
        ctx=ctx,
        open_plans=[p for p in plans if p.is_open],
        closed_plans=[p for p in plans if not p.is_open],
        overdue=reading.overdue_count(plans, today),
        today=today,
        may_start=_may_start(ctx),
        **LABELS,
    )


@bp.get("/f/<slug>/plans.csv")
def download_csv(slug: str) -> ResponseReturnValue:
    ctx = _context(slug)
    body = plans_csv(reading.plans_of(db.session, ctx.framework, ctx.domain), date.today())
    return Response(
        body, mimetype="text/csv", headers={"Content-Disposition": attachment_header(f"{slug}-plans.csv")}
    )


def _plan_page(
    ctx: PlansContext, plan: ActionPlan, comment_form: CommentForm, status: int = 200
) -> ResponseReturnValue:
    p = principal()
    return render_template(
        "plans/show.html",
        ctx=ctx,
        shown=pages.shown_plan(db.session, ctx, plan),
        history=reading.history(db.session, plan),
        comments=reading.comments(db.session, plan),
        today=date.today(),
        may_edit=can_write_plan(p, set(ctx.partner_ids), plan.partner_id),
        may_comment=can_comment_plan(p),
        comment_form=comment_form,
        **LABELS,
    ), status


@bp.get("/f/<slug>/plans/<int:number>")
def show(slug: str, number: int) -> ResponseReturnValue:
    ctx = _context(slug)
    return _plan_page(ctx, _plan(ctx, number), CommentForm(formdata=None))


@bp.get("/f/<slug>/plans/<int:number>/revisions/<int:revision>")
def revision(slug: str, number: int, revision: int) -> ResponseReturnValue:
    ctx = _context(slug)
    plan = _plan(ctx, number)
    found = pages.revision_of(db.session, ctx, plan, revision)
    if found is None:
        abort(404, description=f"Plan {number} has no revision {revision}.")
    # Steps are marked overdue on the current revision only: an earlier one is read as it was saved.
    today = date.today() if found.revision.number == found.newest else None
    return render_template("plans/revision.html", ctx=ctx, found=found, today=today, **LABELS)


# -- writing ------------------------------------------------------------------------------------------


def _form_page(
    ctx: PlansContext,
    form: PlanForm,
    plan: ActionPlan | None = None,
    placed: forms.Placed | None = None,
    status: int = 200,
    guidance: Sequence[str] = (),
) -> ResponseReturnValue:
    forms.offer(form, ctx.choices, service.lead_candidates(db.session, ctx.framework))
    return render_template(
        "plans/form.html",
        ctx=ctx,
        form=form,
        plan=plan,
        placed=placed or forms.Placed(),
        target_groups=forms.target_groups(ctx.choices),
        kpi_options=[(c.id, c.label) for c in ctx.choices if c.kind == "kpi"],
        priority_options=forms.PRIORITY_OPTIONS,
        guidance=guidance,
        actions=range(1, MAX_ACTIONS + 1),
        steps=range(1, MAX_STEPS + 1),
        **LABELS,
    ), status


def _starting_values(ctx: PlansContext) -> tuple[dict[str, Any], tuple[str, ...]]:
    """A new plan's first values: today, the reader as lead, and the target asked for (`?kind=&target=`),
    with an outcome's "what would raise it" as the measures' starting text and a KPI as the measure."""
    kind, target = request.args.get("kind", "")[:16], request.args.get("target", "")[:200]
    p = principal()
    raw: dict[str, Any] = {
        "status": "draft",
        "starts_on": date.today().isoformat(),
        "lead_user_id": str(p.user_id) if p.user_id is not None else "",
    }
    guidance: tuple[str, ...] = ()
    if ctx.has(kind, target):
        raw |= {"target_kind": kind, "target_id": target}
        if kind == "outcome":
            _rating, guidance = pages.outcome_guidance(db.session, ctx.slug, target)
            if guidance:
                raw["measures"] = "What would raise the rating:\n" + "\n".join(f"- {g}" for g in guidance)
        elif kind == "kpi":
            raw["measure_kpis"] = [target]
    return raw, guidance


@bp.route("/f/<slug>/plans/new", methods=["GET", "POST"])
def create(slug: str) -> ResponseReturnValue:
    ctx = _context(slug)
    require(_may_start(ctx), "start an action plan", "framework", slug)
    form = PlanForm()
    if request.method == "GET":
        raw, guidance = _starting_values(ctx)
        forms.fill(form, raw)
        return _form_page(ctx, form, guidance=guidance)
    if not form.validate_on_submit():
        return _form_page(ctx, form, status=400)
    raw = forms.compact(forms.raw_plan(request.form))
    try:
        saved = service.create_plan(db.session, actor(), principal(), ctx.framework, raw)
    except Refused as refused:
        refuse("start an action plan", "framework", slug, str(refused))
    except service.PlanInvalid as invalid:
        return _refill(ctx, raw, invalid.problems)
    flash(f"Plan {saved.plan.number} is saved ({PLAN_STATUS_LABELS[saved.plan.status].lower()}).", "success")
    return redirect(url_for("plans.show", slug=slug, number=saved.plan.number))


def _refill(
    ctx: PlansContext,
    raw: dict[str, Any],
    problems: Sequence[FieldProblem],
    plan: ActionPlan | None = None,
    general: Sequence[str] = (),
    status: int = 400,
    seen: str = "",
) -> ResponseReturnValue:
    """The form again with what was posted (blank slots moved last) and each problem at its field."""
    db.session.rollback()
    shown = PlanForm(formdata=None)
    forms.fill(shown, raw)
    shown.seen_revision.data = seen
    placed = forms.place(shown, problems, general)
    return _form_page(ctx, shown, plan, placed, status)


@bp.route("/f/<slug>/plans/<int:number>/edit", methods=["GET", "POST"])
def edit(slug: str, number: int) -> ResponseReturnValue:
    ctx = _context(slug)
    plan = _plan(ctx, number)
    require(
        can_write_plan(principal(), set(ctx.partner_ids), plan.partner_id),
        "edit an action plan",
        "plan",
        number,
    )
    form = PlanForm()
    if request.method == "GET":
        forms.fill(form, forms.raw_of(service.current_content(db.session, plan)))
        form.seen_revision.data = str(plan.revision)
        return _form_page(ctx, form, plan)
    if not form.validate_on_submit():
        return _form_page(ctx, form, plan, status=400)
    raw = forms.compact(forms.raw_plan(request.form))
    seen_text = form.seen_revision.data or ""
    seen = int(seen_text) if is_whole_number(seen_text) else -1
    current = plan.revision
    try:
        saved = service.update_plan(db.session, actor(), principal(), ctx.framework, plan, raw, seen)
    except Refused as refused:
        refuse("edit an action plan", "plan", number, str(refused))
    except service.PlanInvalid as invalid:
        return _refill(ctx, raw, invalid.problems, plan, seen=seen_text)
    except EditConflict:
        # Keep the reader's text; the form now carries the newer revision, so saving again is a choice
        # made knowing that it replaces what the other person saved.
        message = (
            f"Someone saved this plan (revision {current}) after you opened it "
            f"(revision {seen_text or '?'}). "
            "Your changes below are not saved yet. Read the newer version (it opens from the plan's page), "
            "then save again to replace it with yours, or leave this page to keep theirs."
        )
        return _refill(ctx, raw, (), plan, (message,), status=409, seen=str(current))
    flash(f"Plan {number} is saved: revision {saved.revision.number} ({saved.revision.note}).", "success")
    return redirect(url_for("plans.show", slug=slug, number=number))


@bp.post("/f/<slug>/plans/<int:number>/comments")
def comment(slug: str, number: int) -> ResponseReturnValue:
    ctx = _context(slug)
    plan = _plan(ctx, number)
    require(can_comment_plan(principal()), "comment on an action plan", "plan", number)
    form = CommentForm()
    if not form.validate_on_submit():
        return _plan_page(ctx, plan, form, 400)
    try:
        service.comment_on_plan(db.session, actor(), principal(), plan, form.body.data or "")
    except Refused as refused:
        refuse("comment on an action plan", "plan", number, str(refused))
    except service.PlanInvalid as invalid:
        db.session.rollback()
        form.body.errors = [forms.sentence(p.message) for p in invalid.problems]
        return _plan_page(ctx, plan, form, 400)
    flash("Your comment is saved.", "success")
    return redirect(url_for("plans.show", slug=slug, number=number) + "#comments")
