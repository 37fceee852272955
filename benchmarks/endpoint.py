"""HTTP benchmark: `skillsgap serve` against `oxigraph serve-read-only` on a copy of the same store.

Measured in one run with wrk (Debian package `wrk`): a small SELECT at 1 and 8 connections, a
heavy join, and a 5,000-row result. Prints req/s, p50 and p99 for both and their ratios, and the
CPU time each server (with its child processes) spent per request, which a busy machine
disturbs less than throughput.

skillsgap caches small answers until the next load, so each case runs twice: "repeated" sends
the same query every time (after the first, cache hits), "distinct" changes a LIMIT or OFFSET
in every request and ends each wrk run's queries with a comment naming the run (a wrk Lua
script), so no answer is ever served from the cache, not even one cached by an earlier round.

The machine this runs on is shared and its speed drifts: each case is warmed up, then measured in
several rounds that alternate which server goes first, and the medians are reported.
"""

from __future__ import annotations

import argparse
import itertools
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

PREFIXES = (
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
    "PREFIX sg: <https://w3id.org/skillsgap/def/> "
)
# Each query has a number {n} that "distinct" runs change per request without changing the
# work: a LIMIT far above the result's size, or a small OFFSET into 5,000 rows of many more.
QUERIES = {
    "small": (PREFIXES + "SELECT ?label WHERE { <https://w3id.org/skillsgap/id/soc2020/2136> "
              "skos:prefLabel ?label } LIMIT {n}", 1_000_000),
    "heavy-join": (PREFIXES + "SELECT ?major (COUNT(?entry) AS ?titles) WHERE { "
                   "?entry sg:soc2020 ?unit . ?unit skos:broader/skos:broader/skos:broader ?major } "
                   "GROUP BY ?major ORDER BY ?major LIMIT {n}", 1_000_000),
    "rows-5000": (PREFIXES + "SELECT ?entry ?title WHERE { ?entry a sg:CodingIndexEntry ; "
                  "<http://www.w3.org/2000/01/rdf-schema#label> ?title } LIMIT 5000 OFFSET {n}", 0),
}  # fmt: skip
CASES = [
    ("small", "repeated", 1),
    ("small", "repeated", 8),
    ("small", "distinct", 1),
    ("small", "distinct", 8),
    ("heavy-join", "repeated", 2),
    ("heavy-join", "distinct", 2),
    ("rows-5000", "repeated", 2),
    ("rows-5000", "distinct", 2),
]
RUNS = itertools.count(1)  # numbers the wrk runs of "distinct" cases
# wrk runs this in each of its threads: every request of a run gets a number no other request of
# the run has had, and the run's own comment.
DISTINCT_LUA = """
local threads = 0
function setup(thread)
  thread:set("id", threads)
  threads = threads + 1
end
local sent = 0
function request()
  sent = sent + 1
  local n = string.format("%d", BASE + sent * 16 + id)
  return wrk.format(nil, PREFIX .. n .. SUFFIX .. RUN)
end
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(url: str) -> None:
    for _ in range(300):
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"server at {url} did not start")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and its descendants, from /proc (Linux)."""
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            stats[int(entry.name)] = (int(fields[1]), int(fields[11]) + int(fields[12]))
    family, total = {pid}, 0
    for _ in range(4):  # the supervisor, its workers, and any process below them
        family |= {child for child, (parent, _) in stats.items() if parent in family}
    total = sum(stats[member][1] for member in family if member in stats)
    return total / os.sysconf("SC_CLK_TCK")


def query_url(endpoint: str, name: str, n: int) -> str:
    text, _base = QUERIES[name]
    return endpoint + "?query=" + urllib.parse.quote(text.replace("{n}", str(n)))


def distinct_script(endpoint: str, name: str, folder: Path) -> Path:
    """A wrk script sending ``name`` with a different {n} in every request, and a comment that
    differs from every other run's: each wrk run starts counting {n} afresh."""
    text, base = QUERIES[name]
    prefix, suffix = (urllib.parse.quote(part) for part in text.split("{n}"))
    path = urllib.parse.urlsplit(endpoint).path + "?query="
    run = next(RUNS)
    comment = urllib.parse.quote(f"\n# run {run}")
    script = folder / f"{name}-{run}.lua"
    script.write_text(f"BASE = {base}\nPREFIX = {path + prefix!r}\nSUFFIX = {suffix!r}\n"
                      f"RUN = {comment!r}\n" + DISTINCT_LUA)  # fmt: skip
    return script


def measure(
    endpoint: str, pid: int, name: str, mode: str, connections: int, seconds: int, folder: Path
) -> dict[str, float]:
    """One wrk run of a case against one server."""
    script = distinct_script(endpoint, name, folder) if mode == "distinct" else None
    return wrk(query_url(endpoint, name, QUERIES[name][1]), connections, seconds, pid, script)


def wrk(
    url: str, connections: int, seconds: int, pid: int, script: Path | None = None
) -> dict[str, float]:
    """req/s, p50 and p99 (ms), and CPU ms per request of server ``pid``, from one wrk run."""
    before = cpu_seconds(pid)
    command = ["wrk", "-t", str(min(connections, 2)), "-c", str(connections), "-d", f"{seconds}s",
               "--latency", "--timeout", "60s", "-H", "Accept: application/sparql-results+json"]  # fmt: skip
    command += ["-s", str(script), url] if script else [url]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    used = cpu_seconds(pid) - before
    if re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        raise SystemExit(f"errors answering {url}:\n{output}")
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    return {
        "cpu": 1000 * used / requests if requests else float("nan"),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),  # type: ignore[union-attr]
        "p50": _millis(re.search(r"50%\s+([\d.]+\w+)", output).group(1)),  # type: ignore[union-attr]
        "p99": _millis(re.search(r"99%\s+([\d.]+\w+)", output).group(1)),  # type: ignore[union-attr]
    }


