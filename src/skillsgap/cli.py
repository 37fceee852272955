"""The ``skillsgap`` command: the only module that wires loaders, ingest, store and server together."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from dataclasses import fields
from functools import partial
from pathlib import Path
from typing import Any

import click

from skillsgap import __version__, gate, ingest, results, store
from skillsgap.coder import Coder
from skillsgap.config import Settings, setting_help
from skillsgap.errors import GateRejection, SkillsgapError, UsageError
from skillsgap.loaders import Source, ctdl_jsonld, occupation_mapping, source, sources
from skillsgap.loaders._coding_index import coder_for_folder
from skillsgap.resources import bundled_data


class _Group(click.Group):
    """Turns skillsgap errors into one clear line on stderr and the documented exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except GateRejection as exc:
            _print_report(exc.report, limit=20, stream=sys.stderr)
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except SkillsgapError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(exc.exit_code)


_CLICK_TYPES: dict[str, Any] = {
    "int": click.INT,
    "float": click.FLOAT,
    "Path": click.Path(path_type=Path),
    "Path | None": click.Path(path_type=Path),
}


def setting_options(*names: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Click options for settings, with help and choices taken from the settings table."""
    table = {f.name: f for f in fields(Settings)}

    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        for name in reversed(names):
            field = table[name]
            choices = field.metadata["choices"]
            env = "SKILLSGAP_" + name.upper()
            command = click.option(
                "--" + name.replace("_", "-"),
                name,
                type=click.Choice(choices) if choices else _CLICK_TYPES.get(str(field.type)),
                default=None,
                help=f"{field.metadata['help']} [env {env}; default {field.default}]",
            )(command)
        return command

    return decorate


def _settings(**overrides: Any) -> Settings:
    return Settings.from_sources(overrides)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="skillsgap")
def main() -> None:
    """skillsgap: UK training supply against labour-market demand, as linked data.

    Exit codes: 0 ok, 1 data rejected by the SHACL gate, 2 usage or input error.
    """


@main.command("sources")
@setting_options("store", "data_dir")
def sources_command(**options: Any) -> None:
    """List every source: slug, files, what it holds, and whether it is loaded."""
    settings = _settings(**options)
    loaded = _last_loads(settings)
    for slug, src in sources().items():
        state = loaded.get(slug)
        status = f"loaded {state['ended']} ({state['triples']} triples)" if state else "not loaded"
        click.echo(f"{slug}  [{status}]")
        click.echo(f"    {src.title}: {src.holds}")
        click.echo(f"    files: {', '.join(src.files)}")
        if src.depends_on:
            click.echo(f"    needs: {', '.join(src.depends_on)}")


@main.command("load")
@click.argument("slugs", nargs=-1)
@click.option("--all", "load_all", is_flag=True, help="Load every source, in dependency order.")
@click.option(
    "--file",
    "files",
    multiple=True,
    type=click.Path(path_type=Path),
    help="Load your own RDF file (Turtle, N-Triples, N-Quads, TriG, RDF/XML, JSON-LD) or an "
    "occupation mapping CSV (docs/occupation-mapping.md).",
)
@click.option("--graph", help="Named graph IRI for --file triples (default: graph/file/<name>).")
@setting_options("store", "data_dir", "engine", "keep_versions")
def load_command(
    slugs: tuple[str, ...],
    load_all: bool,
    files: tuple[Path, ...],
    graph: str | None,
    **options: Any,
) -> None:
    """Read sources (or RDF files), gate them with SHACL, and commit each all or nothing."""
    settings = _settings(**options)
    if not (slugs or load_all or files):
        raise UsageError("name sources to load (see `skillsgap sources`), or --all, or --file PATH")
    chosen = list(sources().values()) if load_all else [source(s) for s in slugs]
    for src in chosen:
        _commit(src.slug, settings, partial(ingest.read_source, src, _folder(src, settings)))
    for path in files:
        _commit(path.name, settings, lambda _tell, p=path: _read_file(p, graph))


@main.command("validate")
@click.argument("target")
@click.option(
    "--report",
    "report_path",
    type=click.Path(path_type=Path),
    help="Write the W3C report (Turtle) here, and a JSON summary beside it (.json).",
)
@click.option("--limit", default=50, show_default=True, help="Most results to print.")
@setting_options("store", "data_dir", "engine")
def validate_command(target: str, report_path: Path | None, limit: int, **options: Any) -> None:
    """Run the gate on a source slug or an RDF file without committing; print the report."""
    settings = _settings(**options)
    path = Path(target)
    if target in sources():
        src = source(target)
        candidate = ingest.read_source(src, _folder(src, settings))
    elif path.suffix.lower() in ingest.RDF_FORMATS:
        candidate = _read_file(path, None)
    else:
        raise UsageError(f"{target!r} is neither a source slug nor an RDF file")
    report = ingest.check(candidate, settings)
    _print_report(report, limit)
    if report_path:
        _write_report(report, candidate, report_path)
    sys.exit(0 if report.conforms else 1)


@main.command("status")
@setting_options("store")
def status_command(**options: Any) -> None:
    """Graphs and triple counts, and the last load of each source with checksums and warnings."""
    settings = _settings(**options)
    snapshot = store.open_snapshot(settings.store)
    click.echo(f"store {settings.store} version {snapshot.version}")
    for graph, count in snapshot.graph_sizes().items():
        click.echo(f"  {count:>10,}  {graph}")
    for slug, last in _last_loads(settings).items():
        click.echo(
            f"{slug}: loaded {last['ended']}, {last['triples']} triples, "
            f"{last['warnings']} warning(s), engine {last['engine']}"
        )
        for name, digest in sorted(last["files"].items()):
            click.echo(f"    sha256 {digest}  {name}")


@main.command("query")
@click.argument("sparql", required=False)
@click.option("--file", "query_file", type=click.File("r"), help="Read the query from a file.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(results.ALL_FORMATS),
    default="table",
    show_default=True,
    help="Output format.",
)
@setting_options("store")
def query_command(sparql: str | None, query_file: Any, fmt: str, **options: Any) -> None:
    """Run a SPARQL query over the union of all graphs and print the result."""
    if bool(sparql) == bool(query_file):
        raise UsageError("give the query either as an argument or with --file, not both")
    text = sparql or query_file.read()
    snapshot = store.open_snapshot(_settings(**options).store)
    answer = snapshot.query(text)
    if fmt == "table":
        click.echo(results.table(answer))
    else:
        sys.stdout.buffer.write(results.serialize(answer, fmt))
        sys.stdout.flush()


@main.command("serve")
@setting_options(
    "store",
    "host",
    "port",
    "workers",
    "query_workers",
    "query_timeout",
    "max_rows",
    "max_query_bytes",
    "sparql_cache_mb",
    "allow_service",
    "cpu_affinity",
    "access_log",
    "cors_origins",
)
def serve_command(**options: Any) -> None:
    """Serve the store over HTTP; loads committed meanwhile are picked up without a restart."""
    from skillsgap.server.app import run

    run(_settings(**options))


@main.command("occupations")
@click.argument("title")
@click.option("--limit", default=5, show_default=True, help="How many unit groups to show.")
@setting_options("data_dir")
def occupations_command(title: str, limit: int, **options: Any) -> None:
    """Rank SOC 2020 unit groups for a job title, by matching the ONS coding index.

    The scores come from skillsgap's title coder (a derived link, not an ONS coding).
    """
    folder = _folder(source("ons-soc2020"), _settings(**options))
    matches = coder_for_folder(folder, Coder).search(title, limit)
    if not matches:
        click.echo("no SOC 2020 unit group matches that title")
    for match in matches:
        click.echo(
            f"{match.code}  {match.score:.3f}  {match.title}  (matched {match.matched_title!r})"
        )


@main.command("settings")
def settings_command() -> None:
    """Every setting with its environment variable, default and meaning."""
    for name, env, default, help_text in setting_help():
        click.echo(f"{name:<14} {env:<26} default {default}\n    {help_text}")


def _read_file(path: Path, graph: str | None) -> ingest.Candidate:
    """A user's RDF file (CTDL JSON-LD is expanded against the bundled CTDL context), or an
    occupation mapping CSV (docs/occupation-mapping.md)."""
    is_json = path.suffix.lower() in (".jsonld", ".json")
    reader = ctdl_jsonld.read_document if is_json and ctdl_jsonld.is_ctdl_document(path) else None
    if occupation_mapping.is_occupation_mapping(path):
        reader = occupation_mapping.read_document
    return ingest.read_rdf_file(path, graph, reader)


def _folder(src: Source, settings: Settings) -> Path:
    base = settings.data_dir or Path(str(bundled_data()))
    folder = base / src.slug
    if not folder.is_dir():
        raise UsageError(
            f"no folder {folder} for source {src.slug!r} (expected files {', '.join(src.files)})"
        )
    return folder


def _commit(label: str, settings: Settings, read: Callable[..., ingest.Candidate]) -> None:
    with _Progress(label) as tell:
        started = time.perf_counter()
        candidate = read(tell)
        outcome = ingest.commit(candidate, settings, tell)
    counts = outcome.report.by_severity()
    click.echo(
        f"loaded {label}: {candidate.triple_count:,} triples; gate ({settings.engine}): "
        f"0 violations, {counts['Warning']} warning(s), {counts['Info']} info; "
        f"{time.perf_counter() - started:.1f} s; store version {outcome.version}"
    )
    _echo_source_warnings(candidate.source_warnings)


SHOWN_WARNINGS = 20


def _echo_source_warnings(found: tuple[str, ...]) -> None:
    """What the loader repaired or kept as published: the first few, then how many more."""
    if found:
        click.echo(f"  {len(found)} source warning(s) (repaired or kept as published):")
    for text in found[:SHOWN_WARNINGS]:
        click.echo(f"    {text}")
    if len(found) > SHOWN_WARNINGS:
        click.echo(f"    ... and {len(found) - SHOWN_WARNINGS} more")


class _Progress:
    """A one-line live status on a terminal (phase, triples, elapsed); silent otherwise."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.enabled = sys.stderr.isatty()
        self.started = time.perf_counter()
        self._status: Any = None

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.console import Console

            self._status = Console(stderr=True).status(f"{self.label}: reading")
            self._status.__enter__()
        return self

    def __call__(self, phase: str, count: int) -> None:
        if self._status is not None:
            elapsed = time.perf_counter() - self.started
            self._status.update(f"{self.label}: {phase}, {count:,} triples, {elapsed:.1f} s")

    def __exit__(self, *exc: Any) -> None:
        if self._status is not None:
            self._status.__exit__(*exc)


def _print_report(report: gate.Report, limit: int, stream: Any = None) -> None:
    out = stream or sys.stdout
    counts = report.by_severity()
    print(
        f"SHACL report ({report.engine}): conforms={str(report.conforms).lower()}, "
        f"{counts['Violation']} violation(s), {counts['Warning']} warning(s), "
        f"{counts['Info']} info",
        file=out,
    )
    for result in report.results[:limit]:
        print(f"{result.severity:<9} {result.focus}", file=out)
        print(f"    path {result.path or '-'}  value {result.value or '-'}", file=out)
        print(
            f"    {result.message or result.component}  [{result.component}, {result.shape}]",
            file=out,
        )
    if len(report.results) > limit:
        print(f"... and {len(report.results) - limit} more (use --limit or --report)", file=out)


def _write_report(report: gate.Report, candidate: ingest.Candidate, path: Path) -> None:
    path.write_text(report.turtle, encoding="utf-8")
    summary = {
        "source": candidate.label,
        "engine": report.engine,
        "conforms": report.conforms,
        "triples": candidate.triple_count,
        "counts": report.by_severity(),
        "results": [r.__dict__ for r in report.results],
    }
    path.with_suffix(".json").write_text(json.dumps(summary, indent=2), encoding="utf-8")


def _last_loads(settings: Settings) -> dict[str, dict[str, Any]]:
    snapshot = store.open_snapshot(settings.store)
    from skillsgap.resources import read_text

    answer = snapshot.query(read_text("queries", "last-loads.rq"))
    loads: dict[str, dict[str, Any]] = {}
    for row in answer:
        entry = loads.setdefault(
            row["source"].value,
            {
                "ended": row["ended"].value,
                "triples": row["triples"].value,
                "warnings": row["warnings"].value,
                "engine": row["engine"].value,
                "files": {},
            },
        )
        if row["file"] is not None:
            entry["files"][row["file"].value] = row["sha256"].value
    return loads


if __name__ == "__main__":
    main()
