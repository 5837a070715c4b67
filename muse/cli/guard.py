"""`muse guard check`, `muse train guard`, `muse bench guard`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from muse.cli import app, bench_app, train_app
from muse.errors import MuseError
from muse.settings import get_settings

guard_app = typer.Typer(help="The guard that screens requests and marks injected instructions in data.", no_args_is_help=True)
app.add_typer(guard_app, name="guard")


def _set_threads(threads: int) -> None:
    if threads > 0:
        import torch

        torch.set_num_threads(threads)


@guard_app.command("check")
def check_command(
    text: Annotated[str, typer.Argument(help="a request, or with --data a tool result or memory")],
    data: Annotated[bool, typer.Option("--data", help="screen TEXT as data for injected instructions")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the verdict as JSON")] = False,
) -> None:
    """Say whether the guard lets TEXT through, and why not. Exit code 1 when it does not."""
    from agent.guard import Guard

    guard = Guard.from_settings(get_settings())
    verdict = guard.check_data(text) if data else guard.check_request(text)
    if as_json:
        typer.echo(json.dumps(verdict.to_dict()))
    elif verdict.allowed:
        typer.echo(f"allowed (score {verdict.score:.2f})")
    else:
        typer.echo(f"{verdict.category}: {verdict.reason} (score {verdict.score:.2f})")
    raise typer.Exit(0 if verdict.allowed else 1)


@train_app.command("guard")
def train_guard_command(
    seed: Annotated[int, typer.Option(help="seed of the data split and the training")] = 0,
    per_template: Annotated[int, typer.Option(help="subject fillings per template")] = 16,
    threshold: Annotated[float, typer.Option(help="threshold the figures are measured at")] = 0.5,
    threads: Annotated[int, typer.Option(help="torch threads for embedding (0: torch's default)")] = 1,
    out: Annotated[Path | None, typer.Option(help="model directory (default: models/guard)")] = None,
    quick: Annotated[bool, typer.Option(help="a small slice of the data, for tests")] = False,
) -> None:
    """Train the guard's classifier head on the generated requests; write guard.json and MODEL_CARD.md."""
    from agent.guard_train import QUICK, TrainConfig, train_guard

    settings = get_settings()
    _set_threads(threads)
    config = QUICK if quick else TrainConfig(per_template=per_template, threshold=threshold)
    config = TrainConfig(**{**config.__dict__, "seed": seed, "threshold": threshold})
    out_dir = out or settings.models_dir / "guard"
    info = train_guard(out_dir, config, cache_dir=settings.cache_dir)
    summary = {key: info[key] for key in ("chosen", "seconds")}
    summary["test"] = {key: info["test"][key] for key in ("harmful_refused", "lookalikes_refused", "accuracy")}
    typer.echo(json.dumps({"model": str(out_dir), **summary}))


@bench_app.command("guard")
def bench_guard_command(
    as_json: Annotated[bool, typer.Option("--json", help="print the figures as JSON")] = False,
    write: Annotated[bool, typer.Option(help="write the figures into docs/BENCHMARKS.md")] = True,
    repeats: Annotated[int, typer.Option(help="single checks timed for the latency")] = 100,
    # One thread: on the shared 2-core machine two threads contend with other jobs (10x slower).
    threads: Annotated[int, typer.Option(help="torch threads (0: torch's default)")] = 1,
) -> None:
    """Held-out refusal of harmful requests and of look-alikes, per category; injection screen; latency."""
    from agent.guard import Guard
    from agent.guard_train import measure_guard, render_guard_report
    from muse.benchmarks import write_section

    _set_threads(threads)
    guard = Guard.from_settings(get_settings())
    if not guard.enabled:
        raise MuseError("the guard is disabled (guard.enabled = false): nothing to measure")
    figures = measure_guard(guard, repeats=repeats)
    report = render_guard_report(figures)
    if write:
        write_section("guard", report)
    typer.echo(json.dumps(figures, indent=2) if as_json else report)
