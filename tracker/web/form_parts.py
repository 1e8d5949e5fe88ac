"""Small pieces shared by the forms: choices in the WTForms 3.3 shape, 'required' and length markers."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms.fields.choices import SelectChoice

from tracker.domain.text_limits import FORM_MAX_BYTES, TOO_LARGE_MESSAGE, TextLimit


def choices(pairs: Iterable[tuple[str, str]]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class Required:
    """Marks a field required in its label and markup; the domain validator says what is wrong."""

    field_flags = {"required": True}

    def __call__(self, form: Any, field: Any) -> None:
        return None


class Limit:
    """Marks a text field's length limit from the domain's table: `maxlength` in its markup and the limit in
    its hint (the form macros add it); the domain or the service refuses over-long text, at the field."""

    def __init__(self, limit: TextLimit) -> None:
        self.field_flags: dict[str, Any] = {"maxlength": limit.maximum, "limit_hint": limit.hint}
        if limit.minimum:
            self.field_flags["minlength"] = limit.minimum

    def __call__(self, form: Any, field: Any) -> None:
        return None


def too_large_page(_error: RequestEntityTooLarge) -> ResponseReturnValue:
    """A readable 413: what was refused and what to do (the form could not be read, so none of it is kept)."""
    return render_template(
        "error.html", code=413, title="The form was too large", message=TOO_LARGE_MESSAGE
    ), 413


def limit_form_size(
    bp: Blueprint,
    too_large: Callable[[RequestEntityTooLarge], ResponseReturnValue] = too_large_page,
    max_bytes: int = FORM_MAX_BYTES,
) -> None:
    """Bound the body of the blueprint's posts before anything reads the form (CSRF reads it first, before
    the sign-in check), and answer a larger one with `too_large`."""

    def _bound(_endpoint: str | None, _values: dict[str, Any] | None) -> None:
        if request.method == "POST":
            request.max_content_length = max_bytes
            request.max_form_memory_size = max_bytes

    bp.url_value_preprocessor(_bound)
    bp.register_error_handler(RequestEntityTooLarge, too_large)
