"""The dfe-lsip-lookups loader, and the four geography sources queried together."""

from __future__ import annotations

import csv
import json
import re
from functools import cache
from pathlib import Path

import openpyxl
import pytest
from pyoxigraph import Literal, NamedNode, Quad, Store, Triple, Variable

from skillsgap import gate, iris
from skillsgap.errors import SourceError
from skillsgap.loaders import (
    dfe_geography_lookups,
    dfe_lsip_lookups,
    ons_geography_lad_region,
    ons_ltla_utla_2021,
    sources,
)
from skillsgap.namespaces import DCT, SG, SKOS, XSD

from .conftest import assert_matches_golden, bundled, excerpt
from .test_loader_dfe_geography_lookups import (
    copy_excerpt,
    engine_neutral,
    file_rows,
    our_results,
    primary_triples,
    reference_for,
    replace_in,
)

SLUG = "dfe-lsip-lookups"
LSIP_FILE = dfe_lsip_lookups.LSIP_FILE
CA_FILE = dfe_lsip_lookups.CA_FILE
SUCCESSION_FILE = dfe_lsip_lookups.SUCCESSION_FILE
GEOGRAPHY = {
    "dfe-geography-lookups": dfe_geography_lookups,
    "dfe-lsip-lookups": dfe_lsip_lookups,
    "ons-ltla-utla-2021": ons_ltla_utla_2021,
    "ons-geography-lad-region": ons_geography_lad_region,
}


# --- the real files read independently, and the loader's output --------------------------------


