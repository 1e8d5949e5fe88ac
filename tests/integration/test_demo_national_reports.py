"""The national Health Check's reports on the demo (`tracker demo`: 169 organisations, rounds 2022/23 and
2023/24), as issue 21's "Done when" asks: the national report states the seed's averages (79, then 74) and
its service-area table; every region and every organisation with 10 or more completers has a report, the
others a page that says why and shows no figure; and no figure from fewer than 10 respondents appears in
any output (every page, every level's CSV, `survey results --level ... --json`, a sample of PDFs).

The demo is loaded once for the module and every page and CSV fetched once (`rendered`). Which figures are
suppressed comes from the engine on the stored rows, their true values from the engine at a threshold of 1;
each output is read figure by figure (tests/survey_level_places.py), never searched as a whole.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import (
    _CHEAP_HASHER,
    BACKENDS,
    PASSWORD,
    TrackerCliRunner,
    _no_server_error,
    empty_database,
    sign_in,
)
from tests.page import Page, squash, text_of
from tests.survey_level_places import (
    FEWER,
    FigurePath,
    PageReader,
    Truth,
    check_distance,
    check_place,
    csv_path,
    csv_rows,
    figures,
    levels,
    part_labels,
)
from tracker import create_app
from tracker.db import migrate
from tracker.domain.survey_level_results import LevelResult, Organisation, overall_text
from tracker.domain.survey_levels import national_round
from tracker.domain.surveys import SurveyDefinition, change_points, round_half_up, rounded_score
from tracker.extensions import db
from tracker.reports.survey_level_inputs import report_of, target_of
from tracker.reports.survey_level_render import render_level_html
from tracker.reports.survey_level_tables import short_title
from tracker.services import accounts
from tracker.services import surveys as survey_service
from tracker.services.audit import Actor
from tracker.services.demo_national_round import ROUNDS, SURVEY_ID
from tracker.services.survey_orgs import stored_orgs

SLUG = "employer-standards-2024"
BASE = f"/f/{SLUG}/surveys/{SURVEY_ID}"
TITLE = "Social Work Health Check survey (national)"
ADMIN = "admin@example.org"
Key = tuple[str, str]  # (level, key)


@dataclass
class Demo:
    app: Flask
    client: FlaskClient  # an administrator: every report may be opened
    definition: SurveyDefinition
    truths: dict[str, Truth]  # by round
    completers: dict[str, Counter[str]]  # by round: respondents per organisation, counted from the rows
    names: dict[str, str]  # organisation id -> name


@pytest.fixture(scope="module", params=BACKENDS)
def demo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """`tracker demo` once, on a database of its own, and the engine's answer for each round."""
    folder: Path = tmp_path_factory.mktemp("demo-national")
    with pytest.MonkeyPatch.context() as patch, empty_database(request.param, folder) as url:
        patch.setenv("TRACKER_INSTANCE_PATH", str(folder / "instance"))
        for name in list(os.environ):
            if name.startswith("TRACKER_") and name != "TRACKER_INSTANCE_PATH":
                patch.delenv(name)
        patch.setattr(accounts, "HASHER", _CHEAP_HASHER)
        app = create_app(
            {
                "TESTING": True,
                "DATABASE_URL": url,
                "SECRET_KEY": "test-secret-key-0123456789abcdef0123456789abcdef",
                "WTF_CSRF_ENABLED": False,
                "LOGIN_RATE_LIMIT": "1000 per minute",
            }
        )
        app.after_request(_no_server_error)
        with app.app_context():
            migrate.upgrade(db.engine)
        loaded = TrackerCliRunner(app).invoke(args=["demo"])
        assert loaded.exit_code == 0, loaded.output
        with app.app_context(), db.unit_of_work() as session:
            accounts.create_user(session, Actor("test"), ADMIN, "admin", PASSWORD, None)
        client = app.test_client()
        sign_in(client, ADMIN)
        with app.app_context():
            answers = _engine_answers(app, client)
        yield answers
        app.extensions["tracker_db"][0].dispose()


