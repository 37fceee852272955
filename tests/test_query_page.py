"""The query page at /: served files, and the page driven in a real headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, Request, Route

from skillsgap.config import Settings
from skillsgap.namespaces import PREFIXES
from skillsgap.server import pages
from skillsgap.server.app import create_app

from . import live

SCREENSHOT = Path("/tmp/skillsgap-query-page.png")
TYPED_QUERY = """\
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX sg: <https://w3id.org/skillsgap/def/>
SELECT ?code ?title WHERE {
  ?group a sg:SOC2020Group ; skos:notation ?code ; skos:prefLabel ?title .
  FILTER(STRLEN(?code) = 4)
}
ORDER BY ?code
"""
# The four-digit SOC 2020 unit groups in the ons-soc2020 test excerpt.
UNIT_GROUPS = ["1111", "1112", "1132", "1161", "2439", "4111", "4112", "8160", "9265"]


# ---- served files (no browser) ----


@pytest.fixture
def client(store_path: Path) -> TestClient:
    """An app on an empty store."""
    return TestClient(create_app(Settings(store=store_path)))


def test_page_carries_the_model_prefixes_and_the_examples(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "connect-src 'self'" in response.headers["content-security-policy"]
    config = pages.page_config()
    assert config["prefixes"] == PREFIXES
    assert pages.script_json(config) in response.text
    slugs = [example["slug"] for example in config["examples"]]
    assert slugs[:3] == [
        "example-areas-in-lsip", "example-job-titles", "example-soc2020-unit-groups",
    ]  # fmt: skip
    assert all(example["title"] and example["description"] for example in config["examples"])


def test_page_names_only_assets_of_this_server(client: TestClient) -> None:
    html = client.get("/").text
    assert "http://" not in html.split("<script id=")[0]
    for name in pages.ASSETS.values():
        assert pages.asset_url(name) in html


def test_versioned_assets_are_cached_long_with_their_content_type(client: TestClient) -> None:
    expected = {
        "yasgui/yasgui.min.js": "text/javascript",
        "yasgui/yasgui.min.css": "text/css",
        "query-page.js": "text/javascript",
        "query-page.css": "text/css",
    }
    for name, media_type in expected.items():
        response = client.get(pages.asset_url(name))
        assert response.status_code == 200, name
        assert response.headers["content-type"].startswith(media_type), name
        assert "immutable" in response.headers["cache-control"], name


def test_unversioned_or_stale_assets_are_revalidated(client: TestClient) -> None:
    for url in ("/static/query-page.js", "/static/query-page.js?v=stale"):
        assert client.get(url).headers["cache-control"] == "no-cache"


def test_vendoring_record_and_licences_are_served_as_text(client: TestClient) -> None:
    for name in ("VENDORED.md", "LICENSE", "THIRD-PARTY-LICENSES.txt"):
        response = client.get(f"/static/yasgui/{name}")
        assert response.status_code == 200, name
        assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert "@zazuko/yasgui" in client.get("/static/yasgui/VENDORED.md").text


def test_static_route_serves_nothing_outside_the_folder_nor_the_template(
    client: TestClient,
) -> None:
    for path in ("/static/../pages.py", "/static/%2e%2e/pages.py", "/static/index.html"):
        assert client.get(path).status_code == 404, path


def test_query_header_joins_continuation_lines() -> None:
    text = "# title: T\n# description: one\n#   two\n# tags: a\nSELECT * {}\n# title: not me\n"
    assert pages.query_header(text) == {"title": "T", "description": "one two", "tags": "a"}


# ---- the page in a real browser ----


@dataclass
class Visit:
    """A page opened in Chromium, with what it asked for and complained about."""

    page: Page
    foreign: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        """No request left the origin; no script error or CSP violation was reported."""
        assert self.foreign == [], f"requests left the origin: {self.foreign}"
        assert self.errors == [], f"the page reported errors: {self.errors}"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`skillsgap serve` on a store holding the SOC 2020 test excerpt; yields its base URL."""
    yield from live.soc2020_excerpt_server(tmp_path_factory)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright (no browser download)."""
    yield from live.chromium()


@pytest.fixture
def visit(browser: Browser, server: str) -> Iterator[Visit]:
    """The query page opened in a fresh browser context; off-origin requests are blocked."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    seen = Visit(page)
    origin = urlsplit(server)

    def guard(route: Route, request: Request) -> None:
        target = urlsplit(request.url)
        if target.scheme in ("data", "blob") or target.netloc == origin.netloc:
            route.continue_()
        else:
            seen.foreign.append(request.url)
            route.abort()

    context.route("**/*", guard)
    page.on("console", lambda m: m.type == "error" and seen.errors.append(m.text))
    page.on("pageerror", lambda e: seen.errors.append(str(e)))
    page.goto(server + "/")
    page.wait_for_selector(".yasqe .CodeMirror")
    yield seen
    context.close()


