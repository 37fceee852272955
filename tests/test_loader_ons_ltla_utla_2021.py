"""The ons-ltla-utla-2021 loader: districts within counties (2021), Welsh authorities, JSON errors."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from pyoxigraph import Literal, NamedNode, Triple

from skillsgap import gate, iris
from skillsgap.errors import SourceError
from skillsgap.loaders import ons_ltla_utla_2021, sources
from skillsgap.namespaces import SG, SKOS, XSD

from .conftest import assert_matches_golden, bundled, excerpt
from .test_loader_dfe_geography_lookups import (
    copy_excerpt,
    engine_neutral,
    our_results,
    primary_triples,
    reference_for,
)

SLUG = "ons-ltla-utla-2021"
RECORDS = ons_ltla_utla_2021.RECORDS_FILE


def records(folder: Path | None = None) -> list[dict[str, str]]:
    return json.loads(((folder or bundled(SLUG)) / RECORDS).read_text(encoding="utf-8"))


@cache
def full_triples() -> tuple[Triple, ...]:
    return tuple(ons_ltla_utla_2021.read(bundled(SLUG)))


def objects(subject: NamedNode, predicate: NamedNode) -> set:
    return {t.object for t in full_triples() if t.subject == subject and t.predicate == predicate}


def area(code: str) -> NamedNode:
    return iris.area_iri(code)


# --- the excerpt -----------------------------------------------------------------------------


def test_excerpt_matches_golden() -> None:
    assert_matches_golden(ons_ltla_utla_2021.read(excerpt(SLUG)), excerpt(SLUG) / "expected.nt")


def test_excerpt_passes_gate_alike_with_both_engines() -> None:
    triples = list(ons_ltla_utla_2021.read(excerpt(SLUG)))
    data, reference = gate.to_ntriples(triples), gate.to_ntriples(reference_for(triples))
    fast = gate.validate(data, reference)
    slow = gate.validate(data, reference, engine="pyshacl")
    assert engine_neutral(our_results(fast, triples)) == engine_neutral(our_results(slow, triples))
    assert not [r for r in our_results(fast, triples) if r.severity == "Violation"]


def test_source_depends_on_the_primary() -> None:
    assert sources()[SLUG].depends_on == ("dfe-geography-lookups",)


# --- the full bundled file -------------------------------------------------------------------


def test_record_count_is_the_one_source_md_states() -> None:
    text = (bundled(SLUG) / "SOURCE.md").read_text(encoding="utf-8")
    assert len(records()) == int(re.search(r"array of (\d+) records", text)[1])  # type: ignore[index]


def test_districts_lie_in_their_county_as_listed_in_2021() -> None:
    two_tier = [r for r in records() if r["LTLA21CD"] != r["UTLA21CD"]]
    assert len(two_tier) > 150
    for record in two_tier:
        district, county = area(record["LTLA21CD"]), area(record["UTLA21CD"])
        assert objects(district, SKOS.broader) == {county}
        membership = iris.area_membership_iri(record["LTLA21CD"], record["UTLA21CD"])
        assert objects(membership, SG.lookupVintage) == {Literal("2021", datatype=XSD.gYear)}


def test_unitary_authorities_are_not_their_own_parents() -> None:
    unitary = [area(r["LTLA21CD"]) for r in records() if r["LTLA21CD"] == r["UTLA21CD"]]
    assert not any(node in objects(node, SKOS.broader) for node in unitary)


def test_only_welsh_authorities_are_named_here() -> None:
    welsh = {r["LTLA21CD"]: r["LTLA21NM"] for r in records() if r["LTLA21CD"].startswith("W")}
    assert len(welsh) == 22
    named = {t.subject: t.object for t in full_triples() if t.predicate == SKOS.prefLabel}
    expected = {area(code): Literal(name, language="en") for code, name in welsh.items()}
    assert named == expected | {area("W92000004"): Literal("Wales", language="en")}
    for code in welsh:
        assert objects(area(code), SKOS.inScheme) == {
            iris.area_scheme_iri("lad"),
            iris.area_scheme_iri("utla"),
        }


def test_full_output_passes_the_gate_with_the_primary_as_reference() -> None:
    triples = full_triples()
    report = gate.validate(gate.to_ntriples(triples), gate.to_ntriples(primary_triples()))
    assert our_results(report, triples) == []


# --- bad input -------------------------------------------------------------------------------


def read_error(folder: Path) -> SourceError:
    with pytest.raises(SourceError) as caught:
        list(ons_ltla_utla_2021.read(folder))
    return caught.value


def rewrite(folder: Path, change: Callable[[list[Any]], object]) -> None:
    """Change the excerpt's records and write them back as JSON."""
    found = records(folder)
    change(found)
    (folder / RECORDS).write_text(json.dumps(found, indent=2), encoding="utf-8")


