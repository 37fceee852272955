"""Keeps the server on the newest committed store version without a restart."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from skillsgap import store

RECHECK = 0.001  # seconds a looked-up version is taken as still live


class LiveVersion:
    """The name of the store's live version, read again only when a load has replaced it."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._path = str(root / store.CURRENT)
        self._stamp: tuple[int, int, int] | None = None
        self._version: str | None = None
        self._checked = float("-inf")

    def get(self) -> str | None:
        """The live version, as it was at most ``RECHECK`` seconds ago; None for a store not
        created yet."""
        # A commit replaces the CURRENT file (os.replace), which gives it a new inode and
        # change time; a stat costs a tenth of reading the file. The file is read after the
        # stat, so the name read is never older than the stamp it is kept with. The stat
        # itself releases the GIL to the query threads, so it is not repeated within a
        # millisecond: a commit is seen by the requests that start a millisecond after it.
        now = time.monotonic()
        if now - self._checked < RECHECK and self._version is not None:
            return self._version
        try:
            stat = os.stat(self._path)
        except OSError:
            return None
        self._checked = now
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
