"""`POST /v1/chat/completions`: one agent turn, answered whole or streamed as server-sent events.

The server keeps each session's history (in the agent's checkpointer), so only the last message of
`messages`, a user message, is the new turn; earlier messages are the client's copy and are not
read. The session is the `X-Session-Id` header, else the `user` field, else a new session whose id
is returned (header `X-Session-Id` and `muse.session`).
"""

from __future__ import annotations

import re
import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Request
from fastapi.responses import JSONResponse, StreamingResponse

from server.deps import CallerDep, StateDep, get_agent
from server.errors import APIError
from server.images import ImageInput, parse_image_url, resolve_images
from server.routes import ERRORS, image_url_for
from server.schemas import SESSION_ID_PATTERN, ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, ChatMessage, TextPart
from server.turns import MODEL, ChunkWriter, TurnEvents, as_api_error, completion, completion_id, now, start_turn
from agent.events import AgentEvent, ToolFinished, TurnFinished

router = APIRouter(tags=["chat"])

STREAM_RESPONSE = {
    200: {
        "description": "The answer; with `stream: true`, server-sent events: `chat.completion.chunk`s, then `data: [DONE]`",
        "content": {"text/event-stream": {"schema": {"$ref": "#/components/schemas/ChatCompletionChunk"}}},
    }
}


@router.post(
    "/v1/chat/completions",
    response_model=ChatCompletion,
    responses={**STREAM_RESPONSE, **ERRORS},
    openapi_extra={"x-muse-chunk-model": ChatCompletionChunk.__name__},
)
async def create_chat_completion(
    body: ChatCompletionRequest,
    request: Request,
    user: CallerDep,
    state: StateDep,
    x_session_id: Annotated[str | None, Header(description="the session of this turn (else `user`, else a new one)")] = None,
):
    if body.model != MODEL:
        raise APIError(404, f"the model {body.model!r} does not exist; this server's chat model is {MODEL!r}",
                       "model_not_found", param="model")
    if (body.n or 1) != 1:
        raise APIError(400, "n must be 1: the agent gives one answer per turn", "invalid_value", param="n")
    if body.tools:
        raise APIError(400, "client-side tools are not supported: muse runs its own tools (GET /v1/tools)",
                       "unsupported_parameter", param="tools")
    server = state.settings.server
    text, inputs = new_turn(body.messages, server.max_message_chars, server.max_upload_bytes)
    session = choose_session(x_session_id, body.user)
    agent = await get_agent(state)
    images = await state.pool.run(resolve_images, agent.services, user, inputs) if inputs else []

    def on_event(event: AgentEvent) -> None:  # on the pool thread
        if isinstance(event, ToolFinished):
            outcome = "error" if event.call.error else "ok"
            state.metrics.tool_calls.labels(event.call.name, outcome).inc()
            state.metrics.tool_latency.labels(event.call.name).observe(event.call.ms / 1000)
        elif isinstance(event, TurnFinished):
            state.metrics.turns.labels("refused" if event.result.refused else "answered").inc()
            state.metrics.turn_latency.observe(event.result.ms / 1000)

    def run():
        return agent.stream(text, session_id=session, user_id=user, images=images)

    try:
        events = await start_turn(state.pool, run, on_event)
    except APIError as error:
        if error.status == 503:
            state.metrics.rejected.labels("queue_full").inc()
        raise
    state.sessions.record_turn(user, session, text)
    image_url = image_url_for(request)
    headers = {"X-Session-Id": session}
    response_id, created = completion_id(), now()
    if body.stream:
        writer = ChunkWriter(response_id, created, image_url)
        headers |= {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
        return StreamingResponse(sse(events, writer, state), media_type="text/event-stream", headers=headers)
    result = None
    try:
        async for event in events:
            if isinstance(event, TurnFinished):
                result = event.result
    except APIError:
        state.metrics.turns.labels("failed").inc()
        raise
    if result is None:
        raise APIError(500, "the turn ended without a result", "server_error")
    return JSONResponse(completion(result, response_id, created, image_url), headers=headers)


async def sse(events: TurnEvents, writer: ChunkWriter, state):
    """The stream's lines; an error after the first byte is sent as an OpenAI error event."""
    try:
        async for event in events:
            for line in writer.event(event):
                yield line
    except Exception as error:  # noqa: BLE001 - the status line is sent: report in the stream
        state.metrics.turns.labels("failed").inc()
        yield writer.error(as_api_error(error))
    yield writer.DONE


def new_turn(messages: list[ChatMessage], max_chars: int, max_image_bytes: int) -> tuple[str, list[ImageInput]]:
    """The last message's text and images: the turn to run."""
    last = messages[-1]
    if last.role != "user":
        raise APIError(400, f"the last message must be the user's new message, not a {last.role!r} message",
                       "invalid_messages", param="messages")
    parts = [last.content] if isinstance(last.content, str) else (last.content or [])
    texts, inputs = [], []
    for part in parts:
        if isinstance(part, str):
            texts.append(part)
        elif isinstance(part, TextPart):
            texts.append(part.text)
        else:
            inputs.append(parse_image_url(part.image_url.url, max_image_bytes))
    text = "\n".join(texts).strip()
    if not text and not inputs:
        raise APIError(400, "the last user message is empty: send text or an image", "empty_message", param="messages")
    if len(text) > max_chars:
        raise APIError(
            400, f"the message is {len(text):,} characters; the context limit is {max_chars:,} (server.max_message_chars)",
            "context_length_exceeded", param="messages",
        )
    if len(inputs) > 8:
        raise APIError(400, f"{len(inputs)} images in one message; at most 8", "too_many_images", param="messages")
    return text, inputs


def choose_session(header: str | None, user_field: str | None) -> str:
    session = header if header is not None else user_field
    if session is None:
        return "chat-" + uuid.uuid4().hex[:16]
    if not re.match(SESSION_ID_PATTERN, session):
        raise APIError(
            400, "invalid session id: 1-128 letters, digits, '_', '.', ':', '@' or '-', starting with a letter or digit",
            "invalid_session_id", param="X-Session-Id" if header is not None else "user",
        )
    return session
