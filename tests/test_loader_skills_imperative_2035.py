"""The skills-imperative-2035 loader: projection workbooks to RDF Data Cube, flags and errors."""

from __future__ import annotations

import re
import shutil
import warnings
from collections import Counter
from collections.abc import Callable, Iterable
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, cast

import openpyxl
import pytest
import python_calamine
from pyoxigraph import Literal, NamedNode, Quad, QuerySolutions, Store, Triple

from skillsgap import catalog, gate, iris
from skillsgap.errors import SourceError
from skillsgap.loaders import (
    dfe_geography_lookups,
    dfe_lsip_lookups,
    ons_soc2020,
    skills_imperative_2035,
    sources,
)
from skillsgap.loaders._areas import area_index
from skillsgap.loaders._skills_imperative import MAJOR_GROUPS, SECTORS, read_about
from skillsgap.namespaces import QB, RDF, SG, XSD

from .conftest import assert_matches_golden, bundled, excerpt

SLUG = skills_imperative_2035.SLUG
ENGLAND = "EN_MainTables.Main.xlsx"
TEES_VALLEY = "TV_LSIP_MainTables.Main.xlsx"
GREATER_MANCHESTER = "GM_LSIP_MainTables.Main.xlsx"
EXCERPT_FILES = (ENGLAND, TEES_VALLEY)
OBSERVATION = skills_imperative_2035.OBSERVATION_CLASS
YEARS = (2015, 2019, 2020, 2025, 2035)
TOTAL_PERIOD = "2020-2035"


def read_files(folder: Path, names: Iterable[str]) -> list[Triple]:
    return list(skills_imperative_2035.read_files(folder, names))


@cache
def excerpt_triples() -> tuple[Triple, ...]:
    return tuple(read_files(excerpt(SLUG), EXCERPT_FILES))


@cache
def bundled_triples(*names: str) -> tuple[Triple, ...]:
    return tuple(read_files(bundled(SLUG), names))


@cache
def soc_reference() -> tuple[Triple, ...]:
    """SOC 2020 groups of the real Volume 1 (the coding index is not needed)."""
    groups = ons_soc2020.read_groups(bundled("ons-soc2020") / ons_soc2020.VOLUME_1)
    return (
        *ons_soc2020.scheme_triples(groups, "Version 12"),
        *ons_soc2020.level_triples(groups),
        *(t for group in groups for t in ons_soc2020.group_triples(group, ())),
    )


@cache
def geography(data: Path) -> tuple[Triple, ...]:
    """The geography sources of ``data`` (bundled or the excerpts)."""
    return (
        *dfe_geography_lookups.read(data / dfe_geography_lookups.SOURCE.slug),
        *dfe_lsip_lookups.read(data / dfe_lsip_lookups.SOURCE.slug),
    )


def reference(data: Path, candidate: Iterable[Triple]) -> bytes:
    """The real SOC 2020 and geography triples about the nodes ``candidate`` points at."""
    pointed = {t.object for t in candidate}
    real = (*soc_reference(), *geography(data))
    return gate.to_ntriples(t for t in real if t.subject in pointed)


def store_of(triples: Iterable[Triple]) -> Store:
    store = Store()
    store.extend(Quad(t.subject, t.predicate, t.object) for t in triples)
    return store


def observations(triples: Iterable[Triple]) -> set[Any]:
    return {t.subject for t in triples if t.predicate == RDF.type and t.object == OBSERVATION}


def mine(report: gate.Report, triples: Iterable[Triple]) -> list[gate.Result]:
    """Results about this source's nodes (not about the reference data)."""
    ours = {str(t.subject) for t in triples}
    return [r for r in report.results if r.focus in ours]


# --- an observation looked up through SPARQL ---------------------------------------------------

FIGURE_QUERY = """
PREFIX qb: <http://purl.org/linked-data/cube#>
PREFIX sdmx-dimension: <http://purl.org/linked-data/sdmx/2009/dimension#>
PREFIX sdmx-measure: <http://purl.org/linked-data/sdmx/2009/measure#>
PREFIX sdmx-attribute: <http://purl.org/linked-data/sdmx/2009/attribute#>
PREFIX sg: <https://w3id.org/skillsgap/def/>
SELECT ?value ?unit ?status (GROUP_CONCAT(STRAFTER(STR(?flag), STR(sg:)); separator=" ") AS ?flags)
WHERE {
  ?obs qb:dataSet ?dataset ; sdmx-dimension:refArea ?area ; sdmx-dimension:refPeriod ?period ;
       sg:statistic ?statistic ; sdmx-attribute:unitMeasure ?unit ;
       sdmx-attribute:obsStatus ?status ; sg:reliability ?flag .
  OPTIONAL { ?obs sdmx-measure:obsValue ?value }
  %s
}
GROUP BY ?value ?unit ?status
"""


