"""A survey's participating organisations (issue 21) from a CSV file, each bad cell located by row and column.

Columns: `org` (the id respondents' rows give), `name`, `kind`, `region`, and optionally `partner` (a partner
id of the framework, whose leads then see the organisation's local report). Judgement calls:

- An id is letters, digits, `-`, `_` and `.`, up to 64 characters, matched exactly (capitals count), since
  a respondent's `org` cell must name it exactly; ids that differ only in capitals are refused, in a file
  or against the organisations already loaded, as they would be two organisations a reader takes for one.
- A kind is matched ignoring capitals, and spaces or hyphens for underscores ("NHS trust" is `nhs_trust`).
- A region's inner spaces are collapsed; one that differs only in capitals from another region of the file,
  or of an organisation loaded before that the file leaves as it is, is refused: it would split a region in
  two. (A file that gives every organisation of a region can so correct the region's capitals.)
- Without a `partner` column an organisation loaded again keeps its partner; a blank `partner` cell clears it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tracker.domain.csv_rows import decode_csv, read_csv
from tracker.domain.problems import ProblemLog
from tracker.domain.surveys import did_you_mean
from tracker.domain.text_limits import SURVEY_ORG_NAME, SURVEY_ORG_REGION, TextLimit

ORG_FILE_COLUMNS: tuple[str, ...] = ("org", "name", "kind", "region", "partner")
ORG_FILE_REQUIRED: tuple[str, ...] = ("org", "name", "kind", "region")
ORG_KINDS: tuple[str, ...] = ("local_authority", "nhs_trust", "not_for_profit", "other")
ORG_KEY_MAX = 64
ORG_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


@dataclass(frozen=True, slots=True)
class OrgRow:
    """One organisation as the file gives it; `partner` is a partner id of the framework, "" for none."""

    row: int
    org: str
    name: str
    kind: str
    region: str
    partner: str | None = None  # None: the file has no partner column (a stored partner is kept)

    def values(self) -> dict[str, Any]:
        """What is stored about it, as the audit trail records it before and after a change."""
        return {
            "org": self.org,
            "org_name": self.name,
            "kind": self.kind,
            "region": self.region,
            "partner": self.partner,
        }


def kind_of(text: str) -> str | None:
    """The kind code a cell names, ignoring capitals and spaces or hyphens for underscores; None if none."""
    code = "_".join(text.casefold().replace("-", " ").replace("_", " ").split())
    return code if code in ORG_KINDS else None


def _line(text: str, column: str, limit: TextLimit, problems: ProblemLog, number: int) -> str:
    """A required one-line text cell, trimmed and single-spaced; "" (with a problem) when it is not one."""
    value = " ".join(text.split())
    if not value:
        problems.add(number, f"{column} must not be blank", column=column)
        return ""
    if any(ch < " " or ch == "\x7f" for ch in text.strip()):
        problems.add(number, f"{column} must be one line without control characters", column=column)
        return ""
    if (problem := limit.problem(value)) is not None:
        problems.add(number, f"{column} {problem}", column=column)
        return ""
    return value


def check_org_row(
    number: int,
    cells: Mapping[str, str],
    partners: Collection[str],
    folded: Mapping[str, str],
    file_orgs: dict[str, int],
    problems: ProblemLog,
) -> OrgRow | None:
    """One row's organisation, or None when a cell is bad; `folded` maps loaded ids, case-folded, to them,
    and `file_orgs` the ids seen so far (case-folded) to their rows. A CSV row and the page's form both."""
    before = problems.total
    org = cells.get("org", "").strip()
    if not org:
        problems.add(number, "org must not be blank: it is the id respondents' rows give", column="org")
    elif len(org) > ORG_KEY_MAX or not ORG_KEY.fullmatch(org):
        problems.add(
            number,
            f"'{org[:60]}' is not a valid id: use letters, digits, '-', '_' and '.' "
            f"(at most {ORG_KEY_MAX} characters, starting with a letter or digit)",
            column="org",
        )
    elif org.casefold() in file_orgs:
        problems.add(number, f"org '{org}' is already on row {file_orgs[org.casefold()]}", column="org")
    else:
        file_orgs[org.casefold()] = number
        other = folded.get(org.casefold(), org)
        if other != org:
            problems.add(
                number,
                f"org '{org}' differs only in capitals from '{other}', already loaded; "
                "use the same id to update it",
                column="org",
            )
    name = _line(cells.get("name", ""), "name", SURVEY_ORG_NAME, problems, number)
    raw_kind = cells.get("kind", "").strip()
    kind = kind_of(raw_kind)
    if kind is None:
        found = f"'{raw_kind[:40]}' is not" if raw_kind else "is blank, but must be"
        hint = did_you_mean("_".join(raw_kind.casefold().split()), ORG_KINDS) if raw_kind else ""
        problems.add(number, f"kind {found} one of: {', '.join(ORG_KINDS)}{hint}", column="kind")
    region = _line(cells.get("region", ""), "region", SURVEY_ORG_REGION, problems, number)
    partner = cells["partner"].strip() if "partner" in cells else None
    if partner and partner not in partners:
        problems.add(
            number,
            f"unknown partner '{partner[:60]}'{did_you_mean(partner, partners)}: "
            "not a partner of this framework",
            column="partner",
        )
    if problems.total > before or kind is None:
        return None
    return OrgRow(number, org, name, kind, region, partner)


