"""The logic model's SVG: one accessible picture per theme, every box labelled by its status in words and a
symbol (never colour alone), an arrow for each declared link between drawn boxes, and a cap that says so."""

from __future__ import annotations

import dataclasses
import xml.etree.ElementTree as ET

import pytest
from markupsafe import Markup

from tracker.domain.logic_model import Box, Group, LogicModel, ThemeModel, logic_model
from tracker.reports import logic_model_blocks
from tracker.reports.charts.logic_model import logic_model_chart

from .test_logic_model import KPIS, RATINGS, framework

SVG = "{http://www.w3.org/2000/svg}"


def model() -> LogicModel:
    return logic_model(framework(), RATINGS, KPIS)


def parse(markup: Markup) -> ET.Element:
    assert isinstance(markup, Markup)
    return ET.fromstring(str(markup))  # noqa: S314 (our own output)


def texts(element: ET.Element) -> list[str]:
    return [t.text or "" for t in element.iter(f"{SVG}text")]


def boxes(root: ET.Element) -> dict[str, tuple[str, list[str]]]:
    """Each drawn box: its status and its texts (ref, lines, then the pill's words)."""
    return {
        g.attrib["data-box"]: (g.attrib["data-status"], texts(g))
        for g in root.iter(f"{SVG}g")
        if "data-box" in g.attrib
    }


def links(root: ET.Element) -> list[tuple[str, str]]:
    found = [p.attrib["data-link"].split(" ") for p in root.iter(f"{SVG}path") if "data-link" in p.attrib]
    return [(a, b) for a, b in found]


def test_the_picture_is_an_accessible_svg_that_names_its_theme_and_describes_itself() -> None:
    root = parse(logic_model_chart("lm-1", model().themes[0]))
    assert root.attrib["role"] == "img" and root.attrib["data-chart"] == "logic-model"
    assert root.attrib["aria-labelledby"] == "lm-1-title lm-1-desc"
    assert root.find(f"{SVG}title").text == "Logic model of theme 1: Practice"  # type: ignore[union-attr]
    desc = root.find(f"{SVG}desc").text or ""  # type: ignore[union-attr]
    assert desc.startswith("From left to right: 2 aims, 3 activities, 2 outputs and 3 outcomes.")
    assert "Outcomes: 1 strong, 1 insufficient, 1 not yet." in desc
    assert "Outputs: 1 some met, 1 no KPI." in desc
    assert "5 arrows join aims to the activities and outcomes that serve them." in desc
    headings = [t for t in root.iter(f"{SVG}text") if t.attrib.get("font-size") == "13"]
    assert [(h.text, float(h.attrib["x"])) for h in headings] == sorted(
        [(h.text, float(h.attrib["x"])) for h in headings], key=lambda pair: pair[1]
    )
    assert [h.text for h in headings] == ["Aims", "Activities", "Outputs", "Outcomes"]  # left to right


@pytest.mark.parametrize(
    ("box_id", "status", "pill"),
    [
        ("aim-ready", "", None),
        ("act-cpd", "", None),
        ("out-days", "progress", "◐ Some met"),
        ("out-none", "unmeasured", "○ No KPI"),
        ("oc-short", "strong", "●● Strong"),
        ("oc-short-2", "insufficient", "? Insufficient"),
        ("oc-long", "not_yet", "\u2026 Not yet"),
    ],
)
def test_each_box_shows_its_ref_its_text_and_its_status_in_words(
    box_id: str, status: str, pill: str | None
) -> None:
    theme = model().themes[0]
    drawn = boxes(parse(logic_model_chart("lm-1", theme)))
    box = next(b for b in theme.boxes() if b.id == box_id)
    shown_status, words = drawn[box_id]
    assert shown_status == status
    assert words[0] == box.ref and words[1] == box.text  # short texts are whole
    assert (words[-1] if pill else None) == pill


def test_outcome_bands_carry_the_ratings_pattern_not_colour_alone() -> None:
    root = parse(logic_model_chart("lm-1", model().themes[0]))
    patterns = {p.attrib["id"] for p in root.iter(f"{SVG}pattern")}
    assert patterns == {"lm-1-p-strong", "lm-1-p-insufficient", "lm-1-p-not_yet"}
    strong = next(g for g in root.iter(f"{SVG}g") if g.attrib.get("data-box") == "oc-short")
    assert any(r.attrib.get("fill") == "url(#lm-1-p-strong)" for r in strong.iter(f"{SVG}rect"))


