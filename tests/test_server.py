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
