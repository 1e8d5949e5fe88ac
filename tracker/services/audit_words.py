"""The audit trail in words: what each action code means, and what an entry changed, said from its values.

The trail keeps codes and ids (the stable record); a person reads "Accepted evidence" and "Status: Submitted
→ Accepted". Names of elements and partners come from a `Names` read once for a whole page of entries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any

from tracker.domain import formats
from tracker.domain.evidence_input import FINDING_LABELS, SHOWS_LABELS, SOURCE_TYPE_LABELS
from tracker.domain.vocabulary import RATING_SHORT_LABELS

# Every action the tracker records (a test reads the code for the codes it writes and checks each is here).
ACTION_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "login.success": "Signed in",
        "login.failure": "Sign-in refused",
        "logout": "Signed out",
        "user.create": "Added a user",
        "user.update": "Changed a user's role or access",
        "user.password": "Set a new password",
        "evidence.create": "Logged evidence",
        "evidence.edit": "Edited evidence",
        "evidence.submitted": "Submitted evidence for review",
        "evidence.draft": "Took evidence back to draft",
        "evidence.accepted": "Accepted evidence",
        "evidence.returned": "Returned evidence for changes",
        "evidence.import": "Imported evidence from a CSV file",
        "attachment.upload": "Attached a file to evidence",
        "storage.corrupt": "Refused to serve a damaged stored file",
        "storage.migrate": "Copied the stored files to another store",
        "kpi_value.save": "Gave a KPI value",
        "kpi_value.import": "Imported KPI values from a CSV file",
        "survey.import": "Imported a survey round",
        "survey_org.add": "Added a survey's participating organisation",
        "survey_org.update": "Changed a survey's participating organisation",
        "survey_org.load": "Loaded a survey's participating organisations from a CSV file",
        "survey_reports.start": "Started making every report of a survey round as PDFs",
        "framework.load": "Loaded a framework version",
        "event.load": "Loaded an event's files",
        "plan.create": "Started an action plan",
        "plan.update": "Saved an action plan",
        "plan.comment": "Commented on an action plan",
        "curve_note.save": "Saved a KPI's turn-the-curve note",
        "override.set": "Overrode a rating",
        "override.withdraw": "Withdrew a rating override",
        "archive.export": "Exported a framework to a file",
        "archive.import": "Restored a framework from an export",
        "api_token.create": "Made an API token",
        "api_token.revoke": "Revoked an API token",
        "api.read": "Read the API with a token",
        "refused": "Refused: not permitted",
    }
)
OBJECT_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "evidence": "Evidence item",
        "attachment": "Attachment",
        "kpi_value": "KPI value",
        "kpi": "KPI",
        "outcome": "Outcome",
        "survey": "Survey",
        "survey_org": "Participating organisation",
        "framework": "Framework",
        "event": "Event",
        "action_plan": "Action plan",
        "archive": "Export file",
        "user": "User",
        "api_token": "API token",
    }
)
COMMAND_LINE = "command line"  # the label Actor.command_line() records

FIELD_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "title": "Title",
        "summary": "Summary",
        "source_type": "Type",
        "collected_on": "Collected on",
        "links": "Bears on",
        "finding": "Finding",
        "respondents": "Respondents",
        "population": "Population",
        "positive": "Positive",
        "collection": "Collection",
        "group": "Respondent group",
        "independent": "Independent",
        "partner": "Partner",
        "quote": "Quote",
        "url": "Web address",
        "flags": "Flags",
        "status": "Status",
        "review_note": "Review note",
        "shows": "What it answers",
        "email": "Email",
        "role": "Role",
        "active": "Account enabled",
        "kpi": "KPI",
        "period": "Period",
        "period_end": "Period ends",
        "value": "Value",
        "note": "Note",
        "rating": "Rating",
        "rationale": "Rationale",
        "evidence_ids": "Evidence items relied on",
        "computed": "Computed rating",
        "as_of": "Ratings as of",
        "applies_from": "Applies from",
        "round": "Round",
        "replaced": "Replaced an earlier import",
        "version": "Version",
        "created": "New framework",
        "unchanged": "Unchanged",
        "added": "Added",
        "skipped": "Skipped (already present)",
        "changed": "Changed",
        "archived": "Archived",
        "restored": "Restored",
        "name": "File",
        "file": "File",
        "size": "Size",
        "exported_at": "Exported at",
        "counts": "Rows",
        "load": "Load",
        "files": "Files",
        "sessions": "Sessions",
        "answers": "Feedback answers",
        "new_event": "New event",
        "org": "Organisation id",
        "org_name": "Organisation",
        "kind": "Kind",
        "region": "Region",
        "token": "Token name",
        "prefix": "Token begins with",
    }
)
# Kept in the trail for the record, but no help to a reader: digests, fingerprints and rule codes.
HIDDEN_FIELDS = frozenset({"sha256", "fingerprint", "computed_rule"})
COUNTED_LISTS = frozenset({"added", "changed", "archived", "restored", "evidence_ids"})
DATES = frozenset({"collected_on", "period_end", "as_of", "applies_from"})
ROW_COUNTS: Mapping[str, str] = MappingProxyType(
    {
        "evidence": "evidence items",
        "attachment": "attachments",
        "kpi_value": "KPI values",
        "survey_response": "survey responses",
        "rating_override": "overrides",
        "user_account": "users",
        "survey_org": "participating organisations",
    }
)
MAX_VALUE = 60  # characters of one value shown; the rest is cut with "…"
MAX_CHANGES = 4  # fields listed per entry; the rest are counted
BLANK = "(blank)"


def action_label(code: str) -> str:
    """'Accepted evidence' for 'evidence.accepted'; an unknown code as it is, so nothing is hidden."""
    return ACTION_LABELS.get(code, code)


def object_label(kind: str) -> str:
    return OBJECT_LABELS.get(kind, kind.replace("_", " ").capitalize())


def clip(text: str, limit: int = MAX_VALUE) -> str:
    """Text on one line, cut at `limit` characters with an ellipsis."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Names:
    """Names for the ids in a page of entries: elements by (framework id, element id), partners by id."""

    elements: Mapping[tuple[int | None, str], str] = field(default_factory=dict)
    partners: Mapping[str, str] = field(default_factory=dict)

    def element(self, framework_id: int | None, slug: str) -> str:
        """The element's text in that framework (or the only element with that id when none is given)."""
        return self.elements.get((framework_id, slug)) or self.elements.get((None, slug)) or slug