def test_an_arrow_for_each_declared_link_whose_two_boxes_are_drawn() -> None:
    practice, brand = model().themes
    assert links(parse(logic_model_chart("lm-1", practice))) == [
        ("aim-ready", "act-days"),
        ("aim-ready", "act-cpd"),
        ("aim-stay", "act-cpd"),
        ("aim-stay", "oc-long"),
        ("aim-ready", "oc-short"),
        # brand-aim -> oc-short is not drawn here: the aim is in theme 2 (the list names it)
    ]
    assert links(parse(logic_model_chart("lm-2", brand))) == [("brand-aim", "known")]


def test_a_long_text_is_wrapped_to_the_lines_allowed_and_ends_in_an_ellipsis() -> None:
    theme = model().themes[0]
    long = dataclasses.replace(next(theme.boxes()), text="A very long aim " * 20)
    aims = dataclasses.replace(theme.columns[0], groups=(Group("all", "", (long,)),))
    theme = dataclasses.replace(theme, columns=(aims, *theme.columns[1:]))
    for lines in (1, 3, 5):
        _status, words = boxes(parse(logic_model_chart("lm-1", theme, max_lines=lines)))["aim-ready"]
        assert len(words) == 1 + lines and words[-1].endswith("\u2026")
    _status, words = boxes(parse(logic_model_chart("lm-1", theme, max_lines=0)))["aim-ready"]
    assert words == ["Aim 1"]  # the ref alone: the list beside it has the words


def _crowded(count: int) -> ThemeModel:
    theme = model().themes[0]
    many = tuple(
        Box(f"act-{i}", "activity", f"Activity {i}", f"Activity number {i}") for i in range(1, count + 1)
    )
    activities = dataclasses.replace(theme.columns[1], groups=(Group("all", "", many),))
    return dataclasses.replace(theme, columns=(theme.columns[0], activities, *theme.columns[2:]))


def test_a_column_over_the_cap_draws_the_first_boxes_and_says_how_many_more() -> None:
    capped = parse(logic_model_chart("lm-1", _crowded(30), max_boxes=12))
    drawn = [b for b in boxes(capped) if b.startswith("act-")]
    assert drawn == [f"act-{i}" for i in range(1, 12)]
    assert "And 19 more (listed below)" in texts(capped)
    assert "Activities: 19 more than drawn." in (capped.find(f"{SVG}desc").text or "")  # type: ignore[union-attr]
    whole = parse(logic_model_chart("lm-1", _crowded(30)))  # the page: the column grows
    assert len([b for b in boxes(whole) if b.startswith("act-")]) == 30
    assert float(whole.attrib["viewBox"].split()[3]) > 2 * float(capped.attrib["viewBox"].split()[3])


def test_the_report_caps_its_drawings_and_the_page_draws_every_box() -> None:
    crowded = LogicModel("lm-test", "Logic model test", (_crowded(30),))
    report = parse(logic_model_blocks.charts(crowded, for_report=True)["practice"])
    page = parse(logic_model_blocks.charts(crowded, for_report=False)["practice"])
    assert len([b for b in boxes(report) if b.startswith("act-")]) == logic_model_blocks.REPORT_MAX_BOXES - 1
    assert len([b for b in boxes(page) if b.startswith("act-")]) == 30


def test_an_empty_column_says_none() -> None:
    brand = model().themes[1]
    assert texts(parse(logic_model_chart("lm-2", brand))).count("None") == 2  # no activities, no outputs


def test_hostile_text_is_escaped_and_the_picture_is_deterministic() -> None:
    theme = model().themes[0]
    hostile = dataclasses.replace(next(theme.boxes()), text="<script>alert(1)</script> & \x07")
    aims = dataclasses.replace(theme.columns[0], groups=(Group("all", "", (hostile,)),))
    theme = dataclasses.replace(theme, columns=(aims, *theme.columns[1:]))
    markup = logic_model_chart("lm-1", theme)
    assert "<script>" not in markup and "&lt;script&gt;" in markup
    root = parse(markup)
    assert boxes(root)["aim-ready"][1][1] == "<script>alert(1)</script> &"
    assert {e.tag.removeprefix(SVG) for e in root.iter()} <= {"svg", "title", "desc", "defs", "pattern", "g", "path",
                                                              "circle", "rect", "text"}  # fmt: skip
    assert logic_model_chart("lm-1", theme) == markup


@pytest.mark.parametrize("kwargs", [{"max_lines": -1}, {"max_boxes": 1}])
def test_nonsense_limits_are_refused(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="a logic model draws"):
        logic_model_chart("lm-1", model().themes[0], **kwargs)


def test_the_title_can_be_drawn_or_left_to_the_page() -> None:
    theme = model().themes[0]
    assert texts(parse(logic_model_chart("lm-1", theme, show_title=True)))[0] == "Theme 1: Practice"
    assert "Theme 1: Practice" not in texts(parse(logic_model_chart("lm-1", theme)))
