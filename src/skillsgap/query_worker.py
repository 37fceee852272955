"""A query worker process: answers queries from the executor over its socket, one at a time.

It holds a read-only snapshot of the store (reopened when a load commits) and streams each
result back in frames as pyoxigraph writes it; the executor ends the process at the time limit.
"""

from __future__ import annotations

import pickle
import signal
import socket
import sys
from dataclasses import astuple, replace
from pathlib import Path
from typing import Any

from pyoxigraph import NamedNode

from skillsgap import results, store
from skillsgap.errors import NotAcceptable, QueryError, SkillsgapError
from skillsgap.executor import (
    CHUNK,
    DATA,
    END,
    ERROR,
    FRAME,
    HEAD,
    READY,
    RECV_SIZE,
    Head,
    QueryRequest,
    pack,
)
from skillsgap.query_text import outer_limit, uses_service


def serve() -> None:
    """Entry point of a worker process: answer requests until the socket closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server decides when workers stop
    sock = socket.socket(fileno=int(sys.argv[1]))
    root = Path(sys.argv[2])
    snapshot = _open(root)
    sock.sendall(pack(READY, b""))
    requests = _Requests(sock)
    while (request := requests.next()) is not None:
        snapshot = _answer_one(sock, root, snapshot, request)


def _open(root: Path) -> store.Snapshot | None:
    try:
        return store.open_snapshot(root)
    except SkillsgapError:
        return None  # said again, to the client, when a query needs it


def _answer_one(
    sock: socket.socket, root: Path, snapshot: store.Snapshot | None, request: QueryRequest
) -> store.Snapshot | None:
    reply = _Reply(sock)
    try:
        if snapshot is None or not snapshot.is_current():
            snapshot = store.open_snapshot(root)
        evaluate(snapshot, request, reply)
        reply.end()
    except SkillsgapError as exc:
        reply.fail(type(exc).__name__, str(exc))
    except Exception as exc:  # a worker must answer, whatever went wrong
        reply.fail("QueryError", f"query failed: {exc}")
    return snapshot


def evaluate(snapshot: store.Snapshot, request: QueryRequest, out: _Reply) -> None:
    """Evaluate one request: query, negotiate the format, write it with the row cap."""
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

    def run() -> Any:
        return snapshot.query(request.query, **options)

    solutions = run()
    kind = results.result_kind(solutions)
    fmt = results.negotiate(kind, request.accept, request.format)
    if fmt is None:
        offered = ", ".join(results.MEDIA_TYPES[f] for f in results.formats_for(kind))
        asked = request.format or request.accept
        raise NotAcceptable(f"cannot give this {kind} result as {asked!r}; available: {offered}")
    out.head = Head(fmt, results.MEDIA_TYPES[fmt], False, snapshot.version)
    limit = outer_limit(request.query)
    # A paging probe (a LIMIT one row over the cap, as canned queries ask) is counted in one
    # evaluation: trying it short first nearly always overflows and runs the query twice.
    probe = limit is not None and limit == request.max_rows + 1
    results.write_capped(solutions, None if probe else run, fmt, request.max_rows, out,
                         cap_cannot_cut=limit is not None and limit <= request.max_rows)  # fmt: skip


class _Requests:
    """Reads REQUEST frames from the server (blocking)."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = bytearray()

    def next(self) -> QueryRequest | None:
        header = self._exactly(FRAME.size)
        if header is None:
            return None
        _kind, size = FRAME.unpack(header)
        payload = self._exactly(size)
        return None if payload is None else QueryRequest(*pickle.loads(payload))

    def _exactly(self, size: int) -> bytes | None:
        while len(self.buffer) < size:
            data = self.sock.recv(max(RECV_SIZE, size - len(self.buffer)))
            if not data:
                return None
            self.buffer += data
        taken = bytes(self.buffer[:size])
        del self.buffer[:size]
        return taken


class _Reply:
    """The worker's answer to one request, sent in frames of up to CHUNK bytes of result."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.head: Head | None = None
        self.pending = bytearray()  # frames not sent yet
        self.data: list[bytes] = []  # result bytes not framed yet
        self.size = 0
        self.sent = False

    def begin(self, truncated: bool) -> None:
        assert self.head is not None
        self.pending += pack(HEAD, pickle.dumps(astuple(replace(self.head, truncated=truncated))))

    def write(self, data: bytes) -> int:
        self.data.append(bytes(data))
        self.size += len(data)
        if self.size >= CHUNK:
            self._frame_data()
            self._send()
        return len(data)

    def flush(self) -> None:
        pass  # pyoxigraph flushes at the end; frames go out by size and at END

    def end(self) -> None:
        self._frame_data()
        self.pending += pack(END, b"")
        self._send()

    def fail(self, name: str, message: str) -> None:
        if not self.sent:
            self.pending.clear()  # nothing reached the server: the error is the whole answer
        self.data.clear()
        self.pending += pack(ERROR, pickle.dumps((name, message)))
        self._send()

    def _frame_data(self) -> None:
        if self.data:
            self.pending += pack(DATA, b"".join(self.data))
            self.data.clear()
            self.size = 0

    def _send(self) -> None:
        self.sock.sendall(self.pending)
        self.pending.clear()
        self.sent = True
