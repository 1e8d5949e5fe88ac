"""The demo's action plans and turn-the-curve notes (issue 20), as `tracker demo` loads them: the targets the
demo's own results point to, the fields its sources give (and no more), loaded once, each citing its entry in
frameworks/demo/SOURCES.md, whose quotations are the seeds' words."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from flask import Flask
from sqlalchemy import func, select

from tests.digest import table_digests
from tracker.db.models import ActionPlan, ActionPlanRevision, AuditEvent, CurveNote, Evidence, Framework
from tracker.extensions import db
from tracker.plans import reading
from tracker.plans.curve import current_notes
from tracker.plans.targets import domain_framework
from tracker.ratings import ratings_for
from tracker.services import demo_plans
from tracker.services.audit import Actor
from tracker.services.permissions import Principal
from tracker.services.surveys import report_blocks

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "frameworks" / "demo"
SEEDS = ROOT.parent / "shared" / "seeds"
SECTION = "## Action plans and turn-the-curve notes (issue 20)"
PLAN_FILES = {
    "developing_together_plans.yaml": "developing_together_evaluation_2020.txt",
    "employer_standards_2024_plans.yaml": "employer_standards_health_check_2024.txt",
}


def the_framework(slug: str) -> Framework:
    return db.session.scalars(select(Framework).where(Framework.slug == slug)).one()


def plans(slug: str) -> tuple[reading.ShownPlan, ...]:
    f = the_framework(slug)
    return reading.plans_of(db.session, f, domain_framework(db.session, f))


def evidence_id(slug: str, title: str) -> int:
    return db.session.scalars(
        select(Evidence.id).where(Evidence.framework_id == the_framework(slug).id, Evidence.title == title)
    ).one()


def test_the_health_check_plan_fills_the_template_for_the_lowest_standard(app: Flask, runner: Any) -> None:
    loaded = runner.invoke(args=["demo"])
    assert loaded.exit_code == 0, loaded.output
    assert (
        "employer-standards-2024: loaded version 3; 22 evidence items and 5 KPI values added (0 already present); "
        "survey rounds 2022-23, 2023-24 imported; action plans: 1 added, 0 already present; "
        "turn-the-curve notes: 0 added, 0 already present" in loaded.output
    )
    with app.app_context():
        blocks = report_blocks(db.session, "employer-standards-2024")
        # The national round (issue 21) is reported in its own national, regional and local reports, with
        # their suppression across levels: the framework report leaves it out.
        assert [b.definition.id for b in blocks] == ["health-check-survey"]
        latest = blocks[0]
        standards = {s.section: s for s in latest.sections if s.section.startswith("hc-standard-")}
        lowest = min(standards.values(), key=lambda s: s.score)
        # No standard is red: the plan is for the lowest, which is moderate ("Capable of improvement": amber).
        assert latest.round_label == "2023-24" and lowest.section == "hc-standard-6"
        assert (round(lowest.score, 1), lowest.band) == (71.1, "moderate")
        assert "poor" not in {s.band for s in latest.sections}
        (plan,) = plans("employer-standards-2024")
        c = plan.content
        assert (plan.number, plan.target_kind, plan.target_id) == (
            1,
            "standard",
            "health-check-survey/hc-standard-6",
        )
        assert plan.target_label.startswith("Standard 6 ")
        assert plan.target_label.endswith(" Continuing professional development (CPD)")
        assert (c.priority, c.status, c.starts_on, plan.partner_id, plan.lead) == (
            "amber", "draft", date(2024, 5, 28), None, "Managers",
        )  # fmt: skip
        assert c.measure_kpis == ("standard-6-score",) and c.measures.startswith("The Health Check Survey:")
        assert [len(a.steps) for a in c.actions] == [3, 0, 0]
        assert [s.text for s in c.actions[0].steps][1:] == [
            "Prioritise each area identified",
            "Co-ordinate the response as an organisation",
        ]
        # The seed gives no date for any step (each is the plan's start), no cost and no owner per action.
        assert {s.due_on for *_, s in c.steps()} == {None}  # the seed dates none of these steps
        assert c.overdue_steps(date(2026, 1, 1)) == ()
        assert c.total_cost is None and {a.owner for a in c.actions} == {""}
        owed = reading.plans_needed(
            ratings_for(db.session, "employer-standards-2024", detail=True), plans("employer-standards-2024"),
            report_blocks(db.session, "employer-standards-2024"),
        )  # fmt: skip
        assert [o.target_id for o in owed if o.kind == "standard"] == []  # no standard is in the poor band
        # the outcome of the standard is owed a plan (rated insufficient), like others of the Health Check
        assert "standard-6-met" in {o.target_id for o in owed if o.code == "insufficient"}


def test_developing_togethers_plan_and_notes_follow_the_evaluation(app: Flask, runner: Any) -> None:
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        rated = ratings_for(db.session, "developing-together", detail=True)
        assert rated is not None
        below = [r.outcome_id for r in rated.ratings if r.rating in {"insufficient", "none"}]
        assert below == ["higher-calibre-intake"]
        (plan,) = plans("developing-together")
        c = plan.content
        assert (plan.target_kind, plan.target_id, c.priority, c.status, c.starts_on) == (
            "outcome", "higher-calibre-intake", "amber", "draft", date(2020, 5, 31),
        )  # fmt: skip
        assert plan.lead == "Head of Department of Social Work and Social Care, Kingston University"
        assert c.measure_kpis == ("ucas-tariff-120", "average-ucas-tariff")
        assert [(a.owner, a.status, len(a.steps)) for a in c.actions] == [
            ("Kingston University", "not_started", 1),
            ("Kingston University", "in_progress", 0),
            ("Kingston University", "not_started", 0),
        ]
        assert c.actions[0].steps[0].due_on == date(2022, 3, 31) and c.total_cost is None
        # A draft does not answer the outcome: the prompt stays, pointing to the draft.
        owed = reading.plans_needed(rated, plans("developing-together"), ())
        assert [(o.target_id, o.draft) for o in owed if o.kind == "outcome"] == [("higher-calibre-intake", 1)]
        statuses = {k.kpi_id: k.status for k in rated.kpis}
        notes = current_notes(db.session, the_framework("developing-together"))
        assert set(notes) == {"suc-group-members", "lunch-and-learn-sessions"}
        assert {statuses[k] for k in notes} == {"missed"}
        suc, lunch = notes["suc-group-members"], notes["lunch-and-learn-sessions"]
        assert (suc.version, suc.saved_by, suc.source) == (
            1, "demo loader", "SOURCES.md § Turn-the-curve note: Service User and Carer group members",
        )  # fmt: skip
        assert "mentor new members" in suc.what_works and "Mencap" in suc.partners
        assert "Covid-19" in lunch.story and "fourteen" in suc.story
        assert suc.evidence_ids == tuple(
            sorted(
                evidence_id("developing-together", t)
                for t in (
                    "Service User and Carer group not expanded to forty",
                    "Service users and carers positive about their role (baseline)",
                )
            )
        )
        assert len(lunch.evidence_ids) == 4


def test_loading_the_demo_again_adds_no_plan_or_note(app: Flask, runner: Any) -> None:
    assert runner.invoke(args=["demo"]).exit_code == 0
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0
    assert (
        "action plans: 0 added, 1 already present; turn-the-curve notes: 0 added, 2 already present"
        in again.output
    )
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(ActionPlan)) == 2
        assert db.session.scalar(select(func.count()).select_from(ActionPlanRevision)) == 2
        assert db.session.scalar(select(func.count()).select_from(CurveNote)) == 2
        audited = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.action.in_(["plan.create", "curve_note.save"]))
        ).all()
        assert sorted(audited) == ["curve_note.save"] * 2 + ["plan.create"] * 2


def test_a_changed_note_is_a_new_version_and_a_plan_already_loaded_stays(
    app: Flask, runner: Any, tmp_path: Path
) -> None:
    assert runner.invoke(args=["demo"]).exit_code == 0
    text = (DEMO / "developing_together_plans.yaml").read_text(encoding="utf-8")
    changed = tmp_path / "developing_together_plans.yaml"
    changed.write_text(text.replace("The group has fourteen members", "The group had fourteen members"))
    with app.app_context(), db.unit_of_work() as session:
        f = session.scalars(select(Framework).where(Framework.slug == "developing-together")).one()
        loaded = demo_plans.load_plans(
            session, Actor("demo loader", role="admin"), Principal.command_line(), f, changed
        )
        assert (loaded.plans_added, loaded.plans_kept, loaded.notes_saved, loaded.notes_kept) == (0, 1, 1, 1)
    with app.app_context():
        versions = db.session.scalars(
            select(CurveNote.number).where(CurveNote.kpi == "suc-group-members").order_by(CurveNote.number)
        ).all()
        assert versions == [1, 2]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("plans:\n  - {title: A plan}\n", "plans.yaml: plans 1: give its `source` (the SOURCES.md entry)"),
        ("plans:\n  - {source: S, titel: A}\n", "plans.yaml: plans 1: unknown keys titel"),
        (
            "plans:\n  - {source: S, actions: [{title: A, steps: [{text: T, due: 2020-01-01}]}]}\n",
            "plans.yaml: plans 1: action 1: unknown keys due",
        ),
        ("curve_notes:\n  - {kpi: k, story: s}\n", "plans.yaml: curve_notes 1: give its `source`"),
        (
            "curve_notes:\n  - {kpi: k, source: S, evidence: one title}\n",
            "plans.yaml: curve_notes 1: `evidence` must be a list of titles",
        ),
        ("notes: []\n", "plans.yaml: expected a mapping with `plans` and `curve_notes`"),
        ("plans: {a: 1}\n", "plans.yaml: `plans` must be a list of mappings"),
        ("plans: [\n", "plans.yaml: not YAML"),
    ],
)
def test_a_plans_file_that_is_not_right_says_where(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "plans.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(demo_plans.PlansFileError) as raised:
        demo_plans.read_plans_file(path)
    assert str(raised.value).startswith(message)


def test_an_unknown_evidence_title_stops_the_load_and_writes_nothing(
    app: Flask, runner: Any, tmp_path: Path
) -> None:
    assert runner.invoke(args=["demo"]).exit_code == 0
    text = (DEMO / "developing_together_plans.yaml").read_text(encoding="utf-8")
    changed = tmp_path / "developing_together_plans.yaml"
    changed.write_text(
        text.replace("The group has fourteen", "The group had fourteen").replace(
            "- DoLS Lunch and Learn feedback", "- No such item"
        )
    )
    before = table_digests(app, exclude=())
    refused = pytest.raises(
        demo_plans.PlansFileError, match="curve_notes 2: no accepted evidence item titled 'No"
    )
    with refused, app.app_context(), db.unit_of_work() as session:
        f = session.scalars(select(Framework).where(Framework.slug == "developing-together")).one()
        demo_plans.load_plans(
            session, Actor("demo loader", role="admin"), Principal.command_line(), f, changed
        )
    assert (
        table_digests(app, exclude=()) == before
    )  # the first note's new version went too, and its audit row


# --- citations: every plan and note names its SOURCES.md entry, and what they quote is the seed's ---------


def squash(text: str) -> str:
    """Text without markdown emphasis and line breaks, spaces single, for finding a quotation in a seed."""
    return re.sub(r"\s+", " ", text.replace("*", "")).strip()


def issue_20_section() -> str:
    text = (DEMO / "SOURCES.md").read_text(encoding="utf-8")
    assert SECTION in text
    start = text.index(SECTION) + len(SECTION)
    end = text.find("\n## ", start)
    return text[start : end if end >= 0 else len(text)]


def entries() -> dict[str, str]:
    """The issue 20 section's `### ` entries: heading → body."""
    parts = re.split(r"^### (.+)$", issue_20_section(), flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def quotations(text: str) -> list[str]:
    """Each double-quoted passage, in its pieces either side of an ellipsis."""
    return [p.strip() for q in re.findall(r'"([^"]+)"', text) for p in q.split("…") if p.strip()]


@pytest.mark.parametrize("name", PLAN_FILES)
def test_every_plan_and_note_cites_an_entry_of_sources_md(name: str) -> None:
    data = yaml.safe_load((DEMO / name).read_text(encoding="utf-8"))
    headings = set(entries())
    cited = [e["source"] for e in [*(data.get("plans") or []), *(data.get("curve_notes") or [])]]
    assert cited
    for source in cited:
        assert source.startswith("SOURCES.md § "), source
        assert source.removeprefix("SOURCES.md § ") in headings, source


@pytest.mark.parametrize(("name", "seed"), PLAN_FILES.items())
def test_what_the_plans_and_notes_quote_is_in_the_seed(name: str, seed: str) -> None:
    if not (SEEDS / seed).is_file():
        pytest.skip(f"the seed texts are not next to the repository ({SEEDS})")
    text = squash((SEEDS / seed).read_text(encoding="utf-8"))
    data = yaml.safe_load((DEMO / name).read_text(encoding="utf-8"))
    quoted = [q for s in strings(data) for q in quotations(s)]
    assert len(quoted) >= 4
    assert [q for q in quoted if squash(q) not in text] == []


def test_the_sources_entries_quote_their_seed() -> None:
    found = entries()
    assert len(found) == 4
    for heading, body in found.items():
        seed = re.search(r"Source: `seeds/([^`]+)`", body)
        assert seed is not None, heading
        if not (SEEDS / seed[1]).is_file():
            pytest.skip(f"the seed texts are not next to the repository ({SEEDS})")
        text = squash((SEEDS / seed[1]).read_text(encoding="utf-8"))
        missing = [q for q in quotations(body) if squash(q) not in text]
        assert missing == [], heading
