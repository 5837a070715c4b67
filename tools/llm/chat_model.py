"""The local planner as a LangChain chat model: `bind_tools` in, `AIMessage.tool_calls` out, streaming.

Any graph written against LangChain's chat-model interface runs on it or on `ChatOpenAI` alike.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, SystemMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict

from tools.llm.decoding import Decision, Decoder
from tools.llm.prompt import chat_messages, render_calls, render_system, render_tool_result
from tools.llm.schemas import normalize_tools


class LocalChatModel(BaseChatModel):
    """A transformers causal LM (with its LoRA adapter) deciding between tool calls and text."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    decoder: Decoder
    model_name: str = "muse-planner"
    max_text_tokens: int | None = None  # cap on text answers (None: the decoder's max_new_tokens)

    @property
    def _llm_type(self) -> str:
        return "muse-local"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name}

    def bind_tools(self, tools: Sequence[Any], *, tool_choice: Any = None, **kwargs: Any):
        return self.bind(tools=normalize_tools(list(tools)), tool_choice=tool_choice, **kwargs)

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        started = time.perf_counter()
        decision = Decision()
        for item in self._run(messages, **kwargs):
            if isinstance(item, Decision):
                decision = item
            elif run_manager:
                run_manager.on_llm_new_token(item)
        return ChatResult(generations=[ChatGeneration(message=self._message(decision, started))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        started = time.perf_counter()
        for item in self._run(messages, **kwargs):
            if isinstance(item, str):
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=item))
                if run_manager:
                    run_manager.on_llm_new_token(item, chunk=chunk)
                yield chunk
                continue
            final = self._message(item, started)
            chunks = [
                {"name": call["name"], "args": json.dumps(call["args"], ensure_ascii=False), "id": call["id"], "index": i}
                for i, call in enumerate(final.tool_calls)
            ]
            yield ChatGenerationChunk(
                message=AIMessageChunk(content="", tool_call_chunks=chunks, response_metadata=final.response_metadata)
            )

    def _run(self, messages: list[BaseMessage], tools: list[dict] | None = None, tool_choice: Any = None, **_: Any):
        tools = tools or []
        mode, offered = _tool_mode(tool_choice, tools)
        system = "\n".join([render_system(offered), *(_text(m.content) for m in messages if isinstance(m, SystemMessage))])
        turns = to_turns([m for m in messages if not isinstance(m, SystemMessage)], offered)
        return self.decoder.run(chat_messages(system, turns), offered, mode, self.max_text_tokens)

    def _message(self, decision: Decision, started: float) -> AIMessage:
        calls = [
            {"name": name, "args": args, "id": f"call_{uuid.uuid4().hex[:24]}", "type": "tool_call"}
            for name, args in decision.calls
        ]
        metadata = {
            "model_name": self.model_name,
            "latency_ms": round((time.perf_counter() - started) * 1000, 1),
            "generated_tokens": decision.generated_tokens,
            "forced_tokens": decision.forced_tokens,
        }
        return AIMessage(content=decision.content, tool_calls=calls, response_metadata=metadata)


def _tool_mode(tool_choice: Any, tools: list[dict]) -> tuple[str, list[dict]]:
    """LangChain/OpenAI tool_choice as a decoding mode and the tools it allows."""
    if isinstance(tool_choice, dict):
        tool_choice = (tool_choice.get("function") or {}).get("name") or tool_choice.get("name")
    if tool_choice in (None, "auto"):
        return "auto", tools
    if tool_choice == "none":
        return "none", tools
    if tool_choice in ("any", "required", True):
        return "required", tools
    chosen = [tool for tool in tools if tool["name"] == tool_choice]
    if not chosen:
        raise ValueError(f"tool_choice {tool_choice!r} is not among the bound tools")
    return "required", chosen


def _text(content: Any) -> str:
    """Message content as text: strings as they are, the text parts of multi-part content."""
    if isinstance(content, str):
        return content
    parts = []
    for part in content:
        if isinstance(part, str):
            parts.append(part)
        elif part.get("type") == "text":
            parts.append(part["text"])
    return "\n".join(parts)


def to_turns(messages: list[BaseMessage], tools: list[dict]) -> list[dict[str, str]]:
    """LangChain messages as the role/content turns the planner was trained on."""
    by_name = {tool["name"]: tool for tool in tools}
    names_by_call_id: dict[str, str] = {}
    turns = []
    for message in messages:
        if isinstance(message, AIMessage):
            calls = [(call["name"], call["args"]) for call in message.tool_calls]
            names_by_call_id.update({call["id"]: call["name"] for call in message.tool_calls if call.get("id")})
            content = "\n".join(filter(None, [_text(message.content), render_calls(calls, by_name)]))
            turns.append({"role": "assistant", "content": content})
        elif isinstance(message, ToolMessage):
            name = message.name or names_by_call_id.get(message.tool_call_id, "tool")
            turns.append({"role": "tool", "content": render_tool_result(name, _text(message.content))})
        else:
            turns.append({"role": "user", "content": _text(message.content)})
    return turns
