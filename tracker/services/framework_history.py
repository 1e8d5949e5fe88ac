"""A framework's kept versions for its admins: who loaded which when and what changed, any version's file
as it was loaded, and what differs between two versions (element by element, and line by line)."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from tracker.db.models import Element, Framework, FrameworkVersion, Partner
from tracker.domain import framework as fw
from tracker.domain.formats import long_date
from tracker.services.frameworks import element_attrs, element_text, framework_of

KIND_LABELS = {
    "partner": "Partner",
    "theme": "Theme",
    "aim": "Aim",
    "activity": "Activity",
    "output": "Output",
    "outcome": "Outcome",
    "kpi": "KPI",
}
# The line breaks YAML counts (so line numbers agree with its problems' positions).
LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# The attributes that are an element's text (shown as its before and after, not again as a field).
TEXT_KEYS = frozenset({"id", "text", "title", "name"})
FIELD_SHOWN_MAX = 300  # characters of a changed field's value on a page


@dataclass(frozen=True)
class Item:
    """An element or partner as a change names it: kind, id and its words."""

    kind: str
    slug: str
    text: str

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind.capitalize())


@dataclass(frozen=True)
class FieldChange:
    """One attribute of an element that differs, as it reads before and after."""

    name: str
    before: str
    after: str


@dataclass(frozen=True)
class Changed:
    """An element whose content differs: its text before and after, and its other fields that differ."""

    item: Item
    before: str
    after: str
    fields: tuple[FieldChange, ...]

    @property
    def text_changed(self) -> bool:
        return self.before != self.after


def split_lines(text: str) -> list[str]:
    """A file's lines as YAML numbers them (a last line break ends the last line, it starts none)."""
    lines = LINE_BREAK.split(text)
    return lines[:-1] if lines and lines[-1] == "" else lines


def shown_value(value: Any) -> str:
    """A field's value in words on a page: dates as words, lists joined, nothing as '(none)', long values
    cut."""
    if isinstance(value, str) and ISO_DATE.fullmatch(value):
        try:
            return long_date(date.fromisoformat(value))
        except ValueError:  # text that only looks like a date
            return value
    if value is None or value == "" or value == [] or value == {}:
        text = "(none)"
    elif isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        text = ", ".join(str(v) for v in value)
    elif isinstance(value, dict | list):
        text = json.dumps(value, sort_keys=True, ensure_ascii=False)
    else:
        text = str(value)
    return text if len(text) <= FIELD_SHOWN_MAX else text[: FIELD_SHOWN_MAX - 1] + "…"


def field_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    """The attributes (other than the text) whose values differ, in a fixed order."""
    names = [k for k in dict.fromkeys([*before, *after]) if k not in TEXT_KEYS]
    return tuple(
        FieldChange(name, shown_value(before.get(name)), shown_value(after.get(name)))
        for name in names
        if before.get(name) != after.get(name)
    )


# -- comparing two frameworks -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ElementDiff:
    """What differs between two versions of a framework, element by element (partners too)."""

    added: tuple[Item, ...]
    changed: tuple[Changed, ...]
    removed: tuple[Item, ...]

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed)


@dataclass(frozen=True)
class Content:
    """An element or partner as loading compares it: kind, attributes (an element's with its theme) and
    text; `row_id` is the stored row's (the partner's, for a partner), 0 for one read from a file."""

    kind: str
    attrs: dict[str, Any]
    text: str
    row_id: int = 0


def file_contents(framework: fw.Framework) -> tuple[dict[str, Content], dict[str, Content]]:
    """A framework's elements and its partners, each by id."""
    elements: dict[str, Content] = {}
    for theme in framework.themes:
        elements[theme.id] = Content("theme", element_attrs(theme), element_text(theme))
        children: tuple[fw.Element, ...] = (
            *theme.aims,
            *theme.activities,
            *theme.outputs,
            *theme.outcomes,
            *theme.kpis,
        )
        for element in children:
            attrs = {**element_attrs(element), "theme": theme.id}
            elements[element.id] = Content(fw.element_kind(element), attrs, element_text(element))
    partners = {
        p.id: Content("partner", partner_attrs(p.name, p.kind, p.tier, p.note), p.name)
        for p in framework.partners
    }
    return elements, partners


def partner_attrs(name: str, kind: str, tier: str, note: str) -> dict[str, Any]:
    """A partner of a framework as compared: the organisation's name and kind, its tier and note there."""
    return {"name": name, "kind": kind, "tier": tier, "note": note}


def compare_frameworks(old: fw.Framework, new: fw.Framework) -> ElementDiff:
    """Elements only in `new` (added), in both but different (changed), only in `old` (removed)."""
    added: list[Item] = []
    changed: list[Changed] = []
    removed: list[Item] = []
    for before, after in zip(file_contents(old), file_contents(new), strict=True):
        added.extend(Item(c.kind, slug, c.text) for slug, c in after.items() if slug not in before)
        removed.extend(Item(c.kind, slug, c.text) for slug, c in before.items() if slug not in after)
        changed.extend(
            changed_item(slug, before[slug], c)
            for slug, c in after.items()
            if slug in before and (before[slug].kind, before[slug].attrs) != (c.kind, c.attrs)
        )
    return ElementDiff(tuple(added), tuple(changed), tuple(removed))


