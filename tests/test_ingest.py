"""Ingest: real sources through the gate into the store, the load record, and refusals that change nothing."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from skillsgap import ingest, iris, store
from skillsgap.cli import main
from skillsgap.config import Settings
from skillsgap.errors import GateRejection, SourceError
from skillsgap.loaders import source

from .conftest import bundled

PRIMARY = "dfe-geography-lookups"
SECONDARY = "ons-geography-lad-region"


def load(slug: str, settings: Settings, folder: Path | None = None) -> ingest.LoadOutcome:
    src = source(slug)
    return ingest.commit(ingest.read_source(src, folder or bundled(slug)), settings)


def snapshot_state(settings: Settings) -> tuple[str | None, dict[str, int]]:
    sizes = store.open_snapshot(settings.store).graph_sizes()  # creates an empty store if none
    return store.current_version(settings.store), sizes


def test_load_record_names_files_checksums_and_counts(store_path: Path) -> None:
    settings = Settings(store=store_path)
    outcome = load(PRIMARY, settings)
    rows = store.open_snapshot(store_path).query(
        """PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX sg: <https://w3id.org/skillsgap/def/>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?name ?sha ?count ?graph WHERE { GRAPH <https://w3id.org/skillsgap/graph/loads> {
          ?load sg:source "dfe-geography-lookups" ; sg:tripleCount ?count ; prov:generated ?graph ;
                prov:used [ rdfs:label ?name ; sg:sha256 ?sha ] } }"""
    )
    found = {row["name"].value: row["sha"].value for row in rows}
    for name in source(PRIMARY).files:
        assert found[name] == hashlib.sha256((bundled(PRIMARY) / name).read_bytes()).hexdigest()
    sizes = store.open_snapshot(store_path).graph_sizes()
    assert sizes[iris.graph_iri(PRIMARY).value] == outcome.candidate.triple_count


def test_reloading_replaces_the_graph_and_keeps_history(store_path: Path) -> None:
    settings = Settings(store=store_path)
    load(PRIMARY, settings)
    first = store.open_snapshot(store_path).graph_sizes()
    load(PRIMARY, settings)
    second = store.open_snapshot(store_path).graph_sizes()
    assert second[iris.graph_iri(PRIMARY).value] == first[iris.graph_iri(PRIMARY).value]
    loads = store.open_snapshot(store_path).query(
        'ASK { GRAPH ?g { ?a <https://w3id.org/skillsgap/def/source> "dfe-geography-lookups" . '
        '?b <https://w3id.org/skillsgap/def/source> "dfe-geography-lookups" . FILTER(?a != ?b) } }'
    )
    assert bool(loads)


def test_secondary_without_its_reference_is_rejected_and_nothing_changes(store_path: Path) -> None:
    settings = Settings(store=store_path)
    before = snapshot_state(settings)
    with pytest.raises(GateRejection) as rejected:
        load(SECONDARY, settings)
    assert rejected.value.violations > 0 and rejected.value.exit_code == 1
    assert snapshot_state(settings) == before


def test_malformed_file_in_data_dir_exits_2_names_the_cell_and_changes_nothing(
    store_path: Path, tmp_path: Path
) -> None:
    settings = Settings(store=store_path)
    load(PRIMARY, settings)
    before = snapshot_state(settings)
    data_dir = tmp_path / "data"
    shutil.copytree(bundled(SECONDARY), data_dir / SECONDARY)
    csv_file = data_dir / SECONDARY / "016.csv"
    lines = csv_file.read_text(encoding="utf-8-sig").splitlines()
    lines[3] = lines[3].replace("E0", "X0", 1)
    csv_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(
        main, ["load", SECONDARY, "--data-dir", str(data_dir), "--store", str(store_path)]
    )
    assert result.exit_code == 2, result.output
    assert (
        "016.csv" in result.output and "row 4" in result.output and "Traceback" not in result.output
    )
    assert snapshot_state(settings) == before


def test_missing_file_in_data_dir_is_an_error_naming_it(store_path: Path, tmp_path: Path) -> None:
    (tmp_path / SECONDARY).mkdir()
    with pytest.raises(SourceError, match="file not found"):
        ingest.read_source(source(SECONDARY), tmp_path / SECONDARY)


def test_warnings_pass_the_gate_and_are_recorded(store_path: Path) -> None:
    settings = Settings(store=store_path)
    outcome = load("uk-sic2007", settings)  # the real index names one code the list lacks
    assert outcome.report.conforms and outcome.report.count("Warning") >= 1
    recorded = store.open_snapshot(store_path).query(
        'SELECT ?w WHERE { ?l <https://w3id.org/skillsgap/def/source> "uk-sic2007" ; '
        "<https://w3id.org/skillsgap/def/warningCount> ?w }"
    )
    assert [int(row["w"].value) for row in recorded] == [outcome.report.count("Warning")]
    report_results = store.open_snapshot(store_path).query(
        "SELECT (COUNT(?r) AS ?n) WHERE { ?l <https://w3id.org/skillsgap/def/validationReport> ?rep . "
        "?rep <http://www.w3.org/ns/shacl#result> ?r }"
    )
    assert int(next(iter(report_results))["n"].value) == outcome.report.count("Warning")
