"""`tracker demo` and the generated national Health Check (issue 21): the 169 organisations and both rounds,
loaded through the services of `tracker survey orgs` and `tracker survey import`, once."""

from __future__ import annotations

from collections import Counter
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from tests.digest import audit_since, last_audit_id, table_digests
from tracker.db.models import AuditEvent, Evidence, Framework, SurveyOrg, SurveyResponse
from tracker.domain.surveys import rounded_score
from tracker.extensions import db
from tracker.services import surveys
from tracker.services.demo_national_round import ROUNDS, SURVEY_ID, national_demo
from tracker.services.survey_orgs import stored_orgs

SLUG = "employer-standards-2024"
LOADED = (
    f"{SURVEY_ID}: 169 organisations added (0 already present); rounds 2022/23, 2023/24 imported "
    "(19,964 respondents)"
)
AGAIN = f"{SURVEY_ID}: 0 organisations added (169 already present); no round imported"


def framework_id() -> int:
    return db.session.scalars(select(Framework.id).where(Framework.slug == SLUG)).one()


def test_the_demo_loads_the_169_organisations_and_both_generated_rounds(app: Flask, runner: Any) -> None:
    loaded = runner.invoke(args=["demo"])
    assert loaded.exit_code == 0, loaded.output
    assert "employer-standards-2024: loaded version 3;" in loaded.output
    assert "survey rounds 2022-23, 2023-24 imported" in loaded.output  # the small survey, as before
    assert LOADED in loaded.output
    demo = national_demo()
    with app.app_context():
        fid = framework_id()
        orgs = stored_orgs(db.session, fid, SURVEY_ID)
        assert [(o.org_key, o.name, o.kind, o.region, o.partner_id) for o in orgs] == sorted(
            (o.id, o.name, o.kind, o.region, None) for o in demo.organisations
        )
        rounds = surveys.rounds(db.session, fid, SURVEY_ID)
        assert [(r.label, r.respondents, r.source_name) for r in rounds] == [
            ("2022/23", 9_764, "health-check-national-2022-23.csv"),
            ("2023/24", 10_200, "health-check-national-2023-24.csv"),
        ]
        for stored_round, demo_round in zip(rounds, demo.rounds, strict=True):
            cells = db.session.scalars(
                select(SurveyResponse.cells)
                .where(SurveyResponse.round_id == stored_round.id)
                .order_by(SurveyResponse.row_number)
            ).all()
            assert cells == [dict(row) for row in demo_round.rows]  # every cell as generated, in order
        audited = Counter(
            db.session.scalars(
                select(AuditEvent.action).where(
                    AuditEvent.framework_id == fid,
                    AuditEvent.action.in_(["survey_org.add", "survey_org.load", "survey.import"]),
                )
            )
        )
        assert audited == {"survey_org.add": 169, "survey_org.load": 1, "survey.import": 4}  # 2 + 2 small
        # No section links an outcome: the national rounds make no evidence item.
        collections = set(db.session.scalars(select(Evidence.collection).where(Evidence.framework_id == fid)))
        assert not any(c.startswith(f"{SURVEY_ID}:") for c in collections)
        assert {f"health-check-survey:{label}" for label in ("2022-23", "2023-24")} <= collections


def test_the_stored_rounds_give_the_seeds_national_figures(app: Flask, runner: Any) -> None:
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        _definition, latest, sections = surveys.results(
            db.session, SLUG, SURVEY_ID, ROUNDS[-1], "service_area"
        )
        assert latest.label == "2023/24"
        shown = {s.section: rounded_score(s.score) for s in sections if s.score is not None}
        assert shown["hcn-standard-3"] == 75 and shown["hcn-workplace-experiences"] == 66
        changes = {s.section: s.change for s in sections}
        assert changes["hcn-standard-1"] is not None and changes["hcn-standard-1"].value > 0
        assert all(c is not None and c.value < 0 for s, c in changes.items() if s != "hcn-standard-1")


def test_a_second_demo_changes_no_row(app: Flask, runner: Any) -> None:
    assert runner.invoke(args=["demo"]).exit_code == 0
    before, last = table_digests(app), last_audit_id(app)
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0, again.output
    assert AGAIN in again.output
    assert table_digests(app) == before
    # The demo's evidence and KPI imports audit each run (one row per import, as before issue 21); the
    # national survey adds no audit row: no organisation load, no round import.
    assert {action for action, _type, _detail in audit_since(app, last)} == {
        "evidence.import",
        "kpi_value.import",
    }


def test_an_organisation_changed_since_is_put_back_by_the_next_demo(app: Flask, runner: Any) -> None:
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context(), db.unit_of_work() as session:
        org = session.scalars(select(SurveyOrg).where(SurveyOrg.org_key == "la-001")).one()
        org.name = "Renamed"
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0, again.output
    assert f"{SURVEY_ID}: 0 organisations added, 1 updated (168 already present); no round imported" in (
        again.output
    )
    with app.app_context():
        assert db.session.scalars(select(SurveyOrg.name).where(SurveyOrg.org_key == "la-001")).one() == (
            "Local authority 001"
        )
        assert db.session.scalar(select(func.count()).select_from(SurveyResponse)) == 19_964 + 239
