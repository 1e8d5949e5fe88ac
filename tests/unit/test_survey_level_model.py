"""The level report model of the hand-made round (tests/survey_level_round.py), figure by figure: each
standard's score, band, previous and change; ranks; distances; counts and breakdowns with their
suppression; the withheld characteristic; the unreportable organisation; what needs a plan."""

from __future__ import annotations

import pytest

from tests.survey_level_round import level_report
from tracker.domain.survey_level_results import Figure
from tracker.domain.surveys import Bands
from tracker.reports.survey_level_cells import Cell, band_key, cell, points, value_label
from tracker.reports.survey_level_model import LevelReport, ScoreRow
from tracker.reports.survey_level_tables import short_title

FEWER = "Fewer than 10"
LEVELS = ["national", "region:North", "region:South", "org:b", "org:c", "wide region:South", "wide org:e"]


def report_of(where: str) -> LevelReport:
    """'national', 'region:North', 'org:b'; 'wide ...' in the wider round (tests/survey_level_round.py)."""
    wide = where.startswith("wide ")
    level, _, key = where.removeprefix("wide ").partition(":")
    return level_report(level, key, wider=wide)


def row_of(report: LevelReport, key: str) -> ScoreRow:
    return next(r for r in report.standards if r.key == key)


STANDARDS = [
    # (where, row, score, band, n, previous, change, rank, region, national, vs region, vs national)
    # The nation has no previous figures: last round it was b's 10 and c's 9, and c's would follow.
    ("national", "overall", "79", "good", "49", "", "", "", None, None, "", ""),
    ("national", "s1", "76", "good", "49", "", "", "", None, None, "", ""),
    ("national", "s2", "82", "good", "49", "", "", "", None, None, "", ""),
    ("national", "wx", "76", "good", "49", "", "", "", None, None, "", ""),
    # North (a's 9 and b's 10) would give a's figures away beside b's: suppressed; its previous (b's) shows
    ("region:North", "overall", FEWER, "", "", "75", "", "", None, "79", "", ""),
    ("region:North", "s1", FEWER, "", "", "75", "", "", None, "76", "", ""),
    ("region:North", "wx", FEWER, "", "", "75", "", "", None, "76", "", ""),
    # South (c alone) goes too: the nation less South would give North back
    ("region:South", "overall", FEWER, "", "", "", "", "", None, "79", "", ""),
    ("region:South", "s1", FEWER, "", "", "", "", "", None, "76", "", ""),
    # with d beside c in the South and e in the East (the wider round), South shows; East goes with North
    ("wide region:South", "overall", "75.6", "good", "60", "", "", "", None, "80.6", "", "\u22125.0"),
    ("wide region:South", "s1", "74", "moderate", "60", "", "", "", None, "79", "", "\u22124.8"),
    ("wide region:South", "wx", "78", "good", "60", "", "", "", None, "80", "", "\u22122.2"),
    ("wide region:East", "overall", FEWER, "", "", "", "", "", None, "80.6", "", ""),
    ("wide org:c", "overall", "75.6", "good", "30", "", "", "2nd of 4", "75.6", "80.6", "0.0", "\u22125.0"),
    ("wide org:e", "overall", "100", "good", "12", "", "", "1st of 4", FEWER, "80.6", "", "+19.4"),
    ("wide org:e", "s2", "100", "good", "12", "", "", "1st of 4", FEWER, "83", "", "+17.3"),
    ("org:b", "overall", "70", "moderate", "10", "75", "\u22125.0", "2nd of 2", FEWER, "79", "", "\u22129.0"),
    ("org:b", "s1", "63", "moderate", "10", "75", "\u221212.5", "2nd of 2", FEWER, "76", "", "\u221213.8"),
    ("org:b", "s2", "78", "good", "10", "75", "+2.5", "1st of 2", FEWER, "82", "", "\u22124.1"),
    ("org:b", "wx", "50", "poor", "10", "75", "\u221225.0", "2nd of 2", FEWER, "76", "", "\u221226.0"),
    ("org:c", "overall", "75.6", "good", "30", "", "", "1st of 2", FEWER, "79", "", "\u22123.3"),
    ("org:c", "s1", "74", "moderate", "30", "", "", "1st of 2", FEWER, "76", "", "\u22122.5"),
    ("org:c", "s2", "78", "good", "30", "", "", "1st of 2", FEWER, "82", "", "\u22124.1"),
    ("org:c", "wx", "78", "good", "30", "", "", "1st of 2", FEWER, "76", "", "+1.5"),
]