def _millis(text: str) -> float:
    value, unit = re.match(r"([\d.]+)(\w+)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--store", type=Path, help="an existing skillsgap store (default: load --all)"
    )
    parser.add_argument("--workers", type=int, default=2, help="skillsgap serve --workers")
    parser.add_argument(
        "--query-workers", type=int, default=None, help="skillsgap serve --query-workers"
    )
    parser.add_argument("--seconds", type=int, default=10, help="length of each wrk run")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="runs of each case per server, alternating; medians are reported",
    )
    parser.add_argument("--warmup", type=int, default=2, help="seconds of wrk before each case")
    parser.add_argument(
        "--only", default="", help="comma-separated cases to run, e.g. small,heavy-join"
    )
    args = parser.parse_args()
    for tool in ("oxigraph", "wrk"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is not on PATH: pip install oxigraph; apt-get install wrk")
    skillsgap = [sys.executable, "-m", "skillsgap.cli"]
    with tempfile.TemporaryDirectory(prefix="skillsgap-http-") as tmp:
        store = args.store or Path(tmp) / "store"
        if not args.store:
            subprocess.run(skillsgap + ["load", "--all", "--store", str(store)], check=True)
        version = (store / "CURRENT").read_text().strip()
        copy = Path(tmp) / "oxigraph-copy"
        shutil.copytree(store / "versions" / version, copy)
        ours, theirs = free_port(), free_port()
        serve = [
            "serve",
            "--store",
            str(store),
            "--port",
            str(ours),
            "--workers",
            str(args.workers),
        ]
        if args.query_workers:
            serve += ["--query-workers", str(args.query_workers)]
        servers = [
            subprocess.Popen(skillsgap + serve,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
            subprocess.Popen(["oxigraph", "serve-read-only", "--location", str(copy), "--bind",
                              f"127.0.0.1:{theirs}", "--union-default-graph"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL),
        ]  # fmt: skip
        try:
            run_cases(f"http://127.0.0.1:{ours}/sparql", f"http://127.0.0.1:{theirs}/query", args,
                      (servers[0].pid, servers[1].pid), Path(tmp))  # fmt: skip
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=15)


def run_cases(
    ours: str, theirs: str, args: argparse.Namespace, pids: tuple[int, int], folder: Path
) -> None:
    wait_for(query_url(ours, "small", 1))
    wait_for(query_url(theirs, "small", 1))
    header = f"{'case':<12}{'mode':<10}{'conns':>5}  {'skillsgap rps':>14}{'oxigraph rps':>14}"
    print(header + f"{'ratio':>9} {'(rounds)':>10}  {'p50 ms (s/o)':>16}  {'p99 ms (s/o)':>16}  "
          f"{'CPU ms/req (s/o)':>18}")  # fmt: skip
    chosen = {case for case in args.only.split(",") if case}
    for name, mode, connections in CASES:
        if chosen and name not in chosen and f"{name}:{mode}" not in chosen:
            continue
        servers = list(zip((ours, theirs), pids, strict=True))
        for endpoint, pid in servers:
            measure(endpoint, pid, name, mode, connections, args.warmup, folder)  # warm caches
        rounds: list[tuple[dict[str, float], dict[str, float]]] = []
        for number in range(args.rounds):
            # The machine's speed drifts: alternate which server goes first.
            order = (0, 1) if number % 2 == 0 else (1, 0)
            measured = {i: measure(*servers[i], name, mode, connections, args.seconds, folder)
                        for i in order}  # fmt: skip
            rounds.append((measured[0], measured[1]))
        mine = {k: statistics.median(r[0][k] for r in rounds) for k in rounds[0][0]}
        peer = {k: statistics.median(r[1][k] for r in rounds) for k in rounds[0][1]}
        ratios = sorted(r[0]["rps"] / r[1]["rps"] for r in rounds if r[1]["rps"])
        ratio = statistics.median(ratios) if ratios else float("nan")
        spread = f"{ratios[0]:.2f}-{ratios[-1]:.2f}" if ratios else ""
        print(f"{name:<12}{mode:<10}{connections:>5}  {mine['rps']:>14.1f}{peer['rps']:>14.1f}"
              f"{ratio:>9.2f} {spread:>10}  {mine['p50']:>7.2f}/{peer['p50']:<8.2f}"
              f"  {mine['p99']:>7.2f}/{peer['p99']:<8.2f}"
              f"  {mine['cpu']:>8.3f}/{peer['cpu']:<9.3f}")  # fmt: skip
    print(f"\nskillsgap serve --workers {args.workers} --query-workers {args.query_workers or 'default'}; ratio = skillsgap req/s / oxigraph req/s "
          "(targets: heavy queries >= 0.91, i.e. within 1.1x; small queries >= 0.5)\n"
          f"figures are medians of {args.rounds} alternating rounds of {args.seconds} s after "
          f"{args.warmup} s of warm-up; (rounds) is the range of the rounds' ratios\n"
          "repeated: the same query each time (skillsgap answers from its cache after the first); "
          "distinct: a new LIMIT/OFFSET each request and a comment new to each run, never cached")  # fmt: skip


if __name__ == "__main__":
    main()
