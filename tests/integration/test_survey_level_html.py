"""The level report's one template, parsed: every figure of the hand-made round (tests/survey_level_round.py)
in its table, "Fewer than 10" in place of every suppressed one and never its value, the charts with their
text alternatives, and the structure a screen reader relies on (headings in order, captions, scopes)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.page import Page, text_of
from tests.survey_level_round import PLANS, level_report
from tracker import create_app
from tracker.reports.survey_level_model import LevelReport, StandardPlan
from tracker.reports.survey_level_render import PageLinks, render_level_html

FEWER = "Fewer than 10"
MINUS = "\u2212"


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    folder: Path = tmp_path_factory.mktemp("levels")
    app = create_app(
        {"TESTING": True, "DATABASE_URL": f"sqlite:///{folder / 'unused.sqlite3'}", "SECRET_KEY": "k" * 40}
    )
    yield app
    app.extensions["tracker_db"][0].dispose()


def render(app: Flask, report: LevelReport, for_pdf: bool) -> Page:
    with app.test_request_context():
        page = None if for_pdf else PageLinks(("2022/23", "2023/24"), "/report.pdf")
        return Page(render_level_html(report, for_pdf=for_pdf, page=page))


@pytest.fixture(scope="module", params=[True, False], ids=["pdf", "web"])
def pages(app: Flask, request: pytest.FixtureRequest) -> dict[str, Page]:
    """Each level's page, in the PDF's form and the web page's: the same template, the same figures."""
    found = {}
    for where in WHERE:
        level, _, key = where.removeprefix("wide ").partition(":")
        found[where] = render(app, level_report(level, key, wider=where.startswith("wide ")), request.param)
    return found


# The hand-made round's levels, and three of the wider round's (d beside c in the South, e in the East)
WHERE = ("national", "region:North", "region:South", "org:a", "org:b", "org:c")
WHERE += ("wide national", "wide region:South", "wide org:e")
STANDARDS = [
    # (where, rows of the standards table: standard, score, band, answered, previous, change)
    (
        "national",
        [
            ["Overall (Standards 1-2)", "79", "Good", "49", "", ""],
            ["Standard 1", "76", "Good", "49", "", ""],
            ["Standard 2", "82", "Good", "49", "", ""],
            ["Workplace experiences", "76", "Good", "49", "", ""],
        ],
    ),
    # North (a's 9 beside b's 10) would give a's figures away: every one suppressed; b's last round shows
    (
        "region:North",
        [
            ["Overall (Standards 1-2)", FEWER, "", "", "75", ""],
            ["Standard 1", FEWER, "", "", "75", ""],
            ["Standard 2", FEWER, "", "", "75", ""],
            ["Workplace experiences", FEWER, "", "", "75", ""],
        ],
    ),
    (
        "org:b",
        [
            ["Overall (Standards 1-2)", "70", "Moderate", "10", "75", f"{MINUS}5.0"],
            ["Standard 1", "63", "Moderate", "10", "75", f"{MINUS}12.5"],
            ["Standard 2", "78", "Good", "10", "75", "+2.5"],
            ["Workplace experiences", "50", "Poor", "10", "75", f"{MINUS}25.0"],
        ],
    ),
    (
        "org:c",
        [
            ["Overall (Standards 1-2)", "75.6", "Good", "30", "", ""],
            ["Standard 1", "74", "Moderate", "30", "", ""],
            ["Standard 2", "78", "Good", "30", "", ""],
            ["Workplace experiences", "78", "Good", "30", "", ""],
        ],
    ),
]


@pytest.mark.parametrize(("where", "rows"), STANDARDS)
def test_average_by_standard_with_the_previous_round(
    pages: dict[str, Page], where: str, rows: list[list[str]]
) -> None:
    assert pages[where].rows("Average by standard, 2023/24 against 2022/23") == rows


def test_each_band_is_in_words_and_colour(pages: dict[str, Page]) -> None:
    page = pages["org:b"]
    bands = [(b["class"], text_of(b)) for b in page.all("#standards-table tbody .band")]
    assert bands == [
        (["band", "band-moderate"], "Moderate"),
        (["band", "band-moderate"], "Moderate"),
        (["band", "band-good"], "Good"),
        (["band", "band-poor"], "Poor"),
    ]
    assert page.texts(".band-key li") == [
        "Good 75 or more: Good score/outcome. To be celebrated.",
        "Moderate 51 to 74: Moderate score/outcome. Capable of improvement.",
        "Poor 50 or less: Relatively poor score/outcome. A clear signal to take steps to improve.",
    ]


