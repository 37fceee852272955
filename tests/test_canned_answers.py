"""Canned-query answers on the excerpt dataset: golden results for every query, and figures
recomputed straight from the committed source files (not through the loaders) compared with them.

Golden files are ``tests/data/canned/<slug>-<variant>.json``; set SKILLSGAP_UPDATE_GOLDEN=1 to
rewrite them from the current answers (then read the diff).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient

from skillsgap.catalog import load_catalog
from skillsgap.coder import Coder
from skillsgap.config import Settings
from skillsgap.loaders._coding_index import coder_for_folder
from skillsgap.server.app import create_app

from .canned_dataset import build
from .conftest import EXCERPTS, UPDATE_GOLDEN, excerpt

GOLDEN = EXCERPTS / "canned"
ROWS_LIMIT = 5000
CATALOG = load_catalog()
TEES_VALLEY, ENGLAND, BLACK_COUNTRY = "E69000031", "E92000001", "E37000001"
GREATER_MANCHESTER_CA, CITY_OF_LONDON = "E47000001", "E09000001"

# (query, variant, parameters): every catalogue query, each answering with rows on the excerpts
# unless it is listed in EXPECTED_EMPTY.
CASES: list[tuple[str, str, dict[str, str]]] = [
    ("aps-employment-by-area", "greater-manchester-ca-2021",
     {"area": GREATER_MANCHESTER_CA, "year": "2021"}),
    ("aps-employment-by-area", "city-of-london-2021", {"area": CITY_OF_LONDON, "year": "2021"}),
    ("area", "tees-valley", {"code": TEES_VALLEY}),
    ("area", "england", {"code": ENGLAND}),
    ("courses-for-occupation", "2439", {"soc": "2439"}),
    ("courses-for-occupation", "2439-england", {"soc": "2439", "area": ENGLAND}),
    ("employment-soc2020-apportioned", "england-2021", {"area": ENGLAND, "year": "2021"}),
    ("employment-soc2020-apportioned", "greater-manchester-ca-2021",
     {"area": GREATER_MANCHESTER_CA, "year": "2021"}),
    ("employment-soc2020-apportioned", "city-of-london-2021",
     {"area": CITY_OF_LONDON, "year": "2021"}),
    ("example-areas-in-lsip", "fixed", {}),
    ("example-job-titles", "fixed", {}),
    ("example-soc2020-unit-groups", "fixed", {}),
    ("job-adverts-by-profession", "greater-london", {"area": "E69000013"}),
    ("job-adverts-by-profession", "england", {"area": ENGLAND}),
    ("last-loads", "all", {}),
    ("median-pay-by-occupation", "1112", {"soc": "1112"}),
    ("median-pay-by-occupation", "1161", {"soc": "1161"}),
    ("occupation", "1112", {"soc": "1112"}),
    ("occupation", "24", {"soc": "24"}),
    ("occupation-search", "chief-executive", {"q": "chief executive"}),
    ("occupation-search", "relationship-manager", {"q": "Relationship Manager (Banking)"}),
    ("occupations-for-qualification", "standard-7", {"ref": "7"}),
    ("occupations-for-qualification", "standard-19", {"ref": "19"}),
    ("replacement-demand-by-lsip", "tees-valley", {"area": TEES_VALLEY}),
    ("soc-crosswalk", "soc2010-1116", {"soc2010": "1116"}),
    ("soc-crosswalk", "soc2020-1111", {"soc2020": "1111"}),
    ("soc2020-titles-per-major-group", "all", {}),
    ("soc2020-titles-per-major-group", "officer", {"word": "officer"}),
    ("supply-demand-gap", "tees-valley-1", {"area": TEES_VALLEY, "level": "1"}),
    ("supply-demand-gap", "tees-valley-2", {"area": TEES_VALLEY, "level": "2"}),
    ("top-shortages", "england-ssv-density", {"area": ENGLAND, "measure": "ssv-density"}),
    ("top-shortages", "black-country-ssv-density",
     {"area": BLACK_COUNTRY, "measure": "ssv-density"}),
    ("top-shortages", "tees-valley-replacement-rate",
     {"area": TEES_VALLEY, "measure": "replacement-rate"}),
    ("top-shortages", "tees-valley-requirement-rate",
     {"area": TEES_VALLEY, "measure": "requirement-rate"}),
    ("training-supply-by-area", "tees-valley", {"area": TEES_VALLEY}),
    ("training-supply-by-area", "yorkshire-and-the-humber", {"area": "E12000003"}),
    ("vacancies-by-occupation-lep", "greater-lincolnshire", {"lep": "E37000014"}),
]  # fmt: skip

# Fixed queries whose fixed values the excerpts do not hold (no parameter to choose another).
EXPECTED_EMPTY = {
    "example-areas-in-lsip": "names E69000014 (Greater Manchester LSIP), not in the excerpts",
    "example-job-titles": "looks for 'nurse', and no excerpt job title has it",
}
# Columns that change from run to run.
VOLATILE = {"last-loads": ("ended",)}
# Queries whose ORDER BY orders their rows totally: the golden keeps their order; any other
# answer is compared as a multiset (rows sorted canonically).
ORDERED = {
    "aps-employment-by-area",
    "employment-soc2020-apportioned",
    "median-pay-by-occupation",
    "occupation-search",
    "replacement-demand-by-lsip",
    "soc2020-titles-per-major-group",
    "supply-demand-gap",
    "top-shortages",
}


@pytest.fixture(scope="session")
def canned_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every loader's excerpt in one store, each source in its named graph (canned_dataset)."""
    root = tmp_path_factory.mktemp("canned")
    return build(root / "store", root / "data")