def _check_regions(rows: Sequence[OrgRow], loaded: Mapping[str, str], problems: ProblemLog) -> None:
    """No two regions that differ only in capitals, in the file or against those it leaves as they are."""
    given = {row.org for row in rows}
    seen: dict[str, tuple[str, str]] = {}
    for org, region in sorted(loaded.items()):
        if org not in given:
            seen.setdefault(region.casefold(), (region, f"the region of '{org}', already loaded"))
    for row in rows:
        other = seen.setdefault(row.region.casefold(), (row.region, f"row {row.row}"))
        if other[0] != row.region:
            problems.add(
                row.row,
                f"region '{row.region}' differs only in capitals from '{other[0]}' ({other[1]}); "
                "write a region the same way each time",
                column="region",
            )


def parse_orgs(
    raw: bytes,
    partners: Collection[str],
    loaded: Mapping[str, str] | None = None,
    *,
    max_bytes: int,
    max_rows: int,
) -> tuple[tuple[OrgRow, ...], ProblemLog]:
    """Every organisation of the file, or none with the problems (all counted, the first kept).

    `partners` are the framework's partner ids; `loaded` maps the survey's organisations already stored to
    their regions, so that an id or a region that differs from one of them only in capitals is refused.
    """
    problems = ProblemLog()
    text = decode_csv(raw, problems, max_bytes)
    if text is None:
        return (), problems
    table = read_csv(text, ORG_FILE_COLUMNS, ORG_FILE_REQUIRED, problems, max_rows=max_rows)
    if problems:
        return (), problems
    stored = loaded or {}
    folded = {org.casefold(): org for org in stored}
    file_orgs: dict[str, int] = {}
    found = [
        row
        for number, cells in table.rows
        if (row := check_org_row(number, cells, partners, folded, file_orgs, problems)) is not None
    ]
    _check_regions(found, stored, problems)
    if not table.rows:
        problems.add(2, "the file has no organisations")
    if problems:
        return (), problems
    return tuple(found), problems


def check_one_org(
    cells: Mapping[str, str], partners: Collection[str], loaded: Mapping[str, str]
) -> tuple[OrgRow | None, ProblemLog]:
    """One organisation added on its own (the page's form, row 1): a CSV row's checks, and its id must be new.

    `loaded` maps the survey's organisations already stored to their regions; one already loaded is changed
    only by a CSV, so that a page cannot overwrite what a file gave without the file saying so.
    """
    problems = ProblemLog()
    org = cells.get("org", "").strip()
    if org in loaded:
        problems.add(1, f"organisation '{org}' is already loaded; change it by loading a CSV", column="org")
        folded: dict[str, str] = {}
    else:
        folded = {key.casefold(): key for key in loaded}
    row = check_org_row(1, cells, partners, folded, {}, problems)
    region = " ".join(cells.get("region", "").split())
    if region and not any(problem.column == "region" for problem in problems.first()):
        # checked whatever else is wrong, so that every field's problem is reported at once
        for key, other in sorted(loaded.items()):
            if other != region and other.casefold() == region.casefold():
                problems.add(
                    1,
                    f"region '{region}' differs only in capitals from '{other}' (the region of '{key}', "
                    "already loaded); write a region the same way each time",
                    column="region",
                )
                break
    return (None, problems) if problems else (row, problems)
