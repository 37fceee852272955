"""The ons-soc2010 loader: SOC 2010 structure and coding index, on the excerpt and the real file."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
import python_calamine
from pyoxigraph import Literal, NamedNode, Triple

from skillsgap import gate, iris
from skillsgap.errors import SourceError
from skillsgap.loaders import _tables, ons_soc2010
from skillsgap.namespaces import DCT, RDF, SG, SKOS

from .conftest import assert_matches_golden, bundled, excerpt

SLUG = "ons-soc2010"
WORKBOOK = ons_soc2010.WORKBOOK
STRUCTURE, INDEX = ons_soc2010.STRUCTURE_SHEET, ons_soc2010.INDEX_SHEET
Rows = list[list[object]]


@pytest.fixture(scope="module")
def full() -> list[Triple]:
    return list(ons_soc2010.read(bundled(SLUG)))


@pytest.fixture(scope="module")
def full_set(full: list[Triple]) -> set[Triple]:
    return set(full)


def real_sheet(name: str, folder: Path | None = None) -> Rows:
    """A sheet of the workbook read straight through calamine, not through the loader."""
    path = (folder or bundled(SLUG)) / WORKBOOK
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(path.read_bytes()))
    return book.get_sheet_by_name(name).to_python(skip_empty_area=False)


def subjects_of_type(triples: list[Triple], cls: NamedNode) -> set[object]:
    return {t.subject for t in triples if t.predicate == RDF.type and t.object == cls}


def findings(report: gate.Report) -> Counter[tuple[str | None, ...]]:
    """Results as both engines can state them (they spell sequence paths differently)."""
    return Counter((r.severity, r.focus, r.value, r.component, r.shape) for r in report.results)


def en(text: str) -> Literal:
    return Literal(text, language="en")


# --- The excerpt ---


def test_excerpt_matches_golden() -> None:
    triples = list(ons_soc2010.read(excerpt(SLUG)))
    assert_matches_golden(triples, excerpt(SLUG) / "expected.nt")


def test_excerpt_passes_gate_and_engines_agree() -> None:
    candidate = gate.to_ntriples(ons_soc2010.read(excerpt(SLUG)))
    fast = gate.validate(candidate, engine="shacl")
    reference = gate.validate(candidate, engine="pyshacl")
    mine = [r for r in fast.results if "SOC2010" in (r.shape or "")]
    assert mine == []
    assert findings(fast) == findings(reference)


def test_planted_violations_found_alike_by_both_engines() -> None:
    triples = [t for t in ons_soc2010.read(excerpt(SLUG)) if t.predicate != SKOS.topConceptOf]
    entry = iris.soc_index_entry_iri("2010", "24-0")
    triples.append(Triple(entry, SG.soc2010, iris.soc_iri("2010", "11")))
    candidate = gate.to_ntriples(triples)
    fast, slow = (gate.validate(candidate, engine=e) for e in gate.ENGINES)
    assert findings(fast) == findings(slow)
    components = Counter((r.focus, r.component) for r in fast.results)
    assert components[(str(iris.soc_iri("2010", "1")), "XoneConstraintComponent")] == 1
    assert components[(str(entry), "PatternConstraintComponent")] == 1
    assert components[(str(entry), "MaxCountConstraintComponent")] == 1


def test_index_titles_become_alt_labels_of_their_unit_group() -> None:
    triples = set(ons_soc2010.read(excerpt(SLUG)))
    assert Triple(iris.soc_iri("2010", "1131"), SKOS.altLabel, en("ACIS")) in triples
    assert Triple(iris.soc_iri("2010", "9272"), SKOS.altLabel, en("Assistant, chef’s")) in triples


def test_cross_reference_entry_has_see_note_and_no_unit_group() -> None:
    triples = list(ons_soc2010.read(excerpt(SLUG)))
    entry = iris.soc_index_entry_iri("2010", "23909-500")
    about = {(t.predicate, t.object) for t in triples if t.subject == entry}
    assert (SG.seeNote, en("- see Assembler")) in about
    assert (SG.indexTerm, en("Technician, assembly")) in about
    assert not any(p == SG.soc2010 for p, _ in about)


def test_shared_record_number_gives_two_entries() -> None:
    triples = list(ons_soc2010.read(excerpt(SLUG)))
    shared = {t.subject for t in triples if t.object == Literal("15530-500")}
    assert shared == {
        iris.soc_index_entry_iri("2010", "15530-500"),
        iris.soc_index_entry_iri("2010", "15530-500-2"),
    }


# --- The full real file ---


def test_full_group_counts_per_level(full: list[Triple]) -> None:
    groups = subjects_of_type(full, SG.SOC2010Group)
    depths = Counter(len(str(g).rsplit("/", 1)[1].rstrip(">")) for g in groups)
    # SOURCE.md: 9 major, 25 sub-major, 90 minor, 369 unit groups.
    assert depths == {1: 9, 2: 25, 3: 90, 4: 369}


def test_full_index_entry_count_is_the_file_spec_count(full: list[Triple]) -> None:
    spec = real_sheet("FILE SPEC")
    row = next(
        r for r in spec if any(str(c).startswith("Number of records in full index") for c in r)
    )
    stated = next(c for c in row if isinstance(c, float))
    assert len(subjects_of_type(full, SG.SOC2010IndexEntry)) == int(stated)


def test_full_cross_references_are_the_rows_without_a_code(full: list[Triple]) -> None:
    rows = real_sheet(INDEX)[1:]
    without_code = sum(1 for r in rows if str(r[6]).strip() == "}}}}")
    see_notes = [t for t in full if t.predicate == SG.seeNote]
    coded = [t for t in full if t.predicate == SG.soc2010]
    assert len(see_notes) == without_code
    assert len(coded) == len(rows) - without_code


@pytest.mark.parametrize("row_number", [2, 14_000, 28_749])
def test_full_index_rows_found_in_triples(full_set: set[Triple], row_number: int) -> None:
    row = real_sheet(INDEX)[row_number - 1]
    record, extension, code, term = (_tables.clean(row[i]) for i in (0, 1, 6, 7))
    entry = iris.soc_index_entry_iri("2010", f"{record}-{extension}")
    assert Triple(entry, SG.indexTerm, en(term)) in full_set
    assert Triple(entry, DCT.identifier, Literal(f"{record}-{extension}")) in full_set
    assert Triple(entry, SG.soc2010, iris.soc_iri("2010", code)) in full_set


def test_full_structure_rows_found_in_triples(full_set: set[Triple]) -> None:
    rows = [r for r in real_sheet(STRUCTURE)[1:] if any(_tables.clean(c) for c in r)]
    for row in (rows[0], rows[len(rows) // 2], rows[-1]):
        code = next(_tables.clean(c) for c in row[:4] if _tables.clean(c))
        group = iris.soc_iri("2010", code)
        assert Triple(group, SKOS.prefLabel, en(str(row[4]).strip())) in full_set
        assert Triple(group, SKOS.notation, Literal(code)) in full_set
        if len(code) > 1:
            assert Triple(group, SKOS.broader, iris.soc_iri("2010", code[:-1])) in full_set


def test_full_output_passes_gate(full: list[Triple]) -> None:
    report = gate.validate(gate.to_ntriples(full))
    assert report.by_severity() == {"Violation": 0, "Warning": 0, "Info": 0}, report.results[:5]


def test_gate_rejects_group_whose_parent_is_missing() -> None:
    triples = list(ons_soc2010.read(excerpt(SLUG)))
    minor = iris.soc_iri("2010", "111")
    kept = [t for t in triples if minor not in (t.subject, t.object) or t.predicate == SKOS.broader]
    kept = [t for t in kept if t.subject != minor]
    report = gate.validate(gate.to_ntriples(kept))
    unit = str(iris.soc_iri("2010", "1115"))
    assert any(r.focus == unit and r.path == str(SKOS.broader) for r in report.results)
    assert not report.conforms


# --- Bad input, on mutated copies of the excerpt ---

Edit = Callable[[Rows], None]


def mutated(tmp_path: Path, structure: Edit | None = None, index: Edit | None = None) -> Path:
    """A copy of the excerpt workbook with its sheets edited, written with openpyxl."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, edit in ((STRUCTURE, structure), (INDEX, index)):
        rows = real_sheet(name, excerpt(SLUG))
        if edit:
            edit(rows)
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append([None if c == "" else c for c in row])
    book.save(tmp_path / WORKBOOK)
    return tmp_path


