"""The dfe-employer-skills-survey loader: ESS 2017 by occupation and LEP, ESS 2019 summaries."""

from __future__ import annotations

import csv
import io
import shutil
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, cast

import openpyxl
import pytest
import python_calamine
from pyoxigraph import (
    Literal,
    NamedNode,
    Quad,
    QuerySolutions,
    RdfFormat,
    Store,
    Triple,
    Variable,
)

from skillsgap import catalog, gate, iris
from skillsgap.errors import SourceError
from skillsgap.loaders import dfe_employer_skills_survey as ess
from skillsgap.loaders import dfe_geography_lookups, ons_soc2010
from skillsgap.loaders._cube import decimal
from skillsgap.loaders._ess import Areas, Grid
from skillsgap.namespaces import QB, SDMX_ATTRIBUTE, SDMX_DIMENSION, SDMX_MEASURE, SG, SKOS

from .conftest import EXCERPTS, assert_matches_golden, bundled, excerpt

SLUG = "dfe-employer-skills-survey"
GEOGRAPHY = ("dfe-geography-lookups", "dfe-lsip-lookups")
Rows = list[list[Any]]


# --- Fixtures and helpers ---


@pytest.fixture(scope="module")
def full() -> bytes:
    """The loader's output on the full bundled files, as N-Triples."""
    return gate.to_ntriples(ess.read(bundled(SLUG)))


@pytest.fixture(scope="module")
def full_store(full: bytes) -> Store:
    """The full output with the SOC 2010 groups and areas it names, in an in-memory store."""
    store = Store()
    store.bulk_load(full + gate.to_ntriples(references(bundled)), RdfFormat.N_TRIPLES)
    return store


def by_dataset(store: Store, select: str) -> dict[str, int]:
    """A count per dataset (by its table name) of ``select`` (over ?obs and ?area)."""
    query = f"""SELECT ?d (COUNT({select}) AS ?n) WHERE {{
        ?obs <{QB.dataSet.value}> ?d ; <{SDMX_DIMENSION.refArea.value}> ?area }} GROUP BY ?d"""
    return {r["d"].value.rsplit("/", 1)[-1]: int(r["n"].value) for r in solutions(store, query)}


@cache
def references(where: Callable[[str], Path]) -> tuple[Triple, ...]:
    """What ESS shapes point at: areas (geography) and SOC 2010 major groups (the real ones)."""
    areas = dfe_geography_lookups.read(where("dfe-geography-lookups"))
    return (*areas, *ons_soc2010.structure(bundled("ons-soc2010")))


def sheet(folder: Path, workbook: str, name: str) -> Rows:
    """A sheet read straight through calamine, not through the loader."""
    return book(folder / workbook).get_sheet_by_name(name).to_python(skip_empty_area=False)


@cache
def book(path: Path) -> Any:
    return python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes()))


def row_labelled(rows: Rows, label: str) -> list[Any]:
    return next(r for r in rows if str(r[0]).strip() == label)


def cell(store: Store, table: str, statistic: str, area: str, *breakdown: str) -> dict[str, Any]:
    """One observation's value, unit, status, flag and marker, found through SPARQL."""
    query = f"""
        PREFIX sg: <{SG}> PREFIX sdmx-attribute: <{SDMX_ATTRIBUTE}>
        PREFIX sdmx-measure: <{SDMX_MEASURE}>
        SELECT ?obs ?value ?unit ?status ?marker ?flag WHERE {{
            ?obs a sg:ESSObservation ; sdmx-attribute:unitMeasure ?unit ;
                 sdmx-attribute:obsStatus ?status .
            OPTIONAL {{ ?obs sdmx-measure:obsValue ?value }}
            OPTIONAL {{ ?obs sg:sourceMarker ?marker }}
            OPTIONAL {{ ?obs sg:reliability ?flag }}
        }}"""
    node = iris.observation_iri(SLUG, table, statistic, area, *breakdown)
    found = solutions(store, query, {Variable("obs"): node})
    assert len(found) == 1, f"{node.value}: {len(found)} rows"
    return {k: found[0][k] for k in ("value", "unit", "status", "marker", "flag")}


