"""A run's report as a terminal table, JSON, Markdown for docs/BENCHMARKS.md, or HTML (`evals/html.py`)."""

from __future__ import annotations

import io
import json
from pathlib import Path

from evals.records import CaseResult, RunReport, SuiteReport

STATUS_STYLE = {"passed": "green", "failed": "red", "error": "bold red", "skipped": "yellow"}


def write_json(report: RunReport, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(report.model_dump_json(indent=1))


def read_json(path: Path) -> RunReport:
    from pydantic import ValidationError

    from muse.errors import MuseError

    try:
        return RunReport.model_validate_json(path.read_text())
    except FileNotFoundError:
        raise MuseError(f"{path}: no such file") from None
    except (ValidationError, ValueError) as error:
        raise MuseError(f"{path}: not a report of `muse eval run --json` ({str(error).splitlines()[0]})") from None


def render_html(report: RunReport) -> str:
    from evals.html import render

    return render(report)


def _pct(value: float) -> str:
    return f"{100 * value:.1f}%"


def render_table(report: RunReport, cases: str = "failed", width: int = 110) -> str:
    """Per-suite scores, per-tag scores and the cases (`failed`: only those that did not pass; `all`; `none`)."""
    from rich.console import Console
    from rich.table import Table

    buffer = io.StringIO()
    console = Console(file=buffer, width=width, force_terminal=False, color_system=None)
    summary = Table(title=f"muse evals · {report.backend} {report.model} · {report.seconds:.0f} s", title_justify="left")
    for column in ("suite", "cases", "passed", "accuracy ± s.e.", "min_score", "met", "p50 / p95 case ms"):
        summary.add_column(column, justify="left" if column == "suite" else "right")
    for suite in report.suites:
        score = suite.score
        summary.add_row(
            suite.name, str(score.cases), str(score.passed), f"{_pct(score.accuracy)} ± {_pct(score.stderr)}",
            _pct(suite.min_score), "yes" if suite.met else "NO",
            f"{suite.latency.p50_ms:.0f} / {suite.latency.p95_ms:.0f}",
        )
    console.print(summary)
    for suite in report.suites:
        if suite.by_tag:
            tags = Table(title=f"{suite.name} by tag", title_justify="left")
            for column in ("tag", "cases", "accuracy ± s.e."):
                tags.add_column(column, justify="left" if column == "tag" else "right")
            for tag, score in sorted(suite.by_tag.items()):
                tags.add_row(tag, str(score.cases), f"{_pct(score.accuracy)} ± {_pct(score.stderr)}")
            console.print(tags)
        shown = [c for c in suite.cases if cases == "all" or (cases == "failed" and c.status in ("failed", "error"))]
        if shown:
            table = Table(title=f"{suite.name}: {'cases' if cases == 'all' else 'cases that did not pass'}",
                          title_justify="left", show_lines=False)
            table.add_column("case")
            table.add_column("status")
            table.add_column("ms", justify="right")
            table.add_column("why")
            for case in shown:
                table.add_row(case.id, case.status, f"{case.ms:.0f}", _why(case))
            console.print(table)
    return buffer.getvalue()


def _why(case: CaseResult, limit: int = 160) -> str:
    failed = [check for check in case.checks if check.passed is False]
    text = "; ".join(f"{check.type}: {check.detail}" for check in failed) or "ok"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_markdown(report: RunReport, command: str) -> str:
    """The evals section of docs/BENCHMARKS.md: every suite's score, then its tags."""
    lines = [
        "## Eval suites (`muse eval run`)",
        "",
        f"Measured with `{command}` on {report.started[:10]}: planner `{report.model}` ({report.backend} backend),"
        f" {report.seconds / 60:.1f} minutes on this 2-core CPU. Accuracy is the share of cases whose every"
        " expectation held, ± its standard error; `min_score` is the CI gate.",
        "",
        "| suite | cases | accuracy | min_score | met | case p50 / p95 |",
        "|---|---|---|---|---|---|",
    ]
    for suite in report.suites:
        lines.append(
            f"| {suite.name} | {suite.score.cases} | {_pct(suite.score.accuracy)} ± {_pct(suite.score.stderr)} | "
            f"{_pct(suite.min_score)} | {'yes' if suite.met else 'no'} | "
            f"{suite.latency.p50_ms / 1000:.1f} s / {suite.latency.p95_ms / 1000:.1f} s |"
        )
    for suite in report.suites:
        if suite.by_tag:
            lines += ["", f"**{suite.name}** by tag: " + ", ".join(
                f"{tag} {_pct(score.accuracy)} ({score.cases})" for tag, score in sorted(suite.by_tag.items())
            ) + "."]
    return "\n".join(lines)


def suite_summary(suite: SuiteReport) -> dict:
    """A suite's figures without its cases (for `--json -` style summaries)."""
    return json.loads(suite.model_dump_json(exclude={"cases"}))
