"""The report's SVG charts: accessible structure, escaping of user text, nothing fetched, stable bytes;
and the CSS that colours and patterns the HTML theme diagrams and key."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from tracker.domain import formats
from tracker.domain.kpi import timeline
from tracker.domain.rules import RATING_CODES
from tracker.domain.surveys import Bands
from tracker.reports.charts import (
    Bar,
    diagram_css,
    distance_travelled,
    kpi_sparkline,
    kpi_trend,
    rating_bars,
    value_bars,
)
from tracker.reports.charts.area_bars import AreaBar, AreaRow, area_bars
from tracker.reports.charts.survey_levels import PairBar, Strip, ranked_strip, region_bars

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = ("<script>alert(1)</script>", "<img src=file:///etc/passwd>", "&amp;", "\"quoted\" & 'single'")
FORBIDDEN_TAGS = {"script", "image", "img", "foreignObject", "iframe", "a", "use", "style", "object", "embed"}

BAR_ROWS = [
    ("Identity and brand", {"strong": 2, "some": 3, "insufficient": 0, "none": 1, "not_yet": 1}),
    ("The student journey", {"strong": 5, "some": 1}),
    ("The future workforce", {}),
]


def parse(markup: Markup) -> ET.Element:
    """Parse one chart; fails the test if the markup is not well-formed XML."""
    assert isinstance(markup, Markup)
    root = ET.fromstring(str(markup))  # noqa: S314 (our own output, not untrusted input)
    assert root.tag == f"{SVG}svg"
    return root


def local(element: ET.Element) -> str:
    """The tag without the SVG namespace."""
    return element.tag.removeprefix(SVG)


def find_all(root: ET.Element, tag: str, **attrs: str) -> list[ET.Element]:
    """SVG elements of a tag whose attributes match (data_part= means data-part=)."""
    return [
        e for e in root.iter(f"{SVG}{tag}") if all(e.get(k.replace("_", "-")) == v for k, v in attrs.items())
    ]


def texts(element: ET.Element) -> list[str]:
    """Every `<text>` line under an element, as a reader sees it."""
    return ["".join(t.itertext()) for t in element.iter(f"{SVG}text")]


def by_id(root: ET.Element) -> dict[str, ET.Element]:
    """Every element with an id, by id."""
    return {e.get("id", ""): e for e in root.iter() if e.get("id")}


def shape(pattern: ET.Element) -> str:
    """The marks of a pattern tile (what is under its root) without their colours."""
    marks = [
        (local(e), sorted((k, v) for k, v in e.attrib.items() if k not in ("fill", "stroke")))
        for e in pattern.iter()
    ]
    return repr(marks[1:])


def every_chart(prefix: str = "c", text: str = "Text") -> Iterator[Markup]:
    """One of each chart (and each empty state), with `text` in every text argument."""
    every_rating = {code: count for count, code in enumerate(RATING_CODES, start=1)}
    yield rating_bars(f"{prefix}-b", [(text, every_rating), ("Other", {})])
    yield rating_bars(f"{prefix}-b0", [])
    yield kpi_trend(f"{prefix}-t", text, "percent", [(text, 90.0)], (text, 55.0), 100.0, "higher_is_better")
    yield kpi_trend(f"{prefix}-t0", text, "count", [], None, None, "lower_is_better")
    yield distance_travelled(f"{prefix}-x", text, [(text, 2.5, 4.0), ("Other", 4.0, 3.0)], 5.0)
    yield distance_travelled(f"{prefix}-x0", text, [], 5.0)
    yield value_bars(
        f"{prefix}-v", text, [Bar(text, 3.0, "3"), Bar("Other", 0.0, "0", drawn=False)], note=text
    )
    yield value_bars(f"{prefix}-v0", text, [])
    yield region_bars(
        f"{prefix}-r",
        text,
        [PairBar(text, 74.0, "74", 79.5, "79.5"), PairBar("Other", None, "Fewer than 10", None, "")],
        "2023/24",
        "2022/23",
        Bands(),
        "Fewer than 10",
    )
    yield region_bars(f"{prefix}-r0", text, [], "2023/24", None, Bands(), "Fewer than 10")
    strip = Strip(text, (80.0, 74.0, 74.0), 74.0, "74", "2nd of 3")
    yield ranked_strip(f"{prefix}-s", text, [strip], text, "local authorities", Bands())
    yield ranked_strip(f"{prefix}-s0", text, [], text, "local authorities", Bands())
    area_row = AreaRow(text, (AreaBar(74.0, "74"), AreaBar(None, "Fewer than 10"), AreaBar(None, "")))
    yield area_bars(f"{prefix}-a", text, [text, "Adults", "Mental health"], [area_row], Bands())
    yield area_bars(f"{prefix}-a0", text, [], [], Bands())


# --- what every chart shares -----------------------------------------------------------------------


@pytest.mark.parametrize("index", range(len(list(every_chart()))))
def test_every_chart_is_an_accessible_scalable_svg(index: int) -> None:
    markup = list(every_chart())[index]
    root = parse(markup)
    assert str(markup).count("<svg") == 1
    assert root.get("role") == "img"
    assert root.get("width") == "100%"
    assert root.get("font-family") == "Helvetica, Arial, sans-serif"
    view_box = [float(v) for v in root.get("viewBox", "").split()]
    assert len(view_box) == 4 and view_box[:2] == [0, 0] and view_box[2] > 0 and view_box[3] > 0
    title_id, desc_id = root.get("aria-labelledby", "").split()
    ids = by_id(root)
    assert local(ids[title_id]) == "title" and "".join(ids[title_id].itertext()).strip()
    assert local(ids[desc_id]) == "desc" and "".join(ids[desc_id].itertext()).strip()
    assert root[0] is ids[title_id] and root[1] is ids[desc_id]
    assert root.get("data-chart") in (
        "bars",
        "trend",
        "distance",
        "value-bars",
        "region-bars",
        "ranked-strip",
        "area-bars",
    )


def test_no_chart_fetches_or_runs_anything() -> None:
    outputs = [m for text in (*HOSTILE, "plain") for m in every_chart("h", text)]
    for markup in outputs:
        root = parse(markup)
        assert 'xmlns="http://www.w3.org/2000/svg"' in str(markup)  # the one URL allowed: a namespace name
        for element in root.iter():
            assert element.tag.startswith(SVG), element.tag  # nothing from another namespace
            assert local(element) not in FORBIDDEN_TAGS
            # ElementTree turns xmlns into the tag's namespace, so it is not among the attributes here.
            for name, value in element.attrib.items():
                assert "href" not in name and not name.startswith("on"), name
                lowered = value.lower()
                for scheme in ("http:", "https:", "file:", "javascript:", "data:"):
                    assert scheme not in lowered, (name, value)
                for reference in re.findall(r"url\(([^)]*)\)", value):
                    assert reference.startswith("#h-"), value
            assert "@import" not in (element.text or "")


def test_charts_are_deterministic() -> None:
    first = [str(m) for m in every_chart()]
    second = [str(m) for m in every_chart()]
    assert first == second
    trend = kpi_trend(
        "t", "Rate", "percent", [("2019/20", 90.0)], ("2018/19", 55.0), 100.0, "higher_is_better"
    )
    assert str(trend) == str(
        kpi_trend("t", "Rate", "percent", [("2019/20", 90.0)], ("2018/19", 55.0), 100.0, "higher_is_better")
    )


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_text_is_escaped_and_survives_as_text(hostile: str) -> None:
    text = f"Fewer {hostile} staff"
    for markup in every_chart("h", text):
        root = parse(markup)
        assert not [e for e in root.iter() if local(e) in FORBIDDEN_TAGS]
        for element in root.iter():  # argument text goes in text nodes only, never in an attribute
            assert not [v for v in element.attrib.values() if text in v or hostile in v], element.attrib
        if find_all(root, "title")[0].get("id") == "h-b0-title":
            continue  # the empty bar chart takes no text
        alternative = "".join(find_all(root, "title")[0].itertext()) + "".join(
            find_all(root, "desc")[0].itertext()
        )
        assert text in alternative
    trend = parse(kpi_trend("t", hostile, "count", [("2020", 1.0)], None, None, "higher_is_better"))
    assert hostile in texts(trend)  # the visible title
    distance = parse(distance_travelled("x", hostile, [(text, 1.0, 2.0)], 5.0))
    assert hostile in texts(distance)  # the visible title
    assert text in " ".join(texts(find_all(distance, "g", data_part="row")[0]))  # the row's label, rejoined
    bars = parse(rating_bars("b", [(text, {"none": 1})]))
    assert text in " ".join(texts(find_all(bars, "g", data_part="bar")[0]))  # the theme's label, rejoined


def test_ampersand_entity_is_shown_literally_not_decoded() -> None:
    root = parse(rating_bars("b", [("Tom &amp; Jerry", {"some": 1})]))
    assert "Tom &amp; Jerry" in texts(root)
    assert "Tom &amp;amp; Jerry" in str(rating_bars("b", [("Tom &amp; Jerry", {"some": 1})]))


def test_control_characters_are_dropped_so_the_xml_stays_valid() -> None:
    trend = parse(
        kpi_trend("t", "Rate\x00 one\x1b", "count", [("20\x0220", 1.0)], None, None, "higher_is_better")
    )
    assert "Rate one" in texts(trend) and "2020" in texts(trend)
    assert "".join(find_all(trend, "title")[0].itertext()) == "Rate one"
    distance = parse(distance_travelled("x", "Confidence", [("A\x07B\nC", 1.0, 2.0)], 5.0))
    assert "AB C" in texts(distance)
    bars = parse(rating_bars("b", [("Theme\x0b one\ufffe", {"some": 1})]))
    assert "Theme one" in texts(bars)
    assert "Theme one: Some 1 (total 1)" in "".join(find_all(bars, "desc")[0].itertext())


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_well_formed_svg(text: str) -> None:
    for markup in every_chart("p", text):
        parse(markup)


def test_ids_are_unique_per_prefix_and_references_resolve() -> None:
    charts = [
        rating_bars("bars", BAR_ROWS),
        rating_bars("bars-2", BAR_ROWS),
        kpi_trend(
            "kpi-1", "Rate", "percent", [("2019/20", 90.0)], ("2018/19", 55.0), 100.0, "higher_is_better"
        ),
        kpi_trend("kpi-2", "Rate", "count", [], None, None, "lower_is_better"),
        distance_travelled("dt-1", "Confidence", [("Risk", 2.0, 4.0)], 5.0),
        distance_travelled("dt-2", "Confidence", [], 5.0),
    ]
    page = ET.fromstring("<div>" + "".join(str(c) for c in charts) + "</div>")  # noqa: S314 (our own output)
    ids = [e.get("id") for e in page.iter() if e.get("id")]
    assert len(ids) == len(set(ids))
    for svg in page:
        own = set(by_id(svg))
        references = svg.get("aria-labelledby", "").split()
        references += [
            r for e in svg.iter() for v in e.attrib.values() for r in re.findall(r"url\(#([^)]*)\)", v)
        ]
        assert references and set(references) <= own
        if svg.get("data-chart") == "bars":  # the patterns are referenced, so the check above bites
            assert any("-p-" in r for r in references)


@pytest.mark.parametrize("prefix", ["", "1abc", "a b", 'x"y', "a<b", "a#b"])
def test_unsafe_id_prefix_is_refused(prefix: str) -> None:
    calls: list[Callable[[], Markup]] = [
        lambda: rating_bars(prefix, BAR_ROWS),
        lambda: rating_bars(prefix, []),
        lambda: kpi_trend(prefix, "K", "count", [("a", 1.0)], None, None, "higher_is_better"),
        lambda: kpi_trend(prefix, "K", "count", [], None, None, "higher_is_better"),
        lambda: distance_travelled(prefix, "D", [("a", 1.0, 2.0)], 5.0),
        lambda: distance_travelled(prefix, "D", [], 5.0),
    ]
    for call in calls:
        with pytest.raises(ValueError, match="id_prefix"):
            call()


# --- 1. the CSS of the HTML theme diagrams and key -------------------------------------------------


def css_rules(css: str) -> list[tuple[list[str], str]]:
    """Each rule of a flat style sheet as its selectors and its declarations."""
    return [(sel.split(", "), decl) for sel, decl in re.findall(r"^(.+?) \{ (.+?) \}$", css, re.MULTILINE)]


def test_diagram_css_gives_each_rating_its_fill_and_a_pattern_of_its_own_shape() -> None:
    css = diagram_css()
    rules = css_rules(css)
    assert len(rules) == len(css.strip().splitlines())  # nothing that is not a whole rule
    legend = find_all(parse(rating_bars("b", BAR_ROWS)), "g", data_part="legend-item")
    fills = {item.get("data-rating"): find_all(item, "rect")[0].get("fill") for item in legend}
    shapes = set()
    for code in RATING_CODES:
        assert re.fullmatch(r"#[0-9a-f]{6}", fills[code] or "")
        own = [decl for selectors, decl in rules if selectors == [f".diagram-{code}"]]
        assert len(own) == 1 and f"background-color: {fills[code]};" in own[0]  # the SVG charts' colour
        assert [d for s, d in rules if s == [f".key-{code}"]] == [f"background-color: {fills[code]};"]
        (band,) = [decl for selectors, decl in rules if f".diagram-{code} .diagram-band" in selectors]
        uri = re.fullmatch(r'background-image: url\("(data:image/svg\+xml,[A-Za-z0-9%._~-]+)"\);', band)
        assert uri, band  # fully percent-encoded, so nothing in it can end the url() or the rule
        tile = ET.fromstring(unquote(uri[1].removeprefix("data:image/svg+xml,")))  # noqa: S314 (our own)
        assert tile.tag == f"{SVG}svg"
        assert all(local(e) not in FORBIDDEN_TAGS and "href" not in " ".join(e.attrib) for e in tile.iter())
        shapes.add(shape(tile))
    assert len(shapes) == len(RATING_CODES)  # the patterns differ in shape, not only in colour


# --- 2. bars per theme -----------------------------------------------------------------------------


def test_bars_have_one_bar_per_theme_and_a_labelled_segment_per_nonzero_rating() -> None:
    root = parse(rating_bars("bars", BAR_ROWS))
    bars = find_all(root, "g", data_part="bar")
    assert len(bars) == 3
    assert [b.get("data-total") for b in bars] == ["7", "6", "0"]
    first = find_all(bars[0], "g", data_part="segment")
    assert [(s.get("data-rating"), s.get("data-count")) for s in first] == [
        ("strong", "2"),
        ("some", "3"),
        ("none", "1"),
        ("not_yet", "1"),
    ]
    for segment in first:
        fills = [e.get("fill") for e in segment.iter() if (e.get("fill") or "").startswith("url(")]
        assert fills == [f"url(#bars-p-{segment.get('data-rating')})"]
    assert texts(bars[0])[0] == "Identity and brand"
    assert sorted(texts(bars[0])[1:-1]) == ["1", "1", "2", "3"]
    assert texts(bars[0])[-1] == "7"
    assert find_all(bars[2], "g", data_part="segment") == []
    assert "No outcomes rated" in texts(bars[2])
    legend = find_all(root, "g", data_part="legend-item")
    assert [i.get("data-rating") for i in legend] == list(RATING_CODES)
    desc = "".join(find_all(root, "desc")[0].itertext())
    assert "Identity and brand: Strong 2, Some 3, None 1, Not yet 1 (total 7)" in desc


def test_bar_patterns_differ_in_shape_not_only_in_colour() -> None:
    patterns = find_all(parse(rating_bars("bars", BAR_ROWS)), "pattern")
    assert len(patterns) == len(RATING_CODES)
    assert len({shape(pattern) for pattern in patterns}) == len(RATING_CODES)


def test_bars_write_narrow_counts_beside_the_bar() -> None:
    root = parse(rating_bars("bars", [("Wide", {"strong": 60, "none": 1, "not_yet": 1})]))
    assert sorted(texts(find_all(root, "g", data_part="bar")[0])[1:]) == ["1", "1", "60", "62"]


def test_bars_refuse_unknown_codes_and_negative_counts() -> None:
    with pytest.raises(ValueError, match="unknown rating"):
        rating_bars("b", [("T", {"great": 1})])
    with pytest.raises(ValueError, match="negative"):
        rating_bars("b", [("T", {"some": -1})])


# --- 3. KPI trend ----------------------------------------------------------------------------------


def test_trend_shows_baseline_points_and_target_and_describes_them() -> None:
    root = parse(
        kpi_trend(
            "k",
            "Placements rated good",
            "percent",
            [("2019/20", 90.0)],
            ("2018/19", 55.0),
            100.0,
            "higher_is_better",
        )
    )
    desc = "".join(find_all(root, "desc")[0].itertext())
    assert desc == "Baseline 55% (2018/19); 2019/20: 90%; target 100% or higher. Higher is better."
    assert len(find_all(root, "rect", data_part="baseline")) == 1
    assert len(find_all(root, "circle", data_part="point")) == 1
    target = find_all(root, "path", data_part="target")
    assert len(target) == 1 and target[0].get("stroke-dasharray")
    lines = texts(root)
    for expected in (
        "Placements rated good",
        "55%",
        "90%",
        "target",
        "100% or higher",
        "baseline",
        "2018/19",
    ):
        assert expected in lines
    assert {"0%", "100%"} <= set(lines)


@pytest.mark.parametrize(
    ("unit", "value", "shown"),
    [
        ("percent", 55.0, "55%"),
        ("currency", 3.3, "£3.30"),
        ("count", 12345.0, "12,345"),
        ("score", 3.5, "3.5"),
        ("number", 1234.56, "1,234.56"),
    ],
)
def test_trend_formats_values_by_unit(unit: str, value: float, shown: str) -> None:
    root = parse(kpi_trend("k", "KPI", unit, [("2020/21", value)], None, None, "lower_is_better"))
    assert shown in texts(root)
    assert (
        "".join(find_all(root, "desc")[0].itertext()) == f"2020/21: {shown}; no target set. Lower is better."
    )


def test_percent_axis_runs_to_100_unless_values_exceed_it() -> None:
    root = parse(kpi_trend("k", "KPI", "percent", [("a", 120.0)], None, None, "higher_is_better"))
    ticks = [float(t[:-1]) for t in texts(root) if t.endswith("%") and t != "120%"]
    assert min(ticks) == 0 and max(ticks) >= 120


def test_trend_axis_includes_target_and_baseline() -> None:
    root = parse(kpi_trend("k", "KPI", "score", [("b", 3.5)], ("a", 3.0), 4.5, "higher_is_better"))
    numbers = [float(t) for t in texts(root) if re.fullmatch(r"[\d.]+", t)]
    assert min(numbers) <= 3.0 and max(numbers) >= 4.5


def test_trend_with_many_periods_keeps_every_value_in_the_description() -> None:
    points = [
        (f"Q{q} {y}", float(1000 + 100 * i))
        for i, (y, q) in enumerate((y, q) for y in range(2018, 2021) for q in range(1, 5))
    ]
    root = parse(
        kpi_trend("k", "Applications", "count", points, ("Q4 2017", 900.0), 2500.0, "higher_is_better")
    )
    desc = "".join(find_all(root, "desc")[0].itertext())
    assert all(f"{p}: {v:,.0f}" in desc for p, v in points)
    assert len(find_all(root, "circle", data_part="point")) == 12
    assert "baseline" in texts(root) and "Q4 2020" in texts(root)


def test_trend_without_data_says_no_data_yet() -> None:
    root = parse(kpi_trend("k", "Vacancy rate", "percent", [], None, 10.0, "lower_is_better"))
    assert texts(root) == ["Vacancy rate", "No data yet"]
    assert "".join(find_all(root, "desc")[0].itertext()) == "No data yet."
    assert find_all(root, "circle") == []


def test_trend_with_only_a_baseline_still_draws_it() -> None:
    root = parse(kpi_trend("k", "Score", "score", [], ("2018/19", 3.4), 4.0, "higher_is_better"))
    assert len(find_all(root, "rect", data_part="baseline")) == 1
    assert (
        "".join(find_all(root, "desc")[0].itertext())
        == "Baseline 3.4 (2018/19); target 4 or higher. Higher is better."
    )


def test_a_reported_baseline_period_is_drawn_once_as_the_baseline() -> None:
    """Values reported for the baseline's year too: that year is the baseline point, not a second one."""
    points = [("2018/19", 55.0), ("2019/20", 60.0), ("2020/21", 70.0)]
    root = parse(kpi_trend("k", "Rate", "percent", points, ("2018/19", 55.0), 100.0, "higher_is_better"))
    labels = texts(root)
    # the three periods, then the forecast's period ahead (three periods: there is a forecast)
    assert [label for label in labels if "/" in label] == ["2018/19", "2019/20", "2020/21", "2021/22"]
    assert labels.count("baseline") == 1
    assert len(find_all(root, "rect", data_part="baseline")) == 1
    assert len(find_all(root, "circle", data_part="point")) == 2
    assert "".join(find_all(root, "desc")[0].itertext()) == (
        "Baseline 55% (2018/19); 2019/20: 60%; 2020/21: 70%; Forecast (straight line through 3 periods): "
        "76.7% in 2021/22; target 100% or higher. Higher is better."
    )


