"""The `muse` console script: one typer app, one module per subcommand group."""

from __future__ import annotations

import sys

import typer

from muse.errors import MuseError

app = typer.Typer(
    name="muse",
    help="muse: an agentic multimodal assistant that plans with a local LLaMA and calls tools.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
train_app = typer.Typer(help="Train the embedded models and write them under models/.", no_args_is_help=True)
bench_app = typer.Typer(help="Measure the embedded models and write the figures to docs/BENCHMARKS.md.", no_args_is_help=True)
app.add_typer(train_app, name="train")
app.add_typer(bench_app, name="bench")


def _register_commands() -> None:
    """Import the subcommand modules; each adds its commands to the apps above."""
    from muse.cli import planner  # noqa: F401
    from muse.cli import vision  # noqa: F401
    from muse.cli import generation  # noqa: F401
    from muse.cli import memory  # noqa: F401
    from muse.cli import evals  # noqa: F401
    from muse.cli import serve  # noqa: F401
    from muse.cli import keys  # noqa: F401
    from muse.cli import tools  # noqa: F401
    from muse.cli import agent  # noqa: F401
    from muse.cli import guard  # noqa: F401


def main() -> None:
    _register_commands()
    try:
        app()
    except MuseError as error:
        print(f"muse: error: {error}", file=sys.stderr)
        sys.exit(2)