def test_rejects_records_without_a_field(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path, SLUG)
    rewrite(folder, lambda found: [record.pop("UTLA21CD") for record in found])
    error = read_error(folder)
    assert (error.file, error.row, error.column) == (RECORDS, 1, "UTLA21CD")


def test_rejects_record_missing_a_field_with_its_index(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path, SLUG)
    rewrite(folder, lambda found: found[2].pop("LTLA21NM"))
    error = read_error(folder)
    assert (error.file, error.row, error.column) == (RECORDS, 3, "LTLA21NM")


def test_rejects_malformed_code(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path, SLUG)
    rewrite(folder, lambda found: found[1].update(UTLA21CD="11a"))
    error = read_error(folder)
    assert (error.file, error.row, error.column, error.got) == (RECORDS, 2, "UTLA21CD", "11a")


def test_rejects_record_that_is_not_an_object(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path, SLUG)
    rewrite(folder, lambda found: found.__setitem__(1, ["E06000002", "Middlesbrough"]))
    error = read_error(folder)
    assert (error.file, error.row) == (RECORDS, 2) and "object" in str(error.expected)


def test_gate_rejects_district_in_a_county_the_primary_lacks(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path, SLUG)
    county = next(r["UTLA21CD"] for r in records(folder) if r["UTLA21CD"].startswith("E10"))
    text = (folder / RECORDS).read_text(encoding="utf-8").replace(county, "E10000099")
    (folder / RECORDS).write_text(text, encoding="utf-8")
    triples = list(ons_ltla_utla_2021.read(folder))
    report = gate.validate(gate.to_ntriples(triples), gate.to_ntriples(primary_triples()))
    broken = [r for r in report.results if r.value == str(area("E10000099"))]
    assert {(r.severity, r.path) for r in broken} >= {("Violation", str(SKOS.broader))}


def test_rejects_empty_file(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path, SLUG)
    (folder / RECORDS).write_bytes(b"")
    error = read_error(folder)
    assert (error.file, error.message) == (RECORDS, "empty file")
    assert "JSON array" in str(error.expected)


def test_rejects_empty_array(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path, SLUG)
    (folder / RECORDS).write_text("[]\n", encoding="utf-8")
    error = read_error(folder)
    assert (error.file, error.message, error.got) == (RECORDS, "no records", "[]")


def test_rejects_truncated_json(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path, SLUG)
    real = (bundled(SLUG) / RECORDS).read_bytes()
    (folder / RECORDS).write_bytes(real[: len(real) // 2])
    error = read_error(folder)
    assert error.file == RECORDS and "not valid JSON" in error.message


def test_rejects_csv_under_the_json_name(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path, SLUG)
    (folder / RECORDS).write_bytes(b"LTLA21CD,UTLA21CD\nE07000026,E10000006\n")
    error = read_error(folder)
    assert error.file == RECORDS and "not valid JSON at line 1" in error.message


def test_errors_read_as_sentences_not_tracebacks(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path, SLUG)
    rewrite(folder, lambda found: found[0].update(LTLA21CD="E6000001"))
    text = str(read_error(folder))
    assert text.startswith(f"{RECORDS}, row 1, column 'LTLA21CD': expected ")
    assert "got 'E6000001'" in text and "Traceback" not in text
