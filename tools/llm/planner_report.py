"""The planner's benchmark run end to end, and its section of docs/BENCHMARKS.md."""

from __future__ import annotations

import platform
from dataclasses import asdict
from typing import Any

from muse.benchmarks import load_average, torch_threads
from muse.settings import Settings
from tools.llm.benchmark import decode_speed, evaluate, test_sets, typical_latency
from tools.llm.chat_model import LocalChatModel
from tools.llm.continuation import scores_on_test_draw
from tools.llm.planner import load_local_chat_model

SPLIT_TITLES = {
    "test_builtin": "muse's tools, held-out phrasings",
    "test_unseen": "unseen tools",
    "test_no_tool": "no tool fits",
}


def _decision_model(settings: Settings, adapter: str) -> LocalChatModel:
    """The planner as the benchmark runs it: a text answer stops after its first token (the decision)."""
    planner = settings.planner
    full = load_local_chat_model(
        planner.model, adapter, settings.cache_dir, planner.max_new_tokens, planner.threads, planner.dtype
    )
    return LocalChatModel(decoder=full.decoder, model_name=full.model_name, max_text_tokens=1)


def measure_planner(settings: Settings, limit: int, seed: int) -> dict[str, Any]:
    sets = test_sets(seed, limit)
    typical = [example.turns[-1]["content"] for example in sets["test_builtin"][:20]]
    figures: dict[str, Any] = {"limit": limit, "seed": seed, "dtype": settings.planner.dtype,
                               "machine": f"{platform.machine()}, {_cores()} cores", "load_average": load_average()}
    for label, adapter in (("adapter", settings.planner.adapter), ("base", "")):
        model = _decision_model(settings, adapter)
        scores = {split: asdict(evaluate(model, examples, f"{label} {split}")[0]) for split, examples in sets.items()}
        figures[label] = {
            "scores": scores,
            "latency": typical_latency(model, typical),
            "decode_tokens_per_s": decode_speed(model.decoder),
        }
    figures["after_result"] = scores_on_test_draw(_decision_model(settings, settings.planner.adapter).decoder, seed, limit)
    figures["threads"] = torch_threads()
    return figures


def _after_result_lines(after: dict[str, Any]) -> list[str]:
    threshold = "none (greedy)" if after["threshold"] is None else f"{after['threshold']:.3f}"
    return [
        f"After a tool's result, {after['decisions']} held-out decisions (`tools.llm.continuation`, test draw): two-step "
        "requests after their first result must call again; the same requests after both results and one-step "
        "requests after theirs must answer. The adapter's call threshold after a result (set by `muse train planner` "
        f"on the calibration draw, `after_result.json`): {threshold}.",
        "",
        "| after a result | greedy decoding | with the threshold |",
        "|---|---|---|",
        f"| calls again when asked for a second step | {after['greedy_go_on']:.1%} | {after['go_on']:.1%} |",
        f"| answers when nothing more was asked | {after['greedy_answer']:.1%} | {after['answer']:.1%} |",
    ]


def _cores() -> int:
    import os

    return os.cpu_count() or 0


def render_planner_report(figures: dict[str, Any]) -> str:
    adapter, base = figures["adapter"], figures["base"]
    lines = [
        "## Planner (`muse bench planner`)",
        "",
        f"Measured with `muse bench planner --limit {figures['limit']} --seed {figures['seed']}` on {figures['machine']}, "
        f"weights in {figures['dtype']}: SmolLM2-135M-Instruct with the shipped LoRA adapter (`models/planner-lora`) against the base model alone, "
        "both with schema-constrained decoding. Exact call: right tools and arguments equal after normalising strings.",
        "",
        "| held-out set | requests | adapter: tool selection | adapter: exact call | base: tool selection | base: exact call |",
        "|---|---|---|---|---|---|",
    ]
    for split, title in SPLIT_TITLES.items():
        a, b = adapter["scores"][split], base["scores"][split]
        lines.append(
            f"| {title} | {a['examples']} | {a['selection']:.1%} | {a['exact']:.1%} | {b['selection']:.1%} | {b['exact']:.1%} |"
        )
    lines += [
        "",
        "Goals: muse's tools ≥ 95 % selection and ≥ 85 % exact; unseen tools ≥ 70 % exact; no tool fits ≥ 90 %.",
        "",
        "| latency (warm, muse's 9 tools offered, 20 requests) | adapter | base |",
        "|---|---|---|",
        f"| decision p50 | {adapter['latency']['p50_ms']:.0f} ms | {base['latency']['p50_ms']:.0f} ms |",
        f"| decision p95 | {adapter['latency']['p95_ms']:.0f} ms | {base['latency']['p95_ms']:.0f} ms |",
        f"| free decoding | {adapter['decode_tokens_per_s']:.1f} tokens/s | {base['decode_tokens_per_s']:.1f} tokens/s |",
        "",
        "Goal: decision p50 ≤ 400 ms warm.",
        "",
        *_after_result_lines(figures["after_result"]),
        "",
        f"Torch threads: {figures['threads']} (`MUSE_PLANNER__THREADS`); 1-minute load average of the machine "
        f"when the run started: {figures['load_average']}.",
    ]
    return "\n".join(lines)