def _engine_answers(app: Flask, client: FlaskClient) -> Demo:
    session = db.session
    framework_id, definition = survey_service.definition_of(session, SLUG, SURVEY_ID)
    stored = stored_orgs(session, framework_id, SURVEY_ID)
    orgs = tuple(Organisation(o.org_key, o.name, o.kind, o.region) for o in stored)
    rounds = survey_service.rounds(session, framework_id, SURVEY_ID)
    assert [r.label for r in rounds] == list(ROUNDS)
    rows = {r.label: survey_service.responses_of(session, definition, r) for r in rounds}
    everyone = replace(definition, min_group_size=1)
    truths, completers = {}, {}
    for index, this in enumerate(rounds):
        before = rounds[index - 1].label if index else None
        previous = rows[before] if before else ()
        labels: dict[str, Any] = {"round_label": this.label, "previous_label": before}
        truths[this.label] = Truth(
            national_round(definition, orgs, rows[this.label], previous, **labels),
            national_round(everyone, orgs, rows[this.label], previous, **labels),
            definition.min_group_size,
        )
        completers[this.label] = Counter(r.groups["org"] for r in rows[this.label])
    session.rollback()
    return Demo(app, client, definition, truths, completers, {o.id: o.name for o in orgs})


@dataclass
class Rendered:
    pages: dict[Key, Page]
    csvs: dict[Key, str]


def _url(level: str, key: str, suffix: str, label: str) -> str:
    where = {"national": "/national", "region": f"/regions/{key}", "org": f"/orgs/{key}"}[level]
    return f"{BASE}{where}{suffix}?round={label}"


def chosen(truth: Truth) -> list[LevelResult]:
    """The levels whose outputs are read: every one of the latest round; of the round before, the nation,
    every region, every organisation without a report, every one with suppressed figures of its own (beside
    a tiny neighbour) and the first ten (so the module stays under a minute)."""
    if truth.shown.round_label == ROUNDS[-1]:
        return list(levels(truth.shown))
    orgs = list(truth.shown.orgs.values())
    own = [r for r in orgs if not r.reportable or r.overall.suppressed or r.completed.suppressed]
    own += [r for r in orgs if r.reportable and any(s.figure.suppressed for s in r.sections)]
    keys = {r.key for r in [*orgs[:10], *own]}
    return [truth.shown.national, *truth.shown.regions.values(), *(r for r in orgs if r.key in keys)]


@pytest.fixture(scope="module")
def rendered(demo: Demo) -> dict[str, Rendered]:
    """The report page and the CSV of every chosen level of both rounds, fetched once."""
    found = {}
    for label, truth in demo.truths.items():
        pages, csvs = {}, {}
        for result in chosen(truth):
            key = (result.level, result.key)
            page = demo.client.get(_url(*key, "", label))
            pages[key] = Page.of(page, 200)
            sheet = demo.client.get(_url(*key, ".csv", label))
            assert sheet.status_code == 200 and sheet.mimetype == "text/csv", key
            csvs[key] = sheet.get_data(as_text=True)
        found[label] = Rendered(pages, csvs)
    return found


# -- the seed's national figures ------------------------------------------------------------------------


@pytest.mark.parametrize(("label", "average", "previous"), [("2022/23", "79", None), ("2023/24", "74", "79")])
def test_the_national_report_states_the_seeds_national_average(
    rendered: dict[str, Rendered], label: str, average: str, previous: str | None
) -> None:
    page = rendered[label].pages[("national", "")]
    glance = {text_of(d.find("dt")): d.find("dd") for d in page.all("dl.glance > div")}  # type: ignore[arg-type]
    current = glance[f"Average national score {label}"]
    assert current is not None and text_of(current).split()[0] == average
    assert page.one("#standards-table tr[data-key=overall] td.score-cell").get_text() == average
    if previous is not None:
        assert text_of(glance["Average national score 2022/23"]) == previous  # type: ignore[arg-type]
        assert text_of(page.one("#standards-table tr[data-key=overall]").find_all("td")[3]) == previous


# The seed's service-area table of 2023/24: Standards 1-8 and Workplace Experiences, overall and by area
SERVICE_AREAS = [
    ("overall", {"All": "74", "Children": "74", "Adults": "77.5", "Mental health": "75.5"}),
    ("hcn-workplace-experiences", {"All": "66", "Children": "65", "Adults": "68", "Mental health": "64"}),
]


@pytest.mark.parametrize(("row", "expected"), SERVICE_AREAS)
def test_the_national_report_by_service_area_is_the_seeds(
    rendered: dict[str, Rendered], row: str, expected: dict[str, str]
) -> None:
    page = rendered["2023/24"].pages[("national", "")]
    table = page.table("Average by standard by service area, 2023/24")
    heads = [text_of(th) for th in table.select("thead th")]
    assert heads == ["Standard", "All", "Adults", "Children", "Mental health"]
    cells = table.select_one(f"tbody tr[data-key={row}]").find_all("td")  # type: ignore[union-attr]
    shown = {
        head: text_of(cell.select_one(".score-value")) for head, cell in zip(heads[1:], cells, strict=True)
    }
    assert shown == expected


