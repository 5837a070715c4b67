"""Berkeley Function Calling Leaderboard files as muse suites, scored the way BFCL's AST checker scores.

    suite = import_bfcl(Path("BFCL_simple.json"), Path("possible_answer/BFCL_simple.json"))
    dump_jsonl(suite, Path("bfcl_simple.jsonl"))          # muse eval import-bfcl does both

A question line holds `id`, `question` (a list of turns, each a list of role/content messages) and
`function` (BFCL's function docs); the answer line of the same id holds `ground_truth`: one
`{function_name: {parameter: [acceptable values]}}` per expected call, `""` among the values meaning
the parameter may be left out. Irrelevance files have no answers: a case is right only when no
function is called.

BFCL names may contain dots, which OpenAI-style tool names do not allow: tools are offered as
`a_b_c` for `a.b.c` and mapped back when scoring. BFCL's types `dict`, `float`, `tuple` and `any`
become JSON Schema's `object`, `number`, `array` and no type constraint. A call is right when it names
the right function, leaves out no required parameter, has no parameter that is not in the docs and
the answer, every value has the declared type (an integer is a float) and is among the acceptable
values (strings compared without case, spaces or `,./-_*^`); several expected calls are matched in
any order.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from muse.errors import MuseError

TYPE_MAP = {"dict": "object", "float": "number", "tuple": "array", "String": "string", "str": "string",
            "int": "integer", "bool": "boolean", "list": "array", "double": "number", "long": "integer"}
CANNED_RESULT = {"status": "ok"}


def tool_name(name: str) -> str:
    """An OpenAI-style tool name for a BFCL function name (`math.hypot` -> `math_hypot`)."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", name)[:64]