def figure(store: Store, table: str, area: str, statistic: str, period: str,
           **breakdown: NamedNode) -> dict[str, Any]:  # fmt: skip
    """The value, unit, status and flags of the one observation with these dimensions."""
    first, _, last = period.partition("-")
    when = iris.years_iri(int(first), int(last) - int(first)) if last else iris.year_iri(int(first))
    bindings = {
        "dataset": iris.dataset_iri(SLUG, table),
        "area": iris.area_iri(area),
        "period": when,
        "statistic": iris.statistic_iri(statistic),
    }
    patterns = " ".join(f"?obs <{p.value}> <{v.value}> ." for p, v in _breakdown(breakdown))
    values = " ".join(f"VALUES ?{k} {{ <{v.value}> }}" for k, v in bindings.items())
    rows = list(cast(QuerySolutions, store.query(FIGURE_QUERY % (values + " " + patterns))))
    assert len(rows) == 1, (table, area, statistic, period, breakdown, len(rows))
    row = rows[0]
    return {
        "value": Decimal(row["value"].value) if row["value"] is not None else None,
        "unit": row["unit"].value.rsplit("/", 1)[-1],
        "status": row["status"].value.rsplit("/", 1)[-1],
        "flags": set(row["flags"].value.split()),
    }


def _breakdown(breakdown: dict[str, NamedNode]) -> list[tuple[NamedNode, NamedNode]]:
    dimensions = {
        "occupation": SG.occupation,
        "sex": skills_imperative_2035.SEX,
        "qualification": SG.qualificationLevel,
        "industry": SG.industry,
        "status": SG.employmentStatus,
    }
    return [(dimensions[name], value) for name, value in breakdown.items()]


def soc(code: str) -> NamedNode:
    return iris.soc_iri("2020", code)


def sex(code: str) -> NamedNode:
    return skills_imperative_2035.SDMX_CODE[f"sex-{code}"]


def qualification(code: str) -> NamedNode:
    return iris.breakdown_iri("qualification-level", code)


def industry(key: str) -> NamedNode:
    return iris.breakdown_iri("si-industry", key)


def status(code: str) -> NamedNode:
    return iris.breakdown_iri("employment-status", code)


ALL_OCCUPATIONS = skills_imperative_2035.ALL_OCCUPATIONS


# --- reading the real workbooks independently of the loader -------------------------------------


@cache
def cells(folder: Path, name: str, sheet: str) -> list[list[Any]]:
    """A sheet's cached values as openpyxl reads them (data_only), by 1-based row in a list."""
    with warnings.catch_warnings():  # print areas openpyxl cannot parse; irrelevant here
        warnings.simplefilter("ignore", UserWarning)
        book = openpyxl.load_workbook(folder / name, data_only=True, read_only=True)
    rows = [list(row) for row in book[sheet].iter_rows(values_only=True)]
    book.close()
    return [[], *rows]


def cell(folder: Path, name: str, sheet: str, reference: str) -> Any:
    """One cell by its A1 reference."""
    match = re.fullmatch(r"([A-Z]+)(\d+)", reference)
    assert match
    column = openpyxl.utils.column_index_from_string(match[1]) - 1
    return cells(folder, name, sheet)[int(match[2])][column]


def as_decimal(value: float) -> Decimal:
    """A cell's float as the exact decimal it stores, to the 18 places xsd:decimal holds here."""
    return Decimal(repr(value)).quantize(Decimal("1e-18"))  # compared as numbers, not text


def expected(value: float, unit: str, flags: str = "") -> dict[str, Any]:
    return {
        "value": as_decimal(value),
        "unit": unit,
        "status": "Available",
        "flags": {"Projected", *flags.split()},
    }


# --- the source and the excerpt ----------------------------------------------------------------


def test_source_is_registered_with_england_and_the_30_lsip_workbooks_of_source_md() -> None:
    source = sources()[SLUG]
    assert source.files == skills_imperative_2035.FILES
    assert all((bundled(SLUG) / name).is_file() for name in source.files)
    described = (bundled(SLUG) / "SOURCE.md").read_text(encoding="utf-8")
    prefixes = set(re.findall(r"`([A-Z]{2})_LSIP_", described))
    assert prefixes == set(skills_imperative_2035.LSIP_PREFIXES) and len(prefixes) == 30
    assert source.files[0] == ENGLAND


def test_excerpt_matches_golden() -> None:
    assert_matches_golden(excerpt_triples(), excerpt(SLUG) / "expected.nt")


def test_excerpt_passes_both_engines_alike_with_only_the_missing_licence_warned() -> None:
    data = gate.to_ntriples(excerpt_triples())
    ref = reference(excerpt(SLUG).parent, excerpt_triples())
    fast, slow = gate.validate(data, ref), gate.validate(data, ref, engine="pyshacl")
    assert mine(fast, excerpt_triples()) == mine(slow, excerpt_triples())
    results = mine(fast, excerpt_triples())
    assert {(r.severity, r.path) for r in results} == {
        ("Warning", "<http://purl.org/dc/terms/license>")
    }
    assert len(results) == len(skills_imperative_2035.TABLES)