def workbook_rows(folder: Path | None = None) -> list[dict[str, str]]:
    """The LSIP lookup sheet with openpyxl, header on the first row, cells stripped."""
    book = openpyxl.load_workbook((folder or bundled(SLUG)) / LSIP_FILE, read_only=True)
    rows = list(book[dfe_lsip_lookups.LSIP_SHEET].iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    return [
        {h: str(v or "").strip() for h, v in zip(header, row, strict=False)}
        for row in rows[1:]
        if any(row)
    ]


def lookup_rows(name: str) -> list[dict[str, str]]:
    with (bundled(SLUG) / name).open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


@cache
def full_triples() -> tuple[Triple, ...]:
    return tuple(dfe_lsip_lookups.read(bundled(SLUG)))


def objects(subject: NamedNode, predicate: NamedNode) -> set:
    return {t.object for t in full_triples() if t.subject == subject and t.predicate == predicate}


def area(code: str) -> NamedNode:
    return iris.area_iri(code)


def english(text: str) -> Literal:
    return Literal(text, language="en")


# --- the excerpt -----------------------------------------------------------------------------


def test_excerpt_matches_golden() -> None:
    assert_matches_golden(dfe_lsip_lookups.read(excerpt(SLUG)), excerpt(SLUG) / "expected.nt")


def test_excerpt_passes_gate_alike_with_both_engines() -> None:
    triples = list(dfe_lsip_lookups.read(excerpt(SLUG)))
    data = gate.to_ntriples(triples)
    reference = gate.to_ntriples(reference_for(triples))
    fast = gate.validate(data, reference)
    slow = gate.validate(data, reference, engine="pyshacl")
    assert engine_neutral(our_results(fast, triples)) == engine_neutral(our_results(slow, triples))
    assert not [r for r in our_results(fast, triples) if r.severity == "Violation"]


def test_source_depends_on_the_primary_and_lists_its_files() -> None:
    source = sources()[SLUG]
    assert source.depends_on == ("dfe-geography-lookups",)
    assert all((bundled(SLUG) / name).is_file() for name in source.files)


# --- the full bundled files ------------------------------------------------------------------


def test_row_counts_are_those_source_md_states() -> None:
    text = (bundled(SLUG) / "SOURCE.md").read_text(encoding="utf-8")
    stated = dict(re.findall(r"\| `([^`]+)` \| (\d+) \|", text))
    assert len(workbook_rows()) == int(stated[LSIP_FILE])
    assert len(lookup_rows(CA_FILE)) == int(stated[CA_FILE])
    assert len(lookup_rows(SUCCESSION_FILE)) == int(stated[SUCCESSION_FILE])


def test_2023_lsip_memberships_are_kept_but_not_as_broader() -> None:
    for row in workbook_rows():
        membership = iris.area_membership_iri(row["LAD23CD"], row["LSIP23CD"])
        assert objects(membership, SG.lookupVintage) == {Literal("2023", datatype=XSD.gYear)}
        assert area(row["LSIP23CD"]) not in objects(area(row["LAD23CD"]), SKOS.broader)


def test_districts_lie_in_their_combined_authority() -> None:
    for row in lookup_rows(CA_FILE):
        assert objects(area(row["LAD25CD"]), SKOS.broader) == {area(row["CAUTH25CD"])}
        membership = iris.area_membership_iri(row["LAD25CD"], row["CAUTH25CD"])
        assert objects(membership, SG.lookupVintage) == {Literal("2025", datatype=XSD.gYear)}


def test_combined_authorities_carry_the_primary_names_or_their_own() -> None:
    primary_labels = {
        t.subject: t.object for t in primary_triples() if t.predicate == SKOS.prefLabel
    }
    authorities = {row["CAUTH25CD"]: row["CAUTH25NM"].strip() for row in lookup_rows(CA_FILE)}
    new = [code for code in authorities if area(code) not in primary_labels]
    assert (
        len(new) == 4
    )  # Devon and Torbay, Hull and East Yorkshire, Greater Lincolnshire, Lancashire
    for code, name in authorities.items():
        assert objects(area(code), SKOS.prefLabel) == {english(name)}
        assert primary_labels.get(area(code), english(name)) == english(name)


def test_changed_codes_are_replaced_and_unchanged_ones_are_not() -> None:
    rows = lookup_rows(SUCCESSION_FILE)
    changed = [(r["LAD11CD"], r["LAD21CD"]) for r in rows if r["LAD11CD"] != r["LAD21CD"]]
    assert len(changed) > 25
    for old, new in changed:
        assert area(new) in objects(area(old), DCT.isReplacedBy)
        assert area(old) in objects(area(new), DCT.replaces)
    unchanged = {r["LAD11CD"] for r in rows} - {old for old, _new in changed}
    assert not any(objects(area(code), DCT.isReplacedBy) for code in unchanged)


def test_welsh_districts_are_named_here_in_english_and_welsh() -> None:
    welsh = [r for r in lookup_rows(SUCCESSION_FILE) if r["LAD21CD"].startswith("W")]
    assert len(welsh) == 22
    for row in welsh:
        node = area(row["LAD21CD"])
        assert objects(node, SKOS.prefLabel) == {english(row["LAD21NM"])}
        alternatives = {english(row["LAD11NM"])} - {english(row["LAD21NM"])}
        alternatives |= {Literal(n, language="cy") for n in {row["LAD21NMW"]} - {row["LAD21NM"]}}
        assert objects(node, SKOS.altLabel) == alternatives
        assert objects(node, SKOS.broader) == {area("W92000004")}


def test_english_districts_get_no_labels_here() -> None:
    labelled = {t.subject for t in full_triples() if t.predicate in (SKOS.prefLabel, SKOS.altLabel)}
    english_codes = {r["LAD23CD"] for r in workbook_rows()} | {
        r["LAD11CD"] for r in lookup_rows(SUCCESSION_FILE)
    }
    assert not labelled & {area(code) for code in english_codes if code.startswith("E")}


def test_full_output_passes_the_gate_with_the_primary_as_reference() -> None:
    triples = full_triples()
    report = gate.validate(gate.to_ntriples(triples), gate.to_ntriples(primary_triples()))
    assert our_results(report, triples) == []


# --- the four geography sources queried as one union -----------------------------------------


@cache
def union_store() -> Store:
    """An in-memory store holding each geography source in its own named graph."""
    store = Store()
    for slug, module in GEOGRAPHY.items():
        graph = iris.graph_iri(slug)
        store.extend(
            Quad(t.subject, t.predicate, t.object, graph) for t in module.read(bundled(slug))
        )
    return store


PREFIXES = """
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX sg: <https://w3id.org/skillsgap/def/>
PREFIX statdef: <http://statistics.data.gov.uk/def/statistical-geography#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""
ABOVE = "SELECT ?lad ?above ?name { ?lad skos:broader+ ?above . ?above skos:prefLabel ?name }"
MEMBERS_2023 = """SELECT ?lsip ?lad {
    ?m sg:containingArea ?lsip ; sg:memberArea ?lad ; sg:lookupVintage "2023"^^xsd:gYear
}"""
LIVE_NARROWER = 'SELECT ?lsip ?lad { ?lsip skos:narrower ?lad . ?lad statdef:status "live" }'


def query(text: str, **bindings: NamedNode) -> list[tuple]:
    solutions = union_store().query(
        PREFIXES + text,
        use_default_graph_as_union=True,
        substitutions={Variable(name): value for name, value in bindings.items()},
    )
    return [tuple(solution) for solution in solutions]  # type: ignore[union-attr]


def test_walks_from_a_district_to_its_lsip_county_region_and_england() -> None:
    counties = {
        r["LTLA21CD"]: r
        for r in json.loads((bundled("ons-ltla-utla-2021") / "records.json").read_text())
    }
    regions = {r["LAD18CD"]: r for r in file_rows("016.csv", bundled("ons-geography-lad-region"))}
    # A district whose 2023 LSIP area is its 2025 one too, unrenamed, so names and links agree.
    renamed = {r["lsip_code"] for r in file_rows("lsips.csv") if r["status"] == "renamed"}
    kept = {
        (r["lad_code"], r["lsip_code"])
        for r in file_rows("lsip_lad_hierarchy.csv")
        if r["first_available_year_included"] == "2023" and r["most_recent_year_included"] == "2025"
    }
    row = next(
        r
        for r in workbook_rows()
        if r["LAD23CD"].startswith("E07")
        and r["LAD23CD"] in regions
        and (r["LAD23CD"], r["LSIP23CD"]) in kept
        and r["LSIP23CD"] not in renamed
    )
    county, region = counties[row["LAD23CD"]], regions[row["LAD23CD"]]
    above = dict(solution[1:] for solution in query(ABOVE, lad=area(row["LAD23CD"])))
    assert above[area(row["LSIP23CD"])] == english(row["LSIP23NM"])
    assert above[area(county["UTLA21CD"])] == english(county["UTLA21NM"])
    assert above[area(region["RGN18CD"])] == english(region["RGN18NM"])
    assert above[area("E92000001")] == english("England")


def test_lsip_districts_match_the_lookup_workbook() -> None:
    expected: dict[str, set[str]] = {}
    for row in workbook_rows():
        expected.setdefault(row["LSIP23CD"], set()).add(row["LAD23CD"])
    found: dict[str, set[str]] = {}
    for lsip, lad in query(MEMBERS_2023):
        found.setdefault(lsip.value.rsplit("/", 1)[1], set()).add(lad.value.rsplit("/", 1)[1])
    assert found == expected


def test_unchanged_lsips_list_the_workbook_districts_as_narrower() -> None:
    current: dict[str, set[str]] = {}
    for row in file_rows("lsip_lad_hierarchy.csv"):
        if row["most_recent_year_included"] == "2025":
            current.setdefault(row["lsip_code"], set()).add(row["lad_code"])
    expected: dict[str, set[str]] = {}
    for row in workbook_rows():
        expected.setdefault(row["LSIP23CD"], set()).add(row["LAD23CD"])
    unchanged = [code for code, lads in expected.items() if current.get(code) == lads]
    assert len(unchanged) >= 20
    for code in unchanged:
        narrower = query(LIVE_NARROWER, lsip=area(code))
        assert {lad.value.rsplit("/", 1)[1] for (_lsip, lad) in narrower} == expected[code]


# --- bad input -------------------------------------------------------------------------------


def read_error(folder: Path) -> SourceError:
    with pytest.raises(SourceError) as caught:
        list(dfe_lsip_lookups.read(folder))
    return caught.value


def set_workbook_cell(path: Path, cell: str, value: str) -> None:
    book = openpyxl.load_workbook(path)
    book[dfe_lsip_lookups.LSIP_SHEET][cell] = value
    book.save(path)


def test_rejects_lookup_without_a_column(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path, SLUG)
    replace_in(folder / CA_FILE, "CAUTH25CD", "CAUTHCD")
    error = read_error(folder)
    assert (error.file, error.row) == (CA_FILE, 1) and "CAUTH25CD" in str(error.expected)


def test_rejects_malformed_district_code_in_workbook(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path, SLUG)
    set_workbook_cell(folder / LSIP_FILE, "A3", "11a")
    error = read_error(folder)
    assert (error.file, error.sheet, error.row, error.column, error.got) == (
        LSIP_FILE,
        dfe_lsip_lookups.LSIP_SHEET,
        3,
        "LAD23CD",
        "11a",
    )


def test_gate_rejects_district_in_an_lsip_the_primary_lacks(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path, SLUG)
    set_workbook_cell(folder / LSIP_FILE, "C2", "E69000099")
    triples = list(dfe_lsip_lookups.read(folder))
    report = gate.validate(gate.to_ntriples(triples), gate.to_ntriples(primary_triples()))
    lad = workbook_rows(folder)[0]["LAD23CD"]
    membership = str(iris.area_membership_iri(lad, "E69000099"))
    assert [(r.severity, r.path) for r in report.results if r.focus == membership] == [
        ("Violation", str(SG.containingArea)),
    ]


def test_rejects_empty_lookup(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path, SLUG)
    (folder / CA_FILE).write_bytes(b"")
    error = read_error(folder)
    assert error.file == CA_FILE and "empty" in error.message


def test_rejects_truncated_workbook(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path, SLUG)
    real = (bundled(SLUG) / LSIP_FILE).read_bytes()
    (folder / LSIP_FILE).write_bytes(real[: len(real) // 2])
    error = read_error(folder)
    assert error.file == LSIP_FILE and "workbook" in str(error.expected)


def test_rejects_csv_under_the_workbook_name(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path, SLUG)
    (folder / LSIP_FILE).write_bytes((folder / CA_FILE).read_bytes())
    error = read_error(folder)
    assert error.file == LSIP_FILE and "not a readable workbook" in error.message


def test_errors_read_as_sentences_not_tracebacks(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path, SLUG)
    replace_in(
        folder / SUCCESSION_FILE,
        "E06000001,Hartlepool,,E06000001",
        "E06000001,Hartlepool,,E0600001",
    )
    text = str(read_error(folder))
    assert text.startswith(f"{SUCCESSION_FILE}, row 2, column 'LAD21CD': expected ")
    assert "got 'E0600001'" in text and "Traceback" not in text
