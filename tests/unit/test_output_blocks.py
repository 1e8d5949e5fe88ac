"""The report's outputs built from plain values (issue 20): each output's quadrant and question, the rows of its
KPIs, the events whose links name it, and its evidence strongest first, capped for the web page and the PDF."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tracker.domain.event_measures import compute_measures
from tracker.domain.events import EventDefinition, SessionRow, UniqueAttendees
from tracker.domain.evidence import EvidenceItem
from tracker.domain.framework import Framework
from tracker.domain.kpi import KpiActual, framework_kpi_statuses
from tracker.domain.loader import parse_framework
from tracker.events.reading import ShownEvent
from tracker.reports.model import PRINT_EVIDENCE_LIMIT, WEB_EVIDENCE_LIMIT, kpi_row
from tracker.reports.output_blocks import OutputEvent, output_event, output_sections

from ..conftest import REPO

AS_OF = date(2023, 4, 30)


def framework() -> Framework:
    text = (REPO / "tests" / "fixtures" / "tiny.yaml").read_text(encoding="utf-8")
    text = text.replace(
        "    outcomes:\n",
        "      - {id: out-guides, text: Placement guides, quadrant: effort-quality, kpis: [statutory-share]}\n"
        "    outcomes:\n",
        1,
    )
    parsed = parse_framework(text, "tiny.yaml")
    assert parsed.framework is not None, [str(p) for p in parsed.problems]
    return parsed.framework


def event(event_id: str, links: tuple[str, ...], sessions: list[SessionRow], **more: object) -> ShownEvent:
    d = EventDefinition(event_id, "tiny-partnership", f"Event {event_id}", date(2023, 3, 13), date(2023, 3, 14),
                        links, **more)  # type: ignore[arg-type]  # fmt: skip
    return ShownEvent("tiny-partnership", "Tiny", d, None, compute_measures(d, sessions, ()))


def item(item_id: int, source_type: str = "survey", day: int = 1, **more: object) -> EvidenceItem:
    fields: dict[str, object] = {"respondents": 20, "population": 25} if source_type == "survey" else {}
    fields.update(more)
    return EvidenceItem(item_id, f"Item {item_id}", source_type, date(2023, 1, 1) + timedelta(days=day),
                        "supports", **fields)  # type: ignore[arg-type]  # fmt: skip


def test_each_output_has_its_quadrant_kpis_events_and_evidence() -> None:
    f = framework()
    kpis = framework_kpi_statuses(
        f, {"statutory-share": [KpiActual("2022/23", date(2023, 3, 31), 90)]}, AS_OF
    )
    week = event(
        "week",
        ("act-allocation", "out-days"),
        [SessionRow("a", "A", 120, 90), SessionRow("b", "B", None, None)],
        unique_attendees=UniqueAttendees(100, True),
    )
    unpublished = event("launch", ("out-days", "out-guides"), [SessionRow("l", "Launch", None, None)])
    elsewhere = event("elsewhere", ("act-allocation",), [SessionRow("x", "X", 5, 5)])
    evidence = {
        "out-days": [
            item(1, "testimonial", day=40, respondents=1),
            item(2, day=10),
            item(3, "document", day=30),
            item(4, day=20),
        ]
    }
    [days, guides] = output_sections(f, kpis, (week, unpublished, elsewhere), evidence)["placements"]
    assert (days.id, days.text, days.quadrant_title, days.question) == (
        "out-days", "Four allocation days a year", "Effort quantity", "How much did we do?"
    )  # fmt: skip
    assert (guides.quadrant, guides.quadrant_title, guides.question) == (
        "effort-quality", "Effort quality", "How well did we do it?"
    )  # fmt: skip
    assert days.events == (
        OutputEvent("week", "Event week", "13 March 2023 to 14 March 2023", "2", "120", "90", "100 (an estimate)"),
        OutputEvent("launch", "Event launch", "13 March 2023 to 14 March 2023", "1", "not published",
                    "not published", "not given"),
    )  # fmt: skip
    assert guides.events == (output_event(unpublished),)
    assert days.kpis == () and days.has_figures
    assert guides.kpis == (kpi_row(kpis[0], f.kpis[0]),) and guides.kpis[0].status_code == "met"
    # Counted items first, robust before indicative, newest first; the testimonial last, as an illustration.
    assert [(e.id, e.tier, e.counts, e.source, e.n) for e in days.evidence] == [
        (4, "robust", True, "Survey", "20 of 25"),
        (2, "robust", True, "Survey", "20 of 25"),
        (3, "indicative", True, "Document", ""),
        (1, "anecdotal", False, "Testimonial", "1"),
    ]
    assert (guides.evidence, guides.evidence_total) == ((), 0)


@pytest.mark.parametrize(
    ("items", "listed", "not_listed", "not_printed"),
    [
        (0, 0, 0, 0),
        (PRINT_EVIDENCE_LIMIT, PRINT_EVIDENCE_LIMIT, 0, 0),
        (PRINT_EVIDENCE_LIMIT + 1, PRINT_EVIDENCE_LIMIT + 1, 0, 1),
        (WEB_EVIDENCE_LIMIT, WEB_EVIDENCE_LIMIT, 0, WEB_EVIDENCE_LIMIT - PRINT_EVIDENCE_LIMIT),
        (WEB_EVIDENCE_LIMIT + 5, WEB_EVIDENCE_LIMIT, 5, WEB_EVIDENCE_LIMIT + 5 - PRINT_EVIDENCE_LIMIT),
    ],
)
def test_the_lists_are_capped_and_say_how_many_more(
    items: int, listed: int, not_listed: int, not_printed: int
) -> None:
    evidence = {"out-days": [item(n, day=n) for n in range(1, items + 1)]}
    [days, _guides] = output_sections(framework(), (), (), evidence)["placements"]
    assert (len(days.evidence), days.evidence_total, days.not_listed, days.not_printed) == (
        listed, items, not_listed, not_printed
    )  # fmt: skip
    assert [e.id for e in days.evidence] == list(range(items, items - listed, -1))  # the newest first
    assert not days.has_figures


def test_a_kpi_with_no_status_is_left_out() -> None:
    """The KPI statuses come from the ratings' read: an output names only KPIs the framework has."""
    [_days, guides] = output_sections(framework(), (), (), {})["placements"]
    assert guides.kpis == ()
