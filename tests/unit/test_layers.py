"""The layers stay apart: read from the import graph and the calls in tracker/, with `ast`.

- the domain imports nothing of the project outside tracker.domain, and only the standard library and yaml;
- the services import neither the reports nor the web;
- a web module runs no query: it imports nothing of SQLAlchemy but its errors (sqlalchemy.exc) and calls no
  select(), .execute(), .scalars(), .scalar() or db.session.get() (the services take the session for that).
Imports inside functions count as much as those at the top of a module. A feature package (`tracker/overrides`)
spans layers: each of its modules is in the service or the web layer below, and is checked as that layer.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path

TRACKER = Path(__file__).resolve().parents[2] / "tracker"

# Violations known when this test was written, each to be removed as it is fixed (a fixed one left here
# fails the test, so the list only shrinks). "module: what".
KNOWN: set[str] = set()


# The layers: packages, or single modules of a feature package.
SERVICE_LAYER = (
    "tracker.services",
    "tracker.overrides.service",
    "tracker.overrides.history",
    "tracker.events.service",
    "tracker.events.reading",
    "tracker.events.bulk",
    "tracker.events.measured",
    "tracker.events.manage",
    "tracker.events.kpi_feed",
    "tracker.events.evidence_feed",
    "tracker.events.storing",
    "tracker.plans.curve_pages",
    "tracker.plans.service",
    "tracker.plans.reading",
    "tracker.plans.targets",
    "tracker.plans.curve",
    "tracker.plans.pages",
    "tracker.plans.prompts",
    "tracker.plans.export",
    "tracker.api.tokens",
    "tracker.api.reading_frameworks",
    "tracker.api.reading_ratings",
    "tracker.api.reading_kpis",
    "tracker.api.reading_evidence",
    "tracker.api.reading_surveys",
    "tracker.api.reading_events",
    "tracker.api.reading_plans",
    "tracker.storage",
)
WEB_LAYER = (
    "tracker.web",
    "tracker.overrides.forms",
    "tracker.overrides.views",
    "tracker.events.forms",
    "tracker.events.views",
    "tracker.plans.curve_forms",
    "tracker.plans.curve_views",
    "tracker.plans.forms",
    "tracker.plans.views",
    "tracker.api.core",
    "tracker.api.openapi",
    "tracker.api.views_frameworks",
    "tracker.api.views_ratings",
    "tracker.api.views_kpis",
    "tracker.api.views_evidence",
    "tracker.api.views_surveys",
    "tracker.api.views_events",
    "tracker.api.views_plans",
)
FEATURE_PACKAGES = ("tracker.overrides", "tracker.events", "tracker.plans", "tracker.api")


def module_name(path: Path) -> str:
    parts = path.relative_to(TRACKER.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules(package: str) -> Iterator[tuple[str, ast.Module]]:
    """The modules of a package (all its files, at any depth), or the one module `package` names."""
    where = TRACKER.parent / package.replace(".", "/")
    paths = sorted(where.rglob("*.py")) if where.is_dir() else [where.with_suffix(".py")]
    for path in paths:
        if "migrations" in path.parts:
            continue
        yield module_name(path), ast.parse(path.read_text(encoding="utf-8"))


def layer(names: tuple[str, ...]) -> Iterator[tuple[str, ast.Module]]:
    for name in names:
        yield from modules(name)


def imported(name: str, tree: ast.Module) -> Iterator[str]:
    """Every module `tree` imports, anywhere in it, relative imports made absolute."""
    package = name if (TRACKER.parent / name.replace(".", "/")).is_dir() else name.rsplit(".", 1)[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            yield module
            # `from tracker.reports import model` imports the module tracker.reports.model
            yield from (f"{module}.{a.name}" for a in node.names if is_project_module(f"{module}.{a.name}"))


def is_project_module(name: str) -> bool:
    path = TRACKER.parent / name.replace(".", "/")
    return name.startswith("tracker.") and (path.with_suffix(".py").is_file() or path.is_dir())


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def domain_violations() -> set[str]:
    found = set()
    allowed_outside = {"yaml"}
    for name, tree in modules("tracker.domain"):
        for module in imported(name, tree):
            top = module.split(".")[0]
            if top == "tracker":
                if not within(module, "tracker.domain"):
                    found.add(f"{name}: imports {module}")
            elif top not in sys.stdlib_module_names and top not in allowed_outside and top != "__future__":
                found.add(f"{name}: imports {module}")
    return found


def service_violations() -> set[str]:
    found = set()
    for name, tree in layer(SERVICE_LAYER):
        for module in imported(name, tree):
            if any(within(module, outside) for outside in ("tracker.reports", *WEB_LAYER)):
                found.add(f"{name}: imports {module}")
    return found


QUERY_METHODS = {"execute", "scalars", "scalar", "get"}
# A view may catch the database's errors to answer them; it imports nothing else of SQLAlchemy.
WEB_MAY_IMPORT = {"sqlalchemy.exc"}


def web_violations() -> set[str]:
    return {problem for name, tree in layer(WEB_LAYER) for problem in queries_in(name, tree)}


def queries_in(name: str, tree: ast.Module) -> set[str]:
    """What in a web module runs a query: SQLAlchemy imports, select(), a session's execute/scalar(s)/get."""
    found = {
        f"{name}: imports {module}"
        for module in imported(name, tree)
        if module.split(".")[0] == "sqlalchemy" and module not in WEB_MAY_IMPORT
    }
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        called = node.func
        if isinstance(called, ast.Name) and called.id == "select":
            found.add(f"{name}: calls select()")
        elif isinstance(called, ast.Attribute):
            target = ast.unparse(called.value)
            # Flask's own `session` (the cookie's dict) has a get() too: only db.session's get() counts.
            on_session = target.endswith(".session") or (target == "session" and called.attr != "get")
            if called.attr in QUERY_METHODS and on_session:
                found.add(f"{name}: calls {target}.{called.attr}()")
            elif called.attr == "select":
                found.add(f"{name}: calls {target}.select()")
    return found


def test_the_layers_hold_apart_from_the_known_violations() -> None:
    found = domain_violations() | service_violations() | web_violations()
    assert sorted(found - KNOWN) == [], "new layering violations"
    assert sorted(KNOWN - found) == [], "fixed: remove these from KNOWN"


def test_every_module_of_a_feature_package_is_in_a_layer() -> None:
    """A module added to a feature package is checked as a service or a view, not left out of both."""
    layered = {name for name, _tree in layer(SERVICE_LAYER + WEB_LAYER)}
    for package in FEATURE_PACKAGES:
        assert (
            sorted(name for name, _tree in modules(package) if name != package and name not in layered) == []
        )


def test_the_checks_see_a_query_wherever_it_is_written() -> None:
    source = """
from flask import session
from sqlalchemy.exc import OperationalError

def view():
    from sqlalchemy import func
    user = db.session.get(User, 1)
    rows = db.session.execute(select(User.id)).all()
    with db.unit_of_work() as session:
        session.scalars(query)
    return session.get("next")  # the cookie: not a query
"""
    assert queries_in("tracker.web.probe", ast.parse(source)) == {
        "tracker.web.probe: imports sqlalchemy",
        "tracker.web.probe: calls db.session.get()",
        "tracker.web.probe: calls db.session.execute()",
        "tracker.web.probe: calls select()",
        "tracker.web.probe: calls session.scalars()",
    }
    relative = ast.parse("def f():\n    from ..reports import model\n    from . import audit\n")
    assert set(imported("tracker.services.probe", relative)) >= {
        "tracker.reports.model",
        "tracker.services.audit",
    }