def solutions(store: Store, query: str, bindings: dict[Variable, Any] | None = None) -> list[Any]:
    """A SELECT query's rows."""
    return list(cast(QuerySolutions, store.query(query, substitutions=bindings or {})))


def number(term: Any) -> Decimal | None:
    """An observation's value as a number (None when it has none)."""
    return None if term is None else Decimal(term.value)


def real(value: Any) -> Decimal:
    """A cell's number as calamine or openpyxl read it."""
    return Decimal(repr(value))


def column(rows: Rows, header_row: int, name: str) -> int:
    return next(i for i, v in enumerate(rows[header_row - 1]) if str(v).strip() == name)


# --- The excerpt ---


def test_excerpt_matches_golden() -> None:
    assert_matches_golden(ess.read(excerpt(SLUG)), excerpt(SLUG) / "expected.nt")


def test_excerpt_passes_gate() -> None:
    candidate = gate.to_ntriples(ess.read(excerpt(SLUG)))
    report = gate.validate(candidate, gate.to_ntriples(references(excerpt)))
    assert report.by_severity() == {"Violation": 0, "Warning": 0, "Info": 0}, report.results[:5]


def test_engines_agree_on_excerpt_with_planted_violations() -> None:
    # A cut of the excerpt (code lists, datasets, T54) so that pyshacl stays quick.
    triples = [t for t in ess.read(excerpt(SLUG)) if "/observation/" not in str(t.subject)
               or "/2017-t54/" in str(t.subject)]  # fmt: skip
    managers = iris.observation_iri(SLUG, "2017-t54", "ess-vacancies", "E37000001", "1")
    planted = [
        Triple(managers, SDMX_MEASURE.obsValue, decimal(Decimal("-3"))),
        Triple(managers, SG.sourceMarker, Literal("x")),
        Triple(managers, SG.occupation, iris.soc_iri("2010", "11")),
    ]
    candidate = gate.to_ntriples([*triples, *planted])
    reference = gate.to_ntriples(minimal_references())
    fast, slow = (gate.validate(candidate, reference, engine) for engine in gate.ENGINES)
    findings = [Counter((r.focus, r.component) for r in report.results) for report in (fast, slow)]
    assert findings[0] == findings[1]
    mine = {r.component for r in fast.results if r.focus == str(managers)}
    assert {"MinInclusiveConstraintComponent", "InConstraintComponent"} <= mine
    assert "MaxCountConstraintComponent" in mine  # two values and two occupations
    assert "ClassConstraintComponent" in mine  # soc2010/11 is no SOC 2010 group


def minimal_references() -> list[Triple]:
    """The excerpt's areas and the SOC 2010 major groups only (their scheme and level)."""
    majors = {iris.soc_iri("2010", str(code)) for code in range(1, 10)}
    keep = majors | {iris.soc_scheme_iri("2010"), iris.soc_level_iri("2010", 1)}
    soc = [
        t for t in ons_soc2010.structure(bundled("ons-soc2010"))
        if t.subject in keep and (t.object in majors or not isinstance(t.object, NamedNode)
                                  or t.predicate not in (SKOS.member, SKOS.hasTopConcept,
                                                         SKOS.narrower))
    ]  # fmt: skip
    return [*dfe_geography_lookups.read(excerpt("dfe-geography-lookups")), *soc]


def test_suppressed_and_below_half_cells_keep_their_marker_and_no_value() -> None:
    store = Store()
    store.extend(Quad(t.subject, t.predicate, t.object) for t in ess.read(excerpt(SLUG)))
    rows = sheet(excerpt(SLUG), ess.WORKBOOK_LEP, "GTR_LINCOLNSHIRE")
    density = row_labelled(rows, "Number of skills gaps as a % of employment")
    staff = row_labelled(rows, "Total number of staff")
    headers = rows[8]
    below = next(i for i, v in enumerate(density) if v == "*%" and i > 3)
    hidden = next(i for i, v in enumerate(staff) if v == "**" and i > 3)
    lincolnshire = "E37000014"
    small = cell(store, "2019-lep-sector", "ess-skills-gap-density", lincolnshire,
                 ess.SECTORS[headers[below]][0])  # fmt: skip
    assert small["value"] is None and small["marker"] == Literal("*%")
    assert small["status"] == SG.NotAvailable and small["flag"] == SG.BelowPublicationThreshold
    suppressed = cell(store, "2019-lep-sector", "ess-employment", lincolnshire,
                      ess.SECTORS[headers[hidden]][0])  # fmt: skip
    assert suppressed["value"] is None and suppressed["marker"] == Literal("**")
    assert suppressed["status"] == SG.Suppressed


