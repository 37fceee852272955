"""The uk-sic2007 loader: the real code list and ONS index to SKOS, its errors, and its shapes."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from functools import cache
from pathlib import Path

import openpyxl
import pytest
from pyoxigraph import Literal, NamedNode, Triple

from skillsgap import gate, iris
from skillsgap.errors import SourceError
from skillsgap.loaders import sources, uk_sic2007
from skillsgap.namespaces import RDF, SG, SKOS

from .conftest import assert_matches_golden, bundled, excerpt

SLUG = "uk-sic2007"
CODES = uk_sic2007.CODES_FILE
INDEX = uk_sic2007.INDEX_FILE


# --- reading the real files independently of the loader ---------------------------------------


def source_lines(folder: Path, name: str) -> list[tuple[int, str, str]]:
    """(line number, code, description) of each non-blank data line, split on the first comma."""
    lines = (folder / name).read_text(encoding="utf-8-sig").splitlines()
    return [
        (number, *(part.strip() for part in line.split(",", 1)))  # type: ignore[misc]
        for number, line in enumerate(lines[1:], start=2)
        if line.strip()
    ]


def single_spaced(text: str) -> str:
    return " ".join(text.split())


@cache
def full_triples() -> tuple[Triple, ...]:
    return tuple(uk_sic2007.read(bundled(SLUG)))


@cache
def full_graph() -> dict[tuple[NamedNode, NamedNode], set]:
    """Objects by (subject, predicate) of the full output."""
    graph: dict[tuple[NamedNode, NamedNode], set] = {}
    for t in full_triples():
        graph.setdefault((t.subject, t.predicate), set()).add(t.object)
    return graph


def objects(subject: NamedNode, predicate: NamedNode) -> set:
    return full_graph().get((subject, predicate), set())


def documented_sections() -> dict[int, str]:
    """Section letter by division number, parsed from the ranges the bundled SOURCE.md states."""
    text = (bundled(SLUG) / "SOURCE.md").read_text(encoding="utf-8")
    by_division = {}
    for first, last, letter in re.findall(r"(\d\d)(?:–(\d\d))? ([A-U])\b", text):
        for division in range(int(first), int(last or first) + 1):
            by_division[division] = letter
    return by_division


# --- the excerpt -----------------------------------------------------------------------------


def test_excerpt_matches_golden() -> None:
    assert_matches_golden(uk_sic2007.read(excerpt(SLUG)), excerpt(SLUG) / "expected.nt")


def test_excerpt_passes_gate_alike_with_both_engines() -> None:
    data = gate.to_ntriples(uk_sic2007.read(excerpt(SLUG)))
    fast, reference = gate.validate(data), gate.validate(data, engine="pyshacl")
    assert fast.conforms and fast.results == reference.results
    listed = {code for _n, code, _d in source_lines(excerpt(SLUG), CODES)}
    unlisted = {code for _n, code, _d in source_lines(excerpt(SLUG), INDEX)} - listed
    assert unlisted and {r.focus for r in fast.results} == {str(iris.sic_iri(c)) for c in unlisted}


# --- the full bundled files ------------------------------------------------------------------


def test_source_is_registered_with_its_bundled_files() -> None:
    source = sources()[SLUG]
    assert all((bundled(SLUG) / name).is_file() for name in source.files)


def test_row_counts_are_those_source_md_states() -> None:
    counts = {
        name: len((bundled(SLUG) / name).read_text("utf-8-sig").splitlines()) - 1
        for name in (CODES, INDEX)
    }
    assert counts == {CODES: 731, INDEX: 15956}


def test_every_listed_code_is_a_concept_titled_as_in_the_file() -> None:
    lines = source_lines(bundled(SLUG), CODES)
    for _number, code, title in lines:
        concept = iris.sic_iri(code)
        assert objects(concept, SKOS.prefLabel) == {Literal(single_spaced(title), language="en")}
        assert {SKOS.Concept, SG.SICCode} <= objects(concept, RDF.type)
    five_digit = [
        t
        for t in full_triples()
        if t.predicate == SKOS.notation and re.fullmatch(r"\d{5}", t.object.value)
    ]
    assert len(five_digit) == len(lines) + 1  # plus the index-only code, typed but untitled


def test_title_with_commas_is_kept_whole() -> None:
    number, code, title = source_lines(bundled(SLUG), CODES)[0]
    assert "," in title
    assert objects(iris.sic_iri(code), SKOS.prefLabel) == {Literal(title, language="en")}


def test_every_index_line_is_an_activity_or_its_codes_title() -> None:
    lines = source_lines(bundled(SLUG), INDEX)
    for number, code, activity in lines:
        label = Literal(single_spaced(activity), language="en")
        concept = iris.sic_iri(code)
        assert label in objects(concept, SKOS.altLabel) | objects(concept, SKOS.prefLabel), number
    distinct = {(c, single_spaced(a)) for _n, c, a in lines}
    alt_labels = sum(1 for t in full_triples() if t.predicate == SKOS.altLabel)
    titled = sum(
        1
        for c, a in distinct
        if Literal(a, language="en") in objects(iris.sic_iri(c), SKOS.prefLabel)
    )
    assert alt_labels == len(distinct) - titled


def test_subclasses_sit_under_the_section_their_division_belongs_to() -> None:
    by_division = documented_sections()
    assert len(set(by_division.values())) == 21
    for _number, code, _title in source_lines(bundled(SLUG), CODES):
        broader = objects(iris.sic_iri(code), SKOS.broader)
        if code in uk_sic2007.COMPANIES_HOUSE_CODES:
            assert broader == set() and objects(iris.sic_iri(code), SKOS.scopeNote)
        else:
            assert broader == {iris.sic_iri(by_division[int(code[:2])])}, code


def test_sections_are_the_top_concepts() -> None:
    tops = objects(iris.sic_scheme_iri(), SKOS.hasTopConcept)
    assert tops == {iris.sic_iri(letter) for letter in set(documented_sections().values())}
    assert all(len(objects(top, SKOS.prefLabel)) == 1 for top in tops)


def test_companies_house_codes_named_in_source_md_are_in_the_list() -> None:
    text = (bundled(SLUG) / "SOURCE.md").read_text(encoding="utf-8")
    named = set(re.findall(r"`(\d{5})`", text.split("non-ONS codes", 1)[1]))
    listed = {code for _n, code, _t in source_lines(bundled(SLUG), CODES)}
    assert named and named <= uk_sic2007.COMPANIES_HOUSE_CODES <= listed


def test_full_output_passes_gate_warning_only_for_codes_missing_from_the_list() -> None:
    report = gate.validate(gate.to_ntriples(full_triples()))
    listed = {code for _n, code, _d in source_lines(bundled(SLUG), CODES)}
    unlisted = {code for _n, code, _d in source_lines(bundled(SLUG), INDEX)} - listed
    assert report.conforms
    assert {r.focus for r in report.results} == {str(iris.sic_iri(c)) for c in unlisted}
    assert report.count("Warning") == len(unlisted)


# --- bad input -------------------------------------------------------------------------------


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A writable copy of the excerpt."""
    return Path(shutil.copytree(excerpt(SLUG), tmp_path / SLUG))


