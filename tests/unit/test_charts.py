"""The report's SVG charts: accessible structure, escaping of user text, nothing fetched, stable bytes."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from tracker.domain.rules import RATING_CODES, RATING_LABELS
from tracker.reports.charts import (
    RATING_SHORT_LABELS,
    DiagramOutcome,
    distance_travelled,
    kpi_trend,
    rating_bars,
    rating_diagram,
    rating_key,
)

SVG = "{http://www.w3.org/2000/svg}"
AS_OF = date(2020, 5, 31)
HOSTILE = ("<script>alert(1)</script>", "<img src=file:///etc/passwd>", "&amp;", "\"quoted\" & 'single'")
FORBIDDEN_TAGS = {"script", "image", "img", "foreignObject", "iframe", "a", "use", "style", "object", "embed"}
ELLIPSIS = "\u2026"

OUTCOMES = [
    DiagramOutcome("o1", "Well-known and strong presence in the region", "strong", False),
    DiagramOutcome("o2", "Group of stakeholders who are motivated to be involved", "some", True),
    DiagramOutcome("o3", "Strong working relationships between stakeholders", "insufficient", False),
    DiagramOutcome("o4", "Fewer vacancies in children's services", "none", False),
    DiagramOutcome("o5", "Graduates stay in the region's agencies", "not_yet", True),
]
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


def every_chart(prefix: str = "c", text: str = "Text") -> Iterator[Markup]:
    """One of each chart (and each empty state), with `text` in every text argument."""
    outcomes = [DiagramOutcome(text, text, code, i % 2 == 0) for i, code in enumerate(RATING_CODES)]
    yield rating_diagram(f"{prefix}-d", text, outcomes, AS_OF)
    yield rating_diagram(f"{prefix}-e", text, [], AS_OF)
    yield rating_key(f"{prefix}-k")
    yield rating_bars(f"{prefix}-b", [(text, {"strong": 1, "none": 2}), ("Other", {})])
    yield rating_bars(f"{prefix}-b0", [])
    yield kpi_trend(f"{prefix}-t", text, "percent", [(text, 90.0)], (text, 55.0), 100.0, "higher_is_better")
    yield kpi_trend(f"{prefix}-t0", text, "count", [], None, None, "lower_is_better")
    yield distance_travelled(f"{prefix}-x", text, [(text, 2.5, 4.0), ("Other", 4.0, 3.0)], 5.0)
    yield distance_travelled(f"{prefix}-x0", text, [], 5.0)


# --- what every chart shares -----------------------------------------------------------------------


@pytest.mark.parametrize("index", range(9))
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
        if find_all(root, "title")[0].get("id") in ("h-k-title", "h-b0-title"):
            continue  # the key and the empty bar chart take no text
        alternative = "".join(find_all(root, "title")[0].itertext()) + "".join(
            find_all(root, "desc")[0].itertext()
        )
        assert text in alternative
    diagram = parse(rating_diagram("d", hostile, [DiagramOutcome(hostile, text, "none", True)], AS_OF))
    assert hostile in texts(diagram)  # the visible title
    assert text in " ".join(texts(diagram))  # the box's lines, joined where they wrapped
    group = find_all(diagram, "g", data_part="outcome")[0]
    assert group.get("data-outcome") is None  # only slug ids are put in an attribute


def test_ampersand_entity_is_shown_literally_not_decoded() -> None:
    root = parse(rating_bars("b", [("Tom &amp; Jerry", {"some": 1})]))
    assert "Tom &amp; Jerry" in texts(root)
    assert "Tom &amp;amp; Jerry" in str(rating_bars("b", [("Tom &amp; Jerry", {"some": 1})]))


def test_control_characters_are_dropped_so_the_xml_stays_valid() -> None:
    root = parse(
        rating_diagram("d", "Theme\x00 one\x1b", [DiagramOutcome("o", "A\x07B\nC", "some", False)], AS_OF)
    )
    assert "Theme one" in texts(root)
    assert "AB C" in texts(root)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200))
def test_any_text_gives_well_formed_svg(text: str) -> None:
    for markup in every_chart("p", text):
        parse(markup)


def test_ids_are_unique_per_prefix_and_references_resolve() -> None:
    charts = [
        rating_diagram("theme-1", "Theme 1", OUTCOMES, AS_OF),
        rating_diagram("theme-2", "Theme 2", OUTCOMES, AS_OF),
        rating_key("key"),
        rating_bars("bars", BAR_ROWS),
        kpi_trend(
            "kpi-1", "Rate", "percent", [("2019/20", 90.0)], ("2018/19", 55.0), 100.0, "higher_is_better"
        ),
        distance_travelled("dt-1", "Confidence", [("Risk", 2.0, 4.0)], 5.0),
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


@pytest.mark.parametrize("prefix", ["", "1abc", "a b", 'x"y', "a<b", "a#b"])
def test_unsafe_id_prefix_is_refused(prefix: str) -> None:
    with pytest.raises(ValueError, match="id_prefix"):
        rating_key(prefix)


# --- 1. the visual progress diagram ----------------------------------------------------------------


def test_diagram_has_one_patterned_box_per_outcome_with_its_label() -> None:
    root = parse(rating_diagram("t1", "Theme 1: Identity & brand", OUTCOMES, AS_OF))
    assert texts(root)[0] == "Theme 1: Identity & brand"
    groups = find_all(root, "g", data_part="outcome")
    assert [g.get("data-outcome") for g in groups] == [o.id for o in OUTCOMES]
    patterns = {p.get("id") for p in find_all(root, "pattern")}
    assert patterns == {f"t1-p-{code}" for code in RATING_CODES}
    for group, outcome in zip(groups, OUTCOMES, strict=True):
        assert group.get("data-rating") == outcome.rating
        fills = [e.get("fill") for e in group.iter() if (e.get("fill") or "").startswith("url(")]
        assert fills == [f"url(#t1-p-{outcome.rating})"]
        lines = texts(group)
        assert " ".join(lines[:-2] if outcome.overridden else lines[:-1]) == outcome.text
        assert any(line.endswith(RATING_SHORT_LABELS[outcome.rating]) for line in lines)
        assert ("override" in lines) is outcome.overridden
    assert "Reflects evidence to 31 May 2020." in texts(root)
    desc = "".join(find_all(root, "desc")[0].itertext())
    assert desc.startswith(
        "5 outcomes. Well-known and strong presence in the region: " + RATING_LABELS["strong"]
    )
    assert "(evaluator override)" in desc and desc.endswith("Reflects evidence to 31 May 2020.")


@pytest.mark.parametrize(("count", "columns"), [(1, 2), (2, 2), (3, 3), (4, 2), (5, 3), (9, 3)])
def test_diagram_grid_has_two_or_three_columns(count: int, columns: int) -> None:
    outcomes = [DiagramOutcome(f"o{i}", f"Outcome {i}", "some", False) for i in range(count)]
    root = parse(rating_diagram("d", "Theme", outcomes, AS_OF))
    xs = {find_all(g, "rect")[0].get("x") for g in find_all(root, "g", data_part="outcome")}
    assert len(xs) == min(columns, count)


def test_long_outcome_text_is_wrapped_and_truncated_with_the_full_text_kept() -> None:
    long_text = (
        "Students graduating from Kingston University seek work within the Partnership's agencies " * 4
    )
    root = parse(
        rating_diagram("d", "Theme", [*OUTCOMES[:2], DiagramOutcome("o9", long_text, "some", False)], AS_OF)
    )
    group = find_all(root, "g", data_part="outcome")[2]
    lines = [t for t in group.iter(f"{SVG}text") if t.get("fill") == "#0b0c0c"]
    assert len(lines) == 4
    assert "".join(lines[-1].itertext()).endswith(ELLIPSIS)
    assert all(len("".join(line.itertext())) < 45 for line in lines)
    assert " ".join(long_text.split()) == "".join(find_all(group, "title")[0].itertext())
    assert " ".join(long_text.split()) in "".join(find_all(root, "desc")[0].itertext())


def test_a_single_unbreakable_word_is_broken_rather_than_overflowing() -> None:
    root = parse(rating_diagram("d", "Theme", [DiagramOutcome("o", "x" * 300, "strong", False)], AS_OF))
    group = find_all(root, "g", data_part="outcome")[0]
    lines = [t for t in group.iter(f"{SVG}text") if t.get("fill") == "#ffffff"]
    assert len(lines) == 4 and "".join(lines[-1].itertext()).endswith(ELLIPSIS)


def test_diagram_without_outcomes_says_so() -> None:
    root = parse(rating_diagram("d", "Theme 4", [], AS_OF))
    assert "No outcomes in this theme yet." in texts(root)
    assert "Reflects evidence to 31 May 2020." in texts(root)


def test_diagram_rejects_an_unknown_rating() -> None:
    with pytest.raises(ValueError, match="unknown rating"):
        rating_diagram("d", "Theme", [DiagramOutcome("o", "x", "excellent", False)], AS_OF)


# --- 2. the key ------------------------------------------------------------------------------------


def test_key_shows_every_rating_with_its_pattern_and_full_label() -> None:
    root = parse(rating_key("key"))
    items = find_all(root, "g", data_part="key-item")
    assert [i.get("data-rating") for i in items] == list(RATING_CODES)
    for item, code in zip(items, RATING_CODES, strict=True):
        assert RATING_LABELS[code] in texts(item)
        assert any(line.endswith(RATING_SHORT_LABELS[code]) for line in texts(item))
        assert [e.get("fill") for e in item.iter() if (e.get("fill") or "").startswith("url(")] == [
            f"url(#key-p-{code})"
        ]


def test_patterns_differ_in_shape_not_only_in_colour() -> None:
    root = parse(rating_key("key"))
    shapes = set()
    for pattern in find_all(root, "pattern"):
        marks = [
            (local(e), sorted((k, v) for k, v in e.attrib.items() if k not in ("fill", "stroke")))
            for e in pattern.iter()
        ]
        shapes.add(repr(marks[1:]))
    assert len(shapes) == len(RATING_CODES)


# --- 3. bars per theme -----------------------------------------------------------------------------


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


def test_bars_write_narrow_counts_beside_the_bar() -> None:
    root = parse(rating_bars("bars", [("Wide", {"strong": 60, "none": 1, "not_yet": 1})]))
    assert sorted(texts(find_all(root, "g", data_part="bar")[0])[1:]) == ["1", "1", "60", "62"]


def test_bars_refuse_unknown_codes_and_negative_counts() -> None:
    with pytest.raises(ValueError, match="unknown rating"):
        rating_bars("b", [("T", {"great": 1})])
    with pytest.raises(ValueError, match="negative"):
        rating_bars("b", [("T", {"some": -1})])


# --- 4. KPI trend ----------------------------------------------------------------------------------


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
    assert desc == "Baseline 55% (2018/19); 2019/20: 90%; target 100%. Higher is better."
    assert len(find_all(root, "rect", data_part="baseline")) == 1
    assert len(find_all(root, "circle", data_part="point")) == 1
    target = find_all(root, "path", data_part="target")
    assert len(target) == 1 and target[0].get("stroke-dasharray")
    lines = texts(root)
    for expected in ("Placements rated good", "55%", "90%", "target 100%", "baseline", "2018/19", "2019/20"):
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
        "".join(find_all(root, "desc")[0].itertext()) == "Baseline 3.4 (2018/19); target 4. Higher is better."
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda: kpi_trend("k", "K", "count", [("a", 1.0)], None, None, "sideways"),
        lambda: kpi_trend("k", "K", "count", [("a", float("nan"))], None, None, "higher_is_better"),
        lambda: distance_travelled("d", "D", [("a", 1.0, 2.0)], 0.0),
        lambda: distance_travelled("d", "D", [("a", float("inf"), 2.0)], 5.0),
    ],
)
def test_nonsense_input_is_refused(call: Callable[[], Markup]) -> None:
    with pytest.raises(ValueError):
        call()


# --- 5. distance travelled -------------------------------------------------------------------------


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


def test_titles_can_be_left_to_the_page_but_stay_the_svg_title() -> None:
    charts = [
        rating_diagram("d", "Theme 1: Identity", OUTCOMES, AS_OF, show_title=False),
        kpi_trend(
            "k", "Vacancy rate", "percent", [("2020", 9.0)], None, 10.0, "lower_is_better", show_title=False
        ),
        distance_travelled("x", "Confidence", [("Risk", 2.0, 4.0)], 5.0, show_title=False),
    ]
    for markup, title in zip(charts, ("Theme 1: Identity", "Vacancy rate", "Confidence"), strict=True):
        root = parse(markup)
        assert "".join(find_all(root, "title")[0].itertext()) == title
        assert title not in texts(root)
