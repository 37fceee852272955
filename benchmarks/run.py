"""Measure skillsgap loads against peers in the same run and print ratios (see README.md)."""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
BASE = "https://example.org/bench/"


def synthetic_ntriples(path: Path, triples: int) -> int:
    """SKOS like the SOC schemes: 4-level hierarchy, labels, notations, many alternative labels."""
    written = 0
    with path.open("w", encoding="utf-8") as out:
        scheme = f"<{BASE}scheme>"
        out.write(
            f'{scheme} <{RDF_TYPE}> <{SKOS}ConceptScheme> .\n{scheme} <{SKOS}prefLabel> "Bench"@en .\n'
        )
        written += 2
        number = 0
        while written < triples:
            number += 1
            concept = f"<{BASE}c{number}>"
            parent = f"<{BASE}c{number // 10}>" if number >= 10 else None
            lines = [
                f"{concept} <{RDF_TYPE}> <{SKOS}Concept> .",
                f'{concept} <{SKOS}prefLabel> "Occupation group {number}"@en .',
                f'{concept} <{SKOS}notation> "{number}" .',
                f"{concept} <{SKOS}inScheme> {scheme} .",
            ]
            if parent:
                lines.append(f"{concept} <{SKOS}broader> {parent} .")
            lines += [f'{concept} <{SKOS}altLabel> "job title {number}-{k}"@en .' for k in range(5)]
            out.write("\n".join(lines) + "\n")
            written += len(lines)
    return written


def measure(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and peak resident memory (GiB) of one command in its own process."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        err = process.stderr.read().decode() if process.stderr else ""
        raise SystemExit(f"benchmark command failed: {' '.join(command)}\n{err}")
    return seconds, usage.ru_maxrss / 1024 / 1024


PYSHACL_ONLY = """
import sys, pyshacl
from rdflib import Graph
from skillsgap import resources
shapes = Graph().parse(data=resources.shapes_text(), format="turtle")
data = Graph().parse(sys.argv[1], format="nt")
conforms, _, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none", advanced=True)
assert conforms
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--skip-pyshacl", action="store_true")
    parser.add_argument("--skip-bundled", action="store_true")
    args = parser.parse_args()
    skillsgap = [sys.executable, "-m", "skillsgap.cli"]
    oxigraph = shutil.which("oxigraph") or sys.exit(
        "the oxigraph CLI is missing: pip install -e '.[bench]'"
    )
    with tempfile.TemporaryDirectory(prefix="skillsgap-bench-") as tmp:
        work = Path(tmp)
        rows: list[tuple[str, float, float]] = []
        if not args.skip_bundled:
            rows.append(
                (
                    "(a) skillsgap load --all (bundled)",
                    *measure(skillsgap + ["load", "--all", "--store", str(work / "a")]),
                )
            )
        data = work / "synthetic.nt"
        count = synthetic_ntriples(data, args.triples)
        print(f"synthetic file: {count:,} triples, {data.stat().st_size / 2**20:.0f} MiB")
        bare = measure([oxigraph, "load", "--location", str(work / "bare"), "--file", str(data)])
        rows.append(("(b) oxigraph load (bare bulk load)", *bare))
        gated = measure(skillsgap + ["load", "--file", str(data), "--store", str(work / "gated")])
        rows.append(("(b) skillsgap load --file (gated, shacl)", *gated))
        if not args.skip_pyshacl:
            rows.append(
                (
                    "(b) pyshacl validation alone",
                    *measure([sys.executable, "-c", PYSHACL_ONLY, str(data)]),
                )
            )
    print(f"\n{'measurement':<44} {'seconds':>9} {'peak GiB':>9} {'x bare load':>12}")
    for name, seconds, peak in rows:
        print(f"{name:<44} {seconds:>9.2f} {peak:>9.2f} {seconds / bare[0]:>12.2f}")
    print(
        f"\ngated load / bare bulk load: {gated[0] / bare[0]:.2f}x (target <= 2x); "
        f"peak {gated[1]:.2f} GiB (target < 2 GiB)"
    )
    if not args.skip_pyshacl:
        print(f"pyshacl alone / gated load: {rows[-1][1] / gated[0]:.1f}x")


if __name__ == "__main__":
    main()
