"""The ons-ashe-table14 loader: ASHE Table 14 to RDF Data Cube, its figures, errors and shapes."""

from __future__ import annotations

import csv
import re
import shutil
from collections import Counter
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, Store, Triple, Variable, parse

from skillsgap import catalog, gate, iris
from skillsgap.errors import SourceError
from skillsgap.loaders import _cube as cube
from skillsgap.loaders import (
    dfe_geography_lookups,
    dfe_lsip_lookups,
    ons_ashe_table14,
    ons_soc2020,
    sources,
)
from skillsgap.namespaces import QB, RDF, SDMX_ATTRIBUTE, SDMX_MEASURE, SG, XSD

from .conftest import assert_matches_golden, bundled, excerpt, soc2020_groups

SLUG = "ons-ashe-table14"
SHEETS = tuple(ons_ashe_table14.SHEETS)
PERCENTILES = ons_ashe_table14.PERCENTILES
# The sheet columns in file order (two are headed "change"), and the statistic of each.
COLUMNS = ("No_jobs", "Median", "change (Median)", "Mean", "change (Mean)", *PERCENTILES)
STATISTICS = dict(zip(COLUMNS, (m.statistic for m in ons_ashe_table14.MEASURES), strict=True))
OCCUPATION_KEYS = {
    "XX": "all",
    "": "not-classified",
}  # codes outside SOC, as observations name them
STATUS = {"x": cube.SUPPRESSED, "..": cube.SUPPRESSED, ":": cube.NOT_AVAILABLE}


# --- the real workbooks read independently (openpyxl), and the loader's output ----------------


@cache
def workbook(folder: Path, name: str) -> dict[str, tuple[dict[str, Any], ...]]:
    """Each sheet's data rows as dicts: Description, Code, then the value columns in file order."""
    book = openpyxl.load_workbook(folder / name, read_only=True, data_only=True)
    header = ("Description", "Code", *COLUMNS)
    sheets = {}
    for sheet in SHEETS:
        rows = list(book[sheet].iter_rows(values_only=True))
        sheets[sheet] = tuple(dict(zip(header, row, strict=True)) for row in rows[1:] if any(row))
    return sheets


def sheet_rows(folder: Path, name: str, sheet: str) -> tuple[dict[str, Any], ...]:
    return workbook(folder, name)[sheet]


@cache
def full_triples() -> tuple[Triple, ...]:
    return tuple(ons_ashe_table14.read(bundled(SLUG)))


# What the tests look up by subject: the value, the attributes, the dataset of observations.
LOOKED_UP = (QB.dataSet, SDMX_MEASURE.obsValue, SDMX_ATTRIBUTE.obsStatus, SG.sourceMarker,
             SG.reliability)  # fmt: skip
SAMPLE = ("2134", "1112", "1161", "6250", "XX", "1")  # occupations queried with SPARQL below


@cache
def digest() -> tuple[dict[tuple[Any, NamedNode], set[Any]], tuple[Triple, ...]]:
    """One pass over the full output: objects by (subject, predicate) of what the tests look up
    and of every non-observation, and the triples of the SAMPLE occupations' observations."""
    index: dict[tuple[Any, NamedNode], set[Any]] = {}
    sample: list[Triple] = []
    keys = tuple(f"/{OCCUPATION_KEYS.get(code, code)}/" for code in SAMPLE)
    for t in full_triples():
        subject = t.subject.value
        observed = "/observation/" in subject
        if t.predicate in LOOKED_UP or not observed:
            index.setdefault((t.subject, t.predicate), set()).add(t.object)
        if not observed or any(key in subject for key in keys):
            sample.append(t)
    return index, tuple(sample)


def objects(subject: NamedNode, predicate: NamedNode) -> set[Any]:
    return digest()[0].get((subject, predicate), set())


def per_edition(predicate: NamedNode) -> Counter[tuple[str, Any]]:
    """How many observations of each edition have each object of ``predicate``."""
    return Counter(
        (subject.value.split("/")[-5], value)
        for (subject, p), values in digest()[0].items()
        if p == predicate and "/observation/" in subject.value
        for value in values
    )


def observation(edition: str, sheet: str, code: str, column: str) -> NamedNode:
    period, pattern = ons_ashe_table14.SHEETS[sheet]
    key = OCCUPATION_KEYS.get(code, code)
    return iris.observation_iri(SLUG, edition, period, pattern, key, STATISTICS[column])


