"""The ons-soc2010-soc2020-relationship loader: the weighted SOC 2010 to SOC 2020 crosswalk."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import python_calamine
from pyoxigraph import Literal, NamedNode, Triple

from skillsgap import gate, iris
from skillsgap.errors import SourceError
from skillsgap.loaders import ons_soc2010, ons_soc2020
from skillsgap.loaders import ons_soc2010_soc2020_relationship as crosswalk
from skillsgap.namespaces import RDF, SG, SKOS, XSD

from .conftest import assert_matches_golden, bundled, excerpt

SLUG = "ons-soc2010-soc2020-relationship"
WORKBOOK, SHEET = crosswalk.WORKBOOK, crosswalk.SHEET
Rows = list[list[object]]
# Sheet columns by position, as the real header lays them out.
FROM, TO, MEN_LFS_BASE, MEN_LFS, WOMEN_LFS_BASE = 0, 1, 2, 3, 6


@pytest.fixture(scope="module")
def reference() -> bytes:
    """The graphs the crosswalk's shapes point into: SOC 2010 groups and SOC 2020 (both real)."""
    soc2010 = ons_soc2010.structure(bundled("ons-soc2010"))
    soc2020 = ons_soc2020.read(bundled("ons-soc2020"))
    return gate.to_ntriples(soc2010) + gate.to_ntriples(soc2020)


@pytest.fixture(scope="module")
def full() -> list[Triple]:
    return list(crosswalk.read(bundled(SLUG)))


def real_rows(folder: Path) -> Rows:
    """The sheet read straight through calamine, not through the loader."""
    data = (folder / WORKBOOK).read_bytes()
    book = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    return book.get_sheet_by_name(SHEET).to_python(skip_empty_area=False)


def of_type(triples: list[Triple], cls: NamedNode) -> set[object]:
    return {t.subject for t in triples if t.predicate == RDF.type and t.object == cls}


def findings(report: gate.Report) -> Counter[tuple[str | None, ...]]:
    """Results as both engines can state them (they spell sequence paths differently)."""
    return Counter((r.severity, r.focus, r.value, r.component, r.shape) for r in report.results)


def proportion(triples: list[Triple], from_code: str, to_code: str, basis: str) -> Decimal | None:
    weight = iris.soc_crosswalk_weight_iri(from_code, to_code, basis)
    values = [t.object for t in triples if t.subject == weight and t.predicate == SG.proportion]
    return Decimal(values[0].value) if values else None


# --- The excerpt ---


def test_excerpt_matches_golden() -> None:
    assert_matches_golden(crosswalk.read(excerpt(SLUG)), excerpt(SLUG) / "expected.nt")


def test_excerpt_passes_gate_with_real_references(reference: bytes) -> None:
    report = gate.validate(gate.to_ntriples(crosswalk.read(excerpt(SLUG))), reference)
    assert report.by_severity() == {"Violation": 0, "Warning": 0, "Info": 0}, report.results[:5]


def test_engines_agree_on_excerpt_with_planted_violations() -> None:
    triples = list(crosswalk.read(excerpt(SLUG)))
    weight = iris.soc_crosswalk_weight_iri("1116", "1112", "men-census")
    triples = [t for t in triples if not (t.subject == weight and t.predicate == SG.proportion)]
    triples.append(Triple(weight, SG.proportion, Literal("1.5", datatype=XSD.decimal)))
    # Minimal references: only the concepts the excerpt names, so pyshacl stays quick.
    candidate = gate.to_ntriples(triples)
    minimal = gate.to_ntriples(minimal_reference(triples))
    fast, slow = (gate.validate(candidate, minimal, engine=e) for e in gate.ENGINES)
    assert findings(fast) == findings(slow)
    mine = {(r.focus, r.component) for r in fast.results if "Crosswalk" in (r.shape or "")}
    assert mine == {(str(weight), "MaxInclusiveConstraintComponent")}


def minimal_reference(triples: list[Triple]) -> list[Triple]:
    """A concept and its scheme for every SOC group the crosswalk names."""
    out = []
    targets = {
        (t.object, t.predicate) for t in triples if t.predicate in (SG.fromConcept, SG.toConcept)
    }
    for concept, predicate in targets:
        version = "2010" if predicate == SG.fromConcept else "2020"
        scheme = iris.soc_scheme_iri(version)
        out += [
            Triple(concept, RDF.type, SKOS.Concept),
            Triple(concept, RDF.type, SG[f"SOC{version}Group"]),
            Triple(concept, SKOS.prefLabel, Literal(str(concept), language="en")),
            Triple(concept, SKOS.inScheme, scheme),
            Triple(scheme, SKOS.prefLabel, Literal(f"SOC {version}", language="en")),
            Triple(scheme, RDF.type, SKOS.ConceptScheme),
        ]
    return out


