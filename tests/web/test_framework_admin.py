"""Frameworks managed on the web (issue 22): an admin uploads a file, sees its problems beside its lines or a
preview of what loading it would do (nothing written), loads it on confirmation through the CLI's service,
and reads each framework's versions, their diffs and their files; every other role is refused."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tracker.db.models import AuditEvent, Framework, FrameworkVersion, KpiValue, utcnow
from tracker.domain.loader import parse_framework
from tracker.extensions import db
from tracker.ratings import upkeep
from tracker.services import evidence as evidence_service
from tracker.services import framework_admin

from ..conftest import PASSWORD, sign_in
from ..digest import audit_since, last_audit_id, table_digests
from ..page import Page, badge, text_of

SLUG = "tiny-partnership"
UPLOAD = "/frameworks/admin/upload"
CONFIRM = "/frameworks/admin/confirm"
OTHER_PARTNER = "  - {id: other-council, name: Other Council, kind: local_authority, tier: secondary}\n"
SUPPORTED = (
    "      - {id: educators-supported, text: Practice educators feel supported, quadrant: effect-quality, "
    "term: short}\n"
)
NEW_OUTCOME = (
    "      - {id: placement-quality, text: Students rate their placements good, quadrant: effect-quality, "
    "term: medium}\n"
)


@pytest.fixture
def v1(tiny_yaml: str, framework: str) -> str:
    """The text the `framework` fixture loaded as version 1 (the tiny framework with a second partner)."""
    return tiny_yaml.replace(
        "  - {id: tiny-council, name: Tiny Council, kind: local_authority, tier: primary}\n",
        "  - {id: tiny-council, name: Tiny Council, kind: local_authority, tier: primary}\n" + OTHER_PARTNER,
    )


def version_2(v1: str) -> str:
    """Archives an outcome, a KPI and a partner; changes an outcome's text and another's date; adds one."""
    text = v1.replace("version: 1", "version: 2").replace(OTHER_PARTNER, "").replace(SUPPORTED, NEW_OUTCOME)
    text = text.replace(
        "text: More students have statutory placements, quadrant: effect-quantity, term: short, "
        "kpis: [statutory-share]}",
        "text: More students have a statutory placement in their first year, quadrant: effect-quantity, "
        "term: short}",
    )
    text = text.replace("expected_by: 2026-03-31", "expected_by: 2023-01-01")
    text = text[: text.index("    kpis:\n")]
    return text + "# <script>alert('x')</script> is only a comment\n"


def add_kpi_values(app: Flask) -> None:
    """Two current values of the tiny framework's KPI, and one superseded (history, not counted)."""
    with app.app_context(), db.unit_of_work() as session:
        ctx = evidence_service.framework_context(session, SLUG)
        assert ctx is not None
        kpi = ctx.elements["statutory-share"]
        for period, end, value, superseded in (
            ("2021/22", date(2022, 3, 31), 76.0, None),
            ("2022/23", date(2023, 3, 31), 79.0, utcnow()),
            ("2022/23", date(2023, 3, 31), 80.0, None),
        ):
            session.add(
                KpiValue(
                    framework_id=ctx.framework.id,
                    element_id=kpi.id,
                    period=period,
                    period_end=end,
                    value=value,
                    superseded_at=superseded,
                )
            )
        upkeep.inputs_changed(session, ctx.framework.id, [kpi.id])


BOUNDARY = "framework-admin-test-boundary"


def upload(client: FlaskClient, content: str | bytes, name: str = "tiny-v2.yaml", **fields: str) -> Any:
    """Posts the file as a browser would. The body is made here: the test client's own encoding spools a
    large body to a temporary file it never closes (a ResourceWarning, which the suite makes an error)."""
    data = content.encode("utf-8") if isinstance(content, str) else content
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'.encode()
        for key, value in fields.items()
    ]
    parts.append(
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n".encode()
        + data
        + b"\r\n"
    )
    body = b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()
    return client.post(UPLOAD, data=body, content_type=f"multipart/form-data; boundary={BOUNDARY}")


