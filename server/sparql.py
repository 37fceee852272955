"""The SPARQL 1.1 Protocol endpoint, read-only: query by GET, form POST and direct POST.

A plain ASGI app that the app factory puts ahead of FastAPI: routing, dependency injection and
validation cost more than a small query does, and nothing here needs them. Results stream from
the query thread to the client as they are written.

Small answers are cached by store version: the store changes only when a load commits a new
version, so an answer stays right until then, and a query repeated to the same server worker
(each process keeps its own cache) is not evaluated again.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, MutableMapping
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
from skillsgap.server.snapshots import SnapshotSource

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
# Bigger answers are not cached: they are rare, and each would crowd out hundreds of small ones.
CACHE_ENTRY_LIMIT = 1 << 20
ENTRY_OVERHEAD = 512  # bytes an entry costs beyond its body and query text (key, headers, links)
KINDS = ("solutions", "boolean", "graph")
log = logging.getLogger(__name__)

# The key: store version, query text, default and named graphs, the format chosen for each kind
# of result, and the base IRI. The row cap and SERVICE setting shape the bytes too, but they are
# fixed for the endpoint that owns the cache.
CacheKey = tuple[str, str, tuple[str, ...], tuple[str, ...], tuple[str | None, ...], str | None]
# Cached headers are a tuple, which no middleware can change in place for the next client.
RawHeaders = tuple[tuple[bytes, bytes], ...]
Params = Mapping[str, tuple[str, ...]]
HIT, MISS = (b"x-cache", b"hit"), (b"x-cache", b"miss")
READ_HEADERS = frozenset((b"accept", b"content-type"))  # the only request headers looked at
# URL query strings up to this size are parsed once and remembered: clients repeat queries, and
# parsing costs as much as answering one from the cache. Longer ones are rare and big to keep.
MEMO_LIMIT = 4096


class _Refusal(Exception):
    """A request answered with a plain-text error status."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


class SparqlEndpoint:
    """The /sparql route as an ASGI app."""

    def __init__(self, settings: Settings, executor: Executor, snapshots: SnapshotSource) -> None:
        self.settings = settings
        self.executor = executor
        capacity = settings.sparql_cache_mb << 20
        self.cache = ResultCache(capacity) if capacity > 0 else None
        self.snapshots = snapshots

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]
                   if k in READ_HEADERS}  # fmt: skip
        try:
            params = await self._params(scope, receive, headers)
            if params is None:
                await _respond(send, 200, *self._service_description(scope, headers))
                return
            request = self._request(scope, headers, params)
            snapshot = self.snapshots.current()
            key, hit = self._cached(request, snapshot.version)
            if hit is not None:
                await _send_raw(send, *hit)
                return
            reply = await self.executor.stream(request, snapshot)
        except _Refusal as refusal:
            await _text(send, refusal.status, str(refusal), refusal.headers)
            return
        except SkillsgapError as exc:
            await _text(send, _status(exc), str(exc))
            return
        try:
            await self._send_reply(reply, send, key)
        finally:
            reply.close()

    def _cached(
        self, request: QueryRequest, version: str
    ) -> tuple[CacheKey | None, tuple[RawHeaders, bytes] | None]:
        """The request's cache key (None: not cached) and the answer cached under it, if any."""
        cache = self.cache
        if cache is None:
            return None, None
        if version != cache.version:
            cache.clear(version)  # answers from older versions can never be asked for again
        key = (version, request.query, request.default_graphs, request.named_graphs,
               _formats(request.accept, request.format), request.base_iri)  # fmt: skip
        return key, cache.get(key)

    async def _params(
        self, scope: Scope, receive: Receive, headers: dict[str, str]
    ) -> Params | None:
        """The protocol parameters of the request; None asks for the service description."""
        method = scope["method"]
        params = _url_params(scope["query_string"])
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
        self, receive: Receive, headers: dict[str, str], params: Params
    ) -> Params:
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
            return _parse_params(text)
        return {**params, "query": (text,)}

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

    def _request(self, scope: Scope, headers: dict[str, str], params: Params) -> QueryRequest:
        settings = self.settings
        queries = params.get("query", ())
        if len(queries) != 1 or not queries[0].strip():
            raise _Refusal(400, "give exactly one non-empty query parameter")
        if len(queries[0].encode()) > settings.max_query_bytes:
            raise _Refusal(413, f"query larger than {settings.max_query_bytes} bytes")
        formats = params.get("format", ())
        return QueryRequest(
            query=queries[0],
            accept=headers.get("accept"),
            format=formats[0] if formats else None,
            default_graphs=params.get("default-graph-uri", ()),
            named_graphs=params.get("named-graph-uri", ()),
            max_rows=settings.max_rows,
            allow_service=settings.allow_service == "yes",
            # Relative IRIs in a query resolve against the endpoint, as the protocol allows.
            base_iri=_endpoint(scope),
        )

    async def _send_reply(self, reply: Reply, send: Send, key: CacheKey | None) -> None:
        head = reply.head
        headers = _reply_headers(head.media_type, head.format, head.store_version,
                                 self.settings.max_rows if head.truncated else None)  # fmt: skip
        try:
            body, whole = reply.buffered()
        except SkillsgapError as exc:
            await _text(send, _status(exc), str(exc))
            return
        mark = head.truncated and head.format == "json"
        miss = (MISS,) if self.cache is not None else ()
        if whole:
            # Small results (most) go out in one piece with a Content-Length.
            body = _marked(body) if mark else body
            self._keep(key, headers, body)
            length = (b"content-length", str(len(body)).encode())
            await send({"type": "http.response.start", "status": 200,
                        "headers": [*headers, *miss, length]})  # fmt: skip
            await send({"type": "http.response.body", "body": body})
            return
        await send({"type": "http.response.start", "status": 200, "headers": [*headers, *miss]})
        kept: list[bytes] | None = [] if key is not None else None
        size = 0
        try:
            async for chunk in _chunks(body, reply, mark):
                if kept is not None:
                    kept.append(chunk)
                    size += len(chunk)
                    kept = kept if size <= CACHE_ENTRY_LIMIT else None
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except SkillsgapError as exc:
            # The status is sent: ending without the last chunk tells the client it failed.
            log.warning("result stream stopped: %s", exc)
            return
        if kept is not None:
            self._keep(key, headers, b"".join(kept))
        await send({"type": "http.response.body", "body": b"", "more_body": False})

    def _keep(self, key: CacheKey | None, headers: RawHeaders, body: bytes) -> None:
        """Cache a complete, successful answer small enough to keep."""
        if key is None or self.cache is None:
            return
        length = (b"content-length", str(len(body)).encode())
        self.cache.put(key, (*headers, HIT, length), body)

    def _service_description(
        self, scope: Scope, headers: dict[str, str]
    ) -> tuple[bytes, dict[str, str]]:
        fmt = results.negotiate("graph", headers.get("accept"), None) or "ttl"
        triples = parse(read_text("server", "service-description.ttl").encode(),
                        format=RdfFormat.TURTLE, base_iri=_endpoint(scope))  # fmt: skip
        body = serialize(triples, format=results.GRAPH_FORMATS[fmt]) or b""
        return body, {"Content-Type": results.MEDIA_TYPES[fmt], "Vary": "Accept"}


