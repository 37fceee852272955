"""Runs SPARQL queries on threads of the server process, with a per-query time limit.

pyoxigraph releases the GIL while it evaluates and serialises, so query threads run in
parallel with each other and with the event loop, and a query costs pyoxigraph's own work plus
a hand-over between threads and back (a hop to a worker process cost far more). For a small
query that hand-over and the bookkeeping around it still cost more than pyoxigraph does:
benchmarks/README.md has the figures.

pyoxigraph has no query cancellation, so a query past its time limit cannot be stopped inside
the process: its client gets the time-limit error at once, a fresh thread takes its place, and
the executor calls ``on_runaway``. Under ``skillsgap serve`` that retires the server process:
it stops accepting connections, finishes the requests in flight, and exits, which ends the
query; the supervisor starts a fresh process meanwhile. Without a supervisor (an app embedded
in tests) nothing can end the query, and it is only logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import queue
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from pyoxigraph import NamedNode

from skillsgap import results, store
from skillsgap.errors import NotAcceptable, QueryError, QueryTimeout, SkillsgapError
from skillsgap.query_text import declares_dataset, outer_limit, uses_service

CHUNK = 64 * 1024  # bytes of result gathered before they are handed to the event loop
QUEUED_CHUNKS = 4  # a query thread waits when this many chunks are not yet sent on
SPREAD_AFTER = 0.02  # seconds after which a query may leave its process's CPU
SHARED_SPREAD_AFTER = 0.002  # the same, while another query of the process is running
# Seconds the event loop blocks for a query's first bytes before it turns to other requests
# (most queries answer sooner). Measured with uncached queries, on or off made no difference
# beyond the machine's noise (within 3%, at 1 and 8 connections).
BRIEF_WAIT = 0.002
log = logging.getLogger(__name__)


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
    """Query threads taking jobs from one queue, each job stopped at the time limit."""

    def __init__(
        self,
        snapshots: Callable[[], store.Snapshot],
        threads: int,
        timeout: float,
        on_runaway: Callable[[], None] | None = None,
        cpus: tuple[int, frozenset[int]] | None = None,
    ) -> None:
        self.snapshots = snapshots
        self.timeout = timeout
        self.on_runaway = on_runaway
        # The CPU this process is pinned to (its query threads with it), and all it may use:
        # a query running longer than SPREAD_AFTER (SHARED_SPREAD_AFTER while another query
        # of the process runs) is let onto any of them.
        self.cpus = cpus
        self.runaways = 0
        self.streaming = 0  # replies being streamed (counted on the event loop's thread only)
        self._size = max(1, threads)
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._running = 0  # jobs being evaluated on query threads

    def run(self, request: QueryRequest) -> Answer:
        """Answer the request, the whole body at once (blocks; for threads, not the loop)."""
        job = self._submit(request, None)
        head, parts = None, []
        try:
            while head is None or not job.drained():
                if not job.wait(self._check(job) or 0.0):
                    continue
                head = head or job.take_head()
                parts += job.take_all()
        finally:
            job.close()
        return Answer(b"".join(parts), head.format, head.media_type, head.truncated,
                      head.store_version)  # fmt: skip

    async def stream(self, request: QueryRequest, snapshot: store.Snapshot | None = None) -> Reply:
        """Start answering the request: the head once known, then the bytes as they come.

        ``snapshot``: the store version to read (default: the live one when the query starts).
        """
        loop = asyncio.get_running_loop()
        job = self._submit(request, loop, snapshot)
        job.timer = loop.call_later(self._check(job) or 0.0, self._on_timer, job, loop)
        # Blocking is worth it only when a thread is free to start the query at once.
        self.streaming += 1
        brief = self.streaming <= self._size
        reply = Reply(job, self)
        try:
            if not (brief and job.wait_briefly(BRIEF_WAIT)):
                await job.ready_async()
            reply.head = job.take_head()
        except BaseException:
            reply.close()
            raise
        return reply

    def close(self) -> None:
        """Let idle query threads end (a runaway one ends with the process)."""
        for _ in self._threads:
            self._jobs.put(None)

    def threads(self) -> list[threading.Thread]:
        """The query threads still serving (for tests)."""
        return [thread for thread in self._threads if thread.is_alive()]

    def _submit(
        self,
        request: QueryRequest,
        loop: asyncio.AbstractEventLoop | None,
        snapshot: store.Snapshot | None = None,
    ) -> _Job:
        job = _Job(request, plan(request), loop, snapshot)
        if len(self._threads) < self._size:
            with self._lock:
                while len(self._threads) < self._size:
                    self._start_thread()
        self._jobs.put(job)
        return job

    def _start_thread(self) -> None:
        thread = threading.Thread(target=self._serve, name="skillsgap-query", daemon=True)
        thread.start()
        self._threads.append(thread)

    def _serve(self) -> None:
        while (job := self._jobs.get()) is not None:
            if not job.start():
                continue  # the client left while the job waited
            with self._lock:
                self._running += 1
            try:
                evaluate(job.snapshot or self.snapshots(), job.plan, job)
                job.end()
            except _Stopped:
                job.release()
            except SkillsgapError as exc:
                job.fail(exc)
            except Exception as exc:  # a job must be answered, whatever went wrong
                job.fail(QueryError(f"query failed: {exc}"))
            with self._lock:
                self._running -= 1
            if job.spread and self.cpus is not None:
                with contextlib.suppress(OSError):
                    os.sched_setaffinity(0, {self.cpus[0]})  # back beside the event loop

    def _check(self, job: _Job) -> float | None:
        """Let a long query onto every CPU, or give it up at the time limit; the seconds until
        the job should be checked again (None: it has just been given up)."""
        if job.started is None:  # waiting for a thread: the limit counts from the start
            return SHARED_SPREAD_AFTER if self.cpus else self.timeout
        ran = time.monotonic() - job.started
        if ran >= self.timeout and not job.finished:
            self._expire(job)
            return None
        wait = max(0.001, self.timeout - ran)
        if self.cpus is not None and not job.spread and not job.finished:
            # Another query running in this process shares its CPU: spread sooner.
            if ran < SPREAD_AFTER and (ran < SHARED_SPREAD_AFTER or self._running <= 1):
                wait = min(wait, SHARED_SPREAD_AFTER)
            elif job.thread is not None:
                job.spread = True
                with contextlib.suppress(OSError):
                    os.sched_setaffinity(job.thread.native_id or 0, self.cpus[1])
        return wait

    def _on_timer(self, job: _Job, loop: asyncio.AbstractEventLoop) -> None:
        if not job.finished and (wait := self._check(job)) is not None:
            job.timer = loop.call_later(wait, self._on_timer, job, loop)

    def _expire(self, job: _Job) -> None:
        if not job.expire(self._timeout_error()):
            return  # finished just now, or only waiting for its client to read: it stops itself
        self.runaways += 1
        with self._lock:
            self._threads = [t for t in self._threads if t is not job.thread]
            self._start_thread()  # the stuck thread no longer counts
        log.error("a query ran past the time limit of %g s and cannot be stopped inside this "
                  "process: %.200s", self.timeout, job.request.query)  # fmt: skip
        if self.on_runaway is not None:
            self.on_runaway()

    def _timeout_error(self) -> QueryTimeout:
        return QueryTimeout(
            f"query stopped at the time limit of {self.timeout:g} s "
            "(setting query_timeout, SKILLSGAP_QUERY_TIMEOUT)"
        )


class Reply:
    """A result being streamed from a query thread; close it when done, whatever happened."""

    head: Head

    def __init__(self, job: _Job, executor: Executor) -> None:
        self._job = job
        self._executor: Executor | None = executor

    def buffered(self) -> tuple[bytes, bool]:
        """The bytes already produced, and whether they are the whole result."""
        return b"".join(self._job.take_all()), self._job.drained()

    async def rest(self) -> AsyncIterator[bytes]:
        """The remaining bytes, chunk by chunk; raises if the query fails or times out."""
        while not self._job.drained():
            await self._job.ready_async()
            for chunk in self._job.take_all():
                yield chunk

    def close(self) -> None:
        """Stop the query thread writing a result nobody will read."""
        self._job.close()
        if self._executor is not None:
            self._executor.streaming -= 1
            self._executor = None


@dataclass(frozen=True)
class _Plan:
    """What is worked out from a request before it goes to a query thread, whose every step in
    Python waits for the GIL while the event loop holds it."""

    query: str
    options: dict[str, Any]
    accept: str | None
    format: str | None
    max_rows: int
    probe: bool  # the query's LIMIT is one row over the cap: a paging probe
    cap_cannot_cut: bool  # the query's own LIMIT is within the cap


def plan(request: QueryRequest) -> _Plan:
    """Check the request and work out how to evaluate it."""
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
    else:
        options["use_default_graph_as_union"] = not declares_dataset(request.query)
    limit = outer_limit(request.query)
    return _Plan(
        request.query, options, request.accept, request.format, request.max_rows,
        # A paging probe (a LIMIT one row over the cap, as canned queries ask) is counted in
        # one evaluation: trying it short first nearly always overflows and runs it twice.
        probe=limit is not None and limit == request.max_rows + 1,
        cap_cannot_cut=limit is not None and limit <= request.max_rows,
    )  # fmt: skip


def evaluate(snapshot: store.Snapshot, planned: _Plan, out: _Job) -> None:
    """Evaluate a planned request: query, negotiate the format, write it with the row cap."""

    def run() -> Any:
        return snapshot.query(planned.query, **planned.options)

    solutions = run()
    kind = results.result_kind(solutions)
    fmt = results.negotiate(kind, planned.accept, planned.format)
    if fmt is None:
        offered = ", ".join(results.MEDIA_TYPES[f] for f in results.formats_for(kind))
        asked = planned.format or planned.accept
        raise NotAcceptable(f"cannot give this {kind} result as {asked!r}; available: {offered}")
    out.head = Head(fmt, results.MEDIA_TYPES[fmt], False, snapshot.version)
    results.write_capped(solutions, None if planned.probe else run, fmt, planned.max_rows, out,
                         cap_cannot_cut=planned.cap_cannot_cut)  # fmt: skip


class _Stopped(Exception):
    """The job's client left or its time ran out: stop writing its result."""


