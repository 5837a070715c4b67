"""The agent benchmark's report: every measured figure reaches docs/BENCHMARKS.md."""

from agent.benchmark import CONVERSATION_SUITES, agent_report

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
