"""Runs SPARQL queries in worker processes, so a query past its time limit is really stopped.

pyoxigraph has no query timeout or cancellation, and aggregates compute everything before the
first row: the only way to stop a query is to end the process running it. Each worker holds a
read-only snapshot of the store (reopened when a load commits) and answers one query at a time.
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
import weakref
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode

from skillsgap import results, store
from skillsgap.errors import NotAcceptable, QueryError, QueryTimeout, SkillsgapError, StoreError
from skillsgap.query_text import uses_service


@dataclass(frozen=True)
class QueryRequest:
    """One query with its dataset, the formats the client accepts, and the row cap."""

    query: str
    accept: str | None = None
    format: str | None = None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    max_rows: int = 100_000
    allow_service: bool = False
    base_iri: str | None = None


@dataclass(frozen=True)
class Answer:
    """A serialised result and what describes it."""

    body: bytes
    format: str
    media_type: str
    truncated: bool
    store_version: str


def answer(snapshot: store.Snapshot, request: QueryRequest) -> Answer:
    """Evaluate one request on a snapshot: query, negotiate the format, serialise with a row cap."""
    if not request.allow_service and uses_service(request.query):
        raise QueryError(
            "SERVICE (federated query) is disabled on this endpoint: it would make the server "
            "fetch URLs chosen by the query (setting allow_service, SKILLSGAP_ALLOW_SERVICE)"
        )
    options: dict[str, Any] = {"base_iri": request.base_iri}
    if request.default_graphs or request.named_graphs:
        # The protocol's dataset parameters replace the query's FROM / FROM NAMED.
        options["default_graph"] = [NamedNode(g) for g in request.default_graphs]
        options["named_graphs"] = [NamedNode(g) for g in request.named_graphs]
        options["use_default_graph_as_union"] = False
    solutions = snapshot.query(request.query, **options)
    kind = results.result_kind(solutions)
    fmt = results.negotiate(kind, request.accept, request.format)
    if fmt is None:
        offered = ", ".join(results.MEDIA_TYPES[f] for f in results.formats_for(kind))
        asked = request.format or request.accept
        raise NotAcceptable(f"cannot give this {kind} result as {asked!r}; available: {offered}")
    try:
        body, truncated = results.capped(solutions, fmt, request.max_rows)
    except (OSError, ValueError) as exc:
        raise QueryError(f"query failed: {exc}") from None
    return Answer(body, fmt, results.MEDIA_TYPES[fmt], truncated, snapshot.version)


class Executor:
    """A pool of query worker processes with a per-query time limit."""

    def __init__(self, root: Path, workers: int, timeout: float) -> None:
        self.root = root
        self.timeout = timeout
        self._size = max(1, workers)
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._started = False
        self._lock = threading.Lock()
        self._all: list[_Worker] = []
        weakref.finalize(self, _stop_all, self._all)

    def run(self, request: QueryRequest) -> Answer:
        """Answer the request in a worker; a QueryTimeout if it runs past the limit."""
        self._start()
        worker = self._idle.get()
        try:
            worker.connection.send(request)
            if not worker.connection.poll(self.timeout):
                worker = self._replace(worker)
                raise QueryTimeout(
                    f"query stopped at the time limit of {self.timeout:g} s "
                    "(setting query_timeout, SKILLSGAP_QUERY_TIMEOUT)"
                )
            status, payload = worker.connection.recv()
        except (EOFError, OSError):
            worker = self._replace(worker)
            raise StoreError("the query worker stopped unexpectedly; try again") from None
        finally:
            self._idle.put(worker)
        if status == "ok":
            return payload  # type: ignore[no-any-return]
        raise _rebuild(payload)

    def close(self) -> None:
        """Stop every worker process."""
        _stop_all(self._all)

    def _start(self) -> None:
        with self._lock:
            if not self._started:
                for _ in range(self._size):
                    self._idle.put(self._spawn())
                self._started = True

    def _spawn(self) -> _Worker:
        worker = _Worker.start(self.root)
        self._all.append(worker)
        return worker

    def _replace(self, worker: _Worker) -> _Worker:
        worker.kill()
        self._all.remove(worker)
        return self._spawn()


@dataclass
class _Worker:
    process: Any
    connection: Connection

    @classmethod
    def start(cls, root: Path) -> _Worker:
        context = multiprocessing.get_context("spawn")
        ours, theirs = context.Pipe()
        process = context.Process(target=_serve, args=(theirs, root), daemon=True)
        process.start()
        theirs.close()
        return cls(process, ours)

    def kill(self) -> None:
        self.process.kill()
        self.process.join(timeout=5)
        self.connection.close()


def _serve(connection: Connection, root: Path) -> None:
    """The worker loop: answer requests until the pipe closes."""
    snapshot: store.Snapshot | None = None
    while True:
        try:
            request = connection.recv()
        except (EOFError, OSError):
            return
        try:
            if snapshot is None or not snapshot.is_current():
                snapshot = store.open_snapshot(root)
            connection.send(("ok", answer(snapshot, request)))
        except SkillsgapError as exc:
            connection.send(("error", (type(exc).__name__, str(exc))))
        except Exception as exc:  # a worker must answer, whatever went wrong
            connection.send(("error", ("QueryError", f"query failed: {exc}")))


_ERRORS = {cls.__name__: cls for cls in (QueryError, NotAcceptable, StoreError, QueryTimeout)}


def _rebuild(payload: tuple[str, str]) -> SkillsgapError:
    name, message = payload
    return _ERRORS.get(name, QueryError)(message)


def _stop_all(workers: list[_Worker]) -> None:
    for worker in list(workers):
        worker.kill()
    workers.clear()
