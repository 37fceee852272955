"""The SPARQL 1.1 Protocol endpoint, read-only: query by GET, form POST and direct POST."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pyoxigraph import RdfFormat, parse, serialize

from skillsgap import results
from skillsgap.config import Settings
from skillsgap.errors import NotAcceptable, QueryError, QueryTimeout, SkillsgapError, StoreError
from skillsgap.executor import Executor, QueryRequest
from skillsgap.resources import read_text

router = APIRouter()

ALLOWED_METHODS = "GET, HEAD, POST, OPTIONS"
FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"
# SPARQL protocol errors are plain text, as the protocol's clients expect.
STATUS = {QueryError: 400, NotAcceptable: 406, QueryTimeout: 503, StoreError: 503}


@router.head("/sparql", include_in_schema=False)
@router.get("/sparql")
def sparql_get(request: Request) -> Response:
    """SPARQL query by GET (`query=`); with no query, the service description."""
    params = {key: request.query_params.getlist(key) for key in request.query_params}
    if "update" in params:
        return _read_only()
    if "query" not in params:
        return _service_description(request)
    return _run(request, params)


@router.post("/sparql")
async def sparql_post(request: Request) -> Response:
    """SPARQL query by URL-encoded form POST or direct POST (application/sparql-query)."""
    settings: Settings = request.app.state.settings
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type == UPDATE_BODY:
        return _read_only()
    if media_type not in (FORM, QUERY_BODY):
        return _text(415, f"unsupported body type {media_type or 'none'!r}; "
                          f"send {QUERY_BODY} or {FORM}")  # fmt: skip
    body = await request.body()
    if len(body) > settings.max_query_bytes:
        return _text(413, f"query larger than {settings.max_query_bytes} bytes")
    params = {key: request.query_params.getlist(key) for key in request.query_params}
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return _text(400, "the request body is not UTF-8")
    if media_type == FORM:
        params = parse_qs(text, keep_blank_values=True)
    else:
        params["query"] = [text]
    if "update" in params:
        return _read_only()
    return await run_in_threadpool(_run, request, params)


@router.api_route("/sparql", methods=["PUT", "DELETE", "PATCH"], include_in_schema=False)
def sparql_other(request: Request) -> Response:
    """Methods the read-only endpoint does not take."""
    return _text(405, f"method {request.method} not allowed", {"Allow": ALLOWED_METHODS})


def _run(request: Request, params: dict[str, list[str]]) -> Response:
    settings: Settings = request.app.state.settings
    queries = params.get("query", [])
    if len(queries) != 1 or not queries[0].strip():
        return _text(400, "give exactly one non-empty query parameter")
    if len(queries[0].encode()) > settings.max_query_bytes:
        return _text(413, f"query larger than {settings.max_query_bytes} bytes")
    formats = params.get("format", [])
    query = QueryRequest(
        query=queries[0],
        accept=request.headers.get("accept"),
        format=formats[0] if formats else None,
        default_graphs=tuple(params.get("default-graph-uri", [])),
        named_graphs=tuple(params.get("named-graph-uri", [])),
        max_rows=settings.max_rows,
        allow_service=settings.allow_service == "yes",
        # Relative IRIs in a query resolve against the endpoint, as the protocol allows.
        base_iri=str(request.url.replace(query="")),
    )
    executor: Executor = request.app.state.executor
    try:
        answer = executor.run(query)
    except SkillsgapError as exc:
        status = next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 500)
        return _text(status, str(exc))
    body = answer.body
    headers = {"Vary": "Accept", "X-Store-Version": answer.store_version}
    if answer.truncated:
        headers["X-Result-Truncated"] = f"true; max-rows={settings.max_rows}"
        if answer.format == "json":
            body = b'{"truncated":true,' + body[1:]
    media_type = answer.media_type + ("; charset=utf-8" if answer.format != "nq" else "")
    return Response(body, media_type=media_type, headers=headers)


def _service_description(request: Request) -> Response:
    fmt = results.negotiate("graph", request.headers.get("accept"), None) or "ttl"
    endpoint = str(request.url.replace(query=""))
    triples = parse(read_text("server", "service-description.ttl").encode(), format=RdfFormat.TURTLE,
                    base_iri=endpoint)  # fmt: skip
    body = serialize(triples, format=results.GRAPH_FORMATS[fmt]) or b""
    return Response(body, media_type=results.MEDIA_TYPES[fmt], headers={"Vary": "Accept"})


def _read_only() -> Response:
    return _text(403, "this endpoint is read-only: SPARQL Update is refused; "
                      "data enters only through `skillsgap load`, which validates it")  # fmt: skip


def _text(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return Response(message + "\n", status_code=status, media_type="text/plain; charset=utf-8",
                    headers=headers)  # fmt: skip