def obs(table: str, area: str, statistic: str, period: str, *codes: str) -> NamedNode:
    return iris.observation_iri(SLUG, table, area, statistic, period, *codes)


# Planted faults, each for one of this source's shapes: (observation, triple to drop, triple to add).
UNFLAGGED = obs("occ-t2", "E69000031", "employment", "2015", "63", "sex-F")
NEGATIVE = obs("rd-t1", "E69000031", "replacement-demand", TOTAL_PERIOD, "53", "none")
WRONG_LEVEL = obs("occ-t1", "E69000031", "employment", "2020", "8", "sex-T")
WRONG_INDUSTRY = obs("ind-t1", "E69000031", "employment", "2020", "sector-construction")


def planted(triples: Iterable[Triple]) -> list[Triple]:
    """Four faults: a missing flag, a negative demand, a sub-major in Occ T1, a group in Ind T1."""
    out = []
    for t in triples:
        if t.subject == UNFLAGGED and t.object == SG.BelowPublicationThreshold:
            continue
        if t.subject == NEGATIVE and t.predicate.value.endswith("#obsValue"):
            t = Triple(t.subject, t.predicate, Literal("-0.1", datatype=XSD.decimal))
        if t.subject == WRONG_LEVEL and t.predicate == SG.occupation:
            t = Triple(t.subject, t.predicate, soc("63"))
        if t.subject == WRONG_INDUSTRY and t.predicate == SG.industry:
            t = Triple(t.subject, t.predicate, industry("group-construction"))
        out.append(t)
    return out


def test_planted_faults_fail_this_sources_shapes_alike_in_both_engines() -> None:
    triples = planted(excerpt_triples())
    data, ref = gate.to_ntriples(triples), reference(excerpt(SLUG).parent, triples)
    fast, slow = gate.validate(data, ref), gate.validate(data, ref, engine="pyshacl")
    assert mine(fast, triples) == mine(slow, triples)
    violations = {(r.focus, r.shape) for r in mine(fast, triples) if r.severity == "Violation"}
    shape = "<https://w3id.org/skillsgap/shapes/SkillsImperative{}Shape>".format
    assert violations == {
        (str(UNFLAGGED), shape("Threshold")),
        (str(NEGATIVE), shape("Sign")),
        (str(WRONG_LEVEL), shape("Table")),
        (str(WRONG_INDUSTRY), shape("Table")),
    }


def test_major_group_titles_are_soc2020_volume_1_titles() -> None:
    path = bundled("ons-soc2020") / ons_soc2020.VOLUME_1
    book = python_calamine.CalamineWorkbook.from_path(str(path))
    rows = book.get_sheet_by_name(ons_soc2020.DESCRIPTIONS).to_python()
    header = [" ".join(str(h).split()) for h in rows[0]]
    major, title = header.index("SOC 2020 Major Group"), header.index("SOC 2020 Group Title")
    titles = {str(r[title]).strip().casefold(): str(r[major]).removesuffix(".0")
              for r in rows[1:] if str(r[major]) not in ("", "<blank>")}  # fmt: skip
    assert titles == MAJOR_GROUPS


# --- the full bundled workbooks ----------------------------------------------------------------


def expected_counts(name: str) -> dict[str, int]:
    """Figures per table that SOURCE.md's counts imply for one workbook."""
    # SOURCE.md: 9 major and 26 sub-major groups, 9 qualification levels, 5 years; 6 sectors,
    # 22 groups and (England, its Ind T6 and Ind Occ tables) 75 industries.
    majors, sub_majors, levels, years = 9 + 1, 26 + 1, 9 + 1, len(YEARS)
    per_row = years + 3  # levels by year; net change, replacement demand, total requirement
    sexes, statuses = 3, 4  # all, males, females; FT, PT, SE, total
    blocks = (75 if name == ENGLAND else 22) + 1  # and All industries
    # Ind T6 has no all-industries block; England's adds a total to each group of several.
    detailed = 75 + len(several_industry_groups()) if name == ENGLAND else 22
    return {
        "occ-t1": majors * sexes * per_row,
        "occ-t2": sub_majors * sexes * per_row,
        "rd-t1": levels * sub_majors * 6,
        "qual-t1": levels * years,
        "ind-t1": (6 + 1) * per_row,
        "ind-t2": (22 + 1) * years,
        "ind-t6": detailed * years * statuses * sexes,
        "ind-occ-t1": blocks * majors * 3 * sexes,  # 3 years: 2015, 2020, 2035
        "ind-occ-t2": blocks * majors * 3 * statuses,
    }


