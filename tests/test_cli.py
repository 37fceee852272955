"""The skillsgap command: exit codes, readable errors, and each command on a real store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from skillsgap.cli import main

from .conftest import EXCERPTS

PLANTED = EXCERPTS / "gate" / "planted.ttl"
GOOD = """@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://example.org/s> a skos:ConceptScheme ; skos:prefLabel "S"@en .
<https://example.org/c> a skos:Concept ; skos:prefLabel "C"@en ; skos:inScheme <https://example.org/s> .
"""


def run(*args: str) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def good_file(tmp_path: Path) -> Path:
    path = tmp_path / "good.ttl"
    path.write_text(GOOD, encoding="utf-8")
    return path


def test_load_file_then_query_and_status(store_path: Path, good_file: Path) -> None:
    loaded = run("load", "--file", good_file, "--store", store_path)
    assert loaded.exit_code == 0, loaded.output
    assert "loaded good.ttl: 5 triples" in loaded.output
    answer = run(
        "query",
        "SELECT ?l WHERE { ?c a <http://www.w3.org/2004/02/skos/core#Concept> ; "
        "<http://www.w3.org/2004/02/skos/core#prefLabel> ?l }",
        "--store",
        store_path,
    )
    assert answer.exit_code == 0 and "C" in answer.output.splitlines()[2]
    status = run("status", "--store", store_path)
    assert "good.ttl: loaded" in status.output and "sha256 " in status.output


@pytest.mark.parametrize(
    "fmt,marker", [("json", '"head"'), ("csv", "l\n"), ("tsv", "?l"), ("xml", "<sparql")]
)
def test_query_formats(store_path: Path, good_file: Path, fmt: str, marker: str) -> None:
    run("load", "--file", good_file, "--store", store_path)
    query = "SELECT ?l WHERE { ?c <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }"
    result = run("query", query, "--format", fmt, "--store", store_path)
    assert result.exit_code == 0 and marker in result.output


def test_construct_as_turtle(store_path: Path, good_file: Path) -> None:
    run("load", "--file", good_file, "--store", store_path)
    result = run("query", "CONSTRUCT WHERE { ?s ?p ?o }", "--format", "ttl", "--store", store_path)
    assert result.exit_code == 0 and "skos:prefLabel" in result.output


def test_gate_rejection_exits_1_and_changes_nothing(store_path: Path, good_file: Path) -> None:
    run("load", "--file", good_file, "--store", store_path)
    before = run("status", "--store", store_path).output
    rejected = run("load", "--file", PLANTED, "--store", store_path)
    assert rejected.exit_code == 1
    assert "rejected by the SHACL gate" in rejected.output and "Traceback" not in rejected.output
    assert run("status", "--store", store_path).output == before


def test_validate_prints_and_writes_the_report(store_path: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.ttl"
    result = run("validate", PLANTED, "--report", report, "--store", store_path)
    assert result.exit_code == 1
    assert "Violation <https://example.org/planted/orphan>" in result.output
    assert "skos:broader must point at a skos:Concept that exists" in result.output
    assert "sh:ValidationReport" in report.read_text() or "ValidationReport" in report.read_text()
    summary = json.loads(report.with_suffix(".json").read_text())
    assert summary["conforms"] is False and summary["counts"]["Violation"] >= 7


@pytest.mark.parametrize(
    "args,message",
    [
        (("load", "no-such-source"), "unknown source 'no-such-source'"),
        (("load",), "name sources to load"),
        (("load", "--file", "/nonexistent/file.ttl"), "file not found"),
        (("load", "--file", "/nonexistent/file.xyz"), "unknown RDF file type"),
        (("query", "SELECT * WHERE {"), "SPARQL syntax error"),
        (("validate", "nothing-here"), "neither a source slug nor an RDF file"),
    ],
)
def test_usage_errors_exit_2_with_a_message(
    store_path: Path, args: tuple[str, ...], message: str
) -> None:
    result = run(*args, "--store", store_path)
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output


def test_malformed_rdf_names_the_file_and_position(store_path: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    broken.write_text("<https://example.org/s> <https://example.org/p> \n  oops .\n")
    result = run("load", "--file", broken, "--store", store_path)
    assert result.exit_code == 2
    assert "broken.ttl" in result.output and "not valid" in result.output


def test_setting_from_environment_is_checked(store_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["validate", str(PLANTED), "--store", str(store_path)],
        env={"SKILLSGAP_ENGINE": "nope"},
    )
    assert (
        result.exit_code == 2
        and "SKILLSGAP_ENGINE: expected one of shacl, pyshacl" in result.output
    )


def test_sources_lists_every_loader(store_path: Path) -> None:
    result = run("sources", "--store", store_path)
    assert result.exit_code == 0 and "[not loaded]" in result.output


def test_settings_are_documented() -> None:
    result = run("settings")
    assert "SKILLSGAP_STORE" in result.output and "SKILLSGAP_ENGINE" in result.output


def test_ctdl_json_ld_file_is_expanded_with_the_bundled_context(store_path: Path) -> None:
    course = EXCERPTS / "ctdl" / "course.jsonld"
    result = run("load", "--file", course, "--store", store_path)
    # Its occupation link points at SOC 2020, which is not loaded here: the gate says so.
    assert result.exit_code == 1 and "load ons-soc2020 first" in result.output


@pytest.mark.parametrize("name", ["remote-context.jsonld", "plain-remote-context.jsonld"])
def test_remote_json_ld_contexts_are_never_fetched(store_path: Path, name: str) -> None:
    result = run("load", "--file", EXCERPTS / "ctdl" / name, "--store", store_path)
    assert result.exit_code == 2 and "remote" in result.output.lower()


def test_occupations_ranks_unit_groups_for_a_job_title() -> None:
    result = run("occupations", "Software developer", "--limit", "3")
    assert result.exit_code == 0
    assert result.output.splitlines()[0].startswith("2134  1.000  Programmers")
    assert len(result.output.splitlines()) == 3


def test_occupation_mapping_csv_loads_through_the_gate(
    tmp_path: Path, reference_store: Path
) -> None:
    """`load --file mapping.csv` takes the documented mapping format (docs/occupation-mapping.md)."""
    import shutil

    store = Path(shutil.copytree(reference_store, tmp_path / "store"))
    mapping = EXCERPTS / "occupation-mapping" / "mapping.csv"
    result = run("load", "--store", str(store), "--file", str(mapping))
    assert result.exit_code == 0, result.output
    assert "loaded mapping.csv" in result.output
    answer = run(
        "query", "--store", str(store), "--format", "csv",
        "PREFIX sg: <https://w3id.org/skillsgap/def/> "
        "SELECT (COUNT(*) AS ?n) WHERE { ?a sg:linkMethod sg:PublishedMapping }",
    )  # fmt: skip
    rows = sum(1 for line in mapping.read_text(encoding="utf-8").splitlines()[1:] if line)
    assert answer.output.split() == ["n", str(rows)]