def test_an_organisation_against_its_region_and_the_nation_with_its_ranks(pages: dict[str, Page]) -> None:
    assert pages["org:b"].rows("Beckside Council against North and the national average, 2023/24") == [
        ["Overall (Standards 1-2)", "70", FEWER, "79", "", f"{MINUS}9.0", "2nd of 2"],
        ["Standard 1", "63", FEWER, "76", "", f"{MINUS}13.8", "2nd of 2"],
        ["Standard 2", "78", FEWER, "82", "", f"{MINUS}4.1", "1st of 2"],
        ["Workplace experiences", "50", FEWER, "76", "", f"{MINUS}26.0", "2nd of 2"],
    ]
    assert pages["org:c"].rows("Southtown Council against South and the national average, 2023/24")[0] == [
        "Overall (Standards 1-2)", "75.6", FEWER, "79", "", f"{MINUS}3.3", "1st of 2",
    ]  # fmt: skip
    # e is the East's only organisation: its own figures show, its region's (the same people) do not
    assert pages["wide org:e"].rows("Eastwick Council against East and the national average, 2023/24")[0] == [
        "Overall (Standards 1-2)", "100", FEWER, "80.6", "", "+19.4", "1st of 4",
    ]  # fmt: skip


def test_a_region_against_the_nation(pages: dict[str, Page]) -> None:
    assert pages["wide region:South"].rows("South against the national average, 2023/24") == [
        ["Overall (Standards 1-2)", "75.6", "80.6", f"{MINUS}5.0"],
        ["Standard 1", "74", "79", f"{MINUS}4.8"],
        ["Standard 2", "78", "83", f"{MINUS}5.2"],
        ["Workplace experiences", "78", "80", f"{MINUS}2.2"],
    ]
    assert pages["region:South"].rows("South against the national average, 2023/24")[0] == [
        "Overall (Standards 1-2)", FEWER, "79", "",
    ]  # fmt: skip


def test_the_national_report_by_region(pages: dict[str, Page]) -> None:
    page = pages["national"]
    # North would give Avon's 9 away beside Beckside; then the nation less South would give North back
    assert page.rows("Overall (Standards 1-2) by region, 2023/24 against 2022/23") == [
        ["North", FEWER, "", "75", ""],
        ["South", FEWER, "", "", ""],
    ]
    wide = pages["wide national"]
    assert wide.rows("Overall (Standards 1-2) by region, 2023/24") == [
        ["East", FEWER, ""],
        ["North", FEWER, ""],
        ["South", "75.6", "Good"],
    ]
    assert wide.rows("Average by standard by region, 2023/24 (1 of 2)") == [
        ["East", FEWER, FEWER, FEWER],
        ["North", FEWER, FEWER, FEWER],
        ["South", "75.6 Good", "74 Moderate", "78 Good"],
    ]
    assert wide.rows("Average by standard by region, 2023/24 (2 of 2)") == [
        ["East", FEWER],
        ["North", FEWER],
        ["South", "78 Good"],
    ]


COUNTS = [
    ("national", "Completed by service area, 2023/24", [["Adults", "35"], ["Children", "14"]]),
    # 5 occupational therapists are too few, and 49 less the social workers would give them away
    (
        "national",
        "Completed by profession, 2023/24",
        [["Occupational therapist", FEWER], ["Social worker", FEWER]],
    ),
    ("region:North", "Completed by service area, 2023/24", [["Adults", FEWER], ["Children", FEWER]]),
    ("region:North", "Completed by profession, 2023/24", [["Social worker", FEWER]]),
    ("org:c", "Completed by service area, 2023/24", [["Adults", FEWER], ["Children", FEWER]]),
]


@pytest.mark.parametrize(("where", "caption", "rows"), COUNTS)
def test_how_many_completed(pages: dict[str, Page], where: str, caption: str, rows: list[list[str]]) -> None:
    assert pages[where].rows(caption) == rows