@cache
def aggregation(name: str, title: str) -> dict[str, str]:
    """An 'aggregation' matrix read with openpyxl: member (column) -> aggregate (row) label."""
    rows = cells(bundled(SLUG), name, "aggregation")
    start = next(i for i, row in enumerate(rows) if row and row[0] == title)
    header, found = rows[start + 1], dict[str, str]()
    for row in rows[start + 2 :]:
        if not row or not row[0]:
            break
        # The column after the last member numbers the rows: it has no header.
        members = [c for c in range(1, len(row)) if row[c] == 1 and header[c]]
        found.update((str(header[c]).strip(), row[0]) for c in members)
    return found


def several_industry_groups() -> set[str]:
    members = Counter(
        aggregation(ENGLAND, "Aggregation 75 industries to 22 Industry groups").values()
    )
    return {group for group, n in members.items() if n > 1}


def test_full_counts_follow_from_source_md() -> None:
    for workbook in full_workbooks():
        counts = Counter(f.table for f in workbook.figures)
        assert counts == expected_counts(workbook.file), workbook.file
    assert len(full_workbooks()) == 31
    for name in (ENGLAND, GREATER_MANCHESTER):  # each figure is one observation
        triples, expected = bundled_triples(name), expected_counts(name)
        datasets = Counter(t.object for t in triples if t.predicate == QB_DATASET)
        assert datasets == {iris.dataset_iri(SLUG, table): n for table, n in expected.items()}
        assert len(observations(triples)) == sum(expected.values())


def test_industry_hierarchy_is_the_aggregation_sheets() -> None:
    stated = aggregation(TEES_VALLEY, "Aggregation 22 industry groups to 6 Industry sectors")
    assert {(g, s) for s, groups in SECTORS.items() for g in groups} == set(stated.items())
    store = store_of(bundled_triples(ENGLAND))
    query = """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?label ?parent WHERE { ?i a <%s> ; skos:prefLabel ?label ; skos:broader ?b .
        ?b skos:prefLabel ?parent . FILTER(STRSTARTS(STR(?i), "%s")) }"""
    rows = store.query(
        query % (skills_imperative_2035.INDUSTRY_CLASS.value, industry("industry-").value)
    )
    found = {(r["label"].value, r["parent"].value) for r in cast(QuerySolutions, rows)}
    detail = aggregation(ENGLAND, "Aggregation 75 industries to 22 Industry groups")
    assert found == set(detail.items()) and len(found) == 75


def test_ind_t4_and_t5_repeat_the_levels_of_the_loaded_tables() -> None:
    """Why Ind T4 and Ind T5 are not loaded: their levels are Ind T1, T2 and T6's."""
    folder, levels = bundled(SLUG), dict[str, list[Any]]()
    for sheet in ("Ind T1", "Ind T2"):
        for row in cells(folder, TEES_VALLEY, sheet)[5:29]:
            if row and row[0] and isinstance(row[1], float):
                levels.setdefault(row[0], row[1:6])
    t4 = [r for r in cells(folder, TEES_VALLEY, "Ind T4")[7:41] if r and r[0]]
    # 6 sectors, 22 groups and the total; Construction, sector and group alike, is one row.
    assert len(t4) == 28 and all(r[1:6] == pytest.approx(levels[r[0]]) for r in t4)
    t5, t6 = cells(folder, TEES_VALLEY, "Ind T5"), cells(folder, TEES_VALLEY, "Ind T6")
    # Agriculture, 2020, females: FT, PT, SE and total in both.
    assert [t5[31][c] for c in (1, 3, 5, 7)] == pytest.approx(t6[8][11:15])


QB_DATASET = QB.dataSet


@cache
def full_workbooks() -> list[skills_imperative_2035.Workbook]:
    """Every bundled workbook read (figures, not yet triples)."""
    areas = area_index(bundled(SLUG).parent)
    return [skills_imperative_2035.read_workbook(bundled(SLUG) / name, areas)
            for name in skills_imperative_2035.FILES]  # fmt: skip


def test_full_areas_are_england_and_the_lsip_areas_named_in_each_info_sheet() -> None:
    areas = {workbook.area for workbook in full_workbooks()}
    codes = sorted(a.value.rsplit("/", 1)[-1] for a in areas)
    assert len(codes) == 31 and codes[-1] == "E92000001"
    assert all(re.fullmatch(r"E69\d{6}", code) for code in codes[:-1])
    lsips = {row["LSIP23NM"].strip(): row["LSIP23CD"] for row in lsip_lookup()}
    for name in (GREATER_MANCHESTER, TEES_VALLEY, "GL_LSIP_MainTables.Main.xlsx"):
        area = read_about(bundled(SLUG) / name).area_name
        assert iris.area_iri(lsips[area]) in areas, area


