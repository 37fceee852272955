"""The app factory and the process entry point."""

from __future__ import annotations

import logging
import os
import signal
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Receive, Scope, Send

from skillsgap import __version__
from skillsgap.config import Settings
from skillsgap.executor import Executor
from skillsgap.server import canned, cpus, errors, pages, query_pages, sparql
from skillsgap.server.http_protocol import HttpProtocol
from skillsgap.server.snapshots import SnapshotSource

log = logging.getLogger(__name__)


class _App(FastAPI):
    """FastAPI, with /sparql answered by its own lean ASGI endpoint before any routing."""

    sparql: ASGIApp
    sparql_cors: ASGIApp

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == "/sparql":
            # CORS concerns only requests from browsers, which always say their Origin.
            cross_origin = any(name == b"origin" for name, _ in scope["headers"])
            await (self.sparql_cors if cross_origin else self.sparql)(scope, receive, send)
        else:
            await super().__call__(scope, receive, send)


def create_app(
    settings: Settings, snapshots: SnapshotSource | None = None, supervised: bool = False
) -> FastAPI:
    """A FastAPI app serving the store at ``settings.store``.

    ``supervised``: this process is a worker of ``skillsgap serve``, whose supervisor replaces
    it when it exits: a query past the time limit is ended by retiring the process (without a
    supervisor it can only be reported), and the process may take a CPU of its own.
    """
    snapshots = snapshots or SnapshotSource(settings.store)
    pinned = supervised and settings.cpu_affinity == "yes"
    executor = Executor(snapshots.current, settings.query_workers, settings.query_timeout,
                        on_runaway=_retire_process if supervised else None,
                        cpus=cpus.claim_cpu() if pinned else None)  # fmt: skip

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        executor.close()
        if executor.runaways:
            # A query thread is still in pyoxigraph: leave before the interpreter's clean-up,
            # which would close the store under it.
            logging.shutdown()
            os._exit(0)

    app = _App(title="skillsgap", version=__version__, lifespan=lifespan)
    app.state.settings = settings
    app.state.snapshots = snapshots
    app.state.executor = executor
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    cors: dict[str, Any] = {
        "allow_origins": origins,
        "allow_methods": ["GET", "HEAD", "POST"],
        "allow_headers": ["Accept", "Content-Type"],
        "expose_headers": ["X-Result-Truncated", "X-Store-Version", "X-Cache"],
    }
    app.add_middleware(CORSMiddleware, **cors)
    app.sparql = sparql.SparqlEndpoint(settings, executor, snapshots)
    app.sparql_cors = CORSMiddleware(app.sparql, **cors)
    errors.install(app)
    # Before the API: its routes take only requests that ask for HTML pages.
    app.include_router(query_pages.router)
    canned.install(app, settings)
    app.include_router(pages.router)

    @app.get("/health")
    def health() -> dict[str, Any]:
        """Liveness and the store version being served."""
        snapshot = app.state.snapshots.current()
        return {"ok": True, "version": __version__, "store_version": snapshot.version}

    @app.get("/graphs")
    def graphs() -> dict[str, Any]:
        """The named graphs being served and their triple counts."""
        snapshot = app.state.snapshots.current()
        return {"store_version": snapshot.version, "graphs": snapshot.graph_sizes()}

    return app


def app_from_environment() -> FastAPI:
    """Factory for uvicorn's worker processes: settings from SKILLSGAP_* variables."""
    return create_app(Settings.from_sources(), supervised=True)


def _retire_process() -> None:
    """End this server process gracefully: uvicorn stops accepting connections, finishes the
    requests in flight and exits; the supervisor starts a fresh process in its place."""
    log.error("this server process is being replaced, to end a query past its time limit")
    os.kill(os.getpid(), signal.SIGTERM)


def run(settings: Settings) -> None:
    """Serve until interrupted: worker processes under uvicorn's supervisor, which replaces a
    worker that exits (one does, to end a query past the time limit)."""
    import uvicorn

    # Worker processes rebuild the app from the environment, so hand the settings over there.
    for name, value in vars(settings).items():
        os.environ["SKILLSGAP_" + name.upper()] = str(value)
    config = uvicorn.Config(
        "skillsgap.server.app:app_from_environment",
        factory=True,
        http=HttpProtocol,
        host=settings.host,
        port=settings.port,
        workers=max(1, settings.workers),
        access_log=settings.access_log == "yes",
        # Requests in flight when a process retires get this long to finish.
        timeout_graceful_shutdown=max(1, int(settings.query_timeout)),
    )
    from uvicorn.supervisors import Multiprocess

    try:
        Multiprocess(config, sockets=[listening_socket(settings)]).run()
    finally:
        cpus.lock_path(os.getpid()).unlink(missing_ok=True)


def listening_socket(settings: Settings) -> socket.socket:
    """A listening TCP socket made with IPPROTO_TCP.

    uvicorn's multi-worker path makes its socket without a protocol number, so asyncio never
    sets TCP_NODELAY on accepted connections and each keep-alive request after the first waits
    ~40 ms for a delayed ACK. asyncio sets it when the listening socket's proto is IPPROTO_TCP.
    """
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((settings.host, settings.port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock
