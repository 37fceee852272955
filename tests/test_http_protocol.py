"""The HTTP protocol of `skillsgap serve`: one write per event-loop turn."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import uvicorn
from starlette.types import Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from skillsgap.config import Settings
from skillsgap.server import app as server_app
from skillsgap.server.http_protocol import HOLD_AT_MOST, HttpProtocol, OneWritePerTurn


class RecordingTransport:
    """Stands in for the socket's transport; records what reaches it."""

    def __init__(self) -> None:
        self.writes: list[bytes] = []
        self.closed = self.aborted = False
        self.paused = False

    def write(self, data: bytes) -> None:
        assert not self.closed, "written after close"
        self.writes.append(data)

    def is_closing(self) -> bool:
        return self.closed or self.aborted

    def close(self) -> None:
        self.closed = True

    def abort(self) -> None:
        self.aborted = True

    def get_write_buffer_size(self) -> int:
        return 7

    def pause_reading(self) -> None:
        self.paused = True

    def resume_reading(self) -> None:
        self.paused = False

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return ("127.0.0.1", 8000) if name in ("peername", "sockname") else default


def run(test: Any) -> Any:
    async def main() -> Any:
        transport = RecordingTransport()
        return transport, await test(OneWritePerTurn(transport, asyncio.get_running_loop()))  # type: ignore[arg-type]

    return asyncio.run(main())


def test_writes_of_one_turn_leave_together() -> None:
    async def test(wrapped: OneWritePerTurn) -> list[bytes]:
        wrapped.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
        wrapped.write(memoryview(b"ok"))
        seen_before_turn_ends = list(wrapped._transport.writes)  # type: ignore[attr-defined]
        await asyncio.sleep(0)
        return seen_before_turn_ends

    transport, before = run(test)
    assert before == []
    assert transport.writes == [b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"]


def test_each_turn_has_its_own_write() -> None:
    async def test(wrapped: OneWritePerTurn) -> None:
        wrapped.write(b"a")
        await asyncio.sleep(0)
        wrapped.write(b"b")
        wrapped.write(b"c")
        await asyncio.sleep(0)

    transport, _ = run(test)
    assert transport.writes == [b"a", b"bc"]


def test_a_long_body_is_not_held_back() -> None:
    chunk = b"x" * (HOLD_AT_MOST // 2)

    async def test(wrapped: OneWritePerTurn) -> list[int]:
        wrapped.write(b"head")
        wrapped.write(chunk)
        wrapped.write(chunk)  # reaches the limit: written at once, with what was held
        wrapped.write(b"tail")
        written = [len(w) for w in wrapped._transport.writes]  # type: ignore[attr-defined]
        await asyncio.sleep(0)
        return written

    transport, before = run(test)
    assert before == [4 + HOLD_AT_MOST]
    assert transport.writes[1:] == [b"tail"]


def test_close_sends_what_is_held_first() -> None:
    async def test(wrapped: OneWritePerTurn) -> None:
        wrapped.write(b"last words")
        wrapped.close()
        await asyncio.sleep(0)  # the flush scheduled by the write finds nothing left

    transport, _ = run(test)
    assert transport.writes == [b"last words"] and transport.closed


def test_abort_drops_what_is_held() -> None:
    async def test(wrapped: OneWritePerTurn) -> None:
        wrapped.write(b"never sent")
        wrapped.abort()
        await asyncio.sleep(0)

    transport, _ = run(test)
    assert transport.writes == [] and transport.aborted


def test_buffer_size_counts_held_bytes_and_other_calls_pass_through() -> None:
    async def test(wrapped: OneWritePerTurn) -> int:
        wrapped.write(b"12345")
        size = wrapped.get_write_buffer_size()
        wrapped.pause_reading()  # type: ignore[attr-defined]
        await asyncio.sleep(0)
        return size

    transport, size = run(test)
    assert size == 7 + 5 and transport.paused


async def small_answer(scope: Scope, receive: Receive, send: Send) -> None:
    """Answers as the /sparql endpoint does: the head, then the body."""
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-length", b"19")]})  # fmt: skip
    await send({"type": "http.response.body", "body": b'{"boolean" : true }'})


def answer_writes(protocol_class: type[asyncio.Protocol]) -> list[bytes]:
    """What reaches the socket when ``protocol_class`` answers one request."""

    async def main() -> list[bytes]:
        config = uvicorn.Config(small_answer, http=protocol_class, log_level="error")
        config.load()
        transport = RecordingTransport()
        protocol = protocol_class(config, ServerState(), {}, asyncio.get_running_loop())  # type: ignore[call-arg]
        protocol.connection_made(transport)  # type: ignore[arg-type]
        protocol.data_received(b"GET /sparql?query=ASK HTTP/1.1\r\nHost: x\r\n\r\n")  # type: ignore[attr-defined]
        for _ in range(10):
            await asyncio.sleep(0)
        return transport.writes

    return asyncio.run(main())


def test_a_small_answer_leaves_in_one_write() -> None:
    assert len(answer_writes(HttpToolsProtocol)) == 2  # uvicorn alone: the head, the body
    (write,) = answer_writes(HttpProtocol)
    assert write.startswith(b"HTTP/1.1 200 OK\r\n") and write.endswith(b'{"boolean" : true }')


def test_serve_uses_the_protocol(monkeypatch: pytest.MonkeyPatch) -> None:
    used: list[Any] = []

    class Supervisor:
        def __init__(self, config: uvicorn.Config, sockets: list[Any]) -> None:
            used.append(config.http)
            for sock in sockets:
                sock.close()

        def run(self) -> None:
            pass

    monkeypatch.setattr(uvicorn.supervisors, "Multiprocess", Supervisor)
    monkeypatch.setattr(server_app.os, "environ", {})
    server_app.run(Settings(port=0))
    assert used == [HttpProtocol]
