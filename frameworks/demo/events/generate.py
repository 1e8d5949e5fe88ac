"""Writes the Social Work Week 2021 sessions and feedback CSVs: published totals, spread by fixed rules.

Run from anywhere: `python3 frameworks/demo/events/generate.py`. Standard library only, no randomness:
every choice below is a rule, so a rerun writes byte-identical files. `check.py` (same folder)
recomputes the published figures from what this writes; `../SOURCES.md`, "Events (issue 19)", says
which figures are published and which are illustrative (everything spread over sessions is).
"""

from __future__ import annotations

import csv
import hashlib
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

HERE = Path(__file__).resolve().parent
SESSIONS_CSV = HERE / "sww-2021-sessions.csv"
FEEDBACK_CSV = HERE / "sww-2021-feedback.csv"

# --- Published figures ("Evaluating Social Work Week 2021", lines 20-100 of the seed text) ----------
SESSIONS = 73  # "73 sessions (20 sold out)"
SOLD_OUT = 20
LOGINS = 10_504  # "10,504 attendee logins (across all individual sessions)"
CONVERSION = Fraction(54, 100)  # "54% of those who signed up for tickets went on to attend"
TOP_FOUR = {  # "Top 4 most attended sessions"
    "women": ("Women in leadership", 687),
    "antiracist": ("Reflecting for action: why it's time to take anti-racist practice seriously", 1018),
    "careless": ("Living a careless life: redefining the narrative for children in care", 865),
    "byall": ("Social work by all and for all: a vision for the future", 665),
}
MEANS = {"useful": 457, "content-quality": 465, "overall": 461}  # 4.57 / 4.65 / 4.61, in hundredths
REASONS = {"cpd": 481, "speaker": 284, "regulator": 110}  # 48.1% / 28.4% / 11%, in thousandths

# --- Illustrative choices (not published) ------------------------------------------------------------
RESPONDENTS = 1000  # every published share and mean is then exact, not just right after rounding
BELOW_FOUR = {1: 5, 2: 10, 3: 45}  # the same 60 answers below 4 for each rating question
OTHER_TOP, OTHER_BOTTOM = 480, 30  # the 5th most attended session and the floor of the spread
DAYS = ["2021-03-08", "2021-03-09", "2021-03-10", "2021-03-11", "2021-03-12"]  # Monday 8 - Friday 12 March
SLOTS = ["09:30", "11:00", "12:30", "14:00", "15:30"]  # three sessions in parallel per slot
THEMES = ["Improving outcomes", "Promote", "Reflective", "Wellbeing hub"]  # tie order for the fill

KINDS = {  # kind: title stem; order = attendance rank order of the 69 unpublished sessions
    "KN": "Keynote speaker event",
    "UYR": "Understanding Your Regulator",
    "SC": "Speaker's corner",
    "WS": "Workshop",
    "PS": "Poster showcase",
    "WB": "Wellbeing event",
    "RP": "Reflective practice session",
    "NL": "Networking lunch",
}
KIND_THEME = {"WB": "Wellbeing hub", "RP": "Reflective"}
PUBLISHED_THEME = {
    "antiracist": "Reflective",
    "careless": "Improving outcomes",
    "women": "Promote",
    "byall": "Promote",
}

# The programme, day by day, three sessions to a slot (the evaluation gives no timetable). The four
# published sessions are put on different days; Women in leadership on Monday, International
# Women's Day (the seed, line 206: "the suggestion of having Monday as International Women's Day").
_WEEKDAY = ["UYR", "WS", "KN", "WS", "RP", "NL", "WB", "SC", "WS", "RP", "WB", "WS", "SC", "WS"]
PROGRAMME: list[list[str]] = [
    ["women", *_WEEKDAY],
    ["antiracist", *_WEEKDAY],
    ["careless", *_WEEKDAY],
    ["KN", "UYR", "WS", "KN", "WS", "RP", "NL", "WB", "PS", "WS", "RP", "WB", "WS", "SC", "WS"],
    ["KN", "UYR", "WS", "WS", "RP", "WB", "NL", "SC", "WB", "WS", "RP", "WS", "byall"],
]


