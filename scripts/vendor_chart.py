#!/usr/bin/env python3
"""Vendor the Chart.js browser bundle from the npm registry into server/static/chart/.

Run from the repository root, with Node.js and npm on the PATH:

    python scripts/vendor_chart.py              # the pinned version below
    python scripts/vendor_chart.py --check      # fail if the bundle differs from a fresh copy

It installs the pinned package with its production dependencies into a temporary folder
(`npm install --ignore-scripts`), copies only the minified UMD bundle (chart.umd.min.js, which
defines `window.Chart` and has its one dependency, @kurkle/color, built in), the package's
licence and the dependency's licence, and records versions and SHA-256 digests in VENDORED.md.
The canned-query pages draw their charts with it; nothing is fetched at run time. The output
depends only on the pinned version, so running it twice gives the same files.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PACKAGE = "chart.js"
VERSION = "4.6.1"
ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "server" / "static" / "chart"
BUNDLE = "chart.umd.min.js"
# The source map is not vendored, so drop the comment that would make devtools ask for it.
SOURCE_MAP = re.compile(r"\n//# sourceMappingURL=\S+\s*$")
LICENCE = re.compile(r"^(licen[cs]e|copying)(\..*)?$", re.IGNORECASE)


def npm_install(workdir: Path) -> Path:
    """Install the pinned package and its production dependencies; return its folder."""
    (workdir / "package.json").write_text('{"private": true}\n', encoding="utf-8")
    command = ["npm", "install", "--ignore-scripts", "--omit=dev", "--no-audit", "--no-fund"]
    subprocess.run([*command, f"{PACKAGE}@{VERSION}"], cwd=workdir, check=True)
    return workdir / "node_modules" / PACKAGE


def read_json(path: Path) -> dict[str, object]:
    """A JSON object from a file."""
    value = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(value, dict), path
    return value


def integrity(workdir: Path) -> str:
    """The registry's integrity digest of the installed tarball, from npm's lock file."""
    lock = read_json(workdir / "package-lock.json")
    packages = lock["packages"]
    assert isinstance(packages, dict)
    return str(packages[f"node_modules/{PACKAGE}"]["integrity"])


def licence_text(folder: Path) -> str:
    """The text of the licence file a package ships at its top level."""
    found = sorted(p for p in folder.iterdir() if p.is_file() and LICENCE.match(p.name))
    if not found:
        sys.exit(f"{folder.name} ships no licence file; check it by hand")
    return found[0].read_text(encoding="utf-8")


def dependencies(workdir: Path) -> list[tuple[str, str, str, Path]]:
    """Every installed dependency (name, version, licence, folder), sorted by name."""
    found = []
    for manifest in sorted((workdir / "node_modules").glob("**/package.json")):
        folder = manifest.parent
        scoped = folder.parent.name.startswith("@") and folder.parent.parent.name == "node_modules"
        if folder.parent.name != "node_modules" and not scoped:
            continue  # a package.json inside a package, not a package of its own
        meta = read_json(manifest)
        if "name" not in meta or "version" not in meta or meta["name"] == PACKAGE:
            continue
        found.append((str(meta["name"]), str(meta["version"]), str(meta.get("license")), folder))
    return sorted(found, key=lambda d: (d[0], d[1]))


def third_party(deps: list[tuple[str, str, str, Path]]) -> str:
    """The licence texts of the dependencies built into the bundle, one section each."""
    parts = [f"Licences of the npm packages {PACKAGE} {VERSION} bundles in {BUNDLE}.\n"]
    for name, version, licence, folder in deps:
        parts.append(f"{'=' * 78}\n{name} {version} ({licence})\n{'=' * 78}\n")
        parts.append(licence_text(folder))
    return "\n".join(parts)


def vendored_md(digest: str, deps: list[tuple[str, str, str, Path]], target: Path) -> str:
    """The record of what was vendored, from where, under which licences."""
    files = "\n".join(
        f"| `{p.name}` | {p.stat().st_size:,} | `{hashlib.sha256(p.read_bytes()).hexdigest()}` |"
        for p in sorted(target.iterdir())
        if p.name != "VENDORED.md"
    )
    bundled = "; ".join(f"`{name}` {version} ({licence})" for name, version, licence, _ in deps)
    return f"""# Vendored: {PACKAGE} {VERSION}

The charts of the canned-query pages (`/queries/<slug>` for queries with a `# chart:` header
field). Served by the app from this folder; no CDN or other network at run time.

| | |
| --- | --- |
| package | [`{PACKAGE}`](https://github.com/chartjs/Chart.js) (npm registry) |
| version | {VERSION} |
| tarball integrity | `{digest}` |
| licence | MIT: the package's own `LICENSE.md`, copied as `LICENSE` |
| dependencies bundled in it | {bundled}; licences in `THIRD-PARTY-LICENSES.txt` |

Regenerate (Node.js and npm needed; the version is pinned in the script):

```sh
python scripts/vendor_chart.py          # rewrite this folder
python scripts/vendor_chart.py --check  # exit 1 if the bundle or LICENSE differ from a fresh copy
```

Only `dist/{BUNDLE}` is kept (UMD, defines `window.Chart`, all controllers and scales
registered). The trailing `sourceMappingURL` comment is removed, since the source map is not
vendored. To upgrade, change `VERSION` in the script, run it, and run
`pytest tests/test_query_pages.py`.

| file | bytes | SHA-256 |
| --- | ---: | --- |
{files}
"""


def build(target: Path) -> None:
    """Install, copy and record into ``target``."""
    with tempfile.TemporaryDirectory(prefix="vendor-chart-") as tmp:
        workdir = Path(tmp)
        package = npm_install(workdir)
        meta = read_json(package / "package.json")
        if meta["version"] != VERSION or meta.get("license") != "MIT":
            sys.exit(f"npm installed {meta['version']} ({meta.get('license')}), not {VERSION}")
        deps = dependencies(workdir)
        target.mkdir(parents=True, exist_ok=True)
        text = (package / "dist" / BUNDLE).read_text(encoding="utf-8")
        (target / BUNDLE).write_text(SOURCE_MAP.sub("\n", text), encoding="utf-8")
        (target / "LICENSE").write_text(licence_text(package), encoding="utf-8")
        (target / "THIRD-PARTY-LICENSES.txt").write_text(third_party(deps), encoding="utf-8")
        record = vendored_md(integrity(workdir), deps, target)
        (target / "VENDORED.md").write_text(record, encoding="utf-8")


def differences(left: Path, right: Path) -> list[str]:
    """Names of the version-pinned files that differ between two folders."""
    return sorted(
        n
        for n in (BUNDLE, "LICENSE")
        if not (left / n).is_file()
        or not (right / n).is_file()
        or (left / n).read_bytes() != (right / n).read_bytes()
    )


def main() -> int:
    """Vendor the bundle, or with --check compare a fresh copy with the vendored one."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args()
    if not args.check:
        if TARGET.exists():
            shutil.rmtree(TARGET)
        build(TARGET)
        print(f"vendored {PACKAGE} {VERSION} into {TARGET.relative_to(ROOT)}")
        return 0
    with tempfile.TemporaryDirectory(prefix="vendor-chart-check-") as tmp:
        build(Path(tmp))
        changed = differences(Path(tmp), TARGET)
    print("vendored files match" if not changed else f"differ: {', '.join(changed)}")
    return 1 if changed else 0


if __name__ == "__main__":
    sys.exit(main())
