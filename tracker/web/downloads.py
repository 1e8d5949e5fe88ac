"""Download headers: a file name a user chose can never break or inject a header."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/;]+')


def attachment_header(name: str) -> str:
    """RFC 6266 `Content-Disposition`: an ASCII fallback and the UTF-8 name (RFC 5987), controls removed."""
    cleaned = _UNSAFE.sub("-", unicodedata.normalize("NFKC", name)).strip(" .-")[:150] or "download"
    stem, dot, extension = cleaned.rpartition(".") if "." in cleaned else (cleaned, "", "")
    ascii_stem = stem.encode("ascii", "ignore").decode("ascii").strip(" .-") or "download"
    ascii_extension = extension.encode("ascii", "ignore").decode("ascii")
    fallback = ascii_stem + (dot + ascii_extension if ascii_extension else "")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(cleaned, safe='')}"
