"""Action plans and turn-the-curve notes in `tracker export`/`import` (issue 20): every revision, comment and
note version goes and comes back exactly; an export made before plans still restores; bad plans are refused
at their row with nothing written."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from tests.digest import table_digests
from tests.unit.test_action_plans import action, plan
from tracker.cli.archive import export_command, import_command
from tracker.db.models import Framework, User
from tracker.extensions import db
from tracker.plans import curve, reading, service
from tracker.plans.targets import domain_framework
from tracker.services import archive as archive_service
from tracker.services import archive_format
from tracker.services.audit import Actor, record
from tracker.services.permissions import Principal

from ..conftest import TrackerCliRunner
from .test_archive import edit_table, invoke, members, write_zip

SLUG = "tiny-partnership"
SURVEY = """surveys:
  - id: pulse
    title: Pulse survey
    scale: agree5
    sections:
      - id: support
        title: Feeling supported
        questions:
          p-support: I feel supported by my practice educator.
        links: [educators-supported]
"""


@dataclass(frozen=True)
class Made:
    path: Path
    lead: str
    named_lead: str  # an admin named only as a revision's lead: exported for that alone
    evidence: int


def who(email: str | None) -> tuple[Principal, Actor]:
    if email is None:
        return Principal.command_line(), Actor.command_line()
    user = db.session.scalars(select(User).where(User.email == email)).one()
    return Principal.of(user), Actor(user.email, user.role, user.id)


def the_framework() -> Framework:
    return db.session.scalars(select(Framework).where(Framework.slug == SLUG)).one()


def outcome_plan(**more: Any) -> dict[str, Any]:
    return plan(**({"target_kind": "outcome", "target_id": "educators-supported"} | more))


@pytest.fixture
def target(make_app: Any, second_url: str, tmp_path: Path) -> Flask:
    """An empty, migrated tracker on the second database, with an upload folder of its own."""
    return make_app(DATABASE_URL=second_url, UPLOAD_FOLDER=str(tmp_path / "target-uploads"))  # type: ignore[no-any-return]


@pytest.fixture
def target_runner(target: Flask) -> TrackerCliRunner:
    return TrackerCliRunner(target)


@pytest.fixture
def planned(
    app: Flask,
    runner: Any,
    framework: str,
    load_framework: Any,
    tiny_yaml: str,
    make_user: Any,
    make_evidence: Any,
    tmp_path: Path,
) -> Made:
    """The tiny framework with three plans (one on a survey standard the framework has since dropped), their
    revisions and comments, and two KPI notes' versions, exported."""
    lead, evaluator, named_lead = make_user("lead"), make_user("evaluator"), make_user("admin")
    item = make_evidence(title="Placement audit")
    with_survey = tiny_yaml.replace("version: 1", "version: 2") + SURVEY
    load_framework(with_survey)
    with app.app_context(), db.unit_of_work() as session:
        p, actor = who(lead)
        first = service.create_plan(session, actor, p, the_framework(), outcome_plan()).plan
        adm, admin_actor = who(None)
        lead_id = db.session.scalars(select(User.id).where(User.email == named_lead)).one()
        service.create_plan(
            session, admin_actor, adm, the_framework(),
            plan(target_kind="kpi", target_id="statutory-share", measure_kpis=["statutory-share"],
                 lead_user_id=lead_id, lead_name="", priority="amber",
                 actions=[action(cost="£1,200.50"), action("Second", steps=1)]),
        )  # fmt: skip
        service.create_plan(
            session,
            actor,
            p,
            the_framework(),
            plan(target_id="pulse/support", status="agreed", actions=[action(steps=2)]),
        )
        e, evaluator_actor = who(evaluator)
        service.comment_on_plan(session, evaluator_actor, e, first, "Who will run the workshops?")
        # A refusal about the plan, audited without a framework as the pages audit refusals.
        record(session, Actor(lead, "lead"), "refused", object_type="action_plan", object_id=first.id)
    with app.app_context(), db.unit_of_work() as session:
        p, actor = who(lead)
        found = reading.plan_by_number(session, the_framework(), 1)
        assert found is not None
        going = outcome_plan(status="in_progress")
        going["actions"][0]["steps"][0]["status"] = "done"
        service.update_plan(session, actor, p, the_framework(), found, going, seen_revision=1)
        going["actions"][0]["steps"][1] |= {"status": "done", "owner": "Team manager"}
        going["actions"].append(action("Fourth slot left blank", steps=0) | {"title": "", "owner": ""})
        service.update_plan(session, actor, p, the_framework(), found, going, seen_revision=2)
        e, evaluator_actor = who(evaluator)
        service.comment_on_plan(session, evaluator_actor, e, found, "Good progress — “workshops” booked.")
        for version, story in enumerate(("Placements fell in 2022.", "Placements rose again in 2023."), 1):
            curve.save_curve_note(
                session, actor, p, the_framework(), "statutory-share",
                story=story, partners="Tiny Council", what_works="Allocation days",
                evidence_ids=[item] if version == 2 else [], source="Evaluation, p. 12",
            )  # fmt: skip
    # Version 3 drops the survey: the plan on its standard stays, as it was.
    load_framework(with_survey.replace("version: 2", "version: 3").replace(SURVEY, ""))
    path = tmp_path / "planned.zip"
    result = invoke(runner, export_command, "--framework", SLUG, "-o", str(path))
    assert result.exit_code == 0, result.output
    assert "3 action plans, 2 turn-the-curve notes" in result.output
    return Made(path, lead, named_lead, item)


