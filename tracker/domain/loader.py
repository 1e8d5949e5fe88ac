"""Framework YAML -> Framework, reporting every problem as FILE:LINE:COL naming the key path."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import MappingProxyType
from typing import Any

from tracker.domain.framework import (
    DIRECTIONS,
    OUTCOME_KINDS,
    PARTNER_KINDS,
    PARTNER_TIERS,
    QUADRANTS,
    SHOWS,
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
from tracker.domain.kpi_sources import read_source
from tracker.domain.node_reader import NodeReader
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
    join_path,
    node_at,
    read_file,
)

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


@dataclass(frozen=True, slots=True)
class LoadResult:
    """A framework, or the problems that stop it loading; the text is kept for versioning."""

    framework: Framework | None
    problems: tuple[Problem, ...]
    text: str | None = None

    @property
    def ok(self) -> bool:
        return self.framework is not None and not self.problems


PARTNER_KEYS = {"id", "name", "kind", "tier", "note"}
THEME_KEYS = {"id", "title", "summary", "ref", "aims", "activities", "outputs", "outcomes", "kpis"}
AIM_KEYS = {"id", "text", "ref"}
ACTIVITY_KEYS = {"id", "text", "aims", "ref"}
OUTPUT_KEYS = {"id", "text", "quadrant", "kpis", "ref"}
OUTCOME_KEYS = {"id", "text", "quadrant", "term", "expected_by", "kpis", "aims", "ref", "kind"}
KPI_KEYS = {"id", "name", "unit", "direction", "baseline", "target", "per_partner", "note", "ref", "shows"}
KPI_KEYS |= {"source"}  # issue 19: the value comes from an event
TARGET_KEYS = {"value", "change", "per_period", "tolerance", "period", "note"}


def _opt_text(r: NodeReader, fields: dict[str, Node], key: str, path: str) -> str:
    return r.text(fields[key], join_path(path, key)) if key in fields else ""


def _partner(r: NodeReader, node: Node, path: str) -> Partner | None:
    f = r.mapping(node, path, PARTNER_KEYS, {"id", "name", "kind"})
    if f is None:
        return None
    pid = r.register(f["id"], join_path(path, "id"), "partner") if "id" in f else ""
    name = r.text(f["name"], join_path(path, "name")) if "name" in f else ""
    kind = (
        r.choice(f["kind"], join_path(path, "kind"), PARTNER_KINDS, "partner kind")
        if "kind" in f
        else "other"
    )
    tier = r.choice(f["tier"], join_path(path, "tier"), PARTNER_TIERS, "tier") if "tier" in f else "primary"
    return Partner(pid, name, kind, tier, _opt_text(r, f, "note", path))


def _aim(r: NodeReader, node: Node, path: str, theme_id: str) -> Aim | None:
    f = r.mapping(node, path, AIM_KEYS, {"id", "text"})
    if f is None:
        return None
    aid = r.register(f["id"], join_path(path, "id"), "aim") if "id" in f else ""
    return Aim(aid, _opt_text(r, f, "text", path), theme_id, _opt_text(r, f, "ref", path))


def _activity(r: NodeReader, node: Node, path: str, theme_id: str) -> Activity | None:
    f = r.mapping(node, path, ACTIVITY_KEYS, {"id", "text"})
    if f is None:
        return None
    aid = r.register(f["id"], join_path(path, "id"), "activity") if "id" in f else ""
    aims = r.references_to(f["aims"], join_path(path, "aims"), "aim") if "aims" in f else ()
    return Activity(aid, _opt_text(r, f, "text", path), theme_id, aims, _opt_text(r, f, "ref", path))


def _output(r: NodeReader, node: Node, path: str, theme_id: str) -> Output | None:
    f = r.mapping(node, path, OUTPUT_KEYS, {"id", "text", "quadrant"})
    if f is None:
        return None
    oid = r.register(f["id"], join_path(path, "id"), "output") if "id" in f else ""
    quadrant = (
        r.choice(f["quadrant"], join_path(path, "quadrant"), QUADRANTS, "quadrant")
        if "quadrant" in f
        else QUADRANTS[0]
    )
    kpis = r.references_to(f["kpis"], join_path(path, "kpis"), "kpi") if "kpis" in f else ()
    return Output(oid, _opt_text(r, f, "text", path), theme_id, quadrant, kpis, _opt_text(r, f, "ref", path))


def _outcome(r: NodeReader, node: Node, path: str, theme_id: str) -> Outcome | None:
    f = r.mapping(node, path, OUTCOME_KEYS, {"id", "text", "quadrant", "term"})
    if f is None:
        return None
    oid = r.register(f["id"], join_path(path, "id"), "outcome") if "id" in f else ""
    quadrant = (
        r.choice(f["quadrant"], join_path(path, "quadrant"), QUADRANTS, "quadrant")
        if "quadrant" in f
        else QUADRANTS[0]
    )
    term = r.choice(f["term"], join_path(path, "term"), TERMS, "term") if "term" in f else TERMS[0]
    expected_by = r.date(f["expected_by"], join_path(path, "expected_by")) if "expected_by" in f else None
    if "term" in f and term == "long" and expected_by is None:
        r.error(
            node,
            path,
            "a long-term outcome needs 'expected_by': the date from which evidence can be expected",
        )
    kpis = r.references_to(f["kpis"], join_path(path, "kpis"), "kpi") if "kpis" in f else ()
    aims = r.references_to(f["aims"], join_path(path, "aims"), "aim") if "aims" in f else ()
    kind = (
        r.choice(f["kind"], join_path(path, "kind"), OUTCOME_KINDS, "outcome kind")
        if "kind" in f
        else "change"
    )
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
        kind,
    )


def _target(r: NodeReader, node: Node, path: str) -> Target | None:
    f = r.mapping(node, path, TARGET_KEYS)
    if f is None:
        return None
    value = r.number(f["value"], join_path(path, "value")) if "value" in f else None
    change = r.number(f["change"], join_path(path, "change")) if "change" in f else None
    per_period = r.boolean(f["per_period"], join_path(path, "per_period")) if "per_period" in f else False
    tolerance = r.number(f["tolerance"], join_path(path, "tolerance")) if "tolerance" in f else None
    if (value is None) == (change is None):
        r.error(
            node,
            path,
            "give either 'value' (a level to reach) or 'change' (a change to make), not both or neither",
        )
    if per_period and change is None:
        r.error(f["per_period"], join_path(path, "per_period"), "'per_period' goes with 'change'")
    if tolerance is not None and tolerance < 0:
        r.error(f["tolerance"], join_path(path, "tolerance"), "must not be negative")
    period = r.label(f["period"], join_path(path, "period")) if "period" in f else ""
    return Target(value, change, per_period, tolerance, period, _opt_text(r, f, "note", path))


def _kpi(r: NodeReader, node: Node, path: str, theme_id: str) -> Kpi | None:
    f = r.mapping(node, path, KPI_KEYS, {"id", "name", "unit", "direction"})
    if f is None:
        return None
    kid = r.register(f["id"], join_path(path, "id"), "kpi") if "id" in f else ""
    unit = r.choice(f["unit"], join_path(path, "unit"), UNITS, "unit") if "unit" in f else UNITS[0]
    direction = (
        r.choice(f["direction"], join_path(path, "direction"), DIRECTIONS, "direction")
        if "direction" in f
        else DIRECTIONS[0]
    )
    baseline = None
    if "baseline" in f:
        bpath = join_path(path, "baseline")
        b = r.mapping(f["baseline"], bpath, {"period", "value"}, {"period", "value"})
        if b is not None and "period" in b and "value" in b:
            baseline = Baseline(
                r.label(b["period"], join_path(bpath, "period")),
                r.number(b["value"], join_path(bpath, "value")),
            )
    target = _target(r, f["target"], join_path(path, "target")) if "target" in f else None
    per_partner = r.boolean(f["per_partner"], join_path(path, "per_partner")) if "per_partner" in f else False
    shows = r.choice(f["shows"], join_path(path, "shows"), SHOWS, "'shows' value") if "shows" in f else None
    source = read_source(r, f, path, per_partner)
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
        shows,
        source,
    )


def _theme(r: NodeReader, node: Node, path: str) -> Theme | None:
    f = r.mapping(node, path, THEME_KEYS, {"id", "title"})
    if f is None:
        return None
    tid = r.register(f["id"], join_path(path, "id"), "theme") if "id" in f else ""

    def items(key: str, parse: Any) -> tuple[Any, ...]:
        if key not in f:
            return ()
        kpath = join_path(path, key)
        parsed = (parse(r, n, join_path(kpath, i), tid) for i, n in enumerate(r.sequence(f[key], kpath)))
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


def _period(r: NodeReader, node: Node, path: str) -> Period:
    f = r.mapping(node, path, {"start", "end"}, {"start", "end"})
    if f is None or "start" not in f or "end" not in f:
        return Period(date.min, date.min)
    start = r.date(f["start"], join_path(path, "start"))
    end = r.date(f["end"], join_path(path, "end"))
    if date.min not in (start, end) and end < start:
        r.error(f["end"], join_path(path, "end"), f"the period ends ({end}) before it starts ({start})")
    return Period(start, end)


def _framework(r: NodeReader, root: Node) -> Framework | None:
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
        if (p := _partner(r, n, join_path("partners", i))) is not None
    )
    theme_nodes = r.sequence(f["themes"], "themes") if "themes" in f else []
    if "themes" in f and not theme_nodes and isinstance(f["themes"], SequenceNode | ScalarNode):
        r.error(f["themes"], "themes", "a framework needs at least one theme")
    themes = tuple(
        t for i, n in enumerate(theme_nodes) if (t := _theme(r, n, join_path("themes", i))) is not None
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


def _surveys(r: NodeReader, node: Node, themes: tuple[Theme, ...]) -> tuple[SurveyDefinition, ...]:
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


def _rules(r: NodeReader, node: Node) -> tuple[dict[str, Any], RuleSettings]:
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
        raw.setdefault(name, r.value(value, join_path("rules", name)))
    settings, problems = parse_rule_settings(raw)
    for name, message in problems:
        r.error(key_nodes[name], join_path("rules", name), message)
    return raw, settings


def parse_framework(text: str, filename: str = "<text>") -> LoadResult:
    """Validate YAML text; the framework only when there is not a single problem."""
    node, problems = compose_text(text)
    located = [Problem(p.line, p.column, p.message, filename) for p in problems]
    if node is None:
        return LoadResult(None, tuple(located), text)
    reader = NodeReader(filename)
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