def _date(text: str) -> str:
    try:
        return formats.long_date(date.fromisoformat(text[:10]))
    except ValueError:
        return text


def value_text(key: str, value: Any, names: Names, framework_id: int | None) -> str:
    """One recorded value as a person reads it: names for ids, words for codes, dates written out."""
    if value is None or value == "" or value == [] or value == {}:
        return BLANK
    if isinstance(value, bool):
        return "yes" if value else "no"
    if key in COUNTED_LISTS and isinstance(value, list):
        return f"{len(value):,}"
    if key == "counts" and isinstance(value, dict):
        shown = [f"{value[k]:,} {label}" for k, label in ROW_COUNTS.items() if isinstance(value.get(k), int)]
        return ", ".join(shown) or BLANK
    if key == "links" and isinstance(value, list):
        return "; ".join(names.element(framework_id, str(slug)) for slug in value)
    if isinstance(value, list):
        return ", ".join(str(v).replace("_", " ") for v in value)
    text = str(value)
    if key == "kpi":
        return names.element(framework_id, text)
    if key == "partner":
        return names.partners.get(text, text)
    if key == "kind":
        return text.replace("_", " ")
    if key in {"status", "role"}:
        return text.capitalize()
    if key == "source_type":
        return SOURCE_TYPE_LABELS.get(text, text)
    if key == "finding":
        return FINDING_LABELS.get(text, text)
    if key == "shows":
        return SHOWS_LABELS.get(text, text)
    if key in {"rating", "computed"}:
        return RATING_SHORT_LABELS.get(text, text)
    if key in DATES:
        return _date(text)
    if key == "size" and isinstance(value, int):
        return formats.file_size(value)
    if isinstance(value, int | float):
        return formats.number(value)
    return text


def changes(
    before: Mapping[str, Any] | None,
    after: Mapping[str, Any] | None,
    names: Names,
    framework_id: int | None = None,
) -> list[str]:
    """What an entry changed, field by field ("Status: Submitted → Accepted"), at most MAX_CHANGES of them.

    With values before and after, only the fields that differ; with one side only (something new), its
    fields that have a value.
    """
    old, new = dict(before or {}), dict(after or {})
    keys = [k for k in [*new, *(k for k in old if k not in new)] if k not in HIDDEN_FIELDS]
    lines: list[str] = []
    if old and new:
        for key in keys:
            if old.get(key) == new.get(key):
                continue
            was = clip(value_text(key, old.get(key), names, framework_id))
            now = clip(value_text(key, new.get(key), names, framework_id))
            lines.append(f"{FIELD_LABELS.get(key, key)}: {was} → {now}")
        if not lines:
            return ["Nothing changed"]
    else:
        values = new or old
        for key in keys:
            text = value_text(key, values.get(key), names, framework_id)
            if text != BLANK:
                lines.append(f"{FIELD_LABELS.get(key, key)}: {clip(text)}")
    if len(lines) > MAX_CHANGES:
        rest = len(lines) - MAX_CHANGES
        return [*lines[:MAX_CHANGES], f"… and {rest} more {'field' if rest == 1 else 'fields'}"]
    return lines


def detail_text(action: str, detail: str) -> str:
    """The entry's own note, said for a reader: a refusal names what was tried."""
    if not detail:
        return ""
    if action == "refused":
        return clip(f"Tried to {detail}", 160)
    return clip(detail, 160)