def replace_line(path: Path, number: int, edit: Callable[[str], str]) -> str:
    """Rewrite line ``number`` (1-based) of a file; return the new line."""
    lines = path.read_text(encoding="utf-8").split("\n")
    lines[number - 1] = edit(lines[number - 1])
    path.write_text("\n".join(lines), encoding="utf-8")
    return lines[number - 1]


def load_error(folder: Path) -> SourceError:
    with pytest.raises(SourceError) as caught:
        list(uk_sic2007.read(folder))
    return caught.value


def test_rejects_missing_column(folder: Path) -> None:
    replace_line(folder / CODES, 1, lambda line: line.replace("sic_description", "description"))
    error = load_error(folder)
    assert (error.file, error.row) == (CODES, 1)
    assert uk_sic2007.TITLE in (error.expected or "") and "description.string()" in str(error.got)


def test_rejects_malformed_code_with_line_and_column(folder: Path) -> None:
    replace_line(folder / CODES, 3, lambda line: "0111a" + line[5:])
    error = load_error(folder)
    assert (error.file, error.sheet, error.row, error.column) == (CODES, None, 3, uk_sic2007.CODE)
    assert (error.expected, error.got) == (uk_sic2007.CODE_EXPECTED, "0111a")


def test_rejects_malformed_index_code(folder: Path) -> None:
    replace_line(folder / INDEX, 4, lambda line: "2391" + line[5:])
    error = load_error(folder)
    assert (error.file, error.row, error.column, error.got) == (INDEX, 4, uk_sic2007.CODE, "2391")


def test_rejects_index_line_without_activity(folder: Path) -> None:
    new = replace_line(folder / INDEX, 2, lambda line: line.split(",")[0])
    error = load_error(folder)
    assert (error.file, error.row, error.column) == (INDEX, 2, uk_sic2007.ACTIVITY)
    assert (error.expected, error.got) == ("a value", "") and new.isdigit()