def sealed_of(page: Page) -> str:
    return str(page.one(f"form[action='{CONFIRM}'] input[name=sealed]")["value"])


@pytest.fixture
def admin(as_role: Any) -> FlaskClient:
    client: FlaskClient = as_role("admin")
    client.get("/")  # the sign-in message is shown and gone
    return client


def nothing_written(app: Flask) -> Any:
    """A check, made later, that no row of any table (the audit trail included) changed since now."""
    before, last = table_digests(app), last_audit_id(app)

    def check() -> None:
        assert table_digests(app) == before
        assert audit_since(app, last) == []

    return check


# -- an invalid file ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("line_end", ["\n", "\r\n"])
def test_an_invalid_file_shows_each_problem_beside_its_line(
    app: Flask, admin: FlaskClient, v1: str, line_end: str
) -> None:
    bad = (
        v1.replace("version: 1", "version: 2")
        .replace("    title: Student placements\n", "    title: Student placements\n    colour: blue\n")
        .replace("{id: act-allocation", "{id: aim-ready")
        .replace("quadrant: effect-quality, term: short}", "quadrant: effect-sideways, term: short}")
        .replace("\n", line_end)
    )
    expected = parse_framework(bad, "x").problems
    assert len(expected) == 3
    unchanged = nothing_written(app)
    page = Page.of(upload(admin, bad, "broken.yaml"), 400)
    unchanged()
    assert page.title.startswith("Error: ") and page.h1 == "Load a framework"
    assert page.error_summary == [("problems", "broken.yaml has 3 problems, so nothing was loaded")]
    assert "broken.yaml has 3 problems" in page.text("#file-problems")
    assert "file-problems" in page.described_by("file")
    listed = page.all("ol.file-problems li")
    assert [text_of(li) for li in listed] == [f"{p.line}:{p.column}: {p.message}" for p in expected]
    assert [li.a["href"] for li in listed] == [f"#line-{p.line}" for p in expected]  # type: ignore[index]
    lines = bad.splitlines()
    for number, p in enumerate(expected, start=1):
        row = page.by_id(f"line-{p.line}")
        assert "line-marked" in row["class"]
        assert row.select_one("pre.yaml-line").get_text() == lines[p.line - 1]  # type: ignore[union-attr]
        beside = row.select("p.line-problem")
        assert [text_of(b) for b in beside] == [f"{p.line}:{p.column}: {p.message}"]
        assert beside[0].a["href"] == f"#problem-{number}"  # type: ignore[index]
        caret = row.select_one("pre.caret")
        assert caret is not None and caret.get_text() == " " * (p.column - 1) + "^"
    # The lines around each problem are shown unmarked; the rest of the file is a gap, said in words.
    first = expected[0].line
    assert not page.has(f"#line-{first - 4}") and not page.by_id(f"line-{first - 3}").get("class")
    gaps = page.texts("tr.line-gap td")
    assert gaps[0] == f"Lines 1 to {first - 4} are not shown: no problem there."
    assert page.forms()[0].action == UPLOAD  # the form is there to upload a corrected file


def test_a_syntax_error_at_the_end_is_marked_on_the_last_line(admin: FlaskClient, v1: str) -> None:
    page = Page.of(upload(admin, "id: x\ntitle: [unclosed\n"), 400)
    assert page.texts("ol.file-problems li") == [
        "3:1: YAML syntax error: expected ',' or ']', but got '<stream end>'"
    ]
    assert page.hrefs("ol.file-problems a") == ["#line-2"]
    assert "line-marked" in page.by_id("line-2")["class"]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "1:1: the file is not UTF-8 text"),
        (b"%PDF-1.4\n1 0 obj\n\xff\xfe", "3:1: the file is not UTF-8 text"),
        (b"title,source_type\nA survey,survey\n", "1:1: (root): expected a mapping of keys, found"),
        (b"", "1:1: the file is empty"),
    ],
)
def test_a_file_that_is_not_a_framework_is_refused_with_its_problem(
    app: Flask, admin: FlaskClient, framework: str, content: bytes, problem: str
) -> None:
    unchanged = nothing_written(app)
    page = Page.of(upload(admin, content, "picture.yaml"), 400)
    unchanged()
    [shown] = page.texts("ol.file-problems li")
    assert shown.startswith(problem)
    assert not page.has("form[action='/frameworks/admin/confirm']")


