#!/usr/bin/env python3
"""Vendor the YASGUI browser bundle from the npm registry into server/static/yasgui/.

Run from the repository root, with Node.js and npm on the PATH:

    python scripts/vendor_yasgui.py              # the pinned version below
    python scripts/vendor_yasgui.py --check      # fail if the bundle differs from a fresh copy

It installs the pinned package with its production dependencies into a temporary folder
(`npm install --ignore-scripts`), copies only the built browser bundle (yasgui.min.js and
yasgui.min.css), writes the package's licence and the licences of the dependencies the bundle
was built from, and records versions and SHA-256 digests in VENDORED.md. Nothing is fetched
at run time: the server serves these files itself. The output depends only on the pinned
version, so running it twice gives the same files.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import tempfile
from pathlib import Path

import _npm_vendoring as vendoring  # beside this script

PACKAGE = "@zazuko/yasgui"
VERSION = "4.6.2"
ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "server" / "static" / "yasgui"
BUNDLE = ("yasgui.min.js", "yasgui.min.css")
# Fixed by the pinned version alone; THIRD-PARTY-LICENSES.txt and VENDORED.md also reflect the
# dependency versions npm resolves on the day, so --check compares only these.
PINNED = (*BUNDLE, "LICENSE")
# The 3.6 MB source map is not vendored, so drop the comment that would make devtools ask for it.
SOURCE_MAP = re.compile(r"\n//# sourceMappingURL=\S+\s*$")
MIT = """\
MIT License

Copyright (c) {holders}

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
"""


def licence_files(folder: Path) -> list[Path]:
    """The licence files a package ships at its top level, by name."""
    pattern = re.compile(r"^(licen[cs]e|copying)(\..*)?$", re.IGNORECASE)
    return sorted(p for p in folder.iterdir() if p.is_file() and pattern.match(p.name))


def people(meta: dict[str, object]) -> list[str]:
    """The author and contributors named in a package.json, as plain names."""
    contributors = meta.get("contributors")
    found = [meta.get("author"), *(contributors if isinstance(contributors, list) else [])]
    names = [p.get("name") if isinstance(p, dict) else p for p in found]
    return [re.sub(r"\s*<[^>]*>", "", str(n)).strip() for n in names if n]


def package_licence(folder: Path, meta: dict[str, object]) -> tuple[str, str]:
    """The licence text for the package, and a note on where it came from."""
    shipped = licence_files(folder)
    if shipped:
        return shipped[0].read_text(encoding="utf-8"), f"the package's own `{shipped[0].name}`"
    if meta.get("license") != "MIT":
        sys.exit(f"{PACKAGE} ships no licence file and is not MIT; check it by hand")
    holders = " and ".join(people(meta))
    note = (
        "the package ships no licence file; its package.json declares `MIT`, so `LICENSE` is "
        f"the MIT text with the author and contributors its package.json names ({holders})"
    )
    return MIT.format(holders=holders), note


def declared_licence(meta: dict[str, object]) -> str:
    """The licence a package.json declares, in the current or the legacy ``licenses`` form."""
    legacy = meta.get("licenses")
    if "license" not in meta and isinstance(legacy, list) and legacy:
        return " OR ".join(
            str(entry.get("type", "?")) for entry in legacy if isinstance(entry, dict)
        )
    return str(meta.get("license", "see licence file")).strip("()")


def dependencies(workdir: Path) -> list[tuple[str, str, str, Path]]:
    """Every installed dependency (name, version, licence, folder), sorted by name."""
    found = []
    for manifest in sorted((workdir / "node_modules").glob("**/package.json")):
        folder = manifest.parent
        scoped = folder.parent.name.startswith("@") and folder.parent.parent.name == "node_modules"
        if folder.parent.name != "node_modules" and not scoped:
            continue  # a package.json inside a package, not a package of its own
        meta = json.loads(manifest.read_text(encoding="utf-8"))
        if "name" not in meta or "version" not in meta or meta["name"] == PACKAGE:
            continue
        found.append((meta["name"], meta["version"], declared_licence(meta), folder))
    return sorted(set(found), key=lambda d: (d[0], d[1]))


def third_party(deps: list[tuple[str, str, str, Path]]) -> str:
    """The licence texts of the dependencies, one section each."""
    parts = [f"Licences of the npm packages {PACKAGE} {VERSION} depends on at run time.\n"]
    for name, version, licence, folder in deps:
        texts = [f.read_text(encoding="utf-8", errors="replace") for f in licence_files(folder)]
        body = "\n".join(texts) or f"(no licence file shipped; package.json says {licence})\n"
        parts.append(f"{'=' * 78}\n{name} {version} ({licence})\n{'=' * 78}\n{body}")
    return "\n".join(parts)


def copy_bundle(package: Path, target: Path) -> None:
    """Copy the built browser bundle, minus its source-map comment."""
    for name in BUNDLE:
        text = (package / "build" / name).read_text(encoding="utf-8")
        (target / name).write_text(SOURCE_MAP.sub("\n", text), encoding="utf-8")


def vendored_md(
    digest: str, note: str, deps: list[tuple[str, str, str, Path]], target: Path
) -> str:
    """The record of what was vendored, from where, under which licences."""
    files = "\n".join(
        f"| `{p.name}` | {p.stat().st_size:,} | `{hashlib.sha256(p.read_bytes()).hexdigest()}` |"
        for p in sorted(target.iterdir())
        if p.name != "VENDORED.md"
    )
    licences = sorted({d[2] for d in deps})
    return f"""# Vendored: {PACKAGE} {VERSION}

