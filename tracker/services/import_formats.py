"""The columns of each file a person can import, in words: one source for the help page (docs/ says the same,
and a test holds the two to the code's own lists of columns)."""

from __future__ import annotations

from dataclasses import dataclass

from tracker.domain import text_limits
from tracker.domain.evidence_input import (
    EVIDENCE_COLUMNS,
    EVIDENCE_REQUIRED,
    FINDINGS,
    FLAGS,
    KPI_COLUMNS,
    KPI_REQUIRED,
    SHOWS,
    SHOWS_HELP,
    SHOWS_LABELS,
    SOURCE_TYPES,
    STATUSES,
)
from tracker.domain.surveys import AGREE5, RESPONDENT_COLUMN
from tracker.services.import_rows import MAX_CSV_BYTES, MAX_ROWS


@dataclass(frozen=True)
class Column:
    name: str
    required: bool
    meaning: str


def _one_of(values: tuple[str, ...]) -> str:
    return "one of " + ", ".join(values)


def _up_to(limit: text_limits.TextLimit) -> str:
    return f"up to {limit.maximum:,} characters"


# What the finding too_early means, wherever it is described (docs/file-formats.md says the same).
TOO_EARLY = "the effect cannot be measured yet: counts neither for nor against"

EVIDENCE_MEANINGS: dict[str, str] = {
    "title": f"What the item is, {_up_to(text_limits.EVIDENCE_TITLE)}.",
    "summary": f"What it found, {_up_to(text_limits.EVIDENCE_SUMMARY)}.",
    "source_type": f"How it was collected: {_one_of(SOURCE_TYPES)}.",
    "collected_on": "When it was collected: a date as YYYY-MM-DD, not in the future.",
    "links": "The ids of the framework's outcomes, outputs or KPIs it bears on, separated by semicolons (;).",
    "finding": f"What it shows about them: {_one_of(FINDINGS)}; too_early means {TOO_EARLY}.",
    "respondents": "How many people answered or took part: a whole number, no more than the population.",
    "population": "How many were asked or could have taken part: a whole number.",
    "positive": "How many of the respondents gave the favourable answer: a whole number; needs respondents.",
    "collection": f"The data collection it comes from, {_up_to(text_limits.NAME)}: items with the same "
    "collection count once.",
    "group": f"Who answered, for example students, {_up_to(text_limits.NAME)}.",
    "independent": "Collected by the external evaluator: true or false (yes/no, 1/0); blank is false.",
    "partner": "The id of the partner it belongs to; blank for the whole partnership. A lead's rows are "
    "always their own partner's.",
    "quote": f"A quotation that illustrates it, {_up_to(text_limits.EVIDENCE_QUOTE)}.",
    "url": f"A web address starting with http:// or https://, {_up_to(text_limits.EVIDENCE_URL)}.",
    "flags": f"Caveats, separated by semicolons: {_one_of(FLAGS)}.",
    "status": f"{_one_of(STATUSES).capitalize()}; blank is submitted. Only an administrator's import may set "
    "accepted, and only accepted evidence counts towards ratings.",
    "shows": "The question it answers: "
    + "; ".join(f"{code} ({SHOWS_LABELS[code]} {SHOWS_HELP[code]})" for code in SHOWS)
    + ". Blank: not said.",
    "kpi": "The id of one of the framework's KPIs, if the item reports that KPI's value: the KPI's line "
    "stands for it, so the figure is not counted twice. Blank: none.",
}
KPI_MEANINGS: dict[str, str] = {
    "kpi": "The id of one of the framework's KPIs.",
    "period": f"The period's label, for example 2019/20 or 2019-Q3, {_up_to(text_limits.KPI_PERIOD)}.",
    "period_end": "The last day of the period: a date as YYYY-MM-DD (a planned period may end in the "
    "future).",
    "value": "A number; thousands separators (1,234) and a trailing % are ignored.",
    "partner": "The id of the partner the value is for; blank for the whole partnership. A lead's values "
    "for a KPI reported per partner are always their own partner's.",
    "note": f"How the figure was made, {_up_to(text_limits.KPI_NOTE)}.",
}

EVIDENCE_FORMAT = tuple(Column(n, n in EVIDENCE_REQUIRED, EVIDENCE_MEANINGS[n]) for n in EVIDENCE_COLUMNS)
KPI_FORMAT = tuple(Column(n, n in KPI_REQUIRED, KPI_MEANINGS[n]) for n in KPI_COLUMNS)

FILE_RULES: tuple[str, ...] = (
    "A CSV file in UTF-8 (a spreadsheet's “CSV UTF-8” format), at most "
    f"{MAX_CSV_BYTES // (1024 * 1024)} MB and {MAX_ROWS:,} rows.",
    "The first row names the columns, in any order; a column may be left out unless it is required. An "
    "unknown column, or a column named twice, refuses the file.",
    "Rows are numbered as a spreadsheet numbers them: the header is row 1. Blank rows are skipped; spaces "
    "around a value are ignored.",
    "Every row is checked before anything is saved. If any row has a problem, nothing is imported and the "
    "problems are listed with their row numbers (the first 100, then how many more).",
)
EVIDENCE_RULES: tuple[str, ...] = (
    "A row whose title, collected_on, source_type, finding and links are the same as an item you can already "
    "see is skipped, so importing a file twice adds nothing the second time.",
)
KPI_RULES: tuple[str, ...] = (
    "A KPI, period and partner may appear once in a file. A value equal to the current one is skipped; a "
    "different one replaces it, and the old value is kept in the history.",
)
SURVEY_RULES: tuple[str, ...] = (
    "One row per respondent. The survey's page lists its columns: one for each question id and one for each "
    f"breakdown (all required), and optionally {RESPONDENT_COLUMN}, an id that pairs a person's answers "
    "across rounds and must not repeat within a round. Column names may use any capitals.",
    "Each answer is a label of the survey's scale. The usual scale takes "
    + ", ".join(label for label, _score in AGREE5.options)
    + "; "
    + ", ".join(sorted(AGREE5.not_scored))
    + " and blank cells are accepted but not scored. Capitals, extra spaces and curly apostrophes do not "
    "matter.",
    "A blank breakdown cell leaves that person out of that breakdown's groups. A value in a column without a "
    "heading refuses the file.",
    "A survey with participating organisations also needs an org column: in every row, the id of one of "
    "the organisations an administrator loaded for it (an unknown id refuses the file, with the closest "
    "id). It may also give profession and the survey's characteristics (such as gender or age band); a "
    "blank cell means not stated.",
    "Each round has a label of up to 64 characters (for example 2023-24) and the date it closed. A label "
    "imported before is replaced only when you ask; the replaced rows are kept.",
)
