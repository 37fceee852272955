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


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_load_while_serve_runs_on_the_same_store(store_path: Path, tmp_path: Path) -> None:
    import subprocess
    import sys
    import time

    import httpx

    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "skillsgap.cli", "serve", "--store", str(store_path),
         "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                before = httpx.get(url + "/graphs").json()
                break
            except httpx.TransportError:
                time.sleep(0.1)
        data = tmp_path / "extra.nt"
        data.write_text("<urn:a> <urn:b> <urn:c> .\n<urn:a> <urn:b> <urn:d> .\n")
        loaded = subprocess.run(
            [sys.executable, "-m", "skillsgap.cli", "load", "--file", str(data),
             "--graph", "https://example.org/extra", "--store", str(store_path)],
            capture_output=True, text=True,
        )  # fmt: skip
        assert loaded.returncode == 0, loaded.stderr
        after = httpx.get(url + "/graphs").json()
        assert before["graphs"] == {}
        assert after["graphs"]["https://example.org/extra"] == 2
        assert after["store_version"] != before["store_version"]
    finally:
        server.terminate()
        server.wait(timeout=10)
