"""The server: app factory, health, and picking up a committed load without a restart."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from pyoxigraph import NamedNode

from skillsgap import store
from skillsgap.config import Settings
from skillsgap.server.app import create_app


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
