"""Runs SPARQL queries in worker processes, so a query past its time limit is really stopped.

This is the server's side of the pool; ``query_worker`` is the workers' side.

pyoxigraph has no query timeout or cancellation, and aggregates compute everything before the
first row: the only way to stop a query is to end the process running it. Each worker is a
persistent process holding a read-only snapshot of the store (reopened when a load commits); it
answers one query at a time over a socket pair and streams the result back in frames.
"""

from __future__ import annotations

import asyncio
import contextlib
import pickle
import select
import socket
import struct
import subprocess
import sys
import threading
import time
import weakref
from collections import deque
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, fields
from pathlib import Path

from skillsgap.errors import NotAcceptable, QueryError, QueryTimeout, SkillsgapError, StoreError

# A frame is a kind byte and a payload length, then the payload. The parent sends REQUEST (a
# pickled QueryRequest); the worker answers HEAD (a pickled Head), DATA..., END, or ERROR (a
# pickled (exception name, message)) at any point. READY says a new worker can take queries.
FRAME = struct.Struct("!cI")
REQUEST, READY, HEAD, DATA, END, ERROR = b"Q", b"R", b"H", b"D", b"E", b"X"
CHUNK = 64 * 1024  # bytes of result a worker gathers before sending them on
RECV_SIZE = 256 * 1024
_WORKER_MAIN = "from skillsgap.query_worker import serve; serve()"


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
class Head:
    """What describes a result, known before its bytes are sent."""

    format: str
    media_type: str
    truncated: bool
    store_version: str


@dataclass(frozen=True)
class Answer:
    """A serialised result and what describes it."""

    body: bytes
    format: str
    media_type: str
    truncated: bool
    store_version: str


class Executor:
    """A pool of query worker processes with a per-query time limit."""

    def __init__(self, root: Path, workers: int, timeout: float) -> None:
        self.root = root
        self.timeout = timeout
        self._size = max(1, workers)
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._waiters: deque[_Waiter] = deque()
        self._all: list[_Worker] = []
        self._started = False
        weakref.finalize(self, _stop_all, self._all)

    def run(self, request: QueryRequest) -> Answer:
        """Answer the request in a worker, the whole body at once (blocks; for threads)."""
        call = _Call(self, self._acquire())
        try:
            call.send(request)
            head = call.head()
            body = b"".join(call.chunks())
        finally:
            call.close()
        return Answer(body, head.format, head.media_type, head.truncated, head.store_version)

    async def stream(self, request: QueryRequest) -> Reply:
        """Start answering the request in a worker: the head now, the bytes as they come."""
        call = _Call(self, await self._acquire_async())
        try:
            await call.send_async(request)
            head = await call.head_async()
        except BaseException:
            call.close()
            raise
        return Reply(head, call)

    def close(self) -> None:
        """Stop every worker process."""
        _stop_all(self._all)

    def workers(self) -> list[int]:
        """The process ids of the running workers."""
        return [worker.process.pid for worker in self._all]

    def _acquire(self) -> _Worker:
        with self._lock:
            worker = self._take_idle()
            if worker is None:
                waiter = _Waiter(None)
                self._waiters.append(waiter)
        return self._alive(worker or waiter.wait())

    async def _acquire_async(self) -> _Worker:
        with self._lock:
            worker = self._take_idle()
            if worker is None:
                waiter = _Waiter(asyncio.get_running_loop())
                self._waiters.append(waiter)
        if worker is None:
            try:
                worker = await waiter.future()
            except asyncio.CancelledError:
                waiter.cancel(self)
                raise
        return self._alive(worker)

    def _take_idle(self) -> _Worker | None:
        if not self._started:
            self._idle.extend(self._spawn() for _ in range(self._size))
            self._started = True
        # The most recently used worker first: its caches are warm.
        return self._idle.pop() if self._idle else None

    def _alive(self, worker: _Worker) -> _Worker:
        """The worker, or a fresh one in its place if it died while idle."""
        return worker if worker.process.poll() is None else self._replace(worker)

    def _release(self, worker: _Worker) -> None:
        with self._lock:
            while self._waiters:
                if self._waiters.popleft().deliver(worker, self):
                    return
            self._idle.append(worker)

    def _spawn(self) -> _Worker:
        worker = _Worker(self.root)
        self._all.append(worker)
        return worker

    def _replace(self, worker: _Worker) -> _Worker:
        worker.kill()
        if worker in self._all:
            self._all.remove(worker)
        return self._spawn()