@pytest.mark.parametrize(
    (
        "where",
        "key",
        "score",
        "band",
        "n",
        "previous",
        "change",
        "rank",
        "region",
        "national",
        "vs_r",
        "vs_n",
    ),
    STANDARDS,
)
def test_every_standard_of_every_level(
    where: str,
    key: str,
    score: str,
    band: str,
    n: str,
    previous: str,
    change: str,
    rank: str,
    region: str | None,
    national: str | None,
    vs_r: str,
    vs_n: str,
) -> None:
    row = row_of(report_of(where), key)
    assert (row.current.text, row.current.band, row.current.n, row.current.suppressed) == (
        score,
        band,
        n,
        score == FEWER,
    )
    assert (row.previous, row.change, row.rank, row.vs_region, row.vs_national) == (
        previous,
        change,
        rank,
        vs_r,
        vs_n,
    )
    assert (row.region and row.region.text, row.national and row.national.text) == (region, national)


def test_the_standards_are_the_overall_then_each_section_in_order() -> None:
    report = report_of("org:b")
    assert [(r.key, r.label) for r in report.standards] == [
        ("overall", "Overall (Standards 1-2)"),
        ("s1", "Standard 1"),
        ("s2", "Standard 2"),
        ("wx", "Workplace experiences"),
    ]
    assert report.overall_sections == ("Standard 1", "Standard 2")


QUESTIONS = [
    # (where, section, [(question, score, previous, change)])
    ("national", "s1", [("q1", "77", "", ""), ("q2", "76", "", "")]),
    ("national", "s2", [("q3", "86", "", ""), ("q4", "78", "", "")]),
    ("region:North", "s2", [("q3", FEWER, "75", ""), ("q4", FEWER, "75", "")]),
    ("org:b", "s1", [("q1", "75", "75", "0.0"), ("q2", "50", "75", "\u221225.0")]),
    ("org:b", "wx", [("q5", "50", "75", "\u221225.0")]),
    ("org:c", "s2", [("q3", "85", "", ""), ("q4", "70", "", "")]),
]


@pytest.mark.parametrize(("where", "section", "rows"), QUESTIONS)
def test_question_by_question_with_the_previous_round(
    where: str, section: str, rows: list[tuple[str, str, str, str]]
) -> None:
    table = next(q for q in report_of(where).questions if q.section == section)
    assert [(r.key, r.current.text, r.previous, r.change) for r in table.rows] == rows


COUNTS = [
    # (where, breakdown, [(group, count)])
    ("national", "service_area", [("Adults", "35"), ("Children", "14")]),
    # 5 occupational therapists are too few; the social workers would give them away (49 - 44)
    ("national", "profession", [("Occupational therapist", FEWER), ("Social worker", FEWER)]),
    ("region:North", "service_area", [("Adults", FEWER), ("Children", FEWER)]),
    ("region:North", "profession", [("Social worker", FEWER)]),
    ("org:b", "service_area", [("Adults", FEWER), ("Children", FEWER)]),
    ("org:b", "profession", [("Social worker", "10")]),
    ("org:c", "service_area", [("Adults", FEWER), ("Children", FEWER)]),
]


@pytest.mark.parametrize(("where", "name", "rows"), COUNTS)
def test_how_many_completed_by_group(where: str, name: str, rows: list[tuple[str, str]]) -> None:
    table = next(t for t in report_of(where).completed_by if t.name == name)
    assert [(group, c.text) for group, c in table.rows] == rows
    assert all(c.n == "" for _group, c in table.rows if c.suppressed)


