"""The ons-geography-lad-region loader: 2018 districts within their regions, and its errors."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Triple

from skillsgap import gate, iris
from skillsgap.errors import SourceError
from skillsgap.loaders import ons_geography_lad_region, sources
from skillsgap.namespaces import SG, SKOS, XSD

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

SLUG = "ons-geography-lad-region"
LOOKUP = ons_geography_lad_region.LOOKUP_FILE


@cache
def full_triples() -> tuple[Triple, ...]:
    return tuple(ons_geography_lad_region.read(bundled(SLUG)))


def objects(subject: NamedNode, predicate: NamedNode) -> set:
    return {t.object for t in full_triples() if t.subject == subject and t.predicate == predicate}


def area(code: str) -> NamedNode:
    return iris.area_iri(code)


# --- the excerpt -----------------------------------------------------------------------------


def test_excerpt_matches_golden() -> None:
    triples = ons_geography_lad_region.read(excerpt(SLUG))
    assert_matches_golden(triples, excerpt(SLUG) / "expected.nt")


def test_excerpt_passes_gate_alike_with_both_engines() -> None:
    triples = list(ons_geography_lad_region.read(excerpt(SLUG)))
    data, reference = gate.to_ntriples(triples), gate.to_ntriples(reference_for(triples))
    fast = gate.validate(data, reference)
    slow = gate.validate(data, reference, engine="pyshacl")
    assert engine_neutral(our_results(fast, triples)) == engine_neutral(our_results(slow, triples))
    assert not [r for r in our_results(fast, triples) if r.severity == "Violation"]


def test_source_depends_on_the_primary() -> None:
    assert sources()[SLUG].depends_on == ("dfe-geography-lookups",)


# --- the full bundled file -------------------------------------------------------------------


def test_row_count_is_the_one_source_md_states() -> None:
    text = (bundled(SLUG) / "SOURCE.md").read_text(encoding="utf-8")
    stated = int(re.search(r"(\d+) rows", text)[1])  # type: ignore[index]
    assert len(file_rows(LOOKUP, bundled(SLUG))) == stated


def test_every_district_lies_in_its_region() -> None:
    for row in file_rows(LOOKUP, bundled(SLUG)):
        assert objects(area(row["LAD18CD"]), SKOS.broader) == {area(row["RGN18CD"])}
        assert area(row["LAD18CD"]) in objects(area(row["RGN18CD"]), SKOS.narrower)
        membership = iris.area_membership_iri(row["LAD18CD"], row["RGN18CD"])
        assert objects(membership, SG.lookupVintage) == {Literal("2018", datatype=XSD.gYear)}


def test_names_nothing_the_primary_names() -> None:
    assert not [t for t in full_triples() if t.predicate in (SKOS.prefLabel, SKOS.altLabel)]


def test_full_output_passes_the_gate_with_the_primary_as_reference() -> None:
    triples = full_triples()
    report = gate.validate(gate.to_ntriples(triples), gate.to_ntriples(primary_triples()))
    assert our_results(report, triples) == []


# --- bad input -------------------------------------------------------------------------------


def read_error(folder: Path) -> SourceError:
    with pytest.raises(SourceError) as caught:
        list(ons_geography_lad_region.read(folder))
    return caught.value


def test_rejects_lookup_without_a_column(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path, SLUG)
    replace_in(folder / LOOKUP, "RGN18CD", "RGNCD")
    error = read_error(folder)
    assert (error.file, error.row) == (LOOKUP, 1) and "RGN18CD" in str(error.expected)


def test_rejects_malformed_code(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path, SLUG)
    replace_in(folder / LOOKUP, "E09000002,", "11a,")
    error = read_error(folder)
    assert (error.file, error.row, error.column, error.got) == (LOOKUP, 3, "LAD18CD", "11a")


def test_gate_rejects_district_in_a_region_that_does_not_exist(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path, SLUG)
    replace_in(folder / LOOKUP, ",E12000007,", ",E12000099,")
    triples = list(ons_geography_lad_region.read(folder))
    report = gate.validate(gate.to_ntriples(triples), gate.to_ntriples(primary_triples()))
    first = file_rows(LOOKUP, folder)[0]["LAD18CD"]
    broken = [
        r for r in report.results if r.focus == str(area(first)) and r.severity == "Violation"
    ]
    assert {(r.path, r.value) for r in broken} == {(str(SKOS.broader), str(area("E12000099")))}


def test_rejects_empty_file(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path, SLUG)
    (folder / LOOKUP).write_bytes(b"")
    error = read_error(folder)
    assert error.file == LOOKUP and "empty" in error.message


def test_rejects_row_cut_short(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path, SLUG)
    text = (folder / LOOKUP).read_text(encoding="utf-8-sig")
    (folder / LOOKUP).write_text(text[: text.index(",E12000007,London,2")], encoding="utf-8")
    error = read_error(folder)
    assert (error.file, error.row, error.column, error.got) == (LOOKUP, 3, "RGN18CD", "")


def test_rejects_workbook_under_the_csv_name(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path, SLUG)
    workbook = excerpt("dfe-lsip-lookups") / "LSIP_lookup.xlsx"
    (folder / LOOKUP).write_bytes(workbook.read_bytes())
    error = read_error(folder)
    assert error.file == LOOKUP and error.expected == "CSV text"


def test_errors_read_as_sentences_not_tracebacks(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path, SLUG)
    replace_in(folder / LOOKUP, ",E12000007,London,1", ",E1200007,London,1")
    text = str(read_error(folder))
    assert text.startswith(f"{LOOKUP}, row 2, column 'RGN18CD': expected ")
    assert "got 'E1200007'" in text and "Traceback" not in text