class Reply:
    """A result being streamed from a worker; close it when done, whatever happened."""

    def __init__(self, head: Head, call: _Call) -> None:
        self.head = head
        self._call = call

    def buffered(self) -> tuple[bytes, bool]:
        """The bytes already received, and whether they are the whole result."""
        return self._call.buffered()

    async def rest(self) -> AsyncIterator[bytes]:
        """The remaining bytes, chunk by chunk; raises if the query fails or times out."""
        while not self._call.finished:
            chunk = await self._call.chunk_async()
            if chunk:
                yield chunk

    def close(self) -> None:
        """Give the worker back, or replace it if the result was not read to the end."""
        self._call.close()


class _Call:
    """One query's conversation with a worker: the request, then frames until END or ERROR."""

    def __init__(self, executor: Executor, worker: _Worker) -> None:
        self.executor = executor
        self.worker = worker
        self.finished = False  # the worker has answered in full and can take another query
        self.deadline = 0.0
        self.timer: asyncio.TimerHandle | None = None

    def send(self, request: QueryRequest) -> None:
        if not self.worker.ready:
            self._expect(READY, self._frame(None))
            self.worker.ready = True
        self.deadline = time.monotonic() + self.executor.timeout
        _send_blocking(self.worker.sock, _request_frame(request))

    async def send_async(self, request: QueryRequest) -> None:
        loop = asyncio.get_running_loop()
        if not self.worker.ready:
            self._expect(READY, await self._frame_async())
            self.worker.ready = True
        # One timer ends the worker at the limit; the read in progress then sees it gone.
        self.timer = loop.call_later(self.executor.timeout, self.worker.expire)
        frame = _request_frame(request)
        try:
            sent = self.worker.sock.send(frame)  # a request almost always fits the socket buffer
        except BlockingIOError:
            sent = 0
        except OSError:
            return  # the worker is gone; reading its answer will say so
        if sent < len(frame):
            await loop.sock_sendall(self.worker.sock, frame[sent:])

    def head(self) -> Head:
        return self._head(self._frame(self.deadline))

    async def head_async(self) -> Head:
        return self._head(await self._frame_async())

    def chunks(self) -> Iterator[bytes]:
        while not self.finished:
            yield self._data(self._frame(self.deadline))

    async def chunk_async(self) -> bytes:
        return self._data(await self._frame_async())

    def buffered(self) -> tuple[bytes, bool]:
        parts = []
        while not self.finished and (frame := self._parse()) is not None:
            parts.append(self._data(frame))
        return b"".join(parts), self.finished

    def close(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
        worker = self.worker if self.finished else self.executor._replace(self.worker)
        self.executor._release(worker)

    def _head(self, frame: tuple[bytes, bytes]) -> Head:
        self._expect(HEAD, frame)
        return Head(*pickle.loads(frame[1]))

    def _data(self, frame: tuple[bytes, bytes]) -> bytes:
        kind, payload = frame
        if kind == END:
            self._finish()
            return b""
        self._expect(DATA, frame)
        return payload

    def _expect(self, kind: bytes, frame: tuple[bytes, bytes]) -> None:
        if frame[0] == ERROR:
            self._finish()
            name, message = pickle.loads(frame[1])
            raise _ERRORS.get(name, QueryError)(message)
        if frame[0] != kind:
            raise StoreError(f"the query worker answered {frame[0]!r}, not {kind!r}")

    def _finish(self) -> None:
        self.finished = True
        if self.timer is not None:
            self.timer.cancel()

    def _frame(self, deadline: float | None) -> tuple[bytes, bytes]:
        """The next frame, waiting for it until ``deadline`` (None: no limit)."""
        while (frame := self._parse()) is None:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not _readable(self.worker.sock, wait):
                self.worker.expire()
                raise self._lost()
            self._received(_recv(self.worker.sock))
        return frame

    async def _frame_async(self) -> tuple[bytes, bytes]:
        loop = asyncio.get_running_loop()
        while (frame := self._parse()) is None:
            self._received(await _recv_async(loop, self.worker.sock))
        return frame

    def _parse(self) -> tuple[bytes, bytes] | None:
        buffer = self.worker.buffer
        if len(buffer) < FRAME.size:
            return None
        kind, size = FRAME.unpack_from(buffer)
        end = FRAME.size + size
        if len(buffer) < end:
            return None
        with memoryview(buffer) as view:
            payload = bytes(view[FRAME.size : end])  # one copy, not two
        del buffer[:end]
        return kind, payload

    def _received(self, data: bytes | None) -> None:
        if data is None:
            return
        if not data:
            raise self._lost()
        self.worker.buffer += data

    def _lost(self) -> SkillsgapError:
        if self.worker.expired:
            return QueryTimeout(
                f"query stopped at the time limit of {self.executor.timeout:g} s "
                "(setting query_timeout, SKILLSGAP_QUERY_TIMEOUT)"
            )
        return StoreError("the query worker stopped unexpectedly; try again")


class _Waiter:
    """A caller waiting for a free worker: a thread (no loop) or a task on ``loop``."""

    def __init__(self, loop: asyncio.AbstractEventLoop | None) -> None:
        self.loop = loop
        self.event = threading.Event()
        self.worker: _Worker | None = None
        self._future: asyncio.Future[_Worker] | None = loop.create_future() if loop else None

    def wait(self) -> _Worker:
        self.event.wait()
        assert self.worker is not None
        return self.worker

    def future(self) -> asyncio.Future[_Worker]:
        assert self._future is not None
        return self._future

    def deliver(self, worker: _Worker, executor: Executor) -> bool:
        """Hand the worker over; False if this waiter gave up."""
        if self.loop is None:
            self.worker = worker
            self.event.set()
            return True
        if self.loop.is_closed() or self.future().done():
            return False
        self.loop.call_soon_threadsafe(self._resolve, worker, executor)
        return True

    def cancel(self, executor: Executor) -> None:
        """The waiting task was cancelled: give back a worker that reached it meanwhile."""
        future = self.future()
        if future.done() and not future.cancelled():
            executor._release(future.result())

    def _resolve(self, worker: _Worker, executor: Executor) -> None:
        if self.future().done():
            executor._release(worker)
        else:
            self.future().set_result(worker)


class _Worker:
    """A worker process and our end of its socket pair."""

    def __init__(self, root: Path) -> None:
        ours, theirs = socket.socketpair()
        # A fresh interpreter (not a fork of a server holding sockets and threads).
        self.process = subprocess.Popen(
            [sys.executable, "-c", _WORKER_MAIN, str(theirs.fileno()), str(root)],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
        )
        theirs.close()
        ours.setblocking(False)
        self.sock = ours
        self.buffer = bytearray()
        self.ready = False
        self.expired = False

    def expire(self) -> None:
        """The query ran past the limit: end the process, which is the only way to stop it."""
        self.expired = True
        self.process.kill()

    def kill(self) -> None:
        self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        self.sock.close()


def _stop_all(workers: list[_Worker]) -> None:
    for worker in list(workers):
        worker.kill()
    workers.clear()


_ERRORS = {cls.__name__: cls for cls in (QueryError, NotAcceptable, StoreError, QueryTimeout)}


def pack(kind: bytes, payload: bytes) -> bytes:
    return FRAME.pack(kind, len(payload)) + payload


def _request_frame(request: QueryRequest) -> bytes:
    # Plain tuples pickle several times faster than dataclasses.
    return pack(REQUEST, pickle.dumps(tuple(getattr(request, f) for f in _REQUEST_FIELDS)))


_REQUEST_FIELDS = tuple(f.name for f in fields(QueryRequest))


def _readable(sock: socket.socket, timeout: float | None) -> bool:
    poller = select.poll()
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(None if timeout is None else timeout * 1000))


def _recv(sock: socket.socket) -> bytes | None:
    """What the worker sent: b"" once it is gone, None if nothing yet after all."""
    try:
        return sock.recv(RECV_SIZE)
    except BlockingIOError:
        return None
    except OSError:
        return b""


async def _recv_async(loop: asyncio.AbstractEventLoop, sock: socket.socket) -> bytes:
    try:
        return await loop.sock_recv(sock, RECV_SIZE)
    except OSError:
        return b""


def _send_blocking(sock: socket.socket, data: bytes) -> None:
    view = memoryview(data)
    poller = select.poll()
    poller.register(sock, select.POLLOUT)
    while view:
        try:
            view = view[sock.send(view) :]
        except BlockingIOError:
            poller.poll()
        except OSError:
            return  # the worker is gone; reading its answer will say so
