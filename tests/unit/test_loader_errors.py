"""Every kind of framework error is reported as FILE:LINE:COL naming the key, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker.domain.loader import load_framework_file, parse_framework, parse_framework_bytes

BASE = """\
id: demo
title: Demo partnership
version: 1
period: {start: 2022-04-01, end: 2023-03-31}
themes:
  - id: t1
    title: Theme one
    aims:
      - {id: aim-a, text: Aim A}
    activities:
      - {id: act-a, text: Do things, aims: [aim-a]}
    outcomes:
      - {id: oc-a, text: Outcome A, quadrant: effect-quantity, term: short, kpis: [kpi-a]}
    kpis:
      - {id: kpi-a, name: KPI A, unit: percent, direction: higher_is_better}
"""


def with_line(number: int, new: str) -> str:
    """BASE with line `number` (1-based) replaced."""
    lines = BASE.splitlines()
    lines[number - 1] = new
    return "\n".join(lines) + "\n"


def test_base_is_valid() -> None:
    result = parse_framework(BASE, "f.yaml")
    assert result.ok, [str(p) for p in result.problems]


CASES = [
    # (name, text, line, column, words the message must contain)
    ("yaml syntax", with_line(4, "period: {start: 2022-04-01, end: 2023-03-31"), 5, 7, ["YAML syntax error"]),
    ("bad indentation", with_line(7, "   title: Theme one"), 7, 4, ["YAML syntax error"]),
    ("unknown root key", BASE + "colour: blue\n", 16, 1, ["colour", "unknown key"]),
    (
        "unknown nested key",
        with_line(7, "    title: Theme one\n    colour: blue"),
        8,
        5,
        ["themes[0].colour", "unknown key"],
    ),
    ("typo suggests key", with_line(2, "titel: Demo partnership"), 2, 1, ["titel", "did you mean 'title'"]),
    ("missing required root key", with_line(2, "# no title"), 1, 1, ["missing required key 'title'"]),
    (
        "missing required nested key",
        with_line(15, "      - {id: kpi-a, name: KPI A, unit: percent}"),
        15,
        9,
        ["themes[0].kpis[0]", "'direction'"],
    ),
    ("wrong type: version", with_line(3, "version: one"), 3, 10, ["version", "whole number"]),
    ("wrong type: version below 1", with_line(3, "version: 0"), 3, 10, ["version", "at least 1"]),
    (
        "wrong type: title is a list",
        with_line(2, "title: [a, b]"),
        2,
        8,
        ["title", "expected a single value"],
    ),
    (
        "wrong type: text needs quotes",
        with_line(2, "title: 2020"),
        2,
        8,
        ["title", "expected text", "quotes"],
    ),
    (
        "wrong type: themes is a mapping",
        with_line(5, "themes: {a: 1}").split("  - id: t1")[0],
        5,
        9,
        ["themes", "expected a list"],
    ),
    (
        "bad date: impossible",
        with_line(4, "period: {start: 2022-02-30, end: 2023-03-31}"),
        4,
        17,
        ["period.start", "not a real date"],
    ),
    (
        "bad date: format",
        with_line(4, "period: {start: 01/04/2022, end: 2023-03-31}"),
        4,
        17,
        ["period.start", "YYYY-MM-DD"],
    ),
    (
        "bad date: has a time",
        with_line(4, "period: {start: 2022-04-01 10:00:00, end: 2023-03-31}"),
        4,
        17,
        ["period.start", "without a time"],
    ),
    (
        "period ends before it starts",
        with_line(4, "period: {start: 2022-04-01, end: 2021-03-31}"),
        4,
        34,
        ["period.end", "before it starts"],
    ),
    ("id not a slug", with_line(6, "  - id: Theme_One"), 6, 9, ["themes[0].id", "not a valid id"]),
    (
        "id not unique",
        with_line(9, "      - {id: t1, text: Aim A}"),
        9,
        14,
        ["themes[0].aims[0].id", "already used", "line 6"],
    ),
    ("framework id not a slug", with_line(1, "id: Demo Partnership"), 1, 5, ["id", "not a valid id"]),
    (
        "dangling outcome kpi",
        with_line(
            13, "      - {id: oc-a, text: Outcome A, quadrant: effect-quantity, term: short, kpis: [kpi-b]}"
        ),
        13,
        84,
        ["themes[0].outcomes[0].kpis[0]", "unknown KPI 'kpi-b'"],
    ),
    (
        "reference of the wrong kind",
        with_line(
            13, "      - {id: oc-a, text: Outcome A, quadrant: effect-quantity, term: short, kpis: [aim-a]}"
        ),
        13,
        84,
        ["kpis[0]", "'aim-a' is an aim, not a KPI"],
    ),
    (
        "dangling activity aim",
        with_line(11, "      - {id: act-a, text: Do things, aims: [aim-z]}"),
        11,
        45,
        ["themes[0].activities[0].aims[0]", "unknown aim 'aim-z'"],
    ),
    (
        "unknown quadrant",
        with_line(
            13, "      - {id: oc-a, text: Outcome A, quadrant: effect-size, term: short, kpis: [kpi-a]}"
        ),
        13,
        47,
        ["themes[0].outcomes[0].quadrant", "unknown quadrant 'effect-size'"],
    ),
    (
        "unknown term",
        with_line(
            13, "      - {id: oc-a, text: Outcome A, quadrant: effect-quantity, term: soon, kpis: [kpi-a]}"
        ),
        13,
        70,
        ["outcomes[0].term", "unknown term 'soon'"],
    ),
    (
        "unknown outcome kind",
        with_line(
            13,
            "      - {id: oc-a, text: Outcome A, quadrant: effect-quantity, term: short, kind: product}",
        ),
        13,
        83,
        ["themes[0].outcomes[0].kind", "unknown outcome kind 'product'", "change, deliverable"],
    ),
    (
        "unknown KPI shows",
        with_line(
            15, "      - {id: kpi-a, name: KPI A, unit: percent, direction: higher_is_better, shows: effect}"
        ),
        15,
        85,
        ["kpis[0].shows", "unknown 'shows' value 'effect'", "how_much, how_well, better_off"],
    ),
    (
        "unknown unit",
        with_line(15, "      - {id: kpi-a, name: KPI A, unit: percentage, direction: higher_is_better}"),
        15,
        40,
        ["kpis[0].unit", "unknown unit 'percentage'"],
    ),
    (
        "unknown direction",
        with_line(15, "      - {id: kpi-a, name: KPI A, unit: percent, direction: up}"),
        15,
        60,
        ["kpis[0].direction", "unknown direction 'up'"],
    ),
    (
        "long-term outcome without expected_by",
        with_line(13, "      - {id: oc-a, text: Outcome A, quadrant: effect-quantity, term: long}"),
        13,
        9,
        ["outcomes[0]", "expected_by"],
    ),
    (
        "target with both value and change",
        with_line(
            15,
            "      - {id: kpi-a, name: KPI A, unit: percent, direction: higher_is_better, target: {value: 5, change: 5}}",
        ),
        15,
        86,
        ["kpis[0].target", "either 'value'"],
    ),
    (
        "duplicate key",
        with_line(2, "title: Demo partnership\ntitle: Again"),
        3,
        1,
        ["duplicate key 'title'", "line 2"],
    ),
    ("anchor refused", with_line(2, "title: &t Demo partnership"), 2, 8, ["anchors"]),
    (
        "alias refused",
        BASE.replace("text: Aim A", "text: &a Aim A").replace("text: Do things", "text: *a"),
        9,
        27,
        ["anchors"],
    ),
    ("root not a mapping", "- just\n- a list\n", 1, 1, ["expected a mapping"]),
    ("empty file", "", 1, 1, ["empty"]),
]


@pytest.mark.parametrize(("name", "text", "line", "column", "words"), CASES, ids=[c[0] for c in CASES])
def test_each_error_is_located(name: str, text: str, line: int, column: int, words: list[str]) -> None:
    result = parse_framework(text, "broken.yaml")
    assert result.framework is None
    rendered = [str(p) for p in result.problems]
    matching = [p for p in result.problems if p.line == line and p.column == column]
    assert matching, f"no problem at {line}:{column}; got {rendered}"
    message = str(matching[0])
    assert message.startswith(f"broken.yaml:{line}:{column}: ")
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"


def test_every_problem_is_reported_not_only_the_first() -> None:
    text = BASE.replace("title: Theme one", "title: Theme one\n    colour: red").replace(
        "unit: percent", "unit: pct"
    )
    text = text.replace("version: 1", "version: x")
    result = parse_framework(text, "f.yaml")
    keys = sorted(p.message.split(":")[0] for p in result.problems)
    assert keys == ["themes[0].colour", "themes[0].kpis[0].unit", "version"]
    assert [(p.line, p.column) for p in result.problems] == sorted(
        (p.line, p.column) for p in result.problems
    )


def test_alias_bomb_is_refused_quickly() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(20)
    )
    result = parse_framework(bomb, "bomb.yaml")
    assert result.framework is None
    assert result.problems[0].line == 1 and "anchors" in result.problems[0].message


def test_deep_nesting_is_refused() -> None:
    deep = "id: " + "[" * 200 + "]" * 200 + "\n"
    result = parse_framework(deep, "deep.yaml")
    assert result.framework is None and "nesting deeper" in str(result.problems[0])


def test_missing_file(tmp_path: Path) -> None:
    result = load_framework_file(tmp_path / "nope.yaml", "nope.yaml")
    assert [str(p) for p in result.problems] == ["nope.yaml:1:1: no such file"]


def test_file_over_one_megabyte_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text(BASE + "#" * 1_000_001, encoding="utf-8")
    result = load_framework_file(big, "big.yaml")
    assert result.framework is None
    assert "limit is 1 MB" in str(result.problems[0]) and str(result.problems[0]).startswith("big.yaml:1:1:")


def test_non_utf8_bytes_are_located() -> None:
    raw = BASE.encode().replace(b"Theme one", b"Th\xe9me one")
    result = parse_framework_bytes(raw, "latin1.yaml")
    assert [str(p) for p in result.problems] == ["latin1.yaml:7:14: the file is not UTF-8 text"]


def test_shared_broken_example_names_the_key() -> None:
    text = (Path(__file__).parent.parent / "fixtures" / "broken.yaml").read_text(encoding="utf-8")
    result = parse_framework(text, "broken.yaml")
    assert str(result.problems[0]).startswith("broken.yaml:8:5: themes[0].colour: unknown key 'colour'")


@pytest.mark.parametrize(
    ("rules", "column", "words"),
    [
        (
            "rules: {survey_robust_respondnets: 12}",
            9,
            ["rules.survey_robust_respondnets", "did you mean 'survey_robust_respondents'"],
        ),
        ("rules: {survey_robust_respondents: many}", 9, ["rules.survey_robust_respondents", "whole number"]),
        (
            "rules: {survey_response_rate_percent: 150}",
            9,
            ["rules.survey_response_rate_percent", "between 0 and 100"],
        ),
    ],
)
def test_bad_rule_settings_fail_at_load_time(rules: str, column: int, words: list[str]) -> None:
    result = parse_framework(BASE + rules + "\n", "rules.yaml")
    assert result.framework is None
    message = str(result.problems[0])
    assert message.startswith(f"rules.yaml:16:{column}: ")
    for word in words:
        assert word in message


def test_rule_settings_override_the_defaults() -> None:
    result = parse_framework(BASE + "rules: {survey_robust_respondents: 20}\n", "rules.yaml")
    assert result.framework is not None
    assert result.framework.settings.survey_robust_respondents == 20
    assert result.framework.settings.survey_indicative_respondents == 5


SURVEY = """\
surveys:
  - id: pe-survey
    title: Practice educator survey
    scale: agree5
    breakdowns: [employer]
    sections:
      - id: support
        title: Support
        questions: {q1: I feel supported, q2: I have time for the role}
        reverse: [q2]
        links: [oc-a]
