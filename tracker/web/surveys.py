"""Survey results: each round's section scores with bands, breakdowns, change, and a CSV download."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from flask import Blueprint, Response, abort, render_template, request
from flask.typing import ResponseReturnValue

from tracker.db.models import SurveyRound
from tracker.domain.surveys import SectionResult, SurveyDefinition, describe_change, rounded_score
from tracker.extensions import db
from tracker.services import surveys as survey_service
from tracker.services.evidence_queries import neutralise

bp = Blueprint("surveys", __name__)


@dataclass(frozen=True)
class SurveyView:
    definition: SurveyDefinition
    rounds: list[SurveyRound]
    round: SurveyRound | None = None
    label: str = ""
    results: tuple[SectionResult, ...] = ()
    by: str | None = None


def _results(slug: str, survey_id: str) -> SurveyView:
    try:
        framework_id, definition = survey_service.definition_of(db.session, slug, survey_id)
    except survey_service.SurveyNotFound as missing:
        abort(404, description=str(missing))
    available = survey_service.rounds(db.session, framework_id, survey_id)
    if not available:
        return SurveyView(definition, available)
    label = request.args.get("round") or available[-1].label
    by = request.args.get("by") or None
    if by is not None and by not in definition.breakdowns:
        abort(400, description=f"'{by[:40]}' is not a breakdown of this survey.")
    try:
        _definition, round_, scored = survey_service.results(db.session, slug, survey_id, label, by)
    except survey_service.SurveyNotFound as missing:
        abort(404, description=str(missing))
    return SurveyView(definition, available, round_, label, scored, by)


@bp.get("/f/<slug>/surveys/<survey_id>")
def show(slug: str, survey_id: str) -> ResponseReturnValue:
    view = _results(slug, survey_id)
    return render_template(
        "surveys/show.html",
        slug=slug,
        view=view,
        definition=view.definition,
        describe_change=describe_change,
        rounded_score=rounded_score,
    )


@bp.get("/f/<slug>/surveys/<survey_id>/results.csv")
def download(slug: str, survey_id: str) -> ResponseReturnValue:
    view = _results(slug, survey_id)
    definition, label, scored, by = view.definition, view.label, view.results, view.by
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["section", "group", "n", "score", "band", "agree_pct", "change", "note"])
    fewer = f"fewer than {definition.min_group_size} responses"
    for r in scored:
        shown = not (r.suppressed or r.score is None)
        writer.writerow(
            [
                neutralise(r.title),
                "",
                r.n,
                rounded_score(r.score) if shown else "",
                r.band or "",
                f"{r.agree_pct:.0f}" if shown and r.agree_pct is not None else "",
                f"{r.change.value:+.1f}" if r.change else "",
                "" if shown else fewer,
            ]
        )
        for g in r.groups:
            visible = not (g.suppressed or g.score is None)
            writer.writerow(
                [
                    neutralise(r.title),
                    neutralise(g.group),
                    g.n,
                    rounded_score(g.score) if visible else "",
                    g.band or "",
                    "",
                    "",
                    "" if visible else fewer,
                ]
            )
    name = f"{slug}-{survey_id}-{label or 'none'}{'-by-' + by if by else ''}.csv"
    return Response(
        out.getvalue(), mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
