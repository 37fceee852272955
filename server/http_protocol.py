"""uvicorn's HTTP/1.1 protocol, with each response leaving the process in one write.

uvicorn writes a response's head as soon as the application starts it and its body when it
comes, so a small response costs two ``send`` system calls and two TCP segments; the client
wakes for the head alone, and at many small requests a second those calls are a large share
of the server's CPU (py-spy: 44% of the event loop's GIL time under wrk at 8 connections).
Here the transport holds what is written during one turn of the event loop and sends it
together at the end of the turn.
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HOLD_AT_MOST = 64 * 1024  # bytes held before they are written without waiting for the turn's end


class OneWritePerTurn:
    """A transport that joins the writes made in one event-loop turn into one.

    Everything but ``write`` and the calls that end the connection passes to the socket's own
    transport, which still owns flow control: what is held is at most one turn's writes and
    less than ``HOLD_AT_MOST`` bytes.
    """

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self._transport = transport
        self._loop = loop
        self._held: list[bytes] = []
        self._size = 0  # bytes held

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if not self._held:
            self._loop.call_soon(self._flush)
        self._held.append(bytes(data))
        self._size += len(data)
        if self._size >= HOLD_AT_MOST:
            self._flush()  # a long body: let the socket's transport see it and push back

    def writelines(self, lines: Any) -> None:
        for data in lines:
            self.write(data)

    def _flush(self) -> None:
        held, self._held, self._size = self._held, [], 0
        if held and not self._transport.is_closing():
            self._transport.write(held[0] if len(held) == 1 else b"".join(held))

    def get_write_buffer_size(self) -> int:
        return self._transport.get_write_buffer_size() + self._size

    def close(self) -> None:
        self._flush()
        self._transport.close()

    def write_eof(self) -> None:
        self._flush()
        self._transport.write_eof()

    def abort(self) -> None:
        self._held, self._size = [], 0
        self._transport.abort()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._transport, name)


class HttpProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol on a transport that writes once per event-loop turn."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(OneWritePerTurn(transport, self.loop))  # type: ignore[arg-type]
