"""Where the national, regional and local reports print each figure, read back from their outputs (the page's
tables, its glance, its charts; a CSV's rows), and the check that every place shows what the engine shows:
a shown figure's true value, or for a suppressed figure "Fewer than 10" and none of its values.

A figure is named by its path: (level, key, figure, section, question, breakdown, part), figure being
"completed", "overall", "section" or "question" (the CSV's `figure` column). True values come from the
engine run at a threshold of 1 (nothing suppressed) on the same rows.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from bs4 import Tag

from tests.page import Page, attr, text_of
from tracker.domain.formats import number
from tracker.domain.survey_level_results import Figure, LevelResult, NationalRound
from tracker.reports.survey_level_cells import BAND_LABELS, points, score_text, value_label
from tracker.reports.survey_level_tables import short_title

FEWER = "Fewer than 10"
NO_ONE = "No one"
FigurePath = tuple[str, str, str, str, str, str, str]


def figures(result: LevelResult) -> Iterator[tuple[FigurePath, Figure]]:
    """Every figure of one level by its path, in the order a report lists them."""
    lv, key = result.level, result.key
    yield (lv, key, "completed", "", "", "", ""), result.completed
    for b in result.completed_by:
        yield from (((lv, key, "completed", "", "", b.name, p.value), p.figure) for p in b.parts)
    yield (lv, key, "overall", "", "", "", ""), result.overall
    for b in (*result.overall_breakdowns, *result.overall_characteristics):
        yield from (((lv, key, "overall", "", "", b.name, p.value), p.figure) for p in b.parts)
    for s in result.sections:
        yield (lv, key, "section", s.section, "", "", ""), s.figure
        for b in (*s.breakdowns, *s.characteristics):
            yield from (((lv, key, "section", s.section, "", b.name, p.value), p.figure) for p in b.parts)
        for q in s.questions:
            yield (lv, key, "question", s.section, q.question, "", ""), q.figure


def levels(found: NationalRound) -> Iterator[LevelResult]:
    yield found.national
    yield from found.regions.values()
    yield from found.orgs.values()


@dataclass(frozen=True)
class Truth:
    """A round as the reports must show it (`shown`, the engine at the survey's threshold) and every figure's
    true value (`true`, the engine at a threshold of 1)."""

    shown: NationalRound
    true: NationalRound
    minimum: int  # the survey's threshold: no figure shown is from fewer
    real: Mapping[FigurePath, Figure] = field(init=False)
    values: Mapping[FigurePath, Figure] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "real", {p: f for r in levels(self.shown) for p, f in figures(r)})
        object.__setattr__(self, "values", {p: f for r in levels(self.true) for p, f in figures(r)})

    def suppressed(self) -> list[FigurePath]:
        """The paths of every suppressed figure of a reportable level."""
        reportable = {(r.level, r.key) for r in levels(self.shown) if r.reportable}
        return [p for p, f in self.real.items() if f.suppressed and p[:2] in reportable]


def _is_overall(path: FigurePath) -> bool:
    return path[2] == "overall"


def html_value(figure: Figure, path: FigurePath) -> str:
    """A shown figure as a page writes it."""
    if path[2] == "completed":
        return "" if figure.n is None else number(figure.n)
    if figure.score is None:
        return "No scored answers"
    return score_text(figure.score, _is_overall(path))


@dataclass(frozen=True)
class Place:
    """One figure as one output prints it: its value text (or the suppression words) and, where the output
    prints them beside it, its band, n and change (None: not printed here)."""

    where: str
    path: FigurePath
    text: str
    band: str | None = None
    n: str | None = None
    change: str | None = None


@dataclass(frozen=True)
class Distance:
    """A difference of two figures in points (a region against the nation, an organisation against both):
    blank wherever either figure is suppressed, since it would give that figure away."""

    where: str
    mine: FigurePath
    other: FigurePath
    text: str


def check_place(truth: Truth, place: Place) -> None:
    real = truth.real.get(place.path)
    assert real is not None, f"{place.where}: prints {place.path}, which no report shows"
    true = truth.values[place.path]
    if real.suppressed:
        assert place.text == FEWER, f"{place.where}: a suppressed figure shows {place.text!r}"
        assert place.band in (None, "") and place.n in (None, "") and place.change in (None, ""), place
        # the same, said plainly: none of the figure's true values is printed in its place
        printed = {place.text, place.band, place.n, place.change} - {None, ""}
        secret = {html_value(true, place.path), *([number(true.n)] if true.n is not None else [])}
        assert not printed & secret, f"{place.where}: {printed & secret} of a suppressed figure"
        return
    assert true.n is not None and true.n >= truth.minimum, f"{place.where}: shows a figure of {true.n}"
    assert place.text == html_value(true, place.path), (place, true)
    if place.band is not None:
        assert place.band == BAND_LABELS.get(real.band or "", ""), (place, real)
    if place.n is not None:
        assert place.n == ("" if true.n is None else number(true.n)), (place, true)
    if place.change is not None:
        assert place.change == points(real.change), (place, real)


def check_distance(truth: Truth, distance: Distance) -> None:
    mine, other = truth.real[distance.mine], truth.real[distance.other]
    if mine.suppressed or other.suppressed or mine.score is None or other.score is None:
        assert distance.text == "", f"{distance.where}: {distance.text!r} beside a suppressed figure"
        return
    true_mine, true_other = truth.values[distance.mine].score, truth.values[distance.other].score
    assert true_mine is not None and true_other is not None
    assert distance.text == points(true_mine - true_other), (distance, true_mine, true_other)


# -- reading a page -------------------------------------------------------------------------------------


def _cells(row: Tag) -> list[Tag]:
    return [c for c in row.find_all(["th", "td"], recursive=False) if isinstance(c, Tag)]


def _value_band(cell: Tag) -> tuple[str, str]:
    """A cell that prints a score with its band beside it (the group tables, the glance)."""
    value = cell.select_one(".score-value")
    band = cell.select_one(".band")
    band_text = "" if band is None else text_of(band)
    if value is not None:
        return text_of(value), band_text
    text = text_of(cell)
    return (text.removesuffix(band_text).strip() if band_text else text), band_text


@dataclass
class PageReader:
    """The places of one report page: `level`/`key` the level it reports, `region` an organisation's."""

    page: Page
    level: str
    key: str
    region: str
    parts: Mapping[str, str]  # a group's label as printed -> its value ("Mental health" -> "mental-health")
    sections: Mapping[str, str]  # a section's short title -> its id ("Standard 3" -> "hcn-standard-3")
    places: list[Place] = field(default_factory=list)
    distances: list[Distance] = field(default_factory=list)
    withheld: list[str] = field(default_factory=list)  # characteristics withheld whole, by name

    def path(
        self, figure: str, section: str = "", question: str = "", b: str = "", part: str = ""
    ) -> FigurePath:
        return (self.level, self.key, figure, section, question, b, part)

    def of(self, row_key: str, level: str | None = None, key: str = "") -> FigurePath:
        """The overall or section figure a standards row (data-key) stands for, at this or another level."""
        figure, section = ("overall", "") if row_key == "overall" else ("section", row_key)
        return (level or self.level, key if level else self.key, figure, section, "", "", "")

    def add(self, where: str, path: FigurePath, cell: Tag, **beside: Tag | None) -> None:
        text, band = _value_band(cell)
        if text == NO_ONE:  # the group has no one in this row: no figure
            return
        values = {k: (None if v is None else text_of(v)) for k, v in beside.items()}
        if "band" not in beside and cell.select_one(".score-value") is not None:
            values["band"] = band
        self.places.append(Place(where, path, text, **values))

    def read(self) -> PageReader:
        self._glance()
        for table in self.page.all("table"):
            self._table(table)
        for p in self.page.all("p.withheld[id]"):
            self.withheld.append(attr(p, "id").removeprefix("characteristic-").removesuffix("-table"))
        self._region_bars()
        self._needs_plan()
        return self

    def _region_bars(self) -> None:
        """The national chart: a region's bar is drawn, with its figure, only when its figure is shown."""
        regions = [attr(r, "data-key") for r in self.page.all("#regions-table tbody > tr")]
        groups = self.page.all("svg[data-chart=region-bars] g[data-part=region]")
        assert len(groups) == len(regions), (len(groups), regions)
        for region, group in zip(regions, groups, strict=True):
            bar = group.select_one("g[data-part=current]")
            text = FEWER if bar is None and FEWER in text_of(group) else text_of(bar or group)
            self.places.append(Place(f"region chart {region}", self.of("overall", "region", region), text))

    def _needs_plan(self) -> None:
        for item in self.page.all("ul.needs-plan > li"):
            title = text_of(item.find("strong"))  # type: ignore[arg-type]
            found = re.search(r"\(([^()]*), Poor\)", text_of(item))
            assert found is not None, text_of(item)
            path = self.of(self.sections[short_title(title)])
            self.places.append(Place(f"needs a plan {title}", path, found.group(1), "Poor"))

    def _glance(self) -> None:
        for item in self.page.all("dl.glance > div"):
            what = text_of(item.find("dt"))  # type: ignore[arg-type]
            dd = item.find("dd")
            assert isinstance(dd, Tag)
            if re.fullmatch(r"Average \w+ score .*", what) and what.endswith(self._round):
                text, band = _value_band(dd)
                self.places.append(Place(f"glance {what}", self.of("overall"), text, band))
            elif what == "People who completed":
                self.places.append(Place("glance", self.path("completed"), text_of(dd)))
        if self.page.has("#completed-total"):
            total = self.page.text("#completed-total")
            self.places.append(Place("completed total", self.path("completed"), total))

    @property
    def _round(self) -> str:
        return self.page.text("main .cover-kicker").rsplit(" · ", 1)[-1]

    def _table(self, table: Tag) -> None:
        name = attr(table, "id")
        body = [r for r in table.select("tbody > tr")]
        where = f"{self.level}:{self.key} {name}"
        if name == "standards-table":
            for row in body:
                c = _cells(row)
                previous = len(c) > 4
                change = c[5] if previous else None
                self.add(
                    f"{where} {attr(row, 'data-key')}",
                    self.of(attr(row, "data-key")),
                    c[1],
                    band=c[2],
                    n=c[3],
                    change=change,
                )
        elif name.startswith("completed-"):
            breakdown = name.removeprefix("completed-")
            for row in body:
                c = _cells(row)
                path = self.path("completed", b=breakdown, part=self.parts[text_of(c[0])])
                self.add(f"{where} {text_of(c[0])}", path, c[1])
        elif name == "compared-table":
            for row in body:
                c, key = _cells(row), attr(row, "data-key")
                self.add(f"{where} {key}", self.of(key), c[1])
                self.add(f"{where} {key} region", self.of(key, "region", self.region), c[2])
                self.add(f"{where} {key} national", self.of(key, "national"), c[3])
                self.distances.append(
                    Distance(
                        f"{where} {key}", self.of(key), self.of(key, "region", self.region), text_of(c[4])
                    )
                )
                self.distances.append(
                    Distance(f"{where} {key}", self.of(key), self.of(key, "national"), text_of(c[5]))
                )
        elif name == "against-national-table":
            for row in body:
                c, key = _cells(row), attr(row, "data-key")
                self.add(f"{where} {key}", self.of(key), c[1])
                self.add(f"{where} {key} national", self.of(key, "national"), c[2])
                self.distances.append(
                    Distance(f"{where} {key}", self.of(key), self.of(key, "national"), text_of(c[3]))
                )
        elif name == "regions-table":
            for row in body:
                c, region = _cells(row), attr(row, "data-key")
                change = c[4] if len(c) > 4 else None
                self.add(
                    f"{where} {region}", self.of("overall", "region", region), c[1], band=c[2], change=change
                )
        elif name.startswith("regions-standards-table-"):
            heads = [text_of(th) for th in table.select("thead th")][1:]
            keys = ["overall" if h == "Overall" else self.sections[h] for h in heads]
            for row in body:
                region = attr(row, "data-key")
                for key, cell in zip(keys, _cells(row)[1:], strict=True):
                    self.add(f"{where} {region} {key}", self.of(key, "region", region), cell)
        elif name.startswith(("by-", "characteristic-")):
            breakdown = name.removeprefix("by-").removeprefix("characteristic-").removesuffix("-table")
            heads = [text_of(th) for th in table.select("thead th")][2:]
            for row in body:
                key, c = attr(row, "data-key"), _cells(row)
                figure, section = ("overall", "") if key == "overall" else ("section", key)
                self.add(f"{where} {key} all", self.of(key), c[1])
                for head, cell in zip(heads, c[2:], strict=True):
                    path = self.path(figure, section, b=breakdown, part=self.parts[head])
                    self.add(f"{where} {key} {head}", path, cell)
        elif name.startswith("questions-"):
            section = name.removeprefix("questions-").removesuffix("-table")
            for row in body:
                c, question = _cells(row), attr(row, "data-key")
                change = c[4] if len(c) > 3 else None
                self.add(
                    f"{where} {question}",
                    self.path("question", section, question),
                    c[1],
                    band=c[2],
                    change=change,
                )
        else:
            raise AssertionError(
                f"a table this check does not read: {name!r}; teach it where its figures are"
            )


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def csv_path(row: Mapping[str, str]) -> FigurePath:
    return (
        row["level"],
        row["key"],
        row["figure"],
        row["section"],
        row["question"],
        row["breakdown"],
        row["part"],
    )


def part_labels(found: NationalRound) -> dict[str, str]:
    """Every group's label as the reports print it, to its value ("Mental health" -> "mental-health")."""
    values = {path[6] for result in levels(found) for path, _ in figures(result) if path[6]}
    labels = {value_label(v): v for v in values}
    assert len(labels) == len(values), "two groups print the same label"
    return labels
