"""The turn-the-curve form: a KPI's story behind the curve, partners with a role to play, what works and the
evidence of it, typed as the numbers of accepted evidence items (the form lists the KPI's own as a reminder).

Numbers rather than checkboxes: what works for a KPI is often shown by evidence linked to an outcome, not to
the KPI, and a national framework links hundreds of items to one KPI; a number is on every item's page.
"""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField

from tracker.domain.text_limits import TextLimit
from tracker.plans.curve import NOTE_LIMIT
from tracker.plans.curve_pages import KpiCurve
from tracker.web.form_parts import Limit

ANSWER = TextLimit(NOTE_LIMIT)
SOURCE = TextLimit(1_000)
EVIDENCE_NUMBERS = TextLimit(500)
MAX_EVIDENCE = 20
_SEPARATORS = re.compile(r"[,;\s]+")
_NUMBER = re.compile(r"[0-9]{1,9}")


class CurveNoteForm(FlaskForm):  # type: ignore[misc]  # flask_wtf ships no type hints: FlaskForm is Any
    story = TextAreaField("The story behind the curve", validators=[Limit(ANSWER)])
    partners = TextAreaField("Partners with a role to play", validators=[Limit(ANSWER)])
    what_works = TextAreaField("What works", validators=[Limit(ANSWER)])
    evidence_ids = StringField("Evidence of what works", validators=[Limit(EVIDENCE_NUMBERS)])
    source = StringField("Where these words come from", validators=[Limit(SOURCE)])
    version = HiddenField()

    def fill(self, curve: KpiCurve | None) -> None:
        """Prefilled with the current version, so a new one starts from it."""
        note = curve.note if curve else None
        self.version.data = str(note.version if note else 0)
        if note is None:
            return
        self.story.data = note.story
        self.partners.data = note.partners
        self.what_works.data = note.what_works
        self.evidence_ids.data = ", ".join(str(i) for i in note.evidence_ids)
        self.source.data = note.source

    def seen_version(self) -> int:
        """The version the writer opened (0: none yet; anything else too, which a newer note refutes)."""
        raw = (self.version.data or "").strip()
        return int(raw) if _NUMBER.fullmatch(raw) else 0


def parse_evidence_numbers(text: str) -> tuple[tuple[int, ...], str | None]:
    """Evidence numbers typed as '12, 15' (or '#12 #15'): the numbers in order, once each, or the problem."""
    numbers: list[int] = []
    for word in _SEPARATORS.split(text.strip()):
        if not word:
            continue
        digits = word.removeprefix("#")
        if not _NUMBER.fullmatch(digits) or int(digits) == 0:
            shown = word if len(word) <= 20 else word[:20] + "…"
            return (
                (),
                f"'{shown}' is not an evidence number: type numbers separated by commas, such as 12, 15",
            )
        if int(digits) not in numbers:
            numbers.append(int(digits))
    if len(numbers) > MAX_EVIDENCE:
        return (), f"name at most {MAX_EVIDENCE} items (this names {len(numbers)})"
    return tuple(numbers), None
