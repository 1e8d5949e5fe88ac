"""Adding one participating organisation to a survey (issue 21) on a page, with a CSV row's checks:
administrators only (others 403, audited); changing one stays with the CSV, which says what changed."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField

from tracker.domain.problems import RowProblem
from tracker.domain.survey_orgs import ORG_KEY_MAX
from tracker.domain.text_limits import SURVEY_ORG_NAME, SURVEY_ORG_REGION
from tracker.extensions import db
from tracker.services import survey_orgs as orgs_service
from tracker.services.evidence import Refused
from tracker.services.permissions import can_manage_survey_orgs
from tracker.services.surveys import SurveyNotFound
from tracker.web.form_parts import Limit, Required, choices, limit_form_size
from tracker.web.guard import actor, principal, refuse, require

bp = Blueprint("survey_orgs", __name__)
limit_form_size(bp)
URL = "/f/<slug>/surveys/<survey_id>/orgs/new"
KIND_LABELS = (
    ("local_authority", "Local authority"),
    ("nhs_trust", "NHS trust"),
    ("not_for_profit", "Not for profit"),
    ("other", "Other"),
)
# The CSV's column names, as the domain's messages begin with them, and the page's words for them.
FIELD_WORDS = {
    "org": "Organisation id",
    "name": "Name",
    "kind": "Kind",
    "region": "Region",
    "partner": "Partner",
}


class OrgForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no type hints: FlaskForm is Any
    """Only the CSRF token is checked here: every field's check is the domain's, as for a CSV row."""

    org = StringField("Organisation id", validators=[Required()], render_kw={"maxlength": ORG_KEY_MAX})
    name = StringField("Name", validators=[Required(), Limit(SURVEY_ORG_NAME)])
    kind = SelectField(
        "Kind",
        choices=choices([("", "Choose a kind"), *KIND_LABELS]),
        default="",
        validators=[Required()],
        validate_choice=False,
    )
    region = StringField("Region", validators=[Required(), Limit(SURVEY_ORG_REGION)])
    partner = SelectField("Partner", choices=[], validate_choice=False)


def _choices(slug: str, survey_id: str) -> orgs_service.OrgChoices:
    require(can_manage_survey_orgs(principal()), "add survey organisation", "survey", survey_id)
    try:
        return orgs_service.org_choices(db.session, slug, survey_id)
    except SurveyNotFound as missing:  # NoOrganisations too: a survey without them has no such page
        abort(404, description=str(missing))


def _page(
    slug: str, survey_id: str, form: OrgForm, found: orgs_service.OrgChoices, status: int = 200
) -> ResponseReturnValue:
    return render_template(
        "surveys/org_new.html", slug=slug, survey_id=survey_id, form=form, found=found
    ), status


def _form(found: orgs_service.OrgChoices) -> OrgForm:
    form = OrgForm()
    form.partner.choices = choices([("", "None"), *found.partners])
    return form


def _message(problem: RowProblem) -> str:
    """The domain's message in the page's words: its column name becomes the field's label."""
    text = problem.message
    if problem.column == "kind" and text.startswith("kind is blank"):
        return "Choose the organisation's kind"
    word = f"{problem.column} "
    if problem.column in FIELD_WORDS and text.startswith(word):
        return f"{FIELD_WORDS[problem.column]} {text[len(word) :]}"
    if text.startswith("'"):  # a value first ("'x' is not a valid id"): named by its field
        return f"{FIELD_WORDS.get(problem.column, 'Organisation id')} {text}"
    return text[:1].upper() + text[1:]


@bp.get(URL)
def new(slug: str, survey_id: str) -> ResponseReturnValue:
    found = _choices(slug, survey_id)
    return _page(slug, survey_id, _form(found), found)


@bp.post(URL)
def add(slug: str, survey_id: str) -> ResponseReturnValue:
    """One organisation, every field checked first; any problem and nothing is stored."""
    found = _choices(slug, survey_id)
    form = _form(found)
    if not form.validate_on_submit():
        return _page(slug, survey_id, form, found, 400)
    values = {name: getattr(form, name).data or "" for name in ("org", "name", "kind", "region", "partner")}
    try:
        result = orgs_service.add_org(db.session, actor(), principal(), slug, survey_id, values)
    except SurveyNotFound as missing:
        abort(404, description=str(missing))
    except Refused as refused:
        refuse("add survey organisation", "survey", survey_id, str(refused))
    if not result.ok:
        db.session.rollback()
        for problem in result.problems:
            field = getattr(form, problem.column if problem.column in FIELD_WORDS else "org")
            field.errors = [*field.errors, _message(problem)]
        return _page(slug, survey_id, form, found, 400)
    flash(f"Organisation {values['org'].strip()} added.", "success")
    return redirect(url_for("surveys.show", slug=slug, survey_id=survey_id))
