"""One router per resource; what they share: the documented error answers and image URLs."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import Request

from server.schemas import ErrorResponse


def _error(description: str) -> dict:
    return {"model": ErrorResponse, "description": description}


ERRORS: dict[int | str, dict] = {
    400: _error("Bad input: invalid JSON, a field of the wrong type, an empty or too long message, an unusable image"),
    401: _error("Missing or invalid API key"),
    404: _error("Unknown model, image or session (another user's is unknown too)"),
    413: _error("An image or body over the upload limit"),
    429: _error("Rate limit or concurrency cap of the key reached; see Retry-After"),
    500: _error("The server failed"),
    503: _error("Too many model jobs waiting; see Retry-After"),
    504: _error("The model did not finish in time"),
}


def errors(*statuses: int) -> dict[int | str, dict]:
    return {status: ERRORS[status] for status in statuses}


def image_url_for(request: Request) -> Callable[[str], str]:
    """Absolute URL of a stored image, as the client reached this server."""
    base = str(request.base_url).rstrip("/")
    return lambda image_id: f"{base}/v1/images/{image_id}"
