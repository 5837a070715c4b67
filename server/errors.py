"""Every error answer in OpenAI's shape: `{"error": {"message", "type", "code", "param"}}`.

OpenAI clients read `error.message` and raise by status code (400 BadRequestError, 401, 404
NotFoundError, 429 RateLimitError, 503 InternalServerError...), so bad input is always a 4xx with
this body, including FastAPI's own validation errors and bodies that are not JSON at all.
"""

from __future__ import annotations

import logging
import math

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from muse.errors import MuseError
from tools.image_store import ImageNotFound, InvalidImage

log = logging.getLogger(__name__)

# The `type` OpenAI gives each status.
ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    405: "invalid_request_error",
    413: "invalid_request_error",
    415: "invalid_request_error",
    422: "invalid_request_error",
    429: "rate_limit_error",
    500: "server_error",
    503: "server_error",
    504: "timeout_error",
}


class APIError(Exception):
    """An answer other than 2xx, raised anywhere below a route."""

    def __init__(
        self,
        status: int,
        message: str,
        code: str | None = None,
        *,
        param: str | None = None,
        retry_after: float | None = None,
    ):
        super().__init__(message)
        self.status, self.message, self.code, self.param = status, message, code, param
        self.retry_after = retry_after


def error_body(status: int, message: str, code: str | None = None, param: str | None = None) -> dict:
    return {"error": {"message": message, "type": ERROR_TYPES.get(status, "invalid_request_error"), "param": param, "code": code}}


def error_response(error: APIError) -> JSONResponse:
    headers = {}
    if error.retry_after is not None:
        headers["Retry-After"] = str(max(1, math.ceil(error.retry_after)))
    return JSONResponse(error_body(error.status, error.message, error.code, error.param), error.status, headers=headers)


def describe_validation(error: RequestValidationError) -> tuple[str, str, str | None]:
    """(message, code, param) of FastAPI's validation error, the first problem named in words."""
    problems = error.errors()
    first = problems[0] if problems else {}
    if first.get("type") == "json_invalid":
        detail = (first.get("ctx") or {}).get("error", "")
        return f"the request body is not valid JSON{': ' + str(detail) if detail else ''}", "invalid_json", None
    if first.get("type") == "model_attributes_type" and tuple(first.get("loc", ())) == ("body",):
        return "the request body must be a JSON object (Content-Type: application/json)", "invalid_json", None
    described = []
    for problem in problems[:5]:
        location = [str(part) for part in problem.get("loc", ()) if part != "body"]
        where = ".".join(location) or "body"
        described.append(f"{where}: {problem.get('msg', 'invalid')}")
    param = ".".join(str(part) for part in first.get("loc", ()) if part != "body") or None
    return "invalid request: " + "; ".join(described), "invalid_value", param


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(APIError)
    async def api_error(request: Request, error: APIError) -> JSONResponse:
        return error_response(error)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, error: RequestValidationError) -> JSONResponse:
        message, code, param = describe_validation(error)
        return error_response(APIError(400, message, code, param=param))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        message = error.detail if isinstance(error.detail, str) else str(error.detail)
        if error.status_code == 404 and message == "Not Found":
            message = f"no route {request.method} {request.url.path}; see /docs for the API"
        code = {404: "not_found", 405: "method_not_allowed", 413: "request_too_large"}.get(error.status_code)
        response = error_response(APIError(error.status_code, message, code))
        for name, value in (error.headers or {}).items():
            response.headers[name] = value
        return response

    @app.exception_handler(ImageNotFound)
    async def image_not_found(request: Request, error: ImageNotFound) -> JSONResponse:
        return error_response(APIError(404, str(error), "image_not_found"))

    @app.exception_handler(InvalidImage)
    async def invalid_image(request: Request, error: InvalidImage) -> JSONResponse:
        return error_response(APIError(400, str(error), "invalid_image"))

    @app.exception_handler(MuseError)
    async def muse_error(request: Request, error: MuseError) -> JSONResponse:
        return error_response(APIError(400, str(error), "invalid_request"))

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        log.exception("%s %s failed", request.method, request.url.path)
        return error_response(APIError(500, f"the server failed: {type(error).__name__}", "server_error"))
