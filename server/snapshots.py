"""Keeps the server on the newest committed store version without a restart."""

from __future__ import annotations

import os
import threading
from pathlib import Path

from skillsgap import store


class LiveVersion:
    """The name of the store's live version, read again only when a load has replaced it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._path = str(root / store.CURRENT)
        self._stamp: tuple[int, int, int] | None = None
        self._version: str | None = None

    def get(self) -> str | None:
        """The live version now; None for a store not created yet."""
        # A commit replaces the CURRENT file (os.replace), which gives it a new inode and
        # change time; a stat costs a tenth of reading the file. The file is read after the
        # stat, so the name read is never older than the stamp it is kept with.
        try:
            stat = os.stat(self._path)
        except OSError:
            return None
        stamp = (stat.st_ino, stat.st_ctime_ns, stat.st_mtime_ns)
        if stamp != self._stamp:
            self._version = store.current_version(self.root)
            self._stamp = stamp
        return self._version


class SnapshotSource:
    """Hands out the live snapshot, reopening it when a load has committed a new version."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.live = LiveVersion(root)
        self._snapshot: store.Snapshot | None = None
        self._lock = threading.Lock()

    def current(self) -> store.Snapshot:
        """The live snapshot; requests already running keep the one they started with."""
        snapshot = self._snapshot
        if snapshot is not None and snapshot.version == self.live.get():
            return snapshot
        with self._lock:
            if self._snapshot is None or self._snapshot.version != self.live.get():
                self._snapshot = store.open_snapshot(self.root)
            return self._snapshot
