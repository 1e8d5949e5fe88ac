"""Reading an import's CSV file: the header checked against known columns, then rows with their numbers.

Shared by the evidence and KPI imports (rows numbered as a spreadsheet numbers them, the header row 1) and the
event files (numbered by the line of the file each row starts on, so a comment holding a line break does not
shift the numbers after it). Problems go to a ProblemLog, which keeps memory bounded however bad the file.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from tracker.domain.problems import ProblemLog


@dataclass(frozen=True, slots=True)
class CsvRows:
    """The header as written (trimmed) and the non-blank rows, each (number, {column: cell})."""

    header: tuple[str, ...]
    rows: list[tuple[int, dict[str, str]]]

    def position(self, column: str) -> int:
        """The column's 1-based position in the header (1 when the file lacks it)."""
        return self.header.index(column) + 1 if column in self.header else 1


def decode_csv(raw: bytes, problems: ProblemLog, max_bytes: int) -> str | None:
    """The file's text, or None with a problem: too large, not UTF-8 (at its line), or not text at all."""
    if len(raw) > max_bytes:
        problems.add(1, f"the file is larger than {max_bytes // (1024 * 1024)} MB")
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        problems.add(raw[: error.start].count(b"\n") + 1, "the file is not UTF-8 text (save it as CSV UTF-8)")
        return None
    if "\x00" in text:
        problems.add(1, "the file holds NUL bytes: it is not a CSV file")
        return None
    return text


def read_csv(
    text: str,
    columns: tuple[str, ...],
    required: tuple[str, ...],
    problems: ProblemLog,
    *,
    max_rows: int,
    by_line: bool = False,
) -> CsvRows:
    """Rows numbered as a spreadsheet shows them (the header is 1), or by the line each starts on (`by_line`).

    An unknown, missing or repeated column refuses the file (no rows); so does a row past `max_rows`.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = tuple(h.strip() for h in next(reader))
    except StopIteration:
        problems.add(1, "the file is empty")
        return CsvRows((), [])
    except csv.Error as error:
        problems.add(1, f"cannot be read as CSV: {error}")
        return CsvRows((), [])
    before = problems.total
    for h in header:
        if h not in columns:
            problems.add(1, f"unknown column '{h[:40]}'; the columns are: {', '.join(columns)}", column=h)
    for name in required:
        if name not in header:
            problems.add(1, f"the column '{name}' is missing")
    if len(set(header)) != len(header):
        problems.add(1, "a column name appears twice")
    if problems.total > before:
        return CsvRows(header, [])
    rows: list[tuple[int, dict[str, str]]] = []
    records = 0
    number = 1
    ended = reader.line_num  # the line the previous record ended on
    try:
        for record_number, record_ in enumerate(reader, start=2):
            number = ended + 1 if by_line else record_number
            ended = reader.line_num
            if not any(cell.strip() for cell in record_):
                continue
            records += 1
            if records > max_rows:
                problems.add(number, f"more than {max_rows:,} rows; split the file")
                return CsvRows(header, [])
            if len(record_) > len(header):
                problems.add(number, f"has {len(record_)} cells but the header has {len(header)}")
                continue
            rows.append(
                (number, dict(zip(header, record_ + [""] * (len(header) - len(record_)), strict=True)))
            )
    except csv.Error as error:
        problems.add((ended + 1) if by_line else number + 1, f"cannot be read as CSV: {error}")
    return CsvRows(header, rows)