def row_of(rows: Rows, column: int, value: object) -> int:
    """The 1-based row number of the first row with ``value`` in ``column``."""
    return next(n for n, r in enumerate(rows, 1) if r[column] == value)


def load_error(folder: Path) -> SourceError:
    with pytest.raises(SourceError) as caught:
        list(ons_soc2010.read(folder))
    return caught.value


def test_rejects_missing_column(tmp_path: Path) -> None:
    def drop_title(rows: Rows) -> None:
        rows[0][4] = "Title"

    error = load_error(mutated(tmp_path, structure=drop_title))
    assert (error.file, error.sheet, error.row) == (WORKBOOK, STRUCTURE, 1)
    assert "Group Title" in str(error.expected)


def test_rejects_malformed_code(tmp_path: Path) -> None:
    rows = real_sheet(STRUCTURE, excerpt(SLUG))
    number = row_of(rows, 1, 11.0)

    def malform(rows: Rows) -> None:
        rows[number - 1][1] = "11a"

    error = load_error(mutated(tmp_path, structure=malform))
    assert (error.sheet, error.row, error.column) == (STRUCTURE, number, "Sub-Major Group")
    assert error.expected == "a 2-digit code"
    assert error.got == "11a"


def test_rejects_group_placed_under_another_parent(tmp_path: Path) -> None:
    rows = real_sheet(STRUCTURE, excerpt(SLUG))
    number = row_of(rows, 3, 1115.0)

    def move(rows: Rows) -> None:
        rows[number - 1][3] = 1125.0  # its parent 112 exists, but the layout puts it under 111

    error = load_error(mutated(tmp_path, structure=move))
    assert (error.row, error.column, error.got) == (number, "Unit   Group", "1125")
    assert "111" in str(error.expected)


