"""The FastAPI app of `muse serve`: OpenAI-compatible routes over the agent, muse's own routes, the web UI.

    app = create_app(settings)            # the agent is built on the first request that needs it
    app = create_app(settings, agent)     # or given (tests, benchmarks)
    uvicorn.run(app, host="127.0.0.1", port=8000)

`uvicorn --factory server.app:create_app` builds it from the process settings (`muse serve --workers N`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from agent.agent import Agent
from muse.settings import Settings, get_settings
from server.errors import error_body, install_error_handlers
from server.routes import chat, embeddings, health, images, models, sessions, tools
from server.routes import memory as memory_routes
from server.routes.health import VERSION
from server.schemas import ChatCompletionChunk
from server.state import ServerState

log = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).parent / "static"
DESCRIPTION = """\
muse, an agentic multimodal assistant, behind the OpenAI API: the official `openai` client,
LangChain's `ChatOpenAI` and other OpenAI clients work against it unchanged, with model `muse`.

Authentication: `Authorization: Bearer KEY`, a key made with `muse keys create NAME`; each key is a
user, whose sessions, memories and images no other key can see. With no key configured the server
answers loopback clients only, all as the user `local`.

Sessions: the server keeps each conversation; a chat request carries only its new user message
(the last of `messages`), and the `X-Session-Id` header, else the `user` field, names the session.
"""


def create_app(settings: Settings | None = None, agent: Agent | None = None) -> FastAPI:
    settings = settings or get_settings()
    state = ServerState(settings, agent)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if settings.server.preload:
            await asyncio.to_thread(preload, state)
        yield
        state.close()

    app = FastAPI(title="muse", version=VERSION, description=DESCRIPTION, lifespan=lifespan)
    app.state.muse = state
    install_error_handlers(app)
    for module in (chat, images, models, embeddings, sessions, memory_routes, tools, health):
        app.include_router(module.router)
    mount_ui(app)
    app.add_middleware(RequestMiddleware, state=state)
    app.openapi = lambda: openapi_document(app)
    return app


def preload(state: ServerState) -> None:
    from server.preload import load_embedded_models

    started = time.perf_counter()
    agent = state.load_agent()
    agent.services.memory  # noqa: B018 - opens the memory store
    load_embedded_models(state.settings)
    log.info("every model loaded in %.1f s", time.perf_counter() - started)


def mount_ui(app: FastAPI) -> None:
    @app.get("/", include_in_schema=False)
    async def ui() -> FileResponse:
        return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})

    @app.get("/ui", include_in_schema=False)
    async def ui_alias() -> RedirectResponse:
        return RedirectResponse("/")

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")


class RequestMiddleware:
    """Counts and times every request by route, and refuses bodies over the size limit (413)."""

    def __init__(self, app: ASGIApp, state: ServerState):
        self.app, self.state = app, state
        # A body holds at most a few images as base64 (4/3 of their size) beside the text.
        self.max_body = max(2_000_000, 4 * state.settings.server.max_upload_bytes * 4 // 3)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started, status = time.perf_counter(), 500
        method = scope["method"]

        async def send_counted(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            length = dict(scope["headers"]).get(b"content-length")
            if length is not None and length.isdigit() and int(length) > self.max_body:
                await self.refuse_body(send_counted)
                return
            await self.app(scope, self.limited(receive), send_counted)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", None) or ("/static" if scope["path"].startswith("/static/") else "unmatched")
            metrics = self.state.metrics
            metrics.requests.labels(method, path, str(status)).inc()
            metrics.latency.labels(method, path).observe(time.perf_counter() - started)

    def limited(self, receive: Receive) -> Receive:
        received = 0

        async def receive_limited() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise StarletteHTTPException(413, self.too_large())
            return message

        return receive_limited

    def too_large(self) -> str:
        return f"the request body is over {self.max_body / 1e6:g} MB; images are limited to {self.state.settings.server.max_upload_bytes / 1e6:g} MB each"

    async def refuse_body(self, send: Send) -> None:
        body = json.dumps(error_body(413, self.too_large(), "request_too_large")).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), (b"connection", b"close")]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": body})


def openapi_document(app: FastAPI) -> dict:
    """FastAPI's document, corrected: bad input is a 400 with an OpenAI error body, not a 422."""
    if app.openapi_schema:
        return app.openapi_schema
    document = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    components = document.setdefault("components", {}).setdefault("schemas", {})
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.get("responses", {})
            if responses.pop("422", None) is not None and "400" not in responses:
                responses["400"] = {
                    "description": "Bad input",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}},
                }
    for name in ("HTTPValidationError", "ValidationError"):
        components.pop(name, None)
    chunk = ChatCompletionChunk.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(chunk.pop("$defs", {}))
    components["ChatCompletionChunk"] = chunk
    app.openapi_schema = document
    return document
