"""Loading framework versions: add, change, archive, restore, refuse; nothing is ever deleted."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from tracker.db.models import (
    AuditEvent,
    Element,
    Evidence,
    EvidenceLink,
    Framework,
    FrameworkPartner,
    FrameworkVersion,
)
from tracker.domain.loader import parse_framework
from tracker.extensions import db
from tracker.services import frameworks as framework_service
from tracker.services.audit import Actor


def bump(text: str, version: int) -> str:
    return text.replace("version: 1", f"version: {version}", 1)


def test_first_load_adds_every_element(app: Flask, load_framework: Any, tiny_yaml: str) -> None:
    summary = load_framework(tiny_yaml)
    assert summary.created and not summary.unchanged
    assert "outcome more-statutory" in summary.added and "partner tiny-council" in summary.added
    with app.app_context():
        slugs = db.session.scalars(select(Element.slug).order_by(Element.position)).all()
        assert slugs == [
            "placements", "aim-ready", "act-allocation", "out-days",
            "more-statutory", "educators-supported", "retention", "statutory-share",
        ]  # fmt: skip
        version = db.session.scalars(select(FrameworkVersion)).one()
        assert version.yaml_text == tiny_yaml and version.version == 1
        audit = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "framework.load")).one()
        assert audit.object_id == "tiny-partnership" and audit.after["version"] == 1


def test_reloading_the_same_version_changes_nothing(app: Flask, load_framework: Any, tiny_yaml: str) -> None:
    load_framework(tiny_yaml)
    again = load_framework(tiny_yaml + "\n# a comment does not change the content\n")
    assert again.unchanged
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(FrameworkVersion)) == 1


def test_new_version_adds_changes_and_archives(app: Flask, load_framework: Any, tiny_yaml: str) -> None:
    load_framework(tiny_yaml)
    with app.app_context(), db.unit_of_work() as session:
        framework = session.scalars(select(Framework)).one()
        retention = session.scalars(select(Element).where(Element.slug == "retention")).one()
        item = Evidence(
            framework_id=framework.id, title="Graduate destinations", source_type="admin_data",
            collected_on=date(2023, 1, 1), finding="supports", status="accepted",
        )  # fmt: skip
        session.add(item)
        session.flush()
        session.add(EvidenceLink(evidence_id=item.id, element_id=retention.id))
    v2 = bump(tiny_yaml, 2)
    v2 = v2.replace("Practice educators feel supported", "Practice educators feel well supported")
    v2 = v2.replace(
        "      - {id: retention, text: Graduates stay in the region, quadrant: effect-quantity, term: long, expected_by: 2026-03-31}\n",
        "      - {id: new-outcome, text: Students feel ready, quadrant: effect-quality, term: short}\n",
    )
    summary = load_framework(v2)
    assert summary.added == ["outcome new-outcome"]
    assert summary.changed == ["outcome educators-supported"]
    assert summary.archived == ["outcome retention"]
    with app.app_context():
        retention = db.session.scalars(select(Element).where(Element.slug == "retention")).one()
        assert retention.archived_at is not None and retention.archived_in_version == 2
        # The archived outcome's evidence is still there, still linked.
        link = db.session.scalars(select(EvidenceLink).where(EvidenceLink.element_id == retention.id)).one()
        assert db.session.get(Evidence, link.evidence_id).title == "Graduate destinations"  # type: ignore[union-attr]
        versions = db.session.scalars(
            select(FrameworkVersion.version).order_by(FrameworkVersion.version)
        ).all()
        assert versions == [1, 2]
        assert db.session.scalars(select(Framework.current_version)).one() == 2
        changed = db.session.scalars(select(Element).where(Element.slug == "educators-supported")).one()
        assert changed.text == "Practice educators feel well supported" and changed.changed_in_version == 2
        # Archived elements are gone from the current framework (views and ratings use it).
        found = framework_service.current_version(db.session, "tiny-partnership")
        assert found is not None
        current = framework_service.framework_of(found[1])
        assert current.get("retention") is None and current.get("new-outcome") is not None


def test_an_archived_element_that_returns_is_restored(
    app: Flask, load_framework: Any, tiny_yaml: str
) -> None:
    load_framework(tiny_yaml)
    without_partner = bump(tiny_yaml, 2).replace(
        "  - {id: tiny-council, name: Tiny Council, kind: local_authority, tier: primary}\n", ""
    )
    assert load_framework(without_partner).archived == ["partner tiny-council"]
    assert load_framework(bump(tiny_yaml, 3)).restored == ["partner tiny-council"]
    with app.app_context():
        membership = db.session.scalars(select(FrameworkPartner)).one()
        assert membership.archived_at is None


@pytest.mark.parametrize(
    ("second", "message"),
    [
        ("lower", "version 1 is lower than the loaded version 2"),
        ("same-changed", "version 2 is already loaded with different content; raise 'version' to 3"),
    ],
)
def test_refused_versions_change_nothing(
    app: Flask, load_framework: Any, tiny_yaml: str, second: str, message: str
) -> None:
    load_framework(bump(tiny_yaml, 2))
    text = tiny_yaml if second == "lower" else bump(tiny_yaml, 2).replace("Tiny Teaching", "Small Teaching")
    result = parse_framework(text, "t.yaml")
    assert result.framework is not None
    with app.app_context():
        before = db.session.scalar(select(func.count()).select_from(AuditEvent))
        with pytest.raises(framework_service.FrameworkRefused, match=message), db.unit_of_work() as session:
            framework_service.load_version(session, result.framework, text, Actor("test"))
        assert db.session.scalar(select(func.count()).select_from(FrameworkVersion)) == 1
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before
        assert db.session.scalars(select(Framework.title)).one() == "Tiny Teaching Partnership"
