"""GET /frameworks/{slug}/evidence and /evidence/{id}: the web's visibility to the letter, per role, with what
a token may not read a 404 (never a 403); a revoked token is a 401; the list's statements constant."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.digest import database_digest
from tests.page import Page
from tests.querycount import count_statements
from tracker.api import tokens
from tracker.db.models import Attachment
from tracker.extensions import db
from tracker.services.audit import Actor

from .test_api_ratings import big_yaml, ok

LIST = "/api/v1/frameworks/tiny-partnership/evidence"
PROBLEM = "application/problem+json"


def items(make_evidence: Any) -> dict[str, int]:
    """One item in each status for the lead's partner (tiny-council) and for another partner, by name."""
    made = {}
    for partner in ("tiny-council", "other-council"):
        for n, status in enumerate(("draft", "submitted", "returned", "accepted")):
            made[f"{partner} {status}"] = make_evidence(
                title=f"{partner} {status}",
                partner=partner,
                status=status,
                collected_on=date(2023, 1, 1 + n),
                collection=f"{partner}-{status}",
            )
    return made


VISIBLE = {
    "admin": {
        f"{p} {s}"
        for p in ("tiny-council", "other-council")
        for s in ("draft", "submitted", "returned", "accepted")
    },
    "evaluator": {
        f"{p} {s}" for p in ("tiny-council", "other-council") for s in ("submitted", "returned", "accepted")
    },
    "board": {"tiny-council accepted", "other-council accepted"},
    "lead": {f"tiny-council {s}" for s in ("draft", "submitted", "returned", "accepted")}
    | {"other-council accepted"},
}


def web_list_ids(client: FlaskClient) -> set[int]:
    page = Page.of(client.get("/f/tiny-partnership/evidence"), 200)
    return {int(m[1]) for href in page.hrefs("main a") if (m := re.fullmatch(r"/evidence/(\d+)", href))}


@pytest.mark.parametrize("role", ["admin", "evaluator", "board", "lead"])
def test_each_role_reads_exactly_what_the_web_shows_it(
    as_role: Any, api_as: Any, make_evidence: Any, role: str
) -> None:
    made = items(make_evidence)
    client = api_as(role)
    body = ok(client, LIST)
    listed = {entry["title"] for entry in body["data"]}
    assert listed == VISIBLE[role]
    assert {entry["id"] for entry in body["data"]} == web_list_ids(as_role(role))
    for title, evidence_id in made.items():
        response = client.get(f"{LIST}/{evidence_id}")
        if title in VISIBLE[role]:
            assert response.status_code == 200 and response.get_json()["title"] == title
        else:  # not 403: an id another role may not read does not tell that it exists
            assert response.status_code == 404 and response.mimetype == PROBLEM, (role, title)


def test_a_leads_token_cannot_read_another_partners_draft(api_as: Any, make_evidence: Any) -> None:
    made = items(make_evidence)
    lead = api_as("lead")
    hidden = lead.get(f"{LIST}/{made['other-council draft']}")
    missing = lead.get(f"{LIST}/999999")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.mimetype == missing.mimetype == PROBLEM
    assert hidden.get_json()["title"] == missing.get_json()["title"] == "Not Found"
    assert ok(lead, f"{LIST}/{made['tiny-council draft']}")["status"] == "draft"  # its own partner's draft
    # The other partner's lead reads that draft, and not this one's.
    other = api_as("lead", partner="other-council")
    assert other.get(f"{LIST}/{made['other-council draft']}").status_code == 200
    assert other.get(f"{LIST}/{made['tiny-council draft']}").status_code == 404


def test_a_board_token_sees_accepted_evidence_only(api_as: Any, make_evidence: Any) -> None:
    made = items(make_evidence)
    board = api_as("board")
    assert {e["status"] for e in ok(board, LIST)["data"]} == {"accepted"}
    for status in ("draft", "submitted", "returned"):
        assert ok(board, f"{LIST}?status={status}")["data"] == []
        assert board.get(f"{LIST}/{made[f'tiny-council {status}']}").status_code == 404


def test_a_revoked_token_gets_401_and_writes_nothing(
    app: Flask, client: FlaskClient, make_token: Any, make_evidence: Any
) -> None:
    make_evidence()
    raw = make_token("admin")
    headers = {"Authorization": f"Bearer {raw}"}
    assert client.get(LIST, headers=headers).status_code == 200
    with app.app_context(), db.unit_of_work() as session:
        found = tokens.authenticate(session, raw)
        assert found is not None
        assert tokens.revoke_token(session, Actor("test"), found.token_id) is True
    before = database_digest(app)
    for path in (LIST, f"{LIST}/1", "/api/v1/frameworks"):
        response = client.get(path, headers=headers)
        assert response.status_code == 401 and response.mimetype == PROBLEM
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert database_digest(app) == before


