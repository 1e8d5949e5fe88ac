"""Digests of what a round's stored results were computed from, so a changed input makes them unused.

Each digest is the SHA-256 of a canonical JSON text: the same values give the same digest in every process
(sets are sorted, so hash seeds do not matter), and any value that can change a figure or its wording
changes it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from tracker.domain.survey_level_results import Organisation
from tracker.domain.surveys import SurveyDefinition


def _plain(value: Any) -> Any:
    """A value as JSON-ready lists and dicts: a dataclass by its fields given at creation, sets sorted."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            "type": type(value).__name__,
            **{f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value) if f.init},
        }
    if isinstance(value, Mapping):
        return sorted([str(k), _plain(v)] for k, v in value.items())
    if isinstance(value, frozenset | set):
        return sorted((_plain(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot digest a {type(value).__name__}")


def _digest(value: Any) -> str:
    text = json.dumps(_plain(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def definition_digest(definition: SurveyDefinition) -> str:
    """Every field of the survey's definition (scale, bands, sections, threshold, keys of issue 21...)."""
    return _digest(definition)


def organisations_digest(organisations: Iterable[Organisation]) -> str:
    """The organisations' ids, names, kinds and regions, whatever order they are given in."""
    return _digest(sorted((o.id, o.name, o.kind, o.region) for o in organisations))
