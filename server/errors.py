"""Maps skillsgap exceptions to HTTP statuses and one JSON error body."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from skillsgap.errors import QueryError, SkillsgapError, StoreError, UsageError

STATUS = {QueryError: 400, UsageError: 400, StoreError: 503}


def error_body(status: int, message: str, errors: list[str] | None = None) -> dict[str, object]:
    """The one error shape: ok, error, errors, status."""
    return {"ok": False, "error": message, "errors": errors or [message], "status": status}


def install(app: FastAPI) -> None:
    """Register the handlers that turn skillsgap errors into the error body."""

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            f"parameter {str(e['loc'][-1])!r}: {e['msg']}, got {e.get('input')!r}"
            for e in exc.errors()
        ]
        body = error_body(422, problems[0], problems) | {
            "parameter": str(exc.errors()[0]["loc"][-1])
        }
        return JSONResponse(body, status_code=422)

    @app.exception_handler(SkillsgapError)
    async def handle(_request: Request, exc: SkillsgapError) -> JSONResponse:
        status = next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 500)
        return JSONResponse(error_body(status, str(exc)), status_code=status)
