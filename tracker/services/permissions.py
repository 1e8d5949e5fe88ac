"""Who may do what to which object: the one policy every view and service asks."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_, true

from tracker.db.models import Evidence, SurveyOrg, User

ROLES = frozenset({"admin", "lead", "evaluator", "board"})
LEAD_EDITABLE = ("draft", "submitted", "returned")
# (from status, to status) -> roles allowed to make the move (a lead only on its own partner's items).
TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    ("draft", "submitted"): frozenset({"lead", "admin"}),
    ("returned", "submitted"): frozenset({"lead", "admin"}),
    ("submitted", "draft"): frozenset({"lead", "admin"}),
    ("submitted", "accepted"): frozenset({"evaluator", "admin"}),
    ("submitted", "returned"): frozenset({"evaluator", "admin"}),
    ("accepted", "returned"): frozenset({"evaluator", "admin"}),
}


@dataclass(frozen=True)
class Principal:
    """The acting user as plain values, so policy checks need no database."""

    user_id: int | None
    email: str
    role: str
    partner_id: int | None

    @classmethod
    def of(cls, user: User) -> Principal:
        return cls(user.id, user.email, user.role, user.partner_id)

    @classmethod
    def command_line(cls) -> Principal:
        """Whoever runs the `tracker` command on the server administers it."""
        return cls(None, "command line", "admin", None)


def _own(p: Principal, evidence: Evidence) -> bool:
    return p.role == "lead" and p.partner_id is not None and evidence.partner_id == p.partner_id


def can_view_evidence(p: Principal, evidence: Evidence) -> bool:
    """Accepted items are open to every signed-in user (ratings and the report rest on them and list them);
    a draft stays with its partner; evaluators also see what is submitted or returned."""
    if p.role == "admin" or _own(p, evidence) or evidence.status == "accepted":
        return p.role in ROLES
    if p.role == "evaluator":
        return evidence.status != "draft"
    return False


def evidence_visible(p: Principal) -> ColumnElement[bool]:
    """The same rule as can_view_evidence, as a SQL condition for lists."""
    if p.role == "admin":
        return true()
    if p.role == "evaluator":
        return Evidence.status != "draft"
    if p.role == "board":
        return Evidence.status == "accepted"
    if p.role == "lead" and p.partner_id is not None:
        return or_(Evidence.partner_id == p.partner_id, Evidence.status == "accepted")
    if p.role == "lead":
        return Evidence.status == "accepted"
    return false()


def can_create_evidence(p: Principal, framework_partner_ids: set[int]) -> bool:
    if p.role == "admin":
        return True
    return p.role == "lead" and p.partner_id in framework_partner_ids


def can_edit_evidence(p: Principal, evidence: Evidence) -> bool:
    if p.role == "admin":
        return True
    return _own(p, evidence) and evidence.status in LEAD_EDITABLE


def can_move(p: Principal, evidence: Evidence, to_status: str) -> bool:
    roles = TRANSITIONS.get((evidence.status, to_status))
    if roles is None or p.role not in roles:
        return False
    return p.role != "lead" or _own(p, evidence)


def can_review(p: Principal) -> bool:
    return p.role in {"evaluator", "admin"}


def can_enter_kpi_value(p: Principal, framework_partner_ids: set[int], partner_id: int | None) -> bool:
    """Leads give their own partner's values (or framework-wide ones when their partner is a member)."""
    if p.role == "admin":
        return True
    if p.role != "lead" or p.partner_id not in framework_partner_ids:
        return False
    return partner_id in (None, p.partner_id)


def can_import_into(p: Principal, framework_partner_ids: set[int]) -> bool:
    """CSV imports and survey rounds: admins, and leads whose partner is a partner of this framework."""
    if p.role == "admin":
        return True
    return p.role == "lead" and p.partner_id is not None and p.partner_id in framework_partner_ids


def can_manage_event(p: Principal, framework_partner_ids: set[int], hosts: Collection[int]) -> bool:
    """Creating an event and loading its files from the web: admins, and leads of its host partner (the
    partner most of its sessions name, `tracker.events.manage.host_partners`); while no session names a
    partner (a new event, say), the leads of every partner of the framework."""
    if p.role == "admin":
        return True
    if not can_import_into(p, framework_partner_ids):
        return False
    return not hosts or p.partner_id in hosts


def can_manage_survey_orgs(p: Principal) -> bool:
    """A survey's participating organisations span every partner and none: administrators load them."""
    return p.role == "admin"


def can_view_level_report(p: Principal) -> bool:
    """A survey's national and regional results (issue 21) are for everyone signed in."""
    return p.role in ROLES


def can_view_org_report(p: Principal, org: SurveyOrg) -> bool:
    """An organisation's local results: admins and evaluators, and the leads of the partner that is the
    organisation (`survey_org.partner_id`); not the board, nor other organisations' leads."""
    if p.role in {"admin", "evaluator"}:
        return True
    return p.role == "lead" and p.partner_id is not None and org.partner_id == p.partner_id


def can_make_survey_reports(p: Principal) -> bool:
    """Every report of a round as PDFs (every organisation's local report among them): administrators."""
    return p.role == "admin"


def can_manage_users(p: Principal) -> bool:
    return p.role == "admin"


def can_view_audit(p: Principal) -> bool:
    return p.role == "admin"


def can_manage_api_tokens(p: Principal) -> bool:
    """API tokens (issue 22) read as any user they are made for, an admin among them: administrators only."""
    return p.role == "admin"


def can_manage_frameworks(p: Principal) -> bool:
    """Loading a framework version, its history, diffs and files: administrators (as at the command line)."""
    return p.role == "admin"


def can_write_plan(p: Principal, framework_partner_ids: set[int], plan_partner_id: int | None) -> bool:
    """Action plans: admins any; a lead only its own partner's plans, in frameworks its partner belongs to."""
    if p.role == "admin":
        return True
    return (
        p.role == "lead"
        and p.partner_id is not None
        and p.partner_id in framework_partner_ids
        and plan_partner_id == p.partner_id
    )


def can_comment_plan(p: Principal) -> bool:
    return p.role in {"evaluator", "admin"}
