"""A chat model that plays a script: graph, server and eval logic tested offline and fast.

Each call answers with the next message of the script (tool calls get fresh ids); the messages it
was shown are kept in `seen`, the names of the tools it was offered in `offered` and the tool it was
told to call in `chosen`, so tests can check what the planner was given.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Sequence
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ConfigDict, Field, PrivateAttr


def call(name: str, **arguments: Any) -> AIMessage:
    """A scripted planner decision: call one tool."""
    return AIMessage(content="", tool_calls=[{"name": name, "args": arguments, "id": "", "type": "tool_call"}])


class ScriptedChatModel(BaseChatModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    script: list[Any]  # AIMessage decisions, or strings for text answers
    repeat: bool = False  # start the script again when it runs out, instead of failing
    seen: list[list[BaseMessage]] = Field(default_factory=list)
    offered: list[list[str]] = Field(default_factory=list)
    chosen: list[Any] = Field(default_factory=list)  # each call's tool_choice (None: auto)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _ids: Any = PrivateAttr(default_factory=itertools.count)

    @property
    def _llm_type(self) -> str:
        return "muse-scripted"

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any):
        return self.bind(tools=[convert_to_openai_tool(tool)["function"]["name"] for tool in tools],
                         tool_choice=kwargs.get("tool_choice"))

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None, run_manager: Any = None, **kwargs: Any) -> ChatResult:
        with self._lock:
            step = len(self.seen)
            self.seen.append(list(messages))
            self.offered.append(list(kwargs.get("tools", [])))
            self.chosen.append(kwargs.get("tool_choice"))
            if step >= len(self.script) and not self.repeat:
                raise IndexError(f"the script has {len(self.script)} answers; call {step + 1} asked for another")
            scripted = self.script[step % len(self.script)]
            message = AIMessage(content=scripted) if isinstance(scripted, str) else scripted.model_copy(deep=True)
            for tool_call in message.tool_calls:
                tool_call["id"] = f"call_{next(self._ids)}"
        return ChatResult(generations=[ChatGeneration(message=message)])