def shown(app: Flask) -> Any:
    """Everything the pages read about the plans and notes, with no ids in it."""
    with app.app_context():
        f = the_framework()
        plans = reading.plans_of(db.session, f, domain_framework(db.session, f))
        found = {}
        for p in plans:
            row = reading.plan_by_number(db.session, f, p.number)
            assert row is not None
            found[p.number] = (
                (p.number, p.target_kind, p.target_id, p.partner, p.lead, p.content, p.revision),
                (p.created_at, p.updated_at, p.status, p.priority),
                [
                    (h.number, h.body, h.note, h.saved_by, h.saved_at)
                    for h in reading.history(db.session, row)
                ],
                [(c.revision, c.body, c.author, c.created_at) for c in reading.comments(db.session, row)],
            )
        notes = [tuple(vars_of(n)) for n in curve.note_history(db.session, f, "statutory-share")]
        return found, notes, curve.current_notes(db.session, f)


def vars_of(note: curve.ShownNote) -> tuple[Any, ...]:
    return (note.kpi, note.version, note.story, note.partners, note.what_works, note.evidence_ids,
            note.source, note.saved_by, note.saved_at)  # fmt: skip


# ------------------------------------------------------------------------------------------- round trip


def test_plans_and_notes_go_and_come_back_exactly(
    app: Flask, planned: Made, target: Flask, target_runner: Any, tmp_path: Path
) -> None:
    content = members(planned.path)
    manifest = json.loads(content[archive_service.MANIFEST])
    assert manifest["format_version"] == 1
    assert {name: manifest["counts"][name] for name in archive_format.PLAN_TABLES} == {
        "action_plan": 3,
        "action_plan_revision": 5,
        "action_plan_comment": 2,
        "kpi_curve_note": 2,
    }
    revisions = json.loads(content["action_plan_revision.json"])["rows"]
    assert [(r["plan_id"], r["number"]) for r in revisions] == [(1, 1), (2, 1), (3, 1), (1, 2), (1, 3)]
    emails = {r["email"] for r in json.loads(content["user_account.json"])["rows"]}
    assert planned.named_lead in emails  # named as plan 2's lead and nothing else
    trail = json.loads(content["audit_event.json"])["rows"]
    assert [r["object_id"] for r in trail if r["action"] == "refused"] == ["1"]
    assert {r["action"] for r in trail} >= {"plan.create", "plan.update", "plan.comment", "curve_note.save"}

    result = invoke(target_runner, import_command, str(planned.path))
    assert result.exit_code == 0, result.output
    assert "3 action plans, 2 turn-the-curve notes" in result.output
    assert shown(target) == shown(app)
    found, notes, current = shown(target)
    assert [len(found[n][2]) for n in (1, 2, 3)] == [3, 1, 1]
    assert [c[:2] for c in found[1][3]] == [
        (1, "Who will run the workshops?"),
        (3, "Good progress — “workshops” booked."),
    ]
    assert found[3][0][2] == "pulse/support"  # a standard the framework no longer has
    assert found[2][0][4] == planned.named_lead
    assert [n[1] for n in notes] == [2, 1] and current["statutory-share"].evidence_ids == (planned.evidence,)

    again = tmp_path / "again.zip"
    assert invoke(target_runner, export_command, "--framework", SLUG, "-o", str(again)).exit_code == 0
    one, two = members(planned.path), members(again)
    assert {k: v for k, v in one.items() if k != archive_service.MANIFEST} == {
        k: v for k, v in two.items() if k != archive_service.MANIFEST
    }
    # The restored plan is a working one: the next save is revision 4 and the next plan number 4.
    with target.app_context(), db.unit_of_work() as session:
        p, actor = who(planned.lead)
        row = reading.plan_by_number(session, the_framework(), 1)
        assert row is not None
        saved = service.update_plan(session, actor, p, the_framework(), row, outcome_plan(status="done"), 3)
        assert saved.revision.number == 4
        assert service.create_plan(session, actor, p, the_framework(), outcome_plan()).plan.number == 4


