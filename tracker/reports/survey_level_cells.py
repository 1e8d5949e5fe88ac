"""How a survey level report writes one figure: its text, its band in words, or "Fewer than 10" in its place.

Every figure of the national, regional and local reports goes through `cell` (or `count_cell`), so a
suppressed figure cannot reach a page or a PDF by another road: a suppressed `Figure` carries no value to
print, and its cell carries only the words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from tracker.domain.formats import number, signed_number, whole_number
from tracker.domain.survey_level_results import Figure, overall_text, suppressed_text
from tracker.domain.surveys import Bands, change_points, round_half_up, rounded_score

BAND_LABELS: Mapping[str, str] = MappingProxyType({"good": "Good", "moderate": "Moderate", "poor": "Poor"})
# The seed's RAG scale, word for word: what each band asks of an employer.
BAND_MEANINGS: Mapping[str, str] = MappingProxyType(
    {
        "good": "Good score/outcome. To be celebrated.",
        "moderate": "Moderate score/outcome. Capable of improvement.",
        "poor": "Relatively poor score/outcome. A clear signal to take steps to improve.",
    }
)
NO_SCORE = "No scored answers"
KIND_LABELS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "local_authority": ("local authority", "local authorities"),
        "nhs_trust": ("NHS trust", "NHS trusts"),
        "not_for_profit": ("not for profit provider", "not for profit providers"),
        "other": ("other organisation", "other organisations"),
    }
)


@dataclass(frozen=True, slots=True)
class Cell:
    """One figure as printed. `text` is the score or count, or the suppression words; never both."""

    text: str
    band: str = ""  # "good", "moderate", "poor"; "" for counts and figures without a band
    suppressed: bool = False
    n: str = ""  # how many answered, as printed ("" when suppressed or not a score)

    @property
    def band_label(self) -> str:
        return BAND_LABELS.get(self.band, "")


@dataclass(frozen=True, slots=True)
class BandKey:
    """One line of the RAG key: the band, its range on this survey's scale and the seed's meaning."""

    band: str
    label: str
    range: str
    meaning: str


def score_text(score: float, overall: bool) -> str:
    """Overall to 1 decimal with ".0" dropped (77.5, 74); section and question scores whole (75)."""
    return overall_text(score) if overall else whole_number(score)


def points(value: float | None) -> str:
    """A change or distance in points, 1 decimal, signed (+3.0; a true minus); "" when there is none."""
    return "" if value is None else signed_number(change_points(value), 1)


def cell(figure: Figure, minimum: int, *, overall: bool = False) -> Cell:
    """A score figure: suppressed ones print the threshold's words and nothing else."""
    if figure.suppressed:
        return Cell(suppressed_text(minimum), suppressed=True)
    n = "" if figure.n is None else number(figure.n)
    if figure.score is None:
        return Cell(NO_SCORE, n=n)
    return Cell(score_text(figure.score, overall), figure.band or "", n=n)


def shown_value(figure: Figure, overall: bool) -> float | None:
    """The value a chart draws: the score as the table prints it (None when suppressed or unscored)."""
    if figure.suppressed or figure.score is None:
        return None
    return round_half_up(figure.score, 1) if overall else float(rounded_score(figure.score))


def count_cell(figure: Figure, minimum: int) -> Cell:
    """A count of respondents (how many completed): the number, or the threshold's words."""
    if figure.suppressed or figure.n is None:
        return Cell(suppressed_text(minimum), suppressed=True)
    return Cell(number(figure.n), n=number(figure.n))


def previous_text(figure: Figure, *, overall: bool = False) -> str:
    """The previous round's shown score of the same figure ("" when it had none)."""
    return "" if figure.previous is None else score_text(figure.previous, overall)


def band_key(bands: Bands) -> tuple[BandKey, ...]:
    """The RAG scale on this survey's bands (75 or more; 51 to 74; 50 or less for the Health Check)."""
    good, moderate = int(bands.good), int(bands.moderate)
    ranges = {
        "good": f"{good} or more",
        "moderate": f"{moderate} to {good - 1}",
        "poor": f"{moderate - 1} or less",
    }
    return tuple(
        BandKey(b, BAND_LABELS[b], ranges[b], BAND_MEANINGS[b]) for b in ("good", "moderate", "poor")
    )


def value_label(value: str) -> str:
    """A breakdown value or a column name as words: "mental-health" -> "Mental health"."""
    words = value.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:] if words else value


def kind_label(kind: str, plural: bool = False) -> str:
    singular, many = KIND_LABELS.get(kind, (value_label(kind).lower(), value_label(kind).lower()))
    return many if plural else singular
