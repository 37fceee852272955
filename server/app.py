"""The app factory and the process entry point."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from skillsgap import __version__
from skillsgap.config import Settings
from skillsgap.server import errors
from skillsgap.server.snapshots import SnapshotSource


def create_app(settings: Settings, snapshots: SnapshotSource | None = None) -> FastAPI:
    """A FastAPI app serving the store at ``settings.store``."""
    app = FastAPI(title="skillsgap", version=__version__)
    app.state.settings = settings
    app.state.snapshots = snapshots or SnapshotSource(settings.store)
    origins = [o.strip() for o in settings.cors_origins.split(",") if o.strip()]
    app.add_middleware(CORSMiddleware, allow_origins=origins, allow_methods=["GET", "POST", "HEAD"])
    errors.install(app)

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
    return create_app(Settings.from_sources())


def run(settings: Settings) -> None:
    """Serve until interrupted."""
    import os

    import uvicorn

    if settings.workers > 1:
        # Worker processes rebuild the app from the environment, so hand the settings over there.
        for name in ("store", "cors_origins", "query_timeout", "max_rows"):
            os.environ["SKILLSGAP_" + name.upper()] = str(getattr(settings, name))
        uvicorn.run(
            "skillsgap.server.app:app_from_environment",
            factory=True,
            host=settings.host,
            port=settings.port,
            workers=settings.workers,
        )
    else:
        uvicorn.run(create_app(settings), host=settings.host, port=settings.port)