def test_no_file_chosen_is_an_error_at_the_field(admin: FlaskClient) -> None:
    response = admin.post(UPLOAD, data={}, content_type="multipart/form-data")
    Page.of(response, 400).assert_error_at("file", "Choose a framework file (YAML) to upload")


def test_a_file_over_the_limit_is_refused(app: Flask, admin: FlaskClient, v1: str) -> None:
    unchanged = nothing_written(app)
    padded = version_2(v1) + "#" * 1_000_001
    page = Page.of(upload(admin, padded), 400)
    assert page.texts("ol.file-problems li") == [
        "1:1: the file is larger than 1 MB, the limit for a framework file"
    ]
    app.config["UPLOAD_MAX_BYTES"] = 3_000  # the configured upload limit, when lower, is the file's
    page = Page.of(upload(admin, version_2(v1) + "#" * 3_000), 400)
    assert page.texts("ol.file-problems li") == [
        "1:1: the file is larger than 3,000 bytes, the limit for a framework file"
    ]
    assert "at most 3,000 bytes" in page.hint("file")
    # A body far over the limit is refused before it is read.
    response = upload(admin, b"#" * 400_000)
    assert response.status_code == 413
    assert "a framework file may be at most 3,000 bytes" in Page.of(response).main
    unchanged()


# -- the preview -------------------------------------------------------------------------------------------


def test_the_preview_shows_what_loading_would_do_and_writes_nothing(
    app: Flask, admin: FlaskClient, v1: str, make_evidence: Any
) -> None:
    make_evidence(title="Educator survey")
    make_evidence(title="Educator interviews", source_type="interview")
    make_evidence(title="A draft", status="draft")
    make_evidence(title="Another partner's", partner="other-council")
    add_kpi_values(app)
    unchanged = nothing_written(app)
    page = Page.of(upload(admin, version_2(v1)), 200)
    unchanged()
    assert page.h1 == "Check before loading: Tiny Teaching Partnership, version 2"
    assert page.text("#load-summary").startswith(
        "Nothing has been loaded yet. Loading this file would add 1 element, change 2, archive 3 and restore 0"
    )
    assert page.rows("Elements that would be added") == [
        ["Outcome placement-quality", "Students rate their placements good"]
    ]
    assert page.rows("Elements that would change, before and after") == [
        [
            "Outcome more-statutory",
            "More students have statutory placements",
            "More students have a statutory placement in their first year",
            "kpis: statutory-share → becomes (none)",
        ],
        [
            "Outcome retention",
            "Graduates stay in the region",
            "(the same text)",
            "expected_by: 31 March 2026 → becomes 1 January 2023",
        ],
    ]
    archived = page.rows("Elements that would be archived, with the evidence and KPI values linked to each")
    assert archived == [
        ["Outcome educators-supported", "Practice educators feel supported", "4", "0"],
        ["KPI statutory-share", "Share of placements that are statutory", "0", "2"],
    ]
    assert page.rows(
        "Partners that would be archived, with their evidence and KPI values in this framework"
    ) == [["Partner other-council", "Other Council", "1", "0"]]
    ratings = page.table("Outcomes whose computed rating would change")
    changes = {
        text_of(row.th).split()[-1]: (
            badge(row.select("td span.rating")[0]).code,
            badge(row.select("td span.rating")[1]).code,
        )  # type: ignore[union-attr]
        for row in ratings.select("tbody tr")
    }
    assert changes["retention"][0] == "not_yet" and changes["retention"][1] != "not_yet"
    assert all(before != after for before, after in changes.values())
    assert "educators-supported" not in changes  # archived: no longer rated
    form = page.form(CONFIRM)
    assert form.method == "post" and page.has(f"form[action='{CONFIRM}'] button[type=submit]")
    assert sealed_of(page)


