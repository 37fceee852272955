"""Canned queries over HTTP against the same bound SPARQL run directly, at two data sizes.

For each canned query (``queries/*.rq`` not starting with "_", with its header's ``example=``
values) and each data size (the store given with --store; a copy of it with the synthetic
triples of ``run.py`` added as one more named graph):

- latency through ``skillsgap serve`` (a subprocess, real HTTP on one kept-alive connection):
  *cold* (requests the result cache has not seen: the first after the server started, then more
  with another page size, ``limit=99, 98, ...``, each a cache miss) and *cached* (the same request
  repeated), against *direct*: the bound SPARQL text, with the ``LIMIT``/``OFFSET`` the server
  adds, run in this process by pyoxigraph on a read-only copy of the same store version and
  serialised as SPARQL results JSON. Targets: cold / direct <= 1.2; cached / direct well below 1.
- throughput with wrk: the cached canned URL on ``skillsgap serve`` against ``oxigraph
  serve-read-only --union-default-graph`` on a copy of the store answering the bound (uncached)
  query. Target: skillsgap faster (ratio > 1).

Every figure is compared within the same run (the machine is shared and noisy): read the ratios.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import math
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from endpoint import cpu_seconds, free_port, wait_for  # benchmarks/ is on sys.path as a script
from pyoxigraph import QueryResultsFormat, Store
from run import synthetic_ntriples

from skillsgap import store as stores
from skillsgap.catalog import CannedQuery, Lookup, Ranker, bind, load_catalog
from skillsgap.query_text import declares_dataset
from skillsgap.server.canned import parameter_lookup as server_lookup
from skillsgap.server.job_titles import TitleRanker
from skillsgap.server.snapshots import SnapshotSource

SKILLSGAP = [sys.executable, "-m", "skillsgap.cli"]
LISTS_LOADS = {"last-loads"}  # its answer lists the loads, so the synthetic load shows there
SLOW_MS = 3000  # a query slower than this gets two cold samples, not --samples
DEFAULT_LIMIT = 100  # the API's page size (server/canned.py); the server asks for one row more
SYNTHETIC_NOTE = (
    "the synthetic triples (SKOS concepts in their own scheme and named graph) do not change the "
    "canned answers, but enlarge the indexes every query scans"
)

LEGEND = """
direct ms = median time to run the bound query (with the server's LIMIT) in pyoxigraph in this
process and serialise it as SPARQL JSON: the peer every ratio below divides by.
bind/dir  = catalog.bind (parameter look-ups in the store, the title coder) in this process.
cold/dir  = an API request the result cache has not seen, median (target <= 1.2; '!' above).
-bind     = (cold - bind) / direct: what HTTP, the query thread and JSON add (an estimate:
            bind is timed here, not in the server, so it can come out below 0 when bind dominates).
1st/dir1  = the first request after the server started / the first direct run.
cached/dir = a repeated API request (answered from the result cache).
rps s/o   = wrk requests/s: skillsgap's cached canned URL / oxigraph serve-read-only answering
            the bound query (target > 1); cpu s/o = server CPU time per request, same order."""


@dataclass
class Figures:
    """One canned query at one data size; times in milliseconds, medians unless 'first'."""

    slug: str
    url: str
    error: str | None = None
    rows: int = 0
    answer_digest: str = ""
    direct_first: float = float("nan")
    direct: float = float("nan")
    bind: float = float("nan")
    cold_first: float = float("nan")
    cold: float = float("nan")
    cached: float = float("nan")
    sparql: str = ""
    wrk_skillsgap: dict[str, float] = field(default_factory=dict)
    wrk_oxigraph: dict[str, float] = field(default_factory=dict)
    wrk_note: str = ""

    def ratios(self) -> dict[str, float]:
        def over(a: float, b: float) -> float:
            return a / b if b and not math.isnan(b) else float("nan")

        return {
            "cold/direct": over(self.cold, self.direct),
            "(cold-bind)/direct": over(self.cold - self.bind, self.direct),
            "first/direct-first": over(self.cold_first, self.direct_first),
            "cached/direct": over(self.cached, self.direct),
            "rps skillsgap/oxigraph": over(
                self.wrk_skillsgap.get("rps", float("nan")),
                self.wrk_oxigraph.get("rps", float("nan")),
            ),
            "cpu per request skillsgap/oxigraph": over(
                self.wrk_skillsgap.get("cpu", float("nan")),
                self.wrk_oxigraph.get("cpu", float("nan")),
            ),
        }


def canned_path(query: CannedQuery, limit: int | None = None) -> str:
    """The API path of a query with its example parameter values (and a page size)."""
    params = {p.name: p.example for p in query.parameters if p.example is not None}
    if limit is not None:
        params["limit"] = str(limit)
    encoded = urllib.parse.urlencode(params)
    return f"/queries/{query.slug}" + (f"?{encoded}" if encoded else "")


def paged(text: str, limit: int) -> str:
    """The bound text as the server runs it: one row more than the page, to see if more follow."""
    return f"{text}\nLIMIT {limit + 1} OFFSET 0"


class Client:
    """One kept-alive HTTP/1.1 connection, so a latency is the server's, not a TCP handshake."""

    def __init__(self, port: int) -> None:
        self._port = port
        self._connection = http.client.HTTPConnection("127.0.0.1", port, timeout=900)

    def get(self, path: str) -> tuple[float, int, bytes]:
        """Milliseconds to the last byte, the status and the body."""
        started = time.perf_counter()
        try:
            self._connection.request("GET", path)
            response = self._connection.getresponse()
            body = response.read()
        except (http.client.HTTPException, OSError):  # the server closed an idle connection
            self._connection.close()
            self._connection = http.client.HTTPConnection("127.0.0.1", self._port, timeout=900)
            started = time.perf_counter()
            self._connection.request("GET", path)
            response = self._connection.getresponse()
            body = response.read()
        return 1000 * (time.perf_counter() - started), response.status, body

    def close(self) -> None:
        self._connection.close()


def direct(database: Store, text: str) -> tuple[float, bytes]:
    """Milliseconds to evaluate the query in-process and serialise its results as JSON."""
    started = time.perf_counter()
    # As the server's snapshots do: the union of the named graphs unless the query names a dataset.
    results: Any = database.query(text, use_default_graph_as_union=not declares_dataset(text))
    body = results.serialize(format=QueryResultsFormat.JSON) or b""
    return 1000 * (time.perf_counter() - started), body


def measure_latency(
    query: CannedQuery,
    client: Client,
    database: Store,
    binder: tuple[Lookup, Ranker],
    samples: int,
    repeats: int,
) -> Figures:
    """Cold, cached and direct latencies of one query, the cold and direct runs interleaved,
    and the time ``catalog.bind`` takes in this process with the server's look-ups."""
    figures = Figures(slug=query.slug, url=canned_path(query))
    first, status, body = client.get(figures.url)
    if status != 200:
        figures.error = f"HTTP {status}: {body[:200].decode(errors='replace')}"
        return figures
    answer = json.loads(body)
    figures.rows = len(answer["rows"])
    figures.answer_digest = digest(answer["rows"])
    # The bound text the server ran, from the cache entry just made (sparql is not in the key).
    _, status, body = client.get(figures.url + ("&" if "?" in figures.url else "?") + "sparql=1")
    bound = figures.sparql = json.loads(body)["sparql"]
    figures.cold_first = first
    figures.direct_first, direct_body = direct(database, paged(bound, DEFAULT_LIMIT))
    direct_rows = len(json.loads(direct_body)["results"]["bindings"])
    if min(direct_rows, DEFAULT_LIMIT) != figures.rows:
        figures.error = f"direct run gave {direct_rows} rows, the API {figures.rows}"
    raw = {p.name: p.example for p in query.parameters if p.example is not None}
    binds = []
    for _ in range(max(1, samples - 1)):
        started = time.perf_counter()
        text, _used = bind(query, raw, *binder)
        binds.append(1000 * (time.perf_counter() - started))
    figures.bind = statistics.median(binds)
    if text != bound:
        figures.error = "catalog.bind here gave another text than the server's sparql=1"
    colds, directs = [first], [figures.direct_first]
    if max(first, figures.direct_first) > SLOW_MS:
        samples = min(samples, 2)  # one more of each is enough to see where the time goes
    for sample in range(1, samples):
        limit = DEFAULT_LIMIT - sample  # another cache key, the same work
        directs.append(direct(database, paged(bound, limit))[0])
        elapsed, status, body = client.get(canned_path(query, limit))
        if status != 200:
            figures.error = f"HTTP {status} at limit={limit}"
        colds.append(elapsed)
    cached = []
    for _ in range(repeats):
        elapsed, status, _body = client.get(figures.url)
        cached.append(elapsed)
    figures.cold = statistics.median(colds[1:] if len(colds) > 1 else colds)
    figures.cached = statistics.median(cached)
    figures.direct = statistics.median(directs[1:] if len(directs) > 1 else directs)
    return figures


POST_LUA = """
local file = io.open("{path}", "rb")
wrk.method = "POST"
wrk.body = file:read("*a")
file:close()
wrk.headers["Content-Type"] = "application/sparql-query"
wrk.headers["Accept"] = "application/sparql-results+json"
"""


def run_wrk(
    url: str, pid: int, args: argparse.Namespace, post: str | None = None
) -> dict[str, float] | str:
    """req/s, p50 and p99 (ms) and server CPU ms per request from one wrk run, or what failed.
    With ``post``, the query is POSTed (application/sparql-query): bound queries can be longer
    than a URL may be."""
    command = ["wrk", "-t", str(min(args.connections, 2)), "-c", str(args.connections),
               "-d", f"{args.seconds}s", "--latency", "--timeout", "60s"]  # fmt: skip
    if post is not None:
        body = args.work / f"query-{abs(hash(post))}.rq"
        body.write_text(post, encoding="utf-8")
        script = body.with_suffix(".lua")
        script.write_text(POST_LUA.replace("{path}", str(body)))
        command += ["-s", str(script)]
    before = cpu_seconds(pid)
    done = subprocess.run(command + [url], capture_output=True, text=True)
    used = cpu_seconds(pid) - before
    output = done.stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    requests = re.search(r"(\d+) requests in", output)
    if done.returncode != 0 or errors or requests is None or int(requests[1]) == 0:
        why = f"{errors[1]} non-2xx responses" if errors else "no answer"
        return f"wrk: {why} ({(done.stderr or output).strip().splitlines()[-1:]})"
    figures = {"cpu": 1000 * used / int(requests[1])}
    figures["rps"] = float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1])  # type: ignore[index]
    for name, pattern in (("p50", r"50%\s+([\d.]+)(\w+)"), ("p99", r"99%\s+([\d.]+)(\w+)")):
        value, unit = re.search(pattern, output).groups()  # type: ignore[union-attr]
        figures[name] = float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]
    return figures


