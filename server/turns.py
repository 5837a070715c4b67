"""One agent turn run on a pool thread and read on the event loop, and its events in OpenAI's shapes.

`start_turn` admits the turn to the model pool and waits for its first event, so a turn that cannot
start (unknown image, empty message) is still an ordinary 4xx; then `TurnEvents` is read with
`async for`. Closing it (a client that went away, a timeout) tells the thread to stop: it closes
the agent's generator after the event in hand, which ends the turn and frees the session.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import asdict, dataclass

from agent.events import (
    AgentEvent,
    ImageProduced,
    MemoriesRecalled,
    Refused,
    TextDelta,
    ToolFinished,
    ToolStarted,
    TurnFinished,
    TurnResult,
    TurnStarted,
)
from muse.errors import MuseError
from server.errors import APIError, error_body
from server.limits import ModelPool
from tools.image_store import ImageNotFound

MODEL = "muse"


@dataclass
class _Failed:
    error: BaseException


_DONE = object()


def as_api_error(error: BaseException) -> APIError:
    if isinstance(error, APIError):
        return error
    if isinstance(error, ImageNotFound):
        return APIError(404, str(error), "image_not_found")
    if isinstance(error, MuseError):  # the request was checked before the turn: this is the server's setup
        return APIError(500, f"the turn failed: {error}", "turn_failed")
    return APIError(500, f"the turn failed: {type(error).__name__}: {error}", "server_error")


class TurnEvents:
    """The events of one running turn, as an async iterator."""

    def __init__(self, queue: asyncio.Queue, cancelled: threading.Event, deadline: float, timeout: float):
        self._queue, self._cancelled = queue, cancelled
        self._deadline, self._timeout = deadline, timeout
        self._pending: list[AgentEvent] = []

    async def next(self) -> AgentEvent | None:
        """The next event, None at the end; the turn's own error, or 504 past the deadline."""
        if self._pending:
            return self._pending.pop(0)
        remaining = self._deadline - asyncio.get_running_loop().time()
        try:
            item = await asyncio.wait_for(self._queue.get(), max(0.0, remaining))
        except TimeoutError:
            self.cancel()
            raise APIError(504, f"the turn did not finish within {self._timeout:g} s", "timeout") from None
        if item is _DONE:
            return None
        if isinstance(item, _Failed):
            raise as_api_error(item.error)
        return item

    async def __aiter__(self) -> AsyncIterator[AgentEvent]:
        try:
            while (event := await self.next()) is not None:
                yield event
        finally:
            self.cancel()

    def cancel(self) -> None:
        self._cancelled.set()


async def start_turn(pool: ModelPool, run: Callable[[], Iterator[AgentEvent]], on_event: Callable[[AgentEvent], None]) -> TurnEvents:
    """Run `run()` (the agent's stream) on a pool thread; 503 when the pool is full."""
    ticket = pool.admit()
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue()
    cancelled = threading.Event()

    def put(item: object) -> None:
        try:
            loop.call_soon_threadsafe(queue.put_nowait, item)
        except RuntimeError:  # the loop is gone (shutdown): nobody is reading
            cancelled.set()

    def work() -> None:
        if cancelled.is_set():  # the client left while the turn was queued
            return put(_DONE)
        stream = run()
        try:
            for event in stream:
                on_event(event)
                put(event)
                if cancelled.is_set():
                    break
        except BaseException as error:  # noqa: BLE001 - handed to the reader, which answers for it
            put(_Failed(error))
            return
        finally:
            stream.close()
        put(_DONE)

    pool.submit(ticket, work)
    events = TurnEvents(queue, cancelled, loop.time() + pool.timeout, pool.timeout)
    try:
        first = await events.next()
    except BaseException:
        events.cancel()
        raise
    if first is not None:
        events._pending.append(first)
    return events


# -- OpenAI shapes ----------------------------------------------------------------------------------


def completion_id() -> str:
    return "chatcmpl-" + uuid.uuid4().hex[:24]


def call_public(call) -> dict:
    return asdict(call)


def turn_public(result: TurnResult, image_url: Callable[[str], str]) -> dict:
    return {
        "session": result.session,
        "tool_calls": [call_public(call) for call in result.tool_calls],
        "images": [{"id": image.id, "url": image_url(image.id)} for image in result.images],
        "memories": list(result.memories),
        "refused": result.refused,
        "refusal_category": result.refusal_category,
        "ms": result.ms,
    }


def finish_reason(result: TurnResult) -> str:
    return "content_filter" if result.refused else "stop"


def completion(result: TurnResult, response_id: str, created: int, image_url: Callable[[str], str]) -> dict:
    return {
        "id": response_id,
        "object": "chat.completion",
        "created": created,
        "model": MODEL,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": result.answer, "refusal": result.answer if result.refused else None},
                "finish_reason": finish_reason(result),
                "logprobs": None,
            }
        ],
        "usage": None,
        "muse": turn_public(result, image_url),
    }


class ChunkWriter:
    """Agent events → `data:` lines of `chat.completion.chunk`s, ending with `data: [DONE]`."""

    def __init__(self, response_id: str, created: int, image_url: Callable[[str], str]):
        self.response_id, self.created, self.image_url = response_id, created, image_url
        self.streamed = ""

    def chunk(self, delta: dict, finish: str | None = None, muse: dict | None = None) -> str:
        body = {
            "id": self.response_id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": MODEL,
            "choices": [{"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}],
        }
        if muse is not None:
            body["muse"] = muse
        return "data: " + json.dumps(body, ensure_ascii=False, separators=(",", ":")) + "\n\n"

    def event(self, event: AgentEvent) -> list[str]:
        if isinstance(event, TurnStarted):
            return [self.chunk({"role": "assistant", "content": ""}, muse={"event": "turn_started", "session": event.session})]
        if isinstance(event, TextDelta):
            self.streamed += event.text
            return [self.chunk({"content": event.text})]
        if isinstance(event, ToolStarted):
            return [self.chunk({}, muse={"event": "tool_started", "call": call_public(event.call)})]
        if isinstance(event, ToolFinished):
            return [self.chunk({}, muse={"event": "tool_finished", "call": call_public(event.call)})]
        if isinstance(event, ImageProduced):
            image = {"id": event.image.id, "url": self.image_url(event.image.id)}
            return [self.chunk({}, muse={"event": "image", "image": image})]
        if isinstance(event, MemoriesRecalled):
            return [self.chunk({}, muse={"event": "memories", "memories": list(event.memories)})]
        if isinstance(event, Refused):
            return [self.chunk({}, muse={"event": "refused", "reason": event.reason, "category": event.category})]
        if isinstance(event, TurnFinished):
            return self.finish(event.result)
        return []

    def finish(self, result: TurnResult) -> list[str]:
        lines = []
        rest = _unstreamed(result.answer, self.streamed)
        if rest:  # an answer the planner did not stream (a refusal, a summary of tool results)
            lines.append(self.chunk({"content": rest}))
        turn = turn_public(result, self.image_url)
        lines.append(self.chunk({}, finish_reason(result), muse={"event": "turn_finished", "turn": turn}))
        return lines

    @staticmethod
    def error(error: APIError) -> str:
        return "data: " + json.dumps(error_body(error.status, error.message, error.code)) + "\n\n"

    DONE = "data: [DONE]\n\n"


def _unstreamed(answer: str, streamed: str) -> str:
    if answer.startswith(streamed):
        return answer[len(streamed):]
    return "" if streamed else answer


def now() -> int:
    return int(time.time())