GROUPS = [
    # (where, kind, name, columns, {row: (total, [cells])})
    (
        "national",
        "service_areas",
        "service_area",
        ("Adults", "Children"),
        {"overall": ("79", ["95.9", "36.6"]), "s1": ("76", ["95", "30"]), "wx": ("76", ["93", "34"])},
    ),
    # the 8 who did not state a gender are too few, so the 10 men are suppressed too ("complementary")
    (
        "national",
        "characteristics",
        "gender",
        ("Man", "Woman"),
        {"overall": ("79", [FEWER, "90.3"]), "s2": ("82", [FEWER, "93"])},
    ),
    ("region:North", "characteristics", "gender", ("Woman",), {"s1": (FEWER, [FEWER])}),
    ("region:South", "characteristics", "gender", ("Man", "Woman"), {"s1": (FEWER, [FEWER, FEWER])}),
    ("wide region:South", "characteristics", "gender", ("Man", "Woman"), {"s1": ("74", ["91", FEWER])}),
    ("wide national", "service_areas", "service_area", ("Adults", "Children"), {"s1": ("79", ["97", FEWER])}),
    ("org:b", "characteristics", "gender", ("Woman",), {"overall": ("70", ["70"]), "wx": ("50", ["50"])}),
    ("org:c", "service_areas", "service_area", ("Adults", "Children"), {"s1": ("74", [FEWER, FEWER])}),
]


@pytest.mark.parametrize(("where", "kind", "name", "columns", "rows"), GROUPS)
def test_standards_by_group(
    where: str, kind: str, name: str, columns: tuple[str, ...], rows: dict[str, tuple[str, list[str]]]
) -> None:
    table = next(t for t in getattr(report_of(where), kind) if t.name == name)
    assert (table.columns, table.withheld) == (columns, "")
    got = {r.key: (r.total.text, [c.text for c in r.cells]) for r in table.rows}
    assert {key: got[key] for key in rows} == rows
    assert [r.key for r in table.rows] == ["overall", "s1", "s2", "wx"]


def test_a_characteristic_with_a_small_group_is_withheld_locally_and_says_why() -> None:
    (gender,) = report_of("org:c").characteristics
    assert (gender.name, gender.columns, gender.rows) == ("gender", (), ())
    assert gender.withheld.startswith(
        "Because of group sizes, differences between groups were not shown locally"
    )


def test_an_organisation_of_nine_gets_a_report_that_says_why_and_nothing_else() -> None:
    report = level_report("org", "a")
    assert (report.reportable, report.title, report.kind, report.region_name) == (
        False,
        "Local report: Avon Council",
        "local authority",
        "North",
    )
    assert report.why_not.startswith("Fewer than 10 people completed the Health Check in Avon Council")
    assert report.completed == Cell(FEWER, suppressed=True)
    empty = (report.glance, report.standards, report.completed_by, report.questions, report.strips)
    assert empty == ((), (), (), (), ())
    assert (report.service_areas, report.characteristics, report.needs_plan, report.plans) == ((), (), (), ())


GLANCE = [
    ("national", [("Average national score 2023/24", "79"), ("People who completed", "49")], None),
    (
        "region:North",
        [
            ("Average regional score 2022/23", "75"),
            ("Average regional score 2023/24", FEWER),
            ("People who completed", FEWER),
        ],
        None,
    ),
    (
        "org:b",
        [
            ("Average local score 2022/23", "75"),
            ("Average local score 2023/24", "70"),
            ("People who completed", "10"),
            ("Overall rank", "2nd of 2"),
        ],
        "Standard 2 is the only standard that did not see a decline in average score since 2022/23.",
    ),
    (
        "org:c",
        [
            ("Average local score 2023/24", "75.6"),
            ("People who completed", "30"),
            ("Overall rank", "1st of 2"),
        ],
        None,
    ),
]


@pytest.mark.parametrize(("where", "glance", "note"), GLANCE)
def test_the_results_at_a_glance(where: str, glance: list[tuple[str, str]], note: str | None) -> None:
    report = report_of(where)
    assert [(what, c.text) for what, c in report.glance] == glance
    this_round = next(c for what, c in report.glance if what.endswith("2023/24"))
    assert this_round == row_of(report, "overall").current  # with its band, as the standards table has it
    assert report.notes == (() if note is None else (note,))


def test_the_national_report_has_every_region_with_its_previous_round() -> None:
    report = report_of("national")
    assert [
        (
            r.name,
            r.overall.text,
            r.previous,
            r.change,
            [c.text for c in r.sections],
            r.current_value,
            r.previous_value,
        )
        for r in report.regions
    ] == [
        ("North", FEWER, "75", "", [FEWER, FEWER, FEWER], None, 75.0),
        ("South", FEWER, "", "", [FEWER, FEWER, FEWER], None, None),
    ]
    assert report.section_labels == ("Standard 1", "Standard 2", "Workplace experiences")
    assert report_of("region:North").regions == () and report_of("org:b").regions == ()