@pytest.mark.parametrize(
    ("target", "target_text", "said"),
    [
        (20.0, None, "target 20% or lower"),
        (20.0, "20% or lower by 2020/21", "target 20% or lower by 2020/21"),
        (None, "\u22125% each period", "target \u22125% each period"),  # a change target: no level to draw
        (None, None, "no target set"),
    ],
)
def test_trend_describes_the_whole_target(target: float | None, target_text: str | None, said: str) -> None:
    root = parse(
        kpi_trend(
            "k",
            "Vacancy rate",
            "percent",
            [("2020", 22.0)],
            None,
            target,
            "lower_is_better",
            target_text=target_text,
        )
    )
    assert "".join(find_all(root, "desc")[0].itertext()) == f"2020: 22%; {said}. Lower is better."
    assert len(find_all(root, "path", data_part="target")) == (target is not None)


@pytest.mark.parametrize(
    "call",
    [
        lambda: kpi_trend("k", "K", "count", [("a", 1.0)], None, None, "sideways"),
        lambda: kpi_trend("k", "K", "count", [("a", float("nan"))], None, None, "higher_is_better"),
        lambda: distance_travelled("d", "D", [("a", 1.0, 2.0)], 0.0),
        lambda: distance_travelled("d", "D", [("a", float("inf"), 2.0)], 5.0),
        lambda: value_bars("v", "V", [Bar("a", -1.0, "-1")]),
        lambda: value_bars("v", "V", [Bar("a", float("nan"), "?")]),
        lambda: area_bars("a", "A", ["x"], [AreaRow("s", (AreaBar(float("nan"), "?"),))], Bands()),
        lambda: area_bars("a", "A", ["x"], [AreaRow("s", (AreaBar(101.0, "101"),))], Bands()),
        lambda: area_bars("a", "A", ["x", "y"], [AreaRow("s", (AreaBar(1.0, "1"),))], Bands()),
    ],
)
def test_nonsense_input_is_refused(call: Callable[[], Markup]) -> None:
    with pytest.raises(ValueError):
        call()


