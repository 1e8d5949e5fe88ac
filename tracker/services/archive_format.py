"""The export format: its names, the tables in insert order, and how column values become JSON and back."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Date, DateTime, Float, Integer, String, Table

from tracker.db.base import UTCDateTime
from tracker.db.models import Base

FORMAT = "outcomes-tracker-export"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
FILES_PREFIX = "files/"
# Parents before children: the order rows are inserted in.
TABLES = (
    "partner",
    "user_account",
    "framework",
    "framework_version",
    "element",
    "framework_partner",
    "evidence",
    "evidence_link",
    "attachment",
    "kpi_value",
    "survey_round",
    "survey_response",
    "rating_override",
    "event",
    "event_load",
    "event_session",
    "event_answer",
    "event_answer_count",
    "event_evidence",
    "action_plan",
    "action_plan_revision",
    "action_plan_comment",
    "kpi_curve_note",
    "survey_org",
    "audit_event",
)
# Tables added after format 1 was fixed, a group at a time: an export made before a group has none of its
# tables and restores without them; one with some of a group's tables but not all is refused.
EVENT_TABLES = (
    "event",
    "event_load",
    "event_session",
    "event_answer",
    "event_answer_count",
    "event_evidence",
)  # issue 19
PLAN_TABLES = ("action_plan", "action_plan_revision", "action_plan_comment", "kpi_curve_note")  # issue 20
ORG_TABLES = ("survey_org",)  # issue 21
ADDED_GROUPS: tuple[tuple[str, ...], ...] = (EVENT_TABLES, PLAN_TABLES, ORG_TABLES)
# Tables an export leaves out, and why. Each model's table is in TABLES or here (a test holds them to it).
NOT_EXPORTED: dict[str, str] = {
    "rating_snapshot": "stored ratings: derived, rated again on the restored tracker",
    "rating_state": "the stored ratings' counter: derived",
    "survey_level_result": "stored survey results: derived, computed again when first asked for",
    "sign_in_lock": "sign-in lock-outs of this tracker's client addresses",
    # Tokens are credentials of this tracker (each reads as a user here), not part of a framework's record:
    # an export travels between trackers and people, so it carries none, not even their digests.
    "api_token": "API tokens: credentials of this tracker, made again by its administrators",
    # The attachments' bytes travel as files/<stored_name> members, read through whichever store holds them.
    "stored_blob": "blobs of the database store: the files are exported as files/ members instead",
    "stored_blob_chunk": "chunks of the database store's blobs: exported as files/ members",
    "cached_pdf": "rendered report PDFs: derived, rendered again on the restored tracker",
    "survey_report_batch": "the progress of a set of survey report PDFs: derived, made again when asked for",
    "survey_report_file": "the PDFs of a set of survey reports: derived, made again when asked for",
}
# JSON columns that hold a list of ids of another table: checked like foreign keys, restored as they are
# (every row keeps its id, so the ids still name the same rows).
ID_LISTS: dict[tuple[str, str], str] = {
    ("rating_override", "evidence_ids"): "evidence",
    ("kpi_curve_note", "evidence_ids"): "evidence",
}
CHUNK = 1024 * 1024
SAFE_STORED_NAME = re.compile(r"[0-9A-Za-z][0-9A-Za-z_-]{0,99}")
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z")
LOCAL_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}")
DAY = re.compile(r"\d{4}-\d\d-\d\d")
PG_INT_MIN, PG_INT_MAX = -(2**31), 2**31 - 1


class ArchiveError(Exception):
    """A refusal with one clear line; nothing was written when it is raised."""


Row = dict[str, Any]


def table_of(name: str) -> Table:
    """The model's table of that name."""
    return Base.metadata.tables[name]


def columns_of(name: str) -> list[str]:
    """The columns exported for a table: all of them, in the model's order."""
    return [c.name for c in table_of(name).columns]


# ---------------------------------------------------------------------------------------------- values


def timestamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def encode_value(value: Any) -> Any:
    """A column value as JSON: timestamps as ISO 8601 UTC with microseconds, dates as YYYY-MM-DD.

    A time stored without a zone (a session's start, as its file wrote it) keeps its own clock time, no Z.
    """
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.strftime("%Y-%m-%dT%H:%M:%S.%f")
        return timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def encode_row(row: Mapping[str, Any], names: Sequence[str]) -> Row:
    return {name: encode_value(row[name]) for name in names}


def decode_value(column: Column[Any], value: Any) -> Any:
    """A JSON value back to what the column stores; raises ValueError naming what was expected."""
    kind = column.type
    if value is None:
        if not column.nullable:
            raise ValueError("is empty but must have a value")
        return None
    if isinstance(kind, UTCDateTime):
        if not isinstance(value, str) or not TIMESTAMP.fullmatch(value):
            raise ValueError("expected a UTC time like 2020-05-31T09:30:00.000000Z")
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    if isinstance(kind, DateTime):
        if not isinstance(value, str) or not LOCAL_TIME.fullmatch(value):
            raise ValueError("expected a time without a zone like 2020-05-31T09:30:00.000000")
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f")
    if isinstance(kind, Date):
        if not isinstance(value, str) or not DAY.fullmatch(value):
            raise ValueError("expected a date like 2020-05-31")
        return date.fromisoformat(value)
    if isinstance(kind, Boolean):
        if not isinstance(value, bool):
            raise ValueError("expected true or false")
        return value
    if isinstance(kind, Integer):
        if type(value) is not int or not PG_INT_MIN <= value <= PG_INT_MAX:
            raise ValueError("expected a whole number")
        return value
    if isinstance(kind, Float):
        if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
            raise ValueError("expected a number")
        return float(value)
    if isinstance(kind, String):
        if not isinstance(value, str):
            raise ValueError("expected text")
        if kind.length is not None and len(value) > kind.length:
            raise ValueError(f"is {len(value)} characters long; the limit is {kind.length}")
        if "\x00" in value:
            raise ValueError("contains a NUL character")
        return value
    if isinstance(kind, JSON):
        return value
    raise ValueError(f"has a type this format does not know ({type(kind).__name__})")


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def json_member(raw: bytes, member: str) -> Any:
    try:
        return json.loads(raw.decode("utf-8"), parse_constant=_no_constants)
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ArchiveError(f"{member} is not valid UTF-8 JSON: {str(error).splitlines()[0][:200]}") from None


def table_document(name: str, rows: Sequence[Row]) -> bytes:
    """One table as JSON: a header, then a row per line, keys in column order; same rows, same bytes."""
    head = json.dumps({"format": FORMAT, "table": name, "columns": columns_of(name)}, ensure_ascii=False)
    lines = [json.dumps(row, ensure_ascii=False, allow_nan=False) for row in rows]
    body = ",\n".join(lines)
    return (head[:-1] + ', "rows": [\n' + body + ("\n" if lines else "") + "]}\n").encode("utf-8")
