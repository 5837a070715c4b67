"""`muse plan`, `muse train planner`, `muse bench planner`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from muse.cli import app, bench_app, train_app
from muse.errors import MuseError
from muse.settings import get_settings


@app.command("plan")
def plan_command(
    request: Annotated[str | None, typer.Argument(help="what the user asks")] = None,
    tools: Annotated[Path | None, typer.Option("--tools", help="JSON list of OpenAI-style function schemas")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the decision as JSON")] = False,
    batch: Annotated[str | None, typer.Option("--batch", help="JSONL of {request, tools?} ('-': standard input)")] = None,
) -> None:
    """Print the planner's decision: which tools to call with which arguments, or a text answer."""
    from tools.llm.catalog import builtin_schemas
    from tools.llm.schemas import load_tools_file

    offered = load_tools_file(tools) if tools else builtin_schemas()
    if batch is not None:
        if request is not None:
            raise MuseError("give either a request or --batch, not both")
        raise typer.Exit(_plan_batch(batch, offered))
    if request is None or not request.strip():
        raise MuseError("the request is empty")
    result = _planner_plan(request, offered)
    typer.echo(json.dumps(result.to_dict(), ensure_ascii=False) if as_json else _describe(result))


def _planner_plan(request: str, offered: list[dict]):
    from tools.llm.planner import create_chat_model, plan

    return plan(create_chat_model(get_settings()), request, offered)


def _describe(result) -> str:
    if not result.tool_calls:
        return result.content
    return "\n".join(
        f"{call['name']}({', '.join(f'{k}={json.dumps(v, ensure_ascii=False)}' for k, v in call['arguments'].items())})"
        for call in result.tool_calls
    )


def _plan_batch(source: str, default_tools: list[dict]) -> int:
    """Answer one JSON line at a time, in order; a bad line gets an error line. Exit code 2 if any did."""
    import sys

    from tools.llm.schemas import parse_tools

    stream = sys.stdin if source == "-" else _open(Path(source))
    failed = False
    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("request"), str) or not item["request"].strip():
                raise MuseError('expected {"request": "...", "tools": [...]} with a non-empty request')
            offered = parse_tools(item["tools"], "tools") if "tools" in item else default_tools
            output = _planner_plan(item["request"], offered).to_dict()
        except (json.JSONDecodeError, MuseError) as error:
            failed = True
            output = {"error": f"line {number}: {error}"}
        typer.echo(json.dumps(output, ensure_ascii=False))
    return 2 if failed else 0


def _open(path: Path):
    try:
        return path.open()
    except OSError as error:
        raise MuseError(f"{path}: {error.strerror}") from None


@train_app.command("planner")
def train_planner_command(
    steps: Annotated[int, typer.Option(help="optimizer steps")] = 240,
    batch_size: Annotated[int, typer.Option(help="examples per step")] = 4,
    samples: Annotated[int, typer.Option(help="passes over the catalog's phrasings")] = 1,
    seed: Annotated[int, typer.Option(help="seed of the data and the training")] = 0,
    threads: Annotated[int, typer.Option(help="torch threads (0: torch's default)")] = 0,
    out: Annotated[Path | None, typer.Option(help="adapter directory (default: models/planner-lora)")] = None,
    data_only: Annotated[Path | None, typer.Option("--data-only", help="only write the training set as JSONL here")] = None,
    quick: Annotated[bool, typer.Option(help="a few steps on a small slice, for tests")] = False,
    from_adapter: Annotated[Path | None, typer.Option(help="go on training this adapter instead of a fresh one")] = None,
    agent_weight: Annotated[int, typer.Option(help="agent turns per phrasing of muse's own tools")] = 1,
    learning_rate: Annotated[float, typer.Option(help="peak learning rate")] = 4e-4,
    calibrate_only: Annotated[bool, typer.Option(help="only set the trained adapter's call threshold after a result")] = False,
    recipe: Annotated[Path | None, typer.Option(help="train the stages of this recipe file in turn (each sets steps, "
                                                     "learning rate, agent weight and seed); tools/llm/planner_recipe.json "
                                                     "makes the shipped adapter")] = None,
) -> None:
    """Fine-tune the planner's LoRA adapter on the generated function-calling dataset, then set its call
    threshold after a tool's result on held-out decisions (`tools.llm.continuation`)."""
    import torch

    from tools.llm import training
    from tools.llm.dataset import write_jsonl
    from tools.llm.loading import load_lm

    settings = get_settings()
    if threads:
        torch.set_num_threads(threads)
    config = training.TrainConfig(steps=steps, batch_size=batch_size, samples=samples, seed=seed, init_adapter=from_adapter,
                                  agent_weight=agent_weight, learning_rate=learning_rate)
    if quick:
        config = training.TrainConfig(steps=2, batch_size=2, samples=1, seed=seed, answer_tokens=8, limit=24,
                                      init_adapter=from_adapter)
    if data_only:
        lm = load_lm(settings.planner.model, settings.cache_dir)
        examples = training.build_training_set(lm, config, settings.cache_dir)
        write_jsonl(examples, data_only)
        typer.echo(f"wrote {len(examples)} examples to {data_only}")
        return
    out_dir = out or settings.models_dir / "planner-lora"
    if calibrate_only:
        stats = {}
    elif recipe:
        stats = {"stages": _run_recipe(recipe, out_dir, settings, config)}
    else:
        stats = training.train_planner(out_dir, settings.planner.model, settings.cache_dir, config)
    after_result = _calibrate(settings, out_dir, seed, requests=8 if quick else 120)
    typer.echo(json.dumps({"adapter": str(out_dir), **stats, "after_result": after_result}))


def _run_recipe(path: Path, out_dir: Path, settings, config) -> list[dict]:
    from tools.llm.recipe import read_recipe, run_recipe

    stages = read_recipe(path)
    work_dir = settings.cache_dir / "planner-stages"
    typer.echo(f"{len(stages)} stages, {sum(stage.steps for stage in stages)} steps; each stage's adapter under {work_dir}", err=True)
    return run_recipe(stages, out_dir, work_dir, settings.planner.model, settings.cache_dir, config)


def _calibrate(settings, adapter_dir: Path, seed: int, requests: int) -> dict:
    from tools.llm.continuation import calibrate_decoder, write_calibration
    from tools.llm.decoding import Decoder
    from tools.llm.loading import load_lm

    planner = settings.planner
    lm = load_lm(planner.model, settings.cache_dir, adapter=str(adapter_dir), threads=planner.threads, dtype=planner.dtype)
    return write_calibration(adapter_dir, calibrate_decoder(Decoder(lm), seed=seed, requests=requests))


@bench_app.command("planner")
def bench_planner_command(
    limit: Annotated[int, typer.Option(help="requests per held-out set")] = 150,
    seed: Annotated[int, typer.Option(help="seed of the held-out sets")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="print the figures as JSON")] = False,
    write: Annotated[bool, typer.Option(help="write the figures into docs/BENCHMARKS.md")] = True,
) -> None:
    """Routing accuracy on held-out phrasings, unseen tools and no-tool requests; decision latency."""
    from muse.benchmarks import write_section
    from tools.llm.planner_report import measure_planner, render_planner_report

    figures = measure_planner(get_settings(), limit=limit, seed=seed)
    if write:
        write_section("planner", render_planner_report(figures))
    typer.echo(json.dumps(figures, indent=2) if as_json else render_planner_report(figures))
