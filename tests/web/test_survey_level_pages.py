"""The national, regional and local report pages of the hand-made round, imported through the services
(tests/services/test_survey_levels_stored.py: organisations a 9, b 10 (partner tiny-council), c 30):
who may open which (the access matrix), what they show, their PDFs, the survey page's lists, and the
administrators' "all reports" job with its progress."""

from __future__ import annotations

import shutil
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.conftest import sign_in
from tests.digest import audit_since, last_audit_id, table_digests
from tests.page import Page
from tests.querycount import count_statements
from tests.services.test_survey_levels_stored import ORGS_CSV, SLUG, SURVEY_ID, invoke, load_hand_made_round
from tests.unit.test_survey_level_csv import HEADER, ORG_B
from tests.web.plan_forms import make_plan
from tracker.extensions import db
from tracker.reports import survey_level_jobs

BASE = f"/f/{SLUG}/surveys/{SURVEY_ID}"
FEWER = "Fewer than 10"
MINUS = "\u2212"
ROLES = ("admin", "evaluator", "board", "own lead", "other lead", "anonymous")
# (page, roles that may open it): the national and regional reports for everyone signed in; a local report
# for administrators, evaluators and the leads of the partner that is the organisation (b is tiny-council)
MATRIX = [
    ("/national", {"admin", "evaluator", "board", "own lead", "other lead"}),
    ("/regions/South", {"admin", "evaluator", "board", "own lead", "other lead"}),
    ("/orgs/b", {"admin", "evaluator", "own lead"}),
    ("/orgs/c", {"admin", "evaluator"}),
    ("/orgs/a", {"admin", "evaluator"}),
    ("/orgs/b.pdf", {"admin", "evaluator", "own lead"}),
    ("/orgs/c.pdf", {"admin", "evaluator"}),
    ("/national.csv", {"admin", "evaluator", "board", "own lead", "other lead"}),
    ("/regions/South.csv", {"admin", "evaluator", "board", "own lead", "other lead"}),
    ("/orgs/b.csv", {"admin", "evaluator", "own lead"}),
    ("/orgs/c.csv", {"admin", "evaluator"}),
    ("/reports", {"admin"}),
]


@pytest.fixture
def national_app(
    app: Flask, framework: str, load_framework: Any, tiny_yaml: str, runner: Any, tmp_path: Path
) -> Flask:
    return load_hand_made_round(app, load_framework, tiny_yaml, runner, tmp_path)


def client_as(app: Flask, make_user: Any, role: str) -> Any:
    client = app.test_client()
    if role == "own lead":
        sign_in(client, make_user("lead", partner="tiny-council"))
    elif role == "other lead":
        sign_in(client, make_user("lead", partner="other-council"))
    elif role != "anonymous":
        sign_in(client, make_user(role))
    return client


@pytest.fixture
def second_partner(national_app: Flask, load_framework: Any, tiny_yaml: str) -> Flask:
    """Another partner in the framework, so a lead of another organisation can sign in."""
    from tests.services.test_survey_levels_stored import SURVEY

    two = tiny_yaml.replace(
        "  - {id: tiny-council, name: Tiny Council, kind: local_authority, tier: primary}\n",
        "  - {id: tiny-council, name: Tiny Council, kind: local_authority, tier: primary}\n"
        "  - {id: other-council, name: Other Council, kind: local_authority, tier: secondary}\n",
    )
    load_framework(two.replace("version: 1", "version: 3") + SURVEY.format(minimum=10))
    return national_app


@pytest.mark.parametrize("role", ROLES)
def test_who_may_open_which_report(second_partner: Flask, make_user: Any, role: str) -> None:
    app = second_partner
    client = client_as(app, make_user, role)
    for path, allowed in MATRIX:
        last = last_audit_id(app)
        response = client.get(BASE + path)
        if role == "anonymous":
            assert response.status_code == 302 and response.headers["Location"].startswith("/login"), path
        elif role in allowed:
            assert response.status_code == 200, (path, role)
        else:
            assert response.status_code == 403, (path, role)
            assert [action for action, *_ in audit_since(app, last)] == ["refused"], (path, role)


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/orgs/zz", "survey 'health-check' has no organisation 'zz'"),
        ("/regions/Nowhere", "This survey has no round for the region 'Nowhere' to report on."),
        ("/national?round=1999", "This survey has no round '1999' to report on."),
        ("/orgs/b?round=1999", "This survey has no round '1999' to report on."),
        ("/orgs/zz.csv", "survey 'health-check' has no organisation 'zz'"),
        ("/regions/Nowhere.csv", "This survey has no round for the region 'Nowhere' to report on."),
        ("/national.csv?round=1999", "This survey has no round '1999' to report on."),
    ],
)
def test_unknown_organisations_regions_and_rounds_are_404(
    national_app: Flask, make_user: Any, path: str, message: str
) -> None:
    response = client_as(national_app, make_user, "admin").get(BASE + path)
    assert Page.of(response, 404).texts("main p")[0] == message


