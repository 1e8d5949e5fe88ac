"""A file of 50,000 bad rows: the first 100 problems and the count, on the page and from the CLI (issue 15, B)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskCliRunner

from tracker.domain.problems import MAX_PROBLEMS_SHOWN, ProblemLog

from ..import_checks import digest, post_file
from ..page import Page

SLUG = "tiny-partnership"
HEADER = (
    "title,summary,source_type,collected_on,links,finding,respondents,population,positive,collection,group,"
    "independent,partner,quote,url,flags,status"
)


def bad_file(rows: int = 50_000) -> bytes:
    """Every row has one problem (a source type that does not exist): about 3 MB."""
    body = "".join(
        f"Item {i} with a longer title to make the file bigger,A summary,poll,2023-01-01,educators-supported,"
        "supports,,,,,,,,,,,\n"
        for i in range(rows)
    )
    return (HEADER + "\n" + body).encode()


def test_the_page_lists_the_first_100_problems_and_counts_the_rest(app: Flask, as_role: Any) -> None:
    admin = as_role("admin")
    raw = bad_file()
    assert len(raw) > 3_000_000
    before = digest(app)
    response = post_file(admin, f"/f/{SLUG}/import", "evidence", raw)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert len(html.encode()) < 200_000, f"the page is {len(html.encode()):,} bytes"
    page = Page(html)
    assert page.title_parts[0] == "Error: Import a CSV file"
    assert page.text("h2#problems") == "Problems found (50,000)"
    problems = page.texts("ul.import-problems > li")
    assert len(problems) == MAX_PROBLEMS_SHOWN
    assert [p.split(":")[0] for p in problems] == [f"Row {n}" for n in range(2, 102)]
    assert problems[0].startswith("Row 2: source_type 'poll' is not one of: ")
    assert page.text("p.import-more-problems") == "… and 49,900 more problems: fix these and upload again."
    # The summary at the top links the first 20 to the file field and counts the rest.
    summary = page.error_summary
    assert [target for target, _ in summary] == ["file"] * 20 + ["problems"]
    assert [text.split(":")[0] for _, text in summary[:20]] == [f"Row {n}" for n in range(2, 22)]
    assert summary[19][1].startswith("Row 21: source_type")
    assert summary[20] == ("problems", "… and 49,980 more problems")
    assert digest(app) == before


def test_the_cli_prints_the_first_100_problems_and_the_count(
    app: Flask, runner: FlaskCliRunner, framework: str, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(bad_file())
    before = digest(app)
    result = runner.invoke(args=["evidence", "import", str(path), "--framework", SLUG])
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if line.startswith(f"{path}:")]
    assert [int(line.split(":")[1]) for line in lines] == list(range(2, 102))
    assert "… and 49,900 more problems: fix these and run the import again" in result.stdout
    assert "50,000 problem(s); nothing was imported" in result.output
    assert digest(app) == before


def test_problems_keep_the_lowest_rows_whatever_order_they_are_found_in() -> None:
    """Rows with too many cells are found while reading, before the earlier rows' field problems."""
    problems = ProblemLog()
    for row in range(50_000, 2, -1):
        problems.add(row, "late")
    problems.add(2, "first")
    problems.add(2, "second")
    first = problems.first()
    assert problems.total == 49_998 + 2
    assert [(p.row, p.message) for p in first[:3]] == [(2, "first"), (2, "second"), (3, "late")]
    assert [p.row for p in first] == [2, 2, *range(3, 101)]
