"""The canned-query pages: HTML by content negotiation, forms, tables, charts; in real Chromium."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, Request, Route

from skillsgap import ingest
from skillsgap.catalog import load_catalog, parse_query_file
from skillsgap.config import Settings
from skillsgap.server import query_pages
from skillsgap.server.app import create_app

from . import live
from .conftest import EXCERPTS
from .test_query_page import Visit

SOC2020_GRAPH = "https://w3id.org/skillsgap/graph/ons-soc2020"
CHART_QUERY = "soc2020-titles-per-major-group"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
SCREENSHOT = Path("/tmp/skillsgap-chart-page.png")
FORM_QUERY = """\
# title: Form test
# description: Every kind of parameter.
# tags: test
# param soc: type=soc; version=2020; levels=4; required; example=2136
#   A unit group.
# param year: type=year; minimum=2015; maximum=2035; default=2020
# param mode: type=enum; values=fast,slow
# param area: type=area; kinds=lsip; example=E69000014
# param word: type=text; max_length=40; example=nurse
SELECT * WHERE {
  # @parameters
  BIND(?_soc AS ?s) BIND(?_year AS ?y) BIND(?_mode AS ?m) BIND(?_area AS ?a) BIND(?_word AS ?w)
}
"""


# ---- content negotiation and rendering, in-process ----


@pytest.fixture(scope="module")
def soc_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store holding the SOC 2020 test excerpt."""
    root = tmp_path_factory.mktemp("query-pages") / "store"
    excerpt = ingest.read_rdf_file(EXCERPTS / "ons-soc2020" / "expected.nt", SOC2020_GRAPH)
    ingest.commit(excerpt, Settings(store=root))
    return root


@pytest.fixture(scope="module")
def client(soc_store: Path) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(store=soc_store))) as test_client:
        yield test_client


def page(client: TestClient, url: str, **params: str) -> tuple[int, str]:
    """A page as a browser asks for it: status and HTML."""
    response = client.get(url, params=params, headers={"Accept": BROWSER}, follow_redirects=False)
    assert response.headers["content-type"].startswith("text/html"), response.text[:200]
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert "Accept" in response.headers["vary"]
    return response.status_code, response.text


@pytest.mark.parametrize(
    "accept,html",
    [
        (BROWSER, True),
        ("text/html", True),
        ("application/xhtml+xml", True),
        ("", False),
        ("*/*", False),
        ("application/json", False),
        ("application/json, text/html", False),
        ("text/html;q=0.5, application/json", False),
        ("text/html, application/json;q=0.9", True),
        ("text/html;q=0, */*", False),
        ("text/csv", False),
    ],
)
def test_html_only_when_named_and_preferred_to_json(accept: str, html: bool) -> None:
    assert query_pages.prefers_html(accept) is html


@pytest.mark.parametrize("url", ["/queries", f"/queries/{CHART_QUERY}"])
@pytest.mark.parametrize("accept", [None, "*/*", "application/json"])
def test_api_clients_still_get_json(client: TestClient, url: str, accept: str | None) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json()["ok"] is True


def test_browsers_get_pages_and_downloads_keep_their_format(client: TestClient) -> None:
    status, html = page(client, f"/queries/{CHART_QUERY}")
    assert status == 200 and "<table" in html and 'id="chart-data"' in html
    status, html = page(client, "/queries")
    assert status == 200 and f'href="/queries/{CHART_QUERY}"' in html
    csv_response = client.get(
        f"/queries/{CHART_QUERY}", params={"format": "csv"}, headers={"Accept": BROWSER}
    )
    assert csv_response.headers["content-type"].startswith("text/csv")
    plain = client.get(f"/queries/{CHART_QUERY}", params={"format": "html"})
    assert plain.headers["content-type"].startswith("text/html")


def test_page_rows_match_the_api(client: TestClient) -> None:
    api = client.get(f"/queries/{CHART_QUERY}", params={"word": "officer"}).json()
    _, html = page(client, f"/queries/{CHART_QUERY}", word="officer")
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    assert body.count("<tr>") == len(api["rows"]) > 0
    for row in api["rows"]:
        assert f'<td class="number">{row["job_titles"]}</td>' in body
        assert f"<td>{row['major_group_title']}</td>" in body


def test_values_are_escaped_in_the_form_the_table_and_errors(client: TestClient) -> None:
    hostile = '"><script>alert(1)</script>'
    status, html = page(client, f"/queries/{CHART_QUERY}", word=hostile)
    assert status == 200 and "<script>alert(1)" not in html
    assert 'value="&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"' in html
    status, html = page(client, f"/queries/{CHART_QUERY}", word=hostile * 3)
    assert status == 422 and "<script>alert(1)" not in html
    assert "&lt;script&gt;" in html.split('id="error"')[1]


