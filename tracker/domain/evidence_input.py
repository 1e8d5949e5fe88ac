"""Validates evidence and KPI-value fields as plain text, the same way for forms, CSV rows and the API."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Set
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType
from urllib.parse import urlsplit

from tracker.domain.kpi import value_problem
from tracker.domain.text_limits import EVIDENCE_FIELDS, KPI_VALUE_FIELDS, TextLimit

SOURCE_TYPES: tuple[str, ...] = (
    "survey",
    "feedback_form",
    "interview",
    "focus_group",
    "case_study",
    "admin_data",
    "analytics",
    "document",
    "observation",
    "testimonial",
)
SOURCE_TYPE_LABELS: Mapping[str, str] = {
    "survey": "Survey",
    "feedback_form": "Feedback form",
    "interview": "Interview",
    "focus_group": "Focus group",
    "case_study": "Case study",
    "admin_data": "Administrative data",
    "analytics": "Analytics",
    "document": "Document",
    "observation": "Observation",
    "testimonial": "Testimonial",
}
FINDINGS: tuple[str, ...] = ("supports", "no_change", "contradicts", "mixed", "too_early")
FINDING_LABELS: Mapping[str, str] = {
    "supports": "Supports the outcome",
    "no_change": "Shows no change",
    "contradicts": "Contradicts the outcome",
    "mixed": "Mixed",
    "too_early": "Too early to measure the effect",
}
# The RBA question an item (or a KPI) answers: effort (how much, how well) or effect (is anyone better off).
SHOWS: tuple[str, ...] = ("how_much", "how_well", "better_off")
SHOWS_LABELS: Mapping[str, str] = {
    "how_much": "How much did we do?",
    "how_well": "How well did we do it?",
    "better_off": "Is anyone better off?",
}
SHOWS_HELP: Mapping[str, str] = {
    "how_much": "a count of what was done: events held, places filled, people reached",
    "how_well": "the quality of what was done: satisfaction, timeliness, take-up",
    "better_off": "a change in people's skills, attitudes, behaviour or circumstances",
}
STATUSES: tuple[str, ...] = ("draft", "submitted", "accepted", "returned")
FLAGS: tuple[str, ...] = ("indirect", "partial_coverage")
LINKABLE_KINDS: tuple[str, ...] = ("outcome", "output", "kpi")

EVIDENCE_COLUMNS: tuple[str, ...] = (
    "title",
    "summary",
    "source_type",
    "collected_on",
    "links",
    "finding",
    "respondents",
    "population",
    "positive",
    "collection",
    "group",
    "independent",
    "partner",
    "quote",
    "url",
    "flags",
    "status",
    "shows",
    "kpi",
)
EVIDENCE_REQUIRED: tuple[str, ...] = ("title", "source_type", "collected_on", "links", "finding")
# A draft is a note to finish later: it needs a title, and the date collected that every stored item has.
DRAFT_REQUIRED: tuple[str, ...] = ("title", "collected_on")
# What a person calls each field (messages, the item's history); the form's labels say the same.
FIELD_NAMES: Mapping[str, str] = {
    "title": "title",
    "summary": "summary",
    "source_type": "type of evidence",
    "collected_on": "date collected",
    "links": "what it bears on",
    "finding": "what it shows",
    "respondents": "respondents",
    "population": "population",
    "positive": "respondents who agreed",
    "collection": "data collection",
    "group": "respondent group",
    "independent": "collected by the external evaluator",
    "partner": "partner",
    "quote": "quote",
    "url": "web address",
    "flags": "flags",
    "status": "status",
    "review_note": "review note",
    "shows": "what it answers",
    "kpi": "KPI it reports",
}
FLAG_NAMES: Mapping[str, str] = {"indirect": "Indirect", "partial_coverage": "Partial coverage"}
# No evidence of these programmes predates 1990 (the oldest frameworks' baselines are from 2018): an earlier
# date is a typing slip such as 1900 or 0023, refused for forms, CSV rows and survey rounds alike.
EARLIEST_COLLECTED = date(1990, 1, 1)
KPI_COLUMNS: tuple[str, ...] = ("kpi", "period", "period_end", "value", "partner", "note")
KPI_REQUIRED: tuple[str, ...] = ("kpi", "period", "period_end", "value")

# The longest each text column may be (tracker/domain/text_limits.py says why each fits its use).
MAX_LENGTH: Mapping[str, TextLimit] = MappingProxyType({**EVIDENCE_FIELDS, **KPI_VALUE_FIELDS})
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

Problems = list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class EvidenceFields:
    """Clean values of one evidence item, ready to be stored."""

    title: str
    summary: str
    source_type: str
    collected_on: date
    links: tuple[str, ...]
    finding: str
    respondents: int | None
    population: int | None
    positive: int | None
    collection: str
    group: str
    independent: bool
    partner: str
    quote: str
    url: str
    flags: tuple[str, ...]
    status: str
    shows: str = ""
    kpi: str = ""


@dataclass(frozen=True, slots=True)
class KpiValueFields:
    kpi: str
    period: str
    period_end: date
    value: float
    partner: str
    note: str


def _text(raw: Mapping[str, str], name: str, problems: Problems) -> str:
    value = (raw.get(name) or "").strip()
    if CONTROL.search(value):
        problems.append((name, "contains control characters"))
    limit = MAX_LENGTH.get(name)
    problem = None if limit is None else limit.problem(value)
    if problem is not None:
        problems.append((name, problem))
    return value


def is_whole_number(text: str) -> bool:
    """0-9 only: str.isdigit() also accepts characters such as '²' that int() refuses."""
    return text.isascii() and text.isdigit()


def _count(raw: Mapping[str, str], name: str, problems: Problems) -> int | None:
    value = (raw.get(name) or "").strip()
    if not value:
        return None
    if not is_whole_number(value) or len(value) > 9:
        problems.append((name, f"must be a whole number of 0 or more, not '{value[:40]}'"))
        return None
    return int(value)


def parse_date(value: str) -> date | None:
    if not ISO_DATE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _date(raw: Mapping[str, str], name: str, problems: Problems, today: date) -> date | None:
    value = (raw.get(name) or "").strip()
    if not value:
        return None
    parsed = parse_date(value)
    if parsed is None:
        problems.append((name, f"must be a date as YYYY-MM-DD, not '{value[:40]}'"))
    elif parsed > today:
        problems.append((name, f"{parsed.isoformat()} is in the future"))
    elif parsed < EARLIEST_COLLECTED:
        problems.append(
            (
                name,
                f"{parsed.isoformat()} is before 1 January 1990, the earliest date accepted: check the year",
            )
        )
    return parsed


def missing_for_review(values: Mapping[str, object]) -> list[str]:
    """The required fields a saved draft still lacks, by name: it is not submitted for review unfinished."""
    return [FIELD_NAMES[name] for name in EVIDENCE_REQUIRED if not values.get(name)]


def _choice(
    raw: Mapping[str, str], name: str, choices: tuple[str, ...], problems: Problems, default: str = ""
) -> str:
    value = (raw.get(name) or "").strip() or default
    if value and value not in choices:
        problems.append((name, f"'{value[:40]}' is not one of: {', '.join(choices)}"))
    return value


def _split(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(";") if part.strip())


def parse_evidence(
    raw: Mapping[str, str],
    linkable: Mapping[str, str],
    partners: Set[str],
    today: date,
    default_status: str = "submitted",
) -> tuple[EvidenceFields | None, Problems]:
    """Check every field of one item; `linkable` maps element id -> kind, `partners` holds partner ids.

    A draft (its status, or `default_status` when the row names none) needs only DRAFT_REQUIRED; any other
    status needs every field of EVIDENCE_REQUIRED, as an evaluator reviews or rates it."""
    problems: Problems = []
    status = _choice(raw, "status", STATUSES, problems, default=default_status)
    for name in DRAFT_REQUIRED if status == "draft" else EVIDENCE_REQUIRED:
        if not (raw.get(name) or "").strip():
            problems.append((name, "is required" if status != "draft" else "is required, even for a draft"))
    title = _text(raw, "title", problems)
    summary = _text(raw, "summary", problems)
    source_type = _choice(raw, "source_type", SOURCE_TYPES, problems)
    collected_on = _date(raw, "collected_on", problems, today)
    finding = _choice(raw, "finding", FINDINGS, problems)
    links = _split(raw.get("links") or "")
    for link in links:
        kind = linkable.get(link)
        if kind is None:
            problems.append(("links", f"'{link[:64]}' is not an outcome, output or KPI of this framework"))
        elif kind not in LINKABLE_KINDS:
            problems.append(("links", f"'{link}' is a {kind}; evidence links to outcomes, outputs and KPIs"))
    if len(set(links)) != len(links):
        problems.append(("links", "names the same element twice"))
    respondents = _count(raw, "respondents", problems)
    population = _count(raw, "population", problems)
    positive = _count(raw, "positive", problems)
    if respondents is not None and population is not None and respondents > population:
        problems.append(
            ("respondents", f"{respondents} respondents is more than the population of {population}")
        )
    if positive is not None and respondents is None:
        problems.append(("positive", "needs the number of respondents"))
    elif positive is not None and respondents is not None and positive > respondents:
        problems.append(("positive", f"{positive} is more than the {respondents} respondents"))
    collection = _text(raw, "collection", problems)
    group = _text(raw, "group", problems)
    independent_raw = (raw.get("independent") or "").strip().lower()
    if independent_raw not in {"", "true", "false", "yes", "no", "1", "0"}:
        problems.append(("independent", f"must be true or false, not '{independent_raw[:20]}'"))
    independent = independent_raw in {"true", "yes", "1"}
    partner = (raw.get("partner") or "").strip()
    if partner and partner not in partners:
        problems.append(("partner", f"'{partner[:64]}' is not a partner of this framework"))
    quote = _text(raw, "quote", problems)
    url = _text(raw, "url", problems)
    if url:
        parts = urlsplit(url)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            problems.append(("url", "must be a web address starting with http:// or https://"))
    flags = _split(raw.get("flags") or "")
    for flag in flags:
        if flag not in FLAGS:
            problems.append(("flags", f"'{flag[:40]}' is not one of: {', '.join(FLAGS)}"))
    shows = _choice(raw, "shows", SHOWS, problems)
    kpi = (raw.get("kpi") or "").strip()
    if kpi and linkable.get(kpi) != "kpi":
        problems.append(("kpi", f"'{kpi[:64]}' is not a KPI of this framework"))
    if problems or collected_on is None:
        return None, problems
    return (
        EvidenceFields(
            title,
            summary,
            source_type,
            collected_on,
            links,
            finding,
            respondents,
            population,
            positive,
            collection,
            group,
            independent,
            partner,
            quote,
            url,
            tuple(dict.fromkeys(flags)),
            status,
            shows,
            kpi,
        ),
        [],
    )


def parse_kpi_value(
    raw: Mapping[str, str], kpis: Set[str], partners: Set[str], units: Mapping[str, str] | None = None
) -> tuple[KpiValueFields | None, Problems]:
    """Check one KPI value (in its KPI's unit, given `units`: KPI id -> unit); period_end is not limited to
    the past, as targets name planned periods."""
    problems: Problems = []
    for name in KPI_REQUIRED:
        if not (raw.get(name) or "").strip():
            problems.append((name, "is required"))
    kpi = (raw.get("kpi") or "").strip()
    if kpi and kpi not in kpis:
        problems.append(("kpi", f"'{kpi[:64]}' is not a KPI of this framework"))
    period = _text(raw, "period", problems)
    end_raw = (raw.get("period_end") or "").strip()
    period_end = parse_date(end_raw) if end_raw else None
    if end_raw and period_end is None:
        problems.append(("period_end", f"must be a date as YYYY-MM-DD, not '{end_raw[:40]}'"))
    value_raw = (raw.get("value") or "").strip().replace(",", "")
    value: float | None = None
    if value_raw:
        if NUMBER.match(value_raw.rstrip("%")) and math.isfinite(float(value_raw.rstrip("%"))):
            value = float(value_raw.rstrip("%"))
        else:
            problems.append(("value", f"must be a number, not '{value_raw[:40]}'"))
    out_of_range = None if value is None or units is None else value_problem(units.get(kpi, ""), value)
    if out_of_range is not None:
        problems.append(("value", out_of_range))
    partner = (raw.get("partner") or "").strip()
    if partner and partner not in partners:
        problems.append(("partner", f"'{partner[:64]}' is not a partner of this framework"))
    note = _text(raw, "note", problems)
    if problems or period_end is None or value is None:
        return None, problems
    return KpiValueFields(kpi, period, period_end, value, partner, note), []
