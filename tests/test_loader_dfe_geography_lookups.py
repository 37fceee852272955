"""The dfe-geography-lookups loader: DfE's area lists to SKOS areas, their containment, errors."""

from __future__ import annotations

import csv
import gzip
import io
import re
import shutil
from collections import Counter
from datetime import date
from functools import cache
from pathlib import Path

import pytest
from pyoxigraph import Literal, NamedNode, Triple

from skillsgap import gate, iris
from skillsgap.errors import SourceError
from skillsgap.loaders import dfe_geography_lookups, sources
from skillsgap.namespaces import RDF, SG, SKOS, STATDEF_GEO, XSD

from .conftest import assert_matches_golden, bundled, excerpt

SLUG = "dfe-geography-lookups"
GSS = re.compile(r"[EWSNK]\d{8}")
ENGLAND = iris.area_iri("E92000001")
# The list files and the column holding each one's code, as SOURCE.md describes them.
CODE_COLUMNS = {
    "regions.csv": "region_code",
    "las.csv": "new_la_code",
    "lads.csv": "lad_code",
    "lsips.csv": "lsip_code",
    "leps.csv": "local_enterprise_partnership_code",
    "english_devolved_areas.csv": "english_devolved_area_code",
}
KINDS = {"las.csv": "utla", "lads.csv": "lad", "lsips.csv": "lsip", "leps.csv": "lep"}


# --- the real files read independently, and the loader's output --------------------------------


def file_rows(name: str, folder: Path | None = None) -> list[dict[str, str]]:
    """A bundled CSV (or .csv.gz) as dicts, with the csv module alone."""
    path = (folder or bundled(SLUG)) / name
    data = gzip.decompress(path.read_bytes()) if name.endswith(".gz") else path.read_bytes()
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def coded_rows(name: str) -> list[dict[str, str]]:
    """Rows whose code is one GSS code (not DfE's "z" or "A / B" placeholders)."""
    return [r for r in file_rows(name) if GSS.fullmatch(r[CODE_COLUMNS[name]])]


def dfe_date(text: str) -> date:
    """A date as DfE writes it: dd/mm/yyyy or yyyy-mm-dd."""
    if "/" in text:
        d, m, y = text.split("/")
        return date(int(y), int(m), int(d))
    return date.fromisoformat(text)


@cache
def primary_triples() -> tuple[Triple, ...]:
    """The loader's output on the full bundled files (shared with the secondary loaders' tests)."""
    return tuple(dfe_geography_lookups.read(bundled(SLUG)))


@cache
def full_graph() -> dict[tuple[object, NamedNode], set]:
    graph: dict[tuple[object, NamedNode], set] = {}
    for t in primary_triples():
        graph.setdefault((t.subject, t.predicate), set()).add(t.object)
    return graph


def objects(subject: NamedNode, predicate: NamedNode) -> set:
    return full_graph().get((subject, predicate), set())


def reference_for(triples: list[Triple]) -> list[Triple]:
    """The primary's own statements about the areas (and schemes) these triples mention.

    Containment is left out, so pyshacl stays quick: enough for the shapes' sh:class checks.
    """
    mentioned = {t.subject for t in triples} | {t.object for t in triples}
    mentioned |= {t.object for t in primary_triples() if t.predicate == SKOS.inScheme}
    return [
        t
        for t in primary_triples()
        if t.subject in mentioned and t.predicate not in (SKOS.broader, SKOS.narrower)
    ]


def area(code: str) -> NamedNode:
    return iris.area_iri(code)


def our_results(report: gate.Report, triples: list[Triple] | tuple[Triple, ...]) -> list:
    """Results about nodes of these triples (other families' shapes may report on their own)."""
    nodes = {str(t.subject) for t in triples} | {str(t.object) for t in triples}
    return [r for r in report.results if r.focus in nodes]


def engine_neutral(results: list) -> list[tuple[str, ...]]:
    """Results as sortable tuples without the message (pyshacl adds default messages)."""
    return sorted(
        (r.severity, r.focus, r.path or "", r.value or "", r.component, r.shape or "")
        for r in results
    )


