"""Attachment names: any script survives, nothing unsafe does, and no name can break a download header."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import Headers
from werkzeug.http import parse_options_header

from tracker.services.attachments import (
    MAX_NAME_BYTES,
    MAX_NAME_CHARS,
    _is_text,
    attachment_header,
    display_name,
)

FAST = settings(
    max_examples=int(os.environ.get("HYPOTHESIS_EXAMPLES", "300")),
    deadline=None,
    derandomize=os.environ.get("HYPOTHESIS_RANDOM") != "1",
)


@pytest.mark.parametrize(
    ("given_name", "shown"),
    [
        ("файл.pdf", "файл.pdf"),
        ("報告書 2023.docx", "報告書_2023.docx"),
        ("café.PDF", "café.PDF"),
        ("e\u0301te\u0301.csv", "été.csv"),  # NFKC composes the accents
        ("\uff46\uff49\uff4c\uff45\uff0epdf", "file.pdf"),  # NFKC folds full-width letters and the full stop
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("C:\\Users\\me\\..\\secret report.pdf", "secret_report.pdf"),
        ("..\uff0f..\uff0fx.pdf", "x.pdf"),  # a full-width solidus is a separator once normalised
        (".hidden.csv", "hidden.csv"),
        ("a\u202egnp.pdf", "agnp.pdf"),  # a right-to-left override cannot disguise the extension
        ("line\r\nbreak\x00.pdf", "line_break.pdf"),
        ("report (final) & notes.pdf", "report_final__notes.pdf"),  # as werkzeug's secure_filename
        ("...", "attachment"),
        ("", "attachment"),
        (".pdf", "pdf"),
    ],
)
def test_display_name(given_name: str, shown: str) -> None:
    assert display_name(given_name) == shown


def test_a_long_name_is_shortened_but_keeps_its_extension() -> None:
    assert display_name("x" * 500 + ".pdf") == "x" * (MAX_NAME_CHARS - 4) + ".pdf"
    cyrillic = display_name("ф" * 300 + ".csv")
    assert cyrillic.endswith("ф.csv") and len(cyrillic.encode()) <= MAX_NAME_BYTES


@FAST
@given(st.text(max_size=300))
def test_any_name_becomes_a_safe_one(name: str) -> None:
    shown = display_name(name)
    assert shown and shown == display_name(shown)  # stable: cleaning twice changes nothing
    assert len(shown) <= MAX_NAME_CHARS and len(shown.encode()) <= MAX_NAME_BYTES
    assert not shown.startswith(".") and "/" not in shown and "\\" not in shown
    assert all(c in "_.-" or unicodedata.category(c)[0] in "LNM" for c in shown)


@pytest.mark.parametrize(
    ("label", "header"),
    [
        ("passwd.pdf", 'attachment; filename="passwd.pdf"'),
        (
            "файл.pdf",
            "attachment; filename=\"download.pdf\"; filename*=UTF-8''%D1%84%D0%B0%D0%B9%D0%BB.pdf",
        ),
        ("café.pdf", "attachment; filename=\"cafe.pdf\"; filename*=UTF-8''caf%C3%A9.pdf"),
        (
            'Tiny "Council" 2023/24.csv',
            "attachment; filename=\"Tiny _Council_ 2023_24.csv\"; filename*=UTF-8''Tiny%20%22Council%22%202023_24.csv",
        ),
        (
            "results\r\nSet-Cookie: a=1.csv",
            'attachment; filename="results Set-Cookie_ a=1.csv"; '
            "filename*=UTF-8''results%20Set-Cookie%3A%20a%3D1.csv",
        ),
        ("\r\n\x00", 'attachment; filename="download"'),
    ],
)
def test_attachment_header(label: str, header: str) -> None:
    assert attachment_header(label) == header


@FAST
@given(st.text(max_size=300))
def test_no_label_can_break_the_header(label: str) -> None:
    header = attachment_header(label)
    assert header.isascii() and header.isprintable()  # no CR, LF, NUL or other control
    Headers().set("Content-Disposition", header)  # werkzeug refuses a value that could split a header
    kind, options = parse_options_header(header)
    assert kind == "attachment" and set(options) == {"filename"}
    name = options["filename"]  # filename* when present, decoded as a browser would
    assert name and not name.startswith(".") and "/" not in name and "\\" not in name
    assert all(unicodedata.category(c)[0] not in "CZ" or c == " " for c in name)
    fallback = header.split('filename="', 1)[1].split('"', 1)[0]
    assert fallback and '"' not in fallback and "\\" not in fallback and "%" not in fallback


def test_text_is_checked_to_the_last_byte_in_bounded_chunks(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    body = ("respondent,comment\n" + "A,café ✓\n" * 200_000).encode()
    assert len(body) > 2 * 1024 * 1024
    path.write_bytes(body)
    assert _is_text(path)  # multi-byte characters cut by chunk boundaries are fine
    path.write_bytes(body + b"\x00\x01binary")
    assert not _is_text(path)
    path.write_bytes(body + b"\xff\xfe")
    assert not _is_text(path)
    path.write_bytes(body + "é".encode()[:1])  # a character cut at the very end
    assert not _is_text(path)
