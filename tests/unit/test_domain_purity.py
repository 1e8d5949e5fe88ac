"""The domain is pure: it imports no web, database or PDF code, directly or through anything it imports."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "tracker" / "domain"
FORBIDDEN = ("flask", "sqlalchemy", "weasyprint", "werkzeug", "jinja2", "alembic", "wtforms", "flask_wtf")


def test_domain_sources_import_nothing_forbidden() -> None:
    offenders = []
    for path in sorted(DOMAIN.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
            if (
                isinstance(node, ast.ImportFrom)
                and node.module
                and node.module.startswith("tracker.")
                and not node.module.startswith("tracker.domain")
            ):
                offenders.append(f"{path.name}: {node.module}")
    assert offenders == []


def test_importing_the_domain_loads_no_forbidden_module() -> None:
    modules = [f"tracker.domain.{p.stem}" for p in DOMAIN.glob("*.py") if p.stem != "__init__"]
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in modules)
        + f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN!r})\n"
        + "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