def warm(url: str, times: int) -> None:
    """GET ``url`` on fresh connections, so that every server worker caches its answer."""
    for _ in range(times):
        with urllib.request.urlopen(url, timeout=600) as response:
            response.read()


def digest(rows: list[dict[str, Any]]) -> str:
    """A digest of the answer rows, whatever their order (to compare the two data sizes)."""
    lines = sorted(json.dumps(row, sort_keys=True) for row in rows)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]


def warm_page_cache(directory: Path) -> None:
    """Read every file of a store version once, so neither side pays the first disk reads."""
    for path in directory.rglob("*"):
        if path.is_file():
            with path.open("rb") as handle:
                while handle.read(1 << 22):
                    pass


@contextmanager
def servers(
    root: Path, work: Path, args: argparse.Namespace
) -> Iterator[tuple[int, int, int, int, Path]]:
    """skillsgap serve on ``root`` and oxigraph serve-read-only on a copy of its live version:
    (skillsgap port, its pid, oxigraph port, its pid, the copy)."""
    version = stores.current_version(root)
    if version is None:
        raise SystemExit(f"{root}: no store here (build one with skillsgap load)")
    copy = work / f"oxigraph-{root.name}"
    shutil.copytree(root / stores.VERSIONS / version, copy)
    warm_page_cache(root / stores.VERSIONS / version)
    warm_page_cache(copy)
    ours, theirs = free_port(), free_port()
    serve = SKILLSGAP + ["serve", "--store", str(root), "--port", str(ours), "--workers",
                         str(args.workers), "--query-timeout", str(args.query_timeout)]  # fmt: skip
    oxigraph = ["oxigraph", "serve-read-only", "--location", str(copy),
                "--bind", f"127.0.0.1:{theirs}", "--union-default-graph"]  # fmt: skip
    started = [
        subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for command in (serve, oxigraph)
    ]
    try:
        wait_for(f"http://127.0.0.1:{ours}/queries")
        wait_for(f"http://127.0.0.1:{theirs}/query?query=" + urllib.parse.quote("ASK {}"))
        # Start every server worker's query processes (they start on a worker's first query),
        # on fresh connections so that each server worker is likely to get one.
        for _ in range(4 * args.workers):
            wait_for(f"http://127.0.0.1:{ours}/sparql?query=" + urllib.parse.quote("ASK {}"))
        yield ours, started[0].pid, theirs, started[1].pid, copy
    finally:
        for process in started:
            process.terminate()
            process.wait(timeout=30)


