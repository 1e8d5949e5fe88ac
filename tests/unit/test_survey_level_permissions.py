"""Who sees which survey level report (issue 21): national and regional for everyone signed in; an
organisation's local report for admins, evaluators and the leads of the partner that is the organisation."""

from __future__ import annotations

import pytest

from tracker.db.models import SurveyOrg
from tracker.services.permissions import Principal, can_view_level_report, can_view_org_report

OWN, OTHER = 7, 8

CASES = [
    # (role, the user's partner, the organisation's partner, may see its local report)
    ("admin", None, None, True),
    ("admin", None, OWN, True),
    ("evaluator", None, None, True),
    ("evaluator", None, OWN, True),
    ("lead", OWN, OWN, True),
    ("lead", OWN, OTHER, False),
    ("lead", OWN, None, False),
    ("lead", None, None, False),  # a lead of no partner is not the lead of an organisation of no partner
    ("board", None, OWN, False),
    ("board", None, None, False),
    ("visitor", OWN, OWN, False),  # not a role: nothing
]


@pytest.mark.parametrize(("role", "partner", "org_partner", "allowed"), CASES)
def test_an_organisations_local_report(
    role: str, partner: int | None, org_partner: int | None, allowed: bool
) -> None:
    org = SurveyOrg(
        org_key="la-001", name="Barnet", kind="local_authority", region="London", partner_id=org_partner
    )
    assert can_view_org_report(Principal(1, "u@example.org", role, partner), org) is allowed


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("admin", True), ("evaluator", True), ("lead", True), ("board", True), ("visitor", False)],
)
def test_national_and_regional_reports_are_for_everyone_signed_in(role: str, allowed: bool) -> None:
    assert can_view_level_report(Principal(1, "u@example.org", role, None)) is allowed
