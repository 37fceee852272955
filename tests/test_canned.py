"""Canned queries over HTTP: typed parameters, one error shape, formats, caching, paging, OpenAPI."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from skillsgap import ingest, store
from skillsgap.catalog import load_catalog
from skillsgap.config import Settings
from skillsgap.server.app import create_app

CATALOG = load_catalog()
HOSTILE = ['"', "'", "}", "{", "} ; DROP ALL", "<http://x y>", "a" * 10_000, "ünïcødé ✓", " ", "\\",
           "?x", "1e9999", "-1", "../../etc/passwd", "<script>alert(1)</script>"]  # fmt: skip


def assert_error(response: Response, status: int, parameter: str | None = None) -> dict[str, Any]:
    """The one error shape: ok, error, errors, status (and the parameter at fault, if any)."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["ok"] is False and body["status"] == status
    assert isinstance(body["error"], str) and body["errors"] and isinstance(body["errors"], list)
    if parameter:
        assert body["parameter"] == parameter and parameter in body["error"]
    return body  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def client(reference_store: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(store=reference_store))) as test_client:
        yield test_client


def first(client: TestClient, sparql: str) -> str:
    response = client.get("/sparql", params={"query": sparql, "format": "csv"})
    return response.text.splitlines()[1]


def test_list_has_every_query_with_parameters_and_links(client: TestClient) -> None:
    listed = {q["slug"]: q for q in client.get("/queries").json()["queries"]}
    assert set(listed) == set(CATALOG)
    assert listed["area"]["parameters"][0]["name"] == "code"
    assert listed["area"]["links"]["run"] == "/queries/area"


def test_area_by_code_and_by_name_agree(client: TestClient) -> None:
    by_code = client.get("/queries/area", params={"code": "E08000035"}).json()
    assert by_code["ok"] and by_code["rows"][0]["name"] == "Leeds"
    assert {"E47000003", "E69000038"} & {row["other_code"] for row in by_code["rows"]}
    by_name = client.get("/queries/area", params={"code": "LEEDS"}).json()
    assert by_name["rows"] == by_code["rows"]


def test_an_ambiguous_name_is_refused_naming_the_parameter(client: TestClient) -> None:
    body = assert_error(
        client.get("/queries/area", params={"code": "Greater Manchester"}), 422, "code"
    )
    assert "unambiguous" in body["error"]


def test_numbers_are_numbers(client: TestClient) -> None:
    code = first(client, "PREFIX sg: <https://w3id.org/skillsgap/def/> SELECT ?c WHERE { ?l sg:fromConcept ?f . "
                 "?f <http://www.w3.org/2004/02/skos/core#notation> ?c } ORDER BY ?c LIMIT 1")  # fmt: skip
    rows = client.get("/queries/soc-crosswalk", params={"soc2010": code}).json()["rows"]
    assert rows and all(isinstance(r["proportion"], float | int) and isinstance(r["sample_base"], int)
                        for r in rows)  # fmt: skip


@pytest.mark.parametrize("slug", sorted(CATALOG))
def test_every_query_answers_without_parameters_or_names_the_missing_one(
    client: TestClient, slug: str
) -> None:
    response = client.get(f"/queries/{slug}")
    required = [p.name for p in CATALOG[slug].parameters if p.required and p.default is None]
    if required:
        assert_error(response, 422, required[0])
    else:
        assert response.status_code == 200 and response.json()["ok"] is True


CASES = [(slug, p.name, value) for slug, q in sorted(CATALOG.items()) for p in q.parameters
         for value in HOSTILE]  # fmt: skip


@pytest.mark.parametrize("slug,parameter,value", CASES)
def test_hostile_values_are_harmless(
    client: TestClient, slug: str, parameter: str, value: str
) -> None:
    before = client.get("/health").json()["store_version"]
    examples = {p.name: p.example for p in CATALOG[slug].parameters if p.required and p.example}
    response = client.get(f"/queries/{slug}", params=examples | {parameter: value})
    if response.status_code != 200:
        assert_error(response, 422, parameter)
    assert client.get("/health").json()["store_version"] == before  # nothing was written


