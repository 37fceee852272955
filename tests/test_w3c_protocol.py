"""The W3C SPARQL 1.1 Protocol tests (query side), replayed against the endpoint.

Each test of ``protocol/manifest.ttl`` is a list of HTTP requests with the status class, result
format and ASK answer each response must have; they are replayed as written (path ``/sparql/``
becomes ``/sparql``) on an endpoint whose store holds the suite's three graphs. skillsgap's
endpoint is read-only, so the manifest's update tests are checked for refusal (403) instead, and
the "bad" tests are also held to the exact status skillsgap's endpoint promises.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from pyoxigraph import QueryBoolean, QueryResultsFormat, parse_query_results

from skillsgap.config import Settings
from skillsgap.server.app import create_app
from tests.w3c_manifest import (
    ProtocolRequest,
    ProtocolTest,
    load_through_gate,
    protocol_tests,
    status_matches,
)

TESTS = protocol_tests()
# The manifest's successful-update tests: a read-only endpoint must refuse them.
UPDATE_TESTS = [t for t in TESTS if t.id.startswith("update_")]
QUERY_TESTS = [t for t in TESTS if t not in UPDATE_TESTS]
# Media types the protocol allows for each mf:expectedFormat.
FORMATS = {
    "boolean": {"application/sparql-results+json", "application/sparql-results+xml"},
    "tabular": {
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    },
    "RDF": {
        "application/rdf+xml",
        "text/turtle",
        "application/n-triples",
        "application/ld+json",
        "application/n-quads",
    },
}
BOOLEAN_FORMATS = {
    "application/sparql-results+json": QueryResultsFormat.JSON,
    "application/sparql-results+xml": QueryResultsFormat.XML,
}
# The W3C tests ask only for a 4xx; skillsgap's endpoint promises these exact codes.
EXACT_STATUS = {
    "bad_query_method": 405,
    "bad_multiple_queries": 400,
    "bad_query_wrong_media_type": 415,
    "bad_query_missing_form_type": 415,
    "bad_query_missing_direct_type": 415,
    "bad_query_non_utf8": 400,
    "bad_query_syntax": 400,
    "bad_update_get": 403,
    "bad_multiple_updates": 403,
    "bad_update_wrong_media_type": 415,
    "bad_update_missing_form_type": 415,
    "bad_update_non_utf8": 403,
    "bad_update_syntax": 403,
    "bad_update_dataset_conflict": 403,
}
UPDATE_BODY = "application/sparql-update"
JSON = "application/sparql-results+json"
DATA1, DATA2, DATA3 = (f"http://kasei.us/2009/09/sparql/data/data{n}.rdf" for n in (1, 2, 3))


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The endpoint over a store holding the suite's graphs, loaded through the gate."""
    settings = Settings(store=tmp_path_factory.mktemp("w3c-protocol") / "store")
    graphs = {iri: path for test in TESTS for iri, path in test.graphs}
    load_through_gate(graphs, settings, "w3c-sparql11-protocol")
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def send(client: TestClient, request: ProtocolRequest) -> Response:
    """Replay one manifest request on the endpoint."""
    path = "/sparql" + request.path.removeprefix("/sparql/")  # "/sparql/?q" → "/sparql?q"
    return client.request(request.method, path, content=request.body, headers=request.headers)


def media_type(response: Response) -> str:
    """The response's media type without parameters."""
    return response.headers.get("content-type", "").split(";")[0].strip()


def check_response(request: ProtocolRequest, response: Response) -> None:
    """The response has the status class, result format and ASK answer the manifest expects."""
    assert status_matches(response.status_code, request.statuses), (
        f"status {response.status_code}, expected {'/'.join(request.statuses)}: {response.text}"
    )
    if request.result_format is not None:
        assert media_type(response) in FORMATS[request.result_format], media_type(response)
    if request.boolean is not None:
        parsed = parse_query_results(response.content, BOOLEAN_FORMATS[media_type(response)])
        assert isinstance(parsed, QueryBoolean) and bool(parsed) is request.boolean


@pytest.mark.parametrize("test", QUERY_TESTS, ids=[t.id for t in QUERY_TESTS])
def test_w3c_protocol(test: ProtocolTest, client: TestClient) -> None:
    for request in test.requests:
        response = send(client, request)
        check_response(request, response)
        if test.id in EXACT_STATUS:
            assert response.status_code == EXACT_STATUS[test.id], response.text


@pytest.mark.parametrize("test", UPDATE_TESTS, ids=[t.id for t in UPDATE_TESTS])
def test_w3c_update_is_refused_by_the_read_only_endpoint(
    test: ProtocolTest, client: TestClient
) -> None:
    response = send(client, test.requests[0])
    assert response.status_code == 403, response.text
    assert media_type(response) == "text/plain"


# The protocol's query side, beyond the manifest: the dataset rules and skillsgap's exact codes.


def ask(client: TestClient, query: str, **params: str | list[str]) -> bool:
    """An ASK by GET; its boolean answer."""
    response = client.get("/sparql", params={"query": query, **params})
    assert response.status_code == 200, response.text
    return bool(parse_query_results(response.content, BOOLEAN_FORMATS[media_type(response)]))


