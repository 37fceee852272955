"""The query page at ``/`` (a vendored YASGUI editor) and the static files it loads."""

from __future__ import annotations

import hashlib
import json
import os
import re
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles

from skillsgap import __version__
from skillsgap.namespaces import PREFIXES
from skillsgap.resources import package_files, static_folder

router = APIRouter(include_in_schema=False)

STATIC = Path(str(static_folder()))
# Asset URLs carry a digest of the file (?v=...), so a changed file gets a new URL and the
# browser may keep a file for a year when the digest in its URL matches.
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# Everything the page needs comes from this server: the browser is told so, too.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'self'"
)
ASSETS = {
    "yasgui_js": "yasgui/yasgui.min.js",
    "yasgui_css": "yasgui/yasgui.min.css",
    "page_js": "query-page.js",
    "page_css": "query-page.css",
}
# Filled in by render_page (index.html) or the canned-query pages (templates/), never served.
TEMPLATES = {"index.html", "templates"}
HEADER = re.compile(r"^#\s*(?P<key>[a-z][a-z-]*):\s*(?P<value>.*)$")
CONTINUATION = re.compile(r"^#\s+(?P<value>\S.*)$")
STARTER = """\
SELECT ?code ?title
WHERE {
  ?group a sg:SOC2020Group ; skos:notation ?code ; skos:prefLabel ?title .
  FILTER(STRLEN(?code) = 4)
}
ORDER BY ?code
LIMIT 50
"""


class CachedStaticFiles(StaticFiles):
    """Static files with a long cache lifetime when the URL names the file's version."""

    async def get_response(self, path: str, scope: Any) -> Response:
        """The file, with Cache-Control set by whether the request is versioned."""
        if os.path.normpath(path).split(os.sep)[0] in TEMPLATES:
            raise HTTPException(status_code=404)
        response = await super().get_response(path, scope)
        asked = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("v", [])
        versioned = response.status_code == 200 and asked == [digest(path)]
        response.headers["Cache-Control"] = IMMUTABLE if versioned else REVALIDATE
        response.headers["X-Content-Type-Options"] = "nosniff"
        if path.endswith((".md", ".txt")) or path.endswith("LICENSE"):
            # Notes and licences are for reading in the browser, not for downloading.
            response.headers["Content-Type"] = "text/plain; charset=utf-8"
        return response


def query_header(text: str) -> dict[str, str]:
    """The ``# key: value`` header of a query file, continuation lines joined."""
    header: dict[str, str] = {}
    key = None
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        match = HEADER.match(line)
        if match:
            key = match["key"]
            header[key] = match["value"].strip()
        elif key and (more := CONTINUATION.match(line)):
            header[key] += " " + more["value"].strip()
    return header


def examples() -> list[dict[str, str]]:
    """The packaged queries as page examples: ``example-*`` first, then the others (not the
    internal ``_*`` look-ups)."""
    found = []
    for file in package_files("queries"):
        slug = file.name.removesuffix(".rq")
        if slug.startswith("_"):
            continue
        text = file.read_text(encoding="utf-8")
        header = query_header(text)
        title = header.get("title", slug)
        found.append({"slug": slug, "title": title, "description": header.get("description", ""),
                      "query": text})  # fmt: skip
    return sorted(found, key=lambda e: (not e["slug"].startswith("example-"), e["slug"]))


@cache
def digest(name: str) -> str:
    """A short digest of a static file's content: its version in URLs."""
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:12]


def asset_url(name: str) -> str:
    """The URL of a static file, versioned by a digest of its content."""
    return f"/static/{name}?v={digest(name)}"


def page_config() -> dict[str, Any]:
    """What the page script needs: endpoint, prefixes, starter query and examples."""
    return {
        "endpoint": "/sparql",
        "prefixes": PREFIXES,
        "starter": STARTER,
        "examples": examples(),
        "version": __version__,
    }


def script_json(value: Any) -> str:
    """JSON safe to place inside a <script> element."""
    text = json.dumps(value, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


@cache
def render_page() -> str:
    """The query page, with its configuration and versioned asset URLs filled in."""
    html = (STATIC / "index.html").read_text(encoding="utf-8")
    values = {name: asset_url(path) for name, path in ASSETS.items()}
    values["config"] = script_json(page_config())
    values["version"] = __version__
    return re.sub(r"\{\{(\w+)\}\}", lambda m: values[m[1]], html)


@router.get("/", response_class=HTMLResponse)
def query_page() -> HTMLResponse:
    """The SPARQL query page: editor, examples, results table and downloads."""
    headers = {"Cache-Control": REVALIDATE, "Content-Security-Policy": CSP}
    return HTMLResponse(render_page(), headers=headers)


# A route rather than router.mount: included routers do not carry mounts in every FastAPI release.
FILES = CachedStaticFiles(directory=STATIC)


@router.api_route("/static/{path:path}", methods=["GET", "HEAD"])
async def static_file(path: str, request: Request) -> Response:
    """A file of the page: the vendored editor, our script and styles."""
    return await FILES.get_response(path, request.scope)
