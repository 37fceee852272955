"""Measure the job-title coder: agreement with hand-checked SOC 2020 codes, build time, latency.

    python benchmarks/coder_accuracy.py              # top-1/top-3 on the hand-checked sample
    python benchmarks/coder_accuracy.py --verbose    # ... and every standard with its answers
    python benchmarks/coder_accuracy.py --draw       # re-draw the sample from LARS (no codes)
    python benchmarks/coder_accuracy.py --holdout    # titles held out of the index (tuning proxy)

The sample and how it was checked: tests/data/coder/SOURCE.md.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from skillsgap import coder, resources
from skillsgap.loaders._coding_index import coder_entries

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "tests" / "data" / "coder"
CHECKED = SAMPLES / "standards-hand-checked.csv"
DEVELOPMENT = SAMPLES / "standards-dev.csv"
SAMPLE_SIZE = 60
SAMPLE_SEED = 2020
STRATUM = "SectorSubjectAreaTier1"


def bundled(slug: str) -> Path:
    """The folder of a bundled source."""
    return Path(str(resources.bundled_data())) / slug


def draw_sample(standards: Path, size: int = SAMPLE_SIZE, seed: int = SAMPLE_SEED) -> list[dict]:
    """LARS standards drawn at random within each sector subject area, in proportion to it."""
    with standards.open(encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    strata: dict[str, list[dict]] = defaultdict(list)
    for row in rows:
        strata[row[STRATUM]].append(row)
    rng = random.Random(seed)
    sample = []
    for tier in sorted(strata, key=float):
        members = sorted(strata[tier], key=lambda row: int(row["StandardCode"]))
        sample += rng.sample(members, max(1, round(len(members) * size / len(rows))))
    return sorted(sample, key=lambda row: int(row["StandardCode"]))


def read_checked(path: Path) -> list[tuple[str, frozenset[str]]]:
    """The (standard name, accepted codes) pairs of a hand-checked sample file."""
    with path.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    return [(row["StandardName"], frozenset(row["AcceptedSOC2020"].split(";"))) for row in rows]


def timed(function, repeats: int) -> tuple[float, object]:
    """The fastest wall time of ``repeats`` calls (the machine is shared) and the last result."""
    best, result = float("inf"), None
    for _ in range(repeats):
        started = time.perf_counter()
        result = function()
        best = min(best, time.perf_counter() - started)
    return best, result


def report_agreement(name: str, coder_: coder.Coder, cases: list, verbose: bool) -> None:
    """Print top-1 and top-3 agreement on one checked sample (and each case if verbose)."""
    top1 = coder.agreement(coder_, cases, 1)
    top3 = coder.agreement(coder_, cases, 3)
    print(f"{name}: n={len(cases)} top-1 {top1:.1%} ({round(top1 * len(cases))})", end=" ")
    print(f"top-3 {top3:.1%} ({round(top3 * len(cases))})")
    if verbose:
        for title, accepted in cases:
            matches = coder_.search(title, 3)
            mark = "1" if matches and matches[0].code in accepted else "3"
            mark = mark if any(m.code in accepted for m in matches) else "-"
            answers = " | ".join(f"{m.code} {m.score:.2f} {m.matched_title}" for m in matches)
            print(f"  {mark} {title[:50]:50} {';'.join(sorted(accepted)):15} {answers}")


def report_latency(coder_: coder.Coder, titles: Sequence[str]) -> None:
    """Print the median, 95th percentile and slowest query time over ``titles``."""
    times = [timed(lambda t=title: coder_.search(t, 10), 3)[0] * 1000 for title in titles]
    times.sort()
    p95 = times[int(0.95 * (len(times) - 1))]
    print(f"query: median {statistics.median(times):.2f} ms, p95 {p95:.2f} ms,", end=" ")
    print(f"max {times[-1]:.2f} ms over {len(times)} titles")


def holdout(entries: list[tuple[str, str, str]], count: int = 1500, seed: int = 11) -> None:
    """Agreement on coding-index titles of 2+ words held out of the index with all their codes."""
    by_title: dict[str, list[int]] = defaultdict(list)
    for number, (title, _, kind) in enumerate(entries):
        key = coder.parse(title).key
        if kind == coder.INDEX_TITLE and " " in key:
            by_title[key].append(number)
    chosen = random.Random(seed).sample(sorted(by_title), count)
    held = {number for key in chosen for number in by_title[key]}
    trained = coder.Coder(entry for n, entry in enumerate(entries) if n not in held)
    cases = [
        (
            entries[by_title[key][0]][0].split(" (")[0],
            frozenset(entries[n][1] for n in by_title[key]),
        )
        for key in chosen
    ]
    report_agreement("held-out index titles", trained, cases, verbose=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draw", action="store_true", help="print the drawn sample as CSV")
    parser.add_argument("--verbose", action="store_true", help="print every standard's answers")
    parser.add_argument("--holdout", action="store_true", help="also run the held-out titles")
    args = parser.parse_args()
    if args.draw:
        writer = csv.writer(sys.stdout)
        writer.writerow(["StandardCode", "Version", "StandardName", "Level", STRATUM])
        for row in draw_sample(bundled("dfe-lars") / "Standard.csv"):
            level = row["NotionalEndLevel"]
            writer.writerow(
                [row["StandardCode"], row["Version"], row["StandardName"], level, row[STRATUM]]
            )
        return
    read_seconds, entries = timed(lambda: coder_entries(bundled("ons-soc2020")), 1)
    build_seconds, built = timed(lambda: coder.Coder(entries), 3)
    assert isinstance(built, coder.Coder) and isinstance(entries, list)
    print(f"entries: {len(entries)} (workbooks read in {read_seconds:.2f} s)")
    print(f"index build: {build_seconds:.2f} s (fastest of 3)")
    checked = read_checked(CHECKED)
    report_latency(built, [title for title, _ in checked] + [title for title, *_ in entries[:200]])
    report_agreement("hand-checked sample", built, checked, args.verbose)
    report_agreement("development sample", built, read_checked(DEVELOPMENT), args.verbose)
    if args.holdout:
        holdout(entries)


if __name__ == "__main__":
    main()
