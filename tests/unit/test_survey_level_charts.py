"""The level reports' charts: each region this round against the last, the ranked strip, and each standard
by service area. What is drawn and where, what the text alternative says, suppressed figures said and
never drawn, RAG bands in colour and pattern along the axis. (What every chart shares is in test_charts.py.)"""

from __future__ import annotations

import pytest

from tests.unit.test_charts import find_all, parse, texts
from tracker.domain.surveys import Bands
from tracker.reports.charts.area_bars import AreaBar, AreaRow, area_bars
from tracker.reports.charts.band_marks import band_ranges
from tracker.reports.charts.survey_levels import PairBar, Strip, ranked_strip, region_bars

FEWER = "Fewer than 10"
ROWS = [
    PairBar("North", 84.2, "84.2", 75.0, "75"),
    PairBar("South", 75.6, "75.6", None, ""),
    PairBar("Tiny", None, FEWER, 60.0, "60"),
]


def desc_of(markup: object) -> str:
    root = parse(markup)  # type: ignore[arg-type]
    return "".join(find_all(root, "desc")[0].itertext())


def test_region_bars_draw_each_round_and_say_what_is_missing() -> None:
    root = parse(region_bars("r", "Overall by region", ROWS, "2023/24", "2022/23", Bands(), FEWER))
    drawn = [(g.get("data-part"), g.get("data-value")) for g in find_all(root, "g") if g.get("data-value")]
    assert drawn == [("previous", "75"), ("current", "84.2"), ("current", "75.6"), ("previous", "60")]
    words = texts(root)
    assert "no 2022/23 figure" in words and FEWER in words  # said, not drawn
    assert [t for t in words if t in ("2023/24", "2022/23")][:2] == ["2023/24", "2022/23"]  # the legend
    assert desc_of(region_bars("r", "t", ROWS, "2023/24", "2022/23", Bands(), FEWER)) == (
        "Average overall score by region in 2023/24 against 2022/23, on a scale of 0 to 100 (good 75 or more, "
        "poor 50 or less). North: 84.2 in 2023/24, 75 in 2022/23; South: 75.6 in 2023/24; "
        "Tiny: Fewer than 10 in 2023/24, 60 in 2022/23."
    )


def test_bars_are_to_scale_from_zero() -> None:
    root = parse(region_bars("r", "t", ROWS[:1], "2023/24", "2022/23", Bands(), FEWER))
    current = find_all(root, "g", data_part="current")[0]
    previous = find_all(root, "g", data_part="previous")[0]
    width_now = float(current.find("{http://www.w3.org/2000/svg}rect").get("width"))  # type: ignore[union-attr]
    width_then = float(previous.find("{http://www.w3.org/2000/svg}rect").get("width"))  # type: ignore[union-attr]
    assert width_now / width_then == pytest.approx(84.2 / 75, abs=0.01)


def test_without_a_previous_round_the_bars_show_this_round_only() -> None:
    root = parse(
        region_bars("r", "t", [PairBar("North", 80.0, "80", None, "")], "2023/24", None, Bands(), FEWER)
    )
    assert [g.get("data-part") for g in find_all(root, "g") if g.get("data-value")] == ["current"]
    assert "no None figure" not in " ".join(texts(root))


STRIP = [
    Strip("Overall", (80.5, 74.2, 74.0, 70.0), 74.0, "74", "3rd of 4"),
    Strip("Standard 1", (81.0, 81.0, 60.0), None, "", ""),
]


def test_the_strip_highlights_one_organisation_and_draws_the_others_by_count() -> None:
    root = parse(ranked_strip("s", "Where Ours sits", STRIP, "Ours", "local authorities", Bands()))
    strips = find_all(root, "g", data_part="strip")
    assert [g.get("data-marks") for g in strips] == ["4", "3"]
    assert [c.get("data-value") for c in find_all(root, "circle", data_part="mine")] == ["74"]
    others = find_all(root, "path", data_part="others")
    # Overall: 74.2 and 74 share the whole number 74, so one tick is full height (2 x 12), the others 2 x 7.5
    assert others[0].get("d", "").count("M") == 3 and "v24" in others[0].get("d", "")
    assert others[1].get("d", "").count("M") == 2
    words = texts(root)
    assert "74, 3rd of 4" in words and "not ranked" in words and "Ours" in words
    assert desc_of(ranked_strip("s", "t", STRIP, "Ours", "local authorities", Bands())) == (
        "Where Ours sits among the 4 ranked local authorities (each a mark; Overall: highest 80.5, lowest 70), "
        "on a scale of 55 to 85. Overall: 74, 3rd of 4; Standard 1: not ranked."
    )