GROUPS = [
    (
        "national",
        "Average by standard by service area, 2023/24",
        [
            ["Overall (Standards 1-2)", "79 Good", "95.9 Good", "36.6 Poor"],
            ["Standard 1", "76 Good", "95 Good", "30 Poor"],
            ["Standard 2", "82 Good", "97 Good", "43 Poor"],
            ["Workplace experiences", "76 Good", "93 Good", "34 Poor"],
        ],
    ),
    (
        "national",
        "Average by standard by gender, 2023/24",
        [
            ["Overall (Standards 1-2)", "79 Good", FEWER, "90.3 Good"],
            ["Standard 1", "76 Good", FEWER, "88 Good"],
            ["Standard 2", "82 Good", FEWER, "93 Good"],
            ["Workplace experiences", "76 Good", FEWER, "84 Good"],
        ],
    ),
    (
        "org:c",
        "Average by standard by service area, 2023/24",
        [
            ["Overall (Standards 1-2)", "75.6 Good", FEWER, FEWER],
            ["Standard 1", "74 Moderate", FEWER, FEWER],
            ["Standard 2", "78 Good", FEWER, FEWER],
            ["Workplace experiences", "78 Good", FEWER, FEWER],
        ],
    ),
    (
        "org:b",
        "Average by standard by gender, 2023/24",
        [
            ["Overall (Standards 1-2)", "70 Moderate", "70 Moderate"],
            ["Standard 1", "63 Moderate", "63 Moderate"],
            ["Standard 2", "78 Good", "78 Good"],
            ["Workplace experiences", "50 Poor", "50 Poor"],
        ],
    ),
]


@pytest.mark.parametrize(("where", "caption", "rows"), GROUPS)
def test_by_service_area_and_characteristic(
    pages: dict[str, Page], where: str, caption: str, rows: list[list[str]]
) -> None:
    assert pages[where].rows(caption) == rows


QUESTIONS = [
    (
        "national",
        "Standard 1",
        [
            ["I know the framework", "77", "Good", "", ""],
            ["It is used", "76", "Good", "", ""],
        ],
    ),
    (
        "region:North",
        "Standard 2",
        [
            ["Workloads are safe", FEWER, "", "75", ""],
            ["I have too many cases", FEWER, "", "75", ""],
        ],
    ),
    ("org:b", "Workplace experiences", [["I am treated fairly", "50", "Poor", "75", f"{MINUS}25.0"]]),
    (
        "org:c",
        "Standard 2",
        [["Workloads are safe", "85", "Good", "", ""], ["I have too many cases", "70", "Moderate", "", ""]],
    ),
]


@pytest.mark.parametrize(("where", "section", "rows"), QUESTIONS)
def test_question_by_question(
    pages: dict[str, Page], where: str, section: str, rows: list[list[str]]
) -> None:
    assert pages[where].rows(f"{section}: by question, 2023/24") == rows


def test_a_breakdown_no_one_gave_says_so(pages: dict[str, Page]) -> None:
    page = pages["wide org:e"]  # e's 12 gave no service area and no gender
    assert page.text("#completed-service_area") == "No one who completed here gave their service area."
    assert page.text("#by-service_area-table") == "No one who completed here gave their service area."
    assert page.text("#characteristic-gender-table") == "No one who completed here gave their gender."


def test_a_withheld_characteristic_says_why_and_shows_no_table(pages: dict[str, Page]) -> None:
    page = pages["org:c"]
    assert page.text("#characteristic-gender-table").startswith(
        "Because of group sizes, differences between groups were not shown locally"
    )
    assert not any("by gender" in text_of(c) for c in page.all("caption"))


def test_suppressed_cells_print_the_words_and_never_a_value(pages: dict[str, Page]) -> None:
    for where, page in pages.items():
        for suppressed in page.all(".suppressed"):
            assert text_of(suppressed) == FEWER, where
            assert not [name for name in suppressed.attrs if name.startswith("data-")]
    # the figures the threshold hides: 5 occupational therapists and 44 social workers nationally; in c,
    # 21 adults and 9 children, scoring 100 and 12.5 (Standard 1)
    national = {part for c in pages["national"].cells() for part in c.split()}
    assert not {"44", "5"} & national
    # North's 19 beside b's 10 would give a's 9 away: 19, and its scores 80, 88 and 74, appear nowhere in it
    north = {part for c in pages["region:North"].cells() for part in c.split()}
    assert not {"19", "80", "88", "74", "84.2"} & north
    southtown = {part for c in pages["org:c"].cells() for part in c.split()}
    assert not {"21", "9", "100", "13", "12.5"} & southtown


