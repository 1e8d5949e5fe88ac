"""Reading an import's CSV file: rows numbered as a spreadsheet shows them, and its problems, kept bounded."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from tracker.domain.csv_rows import decode_csv, read_csv
from tracker.domain.kpi_sources import stored_source, typed_refusal
from tracker.domain.problems import ProblemLog, RowProblem
from tracker.services.evidence import FrameworkContext
from tracker.services.permissions import Principal

MAX_CSV_BYTES = 10 * 1024 * 1024
MAX_ROWS = 50_000

T = TypeVar("T")


@dataclass
class ImportResult:
    """What an import did: rows added and skipped, or the first problems and how many there were in all."""

    problems: list[RowProblem] = field(default_factory=list)
    problem_count: int = 0
    added: int = 0
    skipped: int = 0

    @property
    def ok(self) -> bool:
        return not self.problem_count

    @property
    def more_problems(self) -> int:
        """Problems found but not listed."""
        return self.problem_count - len(self.problems)

    @classmethod
    def failed(cls, problems: ProblemLog) -> ImportResult:
        return cls(problems=problems.first(), problem_count=problems.total)


@dataclass(frozen=True)
class ImportScope:
    """What checking a file needs to know of the framework and importer, as plain values read beforehand."""

    slug: str
    framework_id: int
    linkable: dict[str, str]  # element id -> kind, current elements only
    partners: dict[str, int]  # partner id (slug) -> database id
    kpis: frozenset[str]
    per_partner_kpis: frozenset[str]
    kpi_units: dict[str, str]  # KPI id -> unit, which its values are checked against
    own_partner: str  # a lead's partner (when it is a partner of the framework), else ""
    # KPIs whose value comes from an event (`source:`), with why a value typed for one is refused
    sourced_kpis: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, ctx: FrameworkContext, p: Principal) -> ImportScope:
        kpis = {s: e for s, e in ctx.elements.items() if e.kind == "kpi" and e.archived_at is None}
        return cls(
            slug=ctx.framework.slug,
            framework_id=ctx.framework.id,
            linkable=ctx.linkable,
            partners={slug: partner.id for slug, partner in ctx.partners.items()},
            kpis=frozenset(kpis),
            per_partner_kpis=frozenset(s for s, e in kpis.items() if e.attrs.get("per_partner")),
            kpi_units={s: str(e.attrs.get("unit", "")) for s, e in kpis.items()},
            own_partner=ctx.partner_slug(p.partner_id) if p.role == "lead" else "",
            sourced_kpis={
                s: typed_refusal(s, source)
                for s, e in kpis.items()
                if (source := stored_source(e.attrs)) is not None
            },
        )

    @property
    def partner_ids(self) -> set[int]:
        return set(self.partners.values())


@dataclass(frozen=True)
class CheckedFile(Generic[T]):
    """A file checked without touching the database: its clean rows, or its problems."""

    scope: ImportScope
    rows: list[tuple[int, T]]
    problems: ProblemLog

    @property
    def ok(self) -> bool:
        return not self.problems


def read_rows(
    raw: bytes, columns: tuple[str, ...], required: tuple[str, ...], problems: ProblemLog
) -> list[tuple[int, dict[str, str]]]:
    """Rows numbered as a spreadsheet shows them (the header is row 1); problems found are added."""
    text = decode_csv(raw, problems, MAX_CSV_BYTES)
    if text is None:
        return []
    return read_csv(text, columns, required, problems, max_rows=MAX_ROWS).rows