def changed_item(slug: str, was: Content, now: Content) -> Changed:
    """An element's change: its text before and after, and each other field that differs."""
    fields = field_changes(was.attrs, now.attrs)
    if was.kind != now.kind:
        fields = (FieldChange("kind", was.kind, now.kind), *fields)
    return Changed(Item(now.kind, slug, now.text), was.text, now.text, fields)


# -- the history ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VersionEntry:
    """One kept version: when, by whom and from which file it was loaded, and what its load changed."""

    version: int
    title: str
    loaded_at: datetime  # UTC
    loaded_by: str
    source_name: str
    content_sha256: str
    created: bool
    added: tuple[Item, ...]
    changed: tuple[Item, ...]
    archived: tuple[Item, ...]
    restored: tuple[Item, ...]

    @property
    def groups(self) -> tuple[tuple[str, tuple[Item, ...]], ...]:
        return (
            ("added", self.added),
            ("changed", self.changed),
            ("archived", self.archived),
            ("restored", self.restored),
        )


@dataclass(frozen=True)
class History:
    slug: str
    title: str
    current_version: int
    versions: tuple[VersionEntry, ...]  # newest first

    @property
    def numbers(self) -> tuple[int, ...]:
        return tuple(sorted(v.version for v in self.versions))


def _items(named: Iterable[str], texts: Mapping[tuple[str, str], str]) -> tuple[Item, ...]:
    """Items from a load summary's "kind id" entries, with their words (the id when none is kept)."""
    items = []
    for entry in named:
        kind, _space, slug = str(entry).partition(" ")
        items.append(Item(kind, slug, texts.get((kind, slug), slug)))
    return tuple(items)


def history(session: Session, slug: str) -> History | None:
    """Every kept version of a framework, newest first; None when no framework has the id."""
    framework = session.scalars(select(Framework).where(Framework.slug == slug)).one_or_none()
    if framework is None:
        return None
    versions = session.scalars(
        select(FrameworkVersion)
        .where(FrameworkVersion.framework_id == framework.id)
        .order_by(FrameworkVersion.version.desc())
    ).all()
    texts: dict[tuple[str, str], str] = {
        (kind, element_slug): text
        for kind, element_slug, text in session.execute(
            select(Element.kind, Element.slug, Element.text).where(Element.framework_id == framework.id)
        )
    }
    named = {
        str(entry).partition(" ")[2]
        for v in versions
        for key in ("added", "changed", "archived", "restored")
        for entry in (v.changes or {}).get(key, [])
        if str(entry).startswith("partner ")
    }
    if named:
        texts.update(
            {
                ("partner", partner_slug): name
                for partner_slug, name in session.execute(
                    select(Partner.slug, Partner.name).where(Partner.slug.in_(named))
                )
            }
        )
    entries = []
    for v in versions:
        changes = v.changes or {}
        entries.append(
            VersionEntry(
                v.version,
                v.title,
                v.loaded_at,
                v.loaded_by,
                v.source_name,
                v.content_sha256,
                bool(changes.get("created")),
                *(
                    _items(changes.get(key, []), texts)
                    for key in ("added", "changed", "archived", "restored")
                ),
            )
        )
    return History(framework.slug, framework.title, framework.current_version, tuple(entries))


def _version_row(session: Session, slug: str, number: int) -> FrameworkVersion | None:
    return session.scalars(
        select(FrameworkVersion)
        .join(Framework, Framework.id == FrameworkVersion.framework_id)
        .where(Framework.slug == slug, FrameworkVersion.version == number)
    ).one_or_none()


@dataclass(frozen=True)
class VersionFile:
    """A version's YAML exactly as it was loaded, and the name to save it under."""

    filename: str
    data: bytes


def version_file(session: Session, slug: str, number: int) -> VersionFile | None:
    """The stored text of one version, as UTF-8 bytes; None when there is no such version."""
    row = _version_row(session, slug, number)
    if row is None:
        return None
    return VersionFile(f"{slug}-v{number}.yaml", row.yaml_text.encode("utf-8"))


# -- comparing two kept versions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DiffLine:
    """A line of the unified diff: `kind` is file, hunk, added, removed or same."""

    kind: str
    text: str


@dataclass(frozen=True)
class VersionDiff:
    from_version: int
    to_version: int
    elements: ElementDiff
    lines: tuple[DiffLine, ...]


def unified_diff(old_text: str, new_text: str, old_name: str, new_name: str) -> tuple[DiffLine, ...]:
    """The two files' unified diff (three lines of context), each line with its kind."""
    lines: list[DiffLine] = []
    for line in difflib.unified_diff(
        split_lines(old_text), split_lines(new_text), old_name, new_name, lineterm=""
    ):
        if line.startswith(("--- ", "+++ ")) and len(lines) < 2:
            kind = "file"
        elif line.startswith("@@"):
            kind = "hunk"
        elif line.startswith("+"):
            kind = "added"
        elif line.startswith("-"):
            kind = "removed"
        else:
            kind = "same"
        lines.append(DiffLine(kind, line))
    return tuple(lines)


def diff_versions(session: Session, slug: str, from_version: int, to_version: int) -> VersionDiff | None:
    """What changed from one kept version to another; None when either is not a version of the framework."""
    old, new = _version_row(session, slug, from_version), _version_row(session, slug, to_version)
    if old is None or new is None:
        return None
    elements = compare_frameworks(framework_of(old), framework_of(new))
    lines = unified_diff(
        old.yaml_text, new.yaml_text, f"{slug}-v{from_version}.yaml", f"{slug}-v{to_version}.yaml"
    )
    return VersionDiff(from_version, to_version, elements, lines)
