"""Framework YAML -> Framework, reporting every problem as FILE:LINE:COL naming the key path."""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

from tracker.domain.framework import (
    DIRECTIONS,
    PARTNER_KINDS,
    PARTNER_TIERS,
    QUADRANTS,
    TERMS,
    UNITS,
    Activity,
    Aim,
    Baseline,
    Framework,
    Kpi,
    Outcome,
    Output,
    Partner,
    Period,
    Target,
    Theme,
)
from tracker.domain.settings import DEFAULT_SETTINGS, RuleSettings, parse_rule_settings
from tracker.domain.survey_definitions import parse_surveys
from tracker.domain.surveys import SurveyDefinition
from tracker.domain.yaml_source import (
    MAP_TAG,
    NULL_TAG,
    STR_TAG,
    UNREADABLE,
    MappingNode,
    Node,
    Problem,
    ScalarNode,
    SequenceNode,
    compose_text,
    construct,
    decode,
    describe,
    node_at,
    position,
    read_file,
)

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
SLUG_MAX = 64
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

ROOT_KEYS = {
    "id",
    "title",
    "version",
    "vision",
    "description",
    "source",
    "period",
    "as_of",
    "partners",
    "themes",
    "rules",
    "surveys",
}
KIND_LABEL = {
    "partner": "partner",
    "theme": "theme",
    "aim": "aim",
    "activity": "activity",
    "output": "output",
    "outcome": "outcome",
    "kpi": "KPI",
}

C = TypeVar("C", bound=str)


@dataclass(frozen=True, slots=True)
class LoadResult:
    """A framework, or the problems that stop it loading; the text is kept for versioning."""

    framework: Framework | None
    problems: tuple[Problem, ...]
    text: str | None = None

    @property
    def ok(self) -> bool:
        return self.framework is not None and not self.problems


def _article(noun: str) -> str:
    return "an" if noun[0] in "aeio" else "a"


def _join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