# --- The full real files ---


def test_full_counts_follow_the_sheets(full_store: Store) -> None:
    datasets = by_dataset(full_store, "?obs")
    t54 = sheet(bundled(SLUG), ess.WORKBOOK_2017, "T54")
    leps_2017 = [v for v in t54[8][1:] if v]  # "Total" (England) and every LEP
    assert datasets["2017-t54"] == 9 * 2 * len(leps_2017)
    assert datasets["2017-t74"] == 9 * len(leps_2017)
    all_leps = sheet(bundled(SLUG), ess.WORKBOOK_LEP, "ALL_LEPS")
    all_las = sheet(bundled(SLUG), ess.WORKBOOK_LA, "ALL_LEAS")
    rows = len(ess.SUMMARY_ROWS)
    assert datasets["2019-lep"] == rows * len([v for v in all_leps[8][1:] if v])
    assert datasets["2019-la"] == rows * len([v for v in all_las[8][1:] if v])
    # SOURCE.md: 154 sheets, one per local authority plus ALL_LEAS and Contents.
    assert datasets["2019-la-sector"] == rows * 13 * (154 - 2)


def test_every_column_is_a_distinct_area_of_its_kind(full_store: Store) -> None:
    areas = by_dataset(full_store, "DISTINCT ?area")
    all_leps = sheet(bundled(SLUG), ess.WORKBOOK_LEP, "ALL_LEPS")
    assert areas["2019-lep"] == areas["2017-t54"] == len([v for v in all_leps[8][1:] if v])
    assert (areas["2019-la"], areas["2019-la-sector"]) == (1 + 152, 152)
    # ESS 2019 lists the authorities of before April 2019: Dorset county, Bournemouth, Poole.
    la = iris.dataset_iri(SLUG, "2019-la")
    query = f"SELECT DISTINCT ?a WHERE {{ ?o <{QB.dataSet.value}> {la} ; <{SDMX_DIMENSION.refArea.value}> ?a }}"  # noqa: E501
    codes = {r["a"].value[-9:] for r in solutions(full_store, query)}
    assert {"E10000009", "E06000028", "E06000029", "E06000047"} <= codes
    assert not {"E06000058", "E06000059"} & codes


@pytest.mark.parametrize(
    ("workbook", "all_sheet", "kind"),
    [(ess.WORKBOOK_LEP, "ALL_LEPS", "lep"), (ess.WORKBOOK_LA, "ALL_LEAS", "utla")],
)
def test_each_area_sheet_is_the_area_of_its_all_column(
    workbook: str, all_sheet: str, kind: str
) -> None:
    """An area's own sheet and its ALL_ column, spelt differently, name the same area."""
    path, areas = bundled(SLUG) / workbook, Areas(bundled(SLUG).parent)
    whole = Grid.read(path, all_sheet, "England Total")
    rows = sheet(bundled(SLUG), workbook, all_sheet)
    labels = [row_labelled(rows, label) for label in ess.SUMMARY_ROWS]
    columns: dict[tuple[Any, ...], list[int]] = {}
    for index in whole.columns():
        columns.setdefault(tuple(r[index] for r in labels), []).append(index)
    for name in ess.sheet_names(path):
        own_rows = sheet(bundled(SLUG), workbook, name)
        own = own_rows[8].index("Primary Sector & Utilities") - 1  # the area's own column
        figures = tuple(row_labelled(own_rows, label)[own] for label in ess.SUMMARY_ROWS)
        named = {areas.resolve(whole, index, kind) for index in columns[figures]}
        assert areas.resolve(Grid.read(path, name, "England Total"), own, kind) in named, name


