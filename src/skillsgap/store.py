"""The only module that knows pyoxigraph's Store: versioned on-disk stores and atomic commits.

A store directory holds numbered versions, each a complete Oxigraph (RocksDB) store, and a
``CURRENT`` file naming the live one. A load copies the live version (a RocksDB checkpoint:
hard links, so cheap), changes the copy, and makes it live by atomically replacing ``CURRENT``.
Readers open the version ``CURRENT`` named when they opened it, read-only, and see exactly that
version; nothing they read is ever written again. So readers never see half a load, a load that
fails or is killed leaves the store as it was, and ``serve`` keeps answering while a load runs.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode, Quad, RdfFormat, Store

from skillsgap.errors import QueryError, StoreError
from skillsgap.query_text import declares_dataset

CURRENT = "CURRENT"
VERSIONS = "versions"
LOCK = "write.lock"


@dataclass
class Snapshot:
    """One version of the store, opened read-only: what a reader sees, unchanged until reopened."""

    root: Path
    version: str
    _store: Store = field(repr=False)

    def query(
        self, sparql: str, substitutions: dict[Any, Any] | None = None, **options: Any
    ) -> Any:
        """Run a SPARQL query; the default graph is the union of all named graphs unless the
        query (FROM, FROM NAMED) or the options name a dataset."""
        if "use_default_graph_as_union" not in options:
            own_dataset = "default_graph" in options or declares_dataset(sparql)
            options["use_default_graph_as_union"] = not own_dataset
        try:
            return self._store.query(sparql, substitutions=substitutions, **options)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}") from None
        except (OSError, ValueError, TypeError) as exc:
            raise QueryError(f"query failed: {exc}") from None

    def graph_ntriples(self, graphs: Iterable[NamedNode]) -> bytes:
        """The triples of ``graphs`` as one N-Triples document (reference data for the gate)."""
        parts = []
        for graph in graphs:
            dumped = self._store.dump(format=RdfFormat.N_TRIPLES, from_graph=graph)
            parts.append(dumped or b"")
        return b"\n".join(parts)

    def graph_names(self) -> list[str]:
        """The named graphs in this version."""
        return sorted(g.value for g in self._store.named_graphs())

    def graph_sizes(self) -> dict[str, int]:
        """Named graphs and their triple counts."""
        counts = self.query(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
            use_default_graph_as_union=False,
        )
        return {row["g"].value: int(row["n"].value) for row in counts}

    def is_current(self) -> bool:
        """Whether this snapshot is still the live version."""
        return _read_current(self.root) == self.version


def open_snapshot(root: Path) -> Snapshot:
    """The live version of the store at ``root``, read-only; an empty store is created if none."""
    version = _read_current(root)
    if version is None:
        with _write_lock(root):
            version = _read_current(root) or _create_empty(root)
    try:
        return Snapshot(root, version, Store.read_only(str(root / VERSIONS / version)))
    except OSError as exc:
        raise StoreError(f"{root}: cannot open store version {version}: {exc}") from None


def current_version(root: Path) -> str | None:
    """The name of the live version, or None for a store not created yet."""
    return _read_current(root)


class Draft:
    """A private copy of the live version that becomes live only on commit."""

    def __init__(self, store: Store, path: Path) -> None:
        self._store = store
        self.path = path

    def replace_graph(self, graph: NamedNode, ntriples: bytes) -> None:
        """Replace the whole named graph with the given N-Triples."""
        self._store.remove_graph(graph)
        # bulk_load is not atomic, but this copy is invisible until commit, which is.
        chunks = _line_chunks(ntriples, os.cpu_count() or 1)
        if len(chunks) <= 1:
            if chunks:
                self._store.bulk_load(chunks[0], RdfFormat.N_TRIPLES, to_graph=graph)
            return
        # One bulk_load parses on one core; parallel loads of line-aligned chunks use them all.
        with ThreadPoolExecutor(len(chunks)) as pool:
            loads = [pool.submit(self._load_chunk, chunk, graph) for chunk in chunks]
            for finished in loads:
                finished.result()

    def _load_chunk(self, chunk: bytes, graph: NamedNode) -> None:
        self._store.bulk_load(chunk, RdfFormat.N_TRIPLES, to_graph=graph)

    def add(self, quads: Iterable[Quad]) -> None:
        """Add quads (load records and the like)."""
        self._store.extend(quads)

    def close(self) -> None:
        """Flush and release the RocksDB lock (idempotent)."""
        if hasattr(self, "_store"):
            self._store.flush()
            del self._store


@contextmanager
def draft(root: Path, keep_versions: int = 3) -> Iterator[Draft]:
    """A writable copy of the live version; committed atomically if the block ends normally."""
    with _write_lock(root):
        live = _read_current(root) or _create_empty(root)
        _remove_abandoned_drafts(root, live)
        name = _next_version(live)
        path = root / VERSIONS / name
        working: Draft | None = None
        try:
            Store.read_only(str(root / VERSIONS / live)).backup(str(path))
            working = Draft(Store(str(path)), path)
            yield working
        except BaseException:
            if working is not None:
                working.close()
            shutil.rmtree(path, ignore_errors=True)
            raise
        working.close()
        _write_current(root, name)
        _prune(root, name, keep_versions)


@contextmanager
def _write_lock(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise StoreError(
                f"{root}: another load is being written (by {holder}); "
                "wait for it to finish and run the load again"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}")
        handle.flush()
        try:
            yield
        finally:
            handle.truncate(0)
            fcntl.flock(handle, fcntl.LOCK_UN)


def _line_chunks(ntriples: bytes, parts: int, minimum: int = 8 << 20) -> list[bytes]:
    """N-Triples cut at line ends into up to ``parts`` chunks (one if small or with blank nodes).

    Blank-node labels are scoped to one parse, so a document that has any is never cut.
    """
    if parts < 2 or len(ntriples) < minimum or b"_:" in ntriples:
        return [ntriples] if ntriples.strip() else []
    chunks, start = [], 0
    for k in range(1, parts):
        end = ntriples.find(b"\n", max(start, len(ntriples) * k // parts)) + 1
        if end <= 0:
            break
        chunks.append(ntriples[start:end])
        start = end
    chunks.append(ntriples[start:])
    return [c for c in chunks if c.strip()]


def _read_current(root: Path) -> str | None:
    try:
        name = (root / CURRENT).read_text(encoding="ascii").strip()
    except FileNotFoundError:
        return None
    return name or None


def _write_current(root: Path, name: str) -> None:
    temporary = root / (CURRENT + ".tmp")
    with open(temporary, "w", encoding="ascii") as handle:
        handle.write(name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, root / CURRENT)
    directory = os.open(root, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _create_empty(root: Path) -> str:
    name = _next_version(None)
    path = root / VERSIONS / name
    shutil.rmtree(path, ignore_errors=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        empty = Store(str(path))
    except OSError as exc:
        raise StoreError(f"{root}: cannot create a store there: {exc}") from None
    empty.flush()
    del empty
    _write_current(root, name)
    return name


def _next_version(live: str | None) -> str:
    number = int(live[1:]) + 1 if live else 1
    return f"v{number:06d}"


def _versions(root: Path) -> list[str]:
    folder = root / VERSIONS
    return sorted(p.name for p in folder.iterdir() if p.is_dir()) if folder.exists() else []


def _remove_abandoned_drafts(root: Path, live: str) -> None:
    """Drafts newer than the live version belong to loads that failed or were killed."""
    for name in _versions(root):
        if name > live:
            shutil.rmtree(root / VERSIONS / name, ignore_errors=True)


def _prune(root: Path, live: str, keep: int) -> None:
    """Keep the newest versions so that readers still on one of them can finish."""
    older = [name for name in _versions(root) if name < live]
    for name in older[: max(0, len(older) - max(keep - 1, 0))]:
        shutil.rmtree(root / VERSIONS / name, ignore_errors=True)