# ------------------------------------------------------------------------------------------- older exports


def test_an_export_made_before_plans_still_restores_without_them(
    planned: Made, target: Flask, target_runner: Any, tmp_path: Path
) -> None:
    """The plan tables came with issue 20; an export made before has none of them (nor their counts)."""
    content = members(planned.path)
    partial = dict(content)
    del partial["action_plan_comment.json"]
    manifest = json.loads(content[archive_service.MANIFEST])
    for name in archive_format.PLAN_TABLES:
        del content[f"{name}.json"]
        del manifest["counts"][name]
    edit_table(
        content,
        "audit_event",
        lambda rows: rows.__setitem__(
            slice(None), [r for r in rows if r["object_type"] not in {"action_plan", "kpi"}]
        ),
    )
    manifest["counts"]["audit_event"] = len(json.loads(content["audit_event.json"])["rows"])
    content[archive_service.MANIFEST] = json.dumps(manifest).encode()
    older = write_zip(tmp_path / "older.zip", content, fix_manifest=True)
    result = invoke(target_runner, import_command, str(older))
    assert result.exit_code == 0, result.output
    assert "0 action plans, 0 turn-the-curve notes" in result.output
    found, notes, current = shown(target)
    assert found == {} and notes == [] and current == {}

    before = table_digests(target, exclude=())
    bad = write_zip(tmp_path / "partial.zip", partial, fix_manifest=True)
    refused = invoke(target_runner, import_command, str(bad))
    assert refused.exit_code == 1 and "'action_plan_comment.json' is missing" in refused.output
    assert table_digests(target, exclude=()) == before


# ------------------------------------------------------------------------------------------- refusals


Change = Callable[[dict[str, bytes]], None]


def _revision(plan_id: int, number: int, change: Callable[[dict[str, Any]], None]) -> Change:
    def apply(c: dict[str, bytes]) -> None:
        def edit(rows: list[dict[str, Any]]) -> None:
            change(next(r for r in rows if (r["plan_id"], r["number"]) == (plan_id, number))["body"])

        edit_table(c, "action_plan_revision", edit)

    return apply


def _row(table: str, row_id: int, **values: Any) -> Change:
    return lambda c: edit_table(
        c, table, lambda rows: next(r for r in rows if r["id"] == row_id).update(values)
    )


def _drop_row(table: str, row_id: int) -> Change:
    def apply(c: dict[str, bytes]) -> None:
        edit_table(c, table, lambda rows: rows.remove(next(r for r in rows if r["id"] == row_id)))
        manifest = json.loads(c[archive_service.MANIFEST])
        manifest["counts"][table] -= 1
        c[archive_service.MANIFEST] = json.dumps(manifest).encode()

    return apply


def _step_before_start(body: dict[str, Any]) -> None:
    body["actions"][0]["steps"][0]["due_on"] = "2024-05-01"


def _four_actions(body: dict[str, Any]) -> None:
    body["actions"].append(body["actions"][0])
    body["actions"].append(body["actions"][0])


def _cost(text: str) -> Callable[[dict[str, Any]], None]:
    return lambda body: body["actions"][0].update(cost=text)


def _both_targets(c: dict[str, bytes]) -> None:
    _row("action_plan", 1, target_id="nowhere")(c)
    _revision(1, 3, lambda body: body.update(target_id="nowhere"))(c)


def _no_such_standard(c: dict[str, bytes]) -> None:
    _row("action_plan", 3, target_id="pulse/nowhere")(c)
    _revision(3, 1, lambda body: body.update(target_id="pulse/nowhere"))(c)


def _no_revision(c: dict[str, bytes]) -> None:
    _drop_row("action_plan_revision", 2)(c)
    _row("action_plan", 2, revision=0)(c)


def _damage(c: dict[str, bytes]) -> None:
    c["action_plan_revision.json"] = c["action_plan_revision.json"].replace(
        b"Safe workloads", b"Safe workloadz"
    )