def copy_excerpt(tmp_path: Path, slug: str = SLUG) -> Path:
    """A writable copy of a source's committed excerpt."""
    folder = tmp_path / slug
    shutil.copytree(excerpt(slug), folder)
    return folder


def replace_in(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8-sig")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# --- the excerpt -----------------------------------------------------------------------------


def test_excerpt_matches_golden() -> None:
    triples = dfe_geography_lookups.read(excerpt(SLUG))
    assert_matches_golden(triples, excerpt(SLUG) / "expected.nt")


def test_excerpt_passes_gate_alike_with_both_engines() -> None:
    triples = list(dfe_geography_lookups.read(excerpt(SLUG)))
    data = gate.to_ntriples(triples)
    fast, reference = gate.validate(data), gate.validate(data, engine="pyshacl")
    assert engine_neutral(our_results(fast, triples)) == engine_neutral(
        our_results(reference, triples)
    )
    assert our_results(fast, triples) == []


def test_source_is_registered_with_its_files() -> None:
    source = sources()[SLUG]
    assert source.depends_on == ()
    assert all((bundled(SLUG) / name).is_file() for name in source.files)


# --- the full bundled files ------------------------------------------------------------------


def test_row_counts_are_those_source_md_states() -> None:
    text = (bundled(SLUG) / "SOURCE.md").read_text(encoding="utf-8")
    stated = {
        n: int(c.replace(",", "")) for n, c in re.findall(r"\| `([\w.]+)` \| ([\d,]+) \|", text)
    }
    for name in (*CODE_COLUMNS, "lsip_lad_hierarchy.csv", "ward_lad_la_pcon_hierarchy.csv.gz"):
        assert len(file_rows(name)) == stated[name], name


def test_every_listed_code_is_one_area() -> None:
    codes = {r[column] for name, column in CODE_COLUMNS.items() for r in coded_rows(name)}
    areas = {
        t.subject for t in primary_triples() if t.predicate == RDF.type and t.object == SG.Area
    }
    assert areas == {area(code) for code in codes} | {ENGLAND}
    for code in codes:
        assert len(objects(area(code), SKOS.prefLabel)) == 1
        assert objects(area(code), SKOS.notation) == {Literal(code)}


@pytest.mark.parametrize("name", sorted(KINDS))
def test_each_list_file_fills_its_scheme(name: str) -> None:
    scheme = iris.area_scheme_iri(KINDS[name])
    members = {
        t.subject for t in primary_triples() if t.predicate == SKOS.inScheme and t.object == scheme
    }
    assert members == {area(r[CODE_COLUMNS[name]]) for r in coded_rows(name)}


def test_regions_lie_in_england_at_the_top() -> None:
    regions = [
        r["region_code"] for r in file_rows("regions.csv") if r["region_code"].startswith("E12")
    ]
    assert len(regions) == 9
    for code in regions:
        assert objects(area(code), SKOS.broader) == {ENGLAND}
    assert objects(ENGLAND, SKOS.topConceptOf) == {iris.area_scheme_iri("country")}
    assert objects(ENGLAND, SKOS.broader) == set()


def test_upper_tier_authorities_lie_in_their_regions() -> None:
    for row in coded_rows("las.csv"):
        assert area(row["parent_geography_code"]) in objects(area(row["new_la_code"]), SKOS.broader)


def test_one_code_many_names_is_one_concept_named_by_its_live_row() -> None:
    rows = coded_rows("lsips.csv") + coded_rows("lads.csv") + coded_rows("leps.csv")
    names: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        code = next(row[c] for c in CODE_COLUMNS.values() if c in row)
        names.setdefault(code, []).append(row)
    renamed = {code: found for code, found in names.items() if len({name_of(r) for r in found}) > 1}
    assert len(renamed) >= 8  # 5 renamed LSIPs, Shepway, 2 LEPs
    for code, found in renamed.items():
        live = [name_of(r) for r in found if r["status"] == "live"]
        assert objects(area(code), SKOS.prefLabel) == {Literal(live[0], language="en")}
        former = {name_of(r) for r in found} - {live[0]}
        assert objects(area(code), SKOS.altLabel) == {Literal(n, language="en") for n in former}


def name_of(row: dict[str, str]) -> str:
    return next(v for k, v in row.items() if k.endswith("_name")).strip()


def test_names_lose_stray_spaces() -> None:
    padded = [r for r in coded_rows("lsips.csv") if r["lsip_name"] != r["lsip_name"].strip()]
    assert len(padded) > 40
    labels = [t.object for t in primary_triples() if t.predicate == SKOS.prefLabel]
    assert all(
        isinstance(label, Literal) and label.value == label.value.strip() for label in labels
    )


def test_single_row_areas_keep_status_and_dates() -> None:
    """An area named by one row of one file has that row's status and dates."""
    rows = [(n, r) for n in ("las.csv", "lads.csv", "lsips.csv", "leps.csv") for r in coded_rows(n)]
    counts = Counter(r[CODE_COLUMNS[n]] for n, r in rows)
    checked = 0
    for name, row in rows:
        code = row[CODE_COLUMNS[name]]
        if counts[code] > 1 or row["status"] == "renamed":
            continue
        checked += 1
        assert objects(area(code), STATDEF_GEO.status) == {Literal(row["status"])}
        start = row.get("date_of_operation") or row.get("date_of_introduction")
        expected_start = (
            {Literal(dfe_date(start).isoformat(), datatype=XSD.date)} if start else set()
        )
        assert objects(area(code), SG.operationalFrom) == expected_start
        end = row["date_of_termination"]
        terminated = row["status"] == "terminated" and end
        expected_end = (
            {Literal(dfe_date(end).isoformat(), datatype=XSD.date)} if terminated else set()
        )
        assert objects(area(code), SG.terminatedOn) == expected_end
    assert checked > 200


def test_lsip_memberships_keep_their_years_and_the_latest_is_broader() -> None:
    spans: dict[tuple[str, str], list[int]] = {}
    for row in file_rows("lsip_lad_hierarchy.csv"):
        years = [int(row["first_available_year_included"]), int(row["most_recent_year_included"])]
        spans.setdefault((row["lad_code"], row["lsip_code"]), []).extend(years)
    latest = Counter[str]()
    for (lad, _lsip), years in spans.items():
        latest[lad] = max(latest[lad], max(years))
    for (lad, lsip), years in spans.items():
        membership = iris.area_membership_iri(lad, lsip)
        assert objects(membership, SG.firstYear) == {Literal(str(min(years)), datatype=XSD.gYear)}
        assert objects(membership, SG.lastYear) == {Literal(str(max(years)), datatype=XSD.gYear)}
        assert (area(lsip) in objects(area(lad), SKOS.broader)) == (max(years) == latest[lad])
    assert len(spans) > 400


def test_districts_lie_in_their_county_from_the_ward_file() -> None:
    pairs = {
        (r["lad_code"], r["new_la_code"])
        for r in file_rows("ward_lad_la_pcon_hierarchy.csv.gz")
        if r["lad_code"].startswith("E") and r["lad_code"] != r["new_la_code"]
    }
    assert len(pairs) > 150
    for lad, county in pairs:
        assert area(county) in objects(area(lad), SKOS.broader)
        assert objects(iris.area_membership_iri(lad, county), SG.memberArea) == {area(lad)}
    scottish = {
        r["lad_code"]
        for r in file_rows("ward_lad_la_pcon_hierarchy.csv.gz")
        if r["lad_code"][0] == "S"
    }
    assert not any(objects(area(code), RDF.type) for code in scottish)


def test_full_output_passes_the_gate_without_warnings() -> None:
    triples = primary_triples()
    report = gate.validate(gate.to_ntriples(triples))
    assert our_results(report, triples) == []


# --- bad input -------------------------------------------------------------------------------


def read_error(folder: Path) -> SourceError:
    with pytest.raises(SourceError) as caught:
        list(dfe_geography_lookups.read(folder))
    return caught.value


def test_rejects_list_without_a_column(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    replace_in(folder / "las.csv", "parent_geography_code", "parent_code")
    error = read_error(folder)
    assert (error.file, error.row) == ("las.csv", 1)
    assert "parent_geography_code" in str(error.expected)


def test_rejects_malformed_code(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    replace_in(folder / "lsips.csv", "E69000001,", "11a,")
    error = read_error(folder)
    assert (error.file, error.row, error.column, error.got) == ("lsips.csv", 2, "lsip_code", "11a")
    assert "E69" in str(error.expected)


def test_rejects_impossible_date(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    replace_in(folder / "las.csv", "30/04/2025", "31/02/2025")
    error = read_error(folder)
    assert (error.file, error.row, error.column, error.got) == (
        "las.csv",
        7,
        "date_of_termination",
        "31/02/2025",
    )


def test_rejects_termination_before_introduction(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    replace_in(folder / "leps.csv", "Valley,2020-04-01,2020-04-01", "Valley,2020-04-01,2019-04-01")
    error = read_error(folder)
    assert (error.file, error.row, error.column, error.got) == (
        "leps.csv",
        7,
        "date_of_termination",
        "2019-04-01",
    )


def test_rejects_membership_ending_before_it_starts(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    replace_in(folder / "lsip_lad_hierarchy.csv", "2023,2025,Cornwall", "2023,2022,Cornwall")
    error = read_error(folder)
    assert (error.file, error.row, error.column) == (
        "lsip_lad_hierarchy.csv",
        2,
        "most_recent_year_included",
    )


def test_rejects_unknown_status(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    replace_in(folder / "leps.csv", ",,,live", ",,,dormant")
    error = read_error(folder)
    assert (error.file, error.row, error.column, error.got) == ("leps.csv", 2, "status", "dormant")


def test_gate_rejects_authority_in_a_region_that_does_not_exist(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    replace_in(folder / "las.csv", "E12000001,E06", "E12000099,E06")
    triples = list(dfe_geography_lookups.read(folder))
    report = gate.validate(gate.to_ntriples(triples))
    broken = [
        r for r in report.results if r.shape == "<https://w3id.org/skillsgap/shapes/AreaShape>"
    ]
    assert [(r.severity, r.focus, r.path, r.value) for r in broken] == [
        ("Violation", str(area("E06000001")), str(SKOS.broader), str(area("E12000099"))),
    ]


def test_gate_rejects_district_in_an_unlisted_lsip(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    replace_in(folder / "lsip_lad_hierarchy.csv", "E06000052,E69000005", "E06000052,E69000099")
    triples = list(dfe_geography_lookups.read(folder))
    report = gate.validate(gate.to_ntriples(triples))
    membership = str(iris.area_membership_iri("E06000052", "E69000099"))
    assert any(
        r.severity == "Violation" and r.focus == membership and r.path == str(SG.containingArea)
        for r in report.results
    )


def test_rejects_empty_file(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    (folder / "regions.csv").write_bytes(b"")
    error = read_error(folder)
    assert error.file == "regions.csv" and "empty" in error.message


def test_rejects_truncated_gzip(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    path = folder / "ward_lad_la_pcon_hierarchy.csv.gz"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    error = read_error(folder)
    assert error.file == path.name and "gzip" in error.message


def test_rejects_binary_file_under_a_csv_name(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    shutil.copy(folder / "ward_lad_la_pcon_hierarchy.csv.gz", folder / "lads.csv")
    error = read_error(folder)
    assert error.file == "lads.csv" and error.expected == "CSV text"


def test_errors_read_as_sentences_not_tracebacks(tmp_path: Path) -> None:
    folder = copy_excerpt(tmp_path)
    replace_in(folder / "lads.csv", "E06000001,", "E6000001,")
    text = str(read_error(folder))
    assert text.startswith("lads.csv, row 2, column 'lad_code': expected ")
    assert "got 'E6000001'" in text and "Traceback" not in text