def test_the_ranked_strip_holds_shown_scores_only_never_who() -> None:
    report = report_of("org:b")
    assert [(s.key, s.marks, s.mine, s.mine_text, s.rank) for s in report.strips] == [
        ("overall", (75.6, 70.0), 70.0, "70", "2nd of 2"),
        ("s1", (74.0, 63.0), 63.0, "63", "2nd of 2"),
        ("s2", (78.0, 78.0), 78.0, "78", "1st of 2"),
        ("wx", (78.0, 50.0), 50.0, "50", "2nd of 2"),
    ]
    assert "Southtown" not in repr(report.strips) and "'c'" not in repr(report.strips)
    assert report_of("national").strips == () and report_of("region:North").strips == ()


def test_needs_a_plan_lists_poor_standards_without_an_agreed_plan_and_the_agreed_plans() -> None:
    with_plans = report_of("org:b")
    assert with_plans.needs_plan == ()  # its one poor standard (Workplace experiences) has an agreed plan
    assert [(p.number, p.title, p.standard, p.status, p.priority) for p in with_plans.plans] == [
        (3, "Make workloads manageable", "Workplace experiences", "Agreed", "Red: high priority")
    ]
    without = level_report("org", "b", plans=())
    assert [(n.standard, n.score, n.draft) for n in without.needs_plan] == [
        ("Workplace experiences", "50", None)
    ]
    assert without.plans == ()
    assert report_of("org:c").needs_plan == ()  # nothing poor


def test_the_band_key_is_the_seeds_rag_scale_on_the_surveys_bands() -> None:
    assert [(k.band, k.label, k.range, k.meaning) for k in band_key(Bands(75, 51))] == [
        ("good", "Good", "75 or more", "Good score/outcome. To be celebrated."),
        ("moderate", "Moderate", "51 to 74", "Moderate score/outcome. Capable of improvement."),
        (
            "poor",
            "Poor",
            "50 or less",
            "Relatively poor score/outcome. A clear signal to take steps to improve.",
        ),
    ]


CELLS = [
    (Figure(12, 74.5, "moderate", ""), False, Cell("75", "moderate", n="12")),  # half up
    (Figure(12, 74.45, "moderate", ""), True, Cell("74.5", "moderate", n="12")),
    (Figure(12, 74.0, "moderate", ""), True, Cell("74", "moderate", n="12")),  # ".0" dropped
    (Figure(1234, 50.0, "poor", ""), False, Cell("50", "poor", n="1,234")),
    (Figure(None, None, None, "small"), False, Cell(FEWER, suppressed=True)),
    (Figure(None, None, None, "complementary", previous=80.0), False, Cell(FEWER, suppressed=True)),
    (Figure(12, None, None, ""), False, Cell("No scored answers", n="12")),
]


@pytest.mark.parametrize(("figure", "overall", "expected"), CELLS)
def test_a_figure_prints_as_its_cell(figure: Figure, overall: bool, expected: Cell) -> None:
    assert cell(figure, 10, overall=overall) == expected


@pytest.mark.parametrize(
    ("value", "text"), [(None, ""), (0.0, "0.0"), (2.45, "+2.5"), (-4.75, "\u22124.8"), (-0.04, "0.0")]
)
def test_points_are_signed_to_one_decimal_half_up(value: float | None, text: str) -> None:
    assert points(value) == text


@pytest.mark.parametrize(
    ("title", "short"),
    [("Standard 3 \u2013 Safe workloads", "Standard 3"), ("Workplace Experiences", "Workplace Experiences")],
)
def test_short_titles(title: str, short: str) -> None:
    assert short_title(title) == short


@pytest.mark.parametrize(
    ("value", "label"), [("mental-health", "Mental health"), ("social_worker", "Social worker"), ("", "")]
)
def test_value_labels(value: str, label: str) -> None:
    assert value_label(value) == label


@pytest.mark.parametrize("where", LEVELS)
def test_every_suppressed_cell_prints_words_only(where: str) -> None:
    report = report_of(where)
    cells = [r.current for r in report.standards]
    cells += [c for t in report.completed_by for _g, c in t.rows]
    cells += [
        c
        for t in (*report.service_areas, *report.characteristics)
        for r in t.rows
        for c in (r.total, *r.cells)
    ]
    cells += [r.current for q in report.questions for r in q.rows]
    for c in cells:
        if c.suppressed:
            assert c == Cell(FEWER, suppressed=True)
