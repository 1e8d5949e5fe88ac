"""A survey's participating organisations from a CSV (issue 21): rows read into values, every bad cell located."""

from __future__ import annotations

import pytest

from tracker.domain.survey_orgs import ORG_KINDS, OrgRow, check_one_org, kind_of, parse_orgs

PARTNERS = {"lga", "barnet-council"}
HEADER = "org,name,kind,region,partner\n"
LIMITS = {"max_bytes": 1024 * 1024, "max_rows": 100}


def parse(
    text: str, loaded: dict[str, str] | None = None
) -> tuple[tuple[OrgRow, ...], list[tuple[int, str, str]]]:
    rows, problems = parse_orgs(text.encode("utf-8"), PARTNERS, loaded, **LIMITS)
    return rows, [tuple(p) for p in problems.first()]  # type: ignore[misc]


def test_rows_are_read() -> None:
    text = (
        "\ufefforg,name,kind,region,partner\n"
        "barnet,  London Borough of  Barnet ,local_authority,London,barnet-council\n"
        "\n"
        "leeds-nhs,Leeds NHS Trust,NHS trust,  Yorkshire and   the Humber ,\n"
        "E09000007,Camden,Local-Authority,London,\n"
        "c.and.i,Camden and Islington,not for profit,London, lga \n"
    )
    rows, problems = parse(text)
    assert problems == []
    assert rows == (
        OrgRow(2, "barnet", "London Borough of Barnet", "local_authority", "London", "barnet-council"),
        OrgRow(4, "leeds-nhs", "Leeds NHS Trust", "nhs_trust", "Yorkshire and the Humber", ""),
        OrgRow(5, "E09000007", "Camden", "local_authority", "London", ""),
        OrgRow(6, "c.and.i", "Camden and Islington", "not_for_profit", "London", "lga"),
    )


def test_without_a_partner_column_the_partner_is_not_given() -> None:
    rows, problems = parse("org,kind,name,region\nbarnet,other,Barnet,London\n")
    assert problems == [] and rows[0].partner is None
    assert rows[0].values() == {
        "org": "barnet",
        "org_name": "Barnet",
        "kind": "other",
        "region": "London",
        "partner": None,
    }


@pytest.mark.parametrize(
    ("text", "code"),
    [("local_authority", "local_authority"), ("NHS Trust", "nhs_trust"), (" not-for-profit ", "not_for_profit"),
     ("OTHER", "other"), ("nhs", None), ("", None), ("local__authority", "local_authority")],
)  # fmt: skip
def test_kind_codes(text: str, code: str | None) -> None:
    assert kind_of(text) == code


PROBLEMS = [
    # (rows after the header, organisations already loaded (id -> region), [(row, column)], words of the first)
    ("barnet,Barnet,council,London,\n", {}, [(2, "kind")], ["kind 'council' is not one of: local_authority"]),
    ("barnet,Barnet,nhs_trusts,London,\n", {}, [(2, "kind")], ["did you mean 'nhs_trust'?"]),
    ("barnet,Barnet,,London,\n", {}, [(2, "kind")], ["kind is blank, but must be one of"]),
    (",Barnet,other,London,\n", {}, [(2, "org")], ["org must not be blank"]),
    ("bar net,Barnet,other,London,\n", {}, [(2, "org")], ["'bar net' is not a valid id"]),
    ("-barnet,Barnet,other,London,\n", {}, [(2, "org")], ["not a valid id", "starting with a letter or digit"]),
    (f"{'b' * 65},Barnet,other,London,\n", {}, [(2, "org")], ["not a valid id", "at most 64 characters"]),
    ("barnet,,other,London,\n", {}, [(2, "name")], ["name must not be blank"]),
    (f"barnet,{'n' * 201},other,London,\n", {}, [(2, "name")], ["name is 201 characters long; the limit is 200"]),
    ('barnet,"Bar\nnet",other,London,\n', {}, [(2, "name")], ["one line without control characters"]),
    ("barnet,Barnet,other,,\n", {}, [(2, "region")], ["region must not be blank"]),
    (f"barnet,Barnet,other,{'r' * 101},\n", {}, [(2, "region")], ["region is 101 characters long"]),
    ("barnet,Barnet,other,London,barnet-counci\n", {}, [(2, "partner")],
     ["unknown partner 'barnet-counci'; did you mean 'barnet-council'?", "not a partner of this framework"]),
    ("barnet,Barnet,other,London,\nBarnet,Barnet again,other,London,\n", {}, [(3, "org")],
     ["org 'Barnet' is already on row 2"]),
    ("Barnet,Barnet,other,London,\n", {"barnet": "London"}, [(2, "org")],
     ["org 'Barnet' differs only in capitals from 'barnet', already loaded", "use the same id"]),
    ("barnet,Barnet,other,London,\ncamden,Camden,other,LONDON,\n", {}, [(3, "region")],
     ["region 'LONDON' differs only in capitals from 'London' (row 2)"]),
    ("camden,Camden,other,london,\n", {"barnet": "London"}, [(2, "region")],
     ["region 'london' differs only in capitals from 'London' (the region of 'barnet', already loaded)"]),
    ("", {}, [(2, "")], ["the file has no organisations"]),
    ("barnet,Barnet,other,London,,extra\n", {}, [(2, "")], ["has 6 cells but the header has 5"]),
]  # fmt: skip


@pytest.mark.parametrize(("rows", "loaded", "where", "words"), PROBLEMS, ids=[c[3][0][:40] for c in PROBLEMS])
def test_problems_name_row_and_column_and_give_no_rows(
    rows: str, loaded: dict[str, str], where: list[tuple[int, str]], words: list[str]
) -> None:
    found, problems = parse(HEADER + rows, loaded)
    assert found == ()
    assert [(row, column) for row, column, _message in problems] == where, problems
    for word in words:
        assert word in problems[0][2], problems[0][2]