def lsip_lookup() -> list[dict[str, Any]]:
    """The DfE LAD to LSIP lookup's rows (names and codes of the 2023 LSIP areas)."""
    path = bundled("dfe-lsip-lookups") / "LSIP_lookup.xlsx"
    rows = python_calamine.CalamineWorkbook.from_path(str(path)).get_sheet_by_name(
        "LA Districts to LSIPs").to_python()  # fmt: skip
    header = [str(h) for h in rows[0]]
    return [dict(zip(header, row, strict=False)) for row in rows[1:]]


def test_full_nothing_is_suppressed_and_flags_follow_the_warning_sheet() -> None:
    triples = bundled_triples(GREATER_MANCHESTER)
    statuses = Counter(t.object for t in triples if t.predicate.value.endswith("#obsStatus"))
    assert statuses == {SG.Available: len(observations(triples))}
    flags = Counter(t.object for t in triples if t.predicate == SG.reliability)
    assert flags[SG.Projected] == len(observations(triples)) + len(skills_imperative_2035.TABLES)
    assert 0 < flags[SG.LowReliability] < flags[SG.BelowPublicationThreshold]
    warning = [str(c) for row in cells(bundled(SLUG), ENGLAND, "Warning") for c in row if c]
    assert any("minimum of 10,000 individuals" in line for line in warning)
    assert any("minimum of 1,000 individuals" in line for line in warning)
    for workbook in full_workbooks():
        about = workbook.about
        assert (about.published_minimum, about.usable_minimum) == (Decimal(10), Decimal(1))


def level_flags(value: float) -> str:
    """The Warning sheet's thresholds (10,000 and 1,000 people) applied to a level in thousands."""
    return " ".join(f for f, under in (("BelowPublicationThreshold", value < 10),
                                       ("LowReliability", value < 1)) if under)  # fmt: skip


# Real cells of the Ind sheets: (workbook, sheet, cell, table, area, period, breakdown); all
# employment levels in thousands, so their flags follow from the value itself.
INDUSTRY_CELLS: list[tuple[str, str, str, str, str, str, dict[str, NamedNode]]] = [
    (GREATER_MANCHESTER, "Ind T1", "F10", "ind-t1", "E69000014", "2035",
     {"industry": industry("sector-trade-accomod-and-transport")}),
    (TEES_VALLEY, "Ind T2", "D5", "ind-t2", "E69000031", "2020",
     {"industry": industry("group-agriculture")}),
    (GREATER_MANCHESTER, "Ind T2", "F28", "ind-t2", "E69000014", "2035",
     {"industry": industry("all")}),
    (GREATER_MANCHESTER, "Ind T6", "D10", "ind-t6", "E69000014", "2015",
     {"industry": industry("group-agriculture"), "status": status("self-employed"),
      "sex": sex("T")}),
    (ENGLAND, "Ind T6", "E41", "ind-t6", "E92000001", "2015",
     {"industry": industry("group-food-drink-and-tobacco"), "status": status("all"),
      "sex": sex("T")}),
    (ENGLAND, "Ind T6", "B30", "ind-t6", "E92000001", "2015",
     {"industry": industry("industry-food-products"), "status": status("full-time"),
      "sex": sex("M")}),
    (GREATER_MANCHESTER, "Ind Occ T1", "G26", "ind-occ-t1", "E69000014", "2020",
     {"industry": industry("group-agriculture"), "occupation": soc("1"), "sex": sex("M")}),
    (ENGLAND, "Ind Occ T2", "O36", "ind-occ-t2", "E92000001", "2035",
     {"industry": industry("industry-agriculture-etc"), "occupation": ALL_OCCUPATIONS,
      "status": status("all")}),
    (TEES_VALLEY, "Ind Occ T2", "D16", "ind-occ-t2", "E69000031", "2015",
     {"industry": industry("all"), "occupation": soc("8"), "status": status("self-employed")}),
]  # fmt: skip


@pytest.mark.parametrize("case", INDUSTRY_CELLS, ids=lambda c: f"{c[0][:2]}-{c[1]}-{c[2]}")
def test_full_real_industry_cells_are_found_through_sparql(case: tuple[Any, ...]) -> None:
    name, sheet, ref, table, area, period, breakdown = case
    found = figure(area_store(name), table, area, "employment", period, **breakdown)
    value = cell(bundled(SLUG), name, sheet, ref)
    assert found == expected(value, "thousand-persons", level_flags(value))


def test_full_industry_replacement_demand_is_found_through_sparql() -> None:
    keys = {"industry": industry("sector-non-marketed-services")}
    found = figure(area_store(TEES_VALLEY), "ind-t1", "E69000031", "replacement-demand",
                   TOTAL_PERIOD, **keys)  # fmt: skip
    assert found == expected(cell(bundled(SLUG), TEES_VALLEY, "Ind T1", "I12"), "thousand-persons")