def test_rejects_code_of_a_division_no_section_holds(folder: Path) -> None:
    replace_line(folder / CODES, 2, lambda line: "04" + line[2:])
    error = load_error(folder)
    assert (error.file, error.row, error.column, error.got) == (CODES, 2, uk_sic2007.CODE, "04110")
    assert error.expected == uk_sic2007.DIVISIONS_EXPECTED and "04" not in documented_sections()


def test_rejects_repeated_code(folder: Path) -> None:
    replace_line(folder / CODES, 3, lambda line: "01110" + line[5:])
    error = load_error(folder)
    assert (error.row, error.column, error.got) == (3, uk_sic2007.CODE, "01110")
    assert error.expected == "a code not already on row 2"


def test_rejects_empty_file(folder: Path) -> None:
    (folder / INDEX).write_bytes(b"")
    error = load_error(folder)
    assert (error.file, error.expected) == (INDEX, "at least a header line")


def test_rejects_missing_file(folder: Path) -> None:
    (folder / CODES).unlink()
    assert CODES in str(load_error(folder).file)


def test_rejects_workbook_under_the_csv_name(folder: Path) -> None:
    book = openpyxl.Workbook()
    for _n, code, title in source_lines(excerpt(SLUG), CODES):
        book.active.append([code, title])
    book.save(folder / CODES)
    error = load_error(folder)
    assert (error.file, error.expected, error.got) == (CODES, "CSV text", "binary data")


def test_rejects_file_cut_inside_a_character(folder: Path) -> None:
    data = (folder / INDEX).read_bytes()
    cut = data.index("\u00a0".encode()) + 1  # the first byte of a two-byte no-break space
    (folder / INDEX).write_bytes(data[:cut])
    error = load_error(folder)
    assert (error.file, error.row) == (INDEX, data[:cut].count(b"\n") + 1)
    assert error.expected == "utf-8-sig text"


def test_gate_catches_code_list_cut_in_half(folder: Path) -> None:
    data = (bundled(SLUG) / CODES).read_bytes()
    (folder / CODES).write_bytes(data[: len(data) // 2])
    kept = {int(code[:2]) for _n, code, _t in source_lines(folder, CODES)}
    empty = set(documented_sections().values()) - {documented_sections()[d] for d in kept}
    found = gate_both(list(uk_sic2007.read(folder)))
    section_shape = "<https://w3id.org/skillsgap/shapes/SICSectionShape>"
    assert empty and found == {(str(iris.sic_iri(s)), section_shape) for s in empty}


def test_errors_read_as_sentences_not_tracebacks(folder: Path) -> None:
    replace_line(folder / CODES, 3, lambda line: "0111a" + line[5:])
    text = str(load_error(folder))
    assert text == (
        f"{CODES}, row 3, column {uk_sic2007.CODE!r}: "
        f"expected {uk_sic2007.CODE_EXPECTED}, got '0111a'"
    )


# --- the shapes, on mutated output -----------------------------------------------------------


def gate_both(triples: list[Triple]) -> set[tuple[str, str | None]]:
    """(focus, shape) of each violation; both engines must agree."""
    data = gate.to_ntriples(triples)
    fast, reference = gate.validate(data), gate.validate(data, engine="pyshacl")
    assert fast.results == reference.results
    return {(r.focus, r.shape) for r in fast.results if r.severity == "Violation"}


def test_gate_rejects_activity_repeating_the_title() -> None:
    triples = list(uk_sic2007.read(excerpt(SLUG)))
    concept = iris.sic_iri("01120")
    title = next(
        t.object for t in triples if t.subject == concept and t.predicate == SKOS.prefLabel
    )
    found = gate_both([*triples, Triple(concept, SKOS.altLabel, title)])
    assert found == {(str(concept), "<https://w3id.org/skillsgap/shapes/SICCodeShape>")}


def test_gate_rejects_subclass_under_a_subclass() -> None:
    triples = list(uk_sic2007.read(excerpt(SLUG)))
    child, section, parent = iris.sic_iri("01120"), iris.sic_iri("A"), iris.sic_iri("01110")
    moved = [t for t in triples if t != Triple(child, SKOS.broader, section)]
    found = gate_both([*moved, Triple(child, SKOS.broader, parent)])
    assert found == {(str(child), "<https://w3id.org/skillsgap/shapes/SICCodeShape>")}
