"""GET a framework's surveys, a round's results as the survey page shows them, and one level (national,
a region, an organisation) of a round of a survey of organisations, as its report page shows it."""

from __future__ import annotations

from typing import Any

from flask import Response, request

from tracker.api import reading_surveys as reading
from tracker.api.core import api_get, not_found, principal, problem, respond
from tracker.api.openapi import DATE_TIME, NULLABLE_STRING, get, nullable, obj, ref
from tracker.api.views_frameworks import current_or_404
from tracker.extensions import db


@api_get("/frameworks/<slug>/surveys")
def surveys(slug: str) -> Response:
    found = current_or_404(slug)
    return respond(lambda: {"data": reading.surveys(db.session, found)})


def round_or_404(slug: str, survey: str, round_id: int) -> reading.RoundRef:
    found = current_or_404(slug)
    if reading.definition_in(found, survey) is None:
        not_found(f"survey {survey!r} in framework {slug!r}")
    ref = reading.round_of(db.session, found, survey, round_id)
    if ref is None:
        not_found(f"current round {round_id} of survey {survey!r}")
    return ref


@api_get("/frameworks/<slug>/surveys/<survey>/rounds/<int:round_id>")
def survey_round(slug: str, survey: str, round_id: int) -> Response:
    ref = round_or_404(slug, survey, round_id)
    try:
        body = reading.round_results(db.session, ref, request.args.get("by") or None, principal())
    except reading.BadParameter as bad:
        problem(400, "Bad Request", str(bad))
    return respond(lambda: body)


@api_get("/frameworks/<slug>/surveys/<survey>/rounds/<int:round_id>/levels/<level>")
def survey_level(slug: str, survey: str, round_id: int, level: str) -> Response:
    ref = round_or_404(slug, survey, round_id)
    target = reading.level_target(db.session, ref, level, principal())
    body = None
    if target is not None:
        # The round's results are stored the first time any level is read: in a short writing transaction
        # of its own (as stored ratings are), so this request's own stays a reader.
        with db.side_transaction() as session:
            body = reading.level_results(session, target)
    if body is None:
        not_found(f"level {level[:120]!r} of this round")
    return respond(lambda: body)


# -- the document ------------------------------------------------------------------------------------------

_INT = {"type": "integer"}
_NUMBER = {"type": ["number", "null"]}
_COUNT = {"type": ["integer", "null"]}
_TEXT = {"type": "string"}
_STRINGS = {"type": "array", "items": _TEXT}
_BAND = {"enum": ["good", "moderate", "poor", None]}


