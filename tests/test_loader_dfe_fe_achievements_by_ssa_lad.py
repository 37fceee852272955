"""The dfe-fe-achievements-by-ssa-lad loader: FE achievements by district as RDF Data Cube."""

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
from pyoxigraph import (
    Literal,
    NamedNode,
    Quad,
    QuerySolutions,
    RdfFormat,
    Store,
    Triple,
    Variable,
    parse,
)

from skillsgap import gate, iris
from skillsgap.errors import SourceError
from skillsgap.loaders import _cube as cube
from skillsgap.loaders import dfe_fe_achievements_by_ssa_lad as fe
from skillsgap.loaders import dfe_geography_lookups, sources
from skillsgap.namespaces import DCT, QB, RDF, SDMX_ATTRIBUTE, SG, SKOS

from .conftest import assert_matches_golden, bundled, excerpt

SLUG = fe.SLUG
SSA_FILE, PROVISION_FILE = fe.SSA_FILE, fe.PROVISION_FILE
VALUE = {SSA_FILE: "e_and_t_aims_ach", PROVISION_FILE: "achievements"}
TABLE = {SSA_FILE: "achievements-by-ssa", PROVISION_FILE: "achievements-by-provision-type"}


# --- the real files read independently (csv), and the loader's output ------------------------


@cache
def csv_rows(folder: Path, name: str) -> tuple[dict[str, str], ...]:
    with (folder / name).open(encoding="utf-8-sig", newline="") as f:
        return tuple(csv.DictReader(f))


def real_rows(name: str) -> list[dict[str, str]]:
    """The full file's rows for real areas (not DfE's placeholder z)."""
    return [r for r in csv_rows(bundled(SLUG), name) if r["location_code"] != "z"]


@cache
def full_triples() -> tuple[Triple, ...]:
    return tuple(fe.read(bundled(SLUG)))


@cache
def reference(data_dir: Path) -> tuple[Triple, ...]:
    """The geography graph from ``data_dir``: the only graph this source depends on."""
    return tuple(dfe_geography_lookups.read(data_dir / dfe_geography_lookups.SOURCE.slug))


def validate(triples: list[Triple], data_dir: Path, engine: str = "shacl") -> gate.Report:
    data, ref = gate.to_ntriples(triples), gate.to_ntriples(reference(data_dir))
    return gate.validate(data, ref, engine=engine)


def our_results(report: gate.Report, triples: Any) -> list[gate.Result]:
    nodes = {str(t.subject) for t in triples} | {str(t.object) for t in triples}
    return [r for r in report.results if r.focus in nodes]


def ssa_notations() -> dict[str, str]:
    """LARS tier 1 notations by name, read with csv (1.00 -> 1)."""
    rows = csv_rows(bundled("dfe-lars"), "SectorSubjectAreaTier1.csv")
    return {r["SectorSubjectAreaTier1Desc"]: str(int(Decimal(r["SectorSubjectAreaTier1"])))
            for r in rows if not r["SectorSubjectAreaTier1"].startswith("-")}  # fmt: skip


# --- the source and the excerpt ----------------------------------------------------------------


def test_source_is_registered_with_its_files() -> None:
    source = sources()[SLUG]
    assert source.files == (SSA_FILE, PROVISION_FILE)
    assert source.depends_on == ("dfe-geography-lookups",)
    assert all((bundled(SLUG) / name).is_file() for name in source.files)


def test_excerpt_matches_golden() -> None:
    assert_matches_golden(fe.read(excerpt(SLUG)), excerpt(SLUG) / "expected.nt")


def test_excerpt_passes_the_gate() -> None:
    triples = list(fe.read(excerpt(SLUG)))
    assert our_results(validate(triples, excerpt(SLUG).parent), triples) == []