@pytest.fixture(scope="module")
def client(canned_store: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(store=canned_store))) as test_client:
        yield test_client


def answer(client: TestClient, slug: str, **params: str) -> list[dict[str, Any]]:
    """A canned query's rows over HTTP, all of them (never a truncated page)."""
    query = params | {"format": "json", "limit": str(ROWS_LIMIT)}
    response = client.get(f"/queries/{slug}", params=query)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ok"] is True and body["truncated"] is False
    rows: list[dict[str, Any]] = body["rows"]
    return rows


# --- golden answers --------------------------------------------------------------------------


def test_every_query_has_a_golden_case() -> None:
    assert {slug for slug, _, _ in CASES} == set(CATALOG)
    assert len({(slug, variant) for slug, variant, _ in CASES}) == len(CASES)


@pytest.mark.parametrize(
    "slug,variant,params", CASES, ids=[f"{slug}-{variant}" for slug, variant, _ in CASES]
)
def test_answer_matches_golden(
    client: TestClient, slug: str, variant: str, params: dict[str, str]
) -> None:
    rows = answer(client, slug, **params)
    assert bool(rows) != (slug in EXPECTED_EMPTY), EXPECTED_EMPTY.get(slug, "no rows")
    assert_rows_match_golden(slug, params, rows, GOLDEN / f"{slug}-{variant}.json")


def assert_rows_match_golden(
    slug: str, params: dict[str, str], rows: list[dict[str, Any]], golden: Path
) -> None:
    """The rows equal the golden file's (numbers as numbers; order only where it is total)."""
    actual = comparable(slug, rows)
    if UPDATE_GOLDEN or not golden.exists():
        if not UPDATE_GOLDEN:
            pytest.fail(f"no golden file {golden}; run with SKILLSGAP_UPDATE_GOLDEN=1 to create it")
        document = {"query": slug, "parameters": params, "rows": actual}
        text = json.dumps(document, indent=1, ensure_ascii=False, sort_keys=True)
        golden.write_text(text + "\n", encoding="utf-8")
    expected = json.loads(golden.read_text(encoding="utf-8"))
    assert expected["parameters"] == params
    assert len(actual) == len(expected["rows"]), f"row count differs from {golden.name}"
    for number, (got, want) in enumerate(zip(actual, expected["rows"], strict=True)):
        assert same(got, want), f"{golden.name} row {number}: {got} != {want}"