def convert_schema(schema: Any) -> Any:
    """BFCL's parameter schema as JSON Schema: its own type names mapped, `any` unconstrained."""
    if isinstance(schema, list):
        return [convert_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    converted = {}
    for key, value in schema.items():
        if key == "type":
            if value == "any":
                continue
            converted["type"] = TYPE_MAP.get(value, value)
        elif key == "properties" and isinstance(value, dict):
            converted["properties"] = {name: convert_schema(prop) for name, prop in value.items()}
        elif key in ("items", "additionalProperties"):
            converted[key] = convert_schema(value)
        elif key == "optional":  # BFCL's flag; JSON Schema says it with `required`
            continue
        else:
            converted[key] = value
    return converted


def convert_function(function: dict[str, Any]) -> dict[str, Any]:
    parameters = convert_schema(function.get("parameters") or {"type": "object", "properties": {}})
    parameters["type"] = "object"
    return {"name": tool_name(function["name"]), "description": function.get("description", ""), "parameters": parameters}


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """JSON lines (BFCL's `.json` files are JSON lines), or one JSON list."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise MuseError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise MuseError(f"{path}: cannot read ({error})") from None
    if text.lstrip().startswith("["):
        try:
            items = json.loads(text)
        except json.JSONDecodeError as error:
            raise MuseError(f"{path}: not valid JSON ({error.msg})") from None
    else:
        items = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    items.append(json.loads(line))
                except json.JSONDecodeError as error:
                    raise MuseError(f"{path}:{number}: not valid JSON ({error.msg})") from None
    if not all(isinstance(item, dict) and "id" in item for item in items):
        raise MuseError(f"{path}: every line must be a JSON object with an `id`")
    return items


def _turns(question: Any, where: str) -> list[str]:
    """Each BFCL turn (a list of messages) as one user message; a system message goes in front."""
    if isinstance(question, list) and question and isinstance(question[0], dict):
        question = [question]  # an old single-turn shape: one list of messages
    if not isinstance(question, list) or not question:
        raise MuseError(f"{where}: `question` must be a list of turns")
    turns = []
    for messages in question:
        if not isinstance(messages, list):
            raise MuseError(f"{where}: each turn of `question` must be a list of messages")
        parts = [str(m.get("content", "")) for m in messages if isinstance(m, dict) and m.get("role") in ("system", "user")]
        turns.append("\n".join(part for part in parts if part.strip()))
    return turns


def import_bfcl(questions: Path, answers: Path | None = None, name: str | None = None):
    """A suite from BFCL question (and possible-answer) files; without answers, an irrelevance suite."""
    from evals.suite import Suite

    answer_by_id: dict[str, Any] = {}
    if answers is not None:
        answer_by_id = {item["id"]: item.get("ground_truth") for item in read_jsonl(answers)}
    cases = []
    for item in read_jsonl(questions):
        where = f"{questions}: {item['id']}"
        functions = item.get("function") or []
        if isinstance(functions, dict):
            functions = [functions]
        if not functions or not all(isinstance(f, dict) and isinstance(f.get("name"), str) for f in functions):
            raise MuseError(f"{where}: `function` must list function docs with names")
        if answers is not None:
            if item["id"] not in answer_by_id:
                raise MuseError(f"{where}: no answer line with this id in {answers}")
            truth = answer_by_id[item["id"]]
            if isinstance(truth, dict):
                truth = [truth]
            if not isinstance(truth, list) or not all(isinstance(t, dict) and len(t) == 1 for t in truth):
                raise MuseError(f"{where}: `ground_truth` must list {{function: {{parameter: [values]}}}} calls")
        else:
            truth = []
        category = re.sub(r"_\d+$", "", item["id"])
        cases.append({
            "id": item["id"],
            "tags": ["bfcl", category],
            "turns": _turns(item.get("question"), where),
            "tools": [{"schema": convert_function(f), "result": CANNED_RESULT} for f in functions],
            "expect": [{"type": "bfcl_ast", "functions": functions, "ground_truth": truth}],
        })
    if not cases:
        raise MuseError(f"{questions}: no questions")
    return Suite.model_validate({
        "name": name or questions.stem,
        "description": f"imported from {questions.name}" + (f" and {answers.name}" if answers else " (irrelevance)"),
        "builtin_tools": False,
        "cases": cases,
    })


# --- the AST checker --------------------------------------------------------------------------


def standardize(text: str) -> str:
    """Strings as BFCL compares them: no case, no spaces or `,./-_*^`, one kind of quote."""
    return re.sub(r"[ ,./\-_*^]", "", text).lower().replace("'", '"')


def check_calls(functions: list[dict[str, Any]], ground_truth: list[dict[str, dict[str, list[Any]]]],
                calls: list[tuple[str, dict[str, Any]]]) -> tuple[bool, str]:
    """(right, why) of the calls made, against the expected calls in any order."""
    if not ground_truth:
        return (not calls, "no function called" if not calls else f"expected no call, got {[c[0] for c in calls]}")
    if len(calls) != len(ground_truth):
        return False, f"expected {len(ground_truth)} call(s), got {len(calls)}: {[c[0] for c in calls]}"
    docs = {tool_name(f["name"]): f for f in functions}
    docs.update({f["name"]: f for f in functions})
    reasons: list[str] = []

    def search(i: int, used: frozenset[int]) -> bool:
        if i == len(ground_truth):
            return True
        for j, (name, arguments) in enumerate(calls):
            if j in used:
                continue
            ok, reason = check_call(docs, ground_truth[i], name, arguments)
            if ok and search(i + 1, used | {j}):
                return True
            if not ok:
                reasons.append(reason)
        return False

    if search(0, frozenset()):
        return True, "calls match"
    return False, reasons[0] if reasons else "calls do not match"


def check_call(docs: dict[str, dict[str, Any]], expected: dict[str, dict[str, list[Any]]], name: str,
               arguments: dict[str, Any]) -> tuple[bool, str]:
    [(want_name, acceptable)] = expected.items()
    doc = docs.get(name)
    got_name = doc["name"] if doc else name
    if got_name != want_name and tool_name(got_name) != tool_name(want_name):
        return False, f"wrong function: {got_name}, expected {want_name}"
    doc = doc or docs.get(want_name) or {"parameters": {}}
    parameters = doc.get("parameters") or {}
    properties = parameters.get("properties") or {}
    for required in parameters.get("required") or []:
        if required not in arguments:
            return False, f"{want_name}: missing required parameter {required}"
    for param, value in arguments.items():
        if param not in properties or param not in acceptable:
            return False, f"{want_name}: unexpected parameter {param}"
        declared = properties[param].get("type", "any")
        if not type_matches(declared, value):
            return False, f"{want_name}: {param}={value!r} is not of type {declared}"
        if not value_acceptable(value, acceptable[param], declared):
            return False, f"{want_name}: {param}={value!r} not among {acceptable[param]}"
    for param, values in acceptable.items():
        if param not in arguments and "" not in values:
            return False, f"{want_name}: missing parameter {param}"
    return True, "call matches"


def type_matches(declared: str, value: Any) -> bool:
    declared = TYPE_MAP.get(declared, declared)
    if declared == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if declared == "number":  # an integer is a float, as in Python
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if declared == "string":
        return isinstance(value, str)
    if declared == "boolean":
        return isinstance(value, bool)
    if declared == "array":
        return isinstance(value, (list, tuple))
    if declared == "object":
        return isinstance(value, dict)
    return True  # "any", or a type BFCL does not declare


def value_acceptable(value: Any, acceptable: list[Any], declared: str = "any") -> bool:
    return any(_same(value, option) for option in acceptable if not (option == "" and not isinstance(value, str)))


def _same(value: Any, option: Any) -> bool:
    if isinstance(value, str) and isinstance(option, str):
        return standardize(value) == standardize(option)
    if isinstance(value, bool) or isinstance(option, bool):
        return value is option or value == option and type(value) is type(option)
    if isinstance(value, (int, float)) and isinstance(option, (int, float)):
        return float(value) == float(option)
    if isinstance(value, (list, tuple)) and isinstance(option, (list, tuple)):
        return len(value) == len(option) and all(_same(v, o) for v, o in zip(value, option))
    if isinstance(value, dict) and isinstance(option, dict):
        return _dict_acceptable(value, option)
    return value == option


def _dict_acceptable(value: dict[str, Any], option: dict[str, Any]) -> bool:
    """A dict parameter: each key's value among that key's acceptable values (`""`: may be left out)."""
    for key, got in value.items():
        if key not in option:
            return False
        choices = option[key] if isinstance(option[key], list) else [option[key]]
        if not any(_same(got, choice) for choice in choices if choice != "" or isinstance(got, str)):
            return False
    for key, choices in option.items():
        choices = choices if isinstance(choices, list) else [choices]
        if key not in value and "" not in choices:
            return False
    return True
