"""The SPARQL 1.1 Protocol endpoint, read-only: query by GET, form POST and direct POST.

A plain ASGI app that the app factory puts ahead of FastAPI: routing, dependency injection and
validation cost more than a small query does, and nothing here needs them. Results stream from
the query worker to the client as they are written.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs

from pyoxigraph import RdfFormat, parse, serialize
from starlette.datastructures import URL

from skillsgap import results
from skillsgap.config import Settings
from skillsgap.errors import NotAcceptable, QueryError, QueryTimeout, SkillsgapError, StoreError
from skillsgap.executor import Executor, QueryRequest, Reply
from skillsgap.resources import read_text

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

ALLOWED_METHODS = "GET, HEAD, POST, OPTIONS"
FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"
# SPARQL protocol errors are plain text, as the protocol's clients expect.
STATUS = {QueryError: 400, NotAcceptable: 406, QueryTimeout: 503, StoreError: 503}
READ_ONLY = (
    "this endpoint is read-only: SPARQL Update is refused; "
    "data enters only through `skillsgap load`, which validates it"
)
log = logging.getLogger(__name__)


class _Refusal(Exception):
    """A request answered with a plain-text error status."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


class SparqlEndpoint:
    """The /sparql route as an ASGI app."""

    def __init__(self, settings: Settings, executor: Executor) -> None:
        self.settings = settings
        self.executor = executor

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        try:
            params = await self._params(scope, receive, headers)
            if params is None:
                await _respond(send, 200, *self._service_description(scope, headers))
                return
            request = self._request(scope, headers, params)
            reply = await self.executor.stream(request)
        except _Refusal as refusal:
            await _text(send, refusal.status, str(refusal), refusal.headers)
            return
        except SkillsgapError as exc:
            await _text(send, _status(exc), str(exc))
            return
        try:
            await self._send_reply(reply, send)
        finally:
            reply.close()

    async def _params(
        self, scope: Scope, receive: Receive, headers: dict[str, str]
    ) -> dict[str, list[str]] | None:
        """The protocol parameters of the request; None asks for the service description."""
        method = scope["method"]
        params = parse_qs(scope["query_string"].decode("latin-1"), keep_blank_values=True)
        if method == "POST":
            params = await self._post_params(receive, headers, params)
        elif method == "OPTIONS":
            raise _Refusal(204, "", {"Allow": ALLOWED_METHODS})
        elif method not in ("GET", "HEAD"):
            raise _Refusal(405, f"method {method} not allowed", {"Allow": ALLOWED_METHODS})
        if "update" in params:
            raise _Refusal(403, READ_ONLY)
        if method != "POST" and "query" not in params:
            return None
        return params

    async def _post_params(
        self, receive: Receive, headers: dict[str, str], params: dict[str, list[str]]
    ) -> dict[str, list[str]]:
        media_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if media_type == UPDATE_BODY:
            raise _Refusal(403, READ_ONLY)
        if media_type not in (FORM, QUERY_BODY):
            raise _Refusal(415, f"unsupported body type {media_type or 'none'!r}; "
                                f"send {QUERY_BODY} or {FORM}")  # fmt: skip
        try:
            text = (await self._body(receive)).decode("utf-8")
        except UnicodeDecodeError:
            raise _Refusal(400, "the request body is not UTF-8") from None
        if media_type == FORM:
            return parse_qs(text, keep_blank_values=True)
        return params | {"query": [text]}

    async def _body(self, receive: Receive) -> bytes:
        limit = self.settings.max_query_bytes
        parts, size, more = [], 0, True
        while more:
            message = await receive()
            parts.append(message.get("body", b""))
            size += len(parts[-1])
            if size > limit:
                raise _Refusal(413, f"query larger than {limit} bytes")
            more = message.get("more_body", False)
        return b"".join(parts)

    def _request(
        self, scope: Scope, headers: dict[str, str], params: dict[str, list[str]]
    ) -> QueryRequest:
        settings = self.settings
        queries = params.get("query", [])
        if len(queries) != 1 or not queries[0].strip():
            raise _Refusal(400, "give exactly one non-empty query parameter")
        if len(queries[0].encode()) > settings.max_query_bytes:
            raise _Refusal(413, f"query larger than {settings.max_query_bytes} bytes")
        formats = params.get("format", [])
        return QueryRequest(
            query=queries[0],
            accept=headers.get("accept"),
            format=formats[0] if formats else None,
            default_graphs=tuple(params.get("default-graph-uri", [])),
            named_graphs=tuple(params.get("named-graph-uri", [])),
            max_rows=settings.max_rows,
            allow_service=settings.allow_service == "yes",
            # Relative IRIs in a query resolve against the endpoint, as the protocol allows.
            base_iri=_endpoint(scope),
        )

    async def _send_reply(self, reply: Reply, send: Send) -> None:
        head = reply.head
        charset = "; charset=utf-8" if head.format != "nq" else ""
        headers = {"Content-Type": head.media_type + charset, "Vary": "Accept",
                   "X-Store-Version": head.store_version}  # fmt: skip
        if head.truncated:
            headers["X-Result-Truncated"] = f"true; max-rows={self.settings.max_rows}"
        try:
            body, whole = reply.buffered()
        except SkillsgapError as exc:
            await _text(send, _status(exc), str(exc))
            return
        mark = head.truncated and head.format == "json"
        if whole:
            # Small results (most) go out in one piece with a Content-Length.
            await _respond(send, 200, _marked(body) if mark else body, headers)
            return
        await send({"type": "http.response.start", "status": 200, "headers": _raw(headers)})
        try:
            async for chunk in _chunks(body, reply, mark):
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except SkillsgapError as exc:
            # The status is sent: ending without the last chunk tells the client it failed.
            log.warning("result stream stopped: %s", exc)
            return
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    def _service_description(
        self, scope: Scope, headers: dict[str, str]
    ) -> tuple[bytes, dict[str, str]]:
        fmt = results.negotiate("graph", headers.get("accept"), None) or "ttl"
        triples = parse(read_text("server", "service-description.ttl").encode(),
                        format=RdfFormat.TURTLE, base_iri=_endpoint(scope))  # fmt: skip
        body = serialize(triples, format=results.GRAPH_FORMATS[fmt]) or b""
        return body, {"Content-Type": results.MEDIA_TYPES[fmt], "Vary": "Accept"}


