"""The ons-online-job-adverts loader: Adzuna and Textkernel advert figures as RDF Data Cube."""

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
from pyoxigraph import Literal, NamedNode, Quad, Store, Triple, Variable

from skillsgap import gate, iris
from skillsgap.errors import SourceError
from skillsgap.loaders import _cube as cube
from skillsgap.loaders import dfe_geography_lookups, dfe_lsip_lookups, sources
from skillsgap.loaders import ons_online_job_adverts as adverts
from skillsgap.loaders._tables import Table
from skillsgap.namespaces import QB, RDF, SDMX_ATTRIBUTE, SDMX_MEASURE, SG, SKOS

from .conftest import assert_matches_golden, bundled, excerpt

SLUG = "ons-online-job-adverts"
WORKBOOK, VACANCY, PROFESSION = adverts.WORKBOOK, adverts.VACANCY_FILE, adverts.PROFESSION_FILE
GEOGRAPHY = (dfe_geography_lookups, dfe_lsip_lookups)


# --- the real files read independently (openpyxl, csv), and the loader's output ----------------


@cache
def worksheet(folder: Path, sheet: str) -> tuple[tuple[Any, ...], ...]:
    book = openpyxl.load_workbook(folder / WORKBOOK, read_only=True, data_only=True)
    return tuple(book[sheet].iter_rows(values_only=True))


@cache
def csv_rows(folder: Path, name: str) -> tuple[dict[str, str], ...]:
    with (folder / name).open(encoding="utf-8-sig", newline="") as f:
        return tuple(csv.DictReader(f))


@cache
def full_triples() -> tuple[Triple, ...]:
    return tuple(adverts.read(bundled(SLUG)))


@cache
def full_index() -> dict[tuple[Any, NamedNode], set[Any]]:
    """Objects by (subject, predicate) of everything but the observations (SPARQL reads those)."""
    index: dict[tuple[Any, NamedNode], set[Any]] = {}
    for t in full_triples():
        if "/observation/" not in t.subject.value:
            index.setdefault((t.subject, t.predicate), set()).add(t.object)
    return index


def objects(subject: Any, predicate: NamedNode) -> set[Any]:
    return full_index().get((subject, predicate), set())


@cache
def geography(folder: Path) -> tuple[Triple, ...]:
    """The geography graphs this source depends on, from ``folder`` (bundled or excerpts)."""
    return tuple(t for m in GEOGRAPHY for t in m.read(folder / m.SOURCE.slug))


def our_results(report: gate.Report, triples: Any) -> list[gate.Result]:
    nodes = {str(t.subject) for t in triples} | {str(t.object) for t in triples}
    return [r for r in report.results if r.focus in nodes]


def code(area: NamedNode) -> str:
    return area.value.rsplit("/", 1)[1]


def observation(table: str, area: str, period: str, statistic: str, *category: str) -> NamedNode:
    return iris.observation_iri(SLUG, table, area, period, statistic, *category)


# --- the source and the excerpt ----------------------------------------------------------------


def test_source_is_registered_with_its_files() -> None:
    source = sources()[SLUG]
    assert source.files == (WORKBOOK, VACANCY, PROFESSION)
    assert source.depends_on == ("dfe-geography-lookups", "dfe-lsip-lookups")
    assert all((bundled(SLUG) / name).is_file() for name in source.files)


def test_excerpt_matches_golden() -> None:
    assert_matches_golden(adverts.read(excerpt(SLUG)), excerpt(SLUG) / "expected.nt")


