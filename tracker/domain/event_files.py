"""EVENT.yaml (issue 19): one event's definition read into plain values, every problem as FILE:LINE:COL.

It is read by the framework loader's machinery (yaml_source, node_reader): strict YAML, unknown keys with a
"did you mean", messages naming the key path. The framework's ids come in as plain sets (`check_framework`),
so nothing here knows the database. The sessions and feedback CSVs are read by event_csv.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from tracker.domain.events import (
    QUESTION_KINDS,
    Costs,
    EventDefinition,
    Option,
    Population,
    Question,
    UniqueAttendees,
)
from tracker.domain.node_reader import NodeReader
from tracker.domain.surveys import did_you_mean
from tracker.domain.text_limits import EVENT_POPULATION_NAME, EVENT_TITLE
from tracker.domain.yaml_source import Node, Problem, compose_text, decode, join_path, position

ROOT_KEYS = (
    "id",
    "framework",
    "title",
    "starts_on",
    "ends_on",
    "links",
    "unique_attendees",
    "reach_target",
    "population",
    "costs",
    "min_group_size",
    "questions",
    "source",
)
ROOT_REQUIRED = ("id", "framework", "title", "starts_on")
QUESTION_KEYS = ("id", "text", "kind", "options")
MAX_OPTIONS = 20

Place = tuple[int, int]


@dataclass(frozen=True, slots=True)
class FrameworkIds:
    """What an event file may name of its framework: activity and output ids (links) and partner ids."""

    slug: str
    links: frozenset[str]
    partners: frozenset[str]


@dataclass(frozen=True, slots=True)
class EventFile:
    """EVENT.yaml read: the definition only when there is not a single problem.

    Kept even with problems, so the CSVs can still be checked: the framework it names, the questions read
    cleanly (`questions`) and the ids of those that were not (`unchecked`: answers to them are not checked).
    """

    filename: str
    draft: EventDefinition | None
    problems: tuple[Problem, ...]
    framework: str = ""
    questions: tuple[Question, ...] = ()
    unchecked: frozenset[str] = frozenset()
    places: Mapping[str, Place] = field(default_factory=dict)  # key path -> line and column
    links_at: tuple[tuple[str, str, Place], ...] = ()  # (id, key path, place) of each link

    @property
    def definition(self) -> EventDefinition | None:
        return None if self.problems else self.draft

    def place(self, path: str) -> Place:
        return self.places.get(path) or self.places.get("") or (1, 1)


# -- EVENT.yaml -------------------------------------------------------------------------------------


def read_event(text: str, filename: str) -> EventFile:
    """Read EVENT.yaml; its framework and links are checked by `check_framework` once the caller has them."""
    node, found = compose_text(text)
    problems = [Problem(p.line, p.column, p.message, filename) for p in found]
    if node is None:
        return EventFile(filename, None, tuple(problems))
    r = NodeReader(filename)
    places: dict[str, Place] = {"": position(node)}
    f = r.mapping(node, "", ROOT_KEYS, ROOT_REQUIRED) or {}
    for key, value in f.items():
        places[key] = position(value)

    event_id = r.slug(f["id"], "id") if "id" in f else ""
    framework = r.slug(f["framework"], "framework") if "framework" in f else ""
    title = r.text(f["title"], "title") if "title" in f else ""
    if (too_long := EVENT_TITLE.problem(title)) is not None:
        r.error(f["title"], "title", too_long)
    starts_on = r.date(f["starts_on"], "starts_on") if "starts_on" in f else date.min
    ends_on = r.date(f["ends_on"], "ends_on") if "ends_on" in f else starts_on
    if date.min not in (starts_on, ends_on) and ends_on < starts_on:
        r.error(f["ends_on"], "ends_on", f"the event ends ({ends_on}) before it starts ({starts_on})")
    links_at = _links(r, f["links"]) if "links" in f else ()
    questions, unchecked = (
        _questions(r, f["questions"], places) if "questions" in f else ((), frozenset[str]())
    )
    draft = EventDefinition(
        id=event_id,
        framework=framework,
        title=title,
        starts_on=starts_on,
        ends_on=ends_on,
        links=tuple(link for link, _path, _place in links_at),
        unique_attendees=_unique(r, f["unique_attendees"]) if "unique_attendees" in f else None,
        reach_target=r.integer(f["reach_target"], "reach_target", minimum=0) if "reach_target" in f else None,
        population=_population(r, f["population"]) if "population" in f else None,
        costs=_costs(r, f["costs"]) if "costs" in f else Costs(),
        min_group_size=r.integer(f["min_group_size"], "min_group_size", minimum=1)
        if "min_group_size" in f
        else None,
        questions=questions,
        source=r.text(f["source"], "source") if "source" in f else "",
    )
    problems.extend(r.problems)
    return EventFile(
        filename,
        draft,
        tuple(sorted(problems)),
        framework=framework,
        questions=questions,
        unchecked=unchecked,
        places=places,
        links_at=links_at,
    )


def parse_event_bytes(raw: bytes, filename: str) -> EventFile:
    """EVENT.yaml as the bytes of a file: UTF-8 and at most 1 MB, as framework files."""
    text, found = decode(raw)
    if text is None:
        return EventFile(filename, None, tuple(Problem(p.line, p.column, p.message, filename) for p in found))
    return read_event(text, filename)


def check_framework(event: EventFile, framework: FrameworkIds | None) -> EventFile:
    """The file with problems added for a framework that does not exist (None) and links it does not have."""
    if not event.framework or event.draft is None:
        return event
    added: list[Problem] = []
    if framework is None:
        line, col = event.place("framework")
        message = (
            f"framework: no framework has the id '{event.framework}' (load it first: tracker framework load)"
        )
        added.append(Problem(line, col, message, event.filename))
    else:
        for link, path, (line, col) in event.links_at:
            if link not in framework.links:
                hint = did_you_mean(link, framework.links)
                message = (
                    f"{path}: unknown link '{link}': the framework '{framework.slug}' has no activity or "
                    f"output with this id{hint}"
                )
                added.append(Problem(line, col, message, event.filename))
    if not added:
        return event
    return dataclasses.replace(event, problems=tuple(sorted((*event.problems, *added))))


def _links(r: NodeReader, node: Node) -> tuple[tuple[str, str, Place], ...]:
    found: list[tuple[str, str, Place]] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(r.sequence(node, "links")):
        path = join_path("links", index)
        link = r.slug(item, path)
        if not link:
            continue
        if link in seen:
            r.error(item, path, f"'{link}' is already linked at line {seen[link]}")
            continue
        seen[link] = position(item)[0]
        found.append((link, path, position(item)))
    return tuple(found)


def _unique(r: NodeReader, node: Node) -> UniqueAttendees | None:
    f = r.mapping(node, "unique_attendees", ("value", "estimated"), ("value",))
    if f is None or "value" not in f:
        return None
    value = r.integer(f["value"], "unique_attendees.value", minimum=0)
    estimated = r.boolean(f["estimated"], "unique_attendees.estimated") if "estimated" in f else False
    return UniqueAttendees(value, estimated)


def _population(r: NodeReader, node: Node) -> Population | None:
    f = r.mapping(node, "population", ("name", "size"), ("name", "size"))
    if f is None or "name" not in f or "size" not in f:
        return None
    name = r.text(f["name"], "population.name")
    if (too_long := EVENT_POPULATION_NAME.problem(name)) is not None:
        r.error(f["name"], "population.name", too_long)
    return Population(name, r.integer(f["size"], "population.size", minimum=1))


def _costs(r: NodeReader, node: Node) -> Costs:
    f = r.mapping(node, "costs", ("direct", "staff_hours", "full")) or {}
    values: dict[str, float | None] = {}
    for key in ("direct", "staff_hours", "full"):
        if key not in f:
            values[key] = None
            continue
        value = r.number(f[key], join_path("costs", key))
        if value < 0:
            r.error(f[key], join_path("costs", key), f"must not be negative, found {value:g}")
        values[key] = value
    return Costs(values["direct"], values["staff_hours"], values["full"])


def _questions(
    r: NodeReader, node: Node, places: dict[str, Place]
) -> tuple[tuple[Question, ...], frozenset[str]]:
    questions: list[Question] = []
    unchecked: set[str] = set()
    seen: dict[str, int] = {}
    for index, item in enumerate(r.sequence(node, "questions")):
        path = join_path("questions", index)
        before = len(r.problems)
        f = r.mapping(item, path, QUESTION_KEYS, ("id", "text", "kind"))
        if f is None:
            continue
        qid = r.slug(f["id"], join_path(path, "id")) if "id" in f else ""
        if qid in seen:
            r.error(
                f["id"],
                join_path(path, "id"),
                f"id '{qid}' is already used by the question at line {seen[qid]}",
            )
        elif qid:
            seen[qid] = position(f["id"])[0]
            places[f"question:{qid}"] = position(item)
        text = r.text(f["text"], join_path(path, "text")) if "text" in f else ""
        kind = (
            r.choice(f["kind"], join_path(path, "kind"), QUESTION_KINDS, "kind")
            if "kind" in f
            else "free_text"
        )
        options: tuple[Option, ...] = ()
        if "options" in f:
            options = _options(r, f["options"], join_path(path, "options"))
            if kind != "choose_any" and "kind" in f:
                r.error(
                    f["options"],
                    join_path(path, "options"),
                    f"only a choose_any question has options, not {kind}",
                )
        elif kind == "choose_any":
            r.error(item, path, "a choose_any question needs 'options': the choices it offers")
        if len(r.problems) > before:
            if qid:
                unchecked.add(qid)
            continue
        questions.append(Question(qid, text, kind, options))
    return tuple(questions), frozenset(unchecked)


def _options(r: NodeReader, node: Node, path: str) -> tuple[Option, ...]:
    items = r.sequence(node, path)
    if not items:
        r.error(node, path, "give at least one option")
    elif len(items) > MAX_OPTIONS:
        r.error(node, path, f"{len(items)} options; at most {MAX_OPTIONS}")
    options: list[Option] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        item_path = join_path(path, index)
        f = r.mapping(item, item_path, ("id", "text"), ("id", "text"))
        if f is None or "id" not in f:
            continue
        oid = r.slug(f["id"], join_path(item_path, "id"))
        if oid in seen:
            r.error(
                f["id"], join_path(item_path, "id"), f"option '{oid}' is already given at line {seen[oid]}"
            )
        elif oid:
            seen[oid] = position(f["id"])[0]
        options.append(Option(oid, r.text(f["text"], join_path(item_path, "text")) if "text" in f else ""))
    return tuple(options)