def test_full_real_cells_found(full_store: Store) -> None:
    book = openpyxl.load_workbook(bundled(SLUG) / ess.WORKBOOK_2017, read_only=True, data_only=True)
    t54 = [list(r) for r in book["T54"].iter_rows(values_only=True)]
    london, northants = column(t54, 9, "London"), column(t54, 9, "Northamptonshire")
    managers = row_labelled(t54, "Managers")
    share = t54[t54.index(managers) + 1]
    got = cell(full_store, "2017-t54", "ess-vacancies", "E37000023", "1")
    assert number(got["value"]) == real(managers[london]) and got["status"] == SG.Available
    assert got["unit"] == iris.unit_iri("vacancies")
    got = cell(full_store, "2017-t54", "ess-occupation-share-of-vacancies", "E37000023", "1")
    assert number(got["value"]) == real(share[london]) and got["unit"] == iris.unit_iri(
        "proportion"
    )
    assert managers[northants] == "**"  # the dissolved Northamptonshire LEP: all suppressed
    got = cell(full_store, "2017-t54", "ess-vacancies", "E37000026", "1")
    assert got["value"] is None and got["status"] == SG.Suppressed
    england = row_labelled(t54, "Total")[column(t54, 9, "Total")]
    got = cell(full_store, "2017-t54-total", "ess-vacancies", "E92000001")
    assert number(got["value"]) == real(england)


def test_full_2019_cells_found_for_each_kind_of_area(full_store: Store) -> None:
    all_las = sheet(bundled(SLUG), ess.WORKBOOK_LA, "ALL_LEAS")
    vacancies = row_labelled(all_las, "Number of vacancies")
    got = cell(full_store, "2019-la", "ess-vacancies", "E09000007")  # Camden
    assert number(got["value"]) == real(vacancies[column(all_las, 9, "Camden")])
    black_country = sheet(bundled(SLUG), ess.WORKBOOK_LEP, "BLACK_COUNTRY")
    region = column(black_country, 9, "West Midlands Total")
    skills_gaps = row_labelled(black_country, "Number of skills gaps")
    got = cell(full_store, "2019-region", "ess-skills-gaps", "E12000005")
    assert number(got["value"]) == real(skills_gaps[region]) and got["unit"] == iris.unit_iri(
        "persons"
    )
    days = row_labelled(black_country, "Training days per trainee")
    got = cell(full_store, "2019-lep-sector", "ess-training-days-per-trainee", "E37000001",
               "manufacturing")  # fmt: skip
    assert number(got["value"]) == real(days[column(black_country, 9, "Manufacturing")])
    assert got["unit"] == iris.unit_iri("days-per-person")