def test_both_engines_agree_and_catch_planted_errors() -> None:
    # pyshacl is slow on SHACL-SPARQL: the code lists and areas, and two observations per dataset,
    # three of them broken.
    triples = list(adverts.read(excerpt(SLUG)))
    datasets: dict[Any, list[Any]] = {}
    for t in triples:
        if t.predicate == QB.dataSet:
            datasets.setdefault(t.object, []).append(t.subject)
    assert len(datasets) == 7
    chosen = {node for nodes in datasets.values() for node in nodes[:2]}
    everything = {node for nodes in datasets.values() for node in nodes}
    kept = [t for t in triples if t.subject in chosen or t.subject not in everything]
    profession, share = (datasets[iris.dataset_iri(SLUG, name)][0]
                         for name in ("profession", "region-unknown-la-share"))  # fmt: skip
    summary = adverts.category_iri("Administration and Customer Service")
    planted = {
        (profession, SG.professionCategory): summary,  # a summary category, not a detailed one
        (profession, SG.occupation): iris.soc_iri("2020", "4112"),  # categories are not SOC
        (share, SDMX_MEASURE.obsValue): cube.decimal(Decimal("1.5")),  # a share above 1
    }
    broken = [t for t in kept if (t.subject, t.predicate) not in planted]
    broken += [Triple(s, p, o) for (s, p), o in planted.items()]
    data = gate.to_ntriples(broken)
    reference = gate.to_ntriples(geography(excerpt(SLUG).parent))
    fast, slow = gate.validate(data, reference), gate.validate(data, reference, engine="pyshacl")
    assert our_results(fast, broken) == our_results(slow, broken)
    assert {(r.focus, r.path, r.component) for r in our_results(fast, broken)} == {
        (f"<{profession.value}>", f"<{SG.professionCategory.value}>", "NodeConstraintComponent"),
        (f"<{profession.value}>", f"<{SG.occupation.value}>", "MaxCountConstraintComponent"),
        (f"<{share.value}>", None, "OrConstraintComponent"),
    }


def test_excerpt_passes_the_gate() -> None:
    triples = list(adverts.read(excerpt(SLUG)))
    reference = gate.to_ntriples(geography(excerpt(SLUG).parent))
    assert our_results(gate.validate(gate.to_ntriples(triples), reference), triples) == []


# --- the full bundled files: counts ------------------------------------------------------------


def test_row_counts_are_those_source_md_states() -> None:
    text = (bundled(SLUG) / "SOURCE.md").read_text(encoding="utf-8")
    stated = dict(re.findall(r"\| `([^`]+)` \| ([\d,]+) \|", text))
    for name in (VACANCY, PROFESSION):
        assert len(csv_rows(bundled(SLUG), name)) == int(stated[name].replace(",", ""))


def observations_per_dataset() -> Counter[str]:
    return Counter(code(t.object) for t in full_triples() if t.predicate == QB.dataSet)


def test_every_figure_is_one_observation() -> None:
    """Rows x year columns; 'Unknown' rows and DfE's copies of worksheet 1 are not observations."""
    local = [r for r in worksheet(bundled(SLUG), "1")[4:] if r[0]]
    excluded = [r for r in worksheet(bundled(SLUG), "4")[3:] if r[0]]
    assert len(local) + len(excluded) == 374  # every UK local authority district of May 2021
    regions = [r for r in worksheet(bundled(SLUG), "2")[4:] if r[0] and "Unknown" not in r[0]]
    vacancy = [r for r in csv_rows(bundled(SLUG), VACANCY) if r["geographic_level"] != "LADU"]
    profession = [r for r in csv_rows(bundled(SLUG), PROFESSION) if r["area"] != "Unknown"]
    assert observations_per_dataset() == {
        "local-authority": (len(local) + len(excluded)) * 6,
        "region": len(regions) * 6,
        "region-unknown-la": len(regions) * 6,
        "region-unknown-la-share": len(regions) * 6,
        "region-index": len(regions) * 4 * 2,
        "dfe-areas": len(vacancy),
        "profession": len(profession),
    }


def test_status_counts() -> None:
    statuses = Counter(t.object for t in full_triples() if t.predicate == SDMX_ATTRIBUTE.obsStatus)
    excluded = len([r for r in worksheet(bundled(SLUG), "4")[3:] if r[0]])
    assert excluded == 43  # the release text says 45; worksheet 4 lists 43
    assert statuses[cube.SUPPRESSED] == excluded * 6 and cube.NOT_AVAILABLE not in statuses
    flagged = [t for t in full_triples() if t.predicate == SG.reliability]
    assert len(flagged) == excluded * 6 and {t.object for t in flagged} == {SG.LowReliability}


