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

import hashlib
import json
import re
import sys
import tempfile
from pathlib import Path

import _npm_vendoring as vendoring  # beside this script

PACKAGE = "chart.js"
VERSION = "4.6.1"
ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "server" / "static" / "chart"
BUNDLE = "chart.umd.min.js"
# The source map is not vendored, so drop the comment that would make devtools ask for it.
SOURCE_MAP = re.compile(r"\n//# sourceMappingURL=\S+\s*$")
LICENCE = re.compile(r"^(licen[cs]e|copying)(\..*)?$", re.IGNORECASE)


def read_json(path: Path) -> dict[str, object]:
    """A JSON object from a file."""
    value = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(value, dict), path
    return value


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
        package = vendoring.npm_install(workdir, PACKAGE, VERSION)
        meta = read_json(package / "package.json")
        if meta["version"] != VERSION or meta.get("license") != "MIT":
            sys.exit(f"npm installed {meta['version']} ({meta.get('license')}), not {VERSION}")
        deps = dependencies(workdir)
        target.mkdir(parents=True, exist_ok=True)
        text = (package / "dist" / BUNDLE).read_text(encoding="utf-8")
        (target / BUNDLE).write_text(SOURCE_MAP.sub("\n", text), encoding="utf-8")
        (target / "LICENSE").write_text(licence_text(package), encoding="utf-8")
        (target / "THIRD-PARTY-LICENSES.txt").write_text(third_party(deps), encoding="utf-8")
        record = vendored_md(vendoring.integrity(workdir, PACKAGE), deps, target)
        (target / "VENDORED.md").write_text(record, encoding="utf-8")


def main() -> int:
    """Vendor the bundle, or with --check compare a fresh copy with the vendored one."""
    return vendoring.main(
        __doc__.splitlines()[0], build, TARGET, (BUNDLE, "LICENSE"), f"{PACKAGE} {VERSION}"
    )


if __name__ == "__main__":
    sys.exit(main())
