"""Canned queries as typed URLs: /queries and /queries/<slug>, JSON by default, cached by store version."""

from __future__ import annotations

import hashlib
import inspect
import json
import re
from collections import OrderedDict
from collections.abc import Callable
from decimal import Decimal
from threading import Lock
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from pyoxigraph import (
    Literal,
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    Variable,
    parse_query_results,
)

from skillsgap import iris, resources
from skillsgap.catalog import (
    CannedQuery,
    Parameter,
    ParameterError,
    bind,
    load_catalog,
    soc_candidate,
)
from skillsgap.config import Settings
from skillsgap.errors import NotAcceptable, QueryError, QueryTimeout, SkillsgapError, StoreError
from skillsgap.executor import Executor, QueryRequest
from skillsgap.namespaces import XSD
from skillsgap.server.errors import error_body
from skillsgap.server.job_titles import TitleRanker
from skillsgap.server.snapshots import SnapshotSource

RESERVED = ("format", "limit", "offset", "sparql")
DEFAULT_LIMIT = 100
MAX_LIMIT = 5000
# Plain JSON is ours; the other formats are pyoxigraph's.
FORMATS = {"json": "application/json", "csv": "text/csv", "tsv": "text/tab-separated-values",
           "sparql-json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
           "ttl": "text/turtle", "jsonld": "application/ld+json"}  # fmt: skip
STATUS = {
    ParameterError: 422,
    NotAcceptable: 406,
    QueryError: 400,
    QueryTimeout: 503,
    StoreError: 503,
}
NUMERIC = {XSD.integer.value, XSD.decimal.value, XSD.double.value, XSD.float.value,
           XSD.int.value, XSD.long.value, XSD.nonNegativeInteger.value}  # fmt: skip


class ErrorBody(BaseModel):
    """The one error shape of the API."""

    ok: bool
    error: str
    errors: list[str]
    status: int
    parameter: str | None = None


class Answer(BaseModel):
    """A canned query's answer as plain JSON."""

    ok: bool
    query: str
    title: str
    parameters: dict[str, str]
    columns: list[str]
    rows: list[dict[str, Any]]
    limit: int
    offset: int
    truncated: bool
    next: str | None = None
    store_version: str
    sparql: str | None = None


def install(app: FastAPI, settings: Settings) -> None:
    """Add /queries and one documented operation per canned query to the app."""
    catalog = load_catalog()
    router = APIRouter(tags=["canned queries"])
    cache = _ResultCache(capacity=512)
    app.state.title_ranker = TitleRanker(app.state.snapshots)

    @router.get("/queries", summary="List the canned queries")
    def list_queries() -> dict[str, Any]:
        """Every canned query with its title, description, parameters and links."""
        return {"ok": True, "queries": [_describe(q) for q in catalog.values()]}

    for query in catalog.values():
        router.add_api_route(
            f"/queries/{query.slug}",
            _endpoint(query, settings, cache),
            methods=["GET"],
            summary=query.title,
            description=query.description,
            response_model=Answer,
            name=query.slug,
            responses={
                200: {"content": {media: {} for media in FORMATS.values() if media != "application/json"}},
                304: {"description": "Not modified (ETag)"},
                406: {"model": ErrorBody, "description": "The format cannot hold this result"},
                422: {"model": ErrorBody, "description": "A parameter does not fit its declaration"},
                503: {"model": ErrorBody, "description": "The query ran past the time limit"},
            },
        )  # fmt: skip
        router.add_api_route(
            f"/queries/{query.slug}", _endpoint(query, settings, cache), methods=["HEAD"],
            include_in_schema=False,
        )  # fmt: skip

    @router.get("/queries/{slug}", include_in_schema=False)
    def unknown_query(slug: str) -> JSONResponse:
        return _error(404, f"no canned query named {slug!r}; see /queries")

    app.include_router(router)


