"""What a run records: each turn as the agent took it, each expectation's verdict, scores per suite.

These models are the JSON of `muse eval run --json` and what `muse eval diff` and the HTML report read.
"""

from __future__ import annotations

import math
import statistics
from typing import Any, Literal

from pydantic import BaseModel, Field

Status = Literal["passed", "failed", "error", "skipped"]


class CallRecord(BaseModel):
    name: str
    arguments: dict[str, Any] = {}
    result_summary: str = ""
    ms: float = 0.0
    images: list[str] = []
    error: str | None = None
    flagged: bool = False


class ImageView(BaseModel):
    id: str
    path: str
    data_url: str | None = None  # the PNG itself, kept for the HTML report once the data dir is gone


class TurnRecord(BaseModel):
    """One user turn and what the agent did with it (an `agent.events.TurnResult`, flattened)."""

    text: str
    attached: list[str] = []  # image ids handed to the agent with the message
    answer: str = ""
    tool_calls: list[CallRecord] = []
    images: list[ImageView] = []
    memories: list[str] = []
    refused: bool = False
    refusal_category: str | None = None
    ms: float = 0.0
    error: str | None = None  # the turn raised instead of finishing

    @classmethod
    def from_result(cls, text: str, attached: list[str], result: Any) -> TurnRecord:
        """From a `TurnResult` (or anything with its attributes)."""
        return cls(
            text=text,
            attached=list(attached),
            answer=result.answer or "",
            tool_calls=[
                CallRecord(
                    name=c.name, arguments=dict(c.arguments or {}), result_summary=c.result_summary or "",
                    ms=c.ms, images=list(c.images or []), error=c.error, flagged=getattr(c, "flagged", False),
                )
                for c in result.tool_calls
            ],
            images=[ImageView(id=i.id, path=str(i.path)) for i in result.images],
            memories=list(result.memories or []),
            refused=bool(result.refused),
            refusal_category=result.refusal_category,
            ms=result.ms,
        )


class Check(BaseModel):
    """One expectation's verdict: passed, failed, or None when it could not be judged here (skipped)."""

    type: str
    passed: bool | None
    detail: str = ""


class CaseResult(BaseModel):
    id: str
    tags: list[str] = []
    status: Status
    checks: list[Check] = []
    turns: list[TurnRecord] = []
    ms: float = 0.0
    error: str | None = None


class Score(BaseModel):
    cases: int  # judged cases (skipped ones excluded)
    passed: int
    accuracy: float
    stderr: float


class LatencySummary(BaseModel):
    p50_ms: float = 0.0
    p90_ms: float = 0.0
    p95_ms: float = 0.0
    max_ms: float = 0.0
    turn_p50_ms: float = 0.0


class SuiteReport(BaseModel):
    name: str
    path: str | None = None
    description: str = ""
    min_score: float = 0.0
    score: Score
    by_tag: dict[str, Score] = {}
    latency: LatencySummary = LatencySummary()
    skipped: int = 0
    met: bool
    cases: list[CaseResult] = []


class RunReport(BaseModel):
    suites: list[SuiteReport] = []
    backend: str = ""
    model: str = ""
    started: str = ""
    seconds: float = 0.0
    jobs: int = 1
    tags: list[str] = []
    meta: dict[str, Any] = Field(default_factory=dict)

    @property
    def met(self) -> bool:
        return all(suite.met for suite in self.suites)

    def suite(self, name: str) -> SuiteReport:
        for suite in self.suites:
            if suite.name == name:
                return suite
        raise KeyError(name)


def score_of(statuses: list[Status]) -> Score:
    """Accuracy with its standard error (sample standard deviation / sqrt(n), as inspect_ai reports)."""
    judged = [s for s in statuses if s != "skipped"]
    n = len(judged)
    passed = sum(s == "passed" for s in judged)
    accuracy = passed / n if n else 0.0
    stderr = math.sqrt(accuracy * (1 - accuracy) / (n - 1)) if n > 1 else 0.0
    return Score(cases=n, passed=passed, accuracy=accuracy, stderr=stderr)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0-100) of a non-empty list; 0 for an empty one."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def summarise_suite(name: str, cases: list[CaseResult], *, min_score: float = 0.0, path: str | None = None,
                    description: str = "") -> SuiteReport:
    score = score_of([c.status for c in cases])
    tags = sorted({tag for case in cases for tag in case.tags})
    by_tag = {tag: score_of([c.status for c in cases if tag in c.tags]) for tag in tags}
    case_ms = [c.ms for c in cases if c.status != "skipped"]
    turn_ms = [t.ms for c in cases for t in c.turns if t.error is None]
    latency = LatencySummary(
        p50_ms=percentile(case_ms, 50), p90_ms=percentile(case_ms, 90), p95_ms=percentile(case_ms, 95),
        max_ms=max(case_ms, default=0.0), turn_p50_ms=statistics.median(turn_ms) if turn_ms else 0.0,
    )
    return SuiteReport(
        name=name, path=path, description=description, min_score=min_score, score=score, by_tag=by_tag,
        latency=latency, skipped=sum(c.status == "skipped" for c in cases),
        met=score.cases == 0 or score.accuracy >= min_score - 1e-9, cases=cases,
    )