# --- 4. distance travelled -------------------------------------------------------------------------


def test_distance_travelled_draws_hollow_before_and_filled_after() -> None:
    rows = [("Assessing risk", 2.8, 4.1), ("Report writing", 3.5, 3.5), ("Court skills", 4.2, 3.7)]
    root = parse(distance_travelled("dt", "Confidence (1-5)", rows, 5.0))
    groups = find_all(root, "g", data_part="row")
    assert len(groups) == 3
    for group in groups:
        (before,) = find_all(group, "circle", data_part="before")
        (after,) = find_all(group, "circle", data_part="after")
        assert before.get("fill") == "#ffffff" and before.get("stroke")
        assert after.get("fill") != "#ffffff"
    assert texts(groups[0]) == ["Assessing risk", "2.8", "4.1"]
    assert texts(groups[1]) == ["Report writing", "3.5 (no change)"]
    assert float(find_all(groups[2], "circle", data_part="after")[0].get("cx", "0")) < float(
        find_all(groups[2], "circle", data_part="before")[0].get("cx", "0")
    )
    assert {"before", "after"} <= set(texts(find_all(root, "g", data_part="legend")[0]))
    desc = "".join(find_all(root, "desc")[0].itertext())
    assert desc == (
        "Before and after, on a scale of 0 to 5. Assessing risk: before 2.8, after 4.1 (up 1.3); "
        "Report writing: before 3.5, after 3.5 (no change); Court skills: before 4.2, after 3.7 (down 0.5)."
    )