def _endpoint(
    query: CannedQuery, settings: Settings, cache: _ResultCache
) -> Callable[..., Response]:
    """A handler whose signature documents the query's parameters (FastAPI builds OpenAPI from it)."""

    def handler(request: Request, **_: Any) -> Response:
        return _run(request, query, settings, cache)

    documented = [
        inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request)
    ]
    for parameter in query.parameters:
        documented.append(_documented(parameter))
    documented += [
        inspect.Parameter("format", inspect.Parameter.KEYWORD_ONLY, annotation=str | None,
                          default=Query(None, description="json (default), csv, tsv, sparql-json, "
                                        "xml; ttl or jsonld for CONSTRUCT queries",
                                        json_schema_extra={"enum": list(FORMATS)})),
        inspect.Parameter("limit", inspect.Parameter.KEYWORD_ONLY, annotation=int,
                          default=Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Rows per page")),
        inspect.Parameter("offset", inspect.Parameter.KEYWORD_ONLY, annotation=int,
                          default=Query(0, ge=0, le=10**9, description="Rows to skip")),
        inspect.Parameter("sparql", inspect.Parameter.KEYWORD_ONLY, annotation=bool,
                          default=Query(False, description="Include the SPARQL text run")),
    ]  # fmt: skip
    handler.__signature__ = inspect.Signature(documented)  # type: ignore[attr-defined]
    handler.__name__ = "query_" + query.slug.replace("-", "_")
    return handler


def _documented(parameter: Parameter) -> inspect.Parameter:
    description = f"{parameter.description} Expected: {parameter.expected()}.".strip()
    options: dict[str, Any] = {"description": description}
    if parameter.example is not None:
        options["examples"] = [parameter.example]
    if parameter.type == "enum":
        options["json_schema_extra"] = {"enum": list(parameter.values)}
    default = ... if parameter.required and parameter.default is None else parameter.default
    return inspect.Parameter(
        parameter.name,
        inspect.Parameter.KEYWORD_ONLY,
        annotation=str if default is ... else str | None,
        default=Query(default, **options),
    )


def _run(request: Request, query: CannedQuery, settings: Settings, cache: _ResultCache) -> Response:
    raw = {k: v for k, v in request.query_params.items() if k not in RESERVED}
    try:
        fmt, limit, offset = _paging(request)
        snapshots: SnapshotSource = request.app.state.snapshots
        snapshot = snapshots.current()
        key = (snapshot.version, query.slug, tuple(sorted(raw.items())), fmt, limit, offset)
        etag = '"' + hashlib.sha256(repr(key).encode()).hexdigest()[:32] + '"'
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=_cache_headers(etag))
        cached = cache.get(key)
        if cached is None:
            text, used = bind(
                query, raw, parameter_lookup(snapshots), request.app.state.title_ranker
            )
            cached = _answer(request, query, text, used, fmt, limit, offset)
            cache.put(key, cached)
    except SkillsgapError as exc:
        status = next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 500)
        return _error(status, str(exc), getattr(exc, "parameter", None))
    body, media_type, next_url = cached
    headers = _cache_headers(etag)
    if next_url:
        # Every format says another page follows: a Link header (RFC 8288) beside JSON's "next".
        headers["Link"] = f'<{next_url}>; rel="next"'
    if fmt == "json" and request.query_params.get("sparql") in ("1", "true"):
        document = json.loads(body)
        ranker = request.app.state.title_ranker
        document["sparql"] = bind(query, raw, parameter_lookup(snapshots), ranker)[0]
        body = json.dumps(document).encode()
    return Response(body, media_type=media_type, headers=headers)


def _answer(
    request: Request,
    query: CannedQuery,
    text: str,
    used: dict[str, str],
    fmt: str,
    limit: int,
    offset: int,
) -> tuple[bytes, str, str | None]:
    executor: Executor = request.app.state.executor
    # One row more than the page shows tells whether another page follows; the cap cuts it off.
    paged = f"{text}\nLIMIT {limit + 1} OFFSET {offset}"  # integers we checked, nothing else
    wire = "json" if fmt in ("json", "sparql-json") else fmt
    answer = executor.run(QueryRequest(query=paged, format=wire, max_rows=limit))
    next_url = None
    if answer.truncated:
        params = dict(request.query_params) | {"limit": str(limit), "offset": str(offset + limit)}
        next_url = str(request.url.replace(query=urlencode(params)))
    if fmt != "json":
        return answer.body, FORMATS[fmt], next_url
    solutions = parse_query_results(answer.body, QueryResultsFormat.JSON)
    if isinstance(solutions, QueryBoolean):
        columns, rows = ["boolean"], [{"boolean": bool(solutions)}]
    else:
        columns = [v.value for v in solutions.variables]
        rows = [{c: _plain(s[c]) for c in columns} for s in solutions]
    more = answer.truncated
    document = Answer(
        ok=True, query=query.slug, title=query.title, parameters=used, columns=columns,
        rows=rows, limit=limit, offset=offset, truncated=more, next=next_url,
        store_version=answer.store_version,
    )  # fmt: skip
    return document.model_dump_json(exclude_none=True).encode(), FORMATS["json"], next_url