def test_sample_with_base_zero_gets_no_weight() -> None:
    triples = list(crosswalk.read(excerpt(SLUG)))
    sample = iris.soc_crosswalk_sample_iri("5212", "women-lfs")
    assert Triple(sample, SG.sampleBase, Literal("0", datatype=XSD.integer)) in triples
    assert proportion(triples, "5212", "5212", "women-lfs") is None
    assert proportion(triples, "5212", "5212", "women-census") == 1


def test_published_zero_with_a_sample_is_kept() -> None:
    triples = list(crosswalk.read(excerpt(SLUG)))
    assert proportion(triples, "1116", "1111", "men-lfs") == 0


def test_close_match_only_where_every_basis_moved_half() -> None:
    triples = set(crosswalk.read(excerpt(SLUG)))
    soc2010, soc2020 = (lambda c: iris.soc_iri("2010", c)), (lambda c: iris.soc_iri("2020", c))
    assert Triple(soc2010("1115"), SKOS.closeMatch, soc2020("1111")) in triples
    assert Triple(soc2010("1133"), SKOS.relatedMatch, soc2020("1243")) in triples
    assert Triple(soc2010("1133"), SKOS.closeMatch, soc2020("1243")) not in triples
    # Men's LFS base is 0 for florists: the other three bases decide.
    assert Triple(soc2010("5443"), SKOS.closeMatch, soc2020("5443")) in triples


def test_long_proportion_rounded_to_18_places() -> None:
    triples = list(crosswalk.read(excerpt(SLUG)))
    value = proportion(triples, "7114", "3211", "women-census")
    assert value == Decimal("0.0008431703204047217").quantize(Decimal("1e-18"))


# --- The full real file ---


def test_full_counts_match_the_sheet(full: list[Triple]) -> None:
    rows = [r for r in real_rows(bundled(SLUG))[1:] if r[FROM] or r[TO]]
    headers = [r for r in rows if r[FROM]]
    links = len(rows) - len(headers)
    # Four bases per block; a weight per proportion cell whose block base is above 0.
    weights, bases = 0, [0] * 4
    for row in rows:
        if row[FROM]:
            bases = [row[c] for c in (2, 4, 6, 8)]
        else:
            weights += sum(
                1 for c, b in zip((3, 5, 7, 9), bases, strict=True) if b and row[c] != ""
            )
    assert len(of_type(full, SG.SOCCrosswalkLink)) == links
    assert len(of_type(full, SG.CrosswalkSample)) == 4 * len(headers)
    assert len(of_type(full, SG.CrosswalkWeight)) == weights
    matches = [t for t in full if t.predicate in (SKOS.closeMatch, SKOS.relatedMatch)]
    assert len(matches) == links


def test_every_soc2010_unit_group_has_a_block(full: list[Triple]) -> None:
    units = {
        str(t.object)
        for t in ons_soc2010.structure(bundled("ons-soc2010"))
        if t.predicate == SKOS.member and "unit-group" in str(t.subject)
    }
    samples = {str(t.object) for t in full if t.predicate == SG.fromConcept}
    assert samples == units


def test_full_real_cells_found(full: list[Triple]) -> None:
    rows = real_rows(bundled(SLUG))
    header, first = rows[1], rows[2]
    from_code, to_code = str(header[FROM])[:4], str(first[TO])[:4]
    sample = iris.soc_crosswalk_sample_iri(from_code, "men-lfs")
    base = Literal(str(int(header[MEN_LFS_BASE])), datatype=XSD.integer)
    assert Triple(sample, SG.sampleBase, base) in full
    assert proportion(full, from_code, to_code, "men-lfs") == Decimal(str(first[MEN_LFS]))
    last = next(r for r in reversed(rows) if r[TO])
    last_from = next(str(r[FROM])[:4] for r in reversed(rows) if r[FROM])
    expected = Decimal(repr(last[9])).quantize(Decimal("1e-18"))
    assert proportion(full, last_from, str(last[TO])[:4], "women-census") == expected


def test_full_output_passes_gate(full: list[Triple], reference: bytes) -> None:
    report = gate.validate(gate.to_ntriples(full), reference)
    assert report.by_severity() == {"Violation": 0, "Warning": 0, "Info": 0}, report.results[:5]


def test_gate_rejects_link_to_unknown_soc2020_group(reference: bytes) -> None:
    link = iris.soc_crosswalk_iri("1115", "9999")
    triples = list(crosswalk.read(excerpt(SLUG))) + [
        Triple(link, RDF.type, SG.SOCCrosswalkLink),
        Triple(link, SG.fromConcept, iris.soc_iri("2010", "1115")),
        Triple(link, SG.toConcept, iris.soc_iri("2020", "9999")),
        Triple(link, SG.weight, iris.soc_crosswalk_weight_iri("1115", "1111", "men-lfs")),
    ]
    report = gate.validate(gate.to_ntriples(triples), reference)
    bad = [(r.focus, r.path, r.component) for r in report.results if r.severity == "Violation"]
    assert (str(link), str(SG.toConcept), "ClassConstraintComponent") in bad


# --- Bad input, on mutated copies of the excerpt ---

Edit = Callable[[Rows], None]


