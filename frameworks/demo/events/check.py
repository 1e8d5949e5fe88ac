"""Recomputes every published figure of the demo's events from their files; exits 1 if any differs.

Run from the repository root: `python3 frameworks/demo/events/check.py` (needs PyYAML, a dependency of
the tracker). It does not use the tracker's code: it validates the files against the shared events
specification, computes the measures as that specification defines them, compares them with the
figures the evaluations publish (and with the illustrative ones `../SOURCES.md` states), and checks
that every quoted source sentence is in the seed text when `../shared/seeds/` is next to the repository.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
FRAMEWORKS = HERE.parent.parent
SEEDS = FRAMEWORKS.parent.parent / "shared" / "seeds"
SWW_SEED = "social_work_week_2021_evaluation.txt"
DT_SEED = "developing_together_evaluation_2020.txt"

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
STARTS_AT = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}$")
EVENT_KEYS = {
    "id",
    "framework",
    "title",
    "starts_on",
    "ends_on",
    "links",
    "unique_attendees",
    "reach_target",
    "population",
    "costs",
    "min_group_size",
    "questions",
    "source",
}
SESSION_COLUMNS = [
    "session",
    "title",
    "theme",
    "starts_at",
    "format",
    "capacity",
    "signups",
    "attended",
    "partner",
]
FEEDBACK_COLUMNS = ["session", "question", "answer", "respondent"]
FORMATS = {"online", "in_person", "hybrid"}
KINDS = {"rating", "agree", "choose_any", "free_text"}
AGREE5 = {
    "disagree",
    "somewhat disagree",
    "neither agree nor disagree",
    "somewhat agree",
    "agree",
    "strongly disagree",
    "neither agree or disagree",
    "strongly agree",
}
AGREE_POSITIVE = {"agree", "strongly agree", "somewhat agree"}
DEFAULT_MIN_GROUP = 10


def half_up(value: Fraction | int | None, places: int) -> str | None:
    """The value rounded half up to `places` decimals, as text (exact: no binary floats)."""
    if value is None:
        return None
    quantum = Decimal(1).scaleb(-places)
    value = Fraction(value)
    return str((Decimal(value.numerator) / Decimal(value.denominator)).quantize(quantum, ROUND_HALF_UP))


@dataclass
class Event:
    """One event's three files as read, with every problem found in them."""

    stem: str
    meta: dict[str, Any]
    sessions: list[dict[str, Any]] = field(default_factory=list)
    answers: list[dict[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def framework_ids(framework: str) -> tuple[set[str], set[str]] | None:
    """(activity and output ids, partner ids) of the framework YAML whose id is `framework`."""
    for path in sorted(FRAMEWORKS.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if data.get("id") != framework:
            continue
        links = {
            item["id"]
            for theme in data.get("themes", [])
            for part in ("activities", "outputs")
            for item in theme.get(part) or []
        }
        return links, {p["id"] for p in data.get("partners", [])}
    return None


def whole(text: str) -> int | None:
    """A whole number >= 0 from a CSV cell, or None if it is not one."""
    return int(text) if text.isdigit() else None


def load(stem: str) -> Event:
    """Read and validate EVENT.yaml and its sessions and feedback CSVs against the shared specification."""
    path = HERE / f"{stem}.yaml"
    meta = yaml.safe_load(path.read_text(encoding="utf-8"))
    event = Event(stem, meta)
    bad = event.problems.append
    for key in sorted(set(meta) - EVENT_KEYS):
        bad(f"{path.name}: unknown key '{key}'")
    if not SLUG.match(str(meta.get("id", ""))) or meta.get("id") != stem:
        bad(f"{path.name}: id '{meta.get('id')}' is not a slug matching the file name")
    if not isinstance(meta.get("starts_on"), dt.date) or not isinstance(meta.get("ends_on"), dt.date):
        bad(f"{path.name}: starts_on and ends_on must be dates")
    elif meta["ends_on"] < meta["starts_on"]:
        bad(f"{path.name}: ends_on is before starts_on")
    ids = framework_ids(str(meta.get("framework")))
    if ids is None:
        bad(f"{path.name}: framework '{meta.get('framework')}' not found in {FRAMEWORKS}")
        links, partners = set(), set()
    else:
        links, partners = ids
    for link in meta.get("links", []):
        if link not in links:
            bad(f"{path.name}: link '{link}' is not an activity or output of {meta.get('framework')}")
    for key, value in (meta.get("costs") or {}).items():
        if key not in {"direct", "staff_hours", "full"} or not isinstance(value, int | float) or value < 0:
            bad(f"{path.name}: costs.{key} must be a number >= 0")
    questions = meta.get("questions") or []
    qids = [q["id"] for q in questions]
    if len(set(qids)) != len(qids):
        bad(f"{path.name}: duplicate question ids")
    for q in questions:
        if q.get("kind") not in KINDS:
            bad(f"{path.name}: question {q['id']}: unknown kind {q.get('kind')}")
        options = [o["id"] for o in q.get("options") or []]
        if (q.get("kind") == "choose_any") != bool(options) or len(set(options)) != len(options):
            bad(f"{path.name}: question {q['id']}: options belong to choose_any questions, unique")

    sessions_path = HERE / f"{stem}-sessions.csv"
    with sessions_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        if next(reader) != SESSION_COLUMNS:
            bad(f"{sessions_path.name}:1: header must be {','.join(SESSION_COLUMNS)}")
        for line, cells in enumerate(reader, start=2):
            row = dict(zip(SESSION_COLUMNS, cells, strict=True))
            where = f"{sessions_path.name}:{line}"
            if not SLUG.match(row["session"]) or any(s["session"] == row["session"] for s in event.sessions):
                bad(f"{where}:1: session id '{row['session']}' is not a slug or is a duplicate")
            if not row["title"]:
                bad(f"{where}:2: title is required")
            if row["starts_at"] and not STARTS_AT.match(row["starts_at"]):
                bad(f"{where}:4: starts_at must be YYYY-MM-DD HH:MM")
            if row["format"] not in FORMATS:
                bad(f"{where}:5: format must be one of {sorted(FORMATS)}")
            for col in ("capacity", "signups", "attended"):
                if row[col] == "":  # optional: blank is "not given" (not published)
                    row[col] = None
                    continue
                number = whole(row[col])
                if number is None:
                    bad(f"{where}:{SESSION_COLUMNS.index(col) + 1}: {col} must be a whole number >= 0")
                row[col] = number or 0
            if row["partner"] and row["partner"] not in partners:
                bad(f"{where}:9: partner '{row['partner']}' is not a partner of {meta.get('framework')}")
            event.sessions.append(row)

    feedback_path = HERE / f"{stem}-feedback.csv"
    if not feedback_path.exists():
        return event
    by_id = {q["id"]: q for q in questions}
    known_sessions = {s["session"] for s in event.sessions}
    with feedback_path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        if next(reader) != FEEDBACK_COLUMNS:
            bad(f"{feedback_path.name}:1: header must be {','.join(FEEDBACK_COLUMNS)}")
        for line, cells in enumerate(reader, start=2):
            row = dict(zip(FEEDBACK_COLUMNS, cells, strict=True))
            where = f"{feedback_path.name}:{line}"
            if row["session"] and row["session"] not in known_sessions:
                bad(f"{where}:1: unknown session '{row['session']}'")
            question = by_id.get(row["question"])
            if question is None:
                bad(f"{where}:2: unknown question '{row['question']}'")
                continue
            answer, kind = row["answer"], question["kind"]
            options = {o["id"] for o in question.get("options") or []}
            valid = {
                "rating": answer in {"1", "2", "3", "4", "5"},
                "agree": answer.strip().lower() in AGREE5,
                "choose_any": bool(answer) and set(answer.split(";")) <= options,
                "free_text": 0 < len(answer) <= 2000,
            }[kind]
            if not valid:
                bad(f"{where}:3: '{answer[:40]}' is not a valid {kind} answer to {row['question']}")
            event.answers.append(row)
    return event


def measures(event: Event) -> dict[str, Any]:
    """The specification's measures, exact (Fractions), before any rounding for display."""
    meta, sessions, answers = event.meta, event.sessions, event.answers
    # Totals of the sessions that give the figure, None when none does; conversion over those giving both.
    given_signups = [s["signups"] for s in sessions if s["signups"] is not None]
    given_attended = [s["attended"] for s in sessions if s["attended"] is not None]
    signups = sum(given_signups) if given_signups else None
    attended = sum(given_attended) if given_attended else None
    both = [s for s in sessions if s["signups"] is not None and s["attended"] is not None]
    both_signups = sum(s["signups"] for s in both)
    unique = meta.get("unique_attendees")
    costs = meta.get("costs") or {}
    min_group = meta.get("min_group_size", DEFAULT_MIN_GROUP)
    basis_value, basis = (unique["value"], "unique") if unique else (attended, "attended")
    ratings: dict[str, Any] = {}
    choices: dict[str, dict[str, Fraction]] = {}
    agree: dict[str, Fraction] = {}
    for q in meta.get("questions") or []:
        rows = [a for a in answers if a["question"] == q["id"]]
        if q["kind"] == "rating" and rows:
            values = [int(a["answer"]) for a in rows]
            per_session: dict[str, list[int]] = {}
            for a in rows:
                if a["session"]:
                    per_session.setdefault(a["session"], []).append(int(a["answer"]))
            ratings[q["id"]] = {
                "mean": Fraction(sum(values), len(values)),
                "n": len(values),
                "positive": sum(1 for v in values if v >= 4),
                "sessions": {
                    s: {
                        "n": len(v),
                        "mean": None if len(v) < min_group else Fraction(sum(v), len(v)),
                        "suppressed": len(v) < min_group,
                    }
                    for s, v in per_session.items()
                },
            }
        elif q["kind"] == "choose_any" and rows:
            picked = Counter(o for a in rows for o in set(a["answer"].split(";")))
            choices[q["id"]] = {o["id"]: Fraction(picked[o["id"]], len(rows)) for o in q["options"]}
            choices[q["id"] + ":n"] = len(rows)  # type: ignore[assignment]
        elif q["kind"] == "agree" and rows:
            agree[q["id"]] = Fraction(
                sum(1 for a in rows if a["answer"].strip().lower() in AGREE_POSITIVE), len(rows)
            )
    has_basis = costs.get("direct") is not None and bool(basis_value)
    by_theme: dict[str, dict[str, int]] = {}
    by_format: dict[str, dict[str, int]] = {}
    for s in sessions:
        for table, key in ((by_theme, s["theme"]), (by_format, s["format"])):
            entry = table.setdefault(key, {"sessions": 0, "attended": None})
            entry["sessions"] += 1
            if s["attended"] is not None:
                entry["attended"] = (entry["attended"] or 0) + s["attended"]
    return {
        "sessions": len(sessions),
        "sold_out": sum(
            1
            for s in sessions
            if s["capacity"] is not None and s["signups"] is not None and s["signups"] >= s["capacity"]
        ),
        "signups": signups,
        "attended": attended,
        "conversion": Fraction(sum(s["attended"] for s in both), both_signups) if both_signups else None,
        "unique_attendees": unique,
        "ratings": ratings,
        "choices": choices,
        "agree": agree,
        "cost_per_attendee": (Fraction(costs["direct"]) / basis_value, basis) if has_basis else None,
        "full_cost_per_attendee": Fraction(costs["full"]) / basis_value
        if costs.get("full") is not None and basis_value
        else None,
        "full_cost_per_member": Fraction(costs["full"]) / meta["population"]["size"]
        if costs.get("full") is not None and meta.get("population")
        else None,
        "top_sessions": [
            (s["title"], s["attended"])
            for s in sorted(
                (s for s in sessions if s["attended"] is not None), key=lambda s: (-s["attended"], s["title"])
            )
        ],
        "by_theme": by_theme,
        "by_format": by_format,
        "answers": answers,
    }


def squash(text: str) -> str:
    """Text with markdown bold and line breaks removed and runs of spaces made one, for matching quotes."""
    return re.sub(r"\s+", " ", text.replace("**", "")).strip()


@dataclass
class Report:
    """Every comparison made, and whether it held."""

    seeds: dict[str, str]
    failures: list[str] = field(default_factory=list)
    count: int = 0

    def check(
        self,
        event: str,
        what: str,
        got: object,
        want: object,
        source: str = "",
        seed: str = "",
        derived: bool = False,
    ) -> None:
        """Compare one figure; print it with its source sentence; note a failure."""
        self.count += 1
        ok = got == want
        label = "derived" if derived else "published"
        shown = str(got) if len(str(got)) <= 40 else str(got)[:37] + "..."
        print(f"{'ok  ' if ok else 'FAIL'} {event:26} {what:48} {shown:>16}  ({label})")
        if not ok:
            self.failures.append(f"{event}: {what}: computed {got!r}, expected {want!r}")
        if source and seed:
            text = self.seeds.get(seed)
            if text is not None and squash(source) not in text:
                self.failures.append(f"{event}: {what}: sentence not found in {seed}: {source!r}")


def check_sww(report: Report, event: Event, m: dict[str, Any]) -> None:
    """Social Work Week 2021: every figure of the evaluation's lines 20-100, and the stated spread."""
    c = report.check
    e, s = "sww-2021", SWW_SEED
    c(e, "sessions", m["sessions"], 73, "73 sessions (20 sold out)", s)
    c(e, "sold out (signups >= capacity)", m["sold_out"], 20, "73 sessions (20 sold out)", s)
    c(
        e,
        "attended (attendee logins)",
        m["attended"],
        10504,
        "10,504 attendee logins (across all individual sessions)",
        s,
    )
    c(
        e,
        "unique attendees",
        m["unique_attendees"],
        {"value": 6000, "estimated": True},
        "6,000 (approx.) people attended (estimated due to anonymous logins)",
        s,
    )
    c(
        e,
        "conversion, 2 places",
        half_up(m["conversion"], 2),
        "0.54",
        "of those who signed up for tickets went on to attend "
        "(this is above average for online, free events)",
        s,
    )
    top = [
        (
            "Reflecting for action: why it's time to take anti-racist practice seriously",
            1018,
            "Reflecting for action: why it's time to take anti-racist practice seriously 1,018 attendees",
        ),
        (
            "Living a careless life: redefining the narrative for children in care",
            865,
            "Living a careless life: redefining the narrative for children in care \u2013 865 attendees",
        ),
        ("Women in leadership", 687, "Women in leadership 687 attendees"),
        (
            "Social work by all and for all: a vision for the future",
            665,
            "Social work by all and for all: a vision for the future \u2013 665 attendees",
        ),
    ]
    for rank, (title, number, sentence) in enumerate(top):
        c(e, f"top session {rank + 1}", m["top_sessions"][rank], (title, number), sentence, s)
    c(
        e,
        "reach target",
        event.meta.get("reach_target"),
        10000,
        "With attendees and social media engagement, "
        "we exceeded our 10,000 target for reach into the sector.",
        s,
    )
    for qid, mean, text in (
        ("useful", "4.57", "How useful you found the session"),
        ("content-quality", "4.65", "The quality of the content"),
        ("overall", "4.61", "Overall experience of the session"),
    ):
        c(e, f"mean {qid}, 2 places", half_up(m["ratings"][qid]["mean"], 2), mean, f"{mean} {text}", s)
        question = next(q for q in event.meta["questions"] if q["id"] == qid)
        c(e, f"question text {qid}", question["text"], text, text, s)
    options = {
        o["id"]: o["text"]
        for o in next(q for q in event.meta["questions"] if q["id"] == "reasons")["options"]
    }
    c(
        e,
        "reasons question is choose-any",
        "choose_any",
        next(q["kind"] for q in event.meta["questions"] if q["id"] == "reasons"),
        "(attendees were able to tick all that applied)",
        s,
    )
    for oid, share, shown in (
        ("cpd", "0.481", "48.1%"),
        ("speaker", "0.284", "28.4%"),
        ("regulator", "0.110", "11%"),
    ):
        c(
            e,
            f"share {oid}, 3 places",
            half_up(m["choices"]["reasons"][oid], 3),
            share,
            f"{shown} {options[oid]}",
            s,
        )
    c(
        e,
        "option meet-people text",
        options["meet-people"],
        "Opportunity to engage and meet other people with an interest in social work",
        "Opportunity to engage and meet other people with an interest in social work",
        s,
    )
    costs = event.meta["costs"]
    c(e, "direct cost (£)", costs["direct"], 19800, "£19,800 spent", s)
    c(e, "staff hours", costs["staff_hours"], 4717, "4,717 resource hours", s)
    c(
        e,
        "cost per attendee (£), basis",
        (half_up(m["cost_per_attendee"][0], 2), m["cost_per_attendee"][1]),
        ("3.30", "unique"),
        "£3.30 average cost per attendee",
        s,
    )
    c(
        e,
        "full cost per attendee (£)",
        half_up(m["full_cost_per_attendee"], 2),
        "23.81",
        "When taking into account the full cost recovery of staff involved, "
        "the cost per attendee rises to £23.81",
        s,
    )
    c(
        e,
        "full cost per member (£)",
        half_up(m["full_cost_per_member"], 2),
        "1.45",
        "the average cost per social worker on our register is £1.45.",
        s,
    )
    counts = sorted(v["sessions"] for v in m["by_theme"].values())
    c(
        e,
        "themes, split evenly",
        (len(counts), counts[-1] - counts[0] <= 1),
        (4, True),
        "73 sessions split evenly across the 4 themes, linking back to the professional standards",
        s,
    )
    c(e, "format", sorted(m["by_format"]), ["online"], "this is above average for online, free events", s)

    # Illustrative figures: not published, but stated in ../SOURCES.md, so they must not drift.
    d = {"derived": True}
    c(e, "sign-ups (10,504 / 54%, rounded)", m["signups"], 19452, **d)
    c(
        e,
        "sold-out sessions are the 20 most attended",
        {t for t, _a in m["top_sessions"][:20]},
        {x["title"] for x in event.sessions if x["capacity"] is not None and x["signups"] >= x["capacity"]},
        **d,
    )
    c(
        e,
        "sessions by theme",
        {k: v["sessions"] for k, v in sorted(m["by_theme"].items())},
        {"Improving outcomes": 19, "Promote": 18, "Reflective": 18, "Wellbeing hub": 18},
        **d,
    )
    c(e, "5th most attended", m["top_sessions"][4][1], 480, **d)
    c(e, "fewest attended", m["top_sessions"][-1][1], 31, **d)
    for qid in ("useful", "content-quality", "overall"):
        r = m["ratings"][qid]
        shown = sum(1 for v in r["sessions"].values() if not v["suppressed"])
        c(e, f"{qid}: n, answers 4-5", (r["n"], r["positive"]), (1000, 940), **d)
        c(e, f"{qid}: sessions shown / suppressed (<10)", (shown, len(r["sessions"]) - shown), (25, 48), **d)
        c(e, f"{qid}: mean exact, not only rounded", r["mean"] * 100 % 1, 0, **d)
    c(e, "reasons: answers", m["choices"]["reasons:n"], 1000, **d)
    c(
        e,
        "share meet-people (remainder, unpublished)",
        half_up(m["choices"]["reasons"]["meet-people"], 3),
        "0.125",
        **d,
    )
    c(e, "full cost (£23.81 x 6,000)", costs["full"], 142860, **d)
    c(e, "register size (142,860 / 1.45, rounded)", event.meta["population"]["size"], 98524, **d)
    comments = [a["answer"] for a in m["answers"] if a["question"] == "comments"]
    c(e, "comments quoted verbatim", len(comments), 8, **d)
    for text in comments:
        report.check(e, "comment in the seed", True, True, text, s, derived=True)


def check_dt(report: Report, events: dict[str, Event], ms: dict[str, dict[str, Any]]) -> None:
    """Developing Together's four events: only the figures the 2020 evaluation gives."""
    c, s = report.check, DT_SEED
    e = "dt-launch-2018"
    c(
        e,
        "date",
        events[e].meta["starts_on"],
        dt.date(2018, 9, 10),
        "The Partnership's 'launch' event was held on 10th September 2018 at Kingston University.",
        s,
    )
    c(e, "sessions", ms[e]["sessions"], 1, derived=True)
    c(
        e,
        "attendance not published (blank: not given)",
        (ms[e]["attended"], ms[e]["unique_attendees"]),
        (None, None),
        "It was attended by social work professionals, students, Assistant Directors and Directors, "
        "prospective Teaching Consultants and Practice Educators.",
        s,
    )
    c(e, "format", sorted(ms[e]["by_format"]), ["in_person"], derived=True)

    e = "dt-wellbeing-2019-03"
    c(
        e,
        "date",
        events[e].meta["starts_on"],
        dt.date(2019, 3, 15),
        "On 15th March 2019 the Partnership hosted the first of two 'Emotional Resilience and Well-being' "
        "conferences at The Chaucer Centre in Morden.",
        s,
    )
    c(
        e,
        "attended (around 100, estimated)",
        (ms[e]["attended"], ms[e]["unique_attendees"]),
        (100, {"value": 100, "estimated": True}),
        "This was attended by around 100 social workers, social work managers, workforce development leads "
        "and PSWs.",
        s,
    )
    c(
        e,
        "feedback responses",
        ms[e]["choices"]["expectations:n"],
        23,
        "Feedback forms were circulated to delegates, but only 23 responses were received.",
        s,
    )
    c(
        e,
        "'fully met' or 'exceeded'",
        ms[e]["choices"]["expectations"]["met-or-exceeded"] * 23,
        19,
        "the majority stating that it had 'fully met' or 'exceeded' their expectations (19 respondents)",
        s,
    )

    e = "dt-practice-education-2019"
    c(
        e,
        "date",
        events[e].meta["starts_on"],
        dt.date(2019, 6, 5),
        "On 5th June 2019 the Partnership held a 'Celebrating Practice Education' conference at Kingston "
        "University.",
        s,
    )
    c(
        e,
        "attended (approximately 100, estimated)",
        (ms[e]["attended"], ms[e]["unique_attendees"]),
        (100, {"value": 100, "estimated": True}),
        "It was attended by approximately 100 social work students, practice educators, trainees and "
        "assessors, and practice education academics.",
        s,
    )
    c(
        e,
        "no feedback answers (quotes lost)",
        len(ms[e]["answers"]),
        0,
        "Unfortunately, a technical issue meant that feedback was only received from eight delegates",
        s,
    )

    e = "dt-wellbeing-2019-09"
    c(
        e,
        "date",
        events[e].meta["starts_on"],
        dt.date(2019, 9, 27),
        "A second 'Emotional Resilience and Well-being' conference was held on 27th September 2019 at The "
        "Chaucer Centre in Morden.",
        s,
    )
    c(
        e,
        "attended (around 70, estimated)",
        (ms[e]["attended"], ms[e]["unique_attendees"]),
        (70, {"value": 70, "estimated": True}),
        "This was attended by around 70 social workers, social work managers, workforce development leads "
        "and PSWs.",
        s,
    )
    c(
        e,
        "feedback responses",
        ms[e]["choices"]["expectations:n"],
        45,
        "Evaluation forms were circulated to delegates and 45 responses were received.",
        s,
    )
    c(
        e,
        "'fully met' or 'exceeded'",
        ms[e]["choices"]["expectations"]["met-or-exceeded"] * 45,
        41,
        "the majority stating that it had 'fully met' or 'exceeded' their expectations (41 respondents)",
        s,
    )
    for text in (a["answer"] for a in ms[e]["answers"] if a["question"] == "takeaways"):
        c(e, "take-away in the seed", True, True, text, s)
    for stem, m in ms.items():
        c(
            stem,
            "sign-ups not published (blank: not given, no conversion)",
            (m["signups"], m["conversion"]),
            (None, None),
            derived=True,
        )


def main() -> int:
    """Check every event file in this folder; print each comparison; 1 if anything failed."""
    seeds = {}
    for name in (SWW_SEED, DT_SEED):
        path = SEEDS / name
        if path.exists():
            seeds[name] = squash(path.read_text(encoding="utf-8"))
        else:
            print(f"note: {path} not found: source sentences are not checked against it")
    report = Report(seeds)
    stems = sorted(p.stem for p in HERE.glob("*.yaml"))
    events = {stem: load(stem) for stem in stems}
    problems = [f"{p}" for ev in events.values() for p in ev.problems]
    for problem in problems:
        print(f"FAIL {problem}")
    ms = {stem: measures(ev) for stem, ev in events.items()}
    try:
        check_sww(report, events["sww-2021"], ms["sww-2021"])
        check_dt(report, events, {k: v for k, v in ms.items() if k.startswith("dt-")})
    except (KeyError, IndexError, TypeError, StopIteration) as exc:  # a file lost a question, option or event
        report.failures.append(f"a figure could not be computed at all: {exc!r}")
    failures = problems + report.failures
    if failures:
        print(f"\n{len(failures)} PROBLEM(S):", file=sys.stderr)
        for failure in failures:
            print(f"  {failure}", file=sys.stderr)
        return 1
    print(f"\nall {report.count} figures agree; {len(events)} events valid against the specification")
    return 0


if __name__ == "__main__":
    sys.exit(main())
