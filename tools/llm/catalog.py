"""The planner's tool catalog: synthetic tools with user phrasings, read from `tools/llm/catalog/`.

Each YAML file declares tools (parameters with the pools their values come from, how enums and numbers
are said) and the phrasings that ask for them. This module turns that into OpenAI-style schemas and
fills phrasings with sampled values, giving a request and the exact call it asks for.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

CATALOG_DIR = Path(__file__).parent / "catalog"
BUILTIN_SCHEMAS = Path(__file__).parent / "builtin_tools.json"
_SLOT = re.compile(r"\{(\w+)\}")
HELD_OUT_PHRASING_EVERY = 5  # every 5th phrasing of a built-in tool is kept for testing


@dataclass(frozen=True)
class CatalogTool:
    name: str
    domain: str
    schema: dict[str, Any]  # OpenAI-style {"name", "description", "parameters"}
    spec: dict[str, dict[str, Any]]  # the YAML parameter specs (pools, say, bounds)
    phrasings: tuple[str, ...]
    pools: dict[str, list[str]]


@dataclass(frozen=True)
class Request:
    text: str
    name: str
    arguments: dict[str, Any]


def builtin_schemas() -> list[dict[str, Any]]:
    """The schemas of muse's own tools, as the planner is trained on them."""
    return json.loads(BUILTIN_SCHEMAS.read_text())


def _json_schema(spec: dict[str, dict[str, Any]]) -> dict[str, Any]:
    properties = {}
    for name, param in spec.items():
        prop: dict[str, Any] = {"type": param["type"], "description": param["description"]}
        if "enum" in param:
            prop["enum"] = list(param["enum"])
        for bound in ("minimum", "maximum"):
            if bound in param:
                prop[bound] = param[bound]
        if param["type"] == "array":
            prop["items"] = dict(param["items"])
        properties[name] = prop
    required = [name for name, param in spec.items() if not param.get("optional")]
    return {"type": "object", "properties": properties, "required": required}


def _load_file(path: Path, shared_pools: dict[str, list[str]], builtin: dict[str, dict]) -> list[CatalogTool]:
    data = yaml.safe_load(path.read_text())
    pools = {**shared_pools, **(data.get("pools") or {})}
    tools = []
    for entry in data["tools"]:
        spec = entry.get("parameters") or {}
        schema = builtin.get(entry["name"]) or {
            "name": entry["name"],
            "description": entry["description"],
            "parameters": _json_schema(spec),
        }
        tools.append(CatalogTool(entry["name"], data["domain"], schema, spec, tuple(entry["phrasings"]), pools))
    return tools


@lru_cache(maxsize=1)
def load_catalog() -> tuple[list[CatalogTool], list[CatalogTool], list[str]]:
    """(built-in tools, synthetic domain tools, requests no tool should handle)."""
    shared_pools = yaml.safe_load((CATALOG_DIR / "pools.yaml").read_text())
    builtin = {schema["name"]: schema for schema in builtin_schemas()}
    builtin_tools = _load_file(CATALOG_DIR / "builtin.yaml", shared_pools, builtin)
    domain_tools = [
        tool for path in sorted((CATALOG_DIR / "domains").glob("*.yaml")) for tool in _load_file(path, shared_pools, {})
    ]
    no_tool = yaml.safe_load((CATALOG_DIR / "no_tool.yaml").read_text())["requests"]
    return builtin_tools, domain_tools, no_tool


def phrasings(tool: CatalogTool, held_out: bool) -> list[str]:
    """A built-in tool's phrasings that are held out of training, or those that are not."""
    return [p for i, p in enumerate(tool.phrasings) if (i % HELD_OUT_PHRASING_EVERY == HELD_OUT_PHRASING_EVERY - 1) == held_out]


def fill(tool: CatalogTool, phrasing: str, rng: random.Random) -> Request:
    """A user request from one phrasing, with the arguments its words carry."""
    arguments, words = {}, {}
    for slot in _SLOT.findall(phrasing):
        arguments[slot], words[slot] = sample_value(tool.spec[slot], tool.pools, rng)
    text = _SLOT.sub(lambda match: words[match.group(1)], phrasing)
    ordered = {name: arguments[name] for name in tool.spec if name in arguments}
    return Request(text=text, name=tool.name, arguments=ordered)


def sample_value(param: dict[str, Any], pools: dict[str, list[str]], rng: random.Random) -> tuple[Any, str]:
    """A value for one parameter, and how a user would say it."""
    kind = param["type"]
    say = param.get("say") or {}
    if "enum" in param:
        value = rng.choice(param["enum"])
        return value, rng.choice(say.get(value) or [str(value).replace("_", " ")])
    if kind == "string":
        value = rng.choice(pools[param["pool"]] if "pool" in param else param["values"])
        return value, value
    if kind == "boolean":
        value = rng.random() < 0.5
        return value, rng.choice(say[value])
    if kind == "array":
        source = pools[param["pool"]] if "pool" in param else param["values"]
        values = rng.sample(source, rng.randint(param.get("min", 1), min(param.get("max", 3), len(source))))
        return values, _say_list(values)
    value = _sample_number(param, rng)
    said = say.get(value)
    return value, rng.choice(said) if said else _format_number(value)


def _sample_number(param: dict[str, Any], rng: random.Random) -> int | float:
    """Small and round numbers, as people say them, inside the parameter's bounds."""
    low, high = param["minimum"], param["maximum"]
    say_keys = [key for key in (param.get("say") or {}) if low <= key <= high]
    if say_keys and rng.random() < 0.5:
        return rng.choice(say_keys)
    scale = rng.choice([10, 10, 100, 1000, high - low or 1])
    top = min(high, low + scale)
    value = rng.uniform(low, top)
    step = param.get("step")
    if param["type"] == "integer" or step is None:
        value = round(value)
        if value > 20 and rng.random() < 0.7:
            value = round(value, -1 if value < 1000 else -2)
        return int(min(max(value, low), high))
    value = round(round(value / step) * step, 2)
    if rng.random() < 0.6:
        value = round(value)
    value = min(max(value, low), high)
    return int(value) if float(value).is_integer() else value


def _format_number(value: int | float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _say_list(values: list[str]) -> str:
    return values[0] if len(values) == 1 else ", ".join(values[:-1]) + " and " + values[-1]