def test_the_same_file_again_would_change_nothing(app: Flask, admin: FlaskClient, v1: str) -> None:
    unchanged = nothing_written(app)
    page = Page.of(upload(admin, v1 + "# only a comment\n"), 200)
    unchanged()
    assert page.text("#load-summary") == (
        "Version 1 is already loaded with the same content: loading this file would change nothing."
    )
    assert not page.has(f"form[action='{CONFIRM}']")


def test_a_changed_file_with_the_same_version_is_refused(app: Flask, admin: FlaskClient, v1: str) -> None:
    unchanged = nothing_written(app)
    page = Page.of(upload(admin, v1.replace("Tiny Teaching Partnership", "Tiny Partnership")), 400)
    unchanged()
    assert page.field_error("file") == (
        "tiny-v2.yaml: tiny-partnership: version 1 is already loaded with different content; "
        "raise 'version' to 2 to load the change; nothing was changed"
    )


# -- confirming ------------------------------------------------------------------------------------------------


def test_confirming_loads_the_previewed_file_as_the_command_does(
    app: Flask, admin: FlaskClient, v1: str, make_evidence: Any
) -> None:
    make_evidence()
    text = version_2(v1).replace("\n", "\r\n")  # line ends are kept as they were
    sealed = sealed_of(Page.of(upload(admin, text, "tiny v2.yaml"), 200))
    last = last_audit_id(app)
    response = admin.post(CONFIRM, data={"sealed": sealed})
    assert response.status_code == 302 and response.headers["Location"] == f"/f/{SLUG}/versions"
    page = Page.of(admin.get(response.headers["Location"]), 200)
    assert page.flashes == [
        "Loaded version 2 of Tiny Teaching Partnership: 1 added, 2 changed, 3 archived, 0 restored."
    ]
    with app.app_context():
        version = db.session.scalars(select(FrameworkVersion).where(FrameworkVersion.version == 2)).one()
        assert version.yaml_text == text and version.source_name == "tiny v2.yaml"
        assert version.loaded_by.startswith("admin") and version.changes["archived"] == [
            "outcome educators-supported",
            "kpi statutory-share",
            "partner other-council",
        ]
        assert db.session.scalars(select(Framework.current_version)).one() == 2
        event = db.session.scalars(select(AuditEvent).where(AuditEvent.id > last)).one()
        assert (event.action, event.object_id, event.detail) == ("framework.load", SLUG, "tiny v2.yaml")
        assert event.actor == version.loaded_by and event.role == "admin"
        assert event.after is not None and event.after["version"] == 2
    # Loading version 1's content again as version 3 restores what version 2 archived.
    page = Page.of(upload(admin, v1.replace("version: 1", "version: 3")), 200)
    assert page.rows("Archived elements that would be restored") == [
        ["Outcome educators-supported", "Practice educators feel supported"],
        ["KPI statutory-share", "Share of placements that are statutory"],
    ]
    assert page.rows("Partners that would be restored") == [["Partner other-council", "Other Council"]]


def test_a_file_at_the_limit_loads_byte_for_byte(app: Flask, admin: FlaskClient, v1: str) -> None:
    """The signed text the preview carries (escaped, compressed, base64) fits the confirmation's limit even
    for a file of the largest size in four-byte characters, which compress worst."""
    text = version_2(v1)
    room = (1_000_000 - len(text.encode()) - 3) // 4
    text += "# " + "".join(chr(0x1F600 + (i * 7919) % 80) for i in range(room)) + "\n"
    assert 999_990 < len(text.encode()) <= 1_000_000
    page = Page.of(upload(admin, text), 200)
    assert admin.post(CONFIRM, data={"sealed": sealed_of(page)}).status_code == 302
    assert admin.get(f"/f/{SLUG}/versions/2.yaml").get_data() == text.encode()