def test_an_item_shows_the_fields_of_its_page_and_its_files_by_name_and_size(
    app: Flask, api_as: Any, make_evidence: Any
) -> None:
    item = make_evidence(
        links=("educators-supported", "out-days", "statutory-share"),
        quote="It helped.",
        url="https://example.org/report",
        flags=["indirect"],
        shows="how_well",
    )
    with app.app_context(), db.unit_of_work() as session:
        session.add(
            Attachment(
                evidence_id=item,
                original_name="survey results.pdf",
                stored_name="0123456789abcdef.bin",
                content_type="application/pdf",
                size=12_345,
                sha256="a" * 64,
            )
        )
    entry = ok(api_as("board"), f"{LIST}/{item}")
    assert entry["links"] == {
        "outcomes": ["educators-supported"],
        "outputs": ["out-days"],
        "kpis": ["statutory-share"],
    }
    assert entry["attachments"] == [{"name": "survey results.pdf", "size": 12_345}]
    assert entry["partner"] == {"id": "tiny-council", "name": "Tiny Council"}
    assert (entry["respondents"], entry["population"], entry["positive"]) == (18, 30, 15)
    assert (entry["source_type"], entry["finding"], entry["shows"], entry["kpi"]) == (
        "survey",
        "supports",
        "how_well",
        None,
    )
    assert entry["collected_on"] == "2023-03-01" and entry["independent"] is True
    assert entry["flags"] == ["indirect"] and entry["quote"] == "It helped."
    assert entry["status"] == "accepted" and entry["created_at"].endswith("Z")
    assert ok(api_as("board"), LIST)["data"] == [entry]  # the list gives each item as the item does


def test_the_filters_and_the_paging_follow_the_evidence_lists_order(api_as: Any, make_evidence: Any) -> None:
    made = items(make_evidence)
    make_evidence(title="Statutory audit", links=("more-statutory",), collected_on=date(2023, 1, 2))
    lead = api_as("lead")
    every = [e["id"] for e in ok(lead, f"{LIST}?limit=500")["data"]]
    # Newest collected first; on the same day the newest logged first.
    assert every[:3] == [
        made["other-council accepted"],
        made["tiny-council accepted"],
        made["tiny-council returned"],
    ]
    seen: list[int] = []
    url = f"{LIST}?limit=2"
    while url:
        body = ok(lead, url)
        assert len(body["data"]) <= 2
        seen += [e["id"] for e in body["data"]]
        url = f"{LIST}?limit=2&cursor={body['next_cursor']}" if body["next_cursor"] else ""
    assert seen == every
    drafts = ok(lead, f"{LIST}?status=draft")["data"]
    assert [e["title"] for e in drafts] == ["tiny-council draft"]
    statutory = ok(lead, f"{LIST}?outcome=more-statutory")["data"]
    assert [e["title"] for e in statutory] == ["Statutory audit"]
    for query, name in (("status=lost", "status"), ("cursor=WzFd", "cursor"), ("cursor=Ig", "cursor")):
        response = lead.get(f"{LIST}?{query}")
        assert response.status_code == 400 and response.mimetype == PROBLEM
        assert name in response.get_json()["detail"]


def test_an_item_of_another_framework_or_no_number_is_404(
    api_as: Any, make_evidence: Any, load_framework: Any
) -> None:
    item = make_evidence()
    load_framework(big_yaml("elsewhere", outcomes=2))
    client = api_as("admin")
    assert client.get(f"{LIST}/{item}").status_code == 200
    for path in (
        f"/api/v1/frameworks/elsewhere/evidence/{item}",
        f"{LIST}/abc",
        f"{LIST}/{'9' * 30}",
        f"{LIST}/-1",
        f"/api/v1/frameworks/nope/evidence/{item}",
        "/api/v1/frameworks/nope/evidence",
    ):
        response = client.get(path)
        assert response.status_code == 404 and response.mimetype == PROBLEM, path
    assert client.open(f"{LIST}/{item}", method="DELETE").status_code == 405


def test_etags_answer_304_until_the_evidence_changes(api_as: Any, make_evidence: Any) -> None:
    item = make_evidence()
    client = api_as("board")
    for path in (LIST, f"{LIST}/{item}"):
        etag = client.get(path).headers["ETag"]
        assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    etag = client.get(LIST).headers["ETag"]
    make_evidence(title="Another")
    assert client.get(LIST, headers={"If-None-Match": etag}).status_code == 200


def test_the_list_sends_as_many_statements_for_many_items(
    app: Flask, api_as: Any, make_evidence: Any
) -> None:
    client = api_as("lead")
    counts = []
    for size in (2, 40):
        for n in range(size):
            make_evidence(title=f"Item {n}", collection=f"c{n}", status=("accepted", "draft")[n % 2])
        ok(client, LIST)
        with app.app_context():
            engine = db.engine
        with count_statements(engine) as counted:
            body = ok(client, LIST)
        counts.append(counted.count)
    assert len(body["data"]) == 42
    assert counts[0] == counts[1], counts
