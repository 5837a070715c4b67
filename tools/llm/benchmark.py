"""`muse bench planner`: routing accuracy on held-out sets and decision latency, adapter vs base model."""

from __future__ import annotations

import random
import statistics
import time
import unicodedata
from dataclasses import dataclass
from typing import Any

from langchain_core.language_models import BaseChatModel
from tqdm.auto import tqdm

from tools.llm.catalog import builtin_schemas
from tools.llm.dataset import DatasetBuilder, Example
from tools.llm.planner import plan


@dataclass
class SplitScore:
    examples: int
    selection: float  # the right tools were called (none, for no-tool requests)
    exact: float  # ... with the right arguments


def normalize(value: Any) -> Any:
    """Arguments compared as users mean them: case, spacing, accents of strings and 3 == 3.0 ignored."""
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).casefold().strip().strip(".?!")
        return " ".join(text.split())
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, list):
        return [normalize(item) for item in value]
    if isinstance(value, dict):
        return {key: normalize(item) for key, item in value.items()}
    return value


def score(example: Example, tool_calls: list[dict[str, Any]]) -> tuple[bool, bool]:
    """(selection right, exact call right) of one decision."""
    expected = example.calls
    selection = [c["name"] for c in tool_calls] == [c["name"] for c in expected]
    exact = selection and all(
        normalize(got["arguments"]) == normalize(want["arguments"]) for got, want in zip(tool_calls, expected)
    )
    return selection, exact


def evaluate(chat_model: BaseChatModel, examples: list[Example], label: str) -> tuple[SplitScore, list[float]]:
    hits, exact_hits, latencies = 0, 0, []
    for example in tqdm(examples, desc=label, unit="req"):
        result = plan(chat_model, example.turns[-1]["content"], example.tools)
        selection, exact = score(example, result.tool_calls)
        hits += selection
        exact_hits += exact
        latencies.append(result.latency_ms)
    count = max(1, len(examples))
    return SplitScore(len(examples), hits / count, exact_hits / count), latencies


def test_sets(seed: int, limit: int) -> dict[str, list[Example]]:
    builder = DatasetBuilder(seed)
    samples = {"test_builtin": 4, "test_unseen": 1, "test_no_tool": 3}
    sets = {}
    for split, passes in samples.items():
        examples = list(builder.build(split, passes))
        random.Random(seed).shuffle(examples)
        sets[split] = examples[:limit]
    return sets


def typical_latency(chat_model: BaseChatModel, requests: list[str], warmup: int = 2) -> dict[str, float]:
    """Warm decision latency with muse's own tools offered, as `muse plan` does."""
    tools = builtin_schemas()
    for request in requests[:warmup]:
        plan(chat_model, request, tools)
    latencies = sorted(plan(chat_model, request, tools).latency_ms for request in requests)
    return {"p50_ms": statistics.median(latencies), "p95_ms": latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]}


def decode_speed(decoder: Any, tokens: int = 48) -> float:
    """Free decoding speed in tokens per second (a text answer, no grammar)."""
    messages = [{"role": "system", "content": "You are muse, a helpful assistant."},
                {"role": "user", "content": "Tell me a long story about a lighthouse keeper."}]
    started = time.perf_counter()
    decision = decoder.decide(messages, [], mode="none", max_text_tokens=tokens)
    return decision.generated_tokens / (time.perf_counter() - started)
