"""A run as one self-contained HTML page: scores, then every case (failures first) with its transcript,
tool calls, images (embedded as data URLs) and verdicts."""

from __future__ import annotations

import json
from html import escape

from evals.records import CaseResult, RunReport, TurnRecord

ORDER = {"error": 0, "failed": 1, "skipped": 2, "passed": 3}

STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ddd;padding:.25em .6em;text-align:right}
td:first-child,th:first-child{text-align:left}
details{border:1px solid #ddd;border-radius:6px;margin:.4em 0;padding:.3em .8em}
summary{cursor:pointer}.passed{color:#17813a}.failed,.error{color:#c62828}.skipped{color:#b26a00}
.turn{border-left:3px solid #ccc;margin:.6em 0;padding-left:.8em}.user{font-weight:600}
.call{font-family:ui-monospace,monospace;font-size:12px;background:#f6f6f6;padding:.2em .4em;margin:.2em 0;white-space:pre-wrap}
.answer{white-space:pre-wrap}img{width:96px;height:96px;image-rendering:pixelated;border:1px solid #ccc;margin:2px}
.check{font-size:13px}
"""


def render(report: RunReport) -> str:
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'><title>muse evals</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>muse evals</h1><p>{escape(report.backend)} · {escape(report.model)} · {escape(report.started)}"
        f" · {report.seconds:.0f} s · {report.jobs} job(s)</p>",
        _summary(report),
    ]
    for suite in report.suites:
        parts.append(f"<h2>{escape(suite.name)}</h2><p>{escape(suite.description)}</p>")
        if suite.by_tag:
            rows = "".join(
                f"<tr><td>{escape(tag)}</td><td>{s.cases}</td><td>{100 * s.accuracy:.1f}% ± {100 * s.stderr:.1f}%</td></tr>"
                for tag, s in sorted(suite.by_tag.items())
            )
            parts.append(f"<table><tr><th>tag</th><th>cases</th><th>accuracy</th></tr>{rows}</table>")
        for case in sorted(suite.cases, key=lambda c: (ORDER[c.status], c.id)):
            parts.append(_case(case))
    parts.append("</body></html>")
    return "\n".join(parts)


def _summary(report: RunReport) -> str:
    rows = "".join(
        f"<tr><td>{escape(s.name)}</td><td>{s.score.cases}</td><td>{s.score.passed}</td>"
        f"<td>{100 * s.score.accuracy:.1f}% ± {100 * s.score.stderr:.1f}%</td><td>{100 * s.min_score:.1f}%</td>"
        f"<td class='{'passed' if s.met else 'failed'}'>{'yes' if s.met else 'no'}</td>"
        f"<td>{s.latency.p50_ms:.0f} / {s.latency.p95_ms:.0f}</td></tr>"
        for s in report.suites
    )
    return ("<table><tr><th>suite</th><th>cases</th><th>passed</th><th>accuracy</th><th>min_score</th>"
            f"<th>met</th><th>case ms p50 / p95</th></tr>{rows}</table>")


def _case(case: CaseResult) -> str:
    tags = " ".join(f"[{escape(tag)}]" for tag in case.tags)
    opened = " open" if case.status in ("failed", "error") else ""
    checks = "".join(
        f"<div class='check {_verdict(c.passed)}'>{_mark(c.passed)} <b>{escape(c.type)}</b>: {escape(c.detail)}</div>"
        for c in case.checks
    )
    turns = "".join(_turn(turn) for turn in case.turns)
    return (f"<details{opened}><summary><span class='{case.status}'>{case.status}</span> "
            f"<b>{escape(case.id)}</b> {tags} · {case.ms:.0f} ms</summary>{turns}{checks}</details>")


def _turn(turn: TurnRecord) -> str:
    parts = [f"<div class='turn'><div class='user'>user: {escape(turn.text)}</div>"]
    if turn.attached:
        parts.append(f"<div>attached: {escape(', '.join(turn.attached))}</div>")
    if turn.memories:
        parts.append(f"<div>memories: {escape(' | '.join(turn.memories))}</div>")
    for call in turn.tool_calls:
        arguments = json.dumps(call.arguments, ensure_ascii=False)
        flag = " ⚑ instructions in the result were treated as data" if call.flagged else ""
        parts.append(f"<div class='call'>{escape(call.name)}({escape(arguments)}) · {call.ms:.0f} ms{flag}\n"
                     f"→ {escape(call.error or call.result_summary)}</div>")
    images = "".join(
        f"<img src='{image.data_url}' title='{escape(image.id)}' alt='{escape(image.id)}'>"
        for image in turn.images if image.data_url
    )
    if images:
        parts.append(f"<div>{images}</div>")
    if turn.refused:
        parts.append(f"<div class='failed'>refused ({escape(turn.refusal_category or '')})</div>")
    if turn.error:
        parts.append(f"<div class='error'>error: {escape(turn.error)}</div>")
    parts.append(f"<div class='answer'>muse: {escape(turn.answer)}</div><small>{turn.ms:.0f} ms</small></div>")
    return "".join(parts)


def _verdict(passed: bool | None) -> str:
    return "skipped" if passed is None else "passed" if passed else "failed"


def _mark(passed: bool | None) -> str:
    return "–" if passed is None else "✓" if passed else "✗"