def test_a_new_framework_is_previewed_and_loaded(app: Flask, admin: FlaskClient, v1: str) -> None:
    other = v1.replace("id: tiny-partnership", "id: second-partnership").replace(
        "title: Tiny Teaching Partnership", "title: Second Partnership"
    )
    page = Page.of(upload(admin, other, "second.yaml"), 200)
    assert page.text("#load-facts").endswith(
        "Not loaded yet: this file adds a new framework This file Version 1"
    )
    assert len(page.rows("Elements that would be added")) == 8
    assert "its outcomes are rated once it is loaded" in page.main
    response = admin.post(CONFIRM, data={"sealed": sealed_of(page)})
    assert response.headers["Location"] == "/f/second-partnership/versions"
    with app.app_context():
        assert db.session.scalars(select(Framework.slug).order_by(Framework.slug)).all() == [
            "second-partnership",
            SLUG,
        ]


def test_a_confirmation_after_the_framework_moved_on_loads_nothing(
    app: Flask, admin: FlaskClient, v1: str, load_framework: Any
) -> None:
    sealed = sealed_of(Page.of(upload(admin, version_2(v1).replace("version: 2", "version: 3")), 200))
    load_framework(v1.replace("version: 1", "version: 2").replace("Graduates stay", "Graduates remain"))
    unchanged = nothing_written(app)
    response = admin.post(CONFIRM, data={"sealed": sealed})
    unchanged()
    page = Page.of(response, 409)
    assert page.text("#moved-notice") == (
        "Nothing was loaded: Tiny Teaching Partnership changed after your preview (version 2 was loaded by "
        "test). This is what loading your file would do now; check it and confirm again."
    )
    assert "Version 2, loaded by test" in page.text("#load-facts")
    renewed = sealed_of(page)  # the new preview is confirmed as it now stands
    assert renewed != sealed
    assert admin.post(CONFIRM, data={"sealed": renewed}).status_code == 302
    with app.app_context():
        assert db.session.scalars(select(Framework.current_version)).one() == 3


def test_a_confirmation_of_a_version_loaded_meanwhile_is_refused(
    app: Flask, admin: FlaskClient, v1: str, load_framework: Any
) -> None:
    sealed = sealed_of(Page.of(upload(admin, version_2(v1)), 200))
    load_framework(v1.replace("version: 1", "version: 2").replace("Graduates stay", "Graduates remain"))
    unchanged = nothing_written(app)
    page = Page.of(admin.post(CONFIRM, data={"sealed": sealed}), 409)
    unchanged()
    assert page.field_error("file") == (
        "tiny-v2.yaml: tiny-partnership: version 2 is already loaded with different content; "
        "raise 'version' to 3 to load the change; nothing was changed"
    )


def test_a_changed_or_forged_confirmation_loads_nothing(app: Flask, admin: FlaskClient, v1: str) -> None:
    sealed = sealed_of(Page.of(upload(admin, version_2(v1)), 200))
    forged = framework_admin.seal("another secret", framework_admin.unseal(app.config["SECRET_KEY"], sealed))  # type: ignore[arg-type]
    unchanged = nothing_written(app)
    for token in (sealed[:-2] + ("AA" if not sealed.endswith("AA") else "BB"), forged, ""):
        page = Page.of(admin.post(CONFIRM, data={"sealed": token}), 400)
        assert (page.field_error("file") or "").startswith("The preview could not be read")
    unchanged()


# -- history, diff and download ------------------------------------------------------------------------------


@pytest.fixture
def two_versions(admin: FlaskClient, v1: str) -> str:
    """Version 2 loaded through the pages; returns its text."""
    text = version_2(v1)
    page = Page.of(upload(admin, text, "tiny-v2.yaml"), 200)
    assert admin.post(CONFIRM, data={"sealed": sealed_of(page)}).status_code == 302
    return text