# -- a report for every region and every organisation with 10 or more completers ------------------------


def _no_figure(page: Page, name: str, label: str) -> None:
    """A page without a report: it says why and prints no number but its title's and the threshold."""
    assert not page.has("main table") and not page.has("dl.glance") and not page.has("main svg")
    assert not page.has("#completed-total") and not page.has("nav.toc")
    said = page.text("main")
    for allowed in (name, label, *ROUNDS, TITLE, FEWER, "under 10"):
        said = said.replace(allowed, "")
    assert not re.search(r"\d", said), said


@pytest.mark.parametrize("label", ROUNDS)
def test_every_region_and_organisation_of_10_or_more_has_a_report(
    demo: Demo, rendered: dict[str, Rendered], label: str
) -> None:
    """Every organisation of the latest round; of the round before, those `chosen` reads."""
    truth, pages, counted = demo.truths[label], rendered[label].pages, demo.completers[label]
    if label == ROUNDS[-1]:
        assert len(pages) == 1 + 9 + 169
    for region in truth.shown.regions:
        page = pages[("region", region)]
        assert page.h1 == f"Regional report: {region}" and page.has("#standards-table"), region
    without = []
    for org_id, name in demo.names.items():
        page = pages.get(("org", org_id))
        if page is None:
            continue
        assert page.h1 == f"Local report: {name}"
        if counted[org_id] >= 10:
            assert page.has("#standards-table") and page.has("#questions") and not page.has("#why-not"), (
                org_id
            )
            total = truth.shown.orgs[org_id].completed
            if not total.suppressed:  # its count may go beside a tiny neighbour (rule 4)
                assert page.text("#completed-total") == f"{counted[org_id]:,}"
            continue
        without.append(org_id)
        assert page.text("#why-not") == (
            f"Fewer than 10 people completed the {TITLE} in {name}, so it has no local report and is not "
            "ranked: results from groups under 10 are never shown."
        )
        _no_figure(page, name, label)
    # the demo has six organisations of fewer than 10 in each round (in 2022/23 two of them had no one)
    assert len(without) == 6
    assert set(without) == {o for o, r in truth.shown.orgs.items() if not r.reportable}


# -- no figure from fewer than 10 in any output -----------------------------------------------------------


def _reader(demo: Demo, truth: Truth, page: Page, result: LevelResult) -> PageReader:
    org = result.organisation
    sections = {short_title(s.title): s.id for s in demo.definition.sections}
    return PageReader(
        page, result.level, result.key, "" if org is None else org.region, part_labels(truth.true), sections
    ).read()


def _check_page(demo: Demo, truth: Truth, page: Page, result: LevelResult) -> set[FigurePath]:
    """Every figure the page prints, checked; returns the paths of the suppressed ones it prints."""
    if not result.reportable:
        _no_figure(page, result.name, result.round_label)
        return set()
    reader = _reader(demo, truth, page, result)
    for place in reader.places:
        check_place(truth, place)
    for distance in reader.distances:
        check_distance(truth, distance)
    mine = {path for path, _ in figures(result)}
    missing = mine - {p.path for p in reader.places}
    assert not missing, f"{result.level}:{result.key} leaves out {sorted(missing)[:5]}"
    # a characteristic withheld whole says so in place of its table (and its groups are in no place above)
    assert set(reader.withheld) == {b.name for b in result.overall_characteristics if b.withheld}
    if result.organisation is not None:
        _check_strip(truth, page, result)
    return {p.path for p in reader.places if truth.real[p.path].suppressed}


def _shown(result: LevelResult, key: str) -> float | None:
    """An organisation's figure as its strip mark is placed: None when it is not ranked."""
    if key == "overall":
        return None if result.overall_rank is None else round_half_up(result.overall.score or 0.0, 1)
    section = result.section(key)
    assert section is not None
    return None if section.rank is None else float(rounded_score(section.figure.score or 0.0))


def _check_strip(truth: Truth, page: Page, result: LevelResult) -> None:
    """The ranked strip: as many marks as organisations of the kind ranked on the figure (so no suppressed
    figure is among them), and this organisation's own mark only where it is ranked."""
    assert result.organisation is not None
    kind = result.organisation.kind
    same = [r for r in truth.shown.orgs.values() if r.organisation and r.organisation.kind == kind]
    keys = ["overall", *(s.section for s in result.sections)]
    expected = [(k, [v for r in same if (v := _shown(r, k)) is not None]) for k in keys]
    expected = [(k, marks) for k, marks in expected if marks]
    rows = page.all("svg[data-chart=ranked-strip] g[data-part=strip]")
    assert [int(str(g["data-marks"])) for g in rows] == [len(marks) for _, marks in expected]
    for (key, _marks), row in zip(expected, rows, strict=True):
        mine = row.select_one("circle[data-part=mine]")
        value = _shown(result, key)
        assert (mine is None) == (value is None), key
        if mine is not None and value is not None:
            assert float(str(mine["data-value"])) == pytest.approx(value)