def test_profession_categories_are_their_own_two_level_code_list() -> None:
    rows = csv_rows(bundled(SLUG), PROFESSION)
    summaries = {r["Summary Profession Category"] for r in rows}
    detailed = {r["Detailed Profession Category"]: r["Summary Profession Category"] for r in rows}
    assert (len(summaries), len(detailed)) == (25, 295)  # as SOURCE.md states
    for name, summary in detailed.items():
        node = adverts.category_iri(name)
        assert objects(node, SKOS.prefLabel) == {Literal(name, language="en")}
        assert objects(node, SKOS.broader) == {adverts.category_iri(summary)}
        assert SG.ProfessionCategory in objects(node, RDF.type)
    scheme = iris.breakdown_scheme_iri("profession-category")
    assert objects(scheme, SKOS.hasTopConcept) == {adverts.category_iri(s) for s in summaries}
    assert not [t for t in full_triples() if t.predicate == SG.occupation]


# --- areas -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "level,name,gss",
    [
        ("LADU", "Barnsley", "E08000016"),  # E08000038 only from May 2025
        ("LADU", "St Albans", "E07000240"),  # E07000100 ended in 2011
        ("LADU", "Fife", "S12000047"),  # S12000015 until 2018
        ("LADU", "East Ayshire", "S12000008"),  # worksheet 4's spelling
        ("LADU", "Belfast", "N09000003"),
        ("LSIP", "Greater Lincolnshire", "E69000012"),  # E69000041 only from September 2025
        ("LSIP", "Enterprise M3 LEP (including all of Surrey)", "E69000009"),
        ("LEP", "Leeds City Region", "E37000062"),  # the 2021 LEP
        ("MCA", "North East", "E47000010"),  # the 2018-2024 authority
        ("GOR", "Yorkshire And The Humber", "E12000003"),
        ("GOR", "Scotland", "S92000003"),
        ("Country", "United Kingdom", "K02000001"),
    ],
)
def test_names_resolve_to_the_area_of_their_time(level: str, name: str, gss: str) -> None:
    places = adverts.Places(bundled(SLUG).parent, adverts.area_index(bundled(SLUG).parent))
    row = next(Table("t.csv", None, ["area"], 1, [["area"], [name]]).rows())
    assert places.resolve(row, "area", level) == iris.area_iri(gss)


def test_areas_beyond_england_and_wales_are_introduced_once_and_only_here() -> None:
    introduced = {t.subject for t in full_triples() if t.object == SG.Area}
    gss = Counter(code(area)[:3] for area in introduced)
    assert gss == {"K02": 1, "S92": 1, "N92": 1, "S12": 32, "N09": 11}
    defined = {t.subject for t in geography(bundled(SLUG).parent) if t.object == SG.Area}
    assert not introduced & defined
    for area in introduced:
        assert len(objects(area, SKOS.prefLabel)) == 1
    assert objects(iris.area_iri("S12000047"), SKOS.broader) == {iris.area_iri("S92000003")}


# --- real cells through SPARQL -----------------------------------------------------------------

QUERY = """
PREFIX sg: <https://w3id.org/skillsgap/def/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
PREFIX sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#>
PREFIX sdmx-attribute: <http://purl.org/linked-data/sdmx/2009/attribute#>
SELECT ?obs ?area ?value ?unit ?status ?flag ?marker WHERE {
  ?obs sdmx-dimension:refArea/skos:notation ?area ;
       sdmx-attribute:unitMeasure/skos:notation ?unit ; sdmx-attribute:obsStatus ?status .
  OPTIONAL { ?obs sdmx-measure:obsValue ?value }
  OPTIONAL { ?obs sg:reliability ?flag }
  OPTIONAL { ?obs sg:sourceMarker ?marker }
}"""


@cache
def store() -> Store:
    """The full output and the geography graphs, each in its named graph."""
    found = Store()
    found.extend(
        Quad(t.subject, t.predicate, t.object, iris.graph_iri(SLUG)) for t in full_triples()
    )
    found.extend(Quad(t.subject, t.predicate, t.object, iris.graph_iri("geography"))
                 for t in geography(bundled(SLUG).parent))  # fmt: skip
    return found


