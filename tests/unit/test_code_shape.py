"""Issue 16's shape of the code, held: one place writes a PDF, nothing in the web touches the collector, and no
module grows past 500 lines (split it by feature instead). Read from the source with `ast`, as test_layers does."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TRACKER = Path(__file__).resolve().parents[2] / "tracker"
LONGEST = 500


def sources() -> list[Path]:
    return sorted(TRACKER.rglob("*.py"))


def write_pdf_calls(tree: ast.Module) -> int:
    return sum(
        1
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "write_pdf"
    )


def uses_gc(tree: ast.Module) -> bool:
    """An import of `gc` (any form), or a call on a name `gc`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import) and any(alias.name == "gc" for alias in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and node.module == "gc":
            return True
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "gc":
            return True
    return False


def test_one_call_writes_a_pdf() -> None:
    calls = {
        str(path.relative_to(TRACKER)): count
        for path in sources()
        if (count := write_pdf_calls(ast.parse(path.read_text(encoding="utf-8"))))
    }
    assert calls == {"reports/pdf.py": 1}


def test_the_web_does_not_touch_the_collector() -> None:
    web = sorted((TRACKER / "web").rglob("*.py"))
    assert web, "the web package moved: point this test at it"
    assert [
        str(path.relative_to(TRACKER)) for path in web if uses_gc(ast.parse(path.read_text("utf-8")))
    ] == []


def test_no_module_is_longer_than_500_lines() -> None:
    long = {
        str(path.relative_to(TRACKER)): lines
        for path in sources()
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > LONGEST
    }
    assert long == {}


@pytest.mark.parametrize(
    ("source", "calls", "collector"),
    [
        ("document.write_pdf(target)", 1, False),
        ("pdf = HTML(string=s).render().write_pdf()\nother.write_pdf(x)", 2, False),
        ("def write_pdfs(): pass\nwrite_pdfs()", 0, False),
        ("import gc\n", 0, True),
        ("from gc import freeze\n", 0, True),
        ("def f():\n    gc.collect()\n", 0, True),
        ("collect = 1\n", 0, False),
    ],
)
def test_the_checks_see_what_they_look_for(source: str, calls: int, collector: bool) -> None:
    tree = ast.parse(source)
    assert write_pdf_calls(tree) == calls
    assert uses_gc(tree) is collector