def test_an_organisation_of_nine_says_why_and_nothing_else(pages: dict[str, Page]) -> None:
    page = pages["org:a"]
    assert page.h1 == "Local report: Avon Council"
    assert page.text("#why-not").startswith("Fewer than 10 people completed the Health Check in Avon Council")
    assert page.tables() == [] and not page.has("svg") and not page.has("nav.toc") and not page.has(".glance")
    assert page.headings(2) == []


def test_needs_a_plan_and_the_agreed_plans(pages: dict[str, Page]) -> None:
    page = pages["org:b"]
    assert (
        page.text("#no-plan-needed")
        == "No standard of Beckside Council without an agreed plan is in the poor band."
    )
    assert page.texts(".agreed-plans li") == [
        "Action plan 3: Make workloads manageable (Workplace experiences; Agreed; Red: high priority)"
    ]
    assert not pages["national"].has("#plans") and not pages["region:North"].has("#plans")


@pytest.mark.parametrize("for_pdf", [True, False], ids=["pdf", "web"])
def test_a_poor_standard_without_an_agreed_plan_is_listed_as_needing_one(app: Flask, for_pdf: bool) -> None:
    """Beckside's Workplace experiences (50, poor) with no plan, then with a draft: listed each time, the
    draft named; an agreed plan for another standard answers nothing here."""
    plain = render(app, level_report("org", "b", plans=()), for_pdf)
    assert plain.texts("#plans ul.needs-plan > li") == ["Workplace experiences (50, Poor)"]
    assert not plain.has("#no-plan-needed") and not plain.has(".agreed-plans")
    drafted = (StandardPlan(7, "Fairer treatment", "wx", "draft", "red"), PLANS[1])
    drafting = render(app, level_report("org", "b", plans=drafted), for_pdf)
    assert drafting.texts("#plans ul.needs-plan > li") == [
        "Workplace experiences (50, Poor): a draft plan is being written (action plan 7)"
    ]
    assert not drafting.has(".agreed-plans")  # drafts are not agreed plans
    other = (StandardPlan(8, "Explain the framework", "s1", "agreed", "amber"),)
    answered_elsewhere = render(app, level_report("org", "b", plans=other), for_pdf)
    assert answered_elsewhere.texts("#plans ul.needs-plan > li") == ["Workplace experiences (50, Poor)"]
    assert answered_elsewhere.texts(".agreed-plans li") == [
        "Action plan 8: Explain the framework (Standard 1; Agreed; Amber: medium priority)"
    ]


def test_the_ranked_strip_and_its_text_alternative(pages: dict[str, Page]) -> None:
    page = pages["org:b"]
    (svg,) = page.all("#compared svg")
    assert svg["role"] == "img" and svg["aria-labelledby"] == "strip-title strip-desc"
    assert (
        text_of(page.by_id("strip-title")) == "Where Beckside Council sits among the ranked local authorities"
    )
    desc = text_of(page.by_id("strip-desc"))
    assert "Overall (Standards 1-2): 70, 2nd of 2" in desc and "Workplace experiences: 50, 2nd of 2" in desc
    assert [m["data-value"] for m in svg.select("[data-part=mine]")] == ["70", "63", "78", "50"]
    assert "Southtown" not in str(svg)  # the other marks say nothing of who they are


def test_the_region_chart_and_its_text_alternative(pages: dict[str, Page]) -> None:
    page = pages["national"]
    (svg,) = page.all("#regions svg")
    desc = text_of(page.by_id("regions-desc"))
    assert desc.startswith(
        "Average overall score by region in 2023/24 against 2022/23, on a scale of 0 to 100"
    )
    assert "North: Fewer than 10 in 2023/24, 75 in 2022/23; South: Fewer than 10 in 2023/24." in desc
    assert [(g["data-part"], g["data-value"]) for g in svg.select("g[data-value]")] == [("previous", "75")]
    wide = pages["wide national"]
    desc = text_of(wide.by_id("regions-desc"))
    assert desc.startswith("Average overall score by region in 2023/24, on a scale of 0 to 100")
    assert desc.endswith(
        "East: Fewer than 10 in 2023/24; North: Fewer than 10 in 2023/24; South: 75.6 in 2023/24."
    )
    drawn = wide.one("#regions svg").select("g[data-value]")
    assert [(g["data-part"], g["data-value"]) for g in drawn] == [("current", "75.6")]
    assert [b["data-band"] for b in svg.select("[data-band]")] == ["poor", "moderate", "good"]