def test_unknown_query_and_unknown_parameter(client: TestClient) -> None:
    assert_error(client.get("/queries/no-such-query"), 404)
    assert_error(
        client.get("/queries/area", params={"code": "E92000001", "colour": "red"}), 422, "colour"
    )
    assert_error(
        client.get("/queries/area", params={"code": "E92000001", "limit": "0"}), 422, "limit"
    )
    assert_error(
        client.get("/queries/area", params={"code": "E92000001", "format": "pdf"}), 422, "format"
    )


@pytest.mark.parametrize("fmt,media", [("csv", "text/csv"), ("sparql-json", "application/sparql-results+json"),
                                       ("xml", "application/sparql-results+xml"), ("tsv", "text/tab")])  # fmt: skip
def test_other_formats(client: TestClient, fmt: str, media: str) -> None:
    response = client.get("/queries/area", params={"code": "E92000001", "format": fmt})
    assert response.status_code == 200 and response.headers["content-type"].startswith(media)


def test_paging_follows_next_without_overlap(client: TestClient) -> None:
    first_page = client.get("/queries/area", params={"code": "E92000001", "limit": 2}).json()
    assert first_page["truncated"] is True and first_page["next"]
    second_page = client.get(first_page["next"]).json()
    assert second_page["offset"] == 2 and second_page["rows"]
    everything = client.get("/queries/area", params={"code": "E92000001", "limit": 5000}).json()[
        "rows"
    ]
    assert everything[:4] == first_page["rows"] + second_page["rows"][:2]


def test_etag_and_not_modified(client: TestClient) -> None:
    response = client.get("/queries/area", params={"code": "E92000001"})
    etag = response.headers["etag"]
    assert etag.startswith('"') and "max-age" in response.headers["cache-control"]
    again = client.get(
        "/queries/area", params={"code": "E92000001"}, headers={"If-None-Match": etag}
    )
    assert again.status_code == 304


def test_a_load_changes_the_etag_and_the_answer(tmp_path: Path, reference_store: Path) -> None:
    root = tmp_path / "store"
    store.open_snapshot(reference_store)  # the shared store stays untouched: work on a copy
    import shutil

    shutil.copytree(reference_store, root)
    with TestClient(create_app(Settings(store=root))) as fresh:
        query = "/queries/last-loads"
        before = fresh.get(query)
        extra = tmp_path / "extra.nt"
        extra.write_text("<urn:a> <urn:b> <urn:c> .\n")
        ingest.commit(ingest.read_rdf_file(extra), Settings(store=root))
        after = fresh.get(query, headers={"If-None-Match": before.headers["etag"]})
        assert after.status_code == 200 and after.headers["etag"] != before.headers["etag"]
        assert "extra.nt" in {row["source"] for row in after.json()["rows"]}


def test_show_sparql(client: TestClient) -> None:
    body = client.get("/queries/area", params={"code": "E92000001", "sparql": "1"}).json()
    assert "VALUES (?_code)" in body["sparql"]


def test_openapi_documents_every_query_with_typed_parameters(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    for slug, query in CATALOG.items():
        operation = spec["paths"][f"/queries/{slug}"]["get"]
        names = {p["name"] for p in operation["parameters"]}
        assert {p.name for p in query.parameters} | {"format", "limit", "offset"} <= names
    area = spec["paths"]["/queries/area"]["get"]
    code = next(p for p in area["parameters"] if p["name"] == "code")
    assert code["required"] is True and "GSS code" in code["description"]


def test_csv_download_parses(client: TestClient) -> None:
    text = client.get("/queries/area", params={"code": "E92000001", "format": "csv"}).text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and rows[0]["code"] == "E92000001"