def test_an_error_names_the_parameter_and_marks_its_field(client: TestClient) -> None:
    status, html = page(client, "/queries/soc-crosswalk", soc2020="9999")
    assert status == 422
    error = html.split('<div class="error" role="alert" id="error">')[1].split("</div>")[0]
    assert "<code>soc2020</code>" in error and "expected a SOC 2020 code" in error
    assert re.search(r'<input id="p-soc2020"[^>]*aria-invalid="true"', html)
    assert not re.search(r'<input id="p-soc2010"[^>]*aria-invalid', html)


def test_empty_fields_redirect_to_a_clean_url(client: TestClient) -> None:
    response = client.get(
        f"/queries/{CHART_QUERY}?word=&limit=5", headers={"Accept": BROWSER}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/queries/{CHART_QUERY}?limit=5"


def test_paging_links_and_downloads_carry_the_parameters(client: TestClient) -> None:
    _, html = page(client, f"/queries/{CHART_QUERY}", limit="2")
    links = dict(re.findall(r'<a rel="(prev|next)" href="([^"]+)"', html))
    assert set(links) == {"next"}
    assert parse_qs(urlsplit(links["next"].replace("&amp;", "&")).query) == {
        "limit": ["2"], "offset": ["2"],
    }  # fmt: skip
    _, second = page(client, f"/queries/{CHART_QUERY}", limit="2", offset="2")
    assert 'rel="prev"' in second and "Rows 3 to 4" in second
    downloads = re.findall(r'<a href="([^"]+)" data-format="([^"]+)"', second)
    assert [fmt for _, fmt in downloads] == ["json", "csv", "tsv", "sparql-json", "xml"]
    for url, fmt in downloads:
        query = parse_qs(urlsplit(url.replace("&amp;", "&")).query)
        assert query == {"limit": ["2"], "offset": ["2"], "format": [fmt]}


def test_a_download_holds_the_rows_of_its_page(client: TestClient) -> None:
    _, html = page(client, f"/queries/{CHART_QUERY}", limit="2")
    url = re.search(r'<a href="([^"]+)" data-format="csv"', html)
    assert url is not None
    rows = list(csv.DictReader(io.StringIO(client.get(url[1].replace("&amp;", "&")).text)))
    assert len(rows) == 2


def test_head_of_a_page_is_html_without_a_body(client: TestClient) -> None:
    response = client.head(f"/queries/{CHART_QUERY}", headers={"Accept": BROWSER})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert response.content == b""


def test_show_sparql_shows_the_bound_query(client: TestClient) -> None:
    _, html = page(client, f"/queries/{CHART_QUERY}", word="officer", sparql="1")
    text = html.split('<pre id="sparql"><code>')[1].split("</code>")[0]
    assert "VALUES (?_word) { (&#34;officer&#34;) }" in text
    assert 'id="show-sparql"' in html and "hide SPARQL" in html


def test_first_visit_to_a_query_with_required_parameters_shows_the_form_only(
    client: TestClient,
) -> None:
    status, html = page(client, "/queries/area")
    assert status == 200 and 'id="prompt"' in html and 'id="error"' not in html
    assert 'placeholder="E69000014"' in html and " required " in html


def test_form_controls_follow_the_parameter_types(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    query = parse_query_file("form-test", FORM_QUERY)
    monkeypatch.setattr(query_pages, "catalog", lambda: {"form-test": query})
    status, html = page(client, "/queries/form-test")
    assert status == 200

    def control(name: str) -> str:
        found = re.search(rf'<(input|select) id="p-{name}"[^>]*>', html)
        assert found, name
        return found[0]

    assert 'pattern="[0-9]{4,4}"' in control("soc") and 'placeholder="2136"' in control("soc")
    assert " required" in control("soc") and "required" not in control("year")
    assert all(a in control("year") for a in ('type="number"', 'min="2015"', 'max="2035"'))
    assert 'value="2020"' in control("year")
    assert control("mode").startswith("<select")
    assert re.findall(r"<option[^>]*>([^<]*)</option>", html) == ["(any)", "fast", "slow"]
    assert 'placeholder="E69000014"' in control("area") and 'maxlength="40"' in control("word")


def test_unknown_query_page_is_a_404_listing_the_others(client: TestClient) -> None:
    status, html = page(client, "/queries/no-such-query")
    assert status == 404 and "no canned query named &#39;no-such-query&#39;" in html
    assert all(f'href="/queries/{slug}"' in html for slug in load_catalog())


def test_templates_are_not_served_as_files(client: TestClient) -> None:
    for path in ("/static/templates/query.html", "/static/templates/../templates/base.html"):
        assert client.get(path).status_code == 404, path
    assert client.get(query_pages.asset_url("canned-pages.js")).status_code == 200


# ---- the pages in a real browser ----


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
    """A fresh browser context on the server; requests to any other origin are blocked."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    seen = Visit(context.new_page())
    origin = urlsplit(server)

    def guard(route: Route, request: Request) -> None:
        target = urlsplit(request.url)
        if target.scheme in ("data", "blob") or target.netloc == origin.netloc:
            route.continue_()
        else:
            seen.foreign.append(request.url)
            route.abort()

    context.route("**/*", guard)
    seen.page.on("console", lambda m: m.type == "error" and seen.errors.append(m.text))
    seen.page.on("pageerror", lambda e: seen.errors.append(str(e)))
    yield seen
    context.close()


def column(page: Page, name: str) -> list[str]:
    """The texts of one column of the answer table, top to bottom."""
    headers = page.locator("#results thead th").all_inner_texts()
    index = [h.strip(" ▲▼") for h in headers].index(name)
    return page.locator(f"#results tbody tr td:nth-child({index + 1})").all_inner_texts()


def test_chart_page_draws_the_bars_from_the_catalog_entry(visit: Visit, server: str) -> None:
    page = visit.page
    page.goto(server + "/queries")
    page.click(f'li[data-slug="{CHART_QUERY}"] h2 a')
    page.wait_for_selector("#chart[data-drawn]")
    counts = [int(c) for c in column(page, "job_titles")]
    drawn = page.evaluate(
        """() => {
        const chart = window.skillsgapChart, bars = chart.getDatasetMeta(0).data;
        const canvas = document.getElementById('chart');
        const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
        let painted = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
        return {type: chart.config.type, axis: chart.options.indexAxis,
                values: chart.data.datasets[0].data, widths: bars.map(b => Math.abs(b.x - b.base)),
                labels: chart.data.labels, painted: painted, area: canvas.width * canvas.height};
    }"""
    )
    assert drawn["type"] == "bar" and drawn["axis"] == "y"  # kind=hbar
    assert drawn["values"] == counts and len(drawn["labels"]) == len(counts) == 5
    assert all(width > 1 for width in drawn["widths"])
    widest = drawn["widths"].index(max(drawn["widths"]))
    assert counts[widest] == max(counts)  # the longest bar is the largest count
    assert 0.02 < drawn["painted"] / drawn["area"] < 0.9
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    visit.assert_clean()


def test_fill_the_form_submit_sort_and_page(visit: Visit, server: str) -> None:
    page = visit.page
    page.goto(f"{server}/queries/{CHART_QUERY}")
    page.fill("#p-word", "officer")
    page.fill("#p-limit", "2")
    page.click("#parameters button[type=submit]")
    page.wait_for_url("**word=officer**")
    assert parse_qs(urlsplit(page.url).query) == {"word": ["officer"], "limit": ["2"]}
    first = column(page, "major_group_title")
    page.click("a[rel=next]")
    page.wait_for_url("**offset=2**")
    assert len(first) == 2 and column(page, "major_group_title")[0] not in first
    assert page.locator("a[rel=prev]").count() == 1 and page.input_value("#p-word") == "officer"
    page.fill("#p-word", "")
    page.fill("#p-limit", "100")
    page.click("#parameters button[type=submit]")
    page.wait_for_url("**/queries/*?limit=100")  # the empty field is dropped from the URL
    before = column(page, "job_titles")
    page.click("#results th:has-text('job_titles') button")
    ascending = column(page, "job_titles")
    assert ascending == sorted(before, key=int) and ascending != before
    page.click("#results th:has-text('job_titles') button")
    assert column(page, "job_titles") == sorted(before, key=int, reverse=True)
    assert page.locator("#results th:has-text('job_titles')").get_attribute("aria-sort") == (
        "descending"
    )
    page.click("#results th:has-text('major_group_title') button")
    names = column(page, "major_group_title")
    assert names == sorted(names, key=str.lower)
    visit.assert_clean()


def test_a_download_link_gives_csv_of_the_rows(visit: Visit, server: str) -> None:
    page = visit.page
    page.goto(f"{server}/queries/{CHART_QUERY}?word=officer")
    shown = column(page, "major_group_title")
    with page.expect_download() as download:
        page.click("a[data-format=csv]")
    assert download.value.suggested_filename == f"{CHART_QUERY}.csv"
    text = Path(download.value.path()).read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [row["major_group_title"] for row in rows] == shown
    assert set(rows[0]) == {"major_group", "major_group_title", "unit_groups", "job_titles"}
    visit.assert_clean()


def test_a_bad_parameter_shows_its_message_by_the_field(visit: Visit, server: str) -> None:
    page = visit.page
    page.goto(server + "/queries/soc-crosswalk")
    page.fill("#p-soc2020", "9999")  # four digits, as the pattern asks, but no such unit group
    page.click("#parameters button[type=submit]")
    alert = page.locator("#error")
    alert.wait_for()
    assert "soc2020" in alert.inner_text() and "expected a SOC 2020 code" in alert.inner_text()
    assert page.locator("#p-soc2020").get_attribute("aria-invalid") == "true"
    assert "exists" in page.locator(".field.invalid .field-error").inner_text()
    # The browser reports the 422 status of the page itself; nothing else may be wrong.
    visit.errors = [e for e in visit.errors if "status of 422" not in e]
    visit.assert_clean()
