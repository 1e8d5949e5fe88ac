"""Cutting the report's HTML into parts that render on their own (issue 23): where it is cut, how the runs are
balanced, how links across parts and the contents' page numbers are written."""

from __future__ import annotations

import re

import pytest

from tracker.reports import pdf_parts
from tracker.reports.pdf_parts import JOIN_LINK, NotSplittable, group_chapters, split_report

HEAD = '<!doctype html><html lang="en-GB"><head><title>R</title></head><body class="report"><main id="main">'
RUNNING = '<p class="running-title" aria-hidden="true">Board &amp; "partners" · as of 31 May 2020</p>'
FRONT = '<section class="cover"><h1>R</h1></section><nav class="toc"><ol><li><a href="#a">A</a></li><li><a href="#b">B</a></li></ol></nav>'
A = '<section id="a" class="chapter" aria-labelledby="a-h"><h2 id="a-h">A</h2><p><a href="#b-x">to B</a></p></section>'
B = '<section id="b" class="chapter theme-chapter"><h2>B</h2><section class="event-block" id="b-x"><p>x</p></section></section>'
END = "</main></body></html>"
REPORT = HEAD + RUNNING + FRONT + A + B + END


def test_the_report_is_cut_at_its_top_level_chapters_only() -> None:
    parts = split_report(REPORT)
    assert parts.start == HEAD and parts.running == RUNNING and parts.front == FRONT
    assert parts.chapters == (A, B)  # the nested event block stays inside its chapter
    assert parts.end == END
    assert parts.start + parts.running + parts.front + "".join(parts.chapters) + parts.end == REPORT


@pytest.mark.parametrize(
    "html",
    [
        "<html><body><h1>Board report</h1></body></html>",
        HEAD + FRONT + A + END,  # no running title
        HEAD + RUNNING + FRONT + A + "</body></html>",  # no </main>
        HEAD + RUNNING + FRONT + END,  # no chapter
    ],
)
def test_a_document_without_the_reports_landmarks_is_rendered_whole(html: str) -> None:
    with pytest.raises(NotSplittable):
        split_report(html)


@pytest.mark.parametrize(
    ("sizes", "pieces", "runs"),
    [
        ([10, 10, 10, 10, 10, 10], 3, [[10, 10], [10, 10], [10, 10]]),
        (
            [13, 9, 87, 24, 76, 41, 7, 20, 5, 1, 5, 2],
            6,
            [[13, 9], [87], [24], [76], [41, 7], [20, 5, 1, 5, 2]],
        ),
        ([100, 1, 1], 2, [[100], [1, 1]]),  # a chapter larger than a share is a run of its own
        ([5], 4, [[5]]),
        ([3, 3], 1, [[3, 3]]),
    ],
)
def test_runs_of_chapters_are_consecutive_and_about_equal(
    sizes: list[int], pieces: int, runs: list[list[int]]
) -> None:
    chapters = tuple("x" * size for size in sizes)
    grouped = group_chapters(chapters, pieces)
    assert [[len(c) for c in run] for run in grouped] == runs
    assert tuple(c for run in grouped for c in run) == chapters  # nothing lost, nothing reordered


def test_a_later_part_keeps_its_running_title_and_leaves_page_numbers_to_the_join() -> None:
    parts = split_report(REPORT)
    later = parts.part(B, first=False)
    assert RUNNING not in later.html  # in the flow before the chapter it would leave a blank first page
    assert "@bottom-right { content: none; }" in later.html
    assert "@page :first { @top-left { content: string(running); } }" in later.html
    # The running title's text as a CSS string: quotes and the ampersand survive, nothing breaks out.
    assert 'string-set: running "Board & \\22 partners\\22  · as of 31 May 2020"' in later.html
    first = parts.part(FRONT, first=True)
    assert RUNNING in first.html and "string-set" not in first.html
    assert first.ids == {"main"}  # the shell's ids belong to the first part


def test_links_to_another_parts_ids_point_to_the_join_and_own_links_stay() -> None:
    parts = split_report(REPORT)
    part = parts.part(A, first=False, elsewhere=frozenset({"b-x", "b"}))
    assert f'href="{JOIN_LINK}#b-x"' in part.html
    assert part.ids == {"a", "a-h"}
    own = parts.part(A + '<p><a href="#a-h">up</a></p>', first=False, elsewhere=frozenset({"b-x"}))
    assert 'href="#a-h"' in own.html


def test_the_contents_page_numbers_are_written_in_per_target() -> None:
    parts = split_report(REPORT)
    assert pdf_parts.contents_targets(parts.front) == ["a", "b"]
    front = parts.part(FRONT, first=True, elsewhere=frozenset({"a", "b"}), contents={"a": 3, 'b"}x': 7})
    assert '.toc a[href$="#a"]::after { content: leader(". ") "3"; }' in front.html
    assert '.toc a[href$="#b\\"}x"]::after' in front.html  # a quote in an id cannot end the selector


def test_a_numbers_sheet_has_one_page_per_page_and_only_the_number() -> None:
    sheet = split_report(REPORT).numbers_sheet(5, 8, 12)
    assert sheet.count("break-before: page") == 3
    assert [f"Page {n} of 12" for n in range(5, 9)] == re.findall(r"Page \d+ of \d+", sheet)
    assert pdf_parts.NUMBERS_STYLE in sheet
    assert "chapter" not in sheet and RUNNING not in sheet
