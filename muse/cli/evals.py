"""`muse eval run|diff|import-bfcl|list` and `muse bench evals`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from muse.cli import app, bench_app
from muse.errors import MuseError
from muse.settings import Settings, get_settings

eval_app = typer.Typer(help="Score the agent on eval suites (built-in or your own) and compare runs.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")


def _settings(backend: str | None, model: str | None, tool_files: list[Path]) -> Settings:
    settings = get_settings()
    planner = settings.planner
    if backend:
        planner = planner.model_copy(update={"backend": backend})
    if model:
        planner = planner.model_copy(update={"openai_model" if planner.backend == "openai" else "model": model})
    for path in tool_files:
        if not path.is_file():
            raise MuseError(f"{path}: no such tools file")
    return settings.model_copy(update={"planner": planner, "tools": [*settings.tools, *map(str, tool_files)]})


def _suite_names(suites: list[str]) -> list[str]:
    from evals.suite import BUILTIN_SUITES

    names: list[str] = []
    for suite in suites:
        names += list(BUILTIN_SUITES) if suite == "all" else [suite]
    return names


@eval_app.command("run")
def run_command(
    suites: Annotated[list[str], typer.Argument(help="suite files, built-in suite names, or 'all'")],
    backend: Annotated[str | None, typer.Option(help="planner backend: local or openai")] = None,
    model: Annotated[str | None, typer.Option(help="planner model (local directory/name, or the OpenAI model)")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="only cases with this tag (repeatable)")] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="cases run at once")] = 0,
    tools: Annotated[list[Path] | None, typer.Option("--tools", help="a Python file of extra tools for every case")] = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="write the full report as JSON here")] = None,
    html_out: Annotated[Path | None, typer.Option("--html", help="write an HTML report here")] = None,
    cases: Annotated[str, typer.Option(help="cases listed in the table: failed, all or none")] = "failed",
    write_benchmarks: Annotated[bool, typer.Option(help="write the scores into docs/BENCHMARKS.md")] = False,
    progress: Annotated[bool, typer.Option(help="show a progress bar")] = True,
) -> None:
    """Run suites; exit code 1 when a suite scores below its min_score."""
    import evals
    from evals.report import render_table, write_json

    if backend not in (None, "local", "openai"):
        raise MuseError(f"unknown backend {backend!r}: use local or openai")
    if cases not in ("failed", "all", "none"):
        raise MuseError(f"--cases must be failed, all or none, not {cases!r}")
    names = _suite_names(suites)
    loaded = [evals.load_suite(name) for name in names]  # every suite is checked before any runs
    settings = _settings(backend, model, tools or [])
    report = evals.run(loaded, settings=settings, jobs=jobs or None, tags=tag or [], progress=progress)
    typer.echo(render_table(report, cases=cases))
    if json_out:
        write_json(report, json_out)
    if html_out:
        html_out.parent.mkdir(parents=True, exist_ok=True)
        html_out.write_text(evals.render_html(report))
    if write_benchmarks:
        _write_benchmarks(report, "muse eval run " + " ".join(suites))
    missed = [s.name for s in report.suites if not s.met]
    if missed:
        typer.echo(f"below min_score: {', '.join(missed)}", err=True)
        raise typer.Exit(1)


def _write_benchmarks(report, command: str) -> None:
    from evals.report import render_markdown
    from muse.benchmarks import write_section

    write_section("evals", render_markdown(report, command))


@eval_app.command("diff")
def diff_command(
    before: Annotated[Path, typer.Argument(help="report of the earlier run (muse eval run --json)")],
    after: Annotated[Path, typer.Argument(help="report of the later run")],
) -> None:
    """Cases that regressed and improved between two runs, and each suite's score before and after."""
    from evals.diff import diff_reports, render_diff
    from evals.report import read_json

    typer.echo(render_diff(diff_reports(read_json(before), read_json(after))))


@eval_app.command("import-bfcl")
def import_bfcl_command(
    questions: Annotated[Path, typer.Argument(help="BFCL question file (JSON lines)")],
    answers: Annotated[Path | None, typer.Argument(help="its possible-answer file; none for irrelevance files")] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="the suite to write (.jsonl)")] = Path("bfcl.jsonl"),
    min_score: Annotated[float, typer.Option(help="the suite's min_score")] = 0.0,
) -> None:
    """Turn BFCL question (and possible-answer) files into a suite scored like BFCL's AST checker."""
    from evals.bfcl import import_bfcl
    from evals.suite import dump_jsonl

    suite = import_bfcl(questions, answers, name=out.stem)
    dump_jsonl(suite.model_copy(update={"min_score": min_score}), out)
    typer.echo(f"wrote {len(suite.cases)} cases to {out}")


@eval_app.command("list")
def list_command() -> None:
    """The built-in suites: cases, tags and min_score."""
    import evals
    from evals.suite import BUILTIN_SUITES

    for name in BUILTIN_SUITES:
        suite = evals.load_suite(name)
        tags = sorted({tag for case in suite.cases for tag in case.tags})
        typer.echo(f"{name:<13} {len(suite.cases):>4} cases  min_score {suite.min_score:.2f}  tags: {', '.join(tags)}")


@bench_app.command("evals")
def bench_evals_command(
    suites: Annotated[list[str] | None, typer.Argument(help="suites (default: every built-in suite)")] = None,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="cases run at once")] = 0,
    write: Annotated[bool, typer.Option(help="write the scores into docs/BENCHMARKS.md")] = True,
    json_out: Annotated[Path | None, typer.Option("--json", help="write the full report as JSON here")] = None,
) -> None:
    """Every built-in suite on the configured planner; scores by suite and tag into docs/BENCHMARKS.md."""
    import evals
    from evals.report import render_table, write_json

    names = _suite_names(suites or ["all"])
    report = evals.run([evals.load_suite(n) for n in names], jobs=jobs or None, progress=sys.stderr.isatty())
    typer.echo(render_table(report, cases="none"))
    if json_out:
        write_json(report, json_out)
    if write:
        _write_benchmarks(report, "muse bench evals" + (" " + " ".join(suites) if suites else ""))
