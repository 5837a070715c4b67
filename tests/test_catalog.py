"""The planner's tool catalog (tools/llm/catalog) is well-formed: every tool, parameter and phrasing
follows the rules the dataset generator relies on."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "tools" / "llm" / "catalog"
BUILTIN_JSON = ROOT / "tools" / "llm" / "builtin_tools.json"

RESERVED = {
    "generate_image", "caption_image", "ask_image", "classify_image", "search_images",
    "generate_digit", "remember", "recall", "forget",
}
NAME_RE = re.compile(r"^[a-z][a-z0-9_]{2,40}$")
POOL_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
TYPES = {"string", "integer", "number", "boolean", "array"}
PARAM_KEYS = {
    "type", "description", "optional", "pool", "values", "enum", "say",
    "minimum", "maximum", "step", "items", "min", "max",
}
MIN_DOMAIN_FILES = 30
MIN_TOOLS = 250
MIN_DOMAIN_PHRASINGS = 6
MIN_BUILTIN_PHRASINGS = 40
MIN_NO_TOOL = 200


def _load(path: Path):
    with path.open(encoding="utf-8") as f:
        return yaml.safe_load(f)


def _domain_files() -> list[Path]:
    return sorted((CATALOG / "domains").glob("*.yaml"))


def _tool_files() -> list[Path]:
    return [*_domain_files(), CATALOG / "builtin.yaml"]


def _slots(phrasing: str) -> list[str]:
    return [field for _, field, _, _ in string.Formatter().parse(phrasing) if field is not None]


def _clean_text(value: object) -> bool:
    return isinstance(value, str) and value.strip() == value and value != "" and '"' not in value and "\\" not in value


@pytest.fixture(scope="module")
def global_pools() -> dict:
    return _load(CATALOG / "pools.yaml")


@pytest.fixture(scope="module")
def docs() -> dict[str, dict]:
    return {p.name: _load(p) for p in _tool_files()}


def test_pools_file(global_pools):
    assert isinstance(global_pools, dict) and global_pools
    for name, values in global_pools.items():
        assert POOL_NAME_RE.match(name), name
        assert isinstance(values, list) and 20 <= len(values) <= 100, (name, len(values) if isinstance(values, list) else values)
        for v in values:
            assert _clean_text(v), (name, v)
        assert len(set(values)) == len(values), f"duplicate values in pool {name}"


def test_enough_domains_and_tools(docs):
    assert len(_domain_files()) >= MIN_DOMAIN_FILES
    n_tools = sum(len(doc["tools"]) for name, doc in docs.items() if name != "builtin.yaml")
    assert n_tools >= MIN_TOOLS


def test_tool_names_unique_and_not_reserved(docs):
    seen: dict[str, str] = {}
    for fname, doc in docs.items():
        for tool in doc["tools"]:
            name = tool["name"]
            assert NAME_RE.match(name), (fname, name)
            assert name not in seen, f"{name} defined in {seen.get(name)} and {fname}"
            seen[name] = fname
            if fname != "builtin.yaml":
                assert name not in RESERVED, (fname, name)
    assert RESERVED <= set(seen)


def test_domain_names_unique(docs):
    names = [doc["domain"] for doc in docs.values()]
    assert len(names) == len(set(names))


def _check_param(fname: str, tool: str, pname: str, spec: dict, pools: dict) -> None:
    where = f"{fname}:{tool}.{pname}"
    assert isinstance(spec, dict), where
    assert set(spec) <= PARAM_KEYS, (where, set(spec) - PARAM_KEYS)
    ptype = spec.get("type")
    assert ptype in TYPES, where
    assert _clean_text(spec.get("description")), where
    if "optional" in spec:
        assert isinstance(spec["optional"], bool), where
    say = spec.get("say")
    if say is not None:
        assert isinstance(say, dict) and say, where
        for forms in say.values():
            assert isinstance(forms, list) and forms, where
            assert all(_clean_text(f) for f in forms), where
    if ptype == "string":
        sources = [k for k in ("pool", "values", "enum") if k in spec]
        assert len(sources) == 1, (where, sources)
        if "pool" in spec:
            assert spec["pool"] in pools, (where, spec["pool"])
        else:
            values = spec[sources[0]]
            assert isinstance(values, list) and values, where
            assert all(_clean_text(v) for v in values), where
            assert len(set(values)) == len(values), where
        if say is not None:
            assert "enum" in spec, f"{where}: say only for enums"
            assert set(say) <= set(spec["enum"]), where
    elif ptype in ("integer", "number"):
        lo, hi = spec.get("minimum"), spec.get("maximum")
        num = int if ptype == "integer" else (int, float)
        assert isinstance(lo, num) and isinstance(hi, num) and lo < hi, where
        assert not isinstance(lo, bool) and not isinstance(hi, bool), where
        if "step" in spec:
            assert ptype == "number" and isinstance(spec["step"], (int, float)) and spec["step"] > 0, where
        if say is not None:
            assert ptype == "integer", where
            assert all(isinstance(k, int) and lo <= k <= hi for k in say), where
        assert not {"pool", "values", "enum", "items", "min", "max"} & set(spec), where
    elif ptype == "boolean":
        assert isinstance(say, dict) and set(say) == {True, False}, where
    elif ptype == "array":
        assert spec.get("items") == {"type": "string"}, where
        sources = [k for k in ("pool", "values") if k in spec]
        assert len(sources) == 1, where
        if "pool" in spec:
            assert spec["pool"] in pools, where
        else:
            assert all(_clean_text(v) for v in spec["values"]), where
        lo, hi = spec.get("min"), spec.get("max")
        assert isinstance(lo, int) and isinstance(hi, int) and 1 <= lo <= hi, where
        assert say is None, where


def test_tool_files(docs, global_pools):
    for fname, doc in docs.items():
        assert isinstance(doc, dict), fname
        assert set(doc) <= {"domain", "pools", "tools"}, fname
        assert isinstance(doc.get("domain"), str) and doc["domain"], fname
        local = doc.get("pools") or {}
        assert isinstance(local, dict), fname
        for pname, values in local.items():
            assert POOL_NAME_RE.match(pname), (fname, pname)
            assert pname not in global_pools, f"{fname}: local pool {pname} clashes with pools.yaml"
            assert isinstance(values, list) and values, (fname, pname)
            assert all(_clean_text(v) for v in values), (fname, pname)
        pools = {**global_pools, **local}
        tools = doc.get("tools")
        assert isinstance(tools, list) and tools, fname
        if fname != "builtin.yaml":
            assert 6 <= len(tools) <= 12, (fname, len(tools))
        min_phr = MIN_BUILTIN_PHRASINGS if fname == "builtin.yaml" else MIN_DOMAIN_PHRASINGS
        for tool in tools:
            assert set(tool) == {"name", "description", "parameters", "phrasings"}, (fname, tool.get("name"))
            name = tool["name"]
            assert _clean_text(tool["description"]), (fname, name)
            params = tool["parameters"] or {}
            assert isinstance(params, dict), (fname, name)
            for pname, spec in params.items():
                assert NAME_RE.match(pname) or re.match(r"^[a-z][a-z0-9_]*$", pname), (fname, name, pname)
                _check_param(fname, name, pname, spec, pools)
            required = {p for p, s in params.items() if not s.get("optional", False)}
            phrasings = tool["phrasings"]
            assert isinstance(phrasings, list) and len(phrasings) >= min_phr, (fname, name)
            assert len(set(phrasings)) == len(phrasings), f"{fname}:{name} has duplicate phrasings"
            used: set[str] = set()
            for ph in phrasings:
                where = f"{fname}:{name}: {ph!r}"
                assert isinstance(ph, str) and ph.strip() == ph and ph, where
                assert "\\" not in ph, where
                try:
                    slots = _slots(ph)
                except ValueError as e:  # unbalanced braces
                    pytest.fail(f"{where}: {e}")
                assert all(s in params for s in slots), where
                assert len(slots) == len(set(slots)), f"{where}: slot used twice"
                assert required <= set(slots), f"{where}: missing {required - set(slots)}"
                stripped = re.sub(r"\{[a-z0-9_]+\}", "", ph)
                assert "{" not in stripped and "}" not in stripped, where
                used |= set(slots)
            assert used == set(params), f"{fname}:{name}: never used {set(params) - used}"


def test_builtin_matches_json(docs):
    schemas = {t["name"]: t for t in json.loads(BUILTIN_JSON.read_text())}
    tools = {t["name"]: t for t in docs["builtin.yaml"]["tools"]}
    assert set(tools) == set(schemas)
    for name, schema in schemas.items():
        tool = tools[name]
        assert tool["description"] == schema["description"], name
        props = schema["parameters"]["properties"]
        required = set(schema["parameters"].get("required", []))
        params = tool["parameters"]
        assert list(params) == list(props), name
        for pname, prop in props.items():
            spec = params[pname]
            assert spec["type"] == prop["type"], (name, pname)
            assert spec["description"] == prop["description"], (name, pname)
            assert (not spec.get("optional", False)) == (pname in required), (name, pname)
            for key in ("minimum", "maximum", "enum"):
                if key in prop:
                    assert spec[key] == prop[key], (name, pname, key)


def test_no_tool_requests():
    doc = _load(CATALOG / "no_tool.yaml")
    assert set(doc) == {"requests"}
    reqs = doc["requests"]
    assert isinstance(reqs, list) and len(reqs) >= MIN_NO_TOOL
    assert all(isinstance(r, str) and r.strip() == r and r for r in reqs)
    assert len({r.lower() for r in reqs}) == len(reqs), "duplicate no-tool requests"
    assert not any("{" in r or "}" in r or "\\" in r for r in reqs)
