"""The agent: the planner graph with muse's tools, memory, guard and sessions, as a stream of events.

The terminal, the server and the eval runner all drive this one class. A turn is keyed by
(user, session): one user's sessions are invisible to every other user.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage
from langchain_core.tools import BaseTool

from agent.events import (
    AgentEvent,
    ImageProduced,
    ImageRef,
    MemoriesRecalled,
    Refused,
    TextDelta,
    ToolCallRecord,
    ToolFinished,
    ToolStarted,
    TurnFinished,
    TurnResult,
    TurnStarted,
)
from agent.planner_view import attached_images, message_text
from muse.errors import MuseError
from muse.settings import Settings, get_settings

SUMMARY_CHARS = 200


class Agent:
    def __init__(
        self,
        settings: Settings | None = None,
        *,
        chat_model: BaseChatModel | None = None,
        extra_tool_files: Sequence[Path] = (),
        extra_tools: Sequence[BaseTool] = (),
        services: Any = None,
        guard: Any = None,
        checkpointer: Any = None,
    ):
        from agent.checkpoint import create_checkpointer
        from agent.graph import build_graph
        from agent.guard import Guard
        from tools.llm.planner import create_chat_model
        from tools.registry import load_tools
        from tools.services import Services

        self.settings = settings or get_settings()
        self.services = services or Services.from_settings(self.settings)
        toolset = load_tools(self.settings, extra_files=extra_tool_files, services=self.services)
        self.tools: list[BaseTool] = [*toolset.tools, *extra_tools]
        self.tool_sources: dict[str, str] = {**toolset.sources, **{tool.name: "extra" for tool in extra_tools}}
        self.chat_model = chat_model or create_chat_model(self.settings)
        self.guard = guard or Guard.from_settings(self.settings)
        self.checkpointer = checkpointer or create_checkpointer(self.settings.agent, self.settings.home)
        self.graph = build_graph(
            self.chat_model, self.tools, guard=self.guard, memory=self.services.memory,
            settings=self.settings.agent, checkpointer=self.checkpointer,
        )
        self._session_locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    # -- turns ------------------------------------------------------------------------------------

    def stream(
        self, message: str, *, session_id: str, user_id: str = "local", images: Sequence[str] = ()
    ) -> Iterator[AgentEvent]:
        """Run one turn, yielding its events; the last is `TurnFinished`."""
        if not message.strip() and not images:
            raise MuseError("the message is empty")
        for image in images:
            self.services.images.get(image, user_id)  # unknown or another user's image: ImageNotFound
        config = self._config(session_id, user_id)
        request = HumanMessage(content=message, additional_kwargs={"images": list(images)} if images else {})
        with self._lock(config["configurable"]["thread_id"]):
            yield TurnStarted(session=session_id, user=user_id)
            yield from self._turn(request, config, session_id, user_id)

    def run(self, message: str, *, session_id: str, user_id: str = "local", images: Sequence[str] = ()) -> TurnResult:
        for event in self.stream(message, session_id=session_id, user_id=user_id, images=images):
            if isinstance(event, TurnFinished):
                return event.result
        raise RuntimeError("the turn ended without a result")

    def _turn(self, request: HumanMessage, config: dict, session_id: str, user_id: str) -> Iterator[AgentEvent]:
        started = time.perf_counter()
        result = TurnResult(answer="", session=session_id)
        calls: dict[str, ToolCallRecord] = {}
        # The session is written once, when the turn ends (stopped ones too): a session holds whole turns,
        # and the plan/act steps between cost no checkpoint writes.
        stream = self.graph.stream({"messages": [request]}, config, stream_mode=["messages", "updates"], durability="exit")
        for mode, payload in stream:
            if mode == "messages":
                chunk, meta = payload
                if meta.get("langgraph_node") == "plan" and isinstance(chunk.content, str) and chunk.content:
                    yield TextDelta(chunk.content)
            else:
                yield from self._on_update(payload, calls, user_id, result)
        final = self.graph.get_state(config).values["messages"][-1]
        result.answer = message_text(final)
        result.tool_calls = list(calls.values())
        result.ms = round((time.perf_counter() - started) * 1000, 1)
        yield TurnFinished(result)

    def _on_update(
        self, update: dict, calls: dict[str, ToolCallRecord], user_id: str, result: TurnResult
    ) -> Iterator[AgentEvent]:
        for node, values in update.items():
            if not values:
                continue
            if node == "recall" and values.get("memories"):
                result.memories = values["memories"]
                yield MemoriesRecalled(values["memories"])
            for message in values.get("messages", []):
                if node == "guard" and message.additional_kwargs.get("refused"):
                    result.refused, result.refusal_category = True, message.additional_kwargs["refused"]
                    yield Refused(result.refusal_category, message_text(message))
                if node == "plan" and isinstance(message, AIMessage):
                    for call in message.tool_calls:
                        calls[call["id"]] = ToolCallRecord(id=call["id"], name=call["name"], arguments=call["args"])
                        yield ToolStarted(calls[call["id"]])
                if node == "act" and isinstance(message, ToolMessage):
                    record = self._finish_call(message, calls, user_id, result)
                    yield ToolFinished(record)
                    for ref in result.images[len(result.images) - len(record.images):]:
                        yield ImageProduced(ref)

    def _finish_call(self, message: ToolMessage, calls: dict[str, ToolCallRecord], user_id: str, result: TurnResult) -> ToolCallRecord:
        record = calls.setdefault(message.tool_call_id, ToolCallRecord(id=message.tool_call_id, name=message.name or "", arguments={}))
        content = message_text(message)
        record.result_summary = content[:SUMMARY_CHARS]
        record.ms = message.response_metadata.get("ms", 0.0)
        record.flagged = message.response_metadata.get("flagged", False)
        if message.status == "error" or content.startswith('{"error"'):
            record.error = content
        artifact = message.artifact if isinstance(message.artifact, dict) else {}
        for image in artifact.get("images", []):
            path = self.services.images.get(image, user_id).path
            record.images.append(image)
            result.images.append(ImageRef(id=image, path=str(path)))
        return record

    # -- sessions ---------------------------------------------------------------------------------

    def history(self, session_id: str, user_id: str = "local") -> list[dict[str, Any]]:
        """The session's user messages and answers, with the tool calls made between them."""
        state = self.graph.get_state(self._config(session_id, user_id))
        turns: list[dict[str, Any]] = []
        for message in state.values.get("messages", []):
            if isinstance(message, HumanMessage):
                turns.append({"role": "user", "content": message_text(message), "images": attached_images(message)})
            elif isinstance(message, AIMessage) and message.tool_calls:
                turns.append({"role": "tool_calls", "calls": [{"name": c["name"], "arguments": c["args"]} for c in message.tool_calls]})
            elif isinstance(message, AIMessage):
                turns.append({"role": "assistant", "content": message_text(message)})
        return turns

    def delete_session(self, session_id: str, user_id: str = "local") -> bool:
        config = self._config(session_id, user_id)
        if not self.graph.get_state(config).values:
            return False
        self.checkpointer.delete_thread(config["configurable"]["thread_id"])
        return True

    def _config(self, session_id: str, user_id: str) -> dict[str, Any]:
        if not session_id:
            raise MuseError("the session id is empty")
        # Steps of the graph, not planner calls: guard, recall, then plan/act pairs, then respond.
        limit = 2 * self.settings.agent.max_steps + 4
        return {
            "configurable": {"thread_id": f"{user_id}/{session_id}", "user_id": user_id, "session_id": session_id},
            "recursion_limit": limit,
        }

    def _lock(self, thread_id: str) -> threading.Lock:
        """One turn at a time per session; different sessions run side by side."""
        with self._locks_guard:
            return self._session_locks.setdefault(thread_id, threading.Lock())