async def _chunks(first: bytes, reply: Reply, mark: bool) -> AsyncIterator[bytes]:
    """The result's bytes; the first piece marked as truncated when ``mark``."""
    pieces = _pieces(first, reply)
    async for piece in pieces:
        yield _marked(piece) if mark else piece
        break
    async for piece in pieces:
        yield piece


async def _pieces(first: bytes, reply: Reply) -> AsyncIterator[bytes]:
    if first:
        yield first
    async for chunk in reply.rest():
        yield chunk


def _marked(json_body: bytes) -> bytes:
    # The row cap is reported in the JSON body too, as a field beside "head" and "results".
    return b'{"truncated":true,' + json_body[1:]


def _endpoint(scope: Scope) -> str:
    """The endpoint's URL as the client addressed it."""
    host = next((value for name, value in scope["headers"] if name == b"host"), b"")
    server = scope.get("server")
    return _url(scope.get("scheme", "http"), host, tuple(server) if server else None, scope["path"])


@lru_cache(maxsize=64)  # the same few hosts ask again and again; Starlette checks the Host
def _url(scheme: str, host: bytes, server: tuple[str, int] | None, path: str) -> str:
    scope = {"scheme": scheme, "server": server, "path": path, "headers": [(b"host", host)]}
    return str(URL(scope=scope).replace(query=""))


def _status(exc: SkillsgapError) -> int:
    return next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 500)


def _raw(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]


async def _respond(send: Send, status: int, body: bytes, headers: dict[str, str]) -> None:
    raw = _raw(headers)
    if status != 204:  # a 204 has no body, so no length (RFC 9110)
        raw.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


async def _text(
    send: Send, status: int, message: str, headers: dict[str, str] | None = None
) -> None:
    body = (message + "\n").encode() if status != 204 else b""
    await _respond(
        send, status, body, {"Content-Type": "text/plain; charset=utf-8"} | (headers or {})
    )