def solution(node: NamedNode) -> dict[str, Any]:
    [found] = list(store().query(QUERY, substitutions={Variable("obs"): node},
                                 use_default_graph_as_union=True))  # fmt: skip
    return {name: found[name] for name in ("area", "value", "unit", "status", "flag", "marker")}


def available(area: str, value: Any, unit: str) -> dict[str, Any]:
    return {"area": Literal(area), "value": Decimal(repr(value)) if isinstance(value, float)
            else Decimal(value), "unit": Literal(unit), "status": cube.AVAILABLE,
            "flag": None, "marker": None}  # fmt: skip


def found(node: NamedNode) -> dict[str, Any]:
    result = solution(node)
    if result["value"] is not None:
        result["value"] = Decimal(result["value"].value)
    return result


def row_named(sheet: str, column: int, name: str) -> tuple[Any, ...]:
    return next(r for r in worksheet(bundled(SLUG), sheet) if r[column] == name)


def test_worksheet_cells_through_sparql() -> None:
    barnsley = row_named("1", 0, "Barnsley")
    month = "2022-01"
    assert found(observation("local-authority", "E08000016", month, adverts.ADZUNA)) == available(
        "E08000016", barnsley[7], "index")  # fmt: skip
    midlothian = row_named("1", 0, "Midlothian")  # a Scottish council, 2017
    assert found(observation("local-authority", "S12000019", "2017-01", adverts.ADZUNA)) == available(
        "S12000019", midlothian[2], "index")  # fmt: skip
    scotland = row_named("3", 0, "Scotland")
    assert found(observation("region-unknown-la", "S92000003", month, adverts.UNKNOWN_LA)) == available(
        "S92000003", scotland[6], "index")  # fmt: skip
    london = row_named("5", 0, "London")  # a share written with 17 significant digits
    assert found(observation("region-unknown-la-share", "E12000007", "2018-01", adverts.UNKNOWN_SHARE)
                 ) == available("E12000007", london[2], "proportion")  # fmt: skip
    index = next(r for r in worksheet(bundled(SLUG), "6") if r[1] == "Wales" and r[0] == 2021)
    assert found(observation("region-index", "W92000004", "2021-01", adverts.INDEX_RTI)) == available(
        "W92000004", index[3], adverts.INDEX_UNIT)  # fmt: skip


def test_an_excluded_local_authority_is_suppressed_every_year() -> None:
    assert ("Tower Hamlets",) in worksheet(bundled(SLUG), "4")
    for year in range(2017, 2023):
        assert found(observation("local-authority", "E09000030", f"{year}-01", adverts.ADZUNA)) == {
            "area": Literal("E09000030"), "value": None, "unit": Literal("index"),
            "status": cube.SUPPRESSED, "flag": SG.LowReliability, "marker": Literal("[note 3]"),
        }  # fmt: skip


@pytest.mark.parametrize(
    "level,name,gss",
    [("GOR", "Wales", "W92000004"), ("LSIP", "Greater Manchester", "E69000014"),
     ("LEP", "Black Country", "E37000001"), ("MCA", "West Midlands", "E47000007")],
)  # fmt: skip
def test_dfe_sums_through_sparql(level: str, name: str, gss: str) -> None:
    rows = [r for r in csv_rows(bundled(SLUG), VACANCY)
            if (r["geographic_level"], r["area"]) == (level, name)]  # fmt: skip
    assert len(rows) == 6
    for row in rows:
        node = observation("dfe-areas", gss, f"{row['year']}-01", adverts.ADZUNA)
        assert found(node) == available(gss, row["vacancy_unit"], "index")


def test_dfe_region_sums_are_not_ons_region_totals() -> None:
    """DfE sums worksheet 1's authorities; ONS's worksheet 2 also counts unknown-LA adverts."""
    ons = row_named("2", 0, "East Midlands")[2]
    dfe = next(r for r in csv_rows(bundled(SLUG), VACANCY)
               if (r["area"], r["year"]) == ("East Midlands", "2017"))  # fmt: skip
    local = [r for r in worksheet(bundled(SLUG), "1")[4:] if r[1] == "East Midlands"]
    assert (
        Decimal(dfe["vacancy_unit"]) == sum(Decimal(repr(r[2])) for r in local) < Decimal(repr(ons))
    )


