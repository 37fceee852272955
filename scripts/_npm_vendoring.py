"""What the vendoring scripts share: install a pinned npm package, compare, and the CLI."""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path


def npm_install(workdir: Path, package: str, version: str) -> Path:
    """Install the pinned package and its production dependencies; return its folder."""
    (workdir / "package.json").write_text('{"private": true}\n', encoding="utf-8")
    command = ["npm", "install", "--ignore-scripts", "--omit=dev", "--no-audit", "--no-fund"]
    subprocess.run([*command, f"{package}@{version}"], cwd=workdir, check=True)
    return workdir / "node_modules" / package


def integrity(workdir: Path, package: str) -> str:
    """The registry's integrity digest of the installed tarball, from npm's lock file."""
    lock = json.loads((workdir / "package-lock.json").read_text(encoding="utf-8"))
    return str(lock["packages"][f"node_modules/{package}"]["integrity"])


def differences(left: Path, right: Path, names: Iterable[str]) -> list[str]:
    """Names of the pinned files that differ between two folders."""
    return sorted(
        n
        for n in names
        if not (left / n).is_file()
        or not (right / n).is_file()
        or (left / n).read_bytes() != (right / n).read_bytes()
    )


def main(
    description: str,
    build: Callable[[Path], None],
    target: Path,
    pinned: Iterable[str],
    label: str,
) -> int:
    """Vendor into ``target``, or with --check compare a fresh copy with the vendored one."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    if not parser.parse_args().check:
        if target.exists():
            shutil.rmtree(target)
        build(target)
        print(f"vendored {label} into {target}")
        return 0
    with tempfile.TemporaryDirectory(prefix="vendor-check-") as tmp:
        build(Path(tmp))
        changed = differences(Path(tmp), target, pinned)
    print("vendored files match" if not changed else f"differ: {', '.join(changed)}")
    return 1 if changed else 0