def test_distance_labels_can_be_written_as_the_table_writes_them() -> None:
    """Survey scores are whole numbers in the table, so the chart beside it shows 75, never 74.83."""
    rows = [("Workload", 70.42, 74.83), ("Supervision", 80.5, 80.5)]
    root = parse(distance_travelled("dt", "Scores", rows, 100, value_text=formats.whole_number))
    groups = find_all(root, "g", data_part="row")
    assert texts(groups[0]) == ["Workload", "70", "75"]
    assert texts(groups[1]) == ["Supervision", "81 (no change)"]
    assert "".join(find_all(root, "desc")[0].itertext()) == (
        "Before and after, on a scale of 0 to 100. Workload: before 70, after 75 (up 4.4); "
        "Supervision: before 81, after 81 (no change)."
    )


# --- 5. sparkline ----------------------------------------------------------------------------------


def test_sparkline_draws_each_period_once_and_says_every_value() -> None:
    points = timeline([("2018/19", 55.0), ("2019/20", 60.0), ("2020/21", 70.0)], ("2018/19", 55.0))
    markup = kpi_sparkline("spark-k", "Rate", "percent", points, 100.0, "100% or higher")
    root = parse(markup)
    assert root.get("role") == "img" and root.get("data-chart") == "sparkline"
    (title,) = find_all(root, "title")
    assert root.get("aria-labelledby") == title.get("id") == "spark-k-title"
    assert "".join(title.itertext()) == (
        "Trend of Rate: baseline 55% (2018/19), 2019/20: 60%, 2020/21: 70%; target 100% or higher."
    )
    assert len(find_all(root, "rect", data_part="baseline")) == 1
    assert len(find_all(root, "circle", data_part="latest")) == 1
    assert len(find_all(root, "path", data_part="target")) == 1
    line = find_all(root, "path", data_part="line")[0].get("d", "")
    assert line.count("L") == 2  # three periods, three points
    assert texts(root) == []  # no words inside a word-sized picture: its title says it all