def comparable(slug: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    volatile = VOLATILE.get(slug, ())
    cleaned = [{k: ("<varies>" if k in volatile else v) for k, v in r.items()} for r in rows]
    return cleaned if slug in ORDERED else sorted(cleaned, key=canonical_key)


def canonical_key(row: dict[str, Any]) -> str:
    """A sort key in which 1 and 1.0 are the same number and None sorts first."""

    def plain(value: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return f"n:{float(value)!r}"
        return "" if value is None else f"s:{value}"

    return json.dumps({k: plain(v) for k, v in sorted(row.items())})


def same(got: Any, want: Any) -> bool:
    """Equal, numbers compared as numbers (to 1e-12, relatively), dicts key by key."""
    if isinstance(got, dict) and isinstance(want, dict):
        return got.keys() == want.keys() and all(same(got[k], want[k]) for k in got)
    if isnumber(got) and isnumber(want):
        return math.isclose(got, want, rel_tol=1e-12, abs_tol=1e-12)
    return bool(got == want) and type(got) is type(want)


def isnumber(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


# --- reading the source files directly ---------------------------------------------------------


def sheet_rows(path: Path, sheet: str) -> list[tuple[Any, ...]]:
    """A sheet's rows, cached values only (openpyxl, data_only)."""
    workbook = openpyxl.load_workbook(path, data_only=True, read_only=True)
    try:
        return [tuple(row) for row in workbook[sheet].iter_rows(values_only=True)]
    finally:
        workbook.close()


def row_starting(rows: list[tuple[Any, ...]], text: str, start: int = 0) -> tuple[Any, ...]:
    """The first row at or after ``start`` whose first cell starts with ``text``."""
    return next(r for r in rows[start:] if isinstance(r[0], str) and r[0].startswith(text))


def sparql_round(value: float) -> int:
    """SPARQL ROUND: halves away from zero (Python's round() rounds halves to even)."""
    return int(Decimal(repr(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def by(rows: list[dict[str, Any]], column: str, value: Any) -> dict[str, Any]:
    found = [r for r in rows if r[column] == value]
    assert len(found) == 1, f"{len(found)} rows with {column} = {value!r}"
    return found[0]


SI = excerpt("skills-imperative-2035") / "TV_LSIP_MainTables.Main.xlsx"


def test_replacement_demand_of_a_sub_major_group_in_an_lsip_area_is_rd_t1s(
    client: TestClient,
) -> None:
    rows = sheet_rows(SI, "RD T1")
    header = row_starting(rows, "All qualifications")  # the all-levels block comes first
    block = rows.index(header)
    row = row_starting(rows, "31 ", block)
    # Table 1.1 repeats the headers to the right: take each column's first occurrence.
    cell = {name: row[header.index(name)] for name in header if name is not None}
    got = by(answer(client, "replacement-demand-by-lsip", area=TEES_VALLEY), "code", "31")
    assert got["areaName"] == "Tees Valley" and got["unit"] == "Thousands of persons"
    assert got["replacementDemand"] == cell["Replacement Demand level"]
    assert got["employment2020"] == cell[2020]
    assert got["netChange"] == cell["Net Change"]
    assert got["totalRequirement"] == cell["Total Requirement"]


@pytest.mark.parametrize(
    "level,sheet,label,code",
    [
        ("1", "Occ T1", "Process, plant and machine operatives", "8"),
        ("2", "Occ T2", "63 Community and civil enforcement occupations", "63"),
    ],
)
def test_gap_demand_is_the_occupation_tables_and_annual_requirement_a_fifteenth(
    client: TestClient, level: str, sheet: str, label: str, code: str
) -> None:
    rows = sheet_rows(SI, sheet)
    years, kinds = rows[5], rows[4]  # 'Levels', 2015 ... 2035, 'Change' ...; then 'Total' above
    row = row_starting(rows, label)
    employment = row[years.index(2020)]
    total = row[kinds.index("Total")]
    got = by(answer(client, "supply-demand-gap", area=TEES_VALLEY, level=level), "soc2020", code)
    assert got["employment2020"] == employment and got["totalRequirement"] == total
    assert got["annualRequirement"] == sparql_round(total * 1000 / 15)
    assert got["demandStatus"] == "Available"


ESS_2017 = (
    excerpt("dfe-employer-skills-survey")
    / "ESS_2017_England_LEP_Standard_Tables_Controlled_v03.01.xlsx"
)
# The ESS tables' occupation rows, as SOC 2010 major groups (the survey's own grouping).
ESS_OCCUPATIONS = {
    "Managers": "1",
    "Professionals": "2",
    "Associate professionals": "3",
    "Administrative/clerical staff": "4",
    "Skilled trades occupations": "5",
    "Caring, leisure and other services staff": "6",
    "Sales and customer services staff": "7",
    "Machine operatives": "8",
    "Elementary staff": "9",
}


def ess_counts(sheet: str, column: str) -> dict[str, int]:
    """Counts by SOC 2010 major group in one area column (header row 9) of an ESS 2017 table."""
    rows = sheet_rows(ESS_2017, sheet)
    header = row_starting(rows, "Unweighted row")
    at = rows[rows.index(header) - 1].index(column)
    return {ESS_OCCUPATIONS[r[0]]: r[at] for r in rows if r[0] in ESS_OCCUPATIONS}


@pytest.mark.parametrize("area,column", [(ENGLAND, "Total"), (BLACK_COUNTRY, "Black Country")])
def test_ssv_density_is_t63_over_t54(client: TestClient, area: str, column: str) -> None:
    shortages, vacancies = ess_counts("T63", column), ess_counts("T54", column)
    got = answer(client, "top-shortages", area=area, measure="ssv-density")
    assert {r["code"] for r in got} == set(ESS_OCCUPATIONS.values())
    for code, shortage in shortages.items():
        row = by(got, "code", code)
        assert (row["numerator"], row["denominator"]) == (shortage, vacancies[code])
        assert row["pressure"] == sparql_round(shortage / vacancies[code] * 1000) / 1000
    pressures = [r["pressure"] for r in got]
    assert pressures == sorted(pressures, reverse=True)


ASHE = excerpt("ons-ashe-table14")


@pytest.mark.parametrize("code", ["1112", "1161"])
def test_median_pay_keeps_a_suppressed_or_missing_cell_empty(client: TestClient, code: str) -> None:
    """ASHE's x (suppressed) and : or empty (not available) cells: no number, their marker."""
    got = answer(client, "median-pay-by-occupation", soc=code)
    editions = {"2023p.xlsx": 2023, "2021r.xlsx": 2021}
    seen = set()
    for name, year in editions.items():
        rows = sheet_rows(ASHE / name, "annual_FT")
        header = rows[0]
        source = next((r for r in rows if r[header.index("Code")] == code), None)
        if source is None:
            continue
        seen.add(year)
        median, jobs = source[header.index("Median")], source[header.index("No_jobs")]
        row = by(got, "year", year)
        assert not isinstance(median, int | float), "the excerpt's cell is a number"
        assert row["median_annual_pay"] is None
        status = "Suppressed" if median == "x" else "NotAvailable"
        assert row["status"].endswith(status)
        assert row["marker"] == (median if isinstance(median, str) else jobs)
    assert {r["year"] for r in got} == seen


def test_occupation_never_shows_a_suppressed_median_as_a_number(client: TestClient) -> None:
    pay = [r for r in answer(client, "occupation", soc="1112") if r["aspect"].startswith("10 ")]
    assert pay and {r["value"] for r in pay} == {"(Suppressed)"}


VOLUME_1 = (
    excerpt("ons-soc2020") / "soc2020volume1structureanddescriptionofunitgroupsexcel16042025.xlsx"
)


def test_occupation_title_description_tasks_are_volume_1s(client: TestClient) -> None:
    rows = sheet_rows(VOLUME_1, "SOC2020 descriptions")
    header = [str(h).replace("\n", " ").split() for h in rows[0]]
    columns = {" ".join(words): number for number, words in enumerate(header)}
    source = next(r for r in rows if str(r[columns["SOC 2020 Unit Group"]]) == "1112")
    got = answer(client, "occupation", soc="1112")
    aspects: dict[str, list[str]] = {}
    for row in got:
        aspects.setdefault(row["aspect"], []).append(row["value"])
    assert aspects["1 title"] == [source[columns["SOC 2020 Group Title"]]]
    assert aspects["2 description"] == [source[columns["Group Description"]].strip()]
    routes = source[columns["Typical Entry Routes And Associated Qualifications"]]
    assert aspects["4 entry routes"] == [routes.strip()]
    tasks = [t.strip() for t in source[columns["Tasks"]].split("~") if t.strip()]
    assert sorted(aspects["3 task"]) == sorted(tasks)


def lars_standard_name(code: str) -> str:
    with (excerpt("dfe-lars") / "Standard.csv").open(encoding="utf-8-sig", newline="") as file:
        return next(r["StandardName"] for r in csv.DictReader(file) if r["StandardCode"] == code)


@pytest.mark.parametrize("standard", ["7", "19"])
def test_a_derived_link_is_the_title_coders_best_match(client: TestClient, standard: str) -> None:
    name = lars_standard_name(standard)
    coder: Coder = coder_for_folder(excerpt("ons-soc2020"), Coder)
    best = coder.search(name, 3)[0]
    links = answer(client, "occupations-for-qualification", ref=standard)
    assert [(r["soc2020"], r["linkMethod"]) for r in links] == [(best.code, "Derived")]
    assert links[0]["credentialName"] == name
    assert math.isclose(links[0]["score"], best.score, abs_tol=5e-5)
    item = f"https://w3id.org/skillsgap/id/credential/lars-standard/{standard}"
    courses = [
        r for r in answer(client, "courses-for-occupation", soc=best.code) if r["item"] == item
    ]
    assert [(r["kind"], r["linkMethod"], r["score"]) for r in courses] == [
        ("ApprenticeshipCertificate", "Derived", links[0]["score"])
    ]
    searched = answer(client, "occupation-search", q=name)[0]
    assert (searched["rank"], searched["soc2020"]) == (1, best.code)
    assert math.isclose(searched["score"], best.score, abs_tol=5e-5)


def test_courses_for_occupation_lists_only_what_leads_to_the_group(client: TestClient) -> None:
    got = answer(client, "courses-for-occupation", soc="2439")
    linked = "https://w3id.org/skillsgap/id/credential/lars-standard/7"
    assert {r["item"] for r in got if r["kind"] != "course (via credential)"} == {linked}
    assert all(r["leadsTo"] for r in got if r["kind"] == "course (via credential)")


NOMIS = excerpt("nomis-aps-employment-by-occupation") / "nomis_2023_04_24_143000.xlsx"


def aps_cells(area_label: str, period: str) -> dict[str, tuple[Any, Any]]:
    """(number, conf) per T09a group title (upper case) for one area row of one year's block."""
    rows = sheet_rows(NOMIS, "Data")
    start = rows.index(next(r for r in rows if r[0] == "date" and r[1] == period))
    titles = row_starting(rows, "Area", start)
    row = row_starting(rows, area_label, start)
    cells = {}
    for at in range(1, len(titles), 3):
        if titles[at]:
            title = titles[at].split(" - ", 1)[1].split(" (SOC2010)")[0].upper()
            cells[title] = (row[at], row[at + 2])
    return cells


def test_aps_employment_is_t09as_number_and_interval(client: TestClient) -> None:
    cells = aps_cells("User Defined Geography:Greater Manchester-MCA", "Jan 2021-Dec 2021")
    got = answer(client, "aps-employment-by-area", area=GREATER_MANCHESTER_CA, year="2021")
    assert {r["occupation"] for r in got} == set(cells)
    for row in got:
        assert (row["employment"], row["confidence_interval_95"]) == cells[row["occupation"]]


def test_aps_suppressed_cells_stay_empty_in_every_answer(client: TestClient) -> None:
    cells = aps_cells("ladu:City of London", "Jan 2021-Dec 2021")
    withheld = {title for title, (number, _) in cells.items() if isinstance(number, str)}
    assert withheld and withheld != set(cells)  # the excerpt has both kinds
    got = answer(client, "aps-employment-by-area", area=CITY_OF_LONDON, year="2021")
    assert {r["occupation"] for r in got} == set(cells)
    for row in got:
        number, interval = cells[row["occupation"]]
        if row["occupation"] in withheld:
            assert row["employment"] is None and row["confidence_interval_95"] is None
            assert row["status"].endswith("Suppressed") and row["markers"] == number
        else:
            assert row["employment"] == number
        if isinstance(interval, str):  # e.g. '*', unreliable: a marker, not an interval
            assert row["confidence_interval_95"] is None and interval in row["markers"].split()
        else:
            assert row["confidence_interval_95"] == interval
    estimates = answer(client, "employment-soc2020-apportioned", area=CITY_OF_LONDON, year="2021")
    partial = [r for r in estimates if r["withheld_groups"] > 0]
    assert partial and all(r["estimate"] is None for r in partial)


FE = excerpt("dfe-fe-achievements-by-ssa-lad") / "FEAchSSAAug21-Apr22.csv"


def test_fe_achievements_by_subject_are_the_districts_cells_low_left_out(
    client: TestClient,
) -> None:
    """Yorkshire and The Humber holds one excerpt district (Barnsley): its 2021/22 cells."""
    with FE.open(encoding="utf-8-sig", newline="") as file:
        cells = {
            r["ssa_t1_desc"]: r["e_and_t_aims_ach"]
            for r in csv.DictReader(file)
            if r["location_code"] == "E08000016" and r["notional_nvq_level"] == "Total"
        }
    assert "low" in cells.values()
    got = [
        r
        for r in answer(client, "training-supply-by-area", area="E12000003")
        if r["measure"] == "Education and training aim achievements"
    ]
    assert len(got) == len(cells)
    for row in got:
        subject = "Total" if row["breakdown"] == "All sector subject areas" else row["breakdown"]
        if cells[subject] == "low":
            assert row["value"] is None and row["suppressed"] == 1
        else:
            assert row["value"] == int(cells[subject]) and row["suppressed"] == 0
        assert row["districts"] == 1 and row["period"] == "2021/22"