FILE_PROBLEMS = [
    # (whole file, [(row, column)], words of the first)
    ("org,name,kind\nbarnet,Barnet,other\n", [(1, "")], ["the column 'region' is missing"]),
    ("org,name,kind,region,type\n", [(1, "type")], ["unknown column 'type'; the columns are: org, name"]),
    ("org,name,kind,region,org\n", [(1, "")], ["a column name appears twice"]),
    ("", [(1, "")], ["the file is empty"]),
]


@pytest.mark.parametrize(("text", "where", "words"), FILE_PROBLEMS, ids=[c[2][0][:30] for c in FILE_PROBLEMS])
def test_a_file_with_wrong_columns_is_refused_whole(
    text: str, where: list[tuple[int, str]], words: list[str]
) -> None:
    found, problems = parse(text)
    assert found == ()
    assert [(row, column) for row, column, _message in problems] == where, problems
    for word in words:
        assert word in problems[0][2]


def test_a_file_that_is_not_utf8_is_refused_at_its_line() -> None:
    rows, problems = parse_orgs(
        (HEADER + "barnet,Barnet,other,London,\n").encode() + b"\xff\n", PARTNERS, **LIMITS
    )
    assert rows == () and [(p.row, p.message) for p in problems.first()] == [
        (3, "the file is not UTF-8 text (save it as CSV UTF-8)")
    ]


def test_every_bad_cell_is_reported_at_once() -> None:
    text = (
        HEADER + "barnet,Barnet,other,London,\n" + "bad id,,trust,,nobody\n" + "camden,Camden,other,London,\n"
    )
    rows, problems = parse(text)
    assert rows == ()
    assert [(row, column) for row, column, _message in problems] == [
        (3, "org"), (3, "name"), (3, "kind"), (3, "region"), (3, "partner"),
    ]  # fmt: skip


def test_a_region_can_be_corrected_by_giving_every_organisation_of_it() -> None:
    loaded = {"barnet": "london", "camden": "london", "leeds": "Yorkshire"}
    rows, problems = parse(HEADER + "barnet,Barnet,other,London,\ncamden,Camden,other,London,\n", loaded)
    assert problems == [] and {r.region for r in rows} == {"London"}


def test_too_many_rows_are_refused() -> None:
    text = HEADER + "".join(f"o{i},Org {i},other,London,\n" for i in range(101))
    rows, problems = parse(text)
    assert rows == () and problems == [(102, "", "more than 100 rows; split the file")]


def test_the_kinds_are_the_specified_four() -> None:
    assert ORG_KINDS == ("local_authority", "nhs_trust", "not_for_profit", "other")


LOADED = {"barnet": "London", "leeds": "Yorkshire"}
GOOD = {"org": "camden", "name": "Camden", "kind": "Local authority", "region": "London", "partner": ""}
# One organisation added on its own (the page): a CSV row's checks, and an id already loaded is refused.
ONE_PROBLEMS = [
    ({"org": "cam den"}, "org", "'cam den' is not a valid id"),
    ({"org": ""}, "org", "org must not be blank"),
    ({"org": "barnet"}, "org", "organisation 'barnet' is already loaded; change it by loading a CSV"),
    ({"org": "Barnet"}, "org", "org 'Barnet' differs only in capitals from 'barnet', already loaded"),
    ({"name": "  "}, "name", "name must not be blank"),
    ({"name": "Cam\nden"}, "name", "name must be one line"),
    ({"kind": "council"}, "kind", "kind 'council' is not one of: local_authority"),
    ({"kind": ""}, "kind", "kind is blank, but must be one of"),
    ({"region": ""}, "region", "region must not be blank"),
    ({"region": "LONDON"}, "region", "region 'LONDON' differs only in capitals from 'London'"),
    ({"partner": "lgaa"}, "partner", "unknown partner 'lgaa'; did you mean 'lga'?"),
]


@pytest.mark.parametrize(("change", "column", "words"), ONE_PROBLEMS, ids=[c[2][:40] for c in ONE_PROBLEMS])
def test_one_organisation_is_checked_as_a_row_is(change: dict[str, str], column: str, words: str) -> None:
    row, problems = check_one_org({**GOOD, **change}, PARTNERS, LOADED)
    assert row is None
    assert [(p.row, p.column) for p in problems.first()] == [(1, column)]
    assert words in problems.first()[0].message


def test_one_good_organisation_is_read() -> None:
    row, problems = check_one_org({**GOOD, "name": " Camden  Council ", "partner": "lga"}, PARTNERS, LOADED)
    assert not problems
    assert row == OrgRow(1, "camden", "Camden Council", "local_authority", "London", "lga")
    assert check_one_org(GOOD, PARTNERS, {})[0] == OrgRow(
        1, "camden", "Camden", "local_authority", "London", ""
    )


def test_every_problem_of_one_organisation_is_reported_at_once() -> None:
    bad = {"org": "barnet", "name": "", "kind": "x", "region": "", "partner": "nope"}
    _row, problems = check_one_org(bad, PARTNERS, LOADED)
    assert [p.column for p in problems.first()] == ["org", "name", "kind", "region", "partner"]
    bad = {**bad, "region": "LONDON"}  # a region that differs in capitals, whatever else is wrong
    _row, problems = check_one_org(bad, PARTNERS, LOADED)
    assert [p.column for p in problems.first()] == ["org", "name", "kind", "partner", "region"]
