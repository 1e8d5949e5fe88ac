"""How long each kind of typed text may be: one table read by forms, CSV imports and services alike.

Each limit fits its use: a title is a line on a list, a summary or rationale a few paragraphs, a note a
sentence or two. Lengths are counted in characters, with a line break sent as CR LF (as browsers send a
textarea's) counted once, as the browser's own `maxlength` counts it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class TextLimit:
    """The shortest and longest a kind of text may be, in characters."""

    maximum: int
    minimum: int = 0

    @property
    def hint(self) -> str:
        """The limit as a form's hint says it, e.g. 'Up to 200 characters.'."""
        if self.minimum:
            return f"{self.minimum:,} to {self.maximum:,} characters."
        return f"Up to {self.maximum:,} characters."

    def problem(self, text: str) -> str | None:
        """What is wrong with the text's length, said after the field's name; None if it fits."""
        length = length_of(text)
        if length > self.maximum:
            return f"is {length:,} characters long; the limit is {self.maximum:,}"
        if length < self.minimum:
            return f"must be at least {self.minimum:,} characters (it has {length:,})"
        return None

    def clip(self, text: str) -> str:
        """Text stored before the limit existed, cut to it for display so no page grows without bound."""
        if length_of(text) <= self.maximum:
            return text
        return f"{text[: self.maximum].rstrip()} … (shortened to the limit of {self.maximum:,} characters)"


def length_of(text: str) -> int:
    """Characters as a browser counts them for `maxlength`: CR LF is one line break."""
    return len(text) - text.count("\r\n")


class TextTooLong(ValueError):
    """A service was given text over its limit (a caller skipped the form or the import); `field` names it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field} {message}")
        self.field = field


def check(field: str, text: str, limit: TextLimit) -> None:
    """Refuse text over (or under) its limit, for services that must not rely on their callers."""
    problem = limit.problem(text)
    if problem is not None:
        raise TextTooLong(field, problem)


# Evidence: the title is a line on lists and in the report, the summary a paragraph or a few.
EVIDENCE_TITLE = TextLimit(200)
EVIDENCE_SUMMARY = TextLimit(5_000)
EVIDENCE_QUOTE = TextLimit(2_000)
EVIDENCE_URL = TextLimit(2_000)  # the longest address browsers and servers reliably handle
# Names typed by users: a data collection, a respondent group.
NAME = TextLimit(200)
REVIEW_NOTE = TextLimit(2_000)
# An override's rationale: at least a reasoned paragraph, at most a page.
OVERRIDE_RATIONALE = TextLimit(5_000, minimum=100)
# A withdrawal's reason may be empty (a standard sentence is recorded instead).
WITHDRAWAL_REASON = TextLimit(5_000)
KPI_PERIOD = TextLimit(32)
KPI_NOTE = TextLimit(1_000)
SURVEY_ROUND_LABEL = TextLimit(64)

# The text columns of evidence and KPI-value CSV rows (and their forms), by column name.
EVIDENCE_FIELDS: Mapping[str, TextLimit] = MappingProxyType(
    {
        "title": EVIDENCE_TITLE,
        "summary": EVIDENCE_SUMMARY,
        "quote": EVIDENCE_QUOTE,
        "url": EVIDENCE_URL,
        "collection": NAME,
        "group": NAME,
    }
)
KPI_VALUE_FIELDS: Mapping[str, TextLimit] = MappingProxyType({"period": KPI_PERIOD, "note": KPI_NOTE})

# A form whose body is larger than this is refused before it is read (413); every limit above, even ten
# times over in four-byte characters, fits well inside it, so over-long text reaches the field's check.
FORM_MAX_BYTES = 1024 * 1024
TOO_LARGE_MESSAGE = (
    "The form was too large to receive, so nothing was saved. Text fields take at most "
    f"{OVERRIDE_RATIONALE.maximum:,} characters: go back, shorten the text (or send fewer or smaller "
    "attachments) and try again."
)

# Events (issue 19): the event's title and its population's name (columns of 300), a session's title and
# theme, a free-text answer, a respondent's id.
EVENT_TITLE = TextLimit(300)
EVENT_POPULATION_NAME = TextLimit(300)
EVENT_SESSION_TITLE = TextLimit(300)
EVENT_SESSION_THEME = NAME
EVENT_ANSWER_TEXT = TextLimit(2_000)
EVENT_RESPONDENT = TextLimit(100)

# A survey's participating organisations (issue 21): an organisation's name and its region's.
SURVEY_ORG_NAME = TextLimit(200)
SURVEY_ORG_REGION = TextLimit(100)

# An API token's name (issue 22): what it is for, on one line of the tokens list.
API_TOKEN_NAME = TextLimit(100)