@pytest.mark.parametrize(
    "level,name,gss",
    [("LSIP", "Greater Manchester", "E69000014"), ("LEP", "Leeds City Region", "E37000062"),
     ("MCA", "Tees Valley", "E47000006"), ("Country", "Northern Ireland", "N92000002"),
     ("Country", "United Kingdom", "K02000001")],
)  # fmt: skip
def test_profession_cells_through_sparql(level: str, name: str, gss: str) -> None:
    rows = [r for r in csv_rows(bundled(SLUG), PROFESSION)
            if (r["geographic_level"], r["area"]) == (level, name)]  # fmt: skip
    for row in rows[:: max(1, len(rows) // 5)]:
        category = code(adverts.category_iri(row["Detailed Profession Category"]))
        node = observation("profession", gss, "2022-10", adverts.TEXTKERNEL, category)
        assert found(node) == available(gss, row["vacancies"], "job-adverts")


# The headline question: job adverts by profession category in one LSIP area, October 2022.
HEADLINE = """
PREFIX sg: <https://w3id.org/skillsgap/def/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
PREFIX sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#>
SELECT ?summary ?category ?adverts WHERE {
  VALUES ?lsip { "E69000014" }
  ?area skos:notation ?lsip .
  ?obs a sg:JobAdvertObservation ;
       sdmx-dimension:refArea ?area ;
       sdmx-dimension:refPeriod <http://reference.data.gov.uk/id/month/2022-10> ;
       sg:professionCategory ?detailed ;
       sdmx-measure:obsValue ?adverts .
  ?detailed skos:prefLabel ?category ; skos:broader/skos:prefLabel ?summary .
}
ORDER BY DESC(?adverts) ?category"""


def test_headline_query_lists_an_lsips_adverts_by_category() -> None:
    answer = [(s["summary"].value, s["category"].value, Decimal(s["adverts"].value))
              for s in store().query(HEADLINE, use_default_graph_as_union=True)]  # fmt: skip
    expected = sorted(
        ((r["Summary Profession Category"], r["Detailed Profession Category"], Decimal(r["vacancies"]))
         for r in csv_rows(bundled(SLUG), PROFESSION)
         if (r["geographic_level"], r["area"]) == ("LSIP", "Greater Manchester")),
        key=lambda x: (-x[2], x[1]),
    )  # fmt: skip
    assert answer == expected and len(answer) > 250


@pytest.mark.slow
def test_full_output_passes_the_gate() -> None:
    triples = full_triples()
    reference = gate.to_ntriples(geography(bundled(SLUG).parent))
    report = gate.validate(gate.to_ntriples(triples), reference)
    assert our_results(report, triples) == []


# --- bad input ---------------------------------------------------------------------------------


def copy_excerpt(tmp_path: Path) -> Path:
    """A writable copy of the excerpt, with the geography excerpts beside it."""
    for slug in (SLUG, *(m.SOURCE.slug for m in GEOGRAPHY)):
        shutil.copytree(excerpt(slug), tmp_path / slug)
    return tmp_path / SLUG


def read_error(folder: Path) -> SourceError:
    with pytest.raises(SourceError) as caught:
        list(adverts.read(folder))
    return caught.value


def where(error: SourceError) -> tuple[Any, ...]:
    return (error.file, error.sheet, error.row, error.column)


def replace_line(path: Path, line: int, old: str, new: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    assert old in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(old, new)
    path.write_text("".join(lines), encoding="utf-8")


def set_cell(folder: Path, sheet: str, cell: str, value: Any) -> None:
    book = openpyxl.load_workbook(folder / WORKBOOK)
    book[sheet][cell] = value
    book.save(folder / WORKBOOK)


def test_rejects_a_file_without_a_column(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    replace_line(folder / PROFESSION, 1, '"vacancies"', '"adverts"')
    error = read_error(folder)
    assert where(error) == (PROFESSION, None, 1, None) and "'vacancies'" in str(error.expected)


def test_rejects_an_unknown_area(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    replace_line(folder / VACANCY, 2, '"Barnsley"', '"Atlantis"')
    error = read_error(folder)
    assert where(error) == (VACANCY, None, 2, "area") and error.got == "Atlantis"
    assert error.message == "unknown area name"


def test_rejects_an_area_unknown_to_the_excerpt_geography(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    set_cell(folder, "1", "A5", "Aberdeen City")  # a real council the ward excerpt lacks
    error = read_error(folder)
    assert where(error) == (WORKBOOK, "1", 5, "Local authority [note 1]")


def test_rejects_text_in_a_numeric_column(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    set_cell(folder, "2", "B5", "n/a")
    error = read_error(folder)
    assert where(error) == (WORKBOOK, "2", 5, "2017") and error.got == "n/a"


def test_rejects_a_formula_without_a_cached_value(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    set_cell(folder, "1", "D6", "=C6*2")  # openpyxl stores no cached value
    error = read_error(folder)
    assert where(error) == (WORKBOOK, "1", 6, "2018") and error.got == ""


def test_rejects_a_negative_count_and_an_unknown_level(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    replace_line(folder / PROFESSION, 3, ",210", ",-210")
    assert where(error := read_error(folder)) == (PROFESSION, None, 3, "vacancies")
    assert error.got == "-210"
    folder = copy_excerpt(tmp_path / "level")
    replace_line(folder / VACANCY, 3, '"LADU"', '"WARD"')
    assert where(error := read_error(folder)) == (VACANCY, None, 3, "geographic_level")


def test_rejects_a_malformed_month(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    replace_line(folder / PROFESSION, 2, '"Oct 22"', '"October 2022"')
    error = read_error(folder)
    assert where(error) == (PROFESSION, None, 2, "time_period") and error.got == "October 2022"


def test_rejects_a_duplicate_observation(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    lines = (folder / PROFESSION).read_text(encoding="utf-8").splitlines(keepends=True)
    (folder / PROFESSION).write_text("".join([*lines, lines[1]]), encoding="utf-8")
    error = read_error(folder)
    assert where(error) == (PROFESSION, None, len(lines) + 1, "area")
    assert error.message == "duplicate observation (first at row 2)"


def test_rejects_a_dfe_copy_that_differs_from_worksheet_1(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    replace_line(folder / VACANCY, 2, '"14.9"', '"15.9"')
    error = read_error(folder)
    assert where(error) == (VACANCY, None, 2, "vacancy_unit") and error.got == "15.9"
    assert "14.9" in str(error.expected)


def test_rejects_a_category_under_two_summaries(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    replace_line(folder / PROFESSION, 6, '"Administration and Customer Service"', '"Hospitality"')
    error = read_error(folder)
    assert where(error) == (PROFESSION, None, 6, "Summary Profession Category")


def test_rejects_empty_truncated_and_wrong_type_files(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    real = (bundled(SLUG) / WORKBOOK).read_bytes()
    for content in (real[: len(real) // 2], (folder / VACANCY).read_bytes()):
        (folder / WORKBOOK).write_bytes(content)
        error = read_error(folder)
        assert error.file == WORKBOOK and "not a readable workbook" in error.message
    folder = copy_excerpt(tmp_path / "empty")
    (folder / VACANCY).write_bytes(b"")
    error = read_error(folder)
    assert error.file == VACANCY and "empty" in error.message


def test_rejects_a_missing_geography_folder(tmp_path: Path) -> None:
    folder = tmp_path / SLUG
    shutil.copytree(excerpt(SLUG), folder)
    error = read_error(folder)
    assert "geography sources" in error.message


def test_errors_read_as_sentences_not_tracebacks(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    replace_line(folder / VACANCY, 2, '"Barnsley"', '"Atlantis"')
    text = str(read_error(folder))
    assert text.startswith(f"{VACANCY}, row 2, column 'area': unknown area name; expected ")
    assert "got 'Atlantis'" in text and "Traceback" not in text
