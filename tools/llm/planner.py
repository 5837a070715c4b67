"""The planner: a chat model with tools bound, local or behind any OpenAI-compatible endpoint.

Callers get a LangChain chat model either way and never see which backend answers.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage

from muse.errors import MuseError
from muse.settings import PlannerSettings, Settings


@dataclass
class Plan:
    """One decision: the tool calls to make, or a text answer."""

    tool_calls: list[dict[str, Any]] = field(default_factory=list)  # {"name", "arguments"}
    content: str = ""
    latency_ms: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"tool_calls": self.tool_calls, "content": self.content, "latency_ms": round(self.latency_ms, 1)}


@lru_cache(maxsize=2)
def load_local_chat_model(
    model: str, adapter: str, cache_dir: Path, max_new_tokens: int, threads: int, dtype: str
):
    """Load once per process: a second planner on the same weights would double memory for nothing."""
    from memory.embeddings import load_minilm
    from tools.llm.chat_model import LocalChatModel
    from tools.llm.continuation import read_threshold
    from tools.llm.decoding import Decoder
    from tools.llm.loading import load_lm
    from tools.llm.tool_similarity import tool_similarities

    lm = load_lm(model, cache_dir, adapter=adapter or None, threads=threads, dtype=dtype)
    load_minilm()  # the decoder weighs tools by it (`tool_similarities`): loaded with the model, not in a decision
    name = f"{model}+{Path(adapter).name}" if adapter else model
    threshold = read_threshold(adapter) if adapter else None
    decoder = Decoder(lm, max_new_tokens=max_new_tokens, call_threshold_after_result=threshold,
                      tool_similarity=tool_similarities)
    return LocalChatModel(decoder=decoder, model_name=name)


def create_chat_model(settings: Settings, planner: PlannerSettings | None = None) -> BaseChatModel:
    planner = planner or settings.planner
    if planner.backend == "openai":
        from langchain_openai import ChatOpenAI

        if not planner.openai_base_url and not planner.openai_api_key:
            raise MuseError("the openai backend needs MUSE_PLANNER__OPENAI_BASE_URL or MUSE_PLANNER__OPENAI_API_KEY")
        return ChatOpenAI(
            model=planner.openai_model,
            base_url=planner.openai_base_url,
            api_key=planner.openai_api_key or "not-needed",
            temperature=planner.temperature,
        )
    return load_local_chat_model(
        planner.model, planner.adapter, settings.cache_dir, planner.max_new_tokens, planner.threads, planner.dtype
    )


def plan(chat_model: BaseChatModel, request: str, tools: list[dict[str, Any]]) -> Plan:
    """Ask the planner what to do about one request, with these tools on offer."""
    if not request.strip():
        raise MuseError("the request is empty")
    started = time.perf_counter()
    message = chat_model.bind_tools(tools).invoke([HumanMessage(request)])
    calls = [{"name": call["name"], "arguments": call["args"]} for call in message.tool_calls]
    content = message.content if isinstance(message.content, str) else str(message.content)
    return Plan(tool_calls=calls, content=content, latency_ms=(time.perf_counter() - started) * 1000)
