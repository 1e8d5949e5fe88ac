"""A framework's content fingerprint does not move when the survey definition gains keys at their defaults
(issue 21's organisations, characteristics, overall), so reloading an unchanged file makes no new version."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from tracker.domain.loader import parse_framework
from tracker.domain.surveys import Bands, Scale, Section, SurveyDefinition
from tracker.services.frameworks import content_fingerprint

SHIPPED = Path(__file__).resolve().parents[2] / "frameworks" / "employer_standards_2024.yaml"


@dataclasses.dataclass(frozen=True)
class EarlierSurvey:
    """SurveyDefinition's fields before issue 21."""

    id: str
    title: str
    scale: Scale
    min_group_size: int
    bands: Bands
    breakdowns: tuple[str, ...]
    sections: tuple[Section, ...]


def earlier(survey: SurveyDefinition) -> EarlierSurvey:
    fields = [f.name for f in dataclasses.fields(EarlierSurvey)]
    return EarlierSurvey(**{name: getattr(survey, name) for name in fields})


def shipped() -> Any:
    framework = parse_framework(SHIPPED.read_text(encoding="utf-8"), SHIPPED.name).framework
    assert framework is not None and framework.surveys
    return framework


def test_surveys_at_the_new_defaults_fingerprint_as_before() -> None:
    framework = shipped()
    before = dataclasses.replace(framework, surveys=tuple(earlier(s) for s in framework.surveys))
    assert content_fingerprint(framework) == content_fingerprint(before)


@pytest.mark.parametrize(
    "change", [{"organisations": True}, {"characteristics": ("gender",)}, {"overall": ("standard-1",)}]
)
def test_a_new_key_set_changes_the_fingerprint(change: dict[str, Any]) -> None:
    framework = shipped()
    changed = dataclasses.replace(
        framework, surveys=tuple(dataclasses.replace(s, **change) for s in framework.surveys)
    )
    assert content_fingerprint(changed) != content_fingerprint(framework)