def test_an_unknown_survey_has_no_level_reports(national_app: Flask, make_user: Any) -> None:
    response = client_as(national_app, make_user, "admin").get(f"/f/{SLUG}/surveys/pe-survey/national")
    assert response.status_code == 404


def test_the_national_page(national_app: Flask, make_user: Any) -> None:
    page = Page.of(client_as(national_app, make_user, "board").get(BASE + "/national"), 200)
    assert page.h1 == "National report"
    assert page.title == "National report: Health Check, 2023/24"
    assert page.value("round") == "2023/24"
    assert ("Download the PDF", f"{BASE}/national.pdf?round=2023/24") in [
        (text, href.replace("%2F", "/")) for text, href in page.links("main a")
    ]
    assert page.rows("Average by standard, 2023/24 against 2022/23")[0] == [
        "Overall (Standards 1-2)", "79", "Good", "49", "", "",
    ]  # fmt: skip
    assert page.rows("Overall (Standards 1-2) by region, 2023/24 against 2022/23") == [
        ["North", FEWER, "", "75", ""],
        ["South", FEWER, "", "", ""],  # the nation less South would give North back
    ]
    assert page.rows("Completed by profession, 2023/24") == [
        ["Occupational therapist", FEWER],
        ["Social worker", FEWER],
    ]
    assert page.has("#regions svg[role=img]")


def test_an_earlier_round(national_app: Flask, make_user: Any) -> None:
    """2022/23 had b's 10 and c's 9: b's report shows, c has none, and the nation would give c away."""
    client = client_as(national_app, make_user, "admin")
    b = Page.of(client.get(BASE + "/orgs/b?round=2022/23"), 200)
    assert b.rows("Average by standard, 2022/23")[0] == ["Overall (Standards 1-2)", "75", "Good", "10"]
    c = Page.of(client.get(BASE + "/orgs/c?round=2022/23"), 200)
    assert c.text("#why-not").startswith(
        "Fewer than 10 people completed the Health Check in Southtown Council"
    )
    national = Page.of(client.get(BASE + "/national?round=2022/23"), 200)
    assert national.rows("Average by standard, 2022/23")[0] == ["Overall (Standards 1-2)", FEWER, "", ""]


def test_an_organisations_page_with_its_rank_strip_and_plans(national_app: Flask, make_user: Any) -> None:
    lead = make_user("lead", partner="tiny-council")
    make_plan(national_app, lead, target_kind="standard", target_id=f"{SURVEY_ID}/wx", status="agreed")
    make_plan(national_app, lead, target_kind="standard", target_id=f"{SURVEY_ID}/s1", status="draft")
    client = national_app.test_client()
    sign_in(client, lead)
    page = Page.of(client.get(BASE + "/orgs/b"), 200)
    assert page.h1 == "Local report: Beckside Council"
    assert page.rows("Beckside Council against North and the national average, 2023/24")[-1] == [
        "Workplace experiences", "50", FEWER, "76", "", f"{MINUS}26.0", "2nd of 2",
    ]  # fmt: skip
    assert page.has("#compared svg[role=img]")
    assert page.text("#no-plan-needed").startswith("No standard of Beckside Council")
    assert page.texts(".agreed-plans li") == [
        "Action plan 1: Support for practice educators (Workplace experiences; Agreed; Amber: medium priority)"
    ]
    assert page.links(".agreed-plans a") == [
        ("Action plan 1: Support for practice educators", f"/f/{SLUG}/plans/1")
    ]


def test_an_organisation_of_nine_says_why_and_nothing_else(national_app: Flask, make_user: Any) -> None:
    page = Page.of(client_as(national_app, make_user, "evaluator").get(BASE + "/orgs/a"), 200)
    assert page.text("#why-not").startswith("Fewer than 10 people completed the Health Check in Avon Council")
    assert page.tables() == [] and not page.has("main svg")


@pytest.mark.parametrize("path", ["/national", "/regions/South", "/orgs/b", "/orgs/a"])
def test_each_report_links_its_figures_as_csv(national_app: Flask, make_user: Any, path: str) -> None:
    page = Page.of(client_as(national_app, make_user, "admin").get(f"{BASE}{path}?round=2022/23"), 200)
    links = [(text, href.replace("%2F", "/")) for text, href in page.links("main .report-actions a")]
    assert links == [
        ("Download the PDF", f"{BASE}{path}.pdf?round=2022/23"),
        ("Download these figures as CSV", f"{BASE}{path}.csv?round=2022/23"),
    ]