def edition_file(edition: str) -> str:
    return f"{edition}.xlsx"


soc_reference = soc2020_groups


def our_results(report: gate.Report, triples: Any) -> list[gate.Result]:
    nodes = {str(t.subject) for t in triples} | {str(t.object) for t in triples}
    return [r for r in report.results if r.focus in nodes]


# --- the source and the excerpt ----------------------------------------------------------------


def test_source_is_registered_with_both_workbooks() -> None:
    source = sources()[SLUG]
    assert source.files == ("2023p.xlsx", "2021r.xlsx")
    assert source.depends_on == ("ons-soc2020",)
    assert all((bundled(SLUG) / name).is_file() for name in source.files)


def test_excerpt_matches_golden() -> None:
    triples = list(ons_ashe_table14.read(excerpt(SLUG)))
    assert_matches_golden(triples, excerpt(SLUG) / "expected.nt")


def test_both_engines_agree_and_catch_planted_errors() -> None:
    # pyshacl is slow on SHACL-SPARQL: the code lists and the observations of two rows of one
    # sheet (numbers, x, an empty change; a row marked :), three of them broken, checked against
    # the SOC 2020 excerpt.
    triples = list(ons_ashe_table14.read(excerpt(SLUG)))
    assert len({t.subject for t in triples if t.object == QB.Observation}) == (5 + 2) * 15 * 4
    keep = ("/2023p/hourly/all/1112/", "/2023p/hourly/all/1161/")
    chosen = [t for t in triples if "/observation/" not in t.subject.value
              or any(k in t.subject.value for k in keep)]  # fmt: skip
    jobs, mean, p20 = (observation("2023p", "hourly_FTPT", "1112", column)
                       for column in ("No_jobs", "Mean", "20"))  # fmt: skip
    planted = {
        (mean, SDMX_ATTRIBUTE.unitMeasure): iris.unit_iri("gbp-per-year"),  # hourly pay per year
        (jobs, SG.reliability): SG.Projected,  # not an ASHE flag
        (p20, SDMX_MEASURE.obsValue): cube.decimal(Decimal("-10.9")),  # negative pay
    }
    broken = [t for t in chosen if (t.subject, t.predicate) not in planted]
    broken += [Triple(s, p, o) for (s, p), o in planted.items()]
    reference = gate.to_ntriples(parse_golden(excerpt("ons-soc2020") / "expected.nt"))
    fast = gate.validate(gate.to_ntriples(broken), reference)
    slow = gate.validate(gate.to_ntriples(broken), reference, engine="pyshacl")
    assert fast.results == slow.results
    assert {(r.focus, r.component) for r in fast.results} == {
        (f"<{mean.value}>", "OrConstraintComponent"),
        (f"<{jobs.value}>", "InConstraintComponent"),
        (f"<{p20.value}>", "OrConstraintComponent"),
    }


def parse_golden(path: Path) -> list[Triple]:
    return list(parse(path.read_bytes(), format=RdfFormat.N_TRIPLES))


def test_excerpt_passes_the_gate() -> None:
    triples = list(ons_ashe_table14.read(excerpt(SLUG)))
    report = gate.validate(gate.to_ntriples(triples), gate.to_ntriples(soc_reference()))
    assert our_results(report, triples) == []


# --- the full bundled workbooks ----------------------------------------------------------------


def test_every_row_and_cell_is_one_observation() -> None:
    stated = re.search(r"\((\d+) data rows", (bundled(SLUG) / "SOURCE.md").read_text())
    assert stated and int(stated[1]) == 553
    datasets = per_edition(QB.dataSet)
    for edition in ("2023p", "2021r"):
        for sheet in SHEETS:
            assert len(sheet_rows(bundled(SLUG), edition_file(edition), sheet)) == 553
        assert datasets[(edition, iris.dataset_iri(SLUG, edition))] == 553 * 15 * len(SHEETS)


def test_rows_cover_every_soc2020_group_and_the_totals() -> None:
    groups = {group.code for group in ons_soc2020.read_groups(
        bundled("ons-soc2020") / ons_soc2020.VOLUME_1)}  # fmt: skip
    assert Counter(len(code) for code in groups) == {1: 9, 2: 26, 3: 104, 4: 412}
    for sheet in SHEETS:
        codes = [str(r["Code"] or "") for r in sheet_rows(bundled(SLUG), "2023p.xlsx", sheet)]
        assert sorted(codes) == sorted(groups | {"XX", ""})


