"""Published occupation mappings (CSV): qualification/standard → SOC 2020 links through the gate."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Triple

from skillsgap import gate, iris
from skillsgap.errors import SourceError
from skillsgap.loaders import dfe_funded_qualifications, occupation_mapping
from skillsgap.namespaces import CETERMS, DCT, RDF, SG, SKOS, XSD

from .conftest import bundled, excerpt, soc2020_groups

MAPPING = excerpt("occupation-mapping") / "mapping.csv"
CREDENTIAL_WARNING = "<https://w3id.org/skillsgap/shapes/mapped-link-credential>"


def rows(path: Path = MAPPING) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def credential(row: dict[str, str]) -> NamedNode:
    scheme = "lars-aim" if row["reference_type"] == "qualification" else "lars-standard"
    return iris.credential_iri(scheme, row["reference"].replace("/", ""))


def soc_groups_used(codes: set[str]) -> list[Triple]:
    """The real SOC 2020 scheme, its levels, and the groups ``codes`` name with their ancestors."""
    groups = {iris.soc_iri("2020", code[:n]) for code in codes for n in range(1, len(code) + 1)}
    scheme, levels = iris.soc_scheme_iri("2020"), "/soc2020/level"
    return [
        t
        for t in soc2020_groups()
        if t.subject in groups or t.subject == scheme or levels in str(t.subject)
    ]


def described(triples: Iterator[Triple], nodes: set[NamedNode]) -> list[Triple]:
    """The type and name sources give ``nodes``: what tells the gate a credential is loaded."""
    wanted = (RDF.type, CETERMS.name)
    return [t for t in triples if t.subject in nodes and t.predicate in wanted]


def lars_standards() -> Iterator[Triple]:
    """The LARS standards as dfe-lars names them (type and name), from the real Standard.csv."""
    with (bundled("dfe-lars") / "Standard.csv").open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            node = iris.credential_iri("lars-standard", row["StandardCode"])
            yield Triple(node, RDF.type, CETERMS.ApprenticeshipCertificate)
            yield Triple(node, CETERMS.name, Literal(row["StandardName"], language="en"))


@cache
def store_reference() -> bytes:
    """What the store would hold, cut to what the test mapping points at (pyshacl is slow on
    more): SOC 2020 groups, the LARS standards, the funded-qualifications excerpt's credentials."""
    credentials = {credential(row) for row in rows()}
    funded = dfe_funded_qualifications.read(excerpt("dfe-funded-qualifications"))
    loaded = [*described(lars_standards(), credentials), *described(funded, credentials)]
    codes = {row["soc2020"] for row in rows()}
    return gate.to_ntriples([*soc_groups_used(codes), *loaded])


def validate(triples: list[Triple], engine: str = "shacl") -> gate.Report:
    return gate.validate(gate.to_ntriples(triples), store_reference(), engine)


# --- the format ---------------------------------------------------------------------------------


def test_recognises_a_mapping_by_extension_and_header(tmp_path: Path) -> None:
    assert occupation_mapping.is_occupation_mapping(MAPPING)
    other = tmp_path / "other.csv"
    other.write_text("code,title\n2134,Programmers\n", encoding="utf-8")
    assert not occupation_mapping.is_occupation_mapping(other)
    renamed = tmp_path / "mapping.txt"
    shutil.copy(MAPPING, renamed)
    assert not occupation_mapping.is_occupation_mapping(renamed)
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00\x01")
    assert not occupation_mapping.is_occupation_mapping(binary)


def test_every_row_is_an_alignment_with_its_source_date_and_note() -> None:
    triples = occupation_mapping.read_document(MAPPING)
    graph: dict[tuple[NamedNode, NamedNode], set] = {}
    for t in triples:
        graph.setdefault((t.subject, t.predicate), set()).add(t.object)
    listed = rows()
    assert sum(1 for t in triples if t.predicate == CETERMS.occupationType) == len(listed)
    for row in listed:
        (node,) = (
            a
            for a in graph[(credential(row), CETERMS.occupationType)]
            if graph[(a, CETERMS.targetNode)] == {iris.soc_iri("2020", row["soc2020"])}
        )
        assert graph[(node, SG.linkMethod)] == {SG.PublishedMapping}
        assert graph[(node, DCT.source)] == {Literal(row["source"])}
        assert graph[(node, CETERMS.alignmentDate)] == {Literal(row["date"], datatype=XSD.date)}
        assert graph[(node, SKOS.note)] == {Literal(row["note"], language="en")}
    # The mapping says nothing about the credentials themselves: the store's sources do.
    assert not [t for t in triples if t.predicate == RDF.type and t.subject == credential(row)]


def test_two_mappings_of_the_same_link_stay_two_links(tmp_path: Path) -> None:
    text = MAPPING.read_text(encoding="utf-8")
    other = tmp_path / "other.csv"
    other.write_text(text.replace("skillsgap test mapping (hand-checked)", "Another LSIP"))
    ours = {
        t.object
        for t in occupation_mapping.read_document(MAPPING)
        if t.predicate == CETERMS.occupationType
    }
    theirs = {
        t.object
        for t in occupation_mapping.read_document(other)
        if t.predicate == CETERMS.occupationType
    }
    assert len(ours) == len(theirs) == len(rows()) and not ours & theirs


# --- the gate ------------------------------------------------------------------------------------


def test_mapping_passes_gate_alike_with_both_engines() -> None:
    triples = occupation_mapping.read_document(MAPPING)
    assert validate(triples).results == validate(triples, "pyshacl").results == []


