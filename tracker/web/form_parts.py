"""Small pieces shared by the forms: choices in the WTForms 3.3 shape, and a 'required' marker."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from wtforms.fields.choices import SelectChoice


def choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class Required:
    """Marks a field required in its label and markup; the domain validator says what is wrong."""

    field_flags = {"required": True}

    def __call__(self, form: Any, field: Any) -> None:
        return None