def _array(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": item}


# One figure of a level as its report prints it: a suppressed one carries no n, score, band, change or
# share (`reason` says why), so a group under the threshold never shows a value.
FIGURE: dict[str, Any] = {
    "n": _COUNT,
    "score": _NUMBER,
    "band": _BAND,
    "suppressed": {"type": "boolean"},
    "reason": {"enum": ["", "small", "complementary"]},
    "previous": _NUMBER,
    "change": _NUMBER,
    "agree_pct": _NUMBER,
}
_RANK = nullable(obj({"position": _INT, "of": _INT}))
_BREAKDOWNS = _array(ref("SurveyBreakdown"))

OPENAPI_SCHEMAS: dict[str, Any] = {
    "SurveyRound": obj(
        {
            "id": _INT,
            "label": _TEXT,
            "respondents": _INT,
            "imported_at": DATE_TIME,
            "previous_round": NULLABLE_STRING,
        }
    ),
    "Survey": obj(
        {
            "id": _TEXT,
            "title": _TEXT,
            "organisations": {"type": "boolean"},
            "min_group_size": _INT,
            "bands": obj({"good": {"type": "number"}, "moderate": {"type": "number"}}),
            "breakdowns": _STRINGS,
            "characteristics": _STRINGS,
            "sections": _array(
                obj({"id": _TEXT, "title": _TEXT, "questions": _array(obj({"id": _TEXT, "text": _TEXT}))})
            ),
            "rounds": _array(ref("SurveyRound")),
        }
    ),
    "SurveySection": obj(
        {
            "section": _TEXT,
            "title": _TEXT,
            "n": _INT,
            "score": _NUMBER,
            "score_shown": _COUNT,
            "band": _BAND,
            "agree_pct": _NUMBER,
            "suppressed": {"type": "boolean"},
            "change": nullable(
                obj(
                    {
                        "value": {"type": "number"},
                        "shown": {"type": "number"},
                        "unit": {"const": "points"},
                        "from_round": _TEXT,
                    }
                )
            ),
            "groups": _array(
                obj(
                    {
                        "group": _TEXT,
                        "n": _INT,
                        "score": _NUMBER,
                        "score_shown": _COUNT,
                        "band": _BAND,
                        "suppressed": {"type": "boolean"},
                    }
                )
            ),
        }
    ),
    "SurveyRoundResults": obj(
        {
            "survey": _TEXT,
            "round": ref("SurveyRound"),
            "min_group_size": _INT,
            "by": NULLABLE_STRING,
            "sections": _array(ref("SurveySection")),
            "distance": nullable(
                obj(
                    {
                        "from_round": _TEXT,
                        "sections": _array(
                            obj(
                                {
                                    "section": _TEXT,
                                    "kind": {"enum": ["paired", "cohort"]},
                                    "pairs": _INT,
                                    "value": _NUMBER,
                                    "unit": {"const": "points"},
                                    "suppressed": {"type": "boolean"},
                                    "n_pre": _INT,
                                    "n_post": _INT,
                                }
                            )
                        ),
                    }
                )
            ),
            "levels": nullable(
                _array(
                    obj({"level": _TEXT, "name": _TEXT, "region": NULLABLE_STRING, "kind": NULLABLE_STRING})
                )
            ),
        }
    ),
    "SurveyFigure": obj(FIGURE),
    "SurveyBreakdown": obj(
        {
            "name": _TEXT,
            "withheld": _TEXT,
            "parts": _array(obj({"value": _TEXT, **FIGURE})),
        }
    ),
    "SurveyLevel": obj(
        {
            "survey": _TEXT,
            "level": _TEXT,
            "name": _TEXT,
            "round": ref("SurveyRound"),
            "min_group_size": _INT,
            "reportable": {"type": "boolean"},
            "why_not": _TEXT,
            "organisation": nullable(obj({"id": _TEXT, "name": _TEXT, "kind": _TEXT, "region": _TEXT})),
            "completed": ref("SurveyFigure"),
            "completed_by": _BREAKDOWNS,
            "overall": obj(
                {
                    **FIGURE,
                    "rank": _RANK,
                    "vs_region": _NUMBER,
                    "vs_national": _NUMBER,
                    "breakdowns": _BREAKDOWNS,
                    "characteristics": _BREAKDOWNS,
                }
            ),
            "sections": _array(
                obj(
                    {
                        "section": _TEXT,
                        "title": _TEXT,
                        **FIGURE,
                        "rank": _RANK,
                        "vs_region": _NUMBER,
                        "vs_national": _NUMBER,
                        "questions": _array(obj({"question": _TEXT, "text": _TEXT, **FIGURE})),
                        "breakdowns": _BREAKDOWNS,
                        "characteristics": _BREAKDOWNS,
                    }
                )
            ),
            "regions": _array(
                obj(
                    {
                        "region": _TEXT,
                        "overall": ref("SurveyFigure"),
                        "sections": {"type": "object", "additionalProperties": ref("SurveyFigure")},
                    }
                )
            ),
        }
    ),
}

OPENAPI_PATHS: dict[str, Any] = {
    "/frameworks/{slug}/surveys": get(
        "The framework's surveys: sections, questions and current rounds (id, label, respondents)",
        obj({"data": _array(ref("Survey"))}),
        parameters=("slug",),
        tag="surveys",
    ),
    "/frameworks/{slug}/surveys/{survey}/rounds/{round}": get(
        "A round's results as the survey page shows them",
        ref("SurveyRoundResults"),
        description=(
            "Each section's n, score (unrounded, and `score_shown` as the page rounds it), band, share "
            "agreeing and change since the round before; with `by`, each group of that breakdown; and the "
            "distance travelled. A section or group under `min_group_size` has `suppressed` true and no "
            "score, band or share (its n is shown, as on the page). A survey of organisations has no "
            "sections here: `levels` lists the levels of its results this token may read."
        ),
        parameters=("slug", "survey", "round", "by"),
        tag="surveys",
    ),
    "/frameworks/{slug}/surveys/{survey}/rounds/{round}/levels/{level}": get(
        "One level of a round of a survey of organisations, as its report page shows it",
        ref("SurveyLevel"),
        description=(
            "`level` is `national`, `region:<name>` or `org:<id>`. Every figure is withheld as the "
            "reports withhold it: under `min_group_size`, or one that would let such a figure be worked "
            "out (`reason` complementary); a withheld figure has no n, score, band or change. An "
            "organisation's level is for administrators, evaluators and its own partner's leads (404 "
            "for any other token); one with too few completed has `reportable` false and no figures."
        ),
        parameters=("slug", "survey", "round", "level"),
        tag="surveys",
    ),
}
