"""`muse bench agent`: what a turn costs, and what the agent adds beyond its models and tools.

- one-tool turns on the shipped planner: p50/p95 of the whole turn and of the planner's decisions;
- the agent's own overhead (graph, checkpointer, events), measured with an instant scripted planner
  and an instant tool, minus the time spent in the guard's and memory's models;
- end-to-end success on the multi-step conversations of the eval suites (two-step chains, memory
  across turns and sessions, custom tools), through the eval runner.
"""

from __future__ import annotations

import statistics
import time
import uuid
from pathlib import Path
from typing import Any

from langchain_core.tools import tool

from muse.errors import MuseError
from muse.settings import Settings

CONVERSATION_SUITES = ("chains", "memory", "custom_tools")
ONE_TOOL_REQUESTS = ("describe {image}", "classify {image}", "in {image}, what colour is the shape?",
                     "remember that my favourite colour is green", "what do you know about my favourite colour?")


class Timed:
    """Wraps an object and adds up the time spent in its methods."""

    def __init__(self, inner: Any):
        self.inner = inner
        self.seconds = 0.0

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.inner, name)
        if not callable(attribute):
            return attribute

        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return attribute(*args, **kwargs)
            finally:
                self.seconds += time.perf_counter() - started

        return timed


@tool
def echo(text: str) -> str:
    """Repeat the text."""
    return text


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure_overhead(settings: Settings, turns: int = 50) -> dict[str, float]:
    """Median milliseconds per turn the agent adds itself, with a planner and a tool that take no time."""
    from agent.agent import Agent
    from agent.guard import Guard
    from agent.scripted import ScriptedChatModel, call
    from memory.store import MemoryStore
    from tools.image_store import ImageStore
    from tools.services import Services

    memory, guard = Timed(MemoryStore.from_settings(settings)), Timed(Guard.from_settings(settings))
    services = Services(settings, ImageStore(settings.home / "images"), memory=memory)
    model = ScriptedChatModel(script=[call("echo", text="hi"), "done"], repeat=True)
    agent = Agent(settings, chat_model=model, extra_tools=[echo], services=services, guard=guard)
    agent.run("warm up", session_id="warm-up")
    totals, own = [], []
    for index in range(turns):
        spent = memory.seconds + guard.seconds
        result = agent.run(f"echo hi {index}", session_id=uuid.uuid4().hex)
        models_ms = (memory.seconds + guard.seconds - spent) * 1000
        tools_ms = sum(call.ms for call in result.tool_calls)
        totals.append(result.ms)
        own.append(result.ms - models_ms - tools_ms)
    return {"turn_p50_ms": statistics.median(totals), "overhead_p50_ms": statistics.median(own),
            "overhead_p95_ms": percentile(own, 0.95)}


def measure_one_tool_turns(agent: Any, repeats: int = 4) -> dict[str, float]:
    """Turns that need one tool call, on the configured planner and the shipped models."""
    from PIL import Image

    from tools.builtin import index_image

    image = Image.new("RGB", (64, 64), "white")
    record = agent.services.images.put(image, "bench", source="upload")
    index_image(agent.services, "bench", record)
    turn_ms, tools_ms, right = [], [], 0
    for _ in range(repeats):
        for request in ONE_TOOL_REQUESTS:
            result = agent.run(request.format(image=record.id), session_id=uuid.uuid4().hex, user_id="bench")
            turn_ms.append(result.ms)
            tools_ms.append(sum(call.ms for call in result.tool_calls))
            right += len(result.tool_calls) == 1
    return {"turns": len(turn_ms), "turn_p50_ms": statistics.median(turn_ms), "turn_p95_ms": percentile(turn_ms, 0.95),
            "tool_p50_ms": statistics.median(tools_ms), "one_call_rate": right / len(turn_ms)}


def measure_conversations(settings: Settings, saved_report: Path | None = None) -> dict[str, Any]:
    """Success over the eval suites' scripted conversations, each in a fresh session and data directory.

    `saved_report` reads the cases from a report that `muse eval run ... --json` or `muse bench
    evals --json` wrote for these suites, instead of running them again.
    """
    import sys

    import evals
    from evals.records import score_of
    from evals.report import read_json

    if saved_report:
        suites = [suite for suite in read_json(saved_report).suites if suite.name in CONVERSATION_SUITES]
        if {suite.name for suite in suites} != set(CONVERSATION_SUITES):
            raise MuseError(f"{saved_report} does not hold every one of the suites {', '.join(CONVERSATION_SUITES)}")
    else:
        suites = evals.run(list(CONVERSATION_SUITES), settings=settings, progress=sys.stderr.isatty()).suites
    total = score_of([case.status for suite in suites for case in suite.cases])
    return {"conversations": total.cases, "success": total.accuracy, "stderr": total.stderr,
            "by_suite": {suite.name: {"cases": suite.score.cases, "success": suite.score.accuracy} for suite in suites}}


def conversations_row(figures: dict[str, Any]) -> str:
    suites = ", ".join(f"{name} {suite['success']:.0%} of {suite['cases']}" for name, suite in figures["by_suite"].items())
    return (f"| end-to-end success, {figures['conversations']} scripted conversations (goal ≥ 90 %) "
            f"| {figures['success']:.1%} ± {figures['stderr']:.1%} ({suites}) |")


def agent_report(figures: dict[str, Any]) -> str:
    turns, overhead = figures["one_tool_turns"], figures["overhead"]
    rows = [conversations_row(figures["conversations"])] if figures.get("conversations") else []
    return "\n".join([
        "## Agent (`muse bench agent`)",
        "",
        "`muse bench agent` (shipped models, this machine's CPU; medians of one run).",
        "",
        "| measure | value |",
        "|---|---|",
        f"| one-tool turn, p50 / p95 ({turns['turns']} turns) | {turns['turn_p50_ms']:.0f} ms / {turns['turn_p95_ms']:.0f} ms |",
        f"| of which the tool, p50 | {turns['tool_p50_ms']:.0f} ms |",
        f"| turns that made exactly one call | {turns['one_call_rate']:.0%} |",
        f"| agent overhead beyond models and tools, p50 / p95 (goal ≤ 20 ms) | {overhead['overhead_p50_ms']:.1f} ms / {overhead['overhead_p95_ms']:.1f} ms |",
        f"| whole turn with an instant planner and tool, p50 | {overhead['turn_p50_ms']:.1f} ms |",
        *rows,
    ])
