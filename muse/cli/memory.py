"""`muse bench memory`."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from muse.cli import bench_app
from muse.settings import get_settings


@bench_app.command("memory")
def bench_memory_command(
    seed: Annotated[int, typer.Option(help="seed choosing the phrasings of the templated facts")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="print the figures as JSON")] = False,
    write: Annotated[bool, typer.Option(help="write the figures into docs/BENCHMARKS.md")] = False,
) -> None:
    """Recall@1 of 200 facts, supersession, duplicates, forgetting and latency of muse's memory."""
    from memory.benchmark import measure_memory, render_memory_report
    from muse.benchmarks import write_section

    figures = measure_memory(get_settings(), seed=seed)
    report = render_memory_report(figures)
    if write:
        write_section("memory", report)
    typer.echo(json.dumps(figures, indent=2, ensure_ascii=False) if as_json else report)