@pytest.mark.parametrize("label", ROUNDS)
def test_no_page_shows_a_figure_from_fewer_than_10(
    demo: Demo, rendered: dict[str, Rendered], label: str
) -> None:
    truth = demo.truths[label]
    printed: set[FigurePath] = set()
    for result in chosen(truth):
        printed |= _check_page(demo, truth, rendered[label].pages[(result.level, result.key)], result)
    # every suppressed figure of every report read was found in its place, saying "Fewer than 10"
    assert printed == _suppressed(truth)
    assert len(printed) > (2_000 if label == ROUNDS[-1] else 200)


def _suppressed(truth: Truth) -> set[FigurePath]:
    """The suppressed figures of the reports `chosen` reads (those with a report)."""
    read = {(r.level, r.key) for r in chosen(truth)}
    return {path for path in truth.suppressed() if path[:2] in read}


def _csv_text(value: float | None, path: FigurePath) -> str:
    if value is None:
        return ""
    return overall_text(value) if path[2] == "overall" else str(rounded_score(value))


@pytest.mark.parametrize("label", ROUNDS)
def test_no_csv_gives_a_figure_from_fewer_than_10(
    demo: Demo, rendered: dict[str, Rendered], label: str
) -> None:
    truth = demo.truths[label]
    hidden = 0
    for result in chosen(truth):
        rows = csv_rows(rendered[label].csvs[(result.level, result.key)])
        if not result.reportable:
            assert [(r["figure"], r["n"], r["note"]) for r in rows] == [("completed", "", result.why_not)]
            continue
        values = [r for r in rows if r["part"] or not r["breakdown"]]  # not a breakdown withheld whole
        assert [csv_path(r) for r in values] == [path for path, _ in figures(result)]
        for row in values:
            path = csv_path(row)
            real, true = truth.real[path], truth.values[path]
            cells = (row["n"], row["score"], row["band"], row["previous"], row["change"])
            if real.suppressed:
                hidden += 1
                assert cells == ("", "", "", "", "") and row["note"] == FEWER, row
                secret = {str(true.n), _csv_text(true.score, path)} - {"", "None"}
                assert not secret & set(row.values()), row  # in no cell of its row
                continue
            assert true.n is not None and true.n >= truth.minimum, (row, true)
            assert row["n"] == str(true.n) and row["score"] == _csv_text(true.score, path), (row, true)
            assert row["band"] == (real.band or "") and row["note"] in ("", "No scored answers"), row
            assert row["change"] == _csv_change(real.change), row
        for row in rows:
            if row["breakdown"] and not row["part"]:
                assert row["note"].startswith("Because of group sizes") and not any(cells_of(row)), row
    assert hidden == len(_suppressed(truth))


def _csv_change(value: float | None) -> str:
    if value is None:
        return ""
    shown = change_points(value)
    return "0.0" if shown == 0 else f"{shown:+.1f}"


def cells_of(row: dict[str, str]) -> list[str]:
    return [row[c] for c in ("n", "score", "band", "previous", "change")]


# -- the command line's JSON ------------------------------------------------------------------------------


def _results_json(demo: Demo, label: str, result: LevelResult, by: str) -> list[dict[str, Any]]:
    where = {"national": [], "region": ["--region", result.key], "org": ["--org", result.key]}[result.level]
    args = ["survey", "results", "--framework", SLUG, "--survey", SURVEY_ID, "--round", label]
    ran = TrackerCliRunner(demo.app).invoke(
        args=[*args, "--level", result.level, *where, "--by", by, "--json"]
    )
    assert ran.exit_code == 0, ran.output
    return json.loads(ran.output)  # type: ignore[no-any-return]


def _check_json_figure(truth: Truth, path: FigurePath, shown: dict[str, Any]) -> bool:
    """One section or group of the JSON against the engine; whether it is suppressed."""
    real, true = truth.real[path], truth.values[path]
    assert shown["suppressed"] == real.suppressed, (path, shown)
    if real.suppressed:
        values = (shown["n"], shown["score"], shown["band"], shown.get("change"), shown.get("agree_pct"))
        assert values == (None, None, None, None, None), (path, shown)
        return True
    assert true.n is not None and true.n >= truth.minimum, (path, shown, true)
    assert shown["n"] == true.n and shown["band"] == true.band, (path, shown, true)
    assert shown["score"] == pytest.approx(true.score), (path, shown, true)
    return False


