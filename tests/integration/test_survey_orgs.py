"""`tracker survey orgs` and rounds of a survey with participating organisations (issue 21): all rows or none,
added and updated but never deleted, every change audited with before and after; a round's `org` must name a
loaded organisation; the table migrates, and goes and comes back with `tracker export` / `tracker import`."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from flask import Flask
from sqlalchemy import func, inspect, select
from sqlalchemy.exc import IntegrityError

from tests.digest import database_digest, table_digests
from tracker.cli.archive import export_command, import_command
from tracker.db import migrate
from tracker.db.models import AuditEvent, Partner, SurveyOrg, SurveyResponse
from tracker.extensions import db
from tracker.services import archive_format
from tracker.services import surveys as survey_service

from ..conftest import TrackerCliRunner
from ..page import Page
from .test_archive import edit_table, invoke, members, write_zip

SLUG = "tiny-partnership"
SURVEY = """\
surveys:
  - id: national-check
    title: National health check
    scale: agree5
    organisations: true
    breakdowns: [service_area]
    characteristics: [gender, age_band]
    overall: [support]
    sections:
      - id: support
        title: Feeling supported
        questions: {q1: I feel supported, q2: I have enough time for the role}
        links: [educators-supported]
      - id: workplace
        title: Workplace experiences
        questions: {q3: I am treated fairly}
  - id: plain-survey
    title: A survey without organisations
    sections:
      - id: plain-section
        title: Plain
        questions: {p1: I am content}