def test_the_csv_of_a_level_is_its_figures(national_app: Flask, make_user: Any) -> None:
    """Beckside's figures as the engine gives them (tests/unit/test_survey_level_csv.py reads every row),
    named after the framework, survey, round and level; an earlier round by ?round=."""
    client = client_as(national_app, make_user, "admin")
    response = client.get(BASE + "/orgs/b.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert (
        'filename="tiny-partnership-health-check-2023-24-org-b.csv"'
        in response.headers["Content-Disposition"]
    )
    assert response.get_data(as_text=True).split("\r\n") == [HEADER, *ORG_B, ""]
    earlier = client.get(BASE + "/orgs/c.csv?round=2022/23")
    assert "health-check-2022-23-org-c.csv" in earlier.headers["Content-Disposition"]
    assert earlier.get_data(as_text=True).split("\r\n")[1:] == [
        'org,c,completed,,,,,,,,,,,,"Fewer than 10 people completed the Health Check in Southtown Council, so it '
        'has no local report and is not ranked: results from groups under 10 are never shown."',
        "",
    ]


def test_an_organisations_page_sends_as_many_statements_whatever_its_size(
    second_partner: Flask, make_user: Any, runner: Any, tmp_path: Path
) -> None:
    """Beckside (10 respondents, two plans) and Southtown (30, none), each its own partner's organisation:
    the same statements, as the national benchmark's organisations of 10 and 155 (BENCHMARKS.md, issue 21).
    An organisation that is no partner has no plans to read: one statement fewer, whatever its size."""
    app = second_partner
    orgs = tmp_path / "orgs-with-partners.csv"
    orgs.write_text(ORGS_CSV.replace(",South,\n", ",South,other-council\n"), encoding="utf-8")
    invoke(runner, "survey", "orgs", str(orgs), "--framework", SLUG, "--survey", SURVEY_ID)
    lead = make_user("lead", partner="tiny-council")
    for section in ("s1", "wx"):
        make_plan(app, lead, target_kind="standard", target_id=f"{SURVEY_ID}/{section}", status="agreed")
    client = client_as(app, make_user, "admin")
    assert client.get(BASE + "/orgs/b").status_code == 200  # the first view computes and stores the round
    counts, shown = [], []
    for org in ("b", "c"):
        with app.app_context(), count_statements(db.engine) as counter:
            page = Page.of(client.get(f"{BASE}/orgs/{org}"), 200)
        counts.append(counter.count)
        shown.append((page.h1, len(page.texts(".agreed-plans li"))))
    assert shown == [("Local report: Beckside Council", 2), ("Local report: Southtown Council", 0)]
    assert counts[0] == counts[1], counts


def test_the_pdf_is_the_report(national_app: Flask, make_user: Any, tmp_path: Path) -> None:
    response = client_as(national_app, make_user, "admin").get(BASE + "/orgs/b.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert "tiny-partnership-health-check-2023-24-org-b.pdf" in response.headers["Content-Disposition"]
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm is not installed: the PDF's first page is not drawn")
    (tmp_path / "b.pdf").write_bytes(response.data)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "30", "-f", "1", "-l", "1", str(tmp_path / "b.pdf"), str(tmp_path / "b")],
        check=True,
        timeout=60,
    )
    assert (tmp_path / "b-1.png").stat().st_size > 1000


LISTS = [
    ("admin", ["Avon Council", "Beckside Council", "Southtown Council"]),
    ("evaluator", ["Avon Council", "Beckside Council", "Southtown Council"]),
    ("own lead", ["Beckside Council"]),
    ("board", []),
]


@pytest.mark.parametrize(("role", "orgs"), LISTS)
def test_the_survey_page_lists_the_reports_each_may_open(
    national_app: Flask, make_user: Any, role: str, orgs: list[str]
) -> None:
    page = Page.of(client_as(national_app, make_user, role).get(f"/f/{SLUG}/surveys/{SURVEY_ID}"), 200)
    assert page.texts("#level-reports + p + ul a")[0] == "National report"
    assert page.texts("#regional-reports + ul a") == ["North", "South"]
    assert [text for text, _href in page.links(".level-links-orgs a")] == orgs
    if not orgs:
        assert page.text("#local-reports + p").startswith("You may not see any organisation's local report")
    assert page.has(f"a[href^='{BASE}/reports']") == (role == "admin")