class _Job:
    """One query between a query thread (which writes the result, as a ``results.Output``) and
    the request waiting for it (on an event loop, or blocked on a thread)."""

    def __init__(
        self,
        request: QueryRequest,
        planned: _Plan,
        loop: asyncio.AbstractEventLoop | None,
        snapshot: store.Snapshot | None,
    ) -> None:
        self.request = request
        self.plan = planned
        self.loop = loop
        self.snapshot = snapshot
        self.head: Head | None = None  # set by ``evaluate``; published with the first bytes
        self.started: float | None = None
        self.thread: threading.Thread | None = None
        self.spread = False  # the thread running it may use every CPU
        self.finished = False  # the thread is done with the job, or the job was given up
        self.timer: asyncio.TimerHandle | None = None
        self._lock = threading.Lock()
        self._room: threading.Condition | None = None  # the thread waits here for room
        self._published: Head | None = None
        self._chunks: deque[bytes] = deque()
        self._error: SkillsgapError | None = None
        self._ended = False  # the thread wrote the whole result
        self._left = False  # nobody reads the result any more
        self._data: list[bytes] = []  # bytes written but not yet handed over
        self._pending_head: Head | None = None
        self._waiting_for_room = False
        self._size = 0
        self._waiter: asyncio.Future[None] | None = None
        self._brief: threading.Lock | None = None  # held while the event loop waits briefly
        self._event = threading.Event() if loop is None else None

    # The query thread's side.

    def start(self) -> bool:
        with self._lock:
            if self._left or self.finished:
                return False
            self.started = time.monotonic()
            self.thread = threading.current_thread()
            return True

    def begin(self, truncated: bool) -> None:
        assert self.head is not None
        head = self.head
        self._pending_head = Head(head.format, head.media_type, truncated, head.store_version)

    def write(self, data: bytes) -> int:
        self._data.append(bytes(data))
        self._size += len(data)
        if self._size >= CHUNK:
            self._hand_over(final=False)
        return len(data)

    def flush(self) -> None:
        pass  # bytes are handed over by size and at the end

    def end(self) -> None:
        self._hand_over(final=True)

    def fail(self, error: SkillsgapError) -> None:
        # Its traceback holds the query thread's frames, whose pyoxigraph results must be
        # dropped on that thread (pyoxigraph refuses otherwise).
        error.__traceback__ = error.__context__ = error.__cause__ = None
        with self._lock:
            if not self.finished:
                self._error, self.finished = error, True
                waiter = self._take_waiter()
        self._wake(waiter)

    def _hand_over(self, final: bool) -> None:
        chunk = b"".join(self._data)
        self._data.clear()
        self._size = 0
        with self._lock:
            while not final and len(self._chunks) >= QUEUED_CHUNKS and not self._stopped():
                self._room = self._room or threading.Condition(self._lock)
                self._waiting_for_room = True
                self._room.wait()
                self._waiting_for_room = False
            if self._stopped():
                raise _Stopped
            if self._published is None:
                self._published = self._pending_head
            if chunk:
                self._chunks.append(chunk)
            if final:
                self._ended = self.finished = True
            waiter = self._take_waiter()
        self._wake(waiter)

    def release(self) -> None:
        """The thread stopped writing a result nobody reads."""
        with self._lock:
            self.finished = True

    def _stopped(self) -> bool:
        return self._left or (self.finished and not self._ended)

    # The waiting request's side.

    def wait(self, timeout: float | None) -> bool:
        """Block until there is something to take (False: ``timeout`` seconds passed)."""
        assert self._event is not None
        with self._lock:
            if self._takeable():
                return True
            self._event.clear()
        return self._event.wait(timeout)

    def wait_briefly(self, seconds: float) -> bool:
        """Block the calling thread (the event loop's) until there is something to take, for
        at most ``seconds``; False if there is nothing yet."""
        brief = threading.Lock()
        brief.acquire()
        with self._lock:
            if self._takeable():
                return True
            self._brief = brief
        brief.acquire(timeout=seconds)
        with self._lock:
            self._brief = None
            return self._takeable()

    async def ready_async(self) -> None:
        """Return once there is something to take."""
        assert self.loop is not None
        while True:
            with self._lock:
                if self._takeable():
                    return
                waiter = self._waiter = self.loop.create_future()
            await waiter

    def take_head(self) -> Head:
        with self._lock:
            if self._published is None:
                assert self._error is not None
                raise self._error
            return self._published

    def take_all(self) -> list[bytes]:
        """The chunks produced so far; raises the job's error once they are all taken."""
        with self._lock:
            taken = list(self._chunks)
            self._chunks.clear()
            self._notify_room()
            if not taken and self._error is not None:
                raise self._error
        return taken

    def drained(self) -> bool:
        with self._lock:
            return self._ended and not self._chunks

    def expire(self, error: SkillsgapError) -> bool:
        """Give up on the job at its time limit. True if its thread may be stuck in the query;
        False if it finished meanwhile or was only waiting for room (it then stops by itself)."""
        with self._lock:
            if self.finished:
                return False
            self._error, self.finished = error, True
            self._chunks.clear()
            self._notify_room()
            waiter = self._take_waiter()
            stuck = not self._waiting_for_room
        self._wake(waiter)
        return stuck

    def close(self) -> None:
        with self._lock:
            self._left = True
            self._notify_room()
            if self.started is None:
                self.finished = True  # no thread will take it now
            if self.finished and self.timer is not None:
                self.timer.cancel()  # an unfinished job keeps its timer: it may run away

    def _notify_room(self) -> None:
        if self._room is not None:
            self._room.notify_all()

    def _takeable(self) -> bool:
        return bool(self._chunks) or self._ended or self._error is not None

    def _take_waiter(self) -> asyncio.Future[None] | None:
        if self._brief is not None:
            self._brief.release()
            self._brief = None
        waiter, self._waiter = self._waiter, None
        return waiter

    def _wake(self, waiter: asyncio.Future[None] | None) -> None:
        if self._event is not None:
            self._event.set()
        elif waiter is not None and self.loop is not None:
            with contextlib.suppress(RuntimeError):  # the loop closed: nobody waits any more
                self.loop.call_soon_threadsafe(_resolve, waiter)


def _resolve(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)
