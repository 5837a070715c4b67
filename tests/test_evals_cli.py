"""`muse eval`: exit codes (0 met, 1 below min_score, 2 bad input), reports, diff, import-bfcl, list."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from typer.testing import CliRunner

import muse.cli.evals  # noqa: F401  (registers `muse eval` and `muse bench evals`)
from agent.scripted import ScriptedChatModel
from muse.cli import app
from muse.errors import MuseError

SUITE = """
name: tiny
min_score: {min_score}
cases:
  - id: hello
    tags: [chat]
    input: hello
    expect:
      - {{type: answer_contains, text: hello}}
  - id: nothing
    tags: [chat]
    input: say nothing
    expect:
      - {{type: answer_contains, text: "zzz"}}
"""


@pytest.fixture
def scripted(monkeypatch):
    """The CLI's planner replaced by a script that always answers 'hello there'."""
    import tools.llm.planner

    monkeypatch.setattr(tools.llm.planner, "create_chat_model",
                        lambda settings, planner=None: ScriptedChatModel(script=["hello there"], repeat=True))


def write_suite(tmp_path, min_score):
    path = tmp_path / f"tiny_{min_score}.yaml"
    path.write_text(SUITE.format(min_score=min_score))
    return path


def test_run_exits_0_when_met_and_1_below_min_score(tmp_path, scripted):
    runner = CliRunner()
    report, page = tmp_path / "out.json", tmp_path / "out.html"
    met = runner.invoke(app, ["eval", "run", str(write_suite(tmp_path, 0.5)), "--json", str(report),
                              "--html", str(page), "--no-progress"])
    assert met.exit_code == 0, met.output
    assert "tiny" in met.output and "50.0%" in met.output and "nothing" in met.output
    data = json.loads(report.read_text())
    assert data["suites"][0]["score"] == {"cases": 2, "passed": 1, "accuracy": 0.5, "stderr": 0.5}
    assert "<html>" in page.read_text()
    below = runner.invoke(app, ["eval", "run", str(write_suite(tmp_path, 0.9)), "--no-progress"])
    assert below.exit_code == 1
    assert "below min_score: tiny" in below.output


def test_diff_names_regressions_and_improvements(tmp_path, scripted):
    runner = CliRunner()
    before = tmp_path / "before.json"
    runner.invoke(app, ["eval", "run", str(write_suite(tmp_path, 0)), "--json", str(before), "--no-progress"])
    data = json.loads(before.read_text())
    cases = data["suites"][0]["cases"]
    cases[0]["status"], cases[1]["status"] = "failed", "passed"
    after = tmp_path / "after.json"
    after.write_text(json.dumps(data))
    result = runner.invoke(app, ["eval", "diff", str(before), str(after)])
    assert result.exit_code == 0
    assert "regressed: hello" in result.output and "improved:  nothing" in result.output


def test_bad_input_is_a_muse_error(tmp_path):
    runner = CliRunner()
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\ncases:\n  - id: a\n    expect: [{type: tool_called}]\n")
    for arguments, message in [
        (["eval", "run", str(tmp_path / "missing.yaml")], "no such suite"),
        (["eval", "run", str(broken)], "invalid suite"),
        (["eval", "run", "routing", "--backend", "gpt"], "unknown backend"),
        (["eval", "diff", str(tmp_path / "a.json"), str(tmp_path / "b.json")], "no such file"),
        (["eval", "import-bfcl", str(tmp_path / "q.json")], "no such file"),
    ]:
        result = CliRunner().invoke(app, arguments)
        assert isinstance(result.exception, MuseError) and message in str(result.exception), arguments
    del runner


def test_errors_reach_the_user_as_one_line_with_exit_code_2(tmp_path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("cases: [{id: a, input: hi, expect: [{type: no_such_expectation}]}]\n")
    result = subprocess.run([sys.executable, "-m", "muse", "eval", "run", str(broken)], capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "invalid suite" in result.stderr


def test_import_bfcl_writes_a_suite(tmp_path):
    function = {"name": "shop.price", "description": "Price of an item.",
                "parameters": {"type": "dict", "properties": {"item": {"type": "string"}}, "required": ["item"]}}
    (tmp_path / "q.json").write_text(json.dumps({"id": "simple_1", "question": [[{"role": "user", "content": "price of tea?"}]],
                                                 "function": [function]}) + "\n")
    (tmp_path / "a.json").write_text(json.dumps({"id": "simple_1", "ground_truth": [{"shop.price": {"item": ["tea"]}}]}) + "\n")
    out = tmp_path / "bfcl.jsonl"
    result = CliRunner().invoke(app, ["eval", "import-bfcl", str(tmp_path / "q.json"), str(tmp_path / "a.json"), "-o", str(out)])
    assert result.exit_code == 0 and "wrote 1 cases" in result.output
    header, case = [json.loads(line) for line in out.read_text().splitlines()]
    assert header["suite"]["builtin_tools"] is False
    assert case["tools"][0]["schema"]["name"] == "shop_price"


def test_list_shows_the_built_in_suites():
    result = CliRunner().invoke(app, ["eval", "list"])
    assert result.exit_code == 0
    for name in ("routing", "chains", "memory", "custom_tools", "vision", "safety", "bad_input"):
        assert name in result.output


def test_invalid_suite_messages_name_the_place(tmp_path):
    from evals.suite import load_suite

    path = tmp_path / "s.jsonl"
    path.write_text('{"id": "a", "input": "hi"}\n{"id": "a", "input": "again"}\n')
    with pytest.raises(MuseError, match="duplicate case ids: a"):
        load_suite(path)
    path.write_text('{"id": "a", "input": "hi"}\nnot json\n')
    with pytest.raises(MuseError, match=r"s.jsonl:2: not valid JSON"):
        load_suite(path)