# Real cells, read with openpyxl: (workbook, sheet, cell, table, area, statistic, period,
# breakdown, unit, flags). Greater Manchester and England for each table; small cells of other
# areas for the threshold flags.
CELLS: list[tuple[str, str, str, str, str, str, str, dict[str, NamedNode], str, str]] = [
    (GREATER_MANCHESTER, "RD T1", "E9", "rd-t1", "E69000014", "replacement-demand",
     TOTAL_PERIOD, {"occupation": soc("21"), "qualification": qualification("all")},
     "thousand-persons", ""),
    (GREATER_MANCHESTER, "RD T1", "F33", "rd-t1", "E69000014", "total-requirement",
     TOTAL_PERIOD, {"occupation": ALL_OCCUPATIONS, "qualification": qualification("all")},
     "thousand-persons", ""),
    (GREATER_MANCHESTER, "RD T1", "G268", "rd-t1", "E69000014", "replacement-demand-rate",
     TOTAL_PERIOD, {"occupation": soc("11"), "qualification": qualification("none")},
     "proportion", "BelowPublicationThreshold"),
    (GREATER_MANCHESTER, "RD T1", "E60", "rd-t1", "E69000014", "replacement-demand",
     TOTAL_PERIOD, {"occupation": soc("91"), "qualification": qualification("rqf8")},
     "thousand-persons", "BelowPublicationThreshold LowReliability"),
    (ENGLAND, "Occ T1", "F18", "occ-t1", "E92000001", "employment", "2035",
     {"occupation": ALL_OCCUPATIONS, "sex": sex("T")}, "thousand-persons", ""),
    (ENGLAND, "Occ T1", "T15", "occ-t1", "E92000001", "replacement-demand", TOTAL_PERIOD,
     {"occupation": soc("8"), "sex": sex("M")}, "thousand-persons", ""),
    # About 7,000 women in 2020: even England has cells under the publication threshold.
    (ENGLAND, "Occ T2", "AD27", "occ-t2", "E92000001", "net-employment-change", TOTAL_PERIOD,
     {"occupation": soc("63"), "sex": sex("F")}, "thousand-persons", "BelowPublicationThreshold"),
    (ENGLAND, "Qual T1", "B5", "qual-t1", "E92000001", "employment", "2015",
     {"qualification": qualification("rqf8")}, "thousand-persons", ""),
    (TEES_VALLEY, "Occ T2", "X27", "occ-t2", "E69000031", "employment", "2015",
     {"occupation": soc("63"), "sex": sex("F")}, "thousand-persons",
     "BelowPublicationThreshold LowReliability"),
    (TEES_VALLEY, "Qual T1", "E13", "qual-t1", "E69000031", "employment", "2025",
     {"qualification": qualification("none")}, "thousand-persons", "BelowPublicationThreshold"),
]  # fmt: skip


@pytest.mark.parametrize("case", CELLS, ids=lambda c: f"{c[0][:2]}-{c[1]}-{c[2]}")
def test_full_real_cells_are_found_through_sparql(case: tuple[Any, ...]) -> None:
    name, sheet, ref, table, area, statistic, period, breakdown, unit, flags = case
    store = area_store(name)
    found = figure(store, table, area, statistic, period, **breakdown)
    assert found == expected(cell(bundled(SLUG), name, sheet, ref), unit, flags)


@cache
def area_store(name: str) -> Store:
    return store_of(bundled_triples(name))


def test_full_replacement_demand_rate_is_the_workbooks_annual_rate() -> None:
    store = area_store(GREATER_MANCHESTER)
    keys = {"occupation": soc("22"), "qualification": qualification("rqf6")}
    start = figure(store, "rd-t1", "E69000014", "employment", "2020", **keys)["value"]
    demand = figure(store, "rd-t1", "E69000014", "replacement-demand", TOTAL_PERIOD, **keys)
    rate = figure(store, "rd-t1", "E69000014", "replacement-demand-rate", TOTAL_PERIOD, **keys)
    annual = (1 + float(demand["value"]) / float(start)) ** (1 / 15) - 1
    assert float(rate["value"]) == pytest.approx(annual, rel=1e-9)


def test_headline_query_gives_replacement_demand_by_sub_major_group_for_manchester() -> None:
    store = store_of([*bundled_triples(GREATER_MANCHESTER), *soc_reference()])
    canned = catalog.load_catalog()["replacement-demand-by-lsip"]
    query, _ = catalog.bind(canned, {"area": "E69000014"}, lambda text, _p: iris.area_iri(text))
    rows = list(cast(QuerySolutions, store.query(query)))
    published = cells(bundled(SLUG), GREATER_MANCHESTER, "RD T1")[7:33]
    assert [r["code"].value for r in rows] == sorted(str(c[0])[:2] for c in published)
    by_code = {r["code"].value: r for r in rows}
    for number in range(7, 33):  # the 26 sub-major groups of the all-qualifications block
        row = cells(bundled(SLUG), GREATER_MANCHESTER, "RD T1")[number]
        found = by_code[str(row[0])[:2]]
        assert Decimal(found["replacementDemand"].value) == as_decimal(row[4])
        assert Decimal(found["totalRequirement"].value) == as_decimal(row[5])
        assert Decimal(found["employment2020"].value) == as_decimal(row[1])
    flags = set(by_code["63"]["reliability"].value.split(", "))
    assert flags == {"BelowPublicationThreshold", "Projected"}  # in no particular order