def _plain(term: Any) -> Any:
    """A term as plain JSON: numbers as numbers, IRIs and other literals as strings."""
    if term is None:
        return None
    if isinstance(term, Literal) and term.datatype.value in NUMERIC:
        number = Decimal(term.value)
        return (
            int(number)
            if number == number.to_integral_value() and "." not in term.value
            else float(number)
        )
    if isinstance(term, Literal) and term.datatype == XSD.boolean:
        return term.value == "true"
    return term.value


def _paging(request: Request) -> tuple[str, int, int]:
    params = request.query_params
    fmt = params.get("format", "json")
    if fmt not in FORMATS:
        raise ParameterError(
            "bad format", parameter="format", expected="one of " + ", ".join(FORMATS), got=fmt
        )
    limit = _bounded(params.get("limit", str(DEFAULT_LIMIT)), "limit", 1, MAX_LIMIT)
    return fmt, limit, _bounded(params.get("offset", "0"), "offset", 0, 10**9)


def _bounded(text: str, name: str, low: int, high: int) -> int:
    if not text.isdigit() or not low <= int(text) <= high:
        raise ParameterError(
            "bad value", parameter=name, expected=f"an integer from {low} to {high}", got=text
        )
    return int(text)


# A GSS code: a letter and eight digits (E69000014); anything else is looked up as a name.
GSS_CODE = re.compile(r"[A-Za-z][0-9]{8}")


def parameter_lookup(snapshots: SnapshotSource) -> Callable[[str, Parameter], NamedNode | None]:
    """Parameter look-ups against the live store: a SOC group or an area must exist."""

    def lookup(text: str, parameter: Parameter) -> NamedNode | None:
        snapshot = snapshots.current()
        if parameter.type == "soc":
            candidate = soc_candidate(text, parameter)
            if candidate is None:
                return None
            bound = {
                Variable("candidate"): candidate,
                Variable("scheme"): iris.soc_scheme_iri(parameter.version),
            }
            found = list(snapshot.query(resources.read_text("queries", "_lookup-soc.rq"), bound))
            return candidate if found else None
        rows = []
        if GSS_CODE.fullmatch(text):
            rows = list(snapshot.query(resources.read_text("queries", "_lookup-area-code.rq"),
                                       {Variable("code"): Literal(text.upper())}))  # fmt: skip
        if not rows:
            rows = list(snapshot.query(resources.read_text("queries", "_lookup-area.rq"),
                                       {Variable("wanted"): Literal(text)}))  # fmt: skip
        schemes = {iris.area_scheme_iri(kind).value for kind in parameter.kinds}
        areas = {row["area"] for row in rows if not schemes or row["scheme"].value in schemes}
        return next(iter(areas)) if len(areas) == 1 else None

    return lookup


def _describe(query: CannedQuery) -> dict[str, Any]:
    return {
        "slug": query.slug,
        "title": query.title,
        "description": query.description,
        "tags": list(query.tags),
        "parameters": [
            {"name": p.name, "type": p.type, "required": p.required, "default": p.default,
             "example": p.example, "expected": p.expected(), "description": p.description}
            | ({"values": list(p.values)} if p.values else {})
            for p in query.parameters
        ],
        "links": {"run": f"/queries/{query.slug}", "openapi": "/openapi.json"},
    }  # fmt: skip


def _cache_headers(etag: str) -> dict[str, str]:
    # The store changes only when a load commits; clients revalidate cheaply with the ETag.
    return {"ETag": etag, "Cache-Control": "public, max-age=60, must-revalidate", "Vary": "Accept"}


def _error(status: int, message: str, parameter: str | None = None) -> JSONResponse:
    body = error_body(status, message) | ({"parameter": parameter} if parameter else {})
    return JSONResponse(body, status_code=status)


class _ResultCache:
    """Answers by (store version, query, parameters, format, page); a new version empties it."""

    def __init__(self, capacity: int) -> None:
        self._entries: OrderedDict[tuple[Any, ...], tuple[bytes, str, str | None]] = OrderedDict()
        self._capacity = capacity
        self._version: str | None = None
        self._lock = Lock()

    def get(self, key: tuple[Any, ...]) -> tuple[bytes, str, str | None] | None:
        with self._lock:
            if key[0] != self._version:
                self._entries.clear()
                self._version = key[0]
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: tuple[Any, ...], value: tuple[bytes, str, str | None]) -> None:
        with self._lock:
            if key[0] == self._version:
                self._entries[key] = value
                while len(self._entries) > self._capacity:
                    self._entries.popitem(last=False)