def _editor_text(page: Page) -> str:
    return str(page.evaluate("skillsgapYasgui.getTab().getYasqe().getValue()"))


def _result_cells(page: Page, column: int) -> list[str]:
    page.wait_for_selector(".yasr table.dataTable tbody tr td", timeout=10_000)
    rows = page.locator(".yasr table.dataTable tbody tr")
    return [rows.nth(i).locator("td").nth(column).inner_text() for i in range(rows.count())]


def test_the_origin_guard_sees_a_request_to_another_host(visit: Visit, server: str) -> None:
    # /health has no CSP, so only the guard stands between the page and the other host.
    visit.page.goto(server + "/health")
    visit.page.evaluate("fetch('http://example.invalid/probe').catch(() => null)")
    assert visit.foreign == ["http://example.invalid/probe"]


def test_new_tab_declares_the_model_prefixes(visit: Visit) -> None:
    text = _editor_text(visit.page)
    for prefix, iri in PREFIXES.items():
        assert f"PREFIX {prefix}: <{iri}>" in text
    visit.assert_clean()


def test_a_query_typed_in_the_editor_runs_and_fills_the_table(visit: Visit) -> None:
    page = visit.page
    page.click(".yasqe .CodeMirror-code")
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.insert_text(TYPED_QUERY)
    assert _editor_text(page).strip() == TYPED_QUERY.strip()
    page.keyboard.press("Control+Enter")
    codes = _result_cells(page, 1)
    assert [c.strip('"') for c in codes] == UNIT_GROUPS
    assert "Chief executives and senior officials" in page.locator(".yasr table").inner_text()
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    visit.assert_clean()


def test_an_example_opens_in_its_own_tab_and_runs(visit: Visit) -> None:
    page = visit.page
    page.click("button.example[data-slug=example-soc2020-unit-groups]")
    assert [c.strip('"') for c in _result_cells(page, 1)] == ["2439"]
    tabs = page.locator(".yasgui .tabsList .tab").all_inner_texts()
    assert any("SOC 2020 unit groups" in t for t in tabs)
    visit.assert_clean()


def test_download_links_fetch_the_editor_query_from_the_endpoint(visit: Visit, server: str) -> None:
    page = visit.page
    page.hover("#downloads a[data-format=csv]")
    href = page.locator("#downloads a[data-format=csv]").get_attribute("href")
    assert href.startswith("/sparql?")
    assert parse_qs(urlsplit(href).query)["query"] == [_editor_text(page)]
    for fmt, media_type in {"csv": "text/csv", "tsv": "text/tab-separated-values"}.items():
        url = page.locator(f"#downloads a[data-format={fmt}]").get_attribute("href")
        response = httpx.get(server + url)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(media_type)
        assert response.text.splitlines()[0].replace("?", "").split(",\t"[fmt == "tsv"]) == [
            "code", "title",
        ]  # fmt: skip
    visit.assert_clean()