@pytest.mark.slow
def test_full_output_passes_the_gate() -> None:
    triples = tuple(skills_imperative_2035.read(bundled(SLUG)))
    ref = reference(bundled(SLUG).parent, list(triples))
    results = mine(gate.validate(gate.to_ntriples(triples), ref), list(triples))
    # The publisher states no licence: one warning per dataset, nothing else.
    assert {(r.severity, r.path) for r in results} == {
        ("Warning", "<http://purl.org/dc/terms/license>")
    }, results[:5]


# --- bad input ---------------------------------------------------------------------------------


def copy_excerpt(tmp_path: Path) -> Path:
    """The excerpt in ``tmp_path`` with the geography excerpts beside it (for area names)."""
    for slug in (SLUG, dfe_geography_lookups.SOURCE.slug, dfe_lsip_lookups.SOURCE.slug):
        shutil.copytree(excerpt(slug), tmp_path / slug)
    return tmp_path / SLUG


def edit(folder: Path, name: str, sheet: str, change: Callable[[Any], None]) -> None:
    book = openpyxl.load_workbook(folder / name)
    change(book[sheet])
    book.save(folder / name)


def read_error(folder: Path) -> SourceError:
    with pytest.raises(SourceError) as caught:
        read_files(folder, EXCERPT_FILES)
    return caught.value


def where(error: SourceError) -> tuple[Any, ...]:
    return error.file, error.sheet, error.row, error.column


