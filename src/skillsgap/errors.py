"""One exception hierarchy; every error builds its message from structured fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class SkillsgapError(Exception):
    """Base class: a user-facing error with an exit code and structured context."""

    message: str = ""
    exit_code: int = 2

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict[str, Any]:
        return {"error": type(self).__name__, "message": str(self)}


@dataclass
class SourceError(SkillsgapError):
    """A source file that cannot be read as the format it should be in.

    The message names where (file, sheet, row, column), what was expected and what was found.
    Rows are 1-based as a spreadsheet or editor shows them.
    """

    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    expected: str | None = None
    got: Any = None

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                self.file and str(self.file),
                self.sheet and f"sheet {self.sheet!r}",
                self.row is not None and f"row {self.row}",
                self.column and f"column {self.column!r}",
            )
            if part
        )
        found = f"expected {self.expected}, got {_shorten(self.got)}" if self.expected else ""
        what = "; ".join(part for part in (self.message, found) if part)
        return f"{where}: {what}" if where else what

    def as_dict(self) -> dict[str, Any]:
        fields = {k: getattr(self, k) for k in ("file", "sheet", "row", "column", "expected")} | {
            "got": None if self.got is None else _shorten(self.got)
        }
        return super().as_dict() | {k: v for k, v in fields.items() if v is not None}


@dataclass
class UsageError(SkillsgapError):
    """The command or request was wrong: unknown source, bad option, missing file."""


@dataclass
class StoreError(SkillsgapError):
    """The store could not be opened or written (locked by another load, corrupt...)."""


@dataclass
class QueryError(SkillsgapError):
    """A SPARQL query that does not parse or cannot be evaluated."""


@dataclass
class QueryTimeout(SkillsgapError):
    """A query ran past the time limit and was stopped."""


@dataclass
class NotAcceptable(SkillsgapError):
    """No result format the client accepts can hold this result."""


@dataclass
class GateRejection(SkillsgapError):
    """The candidate data failed the SHACL gate: at least one sh:Violation."""

    exit_code: int = 1
    violations: int = 0
    report: Any = field(default=None, repr=False)


class Found(str):
    """A description of what was found, shown as it is rather than quoted as a value."""


def _shorten(value: Any, limit: int = 240) -> str:
    text = repr(value) if type(value) is str else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class SourceWarning(UserWarning):
    """A problem in a source that does not stop its load (repaired, or kept as published).

    Loaders issue these with ``warnings.warn``; ingest collects them with the candidate, the CLI
    prints them under the load line and the load record counts them."""
