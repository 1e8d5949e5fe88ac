"""Adding one participating organisation on a page (issue 21): administrators only (others 403, audited), a CSV
row's checks with each problem at its field and nothing written, the audit entry, CSRF, and the survey page's
link. The survey is the hand-made round's (tests/services/test_survey_levels_stored.py): organisations a and b
in North (b is the partner tiny-council), c in South."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from tests.conftest import PASSWORD, sign_in
from tests.digest import audit_since, last_audit_id, table_digests
from tests.page import Page, attr
from tests.services.test_survey_levels_stored import SLUG, SURVEY, SURVEY_ID, load_hand_made_round
from tests.web.test_csrf import csrf_token
from tracker.db.models import AuditEvent, SurveyOrg
from tracker.extensions import db
from tracker.services import survey_orgs as survey_orgs_service

BASE = f"/f/{SLUG}/surveys/{SURVEY_ID}"
NEW = f"{BASE}/orgs/new"
GOOD = {"org": "d-trust", "name": "Dale NHS Trust", "kind": "nhs_trust", "region": "South", "partner": ""}
PLAIN_SURVEY = """\
  - id: plain
    title: Plain survey
    scale: agree5
    sections:
      - id: p1
        title: Part 1
        questions: {p1q: I am asked}
"""


@pytest.fixture
def national_app(
    app: Flask, framework: str, load_framework: Any, tiny_yaml: str, runner: Any, tmp_path: Path
) -> Flask:
    load_hand_made_round(app, load_framework, tiny_yaml, runner, tmp_path)
    two = tiny_yaml.replace(
        "  - {id: tiny-council, name: Tiny Council, kind: local_authority, tier: primary}\n",
        "  - {id: tiny-council, name: Tiny Council, kind: local_authority, tier: primary}\n"
        "  - {id: other-council, name: Other Council, kind: local_authority, tier: secondary}\n",
    )
    load_framework(two.replace("version: 1", "version: 3") + SURVEY.format(minimum=10) + PLAIN_SURVEY)
    return app


def client_as(app: Flask, make_user: Any, role: str) -> Any:
    client = app.test_client()
    if role != "anonymous":
        sign_in(client, make_user(role))  # a lead of tiny-council, the partner that is organisation b
    return client


def stored(app: Flask) -> dict[str, tuple[str, str, str, int | None]]:
    with app.app_context():
        orgs = db.session.scalars(select(SurveyOrg).where(SurveyOrg.survey_slug == SURVEY_ID))
        return {o.org_key: (o.name, o.kind, o.region, o.partner_id) for o in orgs}


@pytest.mark.parametrize("role", ["admin", "evaluator", "board", "lead", "anonymous"])
def test_only_administrators_may_open_and_post_the_page(
    national_app: Flask, make_user: Any, role: str
) -> None:
    client = client_as(national_app, make_user, role)
    for method in ("get", "post"):
        before, last = table_digests(national_app), last_audit_id(national_app)
        response = getattr(client, method)(NEW, **({"data": GOOD} if method == "post" else {}))
        if role == "anonymous":
            assert response.status_code == 302 and response.headers["Location"].startswith("/login")
        elif role == "admin":
            assert response.status_code == (200 if method == "get" else 302)
            continue
        else:
            assert response.status_code == 403, (method, role)
            assert [action for action, *_ in audit_since(national_app, last)] == ["refused"]
        assert table_digests(national_app) == before
    assert ("d-trust" in stored(national_app)) == (role == "admin")


def test_the_form(national_app: Flask, make_user: Any) -> None:
    page = Page.of(client_as(national_app, make_user, "admin").get(NEW), 200)
    assert page.h1 == "Add an organisation to Health Check"
    assert [text for text in page.texts("main form label")] == [
        "Organisation id", "Name", "Kind", "Region", "Partner (optional)",
    ]  # fmt: skip
    assert [(attr(o, "value"), o.get_text()) for o in page.all("#kind option")] == [
        ("", "Choose a kind"), ("local_authority", "Local authority"), ("nhs_trust", "NHS trust"),
        ("not_for_profit", "Not for profit"), ("other", "Other"),
    ]  # fmt: skip
    assert [(attr(o, "value"), o.get_text()) for o in page.all("#partner option")] == [
        ("", "None"), ("other-council", "Other Council"), ("tiny-council", "Tiny Council"),
    ]  # fmt: skip
    assert attr(page.field("region"), "list") == "region-suggestions"
    assert [attr(o, "value") for o in page.all("datalist#region-suggestions option")] == ["North", "South"]
    assert attr(page.field("name"), "maxlength") == "200" and attr(page.field("org"), "maxlength") == "64"


def test_an_organisation_is_added_audited_and_listed(national_app: Flask, make_user: Any) -> None:
    client = client_as(national_app, make_user, "admin")
    response = client.post(NEW, data={**GOOD, "name": "  Dale  NHS Trust ", "partner": "other-council"})
    assert response.status_code == 302 and response.headers["Location"] == BASE
    page = Page.of(client.get(BASE), 200)
    assert "Organisation d-trust added." in page.flashes
    assert stored(national_app)["d-trust"][:3] == ("Dale NHS Trust", "nhs_trust", "South")
    assert "Dale NHS Trust (South)" in page.texts("ul.level-links-orgs li")
    with national_app.app_context():
        [event] = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "survey_org.add")).all()[
            -1:
        ]
        assert (event.object_type, event.object_id) == ("survey_org", f"{SURVEY_ID}/d-trust")
        assert event.after == {
            "org": "d-trust", "org_name": "Dale NHS Trust", "kind": "nhs_trust", "region": "South",
            "partner": "other-council",
        }  # fmt: skip


BAD_FIELDS = [
    ({"org": "d trust"}, "org", "Organisation id 'd trust' is not a valid id"),
    ({"org": ""}, "org", "Organisation id must not be blank"),
    ({"org": "a"}, "org", "Organisation 'a' is already loaded; change it by loading a CSV"),
    ({"org": "A"}, "org", "Organisation id 'A' differs only in capitals from 'a', already loaded"),
    ({"name": " "}, "name", "Name must not be blank"),
    ({"kind": "council"}, "kind", "Kind 'council' is not one of: local_authority"),
    ({"kind": ""}, "kind", "Choose the organisation's kind"),
    ({"region": "south"}, "region", "Region 'south' differs only in capitals from 'South'"),
    ({"region": ""}, "region", "Region must not be blank"),
    ({"partner": "nope"}, "partner", "Unknown partner 'nope'"),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD_FIELDS, ids=[c[2][:40] for c in BAD_FIELDS])
def test_each_bad_field_is_located_and_nothing_is_written(
    national_app: Flask, make_user: Any, change: dict[str, str], field: str, message: str
) -> None:
    client = client_as(national_app, make_user, "admin")
    before, last = table_digests(national_app), last_audit_id(national_app)
    page = Page.of(client.post(NEW, data={**GOOD, **change}), 400)
    page.assert_error_at(field, message)
    assert len(page.error_summary) == 1
    assert page.value("name") == (change.get("name", GOOD["name"]))
    assert table_digests(national_app) == before and audit_since(national_app, last) == []


def test_every_bad_field_is_reported_at_once(national_app: Flask, make_user: Any) -> None:
    bad = {"org": "b", "name": "", "kind": "x", "region": "NORTH", "partner": "nope"}
    page = Page.of(client_as(national_app, make_user, "admin").post(NEW, data=bad), 400)
    assert [target for target, _message in page.error_summary] == ["org", "name", "kind", "region", "partner"]


@pytest.mark.parametrize("survey", ["plain", "nope"])
def test_a_survey_without_organisations_has_no_such_page(
    national_app: Flask, make_user: Any, survey: str
) -> None:
    client = client_as(national_app, make_user, "admin")
    assert client.get(f"/f/{SLUG}/surveys/{survey}/orgs/new").status_code == 404
    before = table_digests(national_app)
    assert client.post(f"/f/{SLUG}/surveys/{survey}/orgs/new", data=GOOD).status_code == 404
    assert table_digests(national_app) == before


@pytest.mark.parametrize("role", ["admin", "evaluator", "lead"])
def test_the_survey_page_links_the_page_for_administrators(
    national_app: Flask, make_user: Any, role: str
) -> None:
    client = client_as(national_app, make_user, role)
    links = Page.of(client.get(BASE), 200).links()
    assert (("Add an organisation", NEW) in links) == (role == "admin")
    plain = Page.of(client.get(f"/f/{SLUG}/surveys/plain"), 200).links()
    assert not any(text == "Add an organisation" for text, _href in plain)


def test_a_post_without_its_csrf_token_is_refused(national_app: Flask, make_app: Any, make_user: Any) -> None:
    guarded = make_app(WTF_CSRF_ENABLED=True)
    client = guarded.test_client()
    email = make_user("admin")
    sign_in_page = client.get("/login")
    signed_in = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf_token(sign_in_page)}
    )
    assert signed_in.status_code == 302
    before = table_digests(guarded)
    assert client.post(NEW, data=GOOD).status_code == 400
    assert table_digests(guarded) == before
    token = csrf_token(client.get(NEW))
    assert client.post(NEW, data={**GOOD, "csrf_token": token}).status_code == 302
    assert "d-trust" in stored(guarded)


def test_an_id_another_admin_adds_at_the_same_moment_is_located_not_a_500(
    national_app: Flask, make_user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The other admin's row lands between this request's read and its insert: the database's unique rule
    refuses the insert, and the page says so at the field with nothing of this request written."""
    client = client_as(national_app, make_user, "admin")
    assert client.post(NEW, data=GOOD).status_code == 302  # the other admin's d-trust
    monkeypatch.setattr(survey_orgs_service, "stored_orgs", lambda *_args: [])  # read before it landed
    before, last = table_digests(national_app), last_audit_id(national_app)
    page = Page.of(client.post(NEW, data={**GOOD, "name": "Dale Trust again"}), 400)
    page.assert_error_at("org", "Organisation 'd-trust' is already loaded; change it by loading a CSV")
    assert table_digests(national_app) == before and audit_since(national_app, last) == []
