"""`tracker survey report`: one level as a self-contained HTML file or a PDF, `--all` as a folder of PDFs
named national.pdf, region-<slug>.pdf and org-<id>.pdf, and each misuse as one line with nothing written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.digest import table_digests
from tests.page import Page
from tests.services.test_survey_levels_stored import SLUG, SURVEY_ID, load_hand_made_round

FEWER = "Fewer than 10"


@pytest.fixture
def national_app(
    app: Flask, framework: str, load_framework: Any, tiny_yaml: str, runner: Any, tmp_path: Path
) -> Flask:
    return load_hand_made_round(app, load_framework, tiny_yaml, runner, tmp_path)


def report(runner: Any, *args: str) -> Any:
    return runner.invoke(args=["survey", "report", "--framework", SLUG, "--survey", SURVEY_ID, *args])


def test_one_organisation_as_a_self_contained_html_file(
    national_app: Flask, runner: Any, tmp_path: Path
) -> None:
    out = tmp_path / "b.html"
    result = report(runner, "--level", "org", "--org", "b", "--format", "html", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"wrote {out} (") and result.output.endswith(
        "bytes): Local report: Beckside Council, 2023/24\n"
    )
    page = Page(out.read_text(encoding="utf-8"))
    assert page.h1 == "Local report: Beckside Council"
    assert page.has("head style") and not page.has("link[rel=stylesheet]") and not page.has("header nav")
    assert page.rows("Beckside Council against North and the national average, 2023/24")[0][:3] == [
        "Overall (Standards 1-2)",
        "70",
        FEWER,
    ]


@pytest.mark.parametrize(
    "args",
    [
        ("--level", "national"),
        ("--level", "region", "--region", "South"),
        ("--region", "South"),  # --level follows from --region
        ("--org", "a", "--round", "2022/23"),
    ],
)
def test_one_level_as_a_pdf(national_app: Flask, runner: Any, tmp_path: Path, args: tuple[str, ...]) -> None:
    out = tmp_path / "report.pdf"
    result = report(runner, *args, "--format", "pdf", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")


def test_every_report_of_a_round_as_pdfs(national_app: Flask, runner: Any, tmp_path: Path) -> None:
    out = tmp_path / "all"
    result = report(runner, "--all", "--format", "pdf", "-o", str(out))
    assert result.exit_code == 0, result.output
    names = ["national.pdf", "region-north.pdf", "region-south.pdf", "org-a.pdf", "org-b.pdf", "org-c.pdf"]
    assert result.output.splitlines() == [
        f"writing 6 reports of round 2023/24 to {out}/",
        *(f"  {done} of 6: {name}" for done, name in enumerate(names, start=1)),
        f"wrote 6 PDFs to {out}/",
    ]
    assert sorted(p.name for p in out.iterdir()) == sorted(names)
    assert all((out / name).read_bytes().startswith(b"%PDF") for name in names)


MISUSE = [
    (
        ("--level", "region", "--region", "Nort", "--format", "pdf"),
        1,
        "Error: survey 'health-check' has no region 'Nort'; did you mean 'North'? (its regions: North, South)",
    ),
    (
        ("--org", "zz", "--format", "pdf"),
        1,
        "Error: survey 'health-check' has no organisation 'zz'",
    ),
    (
        ("--level", "national", "--round", "2023", "--format", "pdf"),
        1,
        "Error: survey 'health-check' has no round '2023'; did you mean '2023/24'? (its rounds: 2022/23, 2023/24)",
    ),
    (("--all", "--level", "org", "--format", "pdf"), 2, "--level, --region and --org"),
    (("--all", "--format", "html"), 2, "--all writes PDFs: use --format pdf"),
    (("--level", "org", "--format", "pdf"), 2, "--level org needs the organisation's id"),
]


@pytest.mark.parametrize(("args", "code", "message"), MISUSE)
def test_each_misuse_is_one_line_and_writes_nothing(
    national_app: Flask, runner: Any, tmp_path: Path, args: tuple[str, ...], code: int, message: str
) -> None:
    before = table_digests(national_app)
    out = tmp_path / "out.pdf"
    result = report(runner, *args, "-o", str(out))
    assert result.exit_code == code
    assert message in result.output
    if code == 1:
        assert result.output.strip() == message
    assert not out.exists()
    assert table_digests(national_app) == before


def test_an_unknown_survey(national_app: Flask, runner: Any, tmp_path: Path) -> None:
    result = runner.invoke(
        args=["survey", "report", "--framework", SLUG, "--survey", "pe-survey", "--format", "pdf", "-o", "x"]
    )
    assert (result.exit_code, result.output.strip()) == (
        1,
        "Error: framework 'tiny-partnership' has no survey 'pe-survey'",
    )