def test_both_engines_agree_and_catch_planted_errors() -> None:
    triples = list(fe.read(excerpt(SLUG)))
    by_ssa = iris.observation_iri(SLUG, TABLE[SSA_FILE], "E07000026", "2021-22", "education-and-training", "6")  # fmt: skip
    full_year = iris.observation_iri(SLUG, TABLE[PROVISION_FILE], "E06000001", "2016-17", "apprenticeships")  # fmt: skip
    planted = {
        (by_ssa, SG.sectorSubjectArea): iris.code_iri("ssa", "6.1"),  # a tier 2 area
        (full_year, SG.periodCoverage): SG.PartYear,  # part year, but not flagged provisional
        (full_year, SG.sourceMarker): Literal("x"),  # not a marker of these files
    }
    broken = [t for t in triples if (t.subject, t.predicate) not in planted]
    broken += [Triple(s, p, o) for (s, p), o in planted.items()]
    fast = validate(broken, excerpt(SLUG).parent)
    slow = validate(broken, excerpt(SLUG).parent, engine="pyshacl")
    assert our_results(fast, broken) == our_results(slow, broken)
    assert {(r.focus, r.path, r.component) for r in our_results(fast, broken)} == {
        (f"<{by_ssa.value}>", f"<{SG.sectorSubjectArea.value}>", "OrConstraintComponent"),
        (f"<{full_year.value}>", None, "OrConstraintComponent"),
        (f"<{full_year.value}>", f"<{SG.sourceMarker.value}>", "InConstraintComponent"),
    }


# --- the full bundled files: counts ------------------------------------------------------------


def test_row_counts_are_those_source_md_states() -> None:
    text = (bundled(SLUG) / "SOURCE.md").read_text(encoding="utf-8")
    stated = dict(re.findall(r"\| `([^`]+)` \| ([\d,]+) \|", text))
    for name in (SSA_FILE, PROVISION_FILE):
        assert len(csv_rows(bundled(SLUG), name)) == int(stated[name].replace(",", ""))


def test_every_row_of_a_real_area_is_one_observation() -> None:
    datasets = Counter(t.object for t in full_triples() if t.predicate == QB.dataSet)
    assert datasets == {
        iris.dataset_iri(SLUG, TABLE[name]): len(real_rows(name))
        for name in (SSA_FILE, PROVISION_FILE)
    }
    placeholders = len(csv_rows(bundled(SLUG), SSA_FILE)) - len(real_rows(SSA_FILE))
    assert placeholders == 34  # "Outside of England and unknown", as a district and as a region


def test_suppressed_cells_are_the_markers_of_the_file() -> None:
    all_ssa = [r[VALUE[SSA_FILE]] for r in csv_rows(bundled(SLUG), SSA_FILE)]
    all_provision = [r[VALUE[PROVISION_FILE]] for r in csv_rows(bundled(SLUG), PROVISION_FILE)]
    assert (all_ssa.count("low"), all_provision.count("~")) == (1490, 9)  # as SOURCE.md states
    markers = Counter(str(t.object) for t in full_triples() if t.predicate == SG.sourceMarker)
    expected = Counter(r[VALUE[n]] for n in (SSA_FILE, PROVISION_FILE) for r in real_rows(n))
    assert markers == {f'"{m}"': expected[m] for m in ("low", "~")}
    statuses = Counter(t.object for t in full_triples() if t.predicate == SDMX_ATTRIBUTE.obsStatus)
    assert statuses[cube.SUPPRESSED] == sum(markers.values())
    assert cube.NOT_AVAILABLE not in statuses


def test_districts_per_year_are_those_source_md_states() -> None:
    years: Counter[str] = Counter()
    for r in real_rows(PROVISION_FILE):
        if r["geographic_level"] == "localAuthorityDistrict":
            years[r["time_period"]] += 1
    # Four provision types a year; 2021/22 lacks one community learning row (Isles of Scilly).
    # SOURCE.md's 327 and 310 count DfE's placeholder z too: England had 326 and 309 districts.
    assert (years["201617"], years["202122"]) == (326 * 4, 309 * 4 - 1)
    districts = {r["location_code"] for r in real_rows(SSA_FILE)
                 if r["geographic_level"] == "localAuthorityDistrict"}  # fmt: skip
    assert len(districts) == 309


def test_part_year_figures_are_flagged_and_full_years_are_not() -> None:
    period = {t.subject: t.object for t in full_triples() if t.predicate == cube.REF_PERIOD}
    coverage = {t.subject: t.object for t in full_triples() if t.predicate == SG.periodCoverage}
    flags = {t.subject: t.object for t in full_triples() if t.predicate == SG.reliability}
    part_year = iris.academic_year_iri(2021)
    assert set(coverage) == set(period)
    for node, year in period.items():
        assert (coverage[node], flags.get(node)) == (
            (SG.PartYear, SG.Provisional) if year == part_year else (SG.FullYear, None)
        )
    months = Triple(iris.dataset_iri(SLUG, TABLE[SSA_FILE]), DCT.temporal,
                    iris.months_iri(2021, 8, 9))  # fmt: skip
    assert months in full_triples()