def test_every_cell_is_its_value_or_its_marker() -> None:
    """Each cell of both workbooks, read with openpyxl, against its observation."""
    for edition in ("2023p", "2021r"):
        for sheet in SHEETS:
            for row in sheet_rows(bundled(SLUG), edition_file(edition), sheet):
                row_marker = row["No_jobs"] if row["No_jobs"] in ("..", ":") else None
                for column in COLUMNS:
                    node = observation(edition, sheet, str(row["Code"] or ""), column)
                    assert_cell(node, row[column], row_marker)


def assert_cell(node: NamedNode, cell: Any, row_marker: str | None) -> None:
    values, status = objects(node, SDMX_MEASURE.obsValue), objects(node, SDMX_ATTRIBUTE.obsStatus)
    marker = {m.value for m in objects(node, SG.sourceMarker)}
    if isinstance(cell, int | float):
        assert {Decimal(v.value) for v in values} == {Decimal(repr(cell))}, node
        assert status == {cube.AVAILABLE} and not marker
    elif cell in STATUS:
        assert not values and status == {STATUS[cell]} and marker == {cell}, node
    elif row_marker:  # an empty cell of a row marked .. or : in No_jobs
        assert not values and status == {STATUS[row_marker]} and marker == {row_marker}, node
    else:  # an empty change cell
        assert cell in (None, "") and "change" in node.value
        assert not values and status == {cube.NOT_AVAILABLE} and marker == {""}, node


def test_status_counts_per_edition() -> None:
    counts = Counter(
        {(edition, status.value.rsplit("/", 1)[1]): n
         for (edition, status), n in per_edition(SDMX_ATTRIBUTE.obsStatus).items()}
    )  # fmt: skip
    expected: Counter[tuple[str, str]] = Counter()
    for edition in ("2023p", "2021r"):
        for sheet in SHEETS:
            for row in sheet_rows(bundled(SLUG), edition_file(edition), sheet):
                marker = row["No_jobs"] if row["No_jobs"] in ("..", ":") else None
                for column in COLUMNS:
                    cell = row[column] if row[column] not in (None, "") else marker
                    kind = "Available" if isinstance(cell, int | float) else "NotAvailable"
                    kind = "Suppressed" if cell in ("x", "..") else kind
                    expected[(edition, kind)] += 1
    assert counts == expected
    assert counts[("2021r", "NotAvailable")] >= 553 * 2 * 4  # no change figures for 2021


def test_editions_carry_their_flag_on_the_dataset_and_every_observation() -> None:
    flags = {"2023p": SG.Provisional, "2021r": SG.Revised}
    for edition, flag in flags.items():
        assert objects(iris.dataset_iri(SLUG, edition), SG.reliability) == {flag}
    observations = 553 * len(COLUMNS) * len(SHEETS)
    assert per_edition(SG.reliability) == {(e, flag): observations for e, flag in flags.items()}


