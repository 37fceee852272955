"""Keeps the server on the newest committed store version without a restart."""

from __future__ import annotations

import threading
from pathlib import Path

from skillsgap import store


class SnapshotSource:
    """Hands out the live snapshot, reopening it when a load has committed a new version."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._snapshot: store.Snapshot | None = None
        self._lock = threading.Lock()

    def current(self) -> store.Snapshot:
        """The live snapshot; requests already running keep the one they started with."""
        snapshot = self._snapshot
        if snapshot is not None and snapshot.is_current():
            return snapshot
        with self._lock:
            if self._snapshot is None or not self._snapshot.is_current():
                self._snapshot = store.open_snapshot(self.root)
            return self._snapshot
