"""The BFCL importer and AST-checker scoring, on made-up question and answer lines written for these tests."""

from __future__ import annotations

import json

import pytest

from evals.bfcl import check_calls, convert_function, import_bfcl, standardize, tool_name
from evals.suite import dump_jsonl, load_suite
from muse.errors import MuseError

RECT = {"name": "geometry.rect_area", "description": "Area of a rectangle.",
        "parameters": {"type": "dict", "properties": {
            "width": {"type": "integer", "description": "width"},
            "height": {"type": "integer", "description": "height"},
            "unit": {"type": "string", "description": "unit of length"}},
            "required": ["width", "height"]}}
TEA = {"name": "kitchen.brew_tea", "description": "Brew a pot of tea.",
       "parameters": {"type": "dict", "properties": {
           "leaves": {"type": "string", "description": "kind of tea"},
           "minutes": {"type": "float", "description": "steeping time"},
           "extras": {"type": "tuple", "items": {"type": "string"}, "description": "milk, sugar..."},
           "options": {"type": "dict", "properties": {"cups": {"type": "integer"}, "pot": {"type": "string"}},
                       "description": "serving options"},
           "note": {"type": "any", "description": "anything"}},
           "required": ["leaves"]}}
QUESTIONS = [
    {"id": "simple_1", "question": [[{"role": "user", "content": "What is the area of a 3 by 4 cm rectangle?"}]],
     "function": [RECT]},
    {"id": "multiple_2", "question": [[{"role": "system", "content": "Be brief."},
                                       {"role": "user", "content": "Brew green tea for 2.5 minutes."}]],
     "function": [RECT, TEA]},
]
ANSWERS = [
    {"id": "simple_1", "ground_truth": [{"geometry.rect_area": {"width": [3], "height": [4], "unit": ["cm", ""]}}]},
    {"id": "multiple_2", "ground_truth": [{"kitchen.brew_tea": {
        "leaves": ["green", "green tea"], "minutes": [2.5], "extras": [["milk"], ""],
        "options": [{"cups": [2], "pot": ["small", ""]}, ""], "note": [""]}}]},
]


def write_lines(path, items):
    path.write_text("\n".join(json.dumps(item) for item in items) + "\n")
    return path


def test_names_and_types_map_to_openai_style_schemas():
    assert tool_name("geometry.rect_area") == "geometry_rect_area"
    schema = convert_function(TEA)
    assert schema["name"] == "kitchen_brew_tea"
    props = schema["parameters"]["properties"]
    assert schema["parameters"]["type"] == "object"
    assert props["minutes"]["type"] == "number" and props["extras"]["type"] == "array"
    assert props["options"]["type"] == "object" and props["options"]["properties"]["cups"]["type"] == "integer"
    assert "type" not in props["note"]
    assert standardize("Green-Tea, please.") == "greenteaplease"


def test_simple_call_scoring():
    truth = ANSWERS[0]["ground_truth"]
    assert check_calls([RECT], truth, [("geometry_rect_area", {"width": 3, "height": 4})])[0]
    assert check_calls([RECT], truth, [("geometry_rect_area", {"width": 3, "height": 4, "unit": "CM"})])[0]
    wrong_value = check_calls([RECT], truth, [("geometry_rect_area", {"width": 4, "height": 3})])
    assert not wrong_value[0] and "width" in wrong_value[1]
    missing = check_calls([RECT], truth, [("geometry_rect_area", {"width": 3})])
    assert not missing[0] and "missing required parameter height" in missing[1]
    extra = check_calls([RECT], truth, [("geometry_rect_area", {"width": 3, "height": 4, "depth": 1})])
    assert not extra[0] and "unexpected parameter depth" in extra[1]
    wrong_type = check_calls([RECT], truth, [("geometry_rect_area", {"width": "3", "height": 4})])
    assert not wrong_type[0] and "type" in wrong_type[1]
    assert not check_calls([RECT], truth, [])[0]
    assert not check_calls([RECT], truth, [("geometry_rect_area", {"width": 3, "height": 4})] * 2)[0]


def test_multiple_functions_types_and_nested_dicts():
    functions, truth = [RECT, TEA], ANSWERS[1]["ground_truth"]
    assert check_calls(functions, truth, [("kitchen_brew_tea", {"leaves": "Green Tea", "minutes": 2.5})])[0]
    assert check_calls(functions, truth, [("kitchen_brew_tea", {"leaves": "green", "minutes": 2.5, "extras": ["Milk"],
                                                                "options": {"cups": 2}})])[0]
    assert not check_calls(functions, truth, [("kitchen_brew_tea", {"leaves": "green", "minutes": 2.5,
                                                                    "options": {"cups": 3}})])[0]
    assert not check_calls(functions, truth, [("geometry_rect_area", {"width": 3, "height": 4})])[0]
    as_int = [{"kitchen.brew_tea": {"leaves": ["green"], "minutes": [3.0]}}]
    assert check_calls(functions, as_int, [("kitchen_brew_tea", {"leaves": "green", "minutes": 3})])[0]  # int is a float
    assert not check_calls(functions, as_int, [("kitchen_brew_tea", {"leaves": "green", "minutes": True})])[0]


def test_parallel_calls_match_in_any_order_and_irrelevance_wants_no_call():
    truth = [{"geometry.rect_area": {"width": [1], "height": [2]}}, {"geometry.rect_area": {"width": [5], "height": [6]}}]
    calls = [("geometry_rect_area", {"width": 5, "height": 6}), ("geometry_rect_area", {"width": 1, "height": 2})]
    assert check_calls([RECT], truth, calls)[0]
    assert not check_calls([RECT], truth, [calls[0], calls[0]])[0]
    assert check_calls([RECT], [], [])[0]
    assert not check_calls([RECT], [], [("geometry_rect_area", {"width": 1, "height": 1})])[0]


def test_import_writes_a_suite_that_loads_back(tmp_path):
    questions = write_lines(tmp_path / "questions.json", QUESTIONS)
    answers = write_lines(tmp_path / "answers.json", ANSWERS)
    suite = import_bfcl(questions, answers)
    assert [c.id for c in suite.cases] == ["simple_1", "multiple_2"]
    assert suite.builtin_tools is False
    assert suite.cases[1].tags == ["bfcl", "multiple"]
    assert suite.cases[1].turns[0].text == "Be brief.\nBrew green tea for 2.5 minutes."
    assert [t.schema_["name"] for t in suite.cases[1].tools] == ["geometry_rect_area", "kitchen_brew_tea"]
    out = tmp_path / "suite.jsonl"
    dump_jsonl(suite, out)
    again = load_suite(out)
    assert again.builtin_tools is False and again.cases[0].expect[0].type == "bfcl_ast"
    assert again.cases[0].expect[0].ground_truth == ANSWERS[0]["ground_truth"]


def test_irrelevance_import_and_bad_files(tmp_path):
    questions = write_lines(tmp_path / "irrelevance.json", [{**QUESTIONS[0], "id": "irrelevance_3"}])
    suite = import_bfcl(questions)
    assert suite.cases[0].expect[0].ground_truth == []
    with pytest.raises(MuseError, match="no such file"):
        import_bfcl(tmp_path / "missing.json")
    answers = write_lines(tmp_path / "answers.json", [ANSWERS[1]])
    with pytest.raises(MuseError, match="no answer line"):
        import_bfcl(write_lines(tmp_path / "q.json", QUESTIONS), answers)
    (tmp_path / "broken.json").write_text('{"id": "x"\n')
    with pytest.raises(MuseError, match="not valid JSON"):
        import_bfcl(tmp_path / "broken.json")