REV = "action_plan_revision.json id"
REFUSALS: list[tuple[str, Change, bool, str]] = [
    # (case, change, manifest made to agree, what the one line says)
    ("damaged member", _damage, False, "'action_plan_revision.json' is damaged: its sha256 differs"),
    ("step due before the plan starts", _revision(1, 2, _step_before_start), True,
     f"{REV} 4 (plan 1, revision 2): actions-1-steps-1-due_on: step 1 of action 1 is due on 2024-05-01, "
     "before the plan starts (2024-06-01)"),
    ("a fourth action", _revision(2, 1, _four_actions), True,
     f"{REV} 2 (plan 2, revision 1): actions: a plan has at most 3 actions; this one has 4"),
    ("a cost that is not money", _revision(2, 1, _cost("lots")), True,
     f"{REV} 2 (plan 2, revision 1): actions-1-cost: 'lots' is not an amount of money"),
    ("a cost not as stored", _revision(2, 1, _cost("1200.5")), True,
     f"{REV} 2 (plan 2, revision 1): its body is not as the tracker stores a plan (actions differs)"),
    ("an empty body", _revision(1, 1, lambda body: body.clear()), True,
     f"{REV} 1 (plan 1, revision 1): title: give the plan a title (and 4 more)"),
    ("a body that is not an object", _row("action_plan_revision", 1, body="Safe workloads"), True,
     f"{REV} 1 (plan 1, revision 1): its body is not a JSON object"),
    ("an unknown key in a body", _revision(1, 1, lambda body: body.update(secret="x")), True,
     f"{REV} 1 (plan 1, revision 1): its body is not as the tracker stores a plan (secret differs)"),
    ("steps that are not a list", _revision(1, 1, lambda body: body["actions"][0].update(steps="all")), True,
     f"{REV} 1 (plan 1, revision 1): actions-1-steps is not a list of objects"),
    ("a lead who is not in the export", _revision(2, 1, lambda body: body.update(lead_user_id=999)), True,
     f"{REV} 2 (plan 2, revision 1): lead_user_id 999 refers to no user_account row in the export"),
    ("a target not in the framework", _both_targets, True,
     f"{REV} 5 (plan 1, revision 3): target_id: this framework has no outcome 'nowhere'"),
    ("a standard never in the framework", _no_such_standard, True,
     f"{REV} 3 (plan 3, revision 1): target_id: this framework has no survey standard 'pulse/nowhere'"),
    ("a plan's row that differs from its revision", _row("action_plan", 1, status="done"), True,
     "action_plan.json id 1 (plan 1): status 'done' differs from its current revision's ('in_progress')"),
    ("a duplicate plan number", _row("action_plan", 2, number=1), True,
     "action_plan.json id 2: plan number 1 is also the number of plan id 1"),
    ("a duplicate revision number", _row("action_plan_revision", 5, number=2), True,
     f"{REV} 5 (plan 1, revision 2): the plan has another revision 2 (id 4)"),
    ("a missing revision", _drop_row("action_plan_revision", 4), True,
     "action_plan.json id 1 (plan 1): its current revision is 3 but its revisions are numbered 1, 3"),
    ("a plan without revisions", _no_revision, True,
     "action_plan.json id 2 (plan 2): revision 0 is not a revision number (they start at 1)"),
    ("a comment on a revision to come", _row("action_plan_comment", 1, revision=9), True,
     "action_plan_comment.json id 1 (plan 1): revision 9 is not a revision of the plan (it has 1 to 3)"),
    ("a comment of another plan", _row("action_plan_comment", 1, plan_id=99), True,
     "action_plan_comment.json id 1: plan_id 99 refers to no action_plan row in the export"),
    ("a note of no KPI", _row("kpi_curve_note", 1, kpi="nowhere"), True,
     "kpi_curve_note.json id 1 (KPI 'nowhere', version 1): this framework has no KPI 'nowhere'"),
    ("a note naming evidence not exported", _row("kpi_curve_note", 2, evidence_ids=[999_999]), True,
     "kpi_curve_note.json id 2: evidence_ids 999999 refers to no evidence row in the export"),
    ("a note's evidence that are not ids", _row("kpi_curve_note", 2, evidence_ids="1"), True,
     "kpi_curve_note.json id 2: evidence_ids is not a list of ids"),
    ("a note's versions with a gap", _row("kpi_curve_note", 2, number=3), True,
     "kpi_curve_note.json: the notes of KPI 'statutory-share' are versions 1, 3 (expected 1 to 2)"),
    ("an empty note", _row("kpi_curve_note", 1, story=" ", partners="", what_works=""), True,
     "kpi_curve_note.json id 1 (KPI 'statutory-share', version 1): story, partners and what_works are all empty"),
]  # fmt: skip


@pytest.mark.parametrize(("case", "change", "fix", "message"), REFUSALS, ids=[r[0] for r in REFUSALS])
def test_a_bad_plan_or_note_is_refused_at_its_row_and_nothing_is_written(
    planned: Made,
    target: Flask,
    target_runner: Any,
    tmp_path: Path,
    case: str,
    change: Change,
    fix: bool,
    message: str,
) -> None:
    content = members(planned.path)
    change(content)
    bad = write_zip(tmp_path / "bad.zip", content, fix_manifest=fix)
    before = table_digests(target, exclude=())
    result = invoke(target_runner, import_command, str(bad))
    assert result.exit_code == 1, (case, result.output)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], lines
    assert f"{bad}: " in lines[0]  # located: the file, then its member and row
    assert table_digests(target, exclude=()) == before
