"""Evidence findings and summaries from shown survey results."""

from __future__ import annotations

from tracker.domain.surveys import (
    BROADLY_UNCHANGED_POINTS,
    Band,
    SectionResult,
    SurveyDefinition,
    change_points,
    describe_change,
    round_half_up,
)

# -- evidence from results ------------------------------------------------------------------------------


def finding_for(band: Band | None, change: float | None) -> str:
    """The evidence finding of a shown section result.

    supports: good band, or up 5 points or more; contradicts: poor band, or down 5 points or more;
    mixed: both at once (good but down 5+, poor but up 5+); no_change: moderate and broadly unchanged
    (or no earlier round to compare with); "" when there is no band (suppressed).
    """
    if band is None:
        return ""
    shown = None if change is None else change_points(change)
    up = shown is not None and shown >= BROADLY_UNCHANGED_POINTS
    down = shown is not None and shown <= -BROADLY_UNCHANGED_POINTS
    positive = band == "good" or up
    negative = band == "poor" or down
    if positive and negative:
        return "mixed"
    if positive:
        return "supports"
    if negative:
        return "contradicts"
    return "no_change"


def section_evidence(
    definition: SurveyDefinition,
    result: SectionResult,
    round_label: str,
    population: int | None = None,
    change: float | None = None,
) -> dict[str, str]:
    """Evidence CSV-contract fields for one section result (collected_on is left to the caller).

    `change` is the change in points to judge by; when None, the result's own `change` is used.
    A suppressed result gives finding "" and a summary saying it had too few responses: the caller
    creates no evidence from it. `collection` is "{survey id}:{round}" so one round counts once.
    """
    section = definition.section(result.section)
    if section is None:
        raise ValueError(f"'{result.section}' is not a section of survey '{definition.id}'")
    from_result = change is None and result.change is not None
    if change is None and result.change is not None:
        change = result.change.value
    title = f"{definition.title}: {section.title} ({round_label})"
    if result.suppressed or result.score is None or result.band is None:
        finding = ""
        summary = (
            f"{section.title} in {definition.title} {round_label}: fewer than {definition.min_group_size} "
            "responses, so no score is shown."
        )
    else:
        finding = finding_for(result.band, change)
        who = f"{result.n} respondents" + (f" of {population}" if population is not None else "")
        summary = (
            f"{section.title} in {definition.title} {round_label} scored {result.rounded} out of 100 "
            f"({result.band}) from {who}"
        )
        if result.agree_pct is not None:
            summary += f"; {round_half_up(result.agree_pct):.0f}% of answers agreed"
        summary += "."
        if change is not None:
            since = f" since {result.change.from_round}" if from_result and result.change else ""
            summary += f" {describe_change(change).capitalize()}{since}."
    return {
        "title": title,
        "summary": summary,
        "source_type": "survey",
        "links": ";".join(section.links),
        "finding": finding,
        "respondents": str(result.n),
        "population": "" if population is None else str(population),
        "collection": f"{definition.id}:{round_label}",
        "group": "respondents",
    }