def test_the_history_says_who_loaded_each_version_when_and_what_changed(
    admin: FlaskClient, two_versions: str
) -> None:
    page = Page.of(admin.get(f"/f/{SLUG}/versions"), 200)
    assert page.h1 == "Versions of Tiny Teaching Partnership"
    rows = page.all("#versions tbody tr")
    assert [text_of(r.th) for r in rows] == ["2 (current)", "1"]  # type: ignore[arg-type]
    newest = rows[0].find_all("td", recursive=False)
    assert newest[1].get_text().startswith("admin") and text_of(newest[2]) == "tiny-v2.yaml"
    assert [text_of(s) for s in newest[3].select("summary")] == ["1 added", "2 changed", "3 archived"]
    # Names, not ids (tests/web/test_no_internal_ids.py): the id stays where nobody reads it.
    archived = newest[3].select_one('li[data-element="educators-supported"]')
    assert archived is not None and text_of(archived) == "Outcome: Practice educators feel supported"
    assert text_of(rows[1].find_all("td")[3]).startswith("New framework. 10 added")
    assert page.links("#versions a[download]") == [
        ("Download version 2", f"/f/{SLUG}/versions/2.yaml"),
        ("Download version 1", f"/f/{SLUG}/versions/1.yaml"),
    ]
    assert (f"/f/{SLUG}/versions/diff?from=1&to=2") in page.hrefs("#versions a")
    assert ("Versions", f"/f/{SLUG}/versions") in page.links("nav.subnav a")


def test_the_diff_shows_elements_and_escaped_lines(admin: FlaskClient, two_versions: str, v1: str) -> None:
    page = Page.of(admin.get(f"/f/{SLUG}/versions/diff?from=1&to=2"), 200)
    assert page.value("from") == "1" and page.value("to") == "2"
    assert page.rows("Elements in version 2 but not in version 1") == [
        ["Outcome placement-quality", "Students rate their placements good"]
    ]
    assert [r[0] for r in page.rows("Elements in version 1 but not in version 2")] == [
        "Outcome educators-supported",
        "KPI statutory-share",
        "Partner other-council",
    ]
    assert [r[0] for r in page.rows("Elements that differ, before and after")] == [
        "Outcome more-statutory",
        "Outcome retention",
    ]
    lines = [text_of(s) for s in page.all("#yaml-diff > code > span")]
    assert lines[:2] == [f"--- {SLUG}-v1.yaml", f"+++ {SLUG}-v2.yaml"]
    assert "Removed: -version: 1" in lines and "Added: +version: 2" in lines
    assert "Added: +# <script>alert('x')</script> is only a comment" in lines
    assert not page.has("main script") and "&lt;script&gt;" in page.html
    # By default the two newest versions; a version that does not exist is an error at its field.
    assert Page.of(admin.get(f"/f/{SLUG}/versions/diff"), 200).value("from") == "1"
    wrong = Page.of(admin.get(f"/f/{SLUG}/versions/diff?from=7&to=2"), 400)
    wrong.assert_error_at("from", "Choose a version of Tiny Teaching Partnership from the list")
    assert admin.get("/f/no-such-framework/versions/diff").status_code == 404


def test_each_version_downloads_byte_for_byte(admin: FlaskClient, two_versions: str, v1: str) -> None:
    for number, text in ((1, v1), (2, two_versions)):
        response = admin.get(f"/f/{SLUG}/versions/{number}.yaml")
        assert response.status_code == 200 and response.get_data() == text.encode("utf-8")
        assert response.headers["Content-Type"] == "text/yaml; charset=utf-8"
        assert response.headers["Content-Disposition"] == f'attachment; filename="{SLUG}-v{number}.yaml"'
    assert admin.get(f"/f/{SLUG}/versions/3.yaml").status_code == 404
    assert admin.get("/f/nothing/versions").status_code == 404


def test_the_pages_link_to_the_versions_and_the_upload(admin: FlaskClient, as_role: Any) -> None:
    index = Page.of(admin.get("/"), 200)
    assert ("Versions", f"/f/{SLUG}/versions") in index.links("main table a")
    assert ("Load a framework", UPLOAD) in index.links('nav[aria-label="Main"] a')
    framework_page = Page.of(admin.get(f"/f/{SLUG}/"), 200)
    assert ("Versions", f"/f/{SLUG}/versions") in framework_page.links("nav.subnav a")
    board = Page.of(as_role("board").get(f"/f/{SLUG}/"), 200)
    assert all(href != f"/f/{SLUG}/versions" for href in board.hrefs())
    assert all(href != UPLOAD for href in board.hrefs())


