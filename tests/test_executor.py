"""The query executor's time limit, on a store whose queries take as long as the test says."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from typing import Any

import pytest
from pyoxigraph import Literal, NamedNode, Quad, Store

from skillsgap import executor as executor_module
from skillsgap.errors import QueryError, QueryTimeout
from skillsgap.executor import Executor, QueryRequest

QUERY = "SELECT ?o WHERE { <urn:s> <urn:p> ?o }"


class SlowSnapshot:
    """A one-triple store whose queries first wait ``delay`` seconds (releasing the GIL, as
    pyoxigraph does while it evaluates)."""

    version = "v1"

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self.delays: dict[str, float] = {}  # per query text, instead of ``delay``
        self.store = Store()
        self.store.add(Quad(NamedNode("urn:s"), NamedNode("urn:p"), Literal("answer")))

    def query(self, sparql: str, **options: Any) -> Any:
        time.sleep(self.delays.get(sparql, self.delay))
        return self.store.query(sparql, **options)


def executor(delay: float, timeout: float) -> tuple[Executor, list[str]]:
    runaways: list[str] = []
    snapshot = SlowSnapshot(delay)
    made = Executor(lambda: snapshot, 1, timeout, on_runaway=lambda: runaways.append("retire"))  # type: ignore[arg-type,return-value]
    return made, runaways


def request(fmt: str = "csv") -> QueryRequest:
    return QueryRequest(query=QUERY, format=fmt)


def test_a_query_within_the_limit_is_answered() -> None:
    pool, runaways = executor(delay=0.0, timeout=5)
    answer = pool.run(request())
    assert answer.body.decode().split() == ["o", "answer"] and answer.store_version == "v1"
    assert runaways == []


def test_a_blocking_caller_gets_the_limit_error_and_the_process_is_asked_to_retire() -> None:
    pool, runaways = executor(delay=1.5, timeout=0.3)
    started = time.perf_counter()
    with pytest.raises(QueryTimeout, match="time limit of 0.3 s"):
        pool.run(request())
    assert time.perf_counter() - started < 1.2  # not when the query ends by itself
    assert runaways == ["retire"] and pool.runaways == 1
    # The stuck thread no longer counts: a fresh one takes the next query at once.
    stuck = [t for t in threading.enumerate() if t.name == "skillsgap-query"]
    assert len(pool.threads()) == 1 and len(stuck) >= 2
    pool.snapshots().delay = 0.0  # type: ignore[attr-defined]
    assert b"answer" in pool.run(request()).body


def test_a_streaming_caller_gets_the_limit_error() -> None:
    pool, runaways = executor(delay=1.5, timeout=0.3)

    async def ask() -> None:
        await pool.stream(request("json"))

    started = time.perf_counter()
    with pytest.raises(QueryTimeout):
        asyncio.run(ask())
    assert time.perf_counter() - started < 1.2
    assert runaways == ["retire"]


def test_a_query_waiting_for_a_thread_is_not_a_runaway() -> None:
    # One thread; two queries of 0.4 s each (within the 0.5 s limit) ahead of a quick one, which
    # so waits 0.8 s in the queue: the limit counts from when its evaluation starts.
    pool, runaways = executor(delay=0.0, timeout=0.5)
    snapshot = pool.snapshots()
    slow = "SELECT ?o WHERE { <urn:s> <urn:p> ?o } # slow"
    snapshot.delays = {slow: 0.4}  # type: ignore[attr-defined]
    ahead = [threading.Thread(target=pool.run, args=(QueryRequest(query=slow),)) for _ in "ab"]
    for thread in ahead:
        thread.start()
    time.sleep(0.05)
    started = time.perf_counter()
    assert b"answer" in pool.run(request()).body
    assert time.perf_counter() - started > 0.6
    for thread in ahead:
        thread.join()
    assert runaways == []


def test_service_is_refused_before_any_thread_runs() -> None:
    pool, _ = executor(delay=0.0, timeout=5)
    with pytest.raises(QueryError, match="SERVICE"):
        pool.run(QueryRequest(query="SELECT * { SERVICE <http://example.org/> { ?s ?p ?o } }"))
    assert pool.threads() == []


needs_two_cpus = pytest.mark.skipif(
    not hasattr(os, "sched_setaffinity") or len(os.sched_getaffinity(0)) < 2,
    reason="needs CPU affinity and two CPUs",
)


@needs_two_cpus
def test_a_long_query_may_use_every_cpu_then_its_thread_returns_to_its_own() -> None:
    every = frozenset(os.sched_getaffinity(0))
    home = min(every)
    snapshot = SlowSnapshot(0.0)
    pool = Executor(lambda: snapshot, 1, 5, cpus=(home, every))  # type: ignore[arg-type,return-value]
    pool.run(request())
    [thread] = pool.threads()
    assert thread.native_id is not None
    os.sched_setaffinity(thread.native_id, {home})  # as a pinned process's threads are
    snapshot.delay = 0.4
    slow = threading.Thread(target=pool.run, args=(request(),))
    slow.start()
    time.sleep(0.2)
    during = os.sched_getaffinity(thread.native_id)
    slow.join()
    assert during == every and os.sched_getaffinity(thread.native_id) == {home}
    snapshot.delay = 0.0
    pool.run(request())  # a quick query stays where it is
    assert os.sched_getaffinity(thread.native_id) == {home}


@needs_two_cpus
def test_queries_sharing_the_process_leave_its_cpu_sooner(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(executor_module, "SPREAD_AFTER", 10.0)  # only the shared rule applies
    every = frozenset(os.sched_getaffinity(0))
    home = min(every)
    snapshot = SlowSnapshot(0.0)
    pool = Executor(lambda: snapshot, 2, 5, cpus=(home, every))  # type: ignore[arg-type,return-value]
    pool.run(request())
    threads = pool.threads()
    assert len(threads) == 2
    for thread in threads:
        os.sched_setaffinity(thread.native_id or 0, {home})
    snapshot.delay = 0.4

    def cpus_while_running(queries: int) -> list[frozenset[int]]:
        callers = [threading.Thread(target=pool.run, args=(request(),)) for _ in range(queries)]
        for caller in callers:
            caller.start()
        time.sleep(0.2)
        during = [frozenset(os.sched_getaffinity(t.native_id or 0)) for t in threads]
        for caller in callers:
            caller.join()
        return during

    assert cpus_while_running(1) == [{home}, {home}]  # alone: stays beside the event loop
    assert cpus_while_running(2) == [every, every]
    assert [os.sched_getaffinity(t.native_id or 0) for t in threads] == [{home}, {home}]


def test_streamed_replies_are_counted_until_closed_even_when_they_fail() -> None:
    pool, _ = executor(delay=0.0, timeout=0.3)

    async def ask() -> None:
        reply = await pool.stream(request("json"))
        assert pool.streaming == 1 and reply.buffered()[1]
        reply.close()
        reply.close()  # closing twice counts once
        assert pool.streaming == 0
        pool.snapshots().delay = 1.0  # type: ignore[attr-defined]
        with pytest.raises(QueryTimeout):
            await pool.stream(request("json"))
        assert pool.streaming == 0

    asyncio.run(ask())