def test_sector_subject_areas_are_the_lars_tier_1_concepts() -> None:
    used = {t.object for t in full_triples() if t.predicate == SG.sectorSubjectArea}
    names = ssa_notations()
    own = {iris.breakdown_iri("sector-subject-area", c) for c in ("all", "not-applicable-or-not-known")}  # fmt: skip
    assert used == {iris.code_iri("ssa", n) for n in names.values()} | own
    for name, notation in names.items():
        node = iris.code_iri("ssa", notation)
        assert Triple(node, SKOS.prefLabel, Literal(name, language="en")) in full_triples()
        assert Triple(node, RDF.type, SG.SectorSubjectArea) in full_triples()


def test_ssa_concepts_are_stated_as_the_dfe_lars_loader_states_them() -> None:
    """Restated triple for triple: the union of the two graphs holds each once."""
    golden = excerpt("dfe-lars") / "expected.nt"
    lars = {quad.triple for quad in parse(golden.read_bytes(), format=RdfFormat.N_TRIPLES)}
    ssa = iris.code_list_iri("ssa").value
    stated = {t for t in fe.read(excerpt(SLUG)) if t.subject.value.startswith(ssa)}
    assert len(stated) > 15 * 5 and stated <= lars


def test_full_output_passes_the_gate() -> None:
    triples = list(full_triples())
    assert our_results(validate(triples, bundled(SLUG).parent), triples) == []  # nor warnings


# --- real cells through SPARQL -----------------------------------------------------------------

QUERY = """
PREFIX sg: <https://w3id.org/skillsgap/def/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
PREFIX sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#>
PREFIX sdmx-attribute: <http://purl.org/linked-data/sdmx/2009/attribute#>
SELECT ?value ?unit ?status ?marker ?dataset ?area ?period ?type ?wanted WHERE {
  ?obs qb:dataSet ?dataset ; sdmx-dimension:refArea ?area ; sdmx-dimension:refPeriod ?period ;
       sg:provisionType/skos:prefLabel ?type ;
       sdmx-attribute:unitMeasure/skos:notation ?unit ; sdmx-attribute:obsStatus ?status .
  OPTIONAL { ?obs sg:sectorSubjectArea ?ssa }
  FILTER (!BOUND(?ssa) || ?ssa = ?wanted)
  OPTIONAL { ?obs sdmx-measure:obsValue ?value }
  OPTIONAL { ?obs sg:sourceMarker ?marker }
}"""


@cache
def store() -> Store:
    found = Store()
    found.extend(Quad(t.subject, t.predicate, t.object) for t in full_triples())
    return found


def through_sparql(name: str, row: dict[str, str]) -> dict[str, Any]:
    """The value, unit, status and marker SPARQL finds for a file's row."""
    year = int(row["time_period"][:4])
    if name == SSA_FILE:
        type_label, ssa = "Education and training", ssa_notations().get(row["ssa_t1_desc"])
        wanted = iris.code_iri("ssa", ssa) if ssa else OWN_SSA[row["ssa_t1_desc"]]
    else:
        type_label = fe.PROVISION_TYPES[row["level_or_type"]][1]
        wanted = NamedNode("urn:none")
    bindings = {"dataset": iris.dataset_iri(SLUG, TABLE[name]), "area": iris.area_iri(row["location_code"]),
                "period": iris.academic_year_iri(year), "type": Literal(type_label, language="en"),
                "wanted": wanted}  # fmt: skip
    solutions = store().query(QUERY, substitutions={Variable(k): v for k, v in bindings.items()})
    assert isinstance(solutions, QuerySolutions)
    [found] = list(solutions)
    value = found["value"]
    return {"value": value and Decimal(value.value), "unit": found["unit"].value,
            "status": found["status"], "marker": found["marker"] and found["marker"].value}  # fmt: skip


OWN_SSA = {
    "Total": iris.breakdown_iri("sector-subject-area", "all"),
    "Not Applicable/ Not Known": iris.breakdown_iri(
        "sector-subject-area", "not-applicable-or-not-known"
    ),
}


