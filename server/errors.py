"""Maps skillsgap exceptions to HTTP statuses and one JSON error body."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from skillsgap.errors import QueryError, SkillsgapError, StoreError, UsageError

STATUS = {QueryError: 400, UsageError: 400, StoreError: 503}


def error_body(status: int, message: str, errors: list[str] | None = None) -> dict[str, object]:
    """The one error shape: ok, error, errors, status."""
    return {"ok": False, "error": message, "errors": errors or [message], "status": status}


def install(app: FastAPI) -> None:
    """Register the handlers that turn skillsgap errors into the error body."""

    @app.exception_handler(SkillsgapError)
    async def handle(_request: Request, exc: SkillsgapError) -> JSONResponse:
        status = next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 500)
        return JSONResponse(error_body(status, str(exc)), status_code=status)
