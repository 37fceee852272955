"""Real clients against a running `skillsgap serve`: SPARQLWrapper, rdflib, pandas, curl; keep-alive latency."""

from __future__ import annotations

import http.client
import statistics
import subprocess
import time
import urllib.parse
from collections.abc import Iterator

import pytest

from skillsgap import ingest
from skillsgap.config import Settings
from skillsgap.loaders import source

from . import live
from .conftest import bundled

REGIONS = (
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
    "SELECT ?region ?name WHERE { ?region skos:inScheme "
    "<https://w3id.org/skillsgap/id/geography/region> ; skos:prefLabel ?name } ORDER BY ?name"
)


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("clients") / "store"
    src = source("dfe-geography-lookups")
    ingest.commit(ingest.read_source(src, bundled(src.slug)), Settings(store=root))
    with live.serving(root, "--workers", "2") as url:
        yield url + "/sparql"


def test_sparqlwrapper(endpoint: str) -> None:
    from SPARQLWrapper import JSON, SPARQLWrapper

    client = SPARQLWrapper(endpoint)
    client.setQuery(REGIONS)
    client.setReturnFormat(JSON)
    rows = client.query().convert()["results"]["bindings"]  # type: ignore[index,call-overload]
    assert len(rows) == 9 and rows[0]["name"]["value"] == "East Midlands"


def test_rdflib_sparqlstore(endpoint: str) -> None:
    from rdflib import Graph
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    graph = Graph(store=SPARQLStore(endpoint, returnFormat="xml"))
    names = sorted(str(row[1]) for row in graph.query(REGIONS))
    assert len(names) == 9 and "London" in names


def test_pandas_reads_a_csv_result_url(endpoint: str) -> None:
    import pandas

    url = endpoint + "?" + urllib.parse.urlencode({"query": REGIONS, "format": "csv"})
    frame = pandas.read_csv(url)
    assert list(frame.columns) == ["region", "name"] and len(frame) == 9
    assert frame["region"].str.startswith("http://statistics.data.gov.uk/").all()


def test_curl(endpoint: str) -> None:
    result = subprocess.run(
        ["curl", "-sS", "-H", "Accept: text/tab-separated-values", "--data-urlencode",
         f"query={REGIONS}", endpoint],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    lines = result.stdout.strip().splitlines()
    assert lines[0] == "?region\t?name" and len(lines) == 10


def test_keep_alive_requests_have_no_delayed_ack_floor(endpoint: str) -> None:
    """With several workers, uvicorn's own socket lacks TCP_NODELAY: ~40 ms per request."""
    parts = urllib.parse.urlsplit(endpoint)
    connection = http.client.HTTPConnection(parts.hostname, parts.port)
    timings = []
    for _ in range(25):
        started = time.perf_counter()
        connection.request("POST", "/sparql", body=b"ASK { ?s ?p ?o }",
                           headers={"Content-Type": "application/sparql-query"})  # fmt: skip
        response = connection.getresponse()
        assert response.status == 200 and b"true" in response.read()
        timings.append(time.perf_counter() - started)
    connection.close()
    assert statistics.median(timings[5:]) < 0.030, f"median {statistics.median(timings):.3f} s"


def test_a_long_streamed_answer_arrives_whole(endpoint: str) -> None:
    """Through the server's own HTTP protocol (writes joined per event-loop turn, at most
    64 KiB held): every row of a multi-chunk answer, in order, on a kept-alive connection."""
    import httpx

    everything = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    with httpx.Client(timeout=60) as http:
        rows = int(http.get(endpoint, params={"query": count, "format": "csv"}).text.split()[1])
        answers = [http.get(endpoint, params={"query": everything, "format": "tsv"})
                   for _ in range(2)]  # the second on the same connection  # fmt: skip
        assert [answer.status_code for answer in answers] == [200, 200]
        assert answers[0].content == answers[1].content
        assert len(answers[0].content) > 4 * 64 * 1024
        assert len(answers[0].text.splitlines()) == rows + 1
        head = http.head(endpoint, params={"query": everything, "format": "tsv"})
        assert head.status_code == 200 and head.content == b""
