"""The ons-soc2020 loader: SOC 2020 Volumes 1 and 2 to SKOS/XKOS, its errors, and its shapes."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import python_calamine
from pyoxigraph import Literal, NamedNode, Triple

from skillsgap import gate, iris
from skillsgap.errors import SourceError
from skillsgap.loaders import ons_soc2020, sources
from skillsgap.namespaces import RDF, SG, SKOS

from .conftest import assert_matches_golden, bundled, excerpt

SLUG = "ons-soc2020"
VOLUME_1 = ons_soc2020.VOLUME_1
VOLUME_2 = ons_soc2020.VOLUME_2
DESCRIPTIONS = ons_soc2020.DESCRIPTIONS
CODING_INDEX = ons_soc2020.CODING_INDEX


def soc(code: str) -> NamedNode:
    return iris.soc_iri("2020", code)


def entry(unique_id: str) -> NamedNode:
    return iris.soc_index_entry_iri("2020", unique_id)


def en(text: str) -> Literal:
    return Literal(text, language="en")


# --- reading the real files independently of the loader ---------------------------------------


@cache
def raw_rows(folder: Path, name: str, sheet_name: str) -> list[list[Any]]:
    """A sheet's cells as calamine reads them."""
    book = python_calamine.CalamineWorkbook.from_path(str(folder / name))
    return book.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)


@cache
def sheet(folder: Path, name: str, sheet_name: str) -> list[dict[str, Any]]:
    """A sheet's rows below its first row, as dicts keyed by single-spaced header."""
    rows = raw_rows(folder, name, sheet_name)
    header = [" ".join(str(h).split()) for h in rows[0]]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def unit_rows(folder: Path) -> dict[str, dict[str, Any]]:
    """Volume 1 unit-group rows by code."""
    rows = sheet(folder, VOLUME_1, DESCRIPTIONS)
    return {
        str(int(r["SOC 2020 Unit Group"])): r for r in rows if r["SOC 2020 Unit Group"] != "<blank>"
    }


@cache
def full_triples() -> tuple[Triple, ...]:
    return tuple(ons_soc2020.read(bundled(SLUG)))


@cache
def full_graph() -> dict[tuple[Any, NamedNode], set[Any]]:
    """Objects by (subject, predicate) of the full output."""
    graph: dict[tuple[Any, NamedNode], set[Any]] = {}
    for t in full_triples():
        graph.setdefault((t.subject, t.predicate), set()).add(t.object)
    return graph


def objects(subject: NamedNode, predicate: NamedNode) -> set[Any]:
    return full_graph().get((subject, predicate), set())


def subjects_of_type(triples: tuple[Triple, ...], cls: NamedNode) -> list[Any]:
    return [t.subject for t in triples if t.predicate == RDF.type and t.object == cls]


# --- the source and the excerpt ----------------------------------------------------------------


def test_source_is_registered_with_both_workbooks() -> None:
    source = sources()[SLUG]
    assert source.files == (VOLUME_1, VOLUME_2)
    assert all((bundled(SLUG) / name).is_file() for name in source.files)


def test_excerpt_matches_golden() -> None:
    triples = list(ons_soc2020.read(excerpt(SLUG)))
    assert_matches_golden(triples, excerpt(SLUG) / "expected.nt")


def test_excerpt_passes_both_engines_alike() -> None:
    data = gate.to_ntriples(ons_soc2020.read(excerpt(SLUG)))
    fast, reference = gate.validate(data), gate.validate(data, engine="pyshacl")
    assert fast.results == [] and reference.results == []


# --- the full bundled workbooks ----------------------------------------------------------------


def test_full_groups_per_level_match_source_md() -> None:
    codes = [next(iter(objects(g, SKOS.notation))).value for g in groups()]
    assert Counter(len(code) for code in codes) == {1: 9, 2: 26, 3: 104, 4: 412}
    for depth, expected in ((1, 9), (2, 26), (3, 104), (4, 412)):
        assert len(objects(iris.soc_level_iri("2020", depth), SKOS.member)) == expected
    assert len(objects(ons_soc2020.SCHEME, SKOS.hasTopConcept)) == 9


def groups() -> list[Any]:
    return subjects_of_type(full_triples(), SG.SOC2020Group)


def test_full_index_has_as_many_entries_as_its_file_spec_states() -> None:
    cells = [str(cell) for row in raw_rows(bundled(SLUG), VOLUME_2, "FILE SPEC") for cell in row]
    stated = [m for cell in cells if (m := re.search(r"coding index: ([\d,]+)", cell))]
    expected = int(stated[0].group(1).replace(",", ""))
    assert expected == 32195  # the count SOURCE.md states
    assert len(subjects_of_type(full_triples(), SG.SOC2020IndexEntry)) == expected