@pytest.mark.parametrize("where", ["national", "region:North", "org:b", "org:c", "wide region:South"])
def test_headings_in_order_tables_with_captions_and_scopes(pages: dict[str, Page], where: str) -> None:
    page = pages[where]
    levels = [int(h.name[1]) for h in page.all("main h1, main h2, main h3, main h4")]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels))
    for table in page.tables():
        assert table.caption is not None and text_of(table.caption)
        assert all(th.get("scope") in {"col", "row"} for th in table.select("th"))
    assert page.title == f"{page.h1}: Health Check, 2023/24"


@pytest.mark.parametrize("where", WHERE)
def test_the_service_area_chart_draws_exactly_the_tables_shown_values(
    pages: dict[str, Page], where: str
) -> None:
    """Bar by bar, the chart carries the value the service-area table shows and draws nothing for a
    suppressed (or empty) part, which it says in words; its text alternative lists every value."""
    page = pages[where]
    if not page.has("table#by-service_area-table"):
        assert not page.has("svg[data-chart=area-bars]")
        return
    (svg,) = page.all("#by-service_area svg[data-chart=area-bars]")
    assert page.text("#by-service_area-chart-caption").startswith(
        "Overall (Standards 1-2) and each standard by service area, 2023/24"
    )
    table = page.table("Average by standard by service area, 2023/24")
    areas = [text_of(th) for th in table.select("thead th")][2:]
    rows = table.select("tbody > tr")
    groups = svg.select("g[data-part=standard]")
    assert len(groups) == len(rows) and areas
    desc = text_of(page.by_id("by-service_area-chart-desc"))
    drawn = 0
    for row, group in zip(rows, groups, strict=True):
        label = text_of(row.th)  # type: ignore[arg-type]
        cells = row.find_all("td")[1:]  # the "All" column is not charted
        parts = group.select("g[data-part=bar], g[data-part=unshown]")
        assert len(parts) == len(cells) == len(areas)
        said = []
        for area, cell, part in zip(areas, cells, parts, strict=True):
            value = cell.select_one(".score-value")
            words = [text_of(t) for t in part.select("text")]
            if value is None:  # suppressed or no one: said in words, never drawn
                assert part["data-part"] == "unshown" and not part.select("rect")
                expected = text_of(cell) or "No one"
                assert words == [area, expected]
                said.append(f"{area} {text_of(cell) or 'no one'}")
            else:
                drawn += 1
                assert part["data-part"] == "bar" and words == [area, text_of(value)]
                assert float(part["data-value"]) == float(text_of(value))  # type: ignore[arg-type]
                said.append(f"{area} {text_of(value)}")
        assert f"{label}: {', '.join(said)}" in desc
    assert len(svg.select("g[data-value]")) == drawn
    if "org:" in where:  # no figure from fewer than 10 reaches the picture
        assert FEWER not in {text_of(v) for v in svg.select("g[data-part=bar] text")}


def test_the_service_area_chart_of_a_small_service_says_fewer_than_10(pages: dict[str, Page]) -> None:
    svg = pages["org:c"].one("#by-service_area svg")  # its "All" shows (75.6), each area is under 10
    assert svg.select("g[data-value]") == [] and not svg.select("g[data-part=standard] rect")
    assert [text_of(g) for g in svg.select("g[data-part=unshown] text:last-child")] == [FEWER] * 8
    national = pages["national"].one("#by-service_area svg")
    drawn = [g["data-value"] for g in national.select("g[data-value]")]
    assert drawn == ["95.9", "36.6", "95", "30", "97", "43", "93", "34"]
    assert [b["data-band"] for b in svg.select("[data-band]")] == ["poor", "moderate", "good"]
