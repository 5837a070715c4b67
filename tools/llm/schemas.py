"""Tool schemas as the planner takes them: OpenAI-style function schemas, checked and normalised.

Accepted forms: `{"name", "description", "parameters"}`, the same wrapped as
`{"type": "function", "function": {...}}`, or any LangChain tool. `$ref`s are resolved, so the
grammar and the prompt see plain schemas.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from muse.errors import MuseError

TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
EMPTY_PARAMETERS = {"type": "object", "properties": {}}


def normalize_tool(tool: Any) -> dict[str, Any]:
    """One tool as `{"name", "description", "parameters"}`, or a MuseError saying what is wrong."""
    if not isinstance(tool, dict):
        from langchain_core.utils.function_calling import convert_to_openai_tool

        tool = convert_to_openai_tool(tool)
    if tool.get("type") == "function" and isinstance(tool.get("function"), dict):
        tool = tool["function"]
    name = tool.get("name")
    if not isinstance(name, str) or not TOOL_NAME.match(name):
        raise MuseError(f"tool name {name!r} must be 1-64 letters, digits, '_' or '-'")
    description = tool.get("description", "")
    if not isinstance(description, str):
        raise MuseError(f"tool {name}: description must be a string")
    parameters = tool.get("parameters") or EMPTY_PARAMETERS
    _check_parameters(name, parameters)
    return {"name": name, "description": description, "parameters": _dereference(parameters)}


def normalize_tools(tools: list[Any]) -> list[dict[str, Any]]:
    schemas = [normalize_tool(tool) for tool in tools]
    names = [schema["name"] for schema in schemas]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise MuseError(f"duplicate tool names: {', '.join(duplicates)}")
    return schemas


def _check_parameters(name: str, parameters: Any) -> None:
    import jsonschema

    if not isinstance(parameters, dict) or parameters.get("type", "object") != "object":
        raise MuseError(f"tool {name}: parameters must be a JSON schema of type object")
    try:
        jsonschema.validators.validator_for(parameters).check_schema(parameters)
    except jsonschema.SchemaError as error:
        raise MuseError(f"tool {name}: invalid parameters schema: {error.message}") from None
    if not isinstance(parameters.get("properties", {}), dict):
        raise MuseError(f"tool {name}: parameters.properties must be an object")


def _dereference(parameters: dict[str, Any]) -> dict[str, Any]:
    if "$defs" not in parameters and "definitions" not in parameters:
        return parameters
    from langchain_core.utils.json_schema import dereference_refs

    resolved = dereference_refs(parameters)
    resolved.pop("$defs", None)
    resolved.pop("definitions", None)
    return resolved


def parse_tools(data: Any, source: str) -> list[dict[str, Any]]:
    """A JSON list of tool schemas; `source` names where it came from, for error messages."""
    if not isinstance(data, list) or not data:
        raise MuseError(f"{source}: expected a non-empty JSON list of function schemas")
    try:
        return normalize_tools(data)
    except MuseError as error:
        raise MuseError(f"{source}: {error}") from None


def load_tools_file(path: Path) -> list[dict[str, Any]]:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise MuseError(f"{path}: no such file") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise MuseError(f"{path}: not valid JSON ({error})") from None
    return parse_tools(data, str(path))
