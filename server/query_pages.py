"""HTML pages of the canned queries, at the API's own URLs when the client asks for HTML.

``GET /queries`` and ``GET /queries/<slug>`` answer JSON by default. A browser navigating there
sends ``Accept: text/html,...``: the routes here then match first and render a page instead
(``?format=html`` asks for the page whatever the Accept header says). A page is a form built from
the query's declared parameters, the answer as a sortable table, download links in every format,
paging and, for queries with a ``chart:`` header field, a chart (Chart.js, vendored).

A page gets its answer from the JSON API itself, called inside this process through the app's
ASGI interface: the same parameter checks, error bodies and answer cache as any other client.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup
from starlette.routing import Match
from starlette.types import Message, Scope

from skillsgap import __version__
from skillsgap.catalog import CannedQuery, Parameter, load_catalog
from skillsgap.server.pages import CSP, REVALIDATE, STATIC, asset_url, script_json

FORMATS = ("json", "csv", "tsv", "sparql-json", "xml")
PAGING = ("limit", "offset", "sparql")
DEFAULT_LIMIT = "100"
ASSETS = {
    "css": "canned-pages.css",
    "js": "canned-pages.js",
    "chart_js": "chart/chart.umd.min.js",
}
HTML_TYPES = ("text/html", "application/xhtml+xml")
JSON_TYPES = ("application/json", "application/*", "*/*")


def quality(accept: str) -> dict[str, float]:
    """The media ranges of an Accept header with their q-values."""
    found: dict[str, float] = {}
    for part in accept.split(","):
        media, *params = (piece.strip() for piece in part.split(";"))
        if not media:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        found[media.lower()] = max(found.get(media.lower(), 0.0), q)
    return found


def prefers_html(accept: str) -> bool:
    """Whether an Accept header names HTML and rates it above JSON (``*/*`` alone stays JSON)."""
    ranked = quality(accept)
    html = max((ranked[m] for m in HTML_TYPES if m in ranked), default=0.0)
    json_q = next((ranked[m] for m in JSON_TYPES if m in ranked), 0.0)
    return html > json_q


def wants_page(scope: Scope) -> bool:
    """An HTML page is wanted: ``format=html``, or no format and an Accept preferring HTML."""
    query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
    if "format" in query:
        return query["format"] == "html"
    headers = dict(scope.get("headers", []))
    return prefers_html(headers.get(b"accept", b"").decode("latin-1"))


class PageRoute(APIRoute):
    """A route that matches only requests for an HTML page, so API requests fall through."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        """Match as usual, but only when the client wants the page."""
        if scope["type"] != "http" or not wants_page(scope):
            return Match.NONE, {}
        return super().matches(scope)


router = APIRouter(include_in_schema=False, route_class=PageRoute)


@cache
def catalog() -> dict[str, CannedQuery]:
    """The canned queries, by slug."""
    return load_catalog()


@cache
def templates() -> Environment:
    """The page templates, with every value HTML-escaped unless marked safe."""
    return Environment(
        loader=FileSystemLoader(STATIC / "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(name: str, status: int = 200, **values: Any) -> HTMLResponse:
    """A template rendered as a page with the site's security and cache headers."""
    assets = {key: asset_url(path) for key, path in ASSETS.items()}
    html = templates().get_template(name).render(assets=assets, version=__version__, **values)
    headers = {"Cache-Control": REVALIDATE, "Content-Security-Policy": CSP, "Vary": "Accept"}
    return HTMLResponse(html, status_code=status, headers=headers)


def link(path: str, params: dict[str, str]) -> str:
    """A same-site URL with a query string."""
    return f"{path}?{urlencode(params)}" if params else path


def humane(column: str) -> str:
    """A column name as words: ``job_titles`` -> ``Job titles``."""
    words = column.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


@dataclass
class FormField:
    """One input of a query's form, from a declared parameter."""

    parameter: Parameter
    value: str
    error: str | None = None

    @property
    def control(self) -> str:
        """The kind of control: select, number or text."""
        if self.parameter.type == "enum":
            return "select"
        return "number" if self.parameter.type in ("year", "integer") else "text"


def form_fields(
    query: CannedQuery, raw: dict[str, str], error: dict[str, Any] | None
) -> list[FormField]:
    """The form's inputs, holding the submitted values (or the defaults) and any error."""
    fields = []
    for parameter in query.parameters:
        value = raw.get(parameter.name, parameter.default or "")
        wrong = error is not None and error.get("parameter") == parameter.name
        fields.append(FormField(parameter, value, str(error["error"]) if wrong and error else None))
    return fields


def chart_data(query: CannedQuery, answer: dict[str, Any]) -> dict[str, Any] | None:
    """What the page script draws: labels, one numeric series per y column, the kind."""
    chart, columns, rows = query.chart, answer["columns"], answer["rows"]
    if chart is None or not rows or chart.x not in columns:
        return None
    series = [
        {"label": humane(y), "column": y,
         "data": [row.get(y) if is_number(row.get(y)) else None for row in rows]}
        for y in chart.y
        if y in columns
    ]  # fmt: skip
    labels = ["" if row.get(chart.x) is None else str(row[chart.x]) for row in rows]
    return {"kind": chart.kind, "title": query.title, "x": chart.x, "x_label": humane(chart.x),
            "labels": labels, "series": series}  # fmt: skip


@dataclass
class Table:
    """The answer as the page's table: column names, whether each is numeric, cell texts."""

    columns: list[tuple[str, bool]]
    rows: list[list[str]] = field(default_factory=list)


def cell(value: Any) -> str:
    """A plain JSON value as the text of a table cell."""
    if value is None:
        return ""
    return str(value).lower() if isinstance(value, bool) else str(value)


def is_number(value: Any) -> bool:
    """A JSON number (booleans are not)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def table(answer: dict[str, Any]) -> Table:
    """The columns, numeric when every value given is a number, and the rows as cell texts."""
    names, rows = answer["columns"], answer["rows"]
    numeric = [
        any(row.get(n) is not None for row in rows)
        and all(row.get(n) is None or is_number(row.get(n)) for row in rows)
        for n in names
    ]
    cells = [[cell(row.get(n)) for n in names] for row in rows]
    return Table(columns=list(zip(names, numeric, strict=True)), rows=cells)


async def call_api(request: Request, path: str, params: dict[str, str]) -> tuple[int, Any]:
    """A GET of this app's JSON API in-process (ASGI): the status and the decoded body."""
    headers = [
        (b"accept", b"application/json"),
        (b"host", request.headers.get("host", "").encode()),
    ]
    scope: Scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": request.url.scheme, "server": request.scope.get("server"),
        "client": request.scope.get("client"), "root_path": request.scope.get("root_path", ""),
        "path": path, "raw_path": path.encode(), "query_string": urlencode(params).encode(),
        "headers": headers, "state": dict(request.scope.get("state") or {}),
    }  # fmt: skip
    reply: dict[str, Any] = {"status": 500, "body": b""}

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            reply["status"] = message["status"]
        elif message["type"] == "http.response.body":
            reply["body"] += message.get("body", b"")

    await request.app(scope, receive, send)
    try:
        return int(reply["status"]), json.loads(reply["body"])
    except ValueError:
        message = f"the API answered {reply['status']} without a JSON body"
        return int(reply["status"]), {"ok": False, "error": message, "errors": [message],
                                      "status": reply["status"]}  # fmt: skip


def needs_input(query: CannedQuery, raw: dict[str, str]) -> bool:
    """A first visit to a query whose required parameters have no defaults: show the form only."""
    return not raw and any(p.required and p.default is None for p in query.parameters)


@router.api_route("/queries", methods=["GET", "HEAD"])
def index_page() -> HTMLResponse:
    """Every canned query, with what it answers and its parameters."""
    return render("queries.html", queries=list(catalog().values()), error=None)


@router.api_route("/queries/{slug}", methods=["GET", "HEAD"], response_model=None)
async def query_page(slug: str, request: Request) -> Response:
    """One canned query: its form, its answer as a table (and chart), downloads and paging."""
    query = catalog().get(slug)
    if query is None:
        message = f"no canned query named {slug!r}"
        return render("queries.html", 404, queries=list(catalog().values()), error=message)
    given = {key: value for key, value in request.query_params.items() if value.strip()}
    if len(given) != len(request.query_params):
        # Empty fields of a submitted form: the same page under a clean URL (defaults apply).
        return RedirectResponse(link(request.url.path, given), status_code=303)
    raw = {key: value for key, value in given.items() if key != "format"}
    status, answer, error = 200, None, None
    if not needs_input(query, raw):
        status, body = await call_api(request, f"/queries/{query.slug}", raw)
        answer, error = (body, None) if status == 200 else (None, body)
    return render("query.html", status, **query_view(query, raw, answer, error))


def query_view(query: CannedQuery, raw: dict[str, str], answer: Any, error: Any) -> dict[str, Any]:
    """What the query page shows: form fields, then the answer with its links, or the error."""
    view: dict[str, Any] = {
        "query": query,
        "fields": form_fields(query, raw, error),
        "limit": raw.get("limit", DEFAULT_LIMIT),
        "error": error,
        "answer": answer,
        "table": table(answer) if answer else None,
        "chart": None,
        "links": {},
        "sparql": answer.get("sparql") if answer else None,
    }
    if answer:
        args = {k: v for k, v in raw.items() if k not in PAGING}
        page = args | {"limit": str(answer["limit"]), "offset": str(answer["offset"])}
        view["links"] = page_links(f"/queries/{query.slug}", page, answer, bool(view["sparql"]))
        chart = chart_data(query, answer)
        view["chart"] = Markup(script_json(chart)) if chart else None
    return view


def page_links(
    path: str, page: dict[str, str], answer: dict[str, Any], showing_sparql: bool
) -> dict[str, Any]:
    """Downloads of these rows in each format, SPARQL on or off, previous and next pages."""
    limit, offset = int(answer["limit"]), int(answer["offset"])
    earlier = page | {"offset": str(max(offset - limit, 0))}
    later = page | {"offset": str(offset + limit)}
    return {
        "downloads": [(fmt, link(path, page | {"format": fmt})) for fmt in FORMATS],
        "sparql": link(path, page if showing_sparql else page | {"sparql": "1"}),
        "previous": link(path, earlier) if offset > 0 else None,
        "next": link(path, later) if answer.get("truncated") else None,
        "first_row": offset + 1,
        "last_row": offset + len(answer["rows"]),
    }