@pytest.mark.parametrize("label", ROUNDS)
def test_the_command_lines_json_gives_no_figure_from_fewer_than_10(demo: Demo, label: str) -> None:
    """Every level by service area; the nation, the regions and the organisations that show one by each
    characteristic (three of the others: it is withheld, saying why)."""
    truth, definition = demo.truths[label], demo.definition
    hidden, withheld_checked = 0, 0
    for result in chosen(truth):
        bys = list(definition.breakdowns)
        if result.level != "org" or any(not b.withheld for b in result.overall_characteristics):
            bys += definition.characteristics
        elif result.reportable and withheld_checked < 3:  # withheld: the JSON says why and lists no group
            bys.append(definition.characteristics[0])
            withheld_checked += 1
        for by in bys:
            for row in _results_json(demo, label, result, by):
                path: FigurePath = (result.level, result.key, "section", row["section"], "", "", "")
                hidden += _check_json_figure(truth, path, row)
                groups = result.section(row["section"]).characteristics  # type: ignore[union-attr]
                if any(b.withheld for b in groups if b.name == by):
                    assert row["groups"] == [] and row["withheld"], row
                for group in row["groups"]:
                    hidden += _check_json_figure(truth, (*path[:5], by, group["group"]), group)
    assert hidden > (1_000 if label == ROUNDS[-1] else 100)


# -- the PDFs of a sample ---------------------------------------------------------------------------------


def _pdf_sample(truth: Truth) -> list[LevelResult]:
    """The nation, a region, the first organisation with suppressed figures of its own (beside a tiny
    neighbour), the first with suppressed groups only, and the first without a report."""
    orgs = list(truth.shown.orgs.values())
    own = next(r for r in orgs if r.reportable and any(s.figure.suppressed for s in r.sections))
    groups = next(
        r
        for r in orgs
        if r.reportable and r is not own and any(p.figure.suppressed for b in r.completed_by for p in b.parts)
    )
    none = next(r for r in orgs if not r.reportable)
    return [truth.shown.national, truth.shown.regions["London"], own, groups, none]


def _pdf_text(pdf: bytes, folder: Path, name: str) -> str:
    path = folder / f"{name}.pdf"
    path.write_bytes(pdf)
    ran = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True)
    furniture = re.compile(r"Outcomes tracker survey report Page \d+ of \d+")
    return squash(" ".join(line for line in ran.stdout.splitlines() if not furniture.fullmatch(line.strip())))


def _rows_in_order(page: Page) -> list[str]:
    """What each figure's line says, in reading order: the glance, the count, every table row."""
    lines = [text_of(item) for item in page.all("dl.glance > div")]
    lines += [text_of(p) for p in page.all("#completed > p:first-of-type")]
    for row in page.all("main table tbody > tr"):
        lines.append(squash(text_of(row).replace("No one", "")))
    return lines


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (poppler-utils) is not installed")
def test_the_pdfs_show_what_their_pages_show(demo: Demo, tmp_path: Path) -> None:
    """A sample of PDFs: the page the PDF is drawn from is checked as every page is, and every figure's
    line of it (the label with every value beside it) reads the same in the PDF's text."""
    label = ROUNDS[-1]
    truth = demo.truths[label]
    for result in _pdf_sample(truth):
        with demo.app.test_request_context():
            target = target_of(db.session, SLUG, SURVEY_ID, result.level, result.key)
            report = report_of(db.session, target, result.level, result.key, label)
            assert report is not None
            source = Page(render_level_html(report, for_pdf=True))
            db.session.rollback()
        _check_page(demo, truth, source, result)
        response = demo.client.get(_url(result.level, result.key, ".pdf", label))
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        text = _pdf_text(response.data, tmp_path, f"{result.level}-{result.key}")
        lines = _rows_in_order(source) if result.reportable else [source.text("#why-not")]
        assert len(lines) > (40 if result.reportable else 0)
        cursor = 0
        for line in lines:
            found = text.find(line, cursor)
            assert found >= 0, f"{result.level}:{result.key}: the PDF does not read {line!r}"
            cursor = found + len(line)
        if not result.reportable:
            assert not re.search(r"\d", text.replace(result.name, "").replace(label, "").replace("10", ""))
