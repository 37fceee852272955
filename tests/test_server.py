"""The server: app factory, health, and picking up a committed load without a restart."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from pyoxigraph import NamedNode

from skillsgap import store
from skillsgap.config import Settings
from skillsgap.server.app import create_app

from . import live


def test_health_names_the_store_version(store_path: Path) -> None:
    client = TestClient(create_app(Settings(store=store_path)))
    body = client.get("/health").json()
    assert body["ok"] is True and body["store_version"] == store.current_version(store_path)


def test_a_load_committed_while_serving_is_picked_up(store_path: Path) -> None:
    client = TestClient(create_app(Settings(store=store_path)))
    assert client.get("/graphs").json()["graphs"] == {}
    with store.draft(store_path) as draft:
        draft.replace_graph(NamedNode("https://example.org/g"), b"<urn:a> <urn:b> <urn:c> .\n")
    body = client.get("/graphs").json()
    assert body["graphs"] == {"https://example.org/g": 1}
    assert body["store_version"] == store.current_version(store_path)


def test_cors_headers_are_sent(store_path: Path) -> None:
    client = TestClient(create_app(Settings(store=store_path)))
    response = client.get("/health", headers={"Origin": "https://portal.example"})
    assert response.headers["access-control-allow-origin"] == "*"


def test_load_while_serve_runs_on_the_same_store(store_path: Path, tmp_path: Path) -> None:
    import httpx

    store.open_snapshot(store_path)  # an empty store to serve
    with live.serving(store_path) as url:
        before = httpx.get(url + "/graphs").json()
        data = tmp_path / "extra.nt"
        data.write_text("<urn:a> <urn:b> <urn:c> .\n<urn:a> <urn:b> <urn:d> .\n")
        live.skillsgap("load", "--file", str(data), "--graph", "https://example.org/extra",
                       "--store", str(store_path))  # fmt: skip
        after = httpx.get(url + "/graphs").json()
    assert before["graphs"] == {}
    assert after["graphs"]["https://example.org/extra"] == 2
    assert after["store_version"] != before["store_version"]


def test_sparql_answers_are_cached_until_a_load_commits(store_path: Path, tmp_path: Path) -> None:
    import httpx

    data = tmp_path / "data.nt"
    graph = "https://example.org/cached"

    def load(value: str) -> None:
        data.write_text(f'<urn:a> <urn:b> "{value}" .\n')
        live.skillsgap("load", "--file", str(data), "--graph", graph, "--store", str(store_path))

    def ask(url: str, method: str = "GET") -> httpx.Response:
        query = "SELECT ?o WHERE { <urn:a> <urn:b> ?o }"
        return httpx.request(method, url + "/sparql", params={"query": query, "format": "csv"})

    load("first")
    with live.serving(store_path, "--workers", "1") as url:  # each process has its own cache
        first, again, head = ask(url), ask(url), ask(url, "HEAD")
        load("second")
        after = ask(url)
    assert [first.headers["x-cache"], again.headers["x-cache"]] == ["miss", "hit"]
    assert again.text == first.text and "first" in first.text
    assert head.headers["x-cache"] == "hit" and head.content == b""
    assert head.headers["content-length"] == str(len(first.content))
    assert after.headers["x-cache"] == "miss" and "second" in after.text


def test_the_cache_size_is_a_setting_of_serve() -> None:
    from click.testing import CliRunner

    from skillsgap.cli import main

    runner = CliRunner()
    assert "SKILLSGAP_SPARQL_CACHE_MB" in runner.invoke(main, ["settings"]).output
    assert "--sparql-cache-mb" in runner.invoke(main, ["serve", "--help"]).output
    assert Settings().sparql_cache_mb == 64
    assert Settings.from_sources(env={"SKILLSGAP_SPARQL_CACHE_MB": "0"}).sparql_cache_mb == 0
