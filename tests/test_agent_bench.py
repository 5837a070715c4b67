"""The agent benchmark's report: every measured figure reaches docs/BENCHMARKS.md."""

import pytest

from agent.benchmark import CONVERSATION_SUITES, agent_report, measure_conversations
from muse.errors import MuseError
from muse.settings import Settings

FIGURES = {
    "one_tool_turns": {"turns": 20, "turn_p50_ms": 812.0, "turn_p95_ms": 1530.0, "tool_p50_ms": 95.0, "one_call_rate": 0.95},
    "overhead": {"turn_p50_ms": 41.2, "overhead_p50_ms": 6.3, "overhead_p95_ms": 9.8},
}


def test_report_without_conversations_has_no_success_row():
    report = agent_report(FIGURES)
    assert "812 ms / 1530 ms" in report and "6.3 ms / 9.8 ms" in report and "95%" in report
    assert "end-to-end success" not in report


def test_report_shows_end_to_end_success_by_suite():
    conversations = {"conversations": 140, "success": 0.9, "stderr": 0.025,
                     "by_suite": {name: {"cases": 40 + i, "success": 0.8 + i / 10} for i, name in enumerate(CONVERSATION_SUITES)}}
    report = agent_report({**FIGURES, "conversations": conversations})
    row = next(line for line in report.splitlines() if "end-to-end success" in line)
    assert "140 scripted conversations" in row and "90.0% ± 2.5%" in row
    assert "chains 80% of 40" in row and "custom_tools 100% of 42" in row


def _saved_report(tmp_path, names):
    from evals.records import CaseResult, RunReport, summarise_suite
    from evals.report import write_json

    suites = [summarise_suite(name, [CaseResult(id=f"{name}-{i}", status="passed" if i < 3 else "failed") for i in range(4)])
              for name in names]
    path = tmp_path / "report.json"
    write_json(RunReport(suites=suites), path)
    return path


def test_conversations_are_read_from_a_saved_eval_report(tmp_path):
    figures = measure_conversations(Settings(home=tmp_path), _saved_report(tmp_path, [*CONVERSATION_SUITES, "routing"]))
    assert figures["conversations"] == 4 * len(CONVERSATION_SUITES) and figures["success"] == 0.75
    assert set(figures["by_suite"]) == set(CONVERSATION_SUITES)


def test_a_saved_report_without_every_conversation_suite_is_refused(tmp_path):
    with pytest.raises(MuseError, match="does not hold"):
        measure_conversations(Settings(home=tmp_path), _saved_report(tmp_path, ["chains", "routing"]))
