"""HTTP benchmark: `skillsgap serve` against `oxigraph serve-read-only` on a copy of the same store.

Measured in one run with wrk (Debian package `wrk`): a small SELECT at 1 and 8 connections, a
heavy join, and a 5,000-row result. Prints req/s, p50 and p99 for both and their ratios, and the
CPU time each server (with its child processes) spent per request, which a busy machine
disturbs less than throughput.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
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
QUERIES = {
    "small": PREFIXES + "SELECT ?label WHERE { <https://w3id.org/skillsgap/id/soc2020/2136> "
    "skos:prefLabel ?label }",
    "heavy-join": PREFIXES + "SELECT ?major (COUNT(?entry) AS ?titles) WHERE { "
    "?entry sg:soc2020 ?unit . ?unit skos:broader/skos:broader/skos:broader ?major } "
    "GROUP BY ?major ORDER BY ?major",
    "rows-5000": PREFIXES + "SELECT ?entry ?title WHERE { ?entry a sg:CodingIndexEntry ; "
    "<http://www.w3.org/2000/01/rdf-schema#label> ?title } LIMIT 5000",
}
CASES = [("small", 1), ("small", 8), ("heavy-join", 2), ("rows-5000", 2)]


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
    for _ in range(4):  # server, its workers, their query workers
        family |= {child for child, (parent, _) in stats.items() if parent in family}
    total = sum(stats[member][1] for member in family if member in stats)
    return total / os.sysconf("SC_CLK_TCK")


def wrk(url: str, connections: int, seconds: int, pid: int) -> dict[str, float]:
    """req/s, p50 and p99 (ms), and CPU ms per request of server ``pid``, from one wrk run."""
    before = cpu_seconds(pid)
    command = ["wrk", "-t", str(min(connections, 2)), "-c", str(connections), "-d", f"{seconds}s",
               "--latency", "--timeout", "60s", "-H", "Accept: application/sparql-results+json", url]  # fmt: skip
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
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
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
                      (servers[0].pid, servers[1].pid))  # fmt: skip
        finally:
            for server in servers:
                server.terminate()
                server.wait(timeout=15)


def run_cases(ours: str, theirs: str, args: argparse.Namespace, pids: tuple[int, int]) -> None:
    urls = {name: "?query=" + urllib.parse.quote(q) for name, q in QUERIES.items()}
    wait_for(ours + urls["small"])
    wait_for(theirs + urls["small"])
    header = f"{'case':<16}{'conns':>6}  {'skillsgap rps':>14}{'oxigraph rps':>14}{'ratio':>7}"
    print(header + f"  {'p50 ms (s/o)':>16}  {'p99 ms (s/o)':>16}  {'CPU ms/req (s/o)':>18}")
    for name, connections in CASES:
        mine = wrk(ours + urls[name], connections, args.seconds, pids[0])
        peer = wrk(theirs + urls[name], connections, args.seconds, pids[1])
        ratio = mine["rps"] / peer["rps"] if peer["rps"] else float("nan")
        print(f"{name:<16}{connections:>6}  {mine['rps']:>14.1f}{peer['rps']:>14.1f}"
              f"{ratio:>7.2f}  {mine['p50']:>7.2f}/{peer['p50']:<8.2f}"
              f"  {mine['p99']:>7.2f}/{peer['p99']:<8.2f}"
              f"  {mine['cpu']:>8.3f}/{peer['cpu']:<9.3f}")  # fmt: skip
    print(f"\nskillsgap serve --workers {args.workers} --query-workers {args.query_workers or 'default'}; ratio = skillsgap req/s / oxigraph req/s "
          "(targets: heavy queries >= 0.91, i.e. within 1.1x; small queries >= 0.5)")  # fmt: skip


if __name__ == "__main__":
    main()