def mutated(tmp_path: Path, edit: Edit) -> Path:
    """A copy of the excerpt with its sheet edited, written with openpyxl."""
    rows = real_rows(excerpt(SLUG))
    edit(rows)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET
    for row in rows:
        sheet.append([None if c == "" else c for c in row])
    book.save(tmp_path / WORKBOOK)
    return tmp_path


def load_error(folder: Path) -> SourceError:
    with pytest.raises(SourceError) as caught:
        list(crosswalk.read(folder))
    return caught.value


def test_rejects_proportion_row_before_any_block(tmp_path: Path) -> None:
    error = load_error(mutated(tmp_path, lambda rows: rows[1].__setitem__(FROM, "")))
    assert (error.file, error.sheet, error.row, error.column) == (WORKBOOK, SHEET, 2, "SOC2010")
    assert "block" in str(error.expected)


def test_rejects_missing_column(tmp_path: Path) -> None:
    def drop(rows: Rows) -> None:
        rows[0][WOMEN_LFS_BASE] = "women_base"

    error = load_error(mutated(tmp_path, drop))
    assert (error.row, error.column) == (1, None)
    assert "women_lfs_base_2010" in str(error.expected)


def test_rejects_malformed_code(tmp_path: Path) -> None:
    error = load_error(mutated(tmp_path, lambda rows: rows[1].__setitem__(FROM, "11a: Chief")))
    assert (error.row, error.column, error.got) == (2, "SOC2010", "11a: Chief")
    assert error.expected == "a SOC 2010 unit group as 'NNNN: title'"


def test_rejects_malformed_soc2020_code(tmp_path: Path) -> None:
    error = load_error(mutated(tmp_path, lambda rows: rows[2].__setitem__(TO, "111: Chief")))
    assert (error.row, error.column, error.got) == (3, "SOC2020", "111: Chief")
    assert error.expected == "a SOC 2020 unit group as 'NNNN: title'"


def test_rejects_block_header_without_total_sample(tmp_path: Path) -> None:
    error = load_error(mutated(tmp_path, lambda rows: rows[1].__setitem__(TO, "Total")))
    assert (error.row, error.column, error.got) == (2, "SOC2020", "Total")


def test_rejects_repeated_soc2020_group_in_a_block(tmp_path: Path) -> None:
    # Rows 5 and 6 are block 1116's SOC 2020 rows; row 6 repeats row 5's group.
    error = load_error(mutated(tmp_path, lambda rows: rows[5].__setitem__(TO, rows[4][TO])))
    assert (error.row, error.column, error.got) == (6, "SOC2020", "1111")


def test_rejects_proportion_of_an_empty_sample(tmp_path: Path) -> None:
    rows = real_rows(excerpt(SLUG))
    number = next(n for n, r in enumerate(rows, 1) if str(r[FROM]).startswith("5212")) + 1
    error = load_error(mutated(tmp_path, lambda rows: rows[number - 1].__setitem__(7, 0.5)))
    assert (error.row, error.column, error.got) == (number, "women_lfs_perc_2020", "0.5")


def test_rejects_non_numeric_proportion(tmp_path: Path) -> None:
    error = load_error(mutated(tmp_path, lambda rows: rows[2].__setitem__(MEN_LFS, "n/a")))
    assert (error.row, error.column, error.got) == (3, "men_lfs_perc_2020", "n/a")


def test_empty_proportion_cell_gives_no_weight(tmp_path: Path) -> None:
    triples = list(crosswalk.read(mutated(tmp_path, lambda rows: rows[2].__setitem__(MEN_LFS, ""))))
    assert proportion(triples, "1115", "1111", "men-lfs") is None
    assert proportion(triples, "1115", "1111", "men-census") is not None


def test_rejects_empty_file(tmp_path: Path) -> None:
    (tmp_path / WORKBOOK).write_bytes(b"")
    assert load_error(tmp_path).file == WORKBOOK


def test_rejects_truncated_workbook(tmp_path: Path) -> None:
    data = (bundled(SLUG) / WORKBOOK).read_bytes()
    (tmp_path / WORKBOOK).write_bytes(data[: len(data) // 2])
    error = load_error(tmp_path)
    assert (error.file, error.expected) == (WORKBOOK, "an .xlsx or .xls workbook")


def test_rejects_csv_under_workbook_name(tmp_path: Path) -> None:
    (tmp_path / WORKBOOK).write_text("SOC2010,SOC2020\n1115: Chief,Total sample\n", "utf-8")
    assert "not a readable workbook" in str(load_error(tmp_path))


def test_errors_read_as_sentences_not_tracebacks(tmp_path: Path) -> None:
    message = str(load_error(mutated(tmp_path, lambda rows: rows[1].__setitem__(FROM, ""))))
    assert message.startswith(f"{WORKBOOK}, sheet '{SHEET}', row 2, column 'SOC2010': ")
    assert "expected a SOC 2010 unit group heading a block first" in message
    assert "Traceback" not in message