"""


def test_a_valid_survey_definition_loads() -> None:
    result = parse_framework(BASE + SURVEY, "s.yaml")
    assert result.ok, [str(p) for p in result.problems]
    (survey,) = result.framework.surveys  # type: ignore[union-attr]
    assert survey.id == "pe-survey" and survey.min_group_size == 10
    assert survey.sections[0].reverse == frozenset({"q2"}) and survey.sections[0].links == ("oc-a",)


@pytest.mark.parametrize(
    ("replace", "by", "line", "column", "words"),
    [
        ("        reverse: [q2]", "        reverse: [q3]", 25, 19, ["surveys[0].sections[0].reverse[0]"]),
        ("        links: [oc-a]", "        links: [oc-z]", 26, 17, ["surveys[0].sections[0].links[0]"]),
        ("    scale: agree5", "    scale: agree7", 19, 12, ["surveys[0].scale"]),
        (
            "    breakdowns: [employer]",
            "    breakdowns: [employer]\n    colour: red",
            21,
            5,
            ["surveys[0].colour", "unknown key"],
        ),
    ],
)
def test_survey_problems_are_located(replace: str, by: str, line: int, column: int, words: list[str]) -> None:
    assert replace in SURVEY
    result = parse_framework(BASE + SURVEY.replace(replace, by), "s.yaml")
    assert result.framework is None
    located = [p for p in result.problems if (p.line, p.column) == (line, column)]
    assert located, [str(p) for p in result.problems]
    for word in words:
        assert word in str(located[0])


def test_a_nul_character_is_located_not_a_crash() -> None:
    result = parse_framework_bytes(BASE.replace("Theme one", "Theme\x00one").encode(), "nul.yaml")
    assert [str(p) for p in result.problems] == [
        "nul.yaml:7:17: the file holds a character YAML does not allow (U+0000)"
    ]