class ResultCache:
    """Complete /sparql answers of one store version, least recently used dropped first."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.entry_limit = min(CACHE_ENTRY_LIMIT, capacity)
        self.version: str | None = None
        self.size = 0
        self._entries: OrderedDict[CacheKey, tuple[RawHeaders, bytes, int]] = OrderedDict()

    def get(self, key: CacheKey) -> tuple[RawHeaders, bytes] | None:
        """The headers and body cached under ``key``; None if there are none."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        self._entries.move_to_end(key)
        return entry[0], entry[1]

    def put(self, key: CacheKey, headers: RawHeaders, body: bytes) -> None:
        """Keep an answer, unless it is too big; drop the least recently used to make room."""
        cost = len(body) + len(key[1]) + ENTRY_OVERHEAD
        if key[0] != self.version or cost > self.entry_limit:
            return  # an answer from an older version than the live one is never asked for
        old = self._entries.pop(key, None)
        self.size += cost - (old[2] if old else 0)
        self._entries[key] = (headers, body, cost)
        while self.size > self.capacity:
            self.size -= self._entries.popitem(last=False)[1][2]

    def clear(self, version: str) -> None:
        """Forget every answer: ``version`` is now the live one."""
        self._entries.clear()
        self.size = 0
        self.version = version


def _url_params(raw: bytes) -> Params:
    """The parameters in a URL's query string (never change the mapping: it may be shared)."""
    return _memo_params(raw) if len(raw) <= MEMO_LIMIT else _parse_params(raw.decode("latin-1"))


@lru_cache(maxsize=512)
def _memo_params(raw: bytes) -> Params:
    return _parse_params(raw.decode("latin-1"))


def _parse_params(text: str) -> Params:
    return {name: tuple(values) for name, values in parse_qs(text, keep_blank_values=True).items()}


@lru_cache(maxsize=256)  # clients send the same few Accept headers again and again
def _formats(accept: str | None, requested: str | None) -> tuple[str | None, ...]:
    """The format each kind of result would be given: what decides the bytes of an answer."""
    return tuple(results.negotiate(kind, accept, requested) for kind in KINDS)


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


@lru_cache(maxsize=64)  # a few formats of the one live version
def _reply_headers(media_type: str, fmt: str, version: str, cut_at: int | None) -> RawHeaders:
    """The headers of an answer, but for X-Cache and Content-Length."""
    charset = "; charset=utf-8" if fmt != "nq" else ""
    headers = {"Content-Type": media_type + charset, "Vary": "Accept", "X-Store-Version": version}
    if cut_at is not None:
        headers["X-Result-Truncated"] = f"true; max-rows={cut_at}"
    return tuple(_raw(headers))


def _status(exc: SkillsgapError) -> int:
    return next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 500)


def _raw(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]


async def _send_raw(send: Send, headers: RawHeaders, body: bytes) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})


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
