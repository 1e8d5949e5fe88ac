"""A sample file for each import, made for one framework from its own ids, so that a sample always imports.

The rows are marked as examples to replace: evidence rows are drafts (they count for nothing until submitted
and accepted), a KPI row repeats the KPI's baseline value, and a survey's rows show each kind of answer.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date

from tracker.db.models import Element
from tracker.domain.evidence_input import EVIDENCE_COLUMNS, KPI_COLUMNS
from tracker.domain.survey_definitions import ORG_COLUMN, PROFESSION_COLUMN
from tracker.domain.surveys import RESPONDENT_COLUMN, SurveyDefinition, number_text
from tracker.services.evidence import FrameworkContext

EXAMPLE = "Example row: replace it with your own, or delete it, before importing."


def _csv(header: Sequence[str], rows: Sequence[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(header), restval="")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _current(ctx: FrameworkContext, kind: str) -> list[Element]:
    """The framework's current elements of a kind, in the framework's order."""
    found = [e for e in ctx.elements.values() if e.kind == kind and e.archived_at is None]
    return sorted(found, key=lambda e: e.position)


def _partner(ctx: FrameworkContext, own_partner: str) -> str:
    """A lead's own partner; else the framework's first partner, to show what the column holds."""
    return own_partner or next(iter(sorted(ctx.partners)), "")


def evidence_sample(ctx: FrameworkContext, own_partner: str, today: date) -> str:
    """Two draft items: a survey on the first outcome, and a document on an output (or that outcome again).

    Neither names a `kpi`: an example row must not claim to report a KPI's value (the KPI would stand for it).
    """
    outcomes, outputs, kpis = (_current(ctx, kind) for kind in ("outcome", "output", "kpi"))
    first = (outcomes or outputs or kpis)[:1]
    if not first:
        return _csv(EVIDENCE_COLUMNS, [])
    second = (outputs or outcomes or kpis)[:1]
    also = [k.slug for k in kpis[:1] if k.slug != first[0].slug]
    partner = _partner(ctx, own_partner)
    rows = [
        {
            "title": "Example: survey of practice educators",
            "summary": EXAMPLE,
            "source_type": "survey",
            "collected_on": today.isoformat(),
            "links": ";".join([first[0].slug, *also]),
            "finding": "supports",
            "respondents": "24",
            "population": "40",
            "positive": "18",
            "collection": "Example survey",
            "group": "practice educators",
            "independent": "false",
            "partner": partner,
            "quote": "An example quotation.",
            "status": "draft",
            "shows": "better_off",
        },
        {
            "title": "Example: notes of a meeting",
            "summary": EXAMPLE,
            "source_type": "document",
            "collected_on": today.isoformat(),
            "links": second[0].slug,
            "finding": "supports",
            "independent": "false",
            "partner": partner,
            "url": "https://example.org/notes",
            "flags": "partial_coverage",
            "status": "draft",
            "shows": "how_much",
        },
    ]
    return _csv(EVIDENCE_COLUMNS, rows)


def _last_year_ended(today: date) -> tuple[str, date]:
    """The label and last day of the latest financial year (April to March) ended by today: '2022/23'."""
    end_year = today.year if today >= date(today.year, 3, 31) else today.year - 1
    return f"{end_year - 1}/{end_year % 100:02d}", date(end_year, 3, 31)


def kpi_sample(ctx: FrameworkContext, own_partner: str, today: date) -> str:
    """One value of the first KPI: its baseline value for the last financial year, noted as an example."""
    kpis = _current(ctx, "kpi")
    if not kpis:
        return _csv(KPI_COLUMNS, [])
    kpi = kpis[0]
    baseline = kpi.attrs.get("baseline") or {}
    value = baseline.get("value") if isinstance(baseline, dict) else None
    period, period_end = _last_year_ended(today)
    per_partner = bool(kpi.attrs.get("per_partner"))
    row = {
        "kpi": kpi.slug,
        "period": period,
        "period_end": period_end.isoformat(),
        "value": number_text(value) if isinstance(value, int | float) else "0",
        "partner": _partner(ctx, own_partner) if per_partner else "",
        "note": EXAMPLE,
    }
    return _csv(KPI_COLUMNS, [row])


def survey_sample(definition: SurveyDefinition, rows: int = 3, organisations: Sequence[str] = ()) -> str:
    """A few respondents' rows: every column the survey needs, with answers from its scale.

    A survey with organisations gets `org` (its loaded organisations in turn, so the sample imports; an
    example id while none is loaded), `profession` and its characteristics (one row leaves them blank).
    """
    questions = definition.question_ids()
    labels = [label for label, _score in definition.scale.options]
    skipped = sorted(definition.scale.not_scored, key=str.casefold)
    org_columns = [ORG_COLUMN, PROFESSION_COLUMN] if definition.organisations else []
    header = [
        RESPONDENT_COLUMN,
        *definition.breakdowns,
        *org_columns,
        *definition.characteristics,
        *questions,
    ]
    orgs = sorted(organisations) or ["example-organisation"]
    found: list[dict[str, str]] = []
    for r in range(rows):
        row = {RESPONDENT_COLUMN: f"R{r + 1:03d}"}
        for name in definition.breakdowns:
            row[name] = f"Example group {'AB'[r % 2]}"
        if definition.organisations:
            row[ORG_COLUMN] = orgs[r % len(orgs)]
            row[PROFESSION_COLUMN] = "" if r % 3 == 2 else "social_worker"
        for name in definition.characteristics:
            row[name] = "" if r % 3 == 2 else f"Example {name.replace('_', ' ')} {'AB'[r % 2]}"
        for q, qid in enumerate(questions):
            turn = r + q
            if turn % 7 == 5:
                row[qid] = ""  # not answered
            elif turn % 7 == 6 and skipped:
                row[qid] = skipped[0]
            else:
                row[qid] = labels[turn % len(labels)]
        found.append(row)
    return _csv(header, found)
