"""The audit trail's words: every action code the tracker writes has them, and changes read as a person says them."""

from __future__ import annotations

import ast
from pathlib import Path

from tracker.services.audit_words import ACTION_LABELS, Names, action_label, changes, clip
from tracker.services.permissions import TRANSITIONS

TRACKER = Path(__file__).resolve().parents[2] / "tracker"


def recorded_actions() -> set[str]:
    """Action codes in the code: record(session, actor, ACTION, ...), record_apart(engine, actor, ACTION, ...),
    the overrides' _replace(..., ACTION), and "action": ... in rows written in bulk; status moves by TRANSITIONS."""
    found: set[str] = {f"evidence.{to}" for _from, to in TRANSITIONS}
    for path in TRACKER.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", getattr(node.func, "attr", ""))
                if name in {"record", "record_apart"} and len(node.args) > 2:
                    argument = node.args[2]
                elif name == "_replace" and node.args:
                    argument = node.args[-1]
                else:
                    continue
                if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                    found.add(argument.value)
            elif isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    if (
                        isinstance(key, ast.Constant)
                        and key.value == "action"
                        and isinstance(value, ast.Constant)
                    ):
                        found.add(str(value.value))
    return found


def test_every_action_the_tracker_records_has_words() -> None:
    found = recorded_actions()
    assert len(found) >= 20, found  # the scan still finds the calls
    assert found - set(ACTION_LABELS) == set(), "add words for these codes to ACTION_LABELS"
    assert set(ACTION_LABELS) - found == set(), "these codes are no longer recorded"


def test_an_unknown_code_is_shown_as_it_is() -> None:
    assert action_label("evidence.accepted") == "Accepted evidence"
    assert action_label("something.new") == "something.new"


def test_changes_name_the_fields_that_differ_in_words() -> None:
    names = Names({(1, "o-1"): "More students pass", (1, "o-2"): "Fewer leave"}, {"north": "North Council"})
    before = {
        "status": "submitted",
        "source_type": "survey",
        "links": ["o-1"],
        "partner": "north",
        "sha256": "a",
    }
    after = {
        "status": "accepted",
        "source_type": "focus_group",
        "links": ["o-1", "o-2"],
        "partner": "north",
        "sha256": "b",
    }
    assert changes(before, after, names, 1) == [
        "Status: Submitted → Accepted",
        "Type: Survey → Focus group",
        "Bears on: More students pass → More students pass; Fewer leave",
    ]
    assert changes({"title": "A"}, {"title": "A"}, names) == ["Nothing changed"]
    assert changes(None, {"title": "", "collected_on": "2020-05-31", "independent": False}, names) == [
        "Collected on: 31 May 2020",
        "Independent: no",
    ]


def test_long_values_and_many_fields_are_cut() -> None:
    long = "word " * 40
    (line,) = changes({"summary": "short"}, {"summary": long}, Names())
    assert line.startswith("Summary: short → word word") and line.endswith("…") and len(line) < 90
    assert clip("a  b\nc") == "a b c"
    many = changes(None, {f"f{n}": "x" for n in range(7)}, Names())
    assert many[-1] == "… and 3 more fields" and len(many) == 5


def test_what_an_item_answers_and_its_kpi_read_in_words() -> None:
    names = Names({(1, "k-1"): "Share of placements that are statutory"})
    assert changes({"shows": "", "kpi": ""}, {"shows": "better_off", "kpi": "k-1"}, names, 1) == [
        "What it answers: (blank) → Is anyone better off?",
        "KPI: (blank) → Share of placements that are statutory",
    ]
    assert changes({"shows": "how_much"}, {"shows": "how_well"}, names, 1) == [
        "What it answers: How much did we do? → How well did we do it?"
    ]
    assert changes(None, {"finding": "too_early", "shows": "", "kpi": ""}, names) == [
        "Finding: Too early to measure the effect"
    ]