def test_all_reports_as_a_background_job_with_progress(national_app: Flask, make_user: Any) -> None:
    threads: list[threading.Thread] = []

    def runner(app: Flask, *args: Any) -> None:
        threads.append(threading.Thread(target=survey_level_jobs._in_thread, args=(app, *args)))
        threads[-1].start()

    national_app.extensions[survey_level_jobs.RUNNER] = runner
    client = client_as(national_app, make_user, "admin")
    page = Page.of(client.get(BASE + "/reports"), 200)
    assert page.text("#progress") == "No set of round 2023/24's reports has been made yet."
    last = last_audit_id(national_app)
    started = client.post(BASE + "/reports?round=2023/24", data={})
    assert started.status_code == 302 and started.headers["Location"].endswith("/reports?round=2023/24")
    assert [(action, detail) for action, _t, detail in audit_since(national_app, last)] == [
        ("survey_reports.start", "round 2023/24: started")
    ]
    for thread in threads:
        thread.join(120)
    done = Page.of(client.get(BASE + "/reports"), 200)
    assert done.text("#progress").startswith("All 6 reports were made")
    names = ["national.pdf", "region-north.pdf", "region-south.pdf", "org-a.pdf", "org-b.pdf", "org-c.pdf"]
    assert [text for text, _href in done.links(".file-list a")] == names
    # Finished: nothing asks again, neither a refresh nor the script.
    assert not done.has("meta[http-equiv=refresh]") and not done.has("script[src$='live-progress.js']")
    assert not done.one("#progress").has_attr("data-live-every")
    assert done.text("#progress-more form button") == "Make them again"
    pdf = client.get(dict((t, h) for t, h in done.links(".file-list a"))["org-b.pdf"])
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert client.get(BASE + "/reports/2023-24/status.json").status_code == 404  # only the listed files


def test_a_running_job_shows_its_progress_and_is_not_started_twice(
    national_app: Flask, make_user: Any
) -> None:
    folder = survey_level_jobs.batch_folder(national_app.instance_path, SLUG, SURVEY_ID, "2023/24")
    status = survey_level_jobs.BatchStatus(
        "running", "2023/24", done=2, total=6, files=("national.pdf", "region-north.pdf"),
        started_at=survey_level_jobs._now(), updated_at=survey_level_jobs._now(),
    )  # fmt: skip
    survey_level_jobs.write_status(folder, status)
    national_app.extensions[survey_level_jobs.RUNNER] = lambda *args: pytest.fail("started twice")
    client = client_as(national_app, make_user, "admin")
    response = client.get(BASE + "/reports")
    page = Page.of(response, 200)
    assert page.text("#progress").startswith("2 of 6 reports made")
    assert page.one("progress")["value"] == "2" and page.one("progress")["max"] == "6"
    assert not page.has("main form[method=post]")
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "unsafe" not in policy  # the script is a file of this site
    # No timed reload for a browser running script (WCAG 2.2.1): the refresh is inside <noscript> only.
    assert not page.has("head > meta[http-equiv=refresh]") and not page.has("body meta")
    assert page.one("head > noscript > meta[http-equiv=refresh]")["content"] == "5"
    script = page.one("head > script[src$='live-progress.js']")
    assert script["src"] == "/static/live-progress.js" and script.has_attr("defer") and script.text == ""
    # What the script reads and updates: the polite region that says how often, and the parts by id.
    region = page.by_id("progress")
    assert (region["role"], region["data-live-every"]) == ("status", "5")
    assert not region.select("progress")  # the bar is outside the region, which announces the words only
    more = page.by_id("progress-more")
    assert more.has_attr("data-live-part") and more.select_one("progress#progress-bar") is not None
    assert [a.text for a in more.select(".file-list a")] == ["national.pdf", "region-north.pdf"]
    served = client.get("/static/live-progress.js")
    assert served.status_code == 200 and served.mimetype in {"text/javascript", "application/javascript"}
    served.close()
    before = table_digests(national_app, exclude=("audit_event",))
    assert client.post(BASE + "/reports", data={}).status_code == 302
    assert table_digests(national_app, exclude=("audit_event",)) == before


def test_the_survey_page_shows_no_figure_outside_the_level_reports(
    national_app: Flask, make_user: Any
) -> None:
    """The framework-level page's plain scoring would not apply suppression across levels (North's change
    beside b's report would give a's nine away), so for a survey of organisations it shows none of it."""
    client = client_as(national_app, make_user, "admin")
    page = Page.of(client.get(f"/f/{SLUG}/surveys/{SURVEY_ID}?round=2023/24"), 200)
    assert not page.has("#scores-caption") and not page.has("#distance") and not page.has("#change-note")
    assert not page.has(f"a[href*='/surveys/{SURVEY_ID}/results.csv']")
    assert "national, regional and local reports" in page.text("p.lead")
    assert page.has("#level-reports")
    download = client.get(f"/f/{SLUG}/surveys/{SURVEY_ID}/results.csv?round=2023/24")
    assert download.status_code == 404 and b"section,group" not in download.data