def test_unknown_soc_group_is_a_violation(tmp_path: Path) -> None:
    path = tmp_path / "mapping.csv"
    path.write_text(
        MAPPING.read_text(encoding="utf-8").replace("standard,54,5431", "standard,54,5439")
    )
    for engine in ("shacl", "pyshacl"):
        report = validate(occupation_mapping.read_document(path), engine)
        assert report.by_severity() == {"Violation": 1, "Warning": 0, "Info": 0}, engine
        (result,) = report.results
        assert result.value == "<https://w3id.org/skillsgap/id/soc2020/5439>"
        assert result.shape == "<https://w3id.org/skillsgap/shapes/ctdl-occupation-alignment>"


def test_credential_not_in_the_store_is_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "mapping.csv"
    path.write_text(
        MAPPING.read_text(encoding="utf-8").replace("standard,518,5314", "standard,9999,5314")
    )
    for engine in ("shacl", "pyshacl"):
        report = validate(occupation_mapping.read_document(path), engine)
        assert report.by_severity() == {"Violation": 0, "Warning": 1, "Info": 0}, engine
        (result,) = report.results
        assert result.shape == CREDENTIAL_WARNING
        assert "/credential/lars-standard/9999/occupationType/" in result.focus


def test_published_link_without_date_is_a_warning() -> None:
    triples = [
        t for t in occupation_mapping.read_document(MAPPING) if t.predicate != CETERMS.alignmentDate
    ]
    report = validate(triples)
    assert report.by_severity()["Warning"] == len(rows())
    assert {r.shape for r in report.results} == {
        "<https://w3id.org/skillsgap/shapes/mapped-link-date>"
    }


# --- bad input -----------------------------------------------------------------------------------


def edited(tmp_path: Path, number: int, column: str, value: str) -> Path:
    """A copy of the mapping with one cell of line ``number`` (1-based) changed."""
    with MAPPING.open(encoding="utf-8", newline="") as handle:
        lines = list(csv.reader(handle))
    lines[number - 1][lines[0].index(column)] = value
    path = tmp_path / "mapping.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(lines)
    return path


def read_error(path: Path) -> SourceError:
    with pytest.raises(SourceError) as caught:
        occupation_mapping.read_document(path)
    return caught.value


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        ("reference_type", "framework", "qualification or standard"),
        ("reference", "ST0116", occupation_mapping.REFERENCES["standard"][2]),
        ("soc2020", "21340", "a SOC 2020 group: 1 to 4 digits, such as 2134"),
        ("soc2020", "2134a", "a SOC 2020 group: 1 to 4 digits, such as 2134"),
        ("source", "", "who published the mapping (a name or web address)"),
        ("date", "2025-02-30", "an ISO date such as 2026-11-23"),
        ("date", "23/11/2026", "an ISO date such as 2026-11-23"),
    ],
)
def test_rejects_bad_cell_naming_file_row_and_column(
    tmp_path: Path, column: str, value: str, expected: str
) -> None:
    error = read_error(edited(tmp_path, 3, column, value))
    assert (error.file, error.row, error.column, error.got, error.expected) == (
        "mapping.csv",
        3,
        column,
        value,
        expected,
    )


def test_rejects_malformed_qan(tmp_path: Path) -> None:
    number = next(i for i, r in enumerate(rows(), 2) if r["reference_type"] == "qualification")
    error = read_error(edited(tmp_path, number, "reference", "601/5696"))
    assert (error.row, error.column, error.got) == (number, "reference", "601/5696")


def test_rejects_duplicate_link_naming_both_rows(tmp_path: Path) -> None:
    path = tmp_path / "mapping.csv"
    lines = MAPPING.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[2]  # line 4 repeats line 3
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    error = read_error(path)
    assert (error.row, error.column, error.message) == (4, "soc2020", "duplicate link")
    assert "row 3" in (error.expected or "")


def test_rejects_unknown_and_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "mapping.csv"
    path.write_text(MAPPING.read_text(encoding="utf-8").replace(",note\n", ",notes\n", 1))
    error = read_error(path)
    assert (error.row, error.column, error.message) == (1, "notes", "unknown column")
    path.write_text(MAPPING.read_text(encoding="utf-8").replace(",date,", ",when,", 1))
    error = read_error(path)
    assert error.message == "missing column" and "'date'" in (error.expected or "")


def test_rejects_empty_file_and_header_only(tmp_path: Path) -> None:
    path = tmp_path / "mapping.csv"
    path.write_bytes(b"")
    assert (read_error(path).file, read_error(path).message) == ("mapping.csv", "empty file")
    path.write_text(MAPPING.read_text(encoding="utf-8").splitlines()[0] + "\n")
    assert read_error(path).message == "no links"


def test_rejects_wrong_file_type(tmp_path: Path) -> None:
    path = tmp_path / "mapping.csv"
    shutil.copy(next(excerpt("ons-soc2020").glob("*.xlsx")), path)
    assert not occupation_mapping.is_occupation_mapping(path)
    assert read_error(path).message == "not a text file"


def test_errors_read_as_sentences(tmp_path: Path) -> None:
    text = str(read_error(edited(tmp_path, 2, "soc2020", "21340")))
    assert text == (
        "mapping.csv, row 2, column 'soc2020': "
        "expected a SOC 2020 group: 1 to 4 digits, such as 2134, got '21340'"
    )