def test_rejects_index_code_not_in_structure(tmp_path: Path) -> None:
    def recode(rows: Rows) -> None:
        rows[1][6] = 2111.0  # a real unit group, but not in the excerpt's structure

    error = load_error(mutated(tmp_path, index=recode))
    assert (error.sheet, error.row, error.column) == (INDEX, 2, "SOC 2010")
    assert error.got == "2111"


def test_rejects_empty_index_code(tmp_path: Path) -> None:
    def blank(rows: Rows) -> None:
        rows[2][6] = ""

    error = load_error(mutated(tmp_path, index=blank))
    assert (error.sheet, error.row, error.column, error.got) == (INDEX, 3, "SOC 2010", "")


def test_rejects_cross_reference_without_see_note(tmp_path: Path) -> None:
    rows = real_sheet(INDEX, excerpt(SLUG))
    number = row_of(rows, 7, "Apprentice")

    def drop_note(rows: Rows) -> None:
        rows[number - 1][10] = ""

    error = load_error(mutated(tmp_path, index=drop_note))
    assert (error.sheet, error.row, error.column) == (INDEX, number, "SEE")


def test_rejects_empty_file(tmp_path: Path) -> None:
    (tmp_path / WORKBOOK).write_bytes(b"")
    error = load_error(tmp_path)
    assert error.file == WORKBOOK
    assert "readable workbook" in str(error)


def test_rejects_truncated_workbook(tmp_path: Path) -> None:
    data = (bundled(SLUG) / WORKBOOK).read_bytes()
    (tmp_path / WORKBOOK).write_bytes(data[: len(data) // 2])
    error = load_error(tmp_path)
    assert error.file == WORKBOOK
    assert error.expected == "an .xlsx or .xls workbook"


def test_rejects_csv_under_workbook_name(tmp_path: Path) -> None:
    (tmp_path / WORKBOOK).write_text("Major Group,Group Title\n1,MANAGERS\n", encoding="utf-8")
    error = load_error(tmp_path)
    assert error.file == WORKBOOK
    assert "not a readable workbook" in str(error)


def test_errors_read_as_sentences_not_tracebacks(tmp_path: Path) -> None:
    mutated(tmp_path, index=lambda rows: rows[1].__setitem__(6, "11a"))
    message = str(load_error(tmp_path))
    assert message.startswith(f"{WORKBOOK}, sheet '{INDEX}', row 2, column 'SOC 2010': ")
    assert "expected a unit group or }}}}, got '11a'" in message
    assert "Traceback" not in message