"""
ORGS = """\
org,name,kind,region,partner
barnet,London Borough of Barnet,local_authority,London,tiny-council
camden,Camden Council,local_authority,London,
leeds-nhs,Leeds Teaching Hospitals,NHS trust,Yorkshire and the Humber,
"""


@pytest.fixture
def survey_app(app: Flask, framework: str, load_framework: Any, tiny_yaml: str) -> Flask:
    """The test framework as version 2, with a second partner and two surveys (one with organisations)."""
    with_partner = tiny_yaml.replace(
        "  - {id: tiny-council, name: Tiny Council, kind: local_authority, tier: primary}\n",
        "  - {id: tiny-council, name: Tiny Council, kind: local_authority, tier: primary}\n"
        "  - {id: other-council, name: Other Council, kind: local_authority, tier: secondary}\n",
    )
    load_framework(with_partner.replace("version: 1", "version: 2") + SURVEY)
    return app


def load(
    runner: Any, tmp_path: Path, text: str, name: str = "orgs.csv", survey: str = "national-check"
) -> Any:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return runner.invoke(args=["survey", "orgs", str(path), "--framework", SLUG, "--survey", survey])


def stored(app: Flask) -> dict[str, tuple[str, str, str, str | None]]:
    """Every stored organisation: id -> (name, kind, region, partner id)."""
    with app.app_context():
        partners = {p.id: p.slug for p in db.session.scalars(select(Partner))}
        return {
            o.org_key: (o.name, o.kind, o.region, partners.get(o.partner_id) if o.partner_id else None)
            for o in db.session.scalars(select(SurveyOrg).order_by(SurveyOrg.id))
        }


def trail(app: Flask, *actions: str) -> list[tuple[str, str, Any, Any]]:
    with app.app_context():
        return [
            (e.action, e.object_id, e.before, e.after)
            for e in db.session.scalars(
                select(AuditEvent).where(AuditEvent.action.in_(actions)).order_by(AuditEvent.id)
            )
        ]


# ------------------------------------------------------------------------------------------- loading


def test_loading_adds_then_updates_and_never_deletes_keeping_every_change(
    survey_app: Flask, runner: Any, tmp_path: Path
) -> None:
    result = load(runner, tmp_path, ORGS)
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "national-check: 3 organisation(s) added, 0 changed, 0 unchanged"
    assert stored(survey_app) == {
        "barnet": ("London Borough of Barnet", "local_authority", "London", "tiny-council"),
        "camden": ("Camden Council", "local_authority", "London", None),
        "leeds-nhs": ("Leeds Teaching Hospitals", "nhs_trust", "Yorkshire and the Humber", None),
    }
    added = trail(survey_app, "survey_org.add")
    assert [(action, oid, before) for action, oid, before, _after in added] == [
        ("survey_org.add", "national-check/barnet", None),
        ("survey_org.add", "national-check/camden", None),
        ("survey_org.add", "national-check/leeds-nhs", None),
    ]
    assert added[0][3] == {
        "org": "barnet",
        "org_name": "London Borough of Barnet",
        "kind": "local_authority",
        "region": "London",
        "partner": "tiny-council",
    }

    # Again, unchanged: nothing written but the load's own entry.
    before = table_digests(survey_app)
    again = load(runner, tmp_path, ORGS)
    assert again.exit_code == 0 and "0 organisation(s) added, 0 changed, 3 unchanged" in again.output
    assert table_digests(survey_app) == before

    # Camden moves partner and kind, Leeds is left out (kept), York is new; without a partner column
    # Barnet keeps its partner.
    changed = (
        "org,name,kind,region,partner\n"
        "camden,Camden Council,other,London,other-council\n"
        "york,City of York Council,local_authority,Yorkshire and the Humber,\n"
    )
    result = load(runner, tmp_path, changed)
    assert result.exit_code == 0, result.output
    assert "1 organisation(s) added, 1 changed, 0 unchanged" in result.output
    renamed = load(runner, tmp_path, "org,name,kind,region\nbarnet,Barnet Council,local_authority,London\n")
    assert renamed.exit_code == 0, renamed.output
    assert stored(survey_app) == {
        "barnet": ("Barnet Council", "local_authority", "London", "tiny-council"),
        "camden": ("Camden Council", "other", "London", "other-council"),
        "leeds-nhs": ("Leeds Teaching Hospitals", "nhs_trust", "Yorkshire and the Humber", None),
        "york": ("City of York Council", "local_authority", "Yorkshire and the Humber", None),
    }
    updates = trail(survey_app, "survey_org.update")
    assert [(oid, b["kind"], a["kind"], b["partner"], a["partner"]) for _x, oid, b, a in updates] == [
        ("national-check/camden", "local_authority", "other", "", "other-council"),
        ("national-check/barnet", "local_authority", "local_authority", "tiny-council", "tiny-council"),
    ]
    assert (updates[1][2]["org_name"], updates[1][3]["org_name"]) == (
        "London Borough of Barnet",
        "Barnet Council",
    )
    loads = trail(survey_app, "survey_org.load")
    assert [after for _a, _o, _b, after in loads] == [
        {"file": "orgs.csv", "added": ["barnet", "camden", "leeds-nhs"], "changed": [], "unchanged": 0},
        {"file": "orgs.csv", "added": [], "changed": [], "unchanged": 3},
        {"file": "orgs.csv", "added": ["york"], "changed": ["camden"], "unchanged": 0},
        {"file": "orgs.csv", "added": [], "changed": ["barnet"], "unchanged": 0},
    ]


BAD = """\
org,name,kind,region,partner
barnet,London Borough of Barnet,local_authority,London,tiny-council
Camden,Camden Council,council,London,
,Nowhere,other,,tiny-counsil
"""


def test_a_bad_file_writes_nothing_and_names_every_bad_cell(
    survey_app: Flask, runner: Any, tmp_path: Path
) -> None:
    assert load(runner, tmp_path, ORGS).exit_code == 0
    before = database_digest(survey_app)
    result = load(runner, tmp_path, BAD, "bad.csv")
    assert result.exit_code == 1
    path = tmp_path / "bad.csv"
    lines = result.output.splitlines()
    assert lines[:-1] == [
        f"{path}:3:org: org 'Camden' differs only in capitals from 'camden', already loaded; use the same id to "
        "update it",
        f"{path}:3:kind: kind 'council' is not one of: local_authority, nhs_trust, not_for_profit, other",
        f"{path}:4:org: org must not be blank: it is the id respondents' rows give",
        f"{path}:4:region: region must not be blank",
        f"{path}:4:partner: unknown partner 'tiny-counsil'; did you mean 'tiny-council'?: not a partner of this "
        "framework",
    ]
    assert lines[-1] == "Error: 5 problem(s); nothing was loaded"
    assert "Traceback" not in result.output
    assert database_digest(survey_app) == before


@pytest.mark.parametrize(
    ("framework", "survey", "message"),
    [
        (SLUG, "plain-survey", "survey 'plain-survey' of framework 'tiny-partnership' has no participating "
         "organisations: its definition needs `organisations: true`"),
        (SLUG, "no-such-survey", "framework 'tiny-partnership' has no survey 'no-such-survey'"),
        ("no-such-framework", "national-check", "no framework has the id 'no-such-framework'"),
    ],
)  # fmt: skip
def test_a_survey_without_organisations_is_refused_in_one_line(
    survey_app: Flask, runner: Any, tmp_path: Path, framework: str, survey: str, message: str
) -> None:
    before = database_digest(survey_app)
    path = tmp_path / "orgs.csv"
    path.write_text(ORGS, encoding="utf-8")
    result = runner.invoke(args=["survey", "orgs", str(path), "--framework", framework, "--survey", survey])
    assert result.exit_code == 1
    assert result.output.strip() == f"Error: {message}"
    assert database_digest(survey_app) == before


def test_a_missing_file_is_one_line(survey_app: Flask, runner: Any, tmp_path: Path) -> None:
    result = runner.invoke(
        args=["survey", "orgs", str(tmp_path / "none.csv"), "--framework", SLUG, "--survey", "national-check"]
    )
    assert (
        result.exit_code == 1 and result.output.strip() == f"Error: {tmp_path / 'none.csv'}:1: no such file"
    )


# ------------------------------------------------------------------------------------------- a round


def round_csv(*rows: tuple[str, ...]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["respondent", "service_area", "org", "profession", "gender", "q1", "q2", "q3"])
    writer.writerows(rows)
    return out.getvalue()


def import_round(runner: Any, tmp_path: Path, text: str, name: str = "round.csv") -> Any:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return runner.invoke(args=["survey", "import", str(path), "--framework", SLUG, "--survey", "national-check",
                               "--round", "2023-24", "--collected-on", "2024-03-28"])  # fmt: skip


def test_a_round_names_loaded_organisations_and_keeps_every_cell(
    survey_app: Flask, runner: Any, tmp_path: Path
) -> None:
    no_orgs = import_round(runner, tmp_path, round_csv(("r1", "adults", "barnet", "", "", "Agree", "", "")))
    assert no_orgs.exit_code == 1
    assert "round.csv:1:org: no participating organisations are loaded for this survey" in no_orgs.output
    assert load(runner, tmp_path, ORGS).exit_code == 0

    rows = [(f"r{i}", "adults", "barnet", "social_worker", "woman", "Agree", "Agree", "") for i in range(10)]
    rows.append(("r10", "", "camden", "", "", "Somewhat agree", "", "Agree"))
    bad = [*rows, ("r11", "children", "barnit", "", "", "Agree", "", ""), ("r12", "", "", "", "", "", "", "")]
    before = database_digest(survey_app)
    refused = import_round(runner, tmp_path, round_csv(*bad), "bad-round.csv")
    assert refused.exit_code == 1
    path = tmp_path / "bad-round.csv"
    assert refused.output.splitlines()[:2] == [
        f"{path}:13:org: unknown organisation 'barnit'; did you mean 'barnet'? "
        "(a survey's organisations are loaded with `tracker survey orgs`)",
        f"{path}:14:org: the organisation's id is blank; every respondent needs one",
    ]
    assert "nothing was imported" in refused.output
    assert database_digest(survey_app) == before

    result = import_round(runner, tmp_path, round_csv(*rows))
    assert result.exit_code == 0, result.output
    assert "11 respondents" in result.output
    with survey_app.app_context():
        cells = db.session.scalars(select(SurveyResponse.cells).order_by(SurveyResponse.row_number)).first()
        assert cells == {
            "respondent": "r0", "service_area": "adults", "org": "barnet", "profession": "social_worker",
            "gender": "woman", "q1": "Agree", "q2": "Agree", "q3": "",
        }  # fmt: skip
        framework_id, definition = survey_service.definition_of(db.session, SLUG, "national-check")
        (round_,) = survey_service.rounds(db.session, framework_id, "national-check")
        responses = survey_service.responses_of(db.session, definition, round_)
    assert len(responses) == 11
    assert dict(responses[0].groups) == {
        "service_area": "adults", "org": "barnet", "profession": "social_worker", "gender": "woman",
    }  # fmt: skip
    assert dict(responses[10].groups) == {"org": "camden"}


def test_the_sample_round_of_a_survey_with_organisations_imports(
    survey_app: Flask, runner: Any, tmp_path: Path, as_role: Any
) -> None:
    assert load(runner, tmp_path, ORGS).exit_code == 0
    admin = as_role("admin", partner=None)
    sample = admin.get(f"/f/{SLUG}/surveys/national-check/sample.csv").get_data(as_text=True)
    header = next(csv.reader(io.StringIO(sample)))
    assert header[:6] == ["respondent", "service_area", "org", "profession", "gender", "age_band"]
    assert [r["org"] for r in csv.DictReader(io.StringIO(sample))] == ["barnet", "camden", "leeds-nhs"]
    assert import_round(runner, tmp_path, sample).exit_code == 0
    page = Page.of(admin.get(f"/f/{SLUG}/surveys/national-check"), 200)
    assert (
        "Every row also needs org, the id of one of the survey's participating organisations (an administrator "
        "loads them with tracker survey orgs), and may give profession and the characteristics gender, "
        "age_band (blank: not stated)." in page.text("#import + p")
    )
    plain = Page.of(admin.get(f"/f/{SLUG}/surveys/plain-survey"), 200)
    assert "org" not in plain.text("#import + p").split()


# ------------------------------------------------------------------------------------------- the schema


def test_migration_0016_adds_survey_org_and_takes_it_away(
    survey_app: Flask, runner: Any, tmp_path: Path
) -> None:
    assert load(runner, tmp_path, ORGS).exit_code == 0
    with survey_app.app_context():
        config = migrate.alembic_config(db.engine)
        db.session.rollback()  # end the read: a downgrade drops a table an open read would block
        # 0017 (stored survey results, issue 21) goes on the way down too
        others = table_digests(survey_app, exclude=("survey_org", "survey_level_result"))
        command.downgrade(config, "0015")
        assert "survey_org" not in inspect(db.engine).get_table_names()
        kept = table_digests(survey_app, exclude=())  # the tables of later migrations went too
        assert kept == {name: others[name] for name in kept}  # nothing else touched
        command.upgrade(config, "head")
        assert migrate.is_current(db.engine)
        columns = {c["name"]: c for c in inspect(db.engine).get_columns("survey_org")}
        assert [name for name in columns] == [
            "id", "framework_id", "survey_slug", "org_key", "name", "kind", "region", "partner_id",
            "created_at", "updated_at",
        ]  # fmt: skip
        assert columns["partner_id"]["nullable"] and not columns["org_key"]["nullable"]
        uniques = inspect(db.engine).get_unique_constraints("survey_org")
        assert [u["column_names"] for u in uniques] == [["framework_id", "survey_slug", "org_key"]]
        framework_id = survey_service.definition_of(db.session, SLUG, "national-check")[0]
        for key in ("barnet", "barnet"):
            db.session.add(
                SurveyOrg(
                    framework_id=framework_id,
                    survey_slug="national-check",
                    org_key=key,
                    name="B",
                    kind="other",
                    region="London",
                )
            )
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


# ------------------------------------------------------------------------------------------- export


@pytest.fixture
def target(make_app: Any, second_url: str, tmp_path: Path) -> Flask:
    return make_app(DATABASE_URL=second_url, UPLOAD_FOLDER=str(tmp_path / "target-uploads"))  # type: ignore[no-any-return]


def test_organisations_go_and_come_back_with_export_and_import(
    survey_app: Flask, runner: Any, tmp_path: Path, target: Flask
) -> None:
    assert load(runner, tmp_path, ORGS).exit_code == 0
    assert load(runner, tmp_path, "org,name,kind,region\ncamden,Camden,other,London\n").exit_code == 0
    path = tmp_path / "export.zip"
    exported = invoke(runner, export_command, "--framework", SLUG, "-o", str(path))
    assert exported.exit_code == 0, exported.output
    assert "3 survey organisations" in exported.output
    content = members(path)
    assert json.loads(content["manifest.json"])["counts"]["survey_org"] == 3
    trail_rows = json.loads(content["audit_event.json"])["rows"]
    assert [r["action"] for r in trail_rows if r["action"].startswith("survey_org.")] == [
        "survey_org.add", "survey_org.add", "survey_org.add", "survey_org.load", "survey_org.update",
        "survey_org.load",
    ]  # fmt: skip
    target_runner = TrackerCliRunner(target)
    restored = invoke(target_runner, import_command, str(path))
    assert restored.exit_code == 0, restored.output
    assert stored(target) == stored(survey_app)
    again = tmp_path / "again.zip"
    assert invoke(target_runner, export_command, "--framework", SLUG, "-o", str(again)).exit_code == 0
    assert members(again)["survey_org.json"] == content["survey_org.json"]


def test_an_export_made_before_organisations_still_restores(
    survey_app: Flask, runner: Any, tmp_path: Path, target: Flask
) -> None:
    path = tmp_path / "export.zip"
    assert invoke(runner, export_command, "--framework", SLUG, "-o", str(path)).exit_code == 0
    content = members(path)
    manifest = json.loads(content["manifest.json"])
    for name in archive_format.ORG_TABLES:
        del content[f"{name}.json"]
        del manifest["counts"][name]
    content["manifest.json"] = json.dumps(manifest).encode()
    older = write_zip(tmp_path / "older.zip", content, fix_manifest=True)
    restored = invoke(TrackerCliRunner(target), import_command, str(older))
    assert restored.exit_code == 0, restored.output
    with target.app_context():
        assert db.session.scalar(select(func.count()).select_from(SurveyOrg)) == 0


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("kind", "council", "survey_org.json id 2: kind 'council' is not one of local_authority, nhs_trust"),
        ("org_key", "bad id", "survey_org.json id 2: org_key 'bad id' is not a valid organisation id"),
        ("org_key", "barnet", "survey_org.json id 2: organisation 'barnet' of national-check is repeated"),
        ("region", " ", "survey_org.json id 2: region is blank"),
    ],
)
def test_an_edited_organisation_row_is_refused_with_nothing_written(
    survey_app: Flask, runner: Any, tmp_path: Path, target: Flask, field: str, value: str, message: str
) -> None:
    assert load(runner, tmp_path, ORGS).exit_code == 0
    path = tmp_path / "export.zip"
    assert invoke(runner, export_command, "--framework", SLUG, "-o", str(path)).exit_code == 0
    content = members(path)
    edit_table(content, "survey_org", lambda rows: rows[1].__setitem__(field, value))
    edited = write_zip(tmp_path / "edited.zip", content, fix_manifest=True)
    before = database_digest(target)
    refused = invoke(TrackerCliRunner(target), import_command, str(edited))
    assert refused.exit_code == 1 and message in refused.output, refused.output
    assert database_digest(target) == before