def test_sparkline_escapes_text_and_needs_two_periods() -> None:
    hostile = '<script>alert("x")</script> & co'
    points = ((hostile, 1.0, False), ("2020", 2.0, False))
    root = parse(kpi_sparkline("s", hostile, "count", points, None, None))
    assert "".join(find_all(root, "title")[0].itertext()).startswith(f"Trend of {hostile}: {hostile}: 1")
    assert "".join(find_all(root, "title")[0].itertext()).endswith("; no target set.")
    assert find_all(root, "path", data_part="target") == []
    for element in root.iter():
        assert not [v for v in element.attrib.values() if hostile in v]
    with pytest.raises(ValueError, match="two periods"):
        kpi_sparkline("s", "K", "count", (("2020", 1.0, False),), None, None)
    with pytest.raises(ValueError, match="id_prefix"):
        kpi_sparkline("1s", "K", "count", points, None, None)


def test_titles_can_be_left_to_the_page_but_stay_the_svg_title() -> None:
    charts = [
        kpi_trend(
            "k", "Vacancy rate", "percent", [("2020", 9.0)], None, 10.0, "lower_is_better", show_title=False
        ),
        distance_travelled("x", "Confidence", [("Risk", 2.0, 4.0)], 5.0, show_title=False),
    ]
    for markup, title in zip(charts, ("Vacancy rate", "Confidence"), strict=True):
        root = parse(markup)
        assert "".join(find_all(root, "title")[0].itertext()) == title
        assert title not in texts(root)


