"""Each import page offers a sample file that imports as it is, and links to the page describing the columns;
docs/file-formats.md and that page say the same as the code (issue 17, item 8)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select

from tests.integration.test_surveys_flow import SURVEY
from tracker.db.models import Evidence, KpiValue, SurveyRound
from tracker.domain.evidence_input import EVIDENCE_COLUMNS, EVIDENCE_REQUIRED, KPI_COLUMNS, KPI_REQUIRED
from tracker.extensions import db

from ..import_checks import post_file
from ..page import Page

SLUG = "tiny-partnership"
REPO = Path(__file__).resolve().parents[2]


def download(client: FlaskClient, href: str) -> bytes:
    response = client.get(href)
    assert response.status_code == 200, href
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return response.get_data()


def sample_links(client: FlaskClient) -> dict[str, str]:
    page = Page.of(client.get(f"/f/{SLUG}/import"), 200)
    return dict(page.links("ul.sample-files a"))


def test_the_import_page_offers_a_sample_of_each_kind_and_the_formats(app: Flask, as_role: Any) -> None:
    lead = as_role("lead")
    page = Page.of(lead.get(f"/f/{SLUG}/import"), 200)
    assert sample_links(lead) == {
        "Download a sample file of evidence": f"/f/{SLUG}/import/evidence-sample.csv",
        "Download a sample file of KPI values": f"/f/{SLUG}/import/kpi-sample.csv",
    }
    assert ("File formats for imports", "/help/file-formats") in page.links("main a")
    formats = Page.of(lead.get("/help/file-formats"), 200)
    assert formats.h1 == "File formats for imports"
    evidence = formats.rows("Columns of an evidence file")
    assert [row[0] for row in evidence] == list(EVIDENCE_COLUMNS)
    assert [row[0] for row in evidence if row[1] == "Required"] == list(EVIDENCE_REQUIRED)
    kpis = formats.rows("Columns of a KPI values file")
    assert [row[0] for row in kpis] == list(KPI_COLUMNS)
    assert [row[0] for row in kpis if row[1] == "Required"] == list(KPI_REQUIRED)
    assert formats.has_id("survey")


@pytest.mark.parametrize("role", ["admin", "lead"])
def test_each_sample_imports_as_it_is(app: Flask, as_role: Any, role: str) -> None:
    client = as_role(role)
    links = sample_links(client)
    evidence = download(client, links["Download a sample file of evidence"])
    header = next(csv.reader(io.StringIO(evidence.decode())))
    assert header == list(EVIDENCE_COLUMNS)
    response = post_file(client, f"/f/{SLUG}/import", "evidence", evidence)
    assert response.status_code == 302, Page(response.get_data(as_text=True)).texts("ul.import-problems li")
    assert Page.of(client.get(response.headers["Location"]), 200).flashes == ["Imported 2 evidence items."]
    with app.app_context():
        items = db.session.scalars(select(Evidence).where(Evidence.title.startswith("Example: "))).all()
        assert sorted(e.status for e in items) == ["draft", "draft"]  # examples count for nothing
    kpi = download(client, links["Download a sample file of KPI values"])
    response = post_file(client, f"/f/{SLUG}/import", "kpi", kpi)
    assert response.status_code == 302, Page(response.get_data(as_text=True)).texts("ul.import-problems li")
    assert Page.of(client.get(response.headers["Location"]), 200).flashes == ["Imported 1 KPI values."]
    with app.app_context():
        (value,) = db.session.scalars(select(KpiValue)).all()
        assert value.value == 75  # the KPI's baseline: the example changes no figure's story
    # The same evidence file again adds nothing.
    again = post_file(client, f"/f/{SLUG}/import", "evidence", evidence)
    assert Page.of(client.get(again.headers["Location"]), 200).flashes == [
        "Imported 0 evidence items. 2 were already present."
    ]


def test_the_samples_import_from_the_command_line_too(
    app: Flask, as_role: Any, runner: FlaskCliRunner, tmp_path: Path
) -> None:
    client = as_role("admin")
    for kind, name in (("evidence", "evidence-sample.csv"), ("kpi", "kpi-sample.csv")):
        href = f"/f/{SLUG}/import/{name}"
        path = tmp_path / f"{kind}.csv"
        path.write_bytes(download(client, href))
        result = runner.invoke(args=[kind, "import", str(path), "--framework", SLUG])
        assert result.exit_code == 0, result.output


@pytest.fixture
def survey_app(app: Flask, framework: str, load_framework: Any, tiny_yaml: str) -> Flask:
    """The test framework, as version 2 with a survey of two questions and one breakdown."""
    partner = "  - {id: tiny-council, name: Tiny Council, kind: local_authority, tier: primary}\n"
    other = "  - {id: other-council, name: Other Council, kind: local_authority, tier: secondary}\n"
    load_framework(tiny_yaml.replace(partner, partner + other).replace("version: 1", "version: 2") + SURVEY)
    return app


def test_the_survey_page_offers_a_sample_round_that_imports(survey_app: Flask, as_role: Any) -> None:
    lead = as_role("lead")
    page = Page.of(lead.get(f"/f/{SLUG}/surveys/pe-survey"), 200)
    links = dict(page.links("main a"))
    assert links["Download a sample file"] == f"/f/{SLUG}/surveys/pe-survey/sample.csv"
    assert links["how survey files are checked"] == "/help/file-formats#survey"
    sample = download(lead, links["Download a sample file"])
    rows = list(csv.reader(io.StringIO(sample.decode())))
    assert rows[0] == ["respondent", "employer", "q1", "q2"]
    response = lead.post(
        f"/f/{SLUG}/surveys/pe-survey",
        data={"label": "2023-24", "collected_on": "2024-03-31", "file": (io.BytesIO(sample), "sample.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, Page(response.get_data(as_text=True)).texts("main li")
    with survey_app.app_context():
        (round_,) = db.session.scalars(select(SurveyRound)).all()
        assert (round_.label, round_.respondents) == ("2023-24", len(rows) - 1)
    assert lead.get(f"/f/{SLUG}/surveys/no-such-survey/sample.csv").status_code == 404


def markdown_columns(section: str) -> list[tuple[str, str]]:
    """(column, required) of the table under a heading of docs/file-formats.md."""
    text = (REPO / "docs" / "file-formats.md").read_text(encoding="utf-8")
    start = text.index(f"\n## {section}\n")
    end = text.find("\n## ", start + 1)
    body = text[start : end if end > 0 else None]
    return re.findall(r"^\| `([a-z_]+)` \| (yes|no) \|", body, flags=re.MULTILINE)


@pytest.mark.parametrize(
    ("section", "columns", "required"),
    [("Evidence CSV", EVIDENCE_COLUMNS, EVIDENCE_REQUIRED), ("KPI values CSV", KPI_COLUMNS, KPI_REQUIRED)],
)
def test_the_docs_list_the_columns_the_code_reads(
    section: str, columns: tuple[str, ...], required: tuple[str, ...]
) -> None:
    assert markdown_columns(section) == [(c, "yes" if c in required else "no") for c in columns]