def test_the_strip_with_no_ranked_organisation_says_so() -> None:
    root = parse(ranked_strip("s", "Where Ours sits", [], "Ours", "NHS trusts", Bands()))
    assert "No organisation of this kind is ranked" in texts(root)


@pytest.mark.parametrize(
    ("low", "high", "ranges"),
    [
        (0, 100, [("poor", 0, 50.5), ("moderate", 50.5, 74.5), ("good", 74.5, 100)]),
        (60, 90, [("moderate", 60, 74.5), ("good", 74.5, 90)]),
        (20, 40, [("poor", 20, 40)]),
    ],
)
def test_bands_along_a_scale(low: float, high: float, ranges: list[tuple[str, float, float]]) -> None:
    assert band_ranges(Bands(75, 51), low, high) == ranges


def test_both_charts_draw_the_rag_bands_in_colour_and_pattern_with_their_names() -> None:
    for markup in (
        region_bars("r", "t", ROWS, "2023/24", "2022/23", Bands(), FEWER),
        ranked_strip("s", "t", STRIP, "Ours", "local authorities", Bands()),
    ):
        root = parse(markup)
        (scale,) = find_all(root, "g", data_part="band-scale")
        for band in scale:
            rects = band.findall("{http://www.w3.org/2000/svg}rect")
            assert rects[1].get("fill", "").startswith("url(#") and rects[1].get("fill", "").endswith(
                f"-b-{band.get('data-band')}" + ")"
            )
        names = texts(scale)
        assert "Good" in names and "Moderate" in names


AREAS = ["Adults", "Children", "Mental health"]
AREA_ROWS = [
    AreaRow("Overall (Standards 1-8)", (AreaBar(77.5, "77.5"), AreaBar(None, FEWER), AreaBar(None, ""))),
    AreaRow("Standard 1", (AreaBar(50.0, "50"), AreaBar(100.0, "100"), AreaBar(None, "No scored answers"))),
]


def test_area_bars_draw_a_bar_per_shown_area_to_scale_and_say_the_rest() -> None:
    root = parse(area_bars("a", "By service area", AREAS, AREA_ROWS, Bands()))
    bars = find_all(root, "g", data_part="bar")
    assert [g.get("data-value") for g in bars] == ["77.5", "50", "100"]
    assert [texts(g) for g in bars] == [["Adults", "77.5"], ["Adults", "50"], ["Children", "100"]]
    widths = [float(g.findall("{http://www.w3.org/2000/svg}rect")[0].get("width", "")) for g in bars]
    assert widths[1] / widths[2] == pytest.approx(0.5, abs=0.005)
    unshown = [texts(g) for g in find_all(root, "g", data_part="unshown")]
    assert unshown == [
        ["Children", FEWER],
        ["Mental health", "No one"],
        ["Mental health", "No scored answers"],
    ]
    assert not [
        e for g in find_all(root, "g", data_part="unshown") for e in g.iter() if e.tag.endswith("rect")
    ]
    assert texts(find_all(root, "g", data_part="legend")[0]) == AREAS
    assert desc_of(area_bars("a", "t", AREAS, AREA_ROWS, Bands())) == (
        "Average score by standard by service area, on a scale of 0 to 100 (good 75 or more, poor 50 or less). "
        "Overall (Standards 1-8): Adults 77.5, Children Fewer than 10, Mental health no one; "
        "Standard 1: Adults 50, Children 100, Mental health No scored answers."
    )


def test_area_bars_tell_areas_apart_by_pattern_not_colour_alone() -> None:
    root = parse(area_bars("a", "t", AREAS, AREA_ROWS, Bands()))
    (legend,) = find_all(root, "g", data_part="legend")
    fills = [r.get("fill") for r in legend.iter("{http://www.w3.org/2000/svg}rect")]
    assert fills[0] != fills[1] != fills[3]  # three colours
    assert fills.count("url(#a-a1)") == 1 and fills.count("url(#a-a2)") == 1  # and two patterns over them
    (scale,) = find_all(root, "g", data_part="band-scale")
    assert [b.get("data-band") for b in scale] == ["poor", "moderate", "good"]