def measure_size(
    name: str, root: Path, work: Path, catalog: dict[str, CannedQuery], args: argparse.Namespace
) -> dict[str, Any]:
    """Every canned query at one data size: latencies, then wrk against both servers."""
    print(f"\n== {name}: store {root}", flush=True)
    results: list[Figures] = []
    with servers(root, work, args) as (ours, our_pid, theirs, their_pid, copy):
        database = Store.read_only(str(copy))
        snapshots = SnapshotSource(root)
        ranker = TitleRanker(snapshots)
        ranker.coder()  # built once per store version, as in the server; not timed
        binder = (server_lookup(snapshots), ranker)
        triples = len(database)
        print(f"   {triples:,} quads; measuring latency ...", flush=True)
        client = Client(ours)
        for query in catalog.values():
            figures = measure_latency(query, client, database, binder, args.samples, args.repeats)
            results.append(figures)
            print(f"   {query.slug}: {figures.error or 'ok'}", flush=True)
        client.close()
        del database
        if args.seconds > 0:
            print(f"   wrk, {args.seconds} s per query and server ...", flush=True)
            for figures in results:
                if not figures.sparql:
                    continue
                if figures.direct > args.wrk_max_ms:
                    figures.wrk_note = f"no wrk: direct run over {args.wrk_max_ms:g} ms"
                    continue
                ours_url = f"http://127.0.0.1:{ours}{figures.url}"
                warm(ours_url, 4 * args.workers)  # every server worker caches its own answers
                mine = run_wrk(ours_url, our_pid, args)
                theirs_ = run_wrk(f"http://127.0.0.1:{theirs}/query", their_pid, args,
                                  post=paged(figures.sparql, DEFAULT_LIMIT))  # fmt: skip
                for side, measured in (("skillsgap", mine), ("oxigraph", theirs_)):
                    if isinstance(measured, str):
                        figures.wrk_note += f"{side} {measured}; "
                    else:
                        setattr(figures, f"wrk_{side}", measured)
                print(f"   {figures.slug}: {figures.wrk_note or 'ok'}", flush=True)
    return {"name": name, "store": str(root), "quads": triples, "queries": results}


