"""Settings: one table of name, default and help; CLI options and SKILLSGAP_* variables come from it."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from skillsgap.errors import UsageError

ENV_PREFIX = "SKILLSGAP_"


def _meta(help_text: str, choices: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"help": help_text, "choices": choices}


@dataclass(frozen=True)
class Settings:
    """Every setting with its default; each field's metadata holds its help line."""

    store: Path = dataclasses.field(
        default=Path("skillsgap-store"),
        metadata=_meta("Directory of the embedded on-disk store (created when missing)."),
    )
    data_dir: Path | None = dataclasses.field(
        default=None,
        metadata=_meta(
            "Directory of source files, one folder per slug; default: the data bundled "
            "with skillsgap."
        ),
    )
    engine: str = dataclasses.field(
        default="shacl",
        metadata=_meta(
            "SHACL engine of the gate: 'shacl' (Rust, fast) or 'pyshacl' (reference).",
            ("shacl", "pyshacl"),
        ),
    )
    host: str = dataclasses.field(default="127.0.0.1", metadata=_meta("Address to serve on."))
    port: int = dataclasses.field(default=8000, metadata=_meta("Port to serve on."))
    workers: int = dataclasses.field(
        default=2,
        metadata=_meta(
            "Server worker processes (each answers HTTP and runs its own queries; one exits and "
            "is replaced to end a query past the time limit)."
        ),
    )
    query_timeout: float = dataclasses.field(
        default=30.0, metadata=_meta("Seconds a query may run before it is stopped.")
    )
    query_workers: int = dataclasses.field(
        default=2,
        metadata=_meta("Queries each server worker runs at once (on threads of its own)."),
    )
    max_query_bytes: int = dataclasses.field(
        default=1_000_000, metadata=_meta("Largest SPARQL query text accepted, in bytes.")
    )
    allow_service: str = dataclasses.field(
        default="no",
        metadata=_meta(
            "Allow SERVICE (federated) queries, which make the server fetch URLs: 'yes' or 'no'.",
            ("yes", "no"),
        ),
    )
    max_rows: int = dataclasses.field(
        default=100_000, metadata=_meta("Most result rows returned; a cut is always reported.")
    )
    sparql_cache_mb: int = dataclasses.field(
        default=64,
        metadata=_meta(
            "Memory per server worker for /sparql answers cached until the next load (MiB; 0: off)."
        ),
    )
    cpu_affinity: str = dataclasses.field(
        default="yes",
        metadata=_meta(
            "Keep each server worker on a CPU of its own (Linux), so handing a query to its "
            "thread does not wake another CPU; a query running over 20 ms (2 ms while another query "
            "of the worker runs) may use any CPU: "
            "'yes' or 'no'.",
            ("yes", "no"),
        ),
    )
    access_log: str = dataclasses.field(
        default="no",
        metadata=_meta(
            "Log every HTTP request ('yes' or 'no'); logging costs throughput.", ("yes", "no")
        ),
    )
    cors_origins: str = dataclasses.field(
        default="*", metadata=_meta("Comma-separated origins allowed by CORS ('*' for any).")
    )
    keep_versions: int = dataclasses.field(
        default=3,
        metadata=_meta("Store versions kept on disk so readers of older versions can finish."),
    )

    @classmethod
    def from_sources(
        cls, overrides: Mapping[str, Any] | None = None, env: Mapping[str, str] | None = None
    ) -> Settings:
        """Defaults, then SKILLSGAP_* variables, then explicit overrides (CLI options)."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw not in (None, ""):
                values[f.name] = _convert(f, raw, ENV_PREFIX + f.name.upper())
        for name, value in (overrides or {}).items():
            if value is not None:
                values[name] = _convert(_field(name), value, "--" + name.replace("_", "-"))
        return cls(**values)


def setting_help() -> list[tuple[str, str, str, str]]:
    """(name, environment variable, default, help) for every setting, for docs and --help."""
    return [
        (f.name, ENV_PREFIX + f.name.upper(), str(f.default), f.metadata["help"])
        for f in fields(Settings)
    ]


def _field(name: str) -> dataclasses.Field[Any]:
    for f in fields(Settings):
        if f.name == name:
            return f
    raise UsageError(f"unknown setting {name!r}")


def _convert(f: dataclasses.Field[Any], raw: Any, origin: str) -> Any:
    kind = str(f.type)
    try:
        if "Path" in kind:
            value: Any = Path(raw)
        elif kind == "int":
            value = int(raw)
        elif kind == "float":
            value = float(raw)
        else:
            value = str(raw)
    except ValueError:
        raise UsageError(f"{origin}: expected {kind}, got {raw!r}") from None
    choices = f.metadata["choices"]
    if choices and value not in choices:
        raise UsageError(f"{origin}: expected one of {', '.join(choices)}, got {raw!r}")
    return value
