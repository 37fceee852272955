"""A real `skillsgap serve` on loopback and Debian's Chromium, shared by the live tests."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from .conftest import EXCERPTS

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Without the background-networking flags Chromium tries to reach Google's hosts at start.
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
SOC2020_GRAPH = "https://w3id.org/skillsgap/graph/ons-soc2020"


def free_port() -> int:
    """A loopback port nobody listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def skillsgap(*args: str) -> subprocess.CompletedProcess[bytes]:
    """Run the command line in a subprocess; fail the test if it fails."""
    done = subprocess.run([sys.executable, "-m", "skillsgap.cli", *args], capture_output=True)
    assert done.returncode == 0, done.stderr.decode()
    return done


@contextmanager
def serving(store: Path, *options: str) -> Iterator[str]:
    """`skillsgap serve` on ``store`` until the block ends; yields its base URL."""
    port = free_port()
    command = [sys.executable, "-m", "skillsgap.cli", "serve", "--store", str(store),
               "--port", str(port), *options]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    _SERVERS[url] = process
    try:
        _wait_until_up(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
        del _SERVERS[url]


_SERVERS: dict[str, subprocess.Popen[bytes]] = {}


def server_pid(url: str) -> int:
    """The process id of `skillsgap serve` (the supervisor) at ``url``."""
    return _SERVERS[url].pid


def server_workers(url: str) -> list[int]:
    """Process ids of the uvicorn worker processes of the server at ``url`` (Linux)."""
    pid = server_pid(url)
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    workers = []
    for child in map(int, children):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue  # ended meanwhile
        if b"spawn_main" in command:
            workers.append(child)
    return sorted(workers)


def wait_for(condition: Callable[[], bool], seconds: float) -> None:
    """Wait until ``condition()`` holds; fail the test after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"still not so after {seconds} s")
        time.sleep(0.05)


def soc2020_excerpt_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server on a store holding the SOC 2020 test excerpt (for a module-scoped fixture)."""
    store = tmp_path_factory.mktemp("live") / "store"
    golden = EXCERPTS / "ons-soc2020" / "expected.nt"
    skillsgap("load", "--file", str(golden), "--graph", SOC2020_GRAPH, "--store", str(store))
    with serving(store) as url:
        yield url


def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, driven by Playwright (no browser download)."""
    if not Path(CHROMIUM).is_file():
        pytest.skip("chromium is not installed (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()


def _wait_until_up(url: str, process: subprocess.Popen[bytes]) -> None:
    for _ in range(300):
        assert process.poll() is None, "the server exited"
        try:
            if httpx.get(url + "/health").status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    pytest.fail("the server did not start")