def with_synthetic(root: Path, work: Path, triples: int) -> Path:
    """A copy of the store (its live version) with the synthetic set loaded as one more graph."""
    version = stores.current_version(root)
    assert version is not None
    bigger = work / "store-synthetic"
    bigger.mkdir()
    for entry in root.iterdir():
        if entry.name == stores.VERSIONS:
            shutil.copytree(entry / version, bigger / stores.VERSIONS / version)
        elif entry.is_file() and entry.name != stores.LOCK:
            shutil.copy2(entry, bigger / entry.name)
    data = work / "synthetic.nt"
    count = synthetic_ntriples(data, triples)
    print(f"loading {count:,} synthetic triples into a copy of the store ...", flush=True)
    subprocess.run(SKILLSGAP + ["load", "--file", str(data), "--store", str(bigger)],
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip
    data.unlink()
    return bigger


def print_table(size: dict[str, Any]) -> None:
    print(f"\n{size['name']} ({size['quads']:,} quads)")
    print(f"{'query':<33}{'rows':>5}{'direct ms':>10}{'bind/dir':>9}{'cold/dir':>9}{'-bind':>7}"
          f"{'1st/dir1':>9}{'cached/dir':>11}{'rps s/o':>8}{'cpu s/o':>8}"
          "  req/s skillsgap / oxigraph")  # fmt: skip
    for figures in size["queries"]:
        if figures.error and math.isnan(figures.cold):
            print(f"{figures.slug:<33} ERROR {figures.error}")
            continue
        r = figures.ratios()
        rps = (
            f"{figures.wrk_skillsgap['rps']:>8.0f} / {figures.wrk_oxigraph['rps']:<8.0f}"
            if figures.wrk_skillsgap
            else ""
        )
        flag = " !" if r["cold/direct"] > 1.2 else ""
        print(f"{figures.slug:<33}{figures.rows:>5}{figures.direct:>10.2f}"
              f"{figures.bind / figures.direct:>9.2f}{r['cold/direct']:>9.2f}"
              f"{r['(cold-bind)/direct']:>7.2f}{r['first/direct-first']:>9.2f}"
              f"{r['cached/direct']:>11.3f}{r['rps skillsgap/oxigraph']:>8.2f}"
              f"{r['cpu per request skillsgap/oxigraph']:>8.2f}"
              f"  {rps}{flag}{'  (' + figures.error + ')' if figures.error else ''}"
              f"{'  (' + figures.wrk_note.rstrip('; ') + ')' if figures.wrk_note else ''}")  # fmt: skip
    measured = [f.ratios() for f in size["queries"] if not math.isnan(f.cold)]
    if measured:
        cold = statistics.median(r["cold/direct"] for r in measured)
        within = sum(r["cold/direct"] <= 1.2 for r in measured)
        print(
            f"median cold/direct {cold:.2f}; {within} of {len(measured)} queries within 1.2x",
            end="",
        )
        rates = [r["rps skillsgap/oxigraph"] for r in measured]
        rates = [ratio for ratio in rates if not math.isnan(ratio)]
        if rates:
            faster = sum(ratio > 1 for ratio in rates)
            print(f"; skillsgap cached faster than oxigraph for {faster} of {len(rates)}", end="")
        print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, required=True,
                        help="an existing skillsgap store holding the bundled data (read only)")  # fmt: skip
    parser.add_argument("--triples", type=int, default=1_000_000,
                        help="synthetic triples of the second size (0: bundled data only)")  # fmt: skip
    parser.add_argument("--samples", type=int, default=7, help="cold requests per query")
    parser.add_argument("--repeats", type=int, default=20, help="cached requests per query")
    parser.add_argument("--seconds", type=int, default=10, help="wrk seconds (0: skip wrk)")
    parser.add_argument("--connections", type=int, default=4, help="wrk connections")
    parser.add_argument("--workers", type=int, default=2, help="skillsgap serve --workers")
    parser.add_argument("--query-timeout", type=float, default=300,
                        help="skillsgap serve --query-timeout (seconds; its default is 30)")  # fmt: skip
    parser.add_argument("--wrk-max-ms", type=float, default=1000,
                        help="no wrk for a query whose direct run takes longer")  # fmt: skip
    parser.add_argument("--only", default="", help="comma-separated slugs (default: all)")
    parser.add_argument("--output", type=Path, default=Path("benchmarks/out/canned.json"))
    args = parser.parse_args()
    if shutil.which("oxigraph") is None or (args.seconds > 0 and shutil.which("wrk") is None):
        raise SystemExit("needs the oxigraph CLI (pip install -e '.[bench]') and wrk (apt)")
    catalog = load_catalog()
    if args.only:
        wanted = {slug.strip() for slug in args.only.split(",")}
        if wanted - set(catalog):
            raise SystemExit(f"no canned query named {', '.join(sorted(wanted - set(catalog)))}")
        catalog = {slug: query for slug, query in catalog.items() if slug in wanted}
    sizes = []
    with tempfile.TemporaryDirectory(prefix="skillsgap-canned-") as tmp:
        work = args.work = Path(tmp)
        sizes.append(measure_size("bundled data", args.store.resolve(), work, catalog, args))
        if args.triples > 0:
            bigger = with_synthetic(args.store.resolve(), work, args.triples)
            name = f"bundled + {args.triples:,} synthetic triples"
            sizes.append(measure_size(name, bigger, work, catalog, args))
    print(LEGEND + f"  wrk: {args.connections} connections, {args.seconds} s; skillsgap serve "
          f"--workers {args.workers}.")  # fmt: skip
    for size in sizes:
        print_table(size)
    if len(sizes) == 2:
        print(f"\nNote: {SYNTHETIC_NOTE}.")
        digests = [{f.slug: f.answer_digest for f in size["queries"]} for size in sizes]
        changed = sorted(slug for slug in digests[0] if digests[0][slug] != digests[1].get(slug))
        expected = {slug for slug in changed if slug in LISTS_LOADS}
        if expected:
            print(f"{', '.join(sorted(expected))}: one row more at the second size, as expected "
                  "(it lists the loads, and the synthetic graph was loaded)")  # fmt: skip
        unexpected = [slug for slug in changed if slug not in expected]
        print("answers DIFFER at the two sizes: " + ", ".join(unexpected) if unexpected
              else "every other answer is identical at both sizes")  # fmt: skip
    args.output.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "settings": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "note": SYNTHETIC_NOTE,
        "sizes": [
            size | {"queries": [asdict(f) | {"ratios": f.ratios()} for f in size["queries"]]}
            for size in sizes
        ],
    }
    args.output.write_text(json.dumps(document, indent=2, allow_nan=True) + "\n")
    print(f"figures written to {args.output}")


if __name__ == "__main__":
    main()