def published(name: str, row: dict[str, str]) -> dict[str, Any]:
    """What the file's cell says, read with csv."""
    cell = row[VALUE[name]]
    if cell.isdigit():
        return {"value": Decimal(cell), "unit": "achievements", "status": cube.AVAILABLE, "marker": None}  # fmt: skip
    return {"value": None, "unit": "achievements", "status": cube.SUPPRESSED, "marker": cell}


def first(name: str, **wanted: str) -> dict[str, str]:
    return next(r for r in real_rows(name) if all(r[k] == v for k, v in wanted.items()))


@pytest.mark.parametrize(
    "name,wanted",
    [
        (SSA_FILE, {"location": "England", "ssa_t1_desc": "Total"}),
        (SSA_FILE, {"geographic_level": "region", "ssa_t1_desc": "Science and Mathematics"}),
        (
            SSA_FILE,
            {"geographic_level": "localAuthorityDistrict", "ssa_t1_desc": "Social Sciences"},
        ),
        (SSA_FILE, {"e_and_t_aims_ach": "low"}),
        (SSA_FILE, {"location": "Bristol, City of", "ssa_t1_desc": "Not Applicable/ Not Known"}),
        (PROVISION_FILE, {"geographic_level": "country", "time_period": "201920"}),
        (PROVISION_FILE, {"geographic_level": "region", "time_period": "202122"}),
        (PROVISION_FILE, {"location_code": "E07000048"}),  # Christchurch, ended 2019
        (PROVISION_FILE, {"achievements": "~"}),
        (PROVISION_FILE, {"time_period": "202021", "level_or_type": "Community learning: Total"}),
    ],
)
def test_real_cells_through_sparql(name: str, wanted: dict[str, str]) -> None:
    row = first(name, **wanted)
    assert through_sparql(name, row) == published(name, row)


def test_england_total_of_the_ssa_file_is_the_one_source_md_states() -> None:
    row = first(SSA_FILE, location="England", ssa_t1_desc="Total")
    assert through_sparql(SSA_FILE, row)["value"] == Decimal("496370")


# --- bad input ---------------------------------------------------------------------------------


def copy_excerpt(tmp_path: Path) -> Path:
    """The excerpt in ``tmp_path``, with the geography and LARS excerpts beside it."""
    folder = tmp_path / SLUG
    shutil.copytree(excerpt(SLUG), folder)
    for slug in ("dfe-geography-lookups", "dfe-lars"):
        (tmp_path / slug).symlink_to(excerpt(slug))
    return folder