# -- who may ----------------------------------------------------------------------------------------------


ROUTES = (
    ("get", UPLOAD),
    ("post", UPLOAD),
    ("post", CONFIRM),
    ("get", f"/f/{SLUG}/versions"),
    ("get", f"/f/{SLUG}/versions/1.yaml"),
    ("get", f"/f/{SLUG}/versions/diff?from=1&to=1"),
)


@pytest.mark.parametrize("role", ["lead", "evaluator", "board"])
def test_every_other_role_is_refused_and_the_refusal_audited(
    app: Flask, make_user: Any, framework: str, v1: str, role: str
) -> None:
    client = app.test_client()
    sign_in(client, make_user(role), PASSWORD)
    sealed = framework_admin.seal(
        app.config["SECRET_KEY"], framework_admin.Sealed(version_2(v1), "x.yaml", None)
    )
    for method, url in ROUTES:
        before, last = table_digests(app), last_audit_id(app)
        data = {"file": (io.BytesIO(version_2(v1).encode()), "x.yaml"), "sealed": sealed}
        if method == "post":
            response = client.post(url, data=data, content_type="multipart/form-data")
        else:
            response = client.get(url)
        assert response.status_code == 403, (url, response.status_code)
        assert table_digests(app) == before, url
        assert [action for action, _t, _d in audit_since(app, last)] == ["refused"], url


def test_signed_out_visitors_are_sent_to_sign_in(app: Flask, framework: str) -> None:
    client = app.test_client()
    for method, url in ROUTES:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login"), url


def test_the_forms_need_their_csrf_token(make_app: Any, make_user: Any, framework: str, v1: str) -> None:
    csrf_app = make_app(WTF_CSRF_ENABLED=True)
    client = csrf_app.test_client()
    login = Page.of(client.get("/login"), 200)
    token = str(login.one("main form input[name=csrf_token]")["value"])
    client.post("/login", data={"email": make_user("admin"), "password": PASSWORD, "csrf_token": token})
    page = Page.of(client.get(UPLOAD), 200)
    upload_token = str(page.one(f"form[action='{UPLOAD}'] input[name=csrf_token]")["value"])
    unchanged = nothing_written(csrf_app)
    assert upload(client, version_2(v1)).status_code == 400  # no token
    preview = Page.of(upload(client, version_2(v1), csrf_token=upload_token), 200)
    confirm_token = str(preview.one(f"form[action='{CONFIRM}'] input[name=csrf_token]")["value"])
    assert client.post(CONFIRM, data={"sealed": sealed_of(preview)}).status_code == 400  # no token
    unchanged()
    response = client.post(CONFIRM, data={"sealed": sealed_of(preview), "csrf_token": confirm_token})
    assert response.status_code == 302


def test_a_new_framework_added_by_another_admin_at_the_same_moment_is_refused(
    app: Flask, admin: FlaskClient, v1: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two admins confirming the same new framework at once: no row existed to lock, so the second one's insert
    meets the unique key (PostgreSQL), which is a located refusal, not a server error, and nothing is kept."""
    other = v1.replace("id: tiny-partnership", "id: second-partnership")
    sealed = sealed_of(Page.of(upload(admin, other, "second.yaml"), 200))
    real = framework_admin.load_version

    def clashing(session: Any, framework: Any, *args: Any, **kwargs: Any) -> Any:
        real(session, framework, *args, **kwargs)  # the rows go in, then the key clashes as the other commits
        raise IntegrityError("INSERT INTO framework", {}, Exception("duplicate key value violates unique"))

    monkeypatch.setattr(framework_admin, "load_version", clashing)
    unchanged = nothing_written(app)
    page = Page.of(admin.post(CONFIRM, data={"sealed": sealed}), 409)
    unchanged()
    assert page.field_error("file") == (
        "second.yaml: second-partnership was loaded by someone else at the same moment; nothing was changed: "
        "upload the file again to see what it would do now"
    )