class _Reader:
    """Walks the node tree once, converting values and collecting every problem on the way."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.problems: list[Problem] = []
        self.ids: dict[str, tuple[str, int]] = {}
        self.references: list[tuple[str, Node, str, str]] = []

    # -- reporting -------------------------------------------------------------------------------
    def error(self, node: Node, path: str, message: str) -> None:
        line, col = position(node)
        text = f"{path}: {message}" if path else message
        self.problems.append(Problem(line, col, text, self.filename))

    # -- containers ------------------------------------------------------------------------------
    def mapping(
        self, node: Node, path: str, allowed: Iterable[str], required: Iterable[str] = ()
    ) -> dict[str, Node] | None:
        allowed = set(allowed)
        if not isinstance(node, MappingNode):
            self.error(node, path or "(root)", f"expected a mapping of keys, found {describe(node)}")
            return None
        found: dict[str, Node] = {}
        for key, value in node.value:
            if not isinstance(key, ScalarNode):
                self.error(key, path, "keys must be plain names")
                continue
            name = str(key.value)
            if name not in allowed:
                close = difflib.get_close_matches(name, sorted(allowed), n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                known = ", ".join(sorted(allowed))
                self.error(key, _join(path, name), f"unknown key '{name}'{hint} (known: {known})")
                continue
            found.setdefault(name, value)
        for name in sorted(set(required) - found.keys()):
            self.error(node, path or "(root)", f"missing required key '{name}'")
        return found

    def sequence(self, node: Node, path: str) -> list[Node]:
        if isinstance(node, SequenceNode):
            return list(node.value)
        if isinstance(node, ScalarNode) and node.tag == NULL_TAG:
            return []
        self.error(node, path, f"expected a list, found {describe(node)}")
        return []

    # -- scalars ---------------------------------------------------------------------------------
    def value(self, node: Node, path: str) -> Any:
        """A single value as YAML reads it (UNREADABLE when it cannot), or None with a problem."""
        if not isinstance(node, ScalarNode):
            self.error(node, path, f"expected a single value, found {describe(node)}")
            return None
        return construct(node)

    def text(self, node: Node, path: str) -> str:
        value = self.value(node, path)
        if value is None and isinstance(node, ScalarNode):
            self.error(node, path, "must not be empty")
            return ""
        if isinstance(node, ScalarNode) and node.tag != STR_TAG:
            self.error(node, path, f"expected text, found {describe(node)}; put it in quotes")
            return ""
        if not isinstance(value, str):
            return ""
        if not value.strip():
            self.error(node, path, "must not be empty")
        return value.strip()

    def label(self, node: Node, path: str) -> str:
        """A period label such as 2018/19; a bare number like 2019 is taken as text."""
        value = self.value(node, path)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(node.value)
        return self.text(node, path)

    def slug(self, node: Node, path: str) -> str:
        value = self.text(node, path)
        if value and (not SLUG.match(value) or len(value) > SLUG_MAX):
            self.error(
                node,
                path,
                f"'{value}' is not a valid id: use lower-case letters, digits and single hyphens "
                f"(at most {SLUG_MAX} characters)",
            )
        return value

    def integer(self, node: Node, path: str, minimum: int | None = None) -> int:
        value = self.value(node, path)
        if not isinstance(value, int) or isinstance(value, bool):
            if isinstance(node, ScalarNode):
                self.error(node, path, f"expected a whole number, found {describe(node)}")
            return 0
        if minimum is not None and value < minimum:
            self.error(node, path, f"must be at least {minimum}, found {value}")
        return value

    def number(self, node: Node, path: str) -> float:
        value = self.value(node, path)
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        if not ok or not math.isfinite(value):
            if isinstance(node, ScalarNode):
                self.error(node, path, f"expected a number, found {describe(node)}")
            return 0.0
        return float(value)

    def boolean(self, node: Node, path: str) -> bool:
        value = self.value(node, path)
        if not isinstance(value, bool):
            if isinstance(node, ScalarNode):
                self.error(node, path, f"expected true or false, found {describe(node)}")
            return False
        return value

    def date(self, node: Node, path: str) -> date:
        value = self.value(node, path)
        if not isinstance(node, ScalarNode):
            return date.min
        if isinstance(value, datetime):
            self.error(node, path, f"expected a date without a time (YYYY-MM-DD), found '{node.value}'")
            return date.min
        if isinstance(value, date):
            return value
        raw = str(node.value)
        if ISO_DATE.match(raw):
            try:
                return date.fromisoformat(raw)
            except ValueError:
                pass
            self.error(node, path, f"'{raw}' is not a real date")
            return date.min
        self.error(node, path, f"expected a date as YYYY-MM-DD, found {describe(node)}")
        return date.min

    def choice(self, node: Node, path: str, choices: Sequence[C], what: str) -> C:
        value = self.value(node, path)
        if isinstance(value, str) and value in choices:
            return choices[choices.index(value)]
        if isinstance(node, ScalarNode):
            self.error(node, path, f"unknown {what} {describe(node)}; expected one of: {', '.join(choices)}")
        return choices[0]

    # -- ids and references ----------------------------------------------------------------------
    def register(self, node: Node, path: str, kind: str) -> str:
        value = self.slug(node, path)
        if not value:
            return value
        if value in self.ids:
            other_kind, line = self.ids[value]
            self.error(
                node,
                path,
                f"id '{value}' is already used by the {KIND_LABEL[other_kind]} at line {line}; "
                "ids must be unique across the file",
            )
        else:
            self.ids[value] = (kind, position(node)[0])
        return value

    def references_to(self, node: Node, path: str, kind: str) -> tuple[str, ...]:
        found: list[str] = []
        for index, item in enumerate(self.sequence(node, path)):
            item_path = _join(path, index)
            value = self.text(item, item_path)
            if value:
                self.references.append((item_path, item, value, kind))
                found.append(value)
        return tuple(found)

    def check_references(self) -> None:
        for path, node, value, kind in self.references:
            if value not in self.ids:
                self.error(
                    node, path, f"unknown {KIND_LABEL[kind]} '{value}': no {KIND_LABEL[kind]} has this id"
                )
            elif self.ids[value][0] != kind:
                found, wanted = KIND_LABEL[self.ids[value][0]], KIND_LABEL[kind]
                self.error(
                    node, path, f"'{value}' is {_article(found)} {found}, not {_article(wanted)} {wanted}"
                )


PARTNER_KEYS = {"id", "name", "kind", "tier", "note"}
THEME_KEYS = {"id", "title", "summary", "ref", "aims", "activities", "outputs", "outcomes", "kpis"}
AIM_KEYS = {"id", "text", "ref"}
ACTIVITY_KEYS = {"id", "text", "aims", "ref"}
OUTPUT_KEYS = {"id", "text", "quadrant", "kpis", "ref"}
OUTCOME_KEYS = {"id", "text", "quadrant", "term", "expected_by", "kpis", "aims", "ref"}
KPI_KEYS = {"id", "name", "unit", "direction", "baseline", "target", "per_partner", "note", "ref"}
TARGET_KEYS = {"value", "change", "per_period", "tolerance", "period", "note"}


def _opt_text(r: _Reader, fields: dict[str, Node], key: str, path: str) -> str:
    return r.text(fields[key], _join(path, key)) if key in fields else ""


def _partner(r: _Reader, node: Node, path: str) -> Partner | None:
    f = r.mapping(node, path, PARTNER_KEYS, {"id", "name", "kind"})
    if f is None:
        return None
    pid = r.register(f["id"], _join(path, "id"), "partner") if "id" in f else ""
    name = r.text(f["name"], _join(path, "name")) if "name" in f else ""
    kind = r.choice(f["kind"], _join(path, "kind"), PARTNER_KINDS, "partner kind") if "kind" in f else "other"
    tier = r.choice(f["tier"], _join(path, "tier"), PARTNER_TIERS, "tier") if "tier" in f else "primary"
    return Partner(pid, name, kind, tier, _opt_text(r, f, "note", path))


def _aim(r: _Reader, node: Node, path: str, theme_id: str) -> Aim | None:
    f = r.mapping(node, path, AIM_KEYS, {"id", "text"})
    if f is None:
        return None
    aid = r.register(f["id"], _join(path, "id"), "aim") if "id" in f else ""
    return Aim(aid, _opt_text(r, f, "text", path), theme_id, _opt_text(r, f, "ref", path))


def _activity(r: _Reader, node: Node, path: str, theme_id: str) -> Activity | None:
    f = r.mapping(node, path, ACTIVITY_KEYS, {"id", "text"})
    if f is None:
        return None
    aid = r.register(f["id"], _join(path, "id"), "activity") if "id" in f else ""
    aims = r.references_to(f["aims"], _join(path, "aims"), "aim") if "aims" in f else ()
    return Activity(aid, _opt_text(r, f, "text", path), theme_id, aims, _opt_text(r, f, "ref", path))


def _output(r: _Reader, node: Node, path: str, theme_id: str) -> Output | None:
    f = r.mapping(node, path, OUTPUT_KEYS, {"id", "text", "quadrant"})
    if f is None:
        return None
    oid = r.register(f["id"], _join(path, "id"), "output") if "id" in f else ""
    quadrant = (
        r.choice(f["quadrant"], _join(path, "quadrant"), QUADRANTS, "quadrant")
        if "quadrant" in f
        else QUADRANTS[0]
    )
    kpis = r.references_to(f["kpis"], _join(path, "kpis"), "kpi") if "kpis" in f else ()
    return Output(oid, _opt_text(r, f, "text", path), theme_id, quadrant, kpis, _opt_text(r, f, "ref", path))


def _outcome(r: _Reader, node: Node, path: str, theme_id: str) -> Outcome | None:
    f = r.mapping(node, path, OUTCOME_KEYS, {"id", "text", "quadrant", "term"})
    if f is None:
        return None
    oid = r.register(f["id"], _join(path, "id"), "outcome") if "id" in f else ""
    quadrant = (
        r.choice(f["quadrant"], _join(path, "quadrant"), QUADRANTS, "quadrant")
        if "quadrant" in f
        else QUADRANTS[0]
    )
    term = r.choice(f["term"], _join(path, "term"), TERMS, "term") if "term" in f else TERMS[0]
    expected_by = r.date(f["expected_by"], _join(path, "expected_by")) if "expected_by" in f else None
    if "term" in f and term == "long" and expected_by is None:
        r.error(
            node,
            path,
            "a long-term outcome needs 'expected_by': the date from which evidence can be expected",
        )
    kpis = r.references_to(f["kpis"], _join(path, "kpis"), "kpi") if "kpis" in f else ()
    aims = r.references_to(f["aims"], _join(path, "aims"), "aim") if "aims" in f else ()
    return Outcome(
        oid,
        _opt_text(r, f, "text", path),
        theme_id,
        quadrant,
        term,
        expected_by,
        kpis,
        aims,
        _opt_text(r, f, "ref", path),
    )


def _target(r: _Reader, node: Node, path: str) -> Target | None:
    f = r.mapping(node, path, TARGET_KEYS)
    if f is None:
        return None
    value = r.number(f["value"], _join(path, "value")) if "value" in f else None
    change = r.number(f["change"], _join(path, "change")) if "change" in f else None
    per_period = r.boolean(f["per_period"], _join(path, "per_period")) if "per_period" in f else False
    tolerance = r.number(f["tolerance"], _join(path, "tolerance")) if "tolerance" in f else None
    if (value is None) == (change is None):
        r.error(
            node,
            path,
            "give either 'value' (a level to reach) or 'change' (a change to make), not both or neither",
        )
    if per_period and change is None:
        r.error(f["per_period"], _join(path, "per_period"), "'per_period' goes with 'change'")
    if tolerance is not None and tolerance < 0:
        r.error(f["tolerance"], _join(path, "tolerance"), "must not be negative")
    period = r.label(f["period"], _join(path, "period")) if "period" in f else ""
    return Target(value, change, per_period, tolerance, period, _opt_text(r, f, "note", path))


def _kpi(r: _Reader, node: Node, path: str, theme_id: str) -> Kpi | None:
    f = r.mapping(node, path, KPI_KEYS, {"id", "name", "unit", "direction"})
    if f is None:
        return None
    kid = r.register(f["id"], _join(path, "id"), "kpi") if "id" in f else ""
    unit = r.choice(f["unit"], _join(path, "unit"), UNITS, "unit") if "unit" in f else UNITS[0]
    direction = (
        r.choice(f["direction"], _join(path, "direction"), DIRECTIONS, "direction")
        if "direction" in f
        else DIRECTIONS[0]
    )
    baseline = None
    if "baseline" in f:
        bpath = _join(path, "baseline")
        b = r.mapping(f["baseline"], bpath, {"period", "value"}, {"period", "value"})
        if b is not None and "period" in b and "value" in b:
            baseline = Baseline(
                r.label(b["period"], _join(bpath, "period")), r.number(b["value"], _join(bpath, "value"))
            )
    target = _target(r, f["target"], _join(path, "target")) if "target" in f else None
    per_partner = r.boolean(f["per_partner"], _join(path, "per_partner")) if "per_partner" in f else False
    return Kpi(
        kid,
        _opt_text(r, f, "name", path),
        theme_id,
        unit,
        direction,
        baseline,
        target,
        per_partner,
        _opt_text(r, f, "note", path),
        _opt_text(r, f, "ref", path),
    )


def _theme(r: _Reader, node: Node, path: str) -> Theme | None:
    f = r.mapping(node, path, THEME_KEYS, {"id", "title"})
    if f is None:
        return None
    tid = r.register(f["id"], _join(path, "id"), "theme") if "id" in f else ""

    def items(key: str, parse: Any) -> tuple[Any, ...]:
        if key not in f:
            return ()
        kpath = _join(path, key)
        parsed = (parse(r, n, _join(kpath, i), tid) for i, n in enumerate(r.sequence(f[key], kpath)))
        return tuple(p for p in parsed if p is not None)

    return Theme(
        tid,
        _opt_text(r, f, "title", path),
        _opt_text(r, f, "summary", path),
        _opt_text(r, f, "ref", path),
        items("aims", _aim),
        items("activities", _activity),
        items("outputs", _output),
        items("outcomes", _outcome),
        items("kpis", _kpi),
    )


def _period(r: _Reader, node: Node, path: str) -> Period:
    f = r.mapping(node, path, {"start", "end"}, {"start", "end"})
    if f is None or "start" not in f or "end" not in f:
        return Period(date.min, date.min)
    start = r.date(f["start"], _join(path, "start"))
    end = r.date(f["end"], _join(path, "end"))
    if date.min not in (start, end) and end < start:
        r.error(f["end"], _join(path, "end"), f"the period ends ({end}) before it starts ({start})")
    return Period(start, end)


def _framework(r: _Reader, root: Node) -> Framework | None:
    f = r.mapping(root, "", ROOT_KEYS, {"id", "title", "version", "period", "themes"})
    if f is None:
        return None
    fid = r.slug(f["id"], "id") if "id" in f else ""
    title = r.text(f["title"], "title") if "title" in f else ""
    version = r.integer(f["version"], "version", minimum=1) if "version" in f else 0
    period = _period(r, f["period"], "period") if "period" in f else Period(date.min, date.min)
    as_of = r.date(f["as_of"], "as_of") if "as_of" in f else None
    partners = tuple(
        p
        for i, n in enumerate(r.sequence(f["partners"], "partners") if "partners" in f else [])
        if (p := _partner(r, n, _join("partners", i))) is not None
    )
    theme_nodes = r.sequence(f["themes"], "themes") if "themes" in f else []
    if "themes" in f and not theme_nodes and isinstance(f["themes"], SequenceNode | ScalarNode):
        r.error(f["themes"], "themes", "a framework needs at least one theme")
    themes = tuple(
        t for i, n in enumerate(theme_nodes) if (t := _theme(r, n, _join("themes", i))) is not None
    )
    rules, settings = _rules(r, f["rules"]) if "rules" in f else ({}, DEFAULT_SETTINGS)
    r.check_references()
    surveys = _surveys(r, f["surveys"], themes) if "surveys" in f else ()
    return Framework(
        id=fid,
        title=title,
        version=version,
        period=period,
        themes=themes,
        vision=_opt_text(r, f, "vision", ""),
        description=_opt_text(r, f, "description", ""),
        source=_opt_text(r, f, "source", ""),
        as_of=as_of,
        partners=partners,
        rules=MappingProxyType(rules),
        settings=settings,
        surveys=surveys,
    )


def _surveys(r: _Reader, node: Node, themes: tuple[Theme, ...]) -> tuple[SurveyDefinition, ...]:
    """Survey definitions, checked by the survey module; its path-named problems are located in the file."""
    raw = construct(node, deep=True)
    if raw is UNREADABLE:
        r.error(node, "surveys", "holds a value that cannot be read (check dates and numbers)")
        return ()
    outcome_ids = {o.id for t in themes for o in t.outcomes}
    surveys, problems = parse_surveys(raw, outcome_ids, set(r.ids))
    wrapper = MappingNode(MAP_TAG, [(ScalarNode(STR_TAG, "surveys"), node)])
    for path, message in problems:
        target = node_at(wrapper, path, key=message.startswith("unknown key"))
        if target is wrapper:
            target = node
        r.error(target, path, message)
    return surveys


def _rules(r: _Reader, node: Node) -> tuple[dict[str, Any], RuleSettings]:
    """The `rules:` overrides, checked by the settings registry so a bad one fails at load time."""
    if not isinstance(node, MappingNode):
        if not (isinstance(node, ScalarNode) and node.tag == NULL_TAG):
            r.error(node, "rules", f"expected a mapping of settings, found {describe(node)}")
        return {}, DEFAULT_SETTINGS
    raw: dict[str, Any] = {}
    key_nodes: dict[str, Node] = {}
    for key, value in node.value:
        name = str(key.value)
        key_nodes.setdefault(name, key)
        raw.setdefault(name, r.value(value, _join("rules", name)))
    settings, problems = parse_rule_settings(raw)
    for name, message in problems:
        r.error(key_nodes[name], _join("rules", name), message)
    return raw, settings


def parse_framework(text: str, filename: str = "<text>") -> LoadResult:
    """Validate YAML text; the framework only when there is not a single problem."""
    node, problems = compose_text(text)
    located = [Problem(p.line, p.column, p.message, filename) for p in problems]
    if node is None:
        return LoadResult(None, tuple(located), text)
    reader = _Reader(filename)
    framework = _framework(reader, node)
    located.extend(reader.problems)
    if located:
        return LoadResult(None, tuple(sorted(located)), text)
    return LoadResult(framework, (), text)


def parse_framework_bytes(raw: bytes, filename: str) -> LoadResult:
    text, problems = decode(raw)
    if text is None:
        return LoadResult(None, tuple(Problem(p.line, p.column, p.message, filename) for p in problems))
    return parse_framework(text, filename)


def load_framework_file(path: Path | str, display_name: str | None = None) -> LoadResult:
    """Read and validate a framework file; problems name the file as the user gave it."""
    path = Path(path)
    name = display_name if display_name is not None else str(path)
    text, problems = read_file(path)
    if text is None:
        return LoadResult(None, tuple(Problem(p.line, p.column, p.message, name) for p in problems))
    return parse_framework(text, name)