def test_default_graph_uri_overrides_from(client: TestClient) -> None:
    query = f"ASK FROM <{DATA3}> {{ <{DATA1}> a ?type }}"
    assert ask(client, query, **{"default-graph-uri": DATA1})


def test_from_picks_the_default_graph_when_the_request_gives_no_dataset(
    client: TestClient,
) -> None:
    # SPARQL 1.1 Query 13.2: FROM sets the default graph; the union default applies only
    # when neither the query nor the request names a dataset.
    assert not ask(client, f"ASK FROM <{DATA3}> {{ <{DATA1}> a ?type }}")
    assert ask(client, f"ASK FROM <{DATA1}> {{ <{DATA1}> a ?type }}")


def test_from_named_limits_the_named_graphs(client: TestClient) -> None:
    query = f"ASK FROM NAMED <{DATA3}> {{ GRAPH ?g {{ <{DATA1}> a ?type }} }}"
    assert not ask(client, query)


def test_relative_iris_resolve_against_the_service_base(client: TestClient) -> None:
    # The protocol suite's CONSTRUCT { <s> <p> 1 } and its update_base_uri test expect a
    # service-defined base IRI ("which MAY be the service endpoint"), not a syntax error.
    query = "SELECT (STR(<relative>) AS ?iri) {}"
    response = client.get("/sparql", params={"query": query}, headers={"Accept": JSON})
    assert response.status_code == 200, response.text
    solutions = parse_query_results(response.content, QueryResultsFormat.JSON)
    assert [s["iri"].value.endswith("/relative") for s in solutions] == [True]  # type: ignore[union-attr]


def test_default_graph_uri_alone_leaves_no_named_graphs(client: TestClient) -> None:
    assert not ask(client, "ASK { GRAPH ?g { ?s ?p ?o } }", **{"default-graph-uri": DATA1})


def test_named_graph_uri_alone_leaves_an_empty_default_graph(client: TestClient) -> None:
    assert not ask(client, "ASK { ?s ?p ?o }", **{"named-graph-uri": DATA1})


def test_no_dataset_means_the_union_of_named_graphs(client: TestClient) -> None:
    assert ask(client, f"ASK {{ <{DATA1}> a ?t . <{DATA2}> a ?t . <{DATA3}> a ?t }}")


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("default-graph-uri=urn%3Ax", "application/x-www-form-urlencoded"),
        ("", "application/sparql-query"),
    ],
    ids=["form-without-query", "empty-direct-post"],
)
def test_missing_query_is_400(client: TestClient, body: str, content_type: str) -> None:
    response = client.post("/sparql", content=body, headers={"Content-Type": content_type})
    assert response.status_code == 400 and media_type(response) == "text/plain"


def test_syntax_error_is_400_text(client: TestClient) -> None:
    response = client.post(
        "/sparql", content="SELECT * WHERE {", headers={"Content-Type": "application/sparql-query"}
    )
    assert response.status_code == 400 and media_type(response) == "text/plain"


@pytest.mark.parametrize(
    ("method", "kwargs"),
    [
        ("GET", {"params": {"update": "CLEAR ALL"}}),
        ("POST", {"data": {"update": "CLEAR ALL"}}),
        ("POST", {"content": "CLEAR ALL", "headers": {"Content-Type": UPDATE_BODY}}),
    ],
    ids=["get", "form-post", "direct-post"],
)
def test_update_through_the_query_endpoint_is_403(
    client: TestClient, method: str, kwargs: dict[str, object]
) -> None:
    response = client.request(method, "/sparql", **kwargs)  # type: ignore[arg-type]
    assert response.status_code == 403 and media_type(response) == "text/plain"
    assert ask(client, f"ASK {{ <{DATA1}> a ?type }}"), "the update must not have run"


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_other_methods_are_405(client: TestClient, method: str) -> None:
    assert client.request(method, "/sparql", params={"query": "ASK {}"}).status_code == 405


@pytest.mark.parametrize(
    ("query", "accept", "expected"),
    [
        ("SELECT * {}", "text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
        ("SELECT * {}", "application/sparql-results+xml;q=0.2, text/tab-separated-values", "text/tab-separated-values"),
        ("CONSTRUCT WHERE {}", "application/sparql-results+json, text/turtle;q=0.5", "text/turtle"),
        ("ASK {}", "application/sparql-results+json, application/n-triples;q=0.9", "application/sparql-results+json"),
    ],
    ids=["select-xml", "select-tsv", "construct-turtle", "ask-json"],
)  # fmt: skip
def test_content_negotiation_follows_q_values(
    client: TestClient, query: str, accept: str, expected: str
) -> None:
    response = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200 and media_type(response) == expected


def test_unacceptable_accept_is_406(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": "image/png"})
    assert response.status_code == 406


@pytest.mark.parametrize(
    ("query", "fmt", "expected"),
    [("SELECT * {}", "tsv", "text/tab-separated-values"), ("CONSTRUCT WHERE {}", "nt", "application/n-triples")],
)  # fmt: skip
def test_format_parameter_picks_the_format(
    client: TestClient, query: str, fmt: str, expected: str
) -> None:
    response = client.get("/sparql", params={"query": query, "format": fmt})
    assert response.status_code == 200 and media_type(response) == expected
