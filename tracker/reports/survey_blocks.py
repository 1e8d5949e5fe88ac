"""The report's survey blocks: each survey's latest round, as the rows and prompts a board reads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from tracker.domain.surveys import describe_change, round_half_up, rounded_score
from tracker.services.surveys import LatestRound


@dataclass(frozen=True)
class SurveyRow:
    title: str
    group: str
    n: int
    score: int | None
    band: str | None
    agree_pct: str
    change: str
    suppressed: bool


@dataclass(frozen=True)
class SurveyBlock:
    title: str
    round: str
    respondents: int
    min_group_size: int
    breakdown: str
    rows: tuple[SurveyRow, ...]
    action_prompts: tuple[str, ...]


def survey_block(latest: LatestRound) -> SurveyBlock:
    """One survey's rows (small groups hidden) and a prompt for each section rated poor or moderate."""
    rows: list[SurveyRow] = []
    prompts = []
    for r in latest.sections:
        hidden = r.suppressed or r.score is None
        change = f"{describe_change(r.change.value)} since {r.change.from_round}" if r.change else ""
        agree = "" if hidden or r.agree_pct is None else f"{round_half_up(r.agree_pct):.0f}%"
        rows.append(SurveyRow(r.title, "", r.n, None if hidden else r.rounded, r.band, agree, change, hidden))
        for g in r.groups:
            shown = not (g.suppressed or g.score is None)
            score = rounded_score(g.score) if shown and g.score is not None else None
            rows.append(SurveyRow(r.title, g.group, g.n, score, g.band if shown else None, "", "", not shown))
        if r.band in {"poor", "moderate"} and not hidden:
            prompts.append(
                f"{r.title} ({r.band}, {r.rounded}): what will the organisation do to improve this, "
                "who leads it, and by when?"
            )
    return SurveyBlock(
        latest.definition.title,
        latest.round_label,
        latest.respondents,
        latest.definition.min_group_size,
        (latest.breakdown or "").replace("_", " "),
        tuple(rows),
        tuple(prompts),
    )


def survey_blocks(latest: Sequence[LatestRound]) -> tuple[SurveyBlock, ...]:
    return tuple(survey_block(r) for r in latest)