# --- 5. value bars (an event's attendance and ratings) --------------------------------------------------


def test_value_bars_draw_one_bar_per_row_on_one_scale_and_write_each_value() -> None:
    bars = [
        Bar("Keynote", 90.0, "90"),
        Bar("Panel", 30.0, "30"),
        Bar("The other 3 sessions, together", 450.0, "450", drawn=False),
    ]
    root = parse(value_bars("vb", "Attendance by session", bars, note="The rest are added up."))
    drawn = find_all(root, "g", data_part="bar")
    assert [g.get("data-value") for g in drawn] == ["90", "30"]
    widths = [float(find_all(g, "rect")[0].get("width", "0")) for g in drawn]
    assert widths[0] == pytest.approx(3 * widths[1], abs=0.2)
    assert widths[0] > 400  # the scale is the drawn bars', not the total's
    assert [texts(g) for g in drawn] == [["Keynote", "90"], ["Panel", "30"]]
    (total,) = find_all(root, "g", data_part="total")
    assert find_all(total, "rect") == []
    assert texts(total) == ["The other 3 sessions, together", "450 (not drawn)"]
    desc = "".join(by_id(root)["vb-desc"].itertext())
    assert desc == "Keynote: 90; Panel: 30; The other 3 sessions, together: 450. The rest are added up."


def test_value_bars_shorten_long_labels_but_describe_them_whole() -> None:
    long = "A session with a very long title that goes on and on about practice education " * 2
    root = parse(value_bars("vb", "T", [Bar(long, 1.0, "1")], show_title=False))
    label = texts(root)[0]
    assert label.endswith("\u2026") and len(label) < len(long.strip())
    assert long.strip() in "".join(by_id(root)["vb-desc"].itertext())
    assert "T" not in texts(root)
