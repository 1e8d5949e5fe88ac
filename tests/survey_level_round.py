"""The hand-made national round the level report tests read: the engine test's round (three local authorities
in two regions: "a" 9 respondents and "b" 10 in the North, "c" 30 in the South; see
tests/domain/test_survey_levels.py for every answer), and each level's report built as the pages build it."""

from __future__ import annotations

import functools
from collections.abc import Sequence

from tests.domain.test_survey_levels import DEFINITION, ORGS, current_rows, previous_rows
from tracker.domain.survey_levels import LevelResult, NationalRound, Organisation, national_round
from tracker.domain.surveys import Response
from tracker.reports.survey_level_model import LevelReport, StandardPlan, build_report

__all__ = ["DEFINITION", "ORGS", "PLANS", "SLUG", "level_report", "the_round", "wider_round"]

SLUG = "hc-national"
# b's Workplace experiences (50, poor) has an agreed plan; its Standard 1 (63, moderate) a draft.
PLANS = (
    StandardPlan(3, "Make workloads manageable", "wx", "agreed", "red"),
    StandardPlan(4, "Explain the practice framework", "s1", "draft", "amber"),
    StandardPlan(5, "Old plan", "s2", "done", "green"),
)


@functools.cache
def the_round() -> NationalRound:
    return national_round(
        DEFINITION, ORGS, current_rows(), previous_rows(), round_label="2023/24", previous_label="2022/23"
    )


# The round with two more local authorities, so that a region is shown: "d" in the South answering as c
# does (South is then 60), and "e" in the East, 12 adults answering 100 everywhere. North (a and b) is
# still suppressed; East, the smallest other region, goes with it so that the nation cannot give it back.
WIDER_ORGS = (
    *ORGS,
    Organisation("d", "Dunmore Council", "local_authority", "South"),
    Organisation("e", "Eastwick Council", "local_authority", "East"),
)


@functools.cache
def wider_round() -> NationalRound:
    rows = current_rows()
    more = [Response("", r.answers, {**r.groups, "org": "d"}) for r in rows if r.groups["org"] == "c"]
    more += [Response("", next(r for r in rows if r.groups["org"] == "a").answers, {"org": "e"})] * 12
    return national_round(DEFINITION, WIDER_ORGS, [*rows, *more], round_label="2023/24")


def _strips(result: NationalRound, kind: str) -> dict[str, Sequence[tuple[str, float]]]:
    keys = ["overall", *(s.id for s in DEFINITION.sections)]
    return {k: result.strip(None if k == "overall" else k, kind) for k in keys}


def level_report(
    level: str, key: str = "", plans: Sequence[StandardPlan] = PLANS, *, wider: bool = False
) -> LevelReport:
    """The report of one level, with what the page gives it: averages to compare, regions, strips, plans."""
    result = wider_round() if wider else the_round()
    found: LevelResult | None = result.level(level, key)  # type: ignore[arg-type]
    assert found is not None
    org = found.organisation
    return build_report(
        DEFINITION,
        found,
        framework_id=SLUG,
        region=None if org is None else result.regions[org.region],
        national=None if level == "national" else result.national,
        regions=result.by_region if level == "national" else (),
        strips=None if org is None else _strips(result, org.kind),
        plans=plans if level == "org" else (),
    )