The SPARQL editor and result viewer of the query page at `/` (YASGUI: YASQE + YASR, with
CodeMirror 5). Served by the app from this folder; no CDN or other network at run time.

| | |
| --- | --- |
| package | [`{PACKAGE}`](https://github.com/rdfjs/Yasgui) (npm registry) |
| version | {VERSION} |
| tarball integrity | `{digest}` |
| licence | MIT: {note} |
| dependencies bundled in it | licences in `THIRD-PARTY-LICENSES.txt`: {"; ".join(licences)} |

Regenerate (Node.js and npm needed; the version is pinned in the script):

```sh
python scripts/vendor_yasgui.py          # rewrite this folder
python scripts/vendor_yasgui.py --check  # exit 1 if the bundle or LICENSE differ from a fresh copy
```

Only the browser bundle is kept: `build/yasgui.min.js` (UMD, defines `window.Yasgui`) and
`build/yasgui.min.css`. The trailing `sourceMappingURL` comment is removed from the script,
since the source map is not vendored. `THIRD-PARTY-LICENSES.txt` holds the licence files of the
package's run-time dependency tree as npm resolved it when this folder was written (a superset
of what the bundle contains). To upgrade, change `VERSION` in the script, run it,
and run `pytest tests/test_query_page.py`.

| file | bytes | SHA-256 |
| --- | ---: | --- |
{files}
"""


def build(target: Path) -> None:
    """Install, copy and record into ``target``."""
    with tempfile.TemporaryDirectory(prefix="vendor-yasgui-") as tmp:
        workdir = Path(tmp)
        package = vendoring.npm_install(workdir, PACKAGE, VERSION)
        meta = json.loads((package / "package.json").read_text(encoding="utf-8"))
        if meta["version"] != VERSION:
            sys.exit(f"npm installed {meta['version']}, not {VERSION}")
        deps = dependencies(workdir)
        text, note = package_licence(package, meta)
        target.mkdir(parents=True, exist_ok=True)
        copy_bundle(package, target)
        (target / "LICENSE").write_text(text, encoding="utf-8")
        (target / "THIRD-PARTY-LICENSES.txt").write_text(third_party(deps), encoding="utf-8")
        record = vendored_md(vendoring.integrity(workdir, PACKAGE), note, deps, target)
        (target / "VENDORED.md").write_text(record, encoding="utf-8")


def main() -> int:
    """Vendor the bundle, or with --check compare a fresh copy with the vendored one."""
    return vendoring.main(__doc__.splitlines()[0], build, TARGET, PINNED, f"{PACKAGE} {VERSION}")


if __name__ == "__main__":
    sys.exit(main())