def test_2019_lep_summary_agrees_with_the_dashboard_extract(full_store: Store) -> None:
    """ESS_2019.csv (DfE's dashboard extract of the same table) gives the same figures."""
    text = (bundled(SLUG) / "ESS_2019.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    codes = lep_codes()
    checked = 0
    for row in rows[1:25]:
        statistic = ess.SUMMARY_ROWS.get(row[0].strip())
        for name, published in zip(header[1:], row[1:], strict=False):
            if statistic is None or not published:
                continue
            got = cell(full_store, "2019-lep", statistic, codes[name])
            if published == "**":
                assert got["status"] == SG.Suppressed, (name, row[0])
            else:
                expected = Decimal(published.rstrip("%")) / (100 if "%" in published else 1)
                assert Decimal(got["value"].value) == expected, (name, row[0], published)
            checked += 1
    assert checked == 21 * 40


def lep_codes() -> dict[str, str]:
    """The ALL_LEPS column names (which the CSV repeats) to the codes the loader chose."""
    grid = Grid.read(bundled(SLUG) / ess.WORKBOOK_LEP, "ALL_LEPS", "England Total")
    areas = Areas(bundled(SLUG).parent)
    return {grid.header(c): areas.resolve(grid, c, "lep").value[-9:] for c in grid.columns()}


def test_full_output_passes_gate_with_warnings_only_where_due(full: bytes) -> None:
    report = gate.validate(full, gate.to_ntriples(references(bundled)))
    assert report.by_severity()["Violation"] == 0, report.results[:5]
    warned = [r.focus for r in report.results if r.severity == "Warning"]
    # Independently: the sheets' proportions above 1 (more staff trained than employed).
    proportions = [label for label, name in ess.SUMMARY_ROWS.items()
                   if ess.STATISTICS[name].unit == "proportion"]  # fmt: skip
    above_one = 0
    for workbook in (ess.WORKBOOK_LEP, ess.WORKBOOK_LA):
        for name in ess.sheet_names(bundled(SLUG) / workbook):
            rows = sheet(bundled(SLUG), workbook, name)
            first = rows[7].index(ess.SECTOR_GROUP)
            for label in proportions:
                values = row_labelled(rows, label)[first : first + 13]
                above_one += sum(1 for v in values if isinstance(v, float) and v > 1)
    assert len(warned) == above_one == 2
    assert all("/2019-la-sector/ess-staff-trained-share/" in focus for focus in warned)


def test_headline_query_vacancies_by_occupation_for_a_lep(full_store: Store) -> None:
    text = (
        Path(ess.__file__).parents[1] / "queries" / "vacancies-by-occupation-lep.rq"
    ).read_text()
    query = catalog.parse_query_file("vacancies-by-occupation-lep", text)
    bound, _ = catalog.bind(query, {"lep": "E37000025"}, lambda code, _p: iris.area_iri(code))
    rows = solutions(full_store, bound)
    assert len(rows) == 9 * 9  # nine SOC 2010 major groups, nine statistics
    t54 = sheet(bundled(SLUG), ess.WORKBOOK_2017, "T54")
    elementary = row_labelled(t54, "Elementary staff")[column(t54, 9, "North Eastern")]
    found = [r for r in rows if r["soc"].value == "9" and r["statistic"].value == "Vacancies"]
    assert [number(r["value"]) for r in found] == [real(elementary)]
    assert found[0]["lepName"].value == "North East" and found[0]["status"] == SG.Available


# --- Bad input ---


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """A copy of the excerpt, with the geography excerpts beside it, ready to be damaged."""
    folder = tmp_path / SLUG
    shutil.copytree(excerpt(SLUG), folder)
    for slug in GEOGRAPHY:
        (tmp_path / slug).symlink_to(EXCERPTS / slug)
    return folder


def edit(folder: Path, workbook: str, sheet_name: str, change: Callable[[Any], None]) -> None:
    book = openpyxl.load_workbook(folder / workbook)
    change(book[sheet_name])
    book.save(folder / workbook)


def failure(folder: Path) -> SourceError:
    with pytest.raises(SourceError) as caught:
        list(ess.read(folder))
    return caught.value


def test_rejects_missing_england_column(broken: Path) -> None:
    edit(broken, ess.WORKBOOK_LEP, "ALL_LEPS", lambda ws: ws.cell(9, 2, "Everywhere"))
    error = failure(broken)
    assert (error.file, error.sheet, error.row) == (ess.WORKBOOK_LEP, "ALL_LEPS", 1)
    assert "England Total" in str(error.expected)


def test_rejects_shifted_header_row(broken: Path) -> None:
    edit(broken, ess.WORKBOOK_LEP, "ALL_LEPS", lambda ws: ws.insert_cols(2))
    error = failure(broken)
    assert (error.sheet, error.row, error.column) == ("ALL_LEPS", 9, "B")
    assert error.expected == "'England Total' in column B"


def test_rejects_unknown_area_name(broken: Path) -> None:
    edit(broken, ess.WORKBOOK_LEP, "ALL_LEPS", lambda ws: ws.cell(9, 3, "Black Countree"))
    error = failure(broken)
    assert (error.sheet, error.row, error.column) == ("ALL_LEPS", 9, "C: Black Countree")
    assert error.got == "Black Countree" and "unknown area name" in str(error)


def test_rejects_unknown_occupation_row(broken: Path) -> None:
    edit(broken, ess.WORKBOOK_2017, "T63", lambda ws: ws.cell(12, 1, "Directors"))
    error = failure(broken)
    assert (error.sheet, error.row, error.column, error.got) == ("T63", 12, "A", "Directors")


def test_rejects_missing_row(broken: Path) -> None:
    edit(broken, ess.WORKBOOK_LA, "ALL_LEAS", lambda ws: ws.delete_rows(17))
    error = failure(broken)
    assert error.sheet == "ALL_LEAS" and "'Number of vacancies'" in str(error.expected)


@pytest.mark.parametrize(("text", "message"), [("n/a", "not a number"), ("~", "not a number")])
def test_rejects_text_or_unknown_flag_in_a_value_cell(
    broken: Path, text: str, message: str
) -> None:
    edit(broken, ess.WORKBOOK_LA, "ALL_LEAS", lambda ws: ws.cell(17, 4, text))
    error = failure(broken)
    assert (error.sheet, error.row, error.column, error.got) == (
        "ALL_LEAS",
        17,
        "D: Barnsley",
        text,
    )
    assert message in str(error) and "'**'" in str(error.expected)


def test_rejects_cell_without_cached_value(broken: Path) -> None:
    edit(broken, ess.WORKBOOK_2017, "53", lambda ws: setattr(ws.cell(15, 3), "value", None))
    error = failure(broken)
    assert (error.sheet, error.row, error.column) == ("53", 15, "C: Black Country")
    assert "empty cell" in str(error.got)


def test_rejects_data_in_a_significance_row(broken: Path) -> None:
    edit(broken, ess.WORKBOOK_LA, "BARNSLEY", lambda ws: ws.cell(16, 9, 0.5))
    error = failure(broken)
    assert (error.sheet, error.row, error.column) == ("BARNSLEY", 16, "I: Manufacturing")


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda data: b"", "not a readable workbook"),
        (lambda data: data[: len(data) // 2], "not a readable workbook"),
        (lambda data: b"name,value\nEngland,1\n", "not a readable workbook"),
    ],
    ids=["empty", "truncated", "csv-under-xlsx-name"],
)
def test_rejects_unreadable_workbook(broken: Path, damage: Any, message: str) -> None:
    path = broken / ess.WORKBOOK_2017
    path.write_bytes(damage(path.read_bytes()))
    error = failure(broken)
    assert error.file == ess.WORKBOOK_2017 and message in str(error)


