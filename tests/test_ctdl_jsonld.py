"""CTDL JSON-LD documents: expanded against the bundled context, never fetching, nothing lost."""

from __future__ import annotations

import hashlib
import json
import shutil
import socket
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from skillsgap import gate, ingest, iris
from skillsgap.errors import SourceError
from skillsgap.loaders import ctdl_jsonld
from skillsgap.namespaces import CETERMS, DCT, RDF, SG, XSD

DOCUMENTS = Path(__file__).parent / "data" / "ctdl"
SOC_REFERENCE = Path(__file__).parent / "data" / "ons-soc2020" / "expected.nt"
EXAMPLE = Path("/work/shared/data/xcri-cap-schemas/example1_ctdl.jsonld")
needs_example = pytest.mark.skipif(not EXAMPLE.is_file(), reason="the XCRI/CTDL example is absent")


def objects(triples: list[Triple], subject: Any, predicate: NamedNode) -> set:
    return {t.object for t in triples if t.subject == subject and t.predicate == predicate}


def one(found: set) -> Any:
    assert len(found) == 1, found
    return next(iter(found))


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every attempt to open a connection or resolve a name is recorded and fails."""
    attempts: list[str] = []

    def refuse(*args: Any, **_kwargs: Any) -> Any:
        attempts.append(repr(args))
        raise OSError("network access in a test")

    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket.socket, "connect", refuse)
    return attempts


def refusal(path: Path, **options: Any) -> SourceError:
    with pytest.raises(SourceError) as caught:
        ctdl_jsonld.read_document(path, **options)
    return caught.value


# --- a CTDL document ---------------------------------------------------------------------------


def test_ctdl_documents_are_recognised_by_their_context() -> None:
    assert ctdl_jsonld.is_ctdl_document(DOCUMENTS / "course.jsonld")
    assert not ctdl_jsonld.is_ctdl_document(DOCUMENTS / "plain-remote-context.jsonld")
    assert not ctdl_jsonld.is_ctdl_document(DOCUMENTS / "SOURCE.md")


def test_document_maps_to_ctdl_with_iris_for_every_node(no_network: list[str]) -> None:
    path = DOCUMENTS / "course.jsonld"
    document = json.loads(path.read_text(encoding="utf-8"))["@graph"]
    triples = ctdl_jsonld.read_document(path)
    organisation = NamedNode(document[0]["@id"])
    assert objects(triples, organisation, RDF.type) == {CETERMS.CredentialOrganization}
    name = document[0]["ceterms:name"]["en"]
    assert objects(triples, organisation, CETERMS.name) == {Literal(name, language="en")}
    ukprn = one(objects(triples, organisation, CETERMS.identifier))
    digest = iris.file_iri(hashlib.sha256(path.read_bytes()).hexdigest()).value
    assert ukprn.value.startswith(digest + "/genid/")
    code = document[0]["ceterms:identifier"]["ceterms:identifierValueCode"]
    assert objects(triples, ukprn, CETERMS.identifierValueCode) == {Literal(code)}
    assert not any(isinstance(term, BlankNode) for t in triples for term in (t.subject, t.object))
    assert no_network == []


def test_occupation_the_document_gives_is_marked_as_stated_by_it() -> None:
    triples = ctdl_jsonld.read_document(DOCUMENTS / "course.jsonld")
    alignment = one({t.object for t in triples if t.predicate == CETERMS.occupationType})
    assert objects(triples, alignment, SG.linkMethod) == {SG.Stated}
    assert objects(triples, alignment, DCT.source) == {Literal("course.jsonld")}
    assert objects(triples, alignment, CETERMS.targetNode) == {iris.soc_iri("2020", "2439")}


def test_document_passes_the_gate_with_soc_as_reference_data() -> None:
    data = gate.to_ntriples(ctdl_jsonld.read_document(DOCUMENTS / "course.jsonld"))
    reference = SOC_REFERENCE.read_bytes()
    assert gate.validate(data, reference).results == []
    assert gate.validate(data, reference, "pyshacl").results == []
    alone = gate.validate(data)
    assert [(r.severity, r.path) for r in alone.results] == [("Violation", str(CETERMS.targetNode))]


def test_same_document_gives_same_triples_wherever_it_lies(tmp_path: Path) -> None:
    copy = Path(shutil.copy(DOCUMENTS / "course.jsonld", tmp_path / "course.jsonld"))
    assert ctdl_jsonld.read_document(copy) == ctdl_jsonld.read_document(DOCUMENTS / "course.jsonld")
    assert list(ctdl_jsonld.read_documents(tmp_path)) == ctdl_jsonld.read_document(copy)


# --- never fetching, never dropping -------------------------------------------------------------------


def test_remote_context_is_refused_without_network_access(no_network: list[str]) -> None:
    path = DOCUMENTS / "remote-context.jsonld"
    remote = json.loads(path.read_text(encoding="utf-8"))["@context"][1]
    error = refusal(path)
    assert (error.file, error.got) == ("remote-context.jsonld", remote)
    assert "never fetches" in error.message and remote in str(error)
    assert no_network == []


def test_plain_json_ld_parser_refuses_remote_contexts_too(no_network: list[str]) -> None:
    path = DOCUMENTS / "plain-remote-context.jsonld"
    with pytest.raises(SourceError) as caught:
        ingest.read_rdf_file(path)
    # pyoxigraph has no loader of its own: it asks for a callback instead of fetching.
    assert caught.value.file == path.name and "LoadDocumentCallback" in caught.value.message
    assert no_network == []


def test_key_no_context_defines_is_refused_naming_it() -> None:
    path = DOCUMENTS / "undefined-key.jsonld"
    document = json.loads(path.read_text(encoding="utf-8"))
    error = refusal(path)
    assert error.got == f"'placesAvailable' in {document['@id']}"
    kept = ctdl_jsonld.read_document(path, strict=False)  # JSON-LD's own rule: dropped
    assert objects(kept, NamedNode(document["@id"]), RDF.type) == {CETERMS.Course}


def test_undefined_type_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "type.jsonld"
    context = "https://credreg.net/ctdl/schema/context/json"
    path.write_text(
        json.dumps({"@context": context, "@id": "https://x.example/1", "@type": "Course"})
    )
    assert "'@type Course'" in str(refusal(path).got)


def test_named_graph_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "graph.jsonld"
    node = {"@id": "https://x.example/1", "ceterms:name": {"en": "x"}}
    context = "https://credreg.net/ctdl/schema/context/json"
    path.write_text(
        json.dumps({"@context": context, "@id": "https://x.example/g", "@graph": [node]})
    )
    error = refusal(path)
    assert error.message == "named graphs are not read from CTDL documents"
    assert "https://x.example/g" in str(error.got)


def test_broken_json_is_reported_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonld"
    path.write_text(
        '{\n  "@context": "https://credreg.net/ctdl/schema/context/json",\n  "@id": \n}\n'
    )
    error = refusal(path)
    assert (error.file, error.row) == ("broken.jsonld", 4) and "not valid JSON" in error.message


# --- the synthetic XCRI-CAP / CTDL example: a mapping test, not data -----------------------------------


@needs_example
def test_example_is_refused_for_the_keys_it_would_lose() -> None:
    error = refusal(EXAMPLE)
    assert "'en' in https://example.org/extension/equipementRequired of" in str(error.got)
    assert "'en' in https://example.org/extension/whereNext of" in str(error.got)


@needs_example
def test_example_maps_to_ctdl_when_losses_are_accepted(no_network: list[str]) -> None:
    graph = {n["@id"]: n for n in json.loads(EXAMPLE.read_text(encoding="utf-8"))["@graph"]}
    triples = ctdl_jsonld.read_document(EXAMPLE, strict=False)
    provider = next(i for i, n in graph.items() if n["@type"] == "ceterms:CredentialOrganization")
    name = graph[provider]["ceterms:name"]["en"]
    assert objects(triples, NamedNode(provider), CETERMS.name) == {Literal(name, language="en")}
    opportunity = NamedNode(graph[provider]["ceterms:offers"][0])
    qualification = graph[opportunity.value]["ceterms:isPreparationFor"]
    assert objects(triples, opportunity, CETERMS.isPreparationFor) == {NamedNode(qualification)}
    offerings = [i for i, n in graph.items() if n["@type"] == "ceterms:ScheduledOffering"]
    prices = {
        Literal(
            str(Decimal(graph[i]["ceterms:estimatedCost"]["ceterms:price"])), datatype=XSD.decimal
        )
        for i in offerings
    }
    costs = {c for i in offerings for c in objects(triples, NamedNode(i), CETERMS.estimatedCost)}
    assert {p for c in costs for p in objects(triples, c, CETERMS.price)} == prices
    occupation = one(objects(triples, NamedNode(qualification), CETERMS.occupationType))
    soc = graph[qualification]["ceterms:occupationType"]["ceterms:codedNotation"]
    assert objects(triples, occupation, CETERMS.codedNotation) == {Literal(soc)}
    assert objects(triples, occupation, SG.linkMethod) == {SG.Stated}
    assert no_network == []


@needs_example
def test_example_meets_the_gate_except_for_its_home_made_concept() -> None:
    """The example's subject is an ad-hoc skos:Concept with an untagged label and a scheme given
    as text; the SKOS shapes every classification meets refuse exactly that."""
    triples = ctdl_jsonld.read_document(EXAMPLE, strict=False)
    report = gate.validate(gate.to_ntriples(triples))
    subject = one({t.object for t in triples if t.predicate == CETERMS.subject})
    assert {(r.focus, r.path) for r in report.results} == {
        (str(subject), "<http://www.w3.org/2004/02/skos/core#prefLabel>"),
        (str(subject), "<http://www.w3.org/2004/02/skos/core#inScheme>"),
    }