def test_csv_copies_of_2023p_agree_with_the_workbook() -> None:
    """The bundled CSVs duplicate 2023p: every cell agrees with the loaded observation."""
    for sheet in SHEETS:
        with (bundled(SLUG) / f"2023p_{sheet}.csv").open(encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        assert rows[0][:7] == [
            "Description",
            "Code",
            "No_jobs",
            "Median",
            "change",
            "Mean",
            "change.1",
        ]
        assert len(rows) - 1 == 553
        for row in rows[1:]:
            row_marker = row[2] if row[2] in ("..", ":") else None
            for column, text in zip(COLUMNS, row[2:], strict=True):
                cell: Any = float(text) if re.fullmatch(r"-?\d+(\.\d+)?", text) else text
                assert_cell(observation("2023p", sheet, row[1], column), cell, row_marker)


# --- SPARQL over the loader's output, and the canned query -------------------------------------

CELLS = (  # (edition, sheet, code, column): real cells, looked up in the workbook below
    ("2023p", "annual_FT", "2134", "Median"),
    ("2021r", "annual_FT", "2134", "Median"),
    ("2023p", "hourly_FTPT", "1112", "Median"),  # x
    ("2023p", "annual_FT", "1161", "No_jobs"),  # :
    ("2023p", "annual_FT", "6250", "Mean"),  # empty in a row marked ..
    ("2023p", "hourly_FTPT", "XX", "90"),
    ("2021r", "hourly_FT", "1", "change (Mean)"),  # empty: no change figures for 2021
)


@cache
def store() -> Store:
    """An in-memory store with the code lists, every observation of the SAMPLE occupations, and
    the SOC 2020 groups, each in its named graph."""
    found = Store()
    found.extend(Quad(t.subject, t.predicate, t.object, iris.graph_iri(SLUG)) for t in digest()[1])
    found.extend(Quad(t.subject, t.predicate, t.object, iris.graph_iri("ons-soc2020"))
                 for t in soc_reference())  # fmt: skip
    return found


CELL_QUERY = """
PREFIX sg: <https://w3id.org/skillsgap/def/>
PREFIX sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#>
PREFIX sdmx-attribute: <http://purl.org/linked-data/sdmx/2009/attribute#>
SELECT ?obs ?value ?unit ?status ?flag ?marker WHERE {
  ?obs sdmx-attribute:unitMeasure ?unit ; sdmx-attribute:obsStatus ?status ; sg:reliability ?flag .
  OPTIONAL { ?obs sdmx-measure:obsValue ?value }
  OPTIONAL { ?obs sg:sourceMarker ?marker }
}"""


@pytest.mark.parametrize("edition,sheet,code,column", CELLS)
def test_real_cells_through_sparql(edition: str, sheet: str, code: str, column: str) -> None:
    row = next(r for r in sheet_rows(bundled(SLUG), edition_file(edition), sheet)
               if str(r["Code"] or "") == code)  # fmt: skip
    node = observation(edition, sheet, code, column)
    [solution] = list(store().query(CELL_QUERY, substitutions={Variable("obs"): node},
                                  use_default_graph_as_union=True))  # fmt: skip
    value, unit, status, flag, marker = (
        solution[n] for n in ("value", "unit", "status", "flag", "marker")
    )
    cell = row[column]
    period = ons_ashe_table14.SHEETS[sheet][0]
    pay_unit = {"annual": "gbp-per-year", "hourly": "gbp-per-hour"}[period]
    expected_unit = {"No_jobs": "thousand-jobs"}.get(
        column, "percent" if "change" in column else pay_unit
    )
    assert unit == iris.unit_iri(expected_unit)
    assert flag == {"2023p": SG.Provisional, "2021r": SG.Revised}[edition]
    if isinstance(cell, int | float):
        assert value.datatype == XSD.decimal and Decimal(value.value) == Decimal(repr(cell))
        assert status == cube.AVAILABLE and marker is None
    else:
        assert value is None and status != cube.AVAILABLE
        assert marker == Literal(cell or (row["No_jobs"] if row["No_jobs"] in ("..", ":") else ""))


def test_median_pay_query_answers_from_both_editions() -> None:
    canned = catalog.load_catalog()["median-pay-by-occupation"]
    text, _ = catalog.bind(canned, {"soc": "2134"}, lambda code, p: iris.soc_iri(p.version, code))
    solutions = list(store().query(
        text, use_default_graph_as_union=True))  # fmt: skip
    found = {s["year"].value: s for s in solutions}
    assert set(found) == {"2023", "2021"}
    for edition, year in (("2023p", "2023"), ("2021r", "2021")):
        row = next(r for r in sheet_rows(bundled(SLUG), edition_file(edition), "annual_FT")
                   if r["Code"] == "2134")  # fmt: skip
        assert Decimal(found[year]["median_annual_pay"].value) == Decimal(repr(row["Median"]))
        assert found[year]["unit"].value == "gbp-per-year"
        assert (
            found[year]["occupation"].value == "Programmers and software development professionals"
        )
    assert found["2023"]["reliability"].value == "Provisional"


# --- areas and the gate --------------------------------------------------------------------------


def test_the_uk_is_an_area_no_geography_source_defines() -> None:
    uk = iris.area_iri("K02000001")
    assert SG.Area in objects(uk, RDF.type)
    for module in (dfe_geography_lookups, dfe_lsip_lookups):
        assert not any(t.subject == uk for t in module.read(bundled(module.SOURCE.slug)))


@pytest.mark.slow
def test_full_output_passes_the_gate() -> None:
    triples = full_triples()
    report = gate.validate(gate.to_ntriples(triples), gate.to_ntriples(soc_reference()))
    assert our_results(report, triples) == []


# --- bad input -----------------------------------------------------------------------------------


def copy_excerpt(tmp_path: Path) -> Path:
    folder = tmp_path / SLUG
    shutil.copytree(excerpt(SLUG), folder)
    return folder


def edit_sheet(path: Path, sheet: str, edit: Any) -> None:
    book = openpyxl.load_workbook(path)
    edit(book[sheet])
    book.save(path)


def read_error(folder: Path) -> SourceError:
    with pytest.raises(SourceError) as caught:
        list(ons_ashe_table14.read(folder))
    return caught.value


def where(error: SourceError) -> tuple[Any, ...]:
    return (error.file, error.sheet, error.row, error.column)


def set_cell(folder: Path, sheet: str, cell: str, value: Any) -> None:
    edit_sheet(folder / "2023p.xlsx", sheet, lambda ws: ws.__setitem__(cell, value))


def test_rejects_sheet_without_a_column(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    set_cell(folder, "hourly_FT", "D1", "Middle")
    error = read_error(folder)
    assert where(error) == ("2023p.xlsx", "hourly_FT", 1, None) and "'Median'" in str(
        error.expected
    )


def test_rejects_malformed_code(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    set_cell(folder, "hourly_FTPT", "B3", "11a")
    error = read_error(folder)
    assert where(error) == ("2023p.xlsx", "hourly_FTPT", 3, "Code") and error.got == "11a"


def test_rejects_a_shifted_header(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    edit_sheet(folder / "2023p.xlsx", "hourly_FTPT", lambda ws: ws.move_range("A1:Q1", cols=1))
    error = read_error(folder)  # "Code" now heads the No_jobs column
    assert where(error) == ("2023p.xlsx", "hourly_FTPT", 2, "Code") and error.got == "27283"


def test_rejects_text_in_a_numeric_column(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    set_cell(folder, "annual_FT", "D2", "n/a")
    error = read_error(folder)
    assert where(error) == ("2023p.xlsx", "annual_FT", 2, "Median") and error.got == "n/a"
    assert "marker" in str(error.expected)


def test_rejects_an_unknown_marker(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    set_cell(folder, "annual_FT", "H2", "*")
    error = read_error(folder)
    assert where(error) == ("2023p.xlsx", "annual_FT", 2, "10") and error.got == "*"


def test_rejects_a_formula_without_a_cached_value(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    set_cell(folder, "annual_FT", "F3", "=F2*2")  # openpyxl stores no cached value
    error = read_error(folder)
    assert where(error) == ("2023p.xlsx", "annual_FT", 3, "Mean") and error.got == ""
    assert "cached value" in error.message


def test_rejects_a_duplicate_row(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    set_cell(folder, "annual_FTPT", "B4", "1112")
    error = read_error(folder)
    assert where(error) == ("2023p.xlsx", "annual_FTPT", 4, "Code")
    assert "first at row 3" in error.message


def test_rejects_a_change_column_in_the_wrong_place(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    set_cell(
        folder, "hourly_FT", "R1", "change"
    )  # a third change column, after the 90th percentile
    error = read_error(folder)
    assert (error.file, error.sheet, error.got) == (
        "2023p.xlsx",
        "hourly_FT",
        "'change' after '90'",
    )


def test_gate_rejects_a_code_that_is_no_soc2020_group(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    set_cell(folder, "hourly_FTPT", "B5", "1119")  # under minor group 111, which has no 1119
    triples = list(ons_ashe_table14.read(folder))
    report = gate.validate(gate.to_ntriples(triples), gate.to_ntriples(soc_reference()))
    failing = {(r.focus.split("/")[-2], r.path) for r in our_results(report, triples)}
    assert failing == {("1119", f"<{SG.occupation.value}>")}
    assert all(r.severity == "Violation" for r in report.results)


def test_rejects_empty_truncated_and_wrong_type_workbooks(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    real = (bundled(SLUG) / "2021r.xlsx").read_bytes()
    for content in (
        b"",
        real[: len(real) // 2],
        (bundled(SLUG) / "2023p_annual_FT.csv").read_bytes(),
    ):
        (folder / "2021r.xlsx").write_bytes(content)
        error = read_error(folder)
        assert error.file == "2021r.xlsx" and "not a readable workbook" in error.message
        assert "workbook" in str(error.expected)


def test_errors_read_as_sentences_not_tracebacks(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    set_cell(folder, "hourly_FTPT", "B3", "11a")
    text = str(read_error(folder))
    assert text.startswith("2023p.xlsx, sheet 'hourly_FTPT', row 3, column 'Code': expected ")
    assert "got '11a'" in text and "Traceback" not in text
