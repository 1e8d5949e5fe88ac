"""`tracker survey results --level ... --json`: one level's sections in the list shape the command has always
printed (DESIGN.md "Surveys"), so scripts reading it need not change; suppressed figures carry no value."""

from __future__ import annotations

from typing import Any

from tracker.domain.survey_level_results import Breakdown, Figure, LevelResult, SectionLevel


def _group(value: str, figure: Figure) -> dict[str, Any]:
    return {
        "group": value,
        "n": figure.n,
        "score": figure.score,
        "band": figure.band,
        "suppressed": figure.suppressed,
        "reason": figure.reason,
    }


def _breakdown(section: SectionLevel, by: str | None) -> Breakdown | None:
    if by is None:
        return None
    return next((b for b in (*section.breakdowns, *section.characteristics) if b.name == by), None)


def section_rows(result: LevelResult, by: str | None = None) -> list[dict[str, Any]]:
    """One object per section: n, score, band, suppressed (and why), % agreeing, the `by` groups (none
    when withheld at organisation level, saying why), the change since the previous round, and at
    organisation level the rank among organisations of the same kind."""
    rows: list[dict[str, Any]] = []
    for section in result.sections:
        figure = section.figure
        breakdown = _breakdown(section, by)
        row: dict[str, Any] = {
            "section": section.section,
            "n": figure.n,
            "score": figure.score,
            "band": figure.band,
            "suppressed": figure.suppressed,
            "reason": figure.reason,
            "agree_pct": figure.agree_pct,
            "groups": [] if breakdown is None else [_group(p.value, p.figure) for p in breakdown.parts],
            "withheld": "" if breakdown is None else breakdown.withheld,
            "change": None
            if figure.change is None
            else {"value": figure.change, "unit": "points", "from_round": result.previous_label},
        }
        if result.level == "org":
            row["rank"] = None if section.rank is None else section.rank.to_json()
        rows.append(row)
    return rows