def test_full_unit_group_cells_are_in_the_triples() -> None:
    for code in ("2133", "9269", "1112"):
        row = unit_rows(bundled(SLUG))[code]
        concept = soc(code)
        assert objects(concept, SKOS.prefLabel) == {en(row["SOC 2020 Group Title"].strip())}
        assert objects(concept, SKOS.definition) == {en(row["Group Description"].strip())}
        tasks = [t.strip() for t in row["Tasks"].split("~") if t.strip()]
        assert objects(concept, SG.task) == {en(t) for t in tasks}
        first_title = row["Related Job Titles"].split("~")[1].strip()
        assert en(first_title) in objects(concept, SKOS.altLabel)
        assert objects(concept, SKOS.broader) == {soc(code[:3])}


def test_full_index_rows_are_in_the_triples() -> None:
    rows = sheet(bundled(SLUG), VOLUME_2, CODING_INDEX)
    for row in (rows[0], rows[len(rows) // 2], rows[-1]):
        node = entry(row["UNIQUE ID"])
        assert objects(node, SG.indexTerm) == {en(row["INDEXOCC"])}
        assert objects(node, SG.soc2020) == {soc(str(int(row["SOC_2020"])))}
        assert objects(node, SG.soc2020Extension) == {Literal(row["SOC_2020_ext"])}
        assert objects(node, SG.soc2010) == {iris.soc_iri("2010", str(int(row["SOC_2010"])))}
        isco = row["ISCO-08 code based on SOC2020"]
        assert objects(node, SG.isco08) == {iris.isco_iri(str(isco).split(".")[0].zfill(4))}


def test_full_index_titles_are_labels_of_their_unit_group() -> None:
    missing = []
    for row in sheet(bundled(SLUG), VOLUME_2, CODING_INDEX):
        if row["SOC_2020"] == "}}}}":
            continue
        group = soc(str(int(row["SOC_2020"])))
        labels = objects(group, SKOS.altLabel) | objects(group, SKOS.prefLabel)
        title = row["INDEXOCC_-_natural_word_order"].casefold()
        if title not in {label.value.casefold() for label in labels}:
            missing.append(row["UNIQUE ID"])
    assert missing == []


def test_full_output_passes_the_gate_without_warnings() -> None:
    report = gate.validate(gate.to_ntriples(full_triples()))
    assert report.by_severity() == {"Violation": 0, "Warning": 0, "Info": 0}, report.results[:5]


# --- awkward cells, on the excerpt -------------------------------------------------------------


@cache
def excerpt_graph() -> set[Triple]:
    return set(ons_soc2020.read(excerpt(SLUG)))


def excerpt_objects(subject: NamedNode, predicate: NamedNode) -> set[Any]:
    return {t.object for t in excerpt_graph() if t.subject == subject and t.predicate == predicate}


def test_title_with_trailing_space_is_trimmed() -> None:
    assert excerpt_objects(soc("816"), SKOS.prefLabel) == {
        en("Production, factory and assembly supervisors")
    }


def test_entry_without_any_code_keeps_its_see_note_only() -> None:
    node = entry("a1pc")  # row 592: }}}} in every code column, "see Adviser"
    assert excerpt_objects(node, SG.seeNote) == {en("see Adviser")}
    for predicate in (SG.soc2020, SG.soc2020Extension, SG.soc2010, SG.isco08):
        assert excerpt_objects(node, predicate) == set()
    assert en("Advisor") not in {t.object for t in excerpt_graph() if t.predicate == SKOS.altLabel}


def test_isco_code_keeps_its_leading_zero() -> None:
    assert excerpt_objects(entry("a1eb"), SG.isco08) == {iris.isco_iri("0110")}


def test_extension_code_is_kept_as_published_even_under_another_unit_group() -> None:
    node = entry("b1zb")  # row 8179: unit group 1132, extension 1139/02
    assert excerpt_objects(node, SG.soc2020) == {soc("1132")}
    assert excerpt_objects(node, SG.soc2020Extension) == {Literal("1139/02")}


def test_job_titles_are_deduplicated_ignoring_case_and_never_repeat_the_title() -> None:
    labels_1112 = {x.value for x in excerpt_objects(soc("1112"), SKOS.altLabel)}
    assert "Member of Parliament" in labels_1112
    assert "Member of parliament" not in labels_1112
    assert en("Bar staff") not in excerpt_objects(soc("9265"), SKOS.altLabel)
    assert excerpt_objects(entry("d9zu"), RDF.type) >= {SG.CodingIndexEntry, SG.SOC2020IndexEntry}


# --- the gate catches what the loader cannot ---------------------------------------------------


def violations(triples: list[Triple]) -> set[tuple[str, str | None, str]]:
    """(focus, value, component) of each violation, the same from both engines."""
    # Not the path: the gate spells a sequence path differently for each engine.
    data = gate.to_ntriples(triples)
    found = [
        {(r.focus, r.value, r.component) for r in gate.validate(data, engine=e).results}
        for e in ("shacl", "pyshacl")
    ]
    assert found[0] == found[1]
    return found[0]


def test_gate_rejects_index_entry_whose_unit_group_is_not_in_volume_1(tmp_path: Path) -> None:
    folder = mutated(tmp_path, VOLUME_2, CODING_INDEX, lambda s: set_cell(s, 2, "SOC_2020", 9999))
    triples = list(ons_soc2020.read(folder))
    assert Triple(entry("a1aa"), SG.soc2020, soc("9999")) in triples
    assert violations(triples) == {
        (str(entry("a1aa")), str(soc("9999")), "ClassConstraintComponent")
    }


def test_gate_rejects_index_entry_coded_to_a_group_above_unit_level() -> None:
    triples = list(excerpt_graph())
    triples.remove(Triple(entry("a1aa"), SG.soc2020, soc("2439")))
    triples.append(Triple(entry("a1aa"), SG.soc2020, soc("243")))
    assert violations(triples) == {(str(entry("a1aa")), '"243"', "PatternConstraintComponent")}


def test_gate_rejects_group_whose_parent_is_missing() -> None:
    triples = [t for t in excerpt_graph() if t.subject != soc("1")]
    assert (str(soc("11")), str(soc("1")), "ClassConstraintComponent") in violations(triples)


def test_shapes_ask_nothing_of_loads_without_soc2020() -> None:
    scheme = NamedNode("https://example.org/scheme")
    other = [Triple(scheme, RDF.type, SKOS.ConceptScheme), Triple(scheme, SKOS.prefLabel, en("S"))]
    report = gate.validate(gate.to_ntriples(other))
    assert [r for r in report.results if "SOC2020" in (r.shape or "")] == []


def test_gate_rejects_alt_label_equal_to_pref_label() -> None:
    title = next(iter(excerpt_objects(soc("1111"), SKOS.prefLabel)))
    triples = [*excerpt_graph(), Triple(soc("1111"), SKOS.altLabel, title)]
    assert violations(triples) == {(str(soc("1111")), str(title), "DisjointConstraintComponent")}


# --- bad input: SourceErrors naming file, sheet, row, column ----------------------------------


def mutated(tmp_path: Path, name: str, sheet_name: str, edit: Callable[[Any], None]) -> Path:
    """A copy of the excerpt with one sheet of one workbook edited."""
    folder = tmp_path / SLUG
    shutil.copytree(excerpt(SLUG), folder, ignore=shutil.ignore_patterns("*.nt", "*.md", "*.py"))
    book = openpyxl.load_workbook(folder / name)
    edit(book[sheet_name])
    book.save(folder / name)
    return folder


def set_cell(worksheet: Any, row: int, header: str, value: Any) -> None:
    """Set the cell under the header (matched ignoring line breaks and spacing) in ``row``."""
    for cell in worksheet[1]:
        if " ".join(str(cell.value).split()) == header:
            worksheet.cell(row=row, column=cell.column, value=value)
            return
    raise KeyError(header)


def load_error(folder: Path) -> SourceError:
    with pytest.raises(SourceError) as caught:
        list(ons_soc2020.read(folder))
    return caught.value


def test_rejects_volume_1_without_tasks_column(tmp_path: Path) -> None:
    folder = mutated(tmp_path, VOLUME_1, DESCRIPTIONS, lambda s: set_cell(s, 1, "Tasks", "Duties"))
    error = load_error(folder)
    assert (error.file, error.sheet, error.row) == (VOLUME_1, DESCRIPTIONS, 1)
    assert "'Tasks'" in (error.expected or "")


def test_rejects_malformed_group_code(tmp_path: Path) -> None:
    edit = lambda s: set_cell(s, 3, "SOC 2020 Sub-Major Group", "11a")  # noqa: E731
    error = load_error(mutated(tmp_path, VOLUME_1, DESCRIPTIONS, edit))
    assert (error.file, error.sheet, error.row) == (VOLUME_1, DESCRIPTIONS, 3)
    assert error.column == "SOC\n2020 Sub-Major Group"
    assert error.got == "11a" and "2-digit" in (error.expected or "")


def test_rejects_group_whose_parent_is_not_in_the_file(tmp_path: Path) -> None:
    edit = lambda s: set_cell(s, 5, "SOC 2020 Unit Group", 1191)  # noqa: E731
    error = load_error(mutated(tmp_path, VOLUME_1, DESCRIPTIONS, edit))
    assert (error.file, error.row, error.column) == (VOLUME_1, 5, "SOC 2020 Unit Group")
    assert error.got == "1191" and "parent 119" in (error.expected or "")


def test_rejects_repeated_group_code(tmp_path: Path) -> None:
    edit = lambda s: set_cell(s, 6, "SOC 2020 Unit Group", 1111)  # noqa: E731
    error = load_error(mutated(tmp_path, VOLUME_1, DESCRIPTIONS, edit))
    assert (error.file, error.row, error.column, error.got) == (
        VOLUME_1, 6, "SOC 2020 Unit Group", "1111",
    )  # fmt: skip
    assert "first at row 5" in error.message


def test_rejects_row_with_codes_at_two_levels(tmp_path: Path) -> None:
    edit = lambda s: set_cell(s, 5, "SOC 2020 Minor Group", 111)  # noqa: E731
    error = load_error(mutated(tmp_path, VOLUME_1, DESCRIPTIONS, edit))
    assert (error.file, error.row, error.column) == (VOLUME_1, 5, None)
    assert "exactly one" in (error.expected or "")


def test_rejects_malformed_soc2020_code_in_index(tmp_path: Path) -> None:
    edit = lambda s: set_cell(s, 2, "SOC_2020", "24x9")  # noqa: E731
    error = load_error(mutated(tmp_path, VOLUME_2, CODING_INDEX, edit))
    assert (error.file, error.sheet, error.row, error.column) == (
        VOLUME_2, CODING_INDEX, 2, "SOC_2020",
    )  # fmt: skip
    assert error.got == "24x9"


def test_rejects_isco_code_that_lost_its_leading_zero(tmp_path: Path) -> None:
    row = 8  # a1eb, ISCO-08 "0110" in the real file
    edit = lambda s: set_cell(s, row, "ISCO-08 code based on SOC2020", 110)  # noqa: E731
    error = load_error(mutated(tmp_path, VOLUME_2, CODING_INDEX, edit))
    assert (error.row, error.column, error.got) == (row, "ISCO-08 code based on SOC2020", "110")


def test_rejects_repeated_unique_id(tmp_path: Path) -> None:
    edit = lambda s: set_cell(s, 3, "UNIQUE ID", "a1aa")  # noqa: E731
    error = load_error(mutated(tmp_path, VOLUME_2, CODING_INDEX, edit))
    assert (error.file, error.row, error.column, error.got) == (VOLUME_2, 3, "UNIQUE ID", "a1aa")
    assert "first at row 2" in error.message


def broken_copy(tmp_path: Path, name: str, content: Callable[[bytes], bytes]) -> Path:
    folder = tmp_path / SLUG
    shutil.copytree(excerpt(SLUG), folder)
    (folder / name).write_bytes(content((folder / name).read_bytes()))
    return folder


BROKEN = {
    "empty": lambda data: b"",
    "truncated": lambda data: data[: len(data) // 2],
    "csv": lambda data: b"SOC 2020 Unit Group,Group Title\n1111,Chief executives\n",
}


@pytest.mark.parametrize("name", [VOLUME_1, VOLUME_2])
@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_rejects_unreadable_workbook(tmp_path: Path, name: str, kind: str) -> None:
    error = load_error(broken_copy(tmp_path, name, BROKEN[kind]))
    assert error.file == name
    assert "workbook" in str(error)


def test_errors_read_as_sentences_not_tracebacks(tmp_path: Path) -> None:
    edit = lambda s: set_cell(s, 3, "SOC 2020 Sub-Major Group", "11a")  # noqa: E731
    text = str(load_error(mutated(tmp_path, VOLUME_1, DESCRIPTIONS, edit)))
    assert text.startswith(f"{VOLUME_1}, sheet {DESCRIPTIONS!r}, row 3, column ")
    assert "expected a 2-digit SOC 2020 code, got '11a'" in text
    assert "Traceback" not in text and 'File "' not in text