def test_rejects_regions_that_disagree_between_lep_sheets(broken: Path) -> None:
    book = openpyxl.load_workbook(broken / ess.WORKBOOK_LEP)
    copy = book.copy_worksheet(book["GTR_LINCOLNSHIRE"])
    copy.title = "GTR_LINCOLNSHIRE_AGAIN"
    copy.cell(17, 3).value = 0.5  # Yorkshire and The Humber: share with hard-to-fill vacancies
    book["Contents"].append(["Table GTR LINCOLNSHIRE AGAIN"])
    book.save(broken / ess.WORKBOOK_LEP)
    error = failure(broken)
    assert (error.sheet, error.row, error.column) == (
        "GTR_LINCOLNSHIRE_AGAIN",
        17,
        "C: Yorkshire and The Humber Total",
    )
    assert error.got == 0.5 and "regions disagree" in str(error)


def test_gate_rejects_duplicate_observation(broken: Path) -> None:
    """Two columns for one LEP with different figures: two values on one observation."""

    def duplicate(ws: Any) -> None:
        ws.insert_cols(4)
        for row in range(1, ws.max_row + 1):
            ws.cell(row, 4, ws.cell(row, 3).value)
        ws.cell(17, 4, 1.0)

    edit(broken, ess.WORKBOOK_LEP, "ALL_LEPS", duplicate)
    report = gate.validate(
        gate.to_ntriples(ess.read(broken)), gate.to_ntriples(references(excerpt))
    )
    node = str(iris.observation_iri(SLUG, "2019-lep", "ess-vacancies", "E37000001"))
    assert ("Violation", node, "MaxCountConstraintComponent") in {
        (r.severity, r.focus, r.component) for r in report.results
    }


def test_errors_are_readable_source_errors(broken: Path) -> None:
    edit(broken, ess.WORKBOOK_LA, "ALL_LEAS", lambda ws: ws.cell(17, 4, "n/a"))
    text = str(failure(broken))
    assert text.startswith(f"{ess.WORKBOOK_LA}, sheet 'ALL_LEAS', row 17, column 'D: Barnsley'")
    assert "Traceback" not in text and "expected a number" in text