def test_rejects_a_renamed_column(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    edit(folder, TEES_VALLEY, "RD T1", lambda ws: ws.__setitem__("F6", "Total"))
    error = read_error(folder)
    assert where(error) == (TEES_VALLEY, "RD T1", 6, "F")
    assert (error.expected, error.got) == ("'total requirement'", "Total")


def test_rejects_a_header_row_moved_down(tmp_path: Path) -> None:
    def move(ws: Any) -> None:
        for column in range(1, 33):
            ws.cell(7, column).value = ws.cell(6, column).value
            ws.cell(6, column).value = None

    folder = copy_excerpt(tmp_path)
    edit(folder, TEES_VALLEY, "Occ T2", move)
    error = read_error(folder)
    assert where(error) == (TEES_VALLEY, "Occ T2", 6, "H")
    assert error.expected == "'net'" and error.got == ""


def test_rejects_text_in_a_numeric_cell(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    edit(folder, TEES_VALLEY, "Occ T2", lambda ws: ws.__setitem__("D35", "n/a"))
    error = read_error(folder)
    assert where(error) == (TEES_VALLEY, "Occ T2", 35, "D")
    assert (error.expected, error.got) == ("a number", "n/a")


def test_rejects_a_formula_without_a_cached_value(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    edit(folder, ENGLAND, "RD T1", lambda ws: ws.__setitem__("E33", "=SUM(E7:E32)"))
    error = read_error(folder)
    assert where(error) == (ENGLAND, "RD T1", 33, "E")
    assert error.expected == "a number" and "without a cached value" in str(error)


def test_rejects_an_unknown_qualification_level(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    edit(folder, TEES_VALLEY, "RD T1", lambda ws: ws.__setitem__("A267", "NVQ4+ (Constrained)"))
    error = read_error(folder)
    assert where(error) == (TEES_VALLEY, "RD T1", 267, "A")
    assert error.got == "NVQ4+" and "unknown qualification level" in str(error)


def test_rejects_a_malformed_sub_major_code_and_an_unknown_major_title(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    edit(folder, TEES_VALLEY, "Occ T2", lambda ws: ws.__setitem__("A27", "6a Community"))
    error = read_error(folder)
    assert where(error) == (TEES_VALLEY, "Occ T2", 27, "A") and error.got == "6a Community"
    folder = copy_excerpt(tmp_path / "again")
    edit(folder, TEES_VALLEY, "Occ T1", lambda ws: ws.__setitem__("L15", "Operatives"))
    error = read_error(folder)
    assert where(error) == (TEES_VALLEY, "Occ T1", 15, "L") and "unknown occupation" in str(error)


def test_the_gate_rejects_a_sub_major_group_soc_2020_does_not_have(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    edit(folder, TEES_VALLEY, "Occ T2", lambda ws: ws.__setitem__("A27", "69 Community"))
    triples = read_files(folder, EXCERPT_FILES)
    report = gate.validate(gate.to_ntriples(triples), reference(excerpt(SLUG).parent, triples))
    violations = [r for r in mine(report, triples) if r.severity == "Violation"]
    assert violations and {r.value for r in violations} == {f"<{soc('69').value}>"}
    assert {r.path for r in violations} == {f"<{SG.occupation.value}>"}


def test_rejects_a_row_given_twice(tmp_path: Path) -> None:
    def repeat(ws: Any) -> None:
        for column in range(1, 33):
            ws.cell(28, column, ws.cell(27, column).value)

    folder = copy_excerpt(tmp_path)
    edit(folder, TEES_VALLEY, "Occ T2", repeat)
    error = read_error(folder)
    assert where(error) == (TEES_VALLEY, "Occ T2", 28, "A")
    assert "first at row 27" in str(error)


def test_rejects_an_area_name_no_geography_source_knows(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    edit(folder, TEES_VALLEY, "Info", lambda ws: ws.__setitem__("B5", "Teesside"))
    error = read_error(folder)
    assert where(error) == (TEES_VALLEY, "Info", 5, "B")
    assert error.got == "Teesside" and "unknown area name" in str(error)


def test_rejects_a_workbook_without_publication_thresholds(tmp_path: Path) -> None:
    def drop(ws: Any) -> None:
        for row in ws.iter_rows():
            for c in row:
                if isinstance(c.value, str) and "DATA:" in c.value:
                    c.value = None

    folder = copy_excerpt(tmp_path)
    edit(folder, ENGLAND, "Warning", drop)
    error = read_error(folder)
    assert (error.file, error.sheet) == (ENGLAND, "Warning")
    assert "publication thresholds not found" in str(error)


def test_rejects_a_missing_sheet(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    book = openpyxl.load_workbook(folder / TEES_VALLEY)
    del book["Qual T1"]
    book.save(folder / TEES_VALLEY)
    error = read_error(folder)
    assert (error.file, error.expected) == (TEES_VALLEY, "a sheet named 'Qual T1'")


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: b"",
        lambda data: data[: len(data) // 2],
        lambda data: b"LSIP name,Greater Manchester\n2020,2035\n",
    ],
    ids=["empty", "truncated", "csv"],
)
def test_rejects_a_file_that_is_not_a_workbook(
    tmp_path: Path, damage: Callable[[bytes], bytes]
) -> None:
    folder = copy_excerpt(tmp_path)
    path = folder / TEES_VALLEY
    path.write_bytes(damage(path.read_bytes()))
    error = read_error(folder)
    assert error.file == TEES_VALLEY and "not a readable workbook" in str(error)


def test_rejects_text_in_a_numeric_industry_cell(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    edit(folder, TEES_VALLEY, "Ind Occ T1", lambda ws: ws.__setitem__("G26", "n/a"))
    error = read_error(folder)
    assert where(error) == (TEES_VALLEY, "Ind Occ T1", 26, "G")
    assert (error.expected, error.got) == ("a number", "n/a")


def test_rejects_an_industry_formula_without_a_cached_value(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    edit(folder, ENGLAND, "Ind T6", lambda ws: ws.__setitem__("E41", "=SUM(E39:E40)"))
    error = read_error(folder)
    assert where(error) == (ENGLAND, "Ind T6", 41, "E")
    assert error.expected == "a number" and "without a cached value" in str(error)


def test_rejects_an_unknown_industry_and_an_unknown_status_column(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    edit(folder, TEES_VALLEY, "Ind T2", lambda ws: ws.__setitem__("A12", "Building"))
    error = read_error(folder)
    assert where(error) == (TEES_VALLEY, "Ind T2", 12, "A") and error.got == "Building"
    assert "unknown industry" in str(error)
    folder = copy_excerpt(tmp_path / "again")
    edit(folder, TEES_VALLEY, "Ind Occ T2", lambda ws: ws.__setitem__("C7", "Part time"))
    error = read_error(folder)
    assert where(error) == (TEES_VALLEY, "Ind Occ T2", 7, "C") and error.got == "Part time"


def test_rejects_an_industry_block_without_its_total_row(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    edit(folder, TEES_VALLEY, "Ind T6", lambda ws: ws.__setitem__("A10", None))
    error = read_error(folder)
    assert (error.file, error.sheet, error.column) == (TEES_VALLEY, "Ind T6", "A")
    assert "table not closed" in str(error)


def test_a_bad_workbook_stops_the_read_before_any_triple(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    edit(folder, TEES_VALLEY, "Qual T1", lambda ws: ws.__setitem__("B15", "x"))
    with pytest.raises(SourceError):
        skills_imperative_2035.read_files(folder, EXCERPT_FILES)  # raises before iteration


def test_errors_are_readable_source_errors_not_tracebacks(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    edit(folder, TEES_VALLEY, "Occ T1", lambda ws: ws.__setitem__("C18", "lots"))
    text = str(read_error(folder))
    assert text == (
        f"{TEES_VALLEY}, sheet 'Occ T1', row 18, column 'C': employment in 2019: not a number; "
        "expected a number, got 'lots'"
    )
