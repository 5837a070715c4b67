"""The runner on the real agent: a scripted planner for the logic, then the shipped planner on a few cases."""

from __future__ import annotations

import json
import uuid

import pytest
from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult

import evals
from agent.scripted import ScriptedChatModel, call
from evals.report import render_markdown, render_table
from evals.suite import Suite
from muse.settings import Settings

WEATHER = {"schema": {"name": "get_weather", "description": "Current weather for a city.",
                      "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}},
           "result": {"temperature": 12}}


@pytest.fixture
def settings(tmp_path, shared_cache_dir):
    return Settings(home=tmp_path / "home", cache_dir_override=shared_cache_dir)


def weather_suite(**overrides) -> Suite:
    return Suite.model_validate({
        "name": "weather", "min_score": 0.5, "tools": [WEATHER],
        "cases": [
            {"id": "oslo", "tags": ["weather"], "input": "weather in Oslo?", "expect": [
                {"type": "tool_called", "name": "get_weather", "arguments": {"city": "oslo"}},
                {"type": "answer_contains", "text": "12 degrees"}]},
            {"id": "bergen", "tags": ["weather"], "input": "weather in Bergen?", "expect": [
                {"type": "tool_called", "name": "get_weather", "arguments": {"city": "Bergen"}}]},
            {"id": "two-turns", "tags": ["weather", "multi"], "turns": ["weather in Oslo?", "and now?"], "expect": [
                {"type": "tool_called", "name": "get_weather", "times": 2, "turn": "all"},
                {"type": "error", "expected": False}]},
            {"id": "broken-tools", "tags": ["broken"], "input": "hi", "tools": [{"file": "no_such_tools.py"}],
             "expect": [{"type": "tool_not_called"}]},
            {"id": "rubric-only", "tags": ["rubric"], "input": "weather in Oslo?",
             "expect": [{"type": "rubric", "rubric": "says the temperature"}]},
        ],
        **overrides,
    })


class Weatherman(ScriptedChatModel):
    """Calls get_weather for Oslo on a request, answers once the tool has: the same for every case, in any order."""

    script: list = []

    def _generate(self, messages, stop=None, run_manager=None, **kwargs):
        if isinstance(messages[-1], ToolMessage):
            message = AIMessage(content="It is 12 degrees in Oslo.")
        else:
            message = AIMessage(content="", tool_calls=[
                {"name": "get_weather", "args": {"city": "Oslo"}, "id": f"call_{uuid.uuid4().hex[:8]}", "type": "tool_call"}])
        return ChatResult(generations=[ChatGeneration(message=message)])


def scripted_weather() -> ScriptedChatModel:
    return Weatherman()


def test_scripted_run_scores_cases_tags_and_suite(settings):
    report = evals.run(weather_suite(), settings=settings, chat_model=scripted_weather(), progress=False)
    suite = report.suite("weather")
    status = {case.id: case.status for case in suite.cases}
    assert status == {"oslo": "passed", "bergen": "failed", "two-turns": "passed", "broken-tools": "error",
                      "rubric-only": "skipped"}
    assert (suite.score.cases, suite.score.passed) == (4, 2) and suite.score.accuracy == 0.5
    assert suite.met and suite.skipped == 1
    assert suite.by_tag["weather"].cases == 3 and suite.by_tag["multi"].accuracy == 1.0
    bergen = next(case for case in suite.cases if case.id == "bergen")
    assert "Bergen" in bergen.checks[0].detail and "get_weather" in bergen.checks[0].detail
    broken = next(case for case in suite.cases if case.id == "broken-tools")
    assert "no_such_tools.py" in broken.error
    oslo = next(case for case in suite.cases if case.id == "oslo")
    assert oslo.turns[0].tool_calls[0].result_summary == '{"temperature": 12}'
    assert oslo.turns[0].ms > 0 and suite.latency.p50_ms > 0
    assert report.backend == "muse-scripted"
    table = render_table(report)
    assert "weather" in table and "bergen" in table and "oslo" not in table.split("did not pass")[-1]
    assert "| weather | 4 | 50.0%" in render_markdown(report, "muse eval run weather")


def test_tags_select_cases_and_parallel_jobs_give_the_same_verdicts(settings):
    report = evals.run(weather_suite(), settings=settings, chat_model=scripted_weather(), tags=["multi"], progress=False)
    assert [case.id for case in report.suites[0].cases] == ["two-turns"]
    serial = evals.run(weather_suite(), settings=settings, chat_model=scripted_weather(), progress=False)
    parallel = evals.run(weather_suite(), settings=settings, chat_model=scripted_weather(), jobs=3, progress=False)
    assert [(c.id, c.status) for c in parallel.suites[0].cases] == [(c.id, c.status) for c in serial.suites[0].cases]
    assert parallel.jobs == 3


def test_every_case_gets_its_own_data_directory(settings):
    """What one case remembers, the next case never recalls."""
    suite = Suite.model_validate({"name": "isolation", "cases": [
        {"id": f"c{i}", "turns": ["remember that my favourite colour is green", "what is my favourite colour?"],
         "expect": [{"type": "memory", "text": "green", "stored_turn": 0, "recalled_turn": 1}]} for i in range(2)]})
    model = ScriptedChatModel(script=[call("remember", fact="my favourite colour is green"), "Noted.", "Green."], repeat=True)
    report = evals.run(suite, settings=settings, chat_model=model, progress=False)
    first_turns = [case.turns[0] for case in report.suites[0].cases]
    assert all(turn.memories == [] for turn in first_turns), "a case saw another case's memory"
    assert [case.status for case in report.suites[0].cases] == ["passed", "passed"]
    assert not (settings.home / "memory").exists()


def test_images_are_judged_and_embedded(settings, tmp_path):
    suite = Suite.model_validate({"name": "digits", "cases": [
        {"id": "three", "input": "write a 3", "expect": [{"type": "image_fidelity", "attributes": {"digit": 3}}]},
        {"id": "wrong", "input": "write a 3", "expect": [{"type": "image_fidelity", "attributes": {"digit": 8}}]}]})
    model = ScriptedChatModel(script=[call("generate_digit", digit=3, model="gan"), "Here is a 3."], repeat=True)
    fixed = settings.model_copy(update={"generation": settings.generation.model_copy(update={"seed": 0})})
    report = evals.run(suite, settings=fixed, chat_model=model, progress=False)  # one draw, not one bad 3 in twenty
    three, wrong = report.suites[0].cases
    assert three.status == "passed" and wrong.status == "failed"
    image = three.turns[0].images[0]
    assert image.data_url.startswith("data:image/png;base64,")
    html = evals.render_html(report)
    assert html.index("wrong") < html.index("three")  # failures first
    assert image.data_url in html
    evals.write_json(report, tmp_path / "run.json")
    assert json.loads((tmp_path / "run.json").read_text())["suites"][0]["score"]["passed"] == 1


def test_bad_input_is_the_turns_outcome_not_a_crash(settings):
    suite = evals.load_suite("bad_input").select(["empty", "non_image"])
    model = ScriptedChatModel(script=["I could not read that file."], repeat=True)
    report = evals.run(suite, settings=settings, chat_model=model, progress=False)
    status = {case.id: case.status for case in report.suites[0].cases}
    assert status["empty-01"] == "passed" and status["non_image-01"] == "passed"
    assert all(value != "error" for value in status.values())


@pytest.mark.slow
def test_shipped_planner_runs_built_in_cases(settings):
    """A few cases of the built-in suites end to end on the shipped planner and tools."""
    routing = evals.load_suite("routing")
    chosen = {"generate_digit-10", "remember-01", "no_tool-01", "caption_image-01"}
    suite = routing.model_copy(update={"cases": [c for c in routing.cases if c.id in chosen]})
    report = evals.run(suite, settings=settings, progress=False)
    cases = report.suites[0].cases
    assert len(cases) == 4 and all(case.status in ("passed", "failed") for case in cases)
    assert report.backend == "local"
    assert report.suites[0].score.passed >= 2, render_table(report, cases="all")


def test_an_imported_bfcl_suite_offers_only_its_functions_and_scores_like_bfcl(settings, tmp_path):
    from evals.bfcl import import_bfcl

    function = {"name": "geometry.rect_area", "description": "Area of a rectangle.",
                "parameters": {"type": "dict", "properties": {"width": {"type": "integer"}, "height": {"type": "integer"}},
                               "required": ["width", "height"]}}
    question = [[{"role": "user", "content": "area of a 3 by 4 rectangle?"}]]
    (tmp_path / "q.json").write_text("\n".join(json.dumps({"id": f"simple_{i}", "question": question, "function": [function]})
                                               for i in range(2)))
    (tmp_path / "a.json").write_text("\n".join(json.dumps({"id": f"simple_{i}", "ground_truth": [
        {"geometry.rect_area": {"width": [3 + i], "height": [4]}}]}) for i in range(2)))
    suite = import_bfcl(tmp_path / "q.json", tmp_path / "a.json")
    model = ScriptedChatModel(script=[call("geometry_rect_area", width=3, height=4), "12 square units."], repeat=True)
    report = evals.run(suite, settings=settings, chat_model=model, progress=False)
    assert [case.status for case in report.suites[0].cases] == ["passed", "failed"]
    assert "width" in report.suites[0].cases[1].checks[0].detail
    assert model.offered[-1] == ["geometry_rect_area"]


def test_each_case_draws_with_a_seed_of_its_own_unless_one_is_set(settings, tmp_path):
    from evals.runner import case_seed, case_settings

    seeded = case_settings(settings, tmp_path, {"generation": {"steps": 4}}, case_seed("chains", "draw_ask-01"))
    assert seeded.generation.seed == case_seed("chains", "draw_ask-01") != case_seed("chains", "draw_ask-02")
    assert seeded.generation.steps == 4
    assert case_settings(settings, tmp_path, {"generation": {"seed": 3}}, 99).generation.seed == 3