def rewrite(path: Path, line: int, column: str, value: str) -> None:
    """Set one cell of a CSV file (``line`` as an editor numbers it)."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    rows[line - 1][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def load_error(folder: Path) -> SourceError:
    with pytest.raises(SourceError) as caught:
        list(fe.read(folder))
    return caught.value


@pytest.mark.parametrize(
    "name,line,column,value,expected,message",
    [
        (
            SSA_FILE,
            3,
            "e_and_t_aims_ach",
            "twenty",
            "a whole number, or a suppression marker: low or ~",
            "not a count",
        ),  # fmt: skip
        (
            PROVISION_FILE,
            4,
            "achievements",
            "x",
            "a whole number, or a suppression marker: low or ~",
            "unknown marker",
        ),  # fmt: skip
        (
            PROVISION_FILE,
            2,
            "achievements",
            "-20",
            "a whole number, or a suppression marker: low or ~",
            "not a count",
        ),  # fmt: skip
        (
            SSA_FILE,
            5,
            "location_code",
            "E07999999",
            "a GSS code of dfe-geography-lookups",
            "unknown area code",
        ),  # fmt: skip
        (SSA_FILE, 6, "location", "Allerdayle", "the name of E07000026, Allerdale", ""),
        (SSA_FILE, 7, "ssa_t1_desc", "Astrology", None, "unknown sector subject area"),
        (PROVISION_FILE, 3, "level_or_type", "Traineeships: Total", None, ""),
        (
            SSA_FILE,
            2,
            "gender",
            "Female",
            "Total (this loader reads the table without this breakdown)",
            "",
        ),  # fmt: skip
        (SSA_FILE, 2, "time_period", "202021", "202122, the year this file covers", ""),
        (PROVISION_FILE, 2, "time_period", "201619", "two consecutive years, such as 202122", ""),
        (
            PROVISION_FILE,
            2,
            "geographic_level",
            "localAuthorityDistrict",
            "the level of E92000001: country",
            "level and code disagree",
        ),  # fmt: skip
    ],
)
def test_bad_cells_are_source_errors_naming_the_cell(
    tmp_path: Path,
    name: str,
    line: int,
    column: str,
    value: str,
    expected: str | None,
    message: str,
) -> None:
    folder = copy_excerpt(tmp_path)
    rewrite(folder / name, line, column, value)
    error = load_error(folder)
    assert (error.file, error.sheet, error.row, error.column) == (name, None, line, column)
    assert error.got == value and error.message == message
    if expected is not None:
        assert error.expected == expected


def test_a_district_not_in_operation_that_year_is_an_error(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    line = 1 + next(i for i, r in enumerate(csv_rows(folder, PROVISION_FILE), 1)
                    if r["location_code"] == "E06000001")  # fmt: skip
    rewrite(folder / PROVISION_FILE, line, "location_code", "E06000063")  # Cumberland, from 2023
    rewrite(folder / PROVISION_FILE, line, "location", "Cumberland")
    error = load_error(folder)
    assert (error.row, error.column, error.got) == (line, "location_code", "E06000063")
    assert error.expected == "an area in operation in 2016/17"


def test_a_shifted_header_is_a_missing_columns_error(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    path = folder / SSA_FILE
    path.write_text(
        "Education and training aim achievements\n" + path.read_text("utf-8-sig"), "utf-8"
    )
    error = load_error(folder)
    assert (error.file, error.row, error.message) == (SSA_FILE, 1, "missing columns")
    assert "'e_and_t_aims_ach'" in str(error.expected)


def test_a_line_cut_short_is_an_error_naming_it(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    path = folder / PROVISION_FILE
    lines = path.read_bytes().splitlines(keepends=True)
    path.write_bytes(b"".join(lines[:-1]) + lines[-1][: len(lines[-1]) // 2])
    error = load_error(folder)
    assert (error.file, error.row) == (PROVISION_FILE, len(lines))


def test_an_empty_file_is_an_error(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    (folder / PROVISION_FILE).write_bytes(b"")
    error = load_error(folder)
    assert (error.file, error.message, error.expected) == (
        PROVISION_FILE,
        "empty file",
        "a header line",
    )


def test_a_workbook_under_the_csv_name_is_an_error(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    book = openpyxl.Workbook()
    book.active.append(["location", "location_code"])
    book.save(folder / SSA_FILE)
    error = load_error(folder)
    assert (error.file, error.message, error.expected) == (SSA_FILE, "not a text file", "CSV text")


def test_missing_geography_is_an_error(tmp_path: Path) -> None:
    folder = tmp_path / SLUG
    shutil.copytree(excerpt(SLUG), folder)
    (tmp_path / "dfe-lars").symlink_to(excerpt("dfe-lars"))
    error = load_error(folder)
    assert error.file == str(tmp_path / "dfe-geography-lookups") and "missing" in error.message


def test_a_duplicate_observation_is_a_gate_violation(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    path = folder / PROVISION_FILE
    lines = path.read_bytes().splitlines(keepends=True)
    copy = lines[1].replace(b",277790", b",277800")  # England 2016/17 apprenticeships, again
    path.write_bytes(b"".join(lines) + copy)
    triples = list(fe.read(folder))
    node = iris.observation_iri(SLUG, TABLE[PROVISION_FILE], "E92000001", "2016-17", "apprenticeships")  # fmt: skip
    results = our_results(validate(triples, excerpt(SLUG).parent), triples)
    assert {(r.focus, r.path, r.component) for r in results} == {
        (f"<{node.value}>", "<http://purl.org/linked-data/sdmx/2009/measure#obsValue>",
         "MaxCountConstraintComponent"),
    }  # fmt: skip


def test_errors_are_readable_not_tracebacks(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    rewrite(folder / SSA_FILE, 4, "e_and_t_aims_ach", "lots")
    assert str(load_error(folder)) == (
        f"{SSA_FILE}, row 4, column 'e_and_t_aims_ach': not a count; "
        "expected a whole number, or a suppression marker: low or ~, got 'lots'"
    )