def hamilton(weights: Sequence[Fraction | int], total: int) -> list[int]:
    """Whole numbers summing to `total` in proportion to `weights` (largest remainder, ties by position)."""
    wsum = sum(Fraction(w) for w in weights)
    quotas = [Fraction(w) * total / wsum for w in weights]
    floors = [q.numerator // q.denominator for q in quotas]
    short = total - sum(floors)
    order = sorted(range(len(quotas)), key=lambda i: (-(quotas[i] - floors[i]), i))
    for i in order[:short]:
        floors[i] += 1
    return floors


def hashed_order(n: int, salt: str) -> list[int]:
    """0..n-1 in a fixed pseudo-random order (SHA-256 of salt and index): same on every machine."""
    return sorted(range(n), key=lambda i: hashlib.sha256(f"sww-2021:{salt}:{i}".encode()).hexdigest())


def build_sessions() -> list[dict[str, str | int]]:
    """The 73 sessions in programme order, with theme, time, attendance, sign-ups and capacity."""
    sessions: list[dict[str, str | int]] = []
    numbers = dict.fromkeys(KINDS, 0)
    for day, kinds in zip(DAYS, PROGRAMME, strict=True):
        for position, kind in enumerate(kinds):
            row: dict[str, str | int] = {"kind": kind, "starts_at": f"{day} {SLOTS[position // 3]}"}
            if kind in TOP_FOUR:
                row["title"], row["attended"] = TOP_FOUR[kind]
                row["theme"] = PUBLISHED_THEME[kind]
            else:
                numbers[kind] += 1
                row["title"] = KINDS[kind] if kind == "PS" else f"{KINDS[kind]} {numbers[kind]}"
                if kind in KIND_THEME:
                    row["theme"] = KIND_THEME[kind]
            sessions.append(row)
    assert len(sessions) == SESSIONS
    for number, row in enumerate(sessions, start=1):
        row["session"] = f"s{number:02d}"
        row["partner"] = "social-work-england" if row["kind"] == "UYR" else ""

    # Themes: the rest, in programme order, to the theme with the fewest sessions so far.
    counts = {theme: sum(1 for r in sessions if r.get("theme") == theme) for theme in THEMES}
    for row in sessions:
        if "theme" not in row:
            theme = min(THEMES, key=lambda t: (counts[t], THEMES.index(t)))
            row["theme"] = theme
            counts[theme] += 1

    # Attendance: the other 69 share what the top four leave, on a geometric curve from
    # OTHER_TOP down to OTHER_BOTTOM, handed out by kind (KINDS order), then programme order.
    others = [r for r in sessions if r["kind"] not in TOP_FOUR]
    rest = LOGINS - sum(a for _t, a in TOP_FOUR.values())
    n = len(others)
    # The ratio r of the curve OTHER_BOTTOM + (OTHER_TOP - OTHER_BOTTOM) * r^k, k = 0..68, is fitted by
    # bisection (exact fractions, 12 decimals) so the 69 values sum to `rest`; hamilton() then makes
    # them whole numbers with exactly that sum.
    lo, hi = Fraction(1, 2), Fraction(999, 1000)
    span = OTHER_TOP - OTHER_BOTTOM
    for _ in range(60):
        mid = (lo + hi) / 2
        mid = Fraction(round(mid * 10**12), 10**12)
        total = OTHER_BOTTOM * n + span * sum(mid**k for k in range(n))
        lo, hi = (mid, hi) if total < rest else (lo, mid)
    curve = [OTHER_BOTTOM + span * lo**k for k in range(n)]
    values = sorted(hamilton(curve, rest), reverse=True)
    ranked = sorted(others, key=lambda r: (list(KINDS).index(str(r["kind"])), sessions.index(r)))
    for row, value in zip(ranked, values, strict=True):
        row["attended"] = value

    # Sign-ups: total = logins / 54%, to the nearest whole number. The 20 most attended sessions
    # sold out: sign-ups = capacity = attended / 54% to the nearest hundred. The other 53 share
    # the remaining sign-ups in proportion to attendance; capacity = the next hundred above.
    signups_total = round(LOGINS / CONVERSION)
    by_attendance = sorted(sessions, key=lambda r: (-int(r["attended"]), str(r["title"])))
    sold = by_attendance[:SOLD_OUT]
    for row in sold:
        hundreds = Fraction(int(row["attended"])) / CONVERSION / 100
        row["signups"] = row["capacity"] = max(1, round(hundreds)) * 100
    unsold = [r for r in sessions if r not in sold]
    left = signups_total - sum(int(r["signups"]) for r in sold)
    for row, value in zip(unsold, hamilton([int(r["attended"]) for r in unsold], left), strict=True):
        row["signups"] = value
        row["capacity"] = (value // 100 + 1) * 100
    for row in sessions:
        assert int(row["signups"]) >= int(row["attended"]) > 0, row
    return sessions


def rating_pool(hundredths: int) -> list[int]:
    """RESPONDENTS answers 1-5 whose sum is mean x RESPONDENTS: BELOW_FOUR fixed, the 4s and 5s solved."""
    total = hundredths * RESPONDENTS // 100
    low = sum(BELOW_FOUR.values())
    fives = total - sum(k * v for k, v in BELOW_FOUR.items()) - 4 * (RESPONDENTS - low)
    fours = RESPONDENTS - low - fives
    assert fives >= 0 and fours >= 0
    pool = [5] * fives + [4] * fours
    for value, count in sorted(BELOW_FOUR.items(), reverse=True):
        pool += [value] * count
    return pool


# Attendee comments the evaluation quotes (seed lines 9, 13, 174, 176, 230, 252, 330, 332), verbatim;
# which session each was about is not given. Lines 7 and 15 are parts of 330 and 174; line 9's first
# quote is part of 230.
COMMENTS = [
    "I would like to mention that it was a great opportunity to hear, listen how others work in practice "
    "or have personally experienced having received a service/intervention from social work involvement.",
    "The sessions helped facilitate discussion in the office, especially in relation to inclusivity and "
    "from this discussions have happened around what can be done to improve.",
    "Really informative giving a balanced overview and reflection of the past 12 months. I felt it provided "
    "me with confidence about how Social Work England plan to shape the strategic direction of CPD in the "
    "coming years and using a consultation process with social workers as a means to support achieving this.",
    "I thought it was refreshing that the panel were very frank in their responses and recognised that more "
    "work needs to be done.",
    "This event was fab - well balanced (and what a great idea to have a visual at the end!). The best event "
    "I have attended online without a doubt! Leaving feeling very enthused about the way forward for Social "
    "Workers like me in the NHS who have lost our identity.",
    "Inspiring! A reminder of the positives of social work and how much the profession has achieved, "
    "which is often downplayed or lost in negative media stereotypes.",
    "Thank you for the opportunity throughout this week \u2013despite the challenge of an online world "
    "\u2013 to hear positive stories and accounts, and to become revived by them, and to feel empowered "
    "to go out there and keep on keeping on",
    "Good to meet our regional lead who led the session very well. The session was great opportunities to "
    "meet a range of social work professionals across London and from different councils/organisations - "
    "especially LGA. It would be really good for SWE to facilitate more of these meetings - perhaps 3 a year "
    "as these meetings are a good opportunity to not just network but also learn about new social work "
    "initiatives across the region.",
]


def build_feedback(sessions: list[dict[str, str | int]]) -> list[dict[str, str]]:
    """One row per answer: each respondent rates one session and gives one reason for the week."""
    per_session = hamilton([int(r["attended"]) for r in sessions], RESPONDENTS)
    respondent_session = [
        str(r["session"]) for r, k in zip(sessions, per_session, strict=True) for _ in range(k)
    ]
    ratings = {}
    for question, hundredths in MEANS.items():
        pool = rating_pool(hundredths)
        ratings[question] = [pool[i] for i in hashed_order(RESPONDENTS, question)]
    reason_pool = [o for o, k in REASONS.items() for _ in range(k)]
    reason_pool += ["meet-people"] * (RESPONDENTS - len(reason_pool))  # the remainder, see SOURCES.md
    reasons = [reason_pool[i] for i in hashed_order(RESPONDENTS, "reasons")]
    rows: list[dict[str, str]] = []
    for i, session in enumerate(respondent_session):
        respondent = f"r{i + 1:04d}"
        for question in MEANS:
            rows.append(
                {
                    "session": session,
                    "question": question,
                    "answer": str(ratings[question][i]),
                    "respondent": respondent,
                }
            )
        rows.append({"session": "", "question": "reasons", "answer": reasons[i], "respondent": respondent})
    rows += [{"session": "", "question": "comments", "answer": text, "respondent": ""} for text in COMMENTS]
    return rows


def write(path: Path, header: list[str], rows: Sequence[dict[str, str | int]]) -> None:
    """UTF-8, LF line ends, header first, only the named columns."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def main() -> None:
    """Build both files and write them next to this script."""
    sessions = build_sessions()
    for row in sessions:
        row["format"] = "online"
    write(
        SESSIONS_CSV,
        ["session", "title", "theme", "starts_at", "format", "capacity", "signups", "attended", "partner"],
        sessions,
    )
    write(FEEDBACK_CSV, ["session", "question", "answer", "respondent"], build_feedback(sessions))
    print(f"wrote {SESSIONS_CSV.name} ({len(sessions)} sessions) and {FEEDBACK_CSV.name}")


if __name__ == "__main__":
    main()
