"""The SPARQL 1.1 Protocol endpoint: routes, formats, errors, read-only, limits, concurrency."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from fastapi.testclient import TestClient
from pyoxigraph import NamedNode, QueryResultsFormat, RdfFormat, parse, parse_query_results

from skillsgap import ingest, store
from skillsgap.config import Settings
from skillsgap.loaders import source
from skillsgap.query_text import outer_limit
from skillsgap.server import cpus as server_cpus
from skillsgap.server import sparql
from skillsgap.server.app import create_app

from . import live
from .conftest import bundled

GEO = "https://w3id.org/skillsgap/graph/dfe-geography-lookups"
COUNT_REGIONS = (
    "SELECT (COUNT(?r) AS ?n) WHERE { ?r <http://www.w3.org/2004/02/skos/core#inScheme> "
    "<https://w3id.org/skillsgap/id/geography/region> }"
)
REGIONS = (
    "SELECT ?r ?name WHERE { ?r <http://www.w3.org/2004/02/skos/core#inScheme> "
    "<https://w3id.org/skillsgap/id/geography/region> ; "
    "<http://www.w3.org/2004/02/skos/core#prefLabel> ?name } ORDER BY ?r"
)


@pytest.fixture(scope="module")
def loaded_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sparql") / "store"
    settings = Settings(store=root)
    src = source("dfe-geography-lookups")
    ingest.commit(ingest.read_source(src, bundled(src.slug)), settings)
    extra = root.parent / "extra.nt"
    extra.write_text('<urn:x:a> <urn:x:p> "only in extra" .\n')
    ingest.commit(ingest.read_rdf_file(extra, "https://example.org/extra"), settings)
    return root


@pytest.fixture(scope="module")
def client(loaded_store: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(store=loaded_store))) as test_client:
        yield test_client


def solutions(response: object) -> list[dict[str, str]]:
    body = response.content  # type: ignore[attr-defined]
    parsed = parse_query_results(body, QueryResultsFormat.JSON)
    return [{v.value: s[v].value for v in parsed.variables if s[v] is not None} for s in parsed]


def test_get_form_post_and_direct_post_agree(client: TestClient) -> None:
    by_get = client.get("/sparql", params={"query": REGIONS})
    by_form = client.post("/sparql", data={"query": REGIONS})
    by_body = client.post(
        "/sparql", content=REGIONS, headers={"Content-Type": "application/sparql-query"}
    )
    assert by_get.status_code == by_form.status_code == by_body.status_code == 200
    assert solutions(by_get) == solutions(by_form) == solutions(by_body)
    assert len(solutions(by_get)) == 9 and by_get.headers["content-type"].startswith(
        "application/sparql-results+json"
    )


@pytest.mark.parametrize(
    "accept,media",
    [
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("application/sparql-results+json;q=0.2, text/csv;q=0.8", "text/csv"),
        ("application/xml", "application/sparql-results+xml"),
        ("*/*", "application/sparql-results+json"),
        (None, "application/sparql-results+json"),
    ],
)
def test_select_content_negotiation(client: TestClient, accept: str | None, media: str) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get("/sparql", params={"query": COUNT_REGIONS}, headers=headers)
    assert response.status_code == 200 and response.headers["content-type"].startswith(media)
    assert "9" in response.text


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_format_parameter_for_people_typing_urls(client: TestClient, fmt: str) -> None:
    response = client.get("/sparql", params={"query": COUNT_REGIONS, "format": fmt})
    assert response.status_code == 200 and "9" in response.text


@pytest.mark.parametrize(
    "accept,rdf_format",
    [
        ("text/turtle", RdfFormat.TURTLE),
        ("application/n-triples", RdfFormat.N_TRIPLES),
        ("application/ld+json", RdfFormat.JSON_LD),
        ("application/rdf+xml", RdfFormat.RDF_XML),
        ("application/n-quads", RdfFormat.N_QUADS),
    ],
)
def test_construct_formats(client: TestClient, accept: str, rdf_format: RdfFormat) -> None:
    query = "CONSTRUCT WHERE { ?r <http://www.w3.org/2004/02/skos/core#prefLabel> ?l } LIMIT 7"
    response = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["content-type"].startswith(accept)
    assert len(list(parse(response.content, format=rdf_format))) == 7


def test_unacceptable_accept_is_406(client: TestClient) -> None:
    response = client.get(
        "/sparql", params={"query": COUNT_REGIONS}, headers={"Accept": "image/png"}
    )
    assert response.status_code == 406 and "text/csv" in response.text


@pytest.mark.parametrize(
    "query,message",
    [
        ("SELECT * WHERE {", "SPARQL syntax error"),
        ("SELECT * WHERE { ?s nope:p ?o }", "Prefix not found"),
    ],
)
def test_syntax_errors_are_400_plain_text(client: TestClient, query: str, message: str) -> None:
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert message in response.text and "Traceback" not in response.text


def graph_sizes(root: Path) -> dict[str, int]:
    return store.open_snapshot(root).graph_sizes()


@pytest.mark.parametrize(
    "method,kwargs",
    [
        ("get", {"params": {"update": "DROP ALL"}}),
        ("post", {"data": {"update": "DROP ALL"}}),
        ("post", {"content": "DROP ALL", "headers": {"Content-Type": "application/sparql-update"}}),
        ("post", {"data": {"query": "DROP ALL"}}),
        ("get", {"params": {"query": "CLEAR DEFAULT"}}),
        ("post", {"content": f"DROP GRAPH <{GEO}>",
                  "headers": {"Content-Type": "application/sparql-query"}}),
    ],
)  # fmt: skip
def test_updates_are_refused_and_change_nothing(
    client: TestClient, loaded_store: Path, method: str, kwargs: dict[str, object]
) -> None:
    before = graph_sizes(loaded_store)
    response = getattr(client, method)("/sparql", **kwargs)
    assert 400 <= response.status_code < 500
    assert graph_sizes(loaded_store) == before


def test_wrong_method_and_body_type(client: TestClient) -> None:
    put = client.put("/sparql", content="x")
    assert put.status_code == 405 and "POST" in put.headers["allow"]
    assert client.delete("/sparql").status_code == 405
    wrong = client.post("/sparql", content="{}", headers={"Content-Type": "application/json"})
    assert wrong.status_code == 415


def test_two_queries_or_none_is_400(client: TestClient) -> None:
    assert client.get("/sparql?query=ASK%7B%7D&query=ASK%7B%7D").status_code == 400
    assert client.post("/sparql", data={"format": "json"}).status_code == 400


def test_huge_query_is_413(client: TestClient) -> None:
    huge = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 1_100_000
    response = client.post(
        "/sparql", content=huge, headers={"Content-Type": "application/sparql-query"}
    )
    assert response.status_code == 413


def test_service_description_on_bare_get(client: TestClient) -> None:
    response = client.get("/sparql", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    triples = list(parse(response.content, format=RdfFormat.TURTLE))
    assert any(t.object == NamedNode("http://www.w3.org/ns/sparql-service-description#Service")
               for t in triples)  # fmt: skip
    assert client.head("/sparql").status_code == 200


def test_cors_preflight(client: TestClient) -> None:
    response = client.options(
        "/sparql",
        headers={"Origin": "https://app.example", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type"},
    )  # fmt: skip
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"


def test_default_graph_is_the_union_and_dataset_parameters_narrow_it(client: TestClient) -> None:
    ask = "ASK { ?s ?p 'only in extra' }"
    assert "true" in client.get("/sparql", params={"query": ask}).text
    narrowed = client.get("/sparql", params={"query": ask, "default-graph-uri": GEO})
    assert "false" in narrowed.text
    overriding_from = "ASK FROM <https://example.org/extra> { ?s ?p 'only in extra' }"
    assert (
        "false"
        in client.get("/sparql", params={"query": overriding_from, "default-graph-uri": GEO}).text
    )
    named = "SELECT ?g WHERE { GRAPH ?g { ?s ?p 'only in extra' } }"
    response = client.get(
        "/sparql", params={"query": named, "named-graph-uri": "https://example.org/extra"}
    )
    assert solutions(response) == [{"g": "https://example.org/extra"}]


def test_service_is_refused_by_default(client: TestClient) -> None:
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 400 and "SERVICE" in response.text


def test_row_cap_is_reported_never_silent(loaded_store: Path) -> None:
    with TestClient(create_app(Settings(store=loaded_store, max_rows=5))) as capped:
        query = "SELECT ?s WHERE { ?s ?p ?o }"
        as_json = capped.get("/sparql", params={"query": query})
        assert as_json.headers["x-result-truncated"].startswith("true")
        assert (
            as_json.json()["truncated"] is True and len(as_json.json()["results"]["bindings"]) == 5
        )
        as_csv = capped.get("/sparql", params={"query": query, "format": "csv"})
        assert len(as_csv.text.strip().splitlines()) == 6
        small = capped.get("/sparql", params={"query": COUNT_REGIONS})
        assert "x-result-truncated" not in small.headers


EXPLOSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def test_runaway_query_is_stopped_while_others_keep_working(loaded_store: Path) -> None:
    # A real `skillsgap serve`: ending a runaway query takes ending its process, which the
    # supervisor replaces. No cache: the cheap queries must really be evaluated meanwhile.
    options = ("--workers", "1", "--query-workers", "2", "--query-timeout", "2",
               "--sparql-cache-mb", "0")  # fmt: skip
    with live.serving(loaded_store, *options) as url, httpx.Client(timeout=30) as http:
        [first_worker] = live.server_workers(url)
        outcome: dict[str, Any] = {}

        def runaway() -> None:
            started = time.perf_counter()
            outcome["response"] = httpx.get(url + "/sparql", params={"query": EXPLOSIVE},
                                            timeout=30)  # fmt: skip
            outcome["seconds"] = time.perf_counter() - started

        thread = threading.Thread(target=runaway)
        thread.start()
        cheap = []
        while thread.is_alive():
            cheap.append(http.get(url + "/sparql", params={"query": COUNT_REGIONS}).status_code)
            time.sleep(0.05)
        thread.join()
        response = outcome["response"]
        assert response.status_code == 503
        assert "time limit of 2 s" in response.text
        assert 2 <= outcome["seconds"] < 10
        assert len(cheap) > 10 and set(cheap) == {200}
        # The process that ran it is gone (and the query with it); a fresh one answers.
        live.wait_for(lambda: not Path(f"/proc/{first_worker}").exists(), 30)
        assert live.server_workers(url) != [first_worker]
        assert http.get(url + "/sparql", params={"query": COUNT_REGIONS}).status_code == 200


def test_a_dead_server_process_is_replaced(loaded_store: Path) -> None:
    with live.serving(loaded_store, "--workers", "1") as url, httpx.Client(timeout=30) as http:
        [worker] = live.server_workers(url)
        os.kill(worker, signal.SIGKILL)
        live.wait_for(lambda: live.server_workers(url) not in ([], [worker]), 30)
        response = http.get(url + "/sparql", params={"query": COUNT_REGIONS, "format": "csv"})
        assert response.status_code == 200 and "9" in response.text


def test_reads_during_commits_never_fail_or_see_half(loaded_store: Path, tmp_path: Path) -> None:
    graph = "https://example.org/churn"
    settings = Settings(store=loaded_store)
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
    seen: set[str] = set()
    statuses: set[int] = set()
    with TestClient(create_app(settings)) as reader:
        done = threading.Event()

        def read_loop() -> None:
            while not done.is_set():
                response = reader.get("/sparql", params={"query": query, "format": "csv"})
                statuses.add(response.status_code)
                seen.add(response.text.split()[-1])

        thread = threading.Thread(target=read_loop)
        thread.start()
        for size in (3000, 6000, 3000):
            data = tmp_path / f"churn{size}.nt"
            data.write_text("".join(f"<urn:s{i}> <urn:p> <urn:o> .\n" for i in range(size)))
            ingest.commit(ingest.read_rdf_file(data, graph), settings)
        time.sleep(0.3)
        done.set()
        thread.join()
    assert statuses == {200}
    assert seen <= {"0", "3000", "6000"} and "3000" in seen


ALL_TRIPLES = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"


def asgi_get(app: object, query: str, send_fails_after: int | None = None) -> list[dict[str, Any]]:
    """The ASGI messages the app sends for GET /sparql?query=…; the client may leave early."""
    scope = {"type": "http", "method": "GET", "scheme": "http", "path": "/sparql",
             "root_path": "", "query_string": urlencode({"query": query}).encode(),
             "headers": [(b"host", b"test"), (b"accept", b"application/sparql-results+json")],
             "server": ("test", 80), "client": ("127.0.0.1", 1), "http_version": "1.1"}  # fmt: skip
    messages: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        if send_fails_after is not None and len(messages) >= send_fails_after:
            raise OSError("the client went away")
        messages.append(message)

    async def call() -> None:
        with contextlib.suppress(OSError):
            await app(scope, receive, send)  # type: ignore[operator]

    asyncio.run(call())
    return messages


def test_a_big_result_streams_in_chunks_and_arrives_complete(loaded_store: Path) -> None:
    app = create_app(Settings(store=loaded_store))
    try:
        expected = len(solutions_of(asgi_get(app, ALL_TRIPLES + " LIMIT 1000000")))
        for query in (ALL_TRIPLES + " LIMIT 1000000", ALL_TRIPLES):  # streamed / counted first
            messages = asgi_get(app, query)
            start, bodies = messages[0], messages[1:]
            assert start["status"] == 200 and len(bodies) > 2
            assert b"content-length" not in dict(start["headers"])
            assert [m.get("more_body", False) for m in bodies][-1] is False
            assert len(solutions_of(messages)) == expected > 8000
    finally:
        app.state.executor.close()


def test_a_streamed_result_cut_by_the_cap_says_so(loaded_store: Path) -> None:
    app = create_app(Settings(store=loaded_store, max_rows=3000))
    try:
        messages = asgi_get(app, ALL_TRIPLES)
        assert dict(messages[0]["headers"])[b"x-result-truncated"].startswith(b"true")
        assert len(messages) > 2  # streamed, not built whole
        body = json.loads(b"".join(m.get("body", b"") for m in messages[1:]))
        assert body["truncated"] is True and len(body["results"]["bindings"]) == 3000
    finally:
        app.state.executor.close()


def solutions_of(messages: list[dict[str, Any]]) -> list[object]:
    body = b"".join(m.get("body", b"") for m in messages[1:])
    return list(parse_query_results(body, QueryResultsFormat.JSON))  # type: ignore[arg-type]


@pytest.mark.skipif(
    not hasattr(os, "sched_getaffinity") or len(os.sched_getaffinity(0)) < 2,
    reason="needs CPU affinity and two CPUs",
)
def test_server_workers_take_cpus_of_their_own_unless_told_not_to(loaded_store: Path) -> None:
    def cpus(url: str) -> list[set[int]]:
        return [os.sched_getaffinity(pid) for pid in live.server_workers(url)]

    with live.serving(loaded_store, "--workers", "2") as url:
        # Each worker pins itself while it starts, so wait for both.
        live.wait_for(lambda: len(cpus(url)) == 2 and all(len(c) == 1 for c in cpus(url)), 30)
        assert cpus(url)[0] != cpus(url)[1]
        lock = server_cpus.lock_path(live.server_pid(url))
        assert lock.exists()
    assert not lock.exists()  # the supervisor removes it when it stops
    with live.serving(loaded_store, "--workers", "2", "--cpu-affinity", "no") as url:
        live.wait_for(lambda: len(cpus(url)) == 2, 30)
        time.sleep(1)
        assert cpus(url) == [os.sched_getaffinity(0)] * 2


def test_a_client_leaving_mid_stream_frees_the_worker(loaded_store: Path) -> None:
    app = create_app(Settings(store=loaded_store, query_workers=1))
    try:
        left = asgi_get(app, ALL_TRIPLES + " LIMIT 1000000", send_fails_after=2)
        assert len(left) == 2  # the head and one chunk, then the client was gone
        again = asgi_get(app, COUNT_REGIONS)
        assert again[0]["status"] == 200 and b"9" in again[1]["body"]
    finally:
        app.state.executor.close()


@pytest.mark.parametrize(
    "query,limit",
    [
        ("SELECT * { ?s ?p ?o } LIMIT 5", 5),
        ("SELECT * { ?s ?p ?o } OFFSET 3 LIMIT 7 # seven", 7),
        ("SELECT * { { SELECT * { ?s ?p ?o } LIMIT 5 } }", None),
        ("SELECT * { ?s ?p 'LIMIT 5' }", None),
        ("SELECT * { } LIMIT 5 VALUES ?x { 1 }", None),
    ],
)
def test_only_the_outer_limit_lets_a_result_stream_from_its_first_row(
    query: str, limit: int | None
) -> None:
    assert outer_limit(query) == limit


# The result cache: answers kept per store version, so a load's commit is always seen.


def test_a_repeated_query_is_answered_from_the_cache(client: TestClient) -> None:
    query = REGIONS + " # cache test"
    first = client.get("/sparql", params={"query": query})
    second = client.get("/sparql", params={"query": query})
    assert first.headers["x-cache"] == "miss" and second.headers["x-cache"] == "hit"
    assert second.content == first.content and solutions(second) == solutions(first)
    for name in ("content-type", "x-store-version", "vary", "content-length"):
        assert second.headers[name] == first.headers[name]
    as_csv = client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    assert as_csv.headers["x-cache"] == "miss" and as_csv.headers["content-type"].startswith(
        "text/csv"
    )
    # An Accept header that picks the same format shares the answer.
    picky = client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv;q=0.9"})
    assert picky.headers["x-cache"] == "hit" and picky.content == as_csv.content
    head = client.head("/sparql", params={"query": query})
    assert head.status_code == 200 and head.headers["x-cache"] == "hit" and not head.content


def test_a_cached_answer_keeps_its_cors_headers(client: TestClient) -> None:
    query = COUNT_REGIONS + " # cors"
    origin = {"Origin": "https://portal.example"}
    client.get("/sparql", params={"query": query}, headers=origin)
    hit = client.get("/sparql", params={"query": query}, headers=origin)
    assert hit.headers["x-cache"] == "hit" and hit.headers["access-control-allow-origin"] == "*"
    assert "x-cache" in hit.headers["access-control-expose-headers"].lower()


def test_the_dataset_parameters_are_part_of_the_cache_key(client: TestClient) -> None:
    ask = "ASK { ?s ?p 'only in extra' } # key"
    assert "true" in client.get("/sparql", params={"query": ask}).text
    narrowed = client.get("/sparql", params={"query": ask, "default-graph-uri": GEO})
    assert narrowed.headers["x-cache"] == "miss" and "false" in narrowed.text


@pytest.mark.parametrize(
    "params,headers,status",
    [
        ({"query": "SELECT * WHERE {"}, {}, 400),
        ({"query": COUNT_REGIONS + " # 406"}, {"Accept": "image/png"}, 406),
        ({"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:1/s> { ?s ?p ?o } }"}, {}, 400),
    ],
)
def test_an_error_is_never_cached(
    client: TestClient, params: dict[str, str], headers: dict[str, str], status: int
) -> None:
    for _ in range(2):
        response = client.get("/sparql", params=params, headers=headers)
        assert response.status_code == status and "x-cache" not in response.headers


def test_a_new_store_version_is_a_miss_with_the_new_answer(tmp_path: Path) -> None:
    settings = Settings(store=tmp_path / "store")
    query = "SELECT ?o WHERE { <urn:x:s> <urn:x:p> ?o }"

    def load(value: str) -> None:
        data = tmp_path / "data.nt"
        data.write_text(f'<urn:x:s> <urn:x:p> "{value}" .\n')
        ingest.commit(ingest.read_rdf_file(data, "https://example.org/g"), settings)

    load("first")
    with TestClient(create_app(settings)) as served:
        before = [served.get("/sparql", params={"query": query}) for _ in range(2)]
        assert [r.headers["x-cache"] for r in before] == ["miss", "hit"]
        assert solutions(before[1]) == [{"o": "first"}]
        load("second")
        after = [served.get("/sparql", params={"query": query}) for _ in range(2)]
    assert [r.headers["x-cache"] for r in after] == ["miss", "hit"]
    assert solutions(after[0]) == solutions(after[1]) == [{"o": "second"}]
    assert after[0].headers["x-store-version"] != before[0].headers["x-store-version"]
    assert after[0].headers["x-store-version"] == store.current_version(settings.store)


def test_a_large_result_is_not_cached(loaded_store: Path) -> None:
    app = create_app(Settings(store=loaded_store))
    try:
        runs = [asgi_get(app, ALL_TRIPLES + " # large") for _ in range(2)]
    finally:
        app.state.executor.close()
    assert sum(len(m.get("body", b"")) for m in runs[0][1:]) > sparql.CACHE_ENTRY_LIMIT
    for messages in runs:
        assert dict(messages[0]["headers"])[b"x-cache"] == b"miss"


def test_sparql_cache_mb_0_turns_the_cache_off(loaded_store: Path) -> None:
    with TestClient(create_app(Settings(store=loaded_store, sparql_cache_mb=0))) as uncached:
        responses = [uncached.get("/sparql", params={"query": COUNT_REGIONS}) for _ in range(2)]
    assert all(r.status_code == 200 and "x-cache" not in r.headers for r in responses)


def key(version: str, query: str) -> sparql.CacheKey:
    return (version, query, (), (), ("json", "json", "ttl"), None)


def test_the_cache_drops_the_least_recently_used_answer_when_full() -> None:
    cache = sparql.ResultCache(capacity=3 * (100 + sparql.ENTRY_OVERHEAD + 1))
    cache.clear("v1")
    for name in "abc":
        cache.put(key("v1", name), (), b"x" * 100)
    assert cache.get(key("v1", "a")) is not None  # "b" is now the least recently used
    cache.put(key("v1", "d"), (), b"x" * 100)
    assert cache.get(key("v1", "b")) is None
    assert all(cache.get(key("v1", name)) is not None for name in "acd")
    assert cache.size <= cache.capacity


def test_the_cache_keeps_only_answers_of_the_live_version_within_the_size_limit() -> None:
    cache = sparql.ResultCache(capacity=64 << 20)
    cache.clear("v2")
    cache.put(key("v1", "old"), (), b"answer")
    cache.put(key("v2", "big"), (), b"x" * sparql.CACHE_ENTRY_LIMIT)
    assert cache.get(key("v1", "old")) is None and cache.get(key("v2", "big")) is None
    cache.put(key("v2", "new"), (), b"answer")
    assert cache.get(key("v2", "new")) == ((), b"answer")
    cache.clear("v3")
    assert cache.get(key("v2", "new")) is None and cache.size == 0
