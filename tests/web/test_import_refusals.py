"""Imports a user may not make answer 403 (audited, nothing written), like the forms; the duplicate check is
blind to items the importer cannot see (issue 15, C and D)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from ..conftest import sign_in
from ..import_checks import audit_since, digest, last_audit_id
from ..page import Page

SLUG = "tiny-partnership"
EVIDENCE_HEADER = (
    "title,summary,source_type,collected_on,links,finding,respondents,population,positive,collection,group,"
    "independent,partner,quote,url,flags,status"
)
KPI_HEADER = "kpi,period,period_end,value,partner,note"


def upload(client: FlaskClient, text: str, kind: str = "evidence", slug: str = SLUG) -> Any:
    return client.post(
        f"/f/{slug}/import", data={"kind": kind, "file": (io.BytesIO(text.encode()), "up.csv")}
    )


def notices(client: FlaskClient, path: str) -> list[str]:
    """The page's notices but the one left from signing in."""
    page = Page.of(client.get(path), 200)
    return [n for n in page.flashes if n != "You are signed in."]


@pytest.mark.parametrize(
    ("kind", "text", "row"),
    [
        pytest.param(
            "evidence",
            EVIDENCE_HEADER + "\n"
            "Mine,,survey,2023-01-01,educators-supported,supports,,,,,,,,,,,\n"
            "Theirs,,survey,2023-01-01,educators-supported,supports,,,,,,,other-council,,,,\n",
            3,
            id="evidence",
        ),
        pytest.param(
            "kpi",
            KPI_HEADER
            + "\nstatutory-share,2021/22,2022-03-31,76,,\nstatutory-share,2022/23,2023-03-31,79,other-council,\n",
            3,
            id="kpi",
        ),
    ],
)
def test_a_leads_file_naming_another_partner_is_refused(
    app: Flask, as_role: Any, make_evidence: Any, kind: str, text: str, row: int
) -> None:
    make_evidence(status="submitted")
    lead = as_role("lead")
    before, last = digest(app), last_audit_id(app)
    response = upload(lead, text, kind)
    assert response.status_code == 403
    assert digest(app) == before, "nothing of the file was written, not even its good rows"
    [(action, object_type, object_id, detail)] = audit_since(app, last)
    assert (action, object_type, object_id) == ("refused", "framework", SLUG)
    assert (
        detail
        == f"import CSV: row {row} names the partner 'other-council': you may import your own partner's only"
    )


def test_a_lead_may_name_its_own_partner(app: Flask, as_role: Any) -> None:
    lead = as_role("lead")
    response = upload(lead, KPI_HEADER + "\nstatutory-share,2022/23,2023-03-31,79,tiny-council,\n", "kpi")
    assert response.status_code == 302
    assert notices(lead, f"/f/{SLUG}/kpis") == ["Imported 1 KPI values."]


@pytest.fixture
def outsider(app: Flask, framework: str, load_framework: Any, tiny_yaml: str, make_user: Any) -> str:
    """A lead whose partner belongs to another framework only."""
    load_framework(
        tiny_yaml.replace("id: tiny-partnership", "id: far-partnership").replace(
            "{id: tiny-council, name: Tiny Council", "{id: far-council, name: Far Council"
        )
    )
    return make_user("lead", "far-council")  # type: ignore[no-any-return]


def test_a_lead_outside_the_framework_may_not_open_or_post_the_import(
    app: Flask, outsider: str, make_evidence: Any
) -> None:
    make_evidence(status="submitted")
    client = app.test_client()
    sign_in(client, outsider)
    before, last = digest(app), last_audit_id(app)
    assert client.get(f"/f/{SLUG}/import").status_code == 403
    for kind, text in [
        ("evidence", EVIDENCE_HEADER + "\nMine,,survey,2023-01-01,educators-supported,supports,,,,,,,,,,,\n"),
        ("kpi", KPI_HEADER + "\nstatutory-share,2022/23,2023-03-31,79,,\n"),
    ]:
        assert upload(client, text, kind).status_code == 403
    assert digest(app) == before
    assert [(a, t, o) for a, t, o, _detail in audit_since(app, last)] == [("refused", "framework", SLUG)] * 3
    # Its own framework opens and imports.
    assert client.get("/f/far-partnership/import").status_code == 200
    good = EVIDENCE_HEADER + "\nMine,,survey,2023-01-01,educators-supported,supports,,,,,,,,,,,\n"
    assert upload(client, good, slug="far-partnership").status_code == 302


def test_an_admin_may_always_import(app: Flask, as_role: Any) -> None:
    admin = as_role("admin")
    assert admin.get(f"/f/{SLUG}/import").status_code == 200
    text = (
        EVIDENCE_HEADER + "\nTheirs,,survey,2023-01-01,educators-supported,supports,,,,,,,other-council,,,,\n"
    )
    assert upload(admin, text).status_code == 302


def test_the_duplicate_check_sees_only_what_the_importer_may_see(
    app: Flask, as_role: Any, make_evidence: Any
) -> None:
    """Another partner's private draft with the same title, date, type, finding and links changes nothing."""
    make_evidence(status="draft", partner="other-council")  # "Practice educator survey", 2023-03-01, …
    row = "Practice educator survey,,survey,2023-03-01,educators-supported,supports,,,,,,,,,,,\n"
    lead = as_role("lead")
    assert upload(lead, EVIDENCE_HEADER + "\n" + row).status_code == 302
    assert notices(lead, f"/f/{SLUG}/evidence") == ["Imported 1 evidence items."]
    # The same row again is skipped: now it is the lead's own partner's item.
    assert upload(lead, EVIDENCE_HEADER + "\n" + row).status_code == 302
    assert notices(lead, f"/f/{SLUG}/evidence") == ["Imported 0 evidence items. 1 were already present."]
    # A lead of the other partner sees its own draft as already present, not the first lead's item.
    other = as_role("lead", partner="other-council")
    assert upload(other, EVIDENCE_HEADER + "\n" + row).status_code == 302
    assert notices(other, f"/f/{SLUG}/evidence") == ["Imported 0 evidence items. 1 were already present."]
    # An admin sees both.
    admin = as_role("admin")
    assert upload(admin, EVIDENCE_HEADER + "\n" + row + row).status_code == 302
    assert notices(admin, f"/f/{SLUG}/evidence") == ["Imported 0 evidence items. 2 were already present."]
