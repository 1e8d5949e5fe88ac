"""Helpers for the import tests: a digest of every stored row, the audit trail since a point, a page's parts."""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field
from html.parser import HTMLParser

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, encode_multipart

from tracker.db.models import AuditEvent, Base
from tracker.extensions import db


def post_file(client: FlaskClient, url: str, kind: str, raw: bytes) -> TestResponse:
    """Upload a file of any size; the body is built in memory (the test client's spooled file is never closed)."""
    upload = FileStorage(io.BytesIO(raw), filename="upload.csv", content_type="text/csv")
    boundary, body = encode_multipart({"kind": kind, "file": upload})
    return client.post(url, data=body, content_type=f'multipart/form-data; boundary="{boundary}"')


def digest(app: Flask) -> dict[str, str]:
    """A hash of every row of every table but the audit trail (which refusals add to), per table."""
    hashes = {}
    with app.app_context():
        for table in Base.metadata.sorted_tables:
            if table.name == "audit_event":
                continue
            rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
            hashes[table.name] = hashlib.sha256(repr([tuple(r) for r in rows]).encode()).hexdigest()
    return hashes


def last_audit_id(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.max(AuditEvent.id))) or 0


def audit_since(app: Flask, last_id: int) -> list[tuple[str, str, str, str]]:
    with app.app_context():
        return [
            (e.action, e.object_type, e.object_id, e.detail)
            for e in db.session.scalars(
                select(AuditEvent).where(AuditEvent.id > last_id).order_by(AuditEvent.id)
            )
        ]


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    text: str = ""
    children: list[Element] = field(default_factory=list)


class Page(HTMLParser):
    """Every element of a page with its text; `find` picks them by tag and class or id."""

    VOID = frozenset(
        {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
    )

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs})
        if self._open:
            self._open[-1].children.append(element)
        self.elements.append(element)
        if tag not in self.VOID:
            self._open.append(element)

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                return

    def handle_data(self, data: str) -> None:
        for element in self._open:
            element.text += data

    def find(self, tag: str, *, cls: str = "", id_: str = "") -> list[Element]:
        return [
            e
            for e in self.elements
            if e.tag == tag
            and (not cls or cls in e.attrs.get("class", "").split())
            and (not id_ or e.attrs.get("id") == id_)
        ]

    def text(self, tag: str, **kwargs: str) -> list[str]:
        return [" ".join(e.text.split()) for e in self.find(tag, **kwargs)]
