"""Every tool muse can call: the built-ins, then plug-ins, all checked the same way.

    toolset = load_tools(settings, extra_files=["my_tools.py"])
    toolset.tools          # [BaseTool, ...]: built-ins first
    toolset.sources        # {"generate_image": "builtin", "get_weather": "entry point muse-weather-example", ...}

Plug-ins are any LangChain tools (`@tool` functions or `BaseTool` objects), found in
  - the entry-point group `muse.tools` of installed packages: each entry point names a callable
    returning a list of tools (or a tool, or a list, directly);
  - Python files named by `settings.tools` (muse.toml `tools = [...]`) or `muse ... --tools FILE`:
    the module-level list `tools`, else every `BaseTool` at module level.
A plug-in that fails to import, or a tool with a bad name, an invalid schema or a name already
taken, is skipped with a `PluginWarning` naming it and saying why; everything else still loads.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import sys
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any

from langchain_core.tools import BaseTool

from muse.errors import MuseError
from muse.settings import Settings
from tools.llm.schemas import normalize_tool

ENTRY_POINT_GROUP = "muse.tools"


class PluginWarning(UserWarning):
    """A plug-in or one of its tools was skipped."""


@dataclass
class ToolSet:
    tools: list[BaseTool] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)  # tool name -> "builtin", "entry point <dist>", "file <path>"

    def __iter__(self) -> Iterator[BaseTool]:
        return iter(self.tools)

    def __len__(self) -> int:
        return len(self.tools)

    @property
    def names(self) -> list[str]:
        return [tool.name for tool in self.tools]

    def get(self, name: str) -> BaseTool:
        for tool in self.tools:
            if tool.name == name:
                return tool
        raise KeyError(name)

    def add(self, tools: Iterable[Any], source: str) -> None:
        """Add each valid tool of one source; warn about and skip the others."""
        for tool in tools:
            try:
                name = _check(tool)
            except MuseError as error:
                _warn(source, str(error))
                continue
            if name in self.sources:
                _warn(source, f"tool {name!r} is already defined by {self.sources[name]}; kept that one")
                continue
            self.tools.append(tool)
            self.sources[name] = source


def load_tools(settings: Settings, extra_files: Iterable[str | Path] = (), services=None) -> ToolSet:
    """Built-ins (bound to `services`, default `Services.from_settings(settings)`), entry points, then files.

    A file named in `extra_files` that does not exist is a MuseError (the user typed it); anything
    wrong inside a plug-in is a warning.
    """
    from tools.builtin import create_builtin_tools
    from tools.services import Services

    extra = [Path(path).expanduser() for path in extra_files]
    for path in extra:
        if not path.is_file():
            raise MuseError(f"{path}: no such tools file (give the path of a Python file defining LangChain tools)")
    toolset = ToolSet()
    toolset.add(create_builtin_tools(services or Services.from_settings(settings)), "builtin")
    for entry_point in entry_points(group=ENTRY_POINT_GROUP):
        source = f"entry point {entry_point.dist.name if entry_point.dist else entry_point.value}"
        named = f"{source} ({entry_point.name} = {entry_point.value})"
        toolset.add(_guarded(named, _entry_point_tools, entry_point), source)
    for path in [Path(path).expanduser() for path in settings.tools] + extra:
        source = f"file {path}"
        toolset.add(_guarded(source, _file_tools, path), source)
    return toolset


def tool_schema(tool: BaseTool) -> dict[str, Any]:
    """The tool as an OpenAI function: {"name", "description", "parameters"}; MuseError when it cannot be one."""
    try:
        schema = normalize_tool(tool)
    except MuseError:
        raise
    except Exception as error:  # pydantic cannot make a JSON schema of some annotations
        raise MuseError(f"tool {getattr(tool, 'name', tool)!r}: no JSON schema ({type(error).__name__}: {error})") from None
    try:
        json.dumps(schema)
    except (TypeError, ValueError) as error:
        raise MuseError(f"tool {schema['name']!r}: schema is not JSON ({error})") from None
    return schema


def _check(tool: Any) -> str:
    if not isinstance(tool, BaseTool):
        raise MuseError(f"{tool!r} is not a LangChain tool (use @tool or a BaseTool)")
    return tool_schema(tool)["name"]


def _entry_point_tools(entry_point: EntryPoint) -> list[Any]:
    loaded = entry_point.load()
    if callable(loaded) and not isinstance(loaded, BaseTool):
        loaded = loaded()
    return _as_list(loaded)


def _file_tools(path: Path) -> list[Any]:
    # A stable, unique module name per file, so two files called tools.py do not collide.
    name = "muse_tools_" + hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:12]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise MuseError(f"{path}: not a Python file")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # pydantic and dataclasses look their module up while it runs
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    if hasattr(module, "tools"):
        return _as_list(module.tools)
    found = {id(value): value for value in vars(module).values() if isinstance(value, BaseTool)}
    if not found:
        raise MuseError("defines no LangChain tools (no module-level `tools` list and no BaseTool objects)")
    return list(found.values())


def _as_list(tools: Any) -> list[Any]:
    if isinstance(tools, BaseTool):
        return [tools]
    if isinstance(tools, (list, tuple)):
        return list(tools)
    raise MuseError(f"expected a tool or a list of tools, got {type(tools).__name__}")


def _guarded(source: str, load, argument) -> list[Any]:
    """What `load(argument)` finds, or nothing (with a warning) when the plug-in is broken."""
    try:
        return load(argument)
    except Exception as error:
        reason = str(error) if isinstance(error, MuseError) else f"{type(error).__name__}: {error}"
        _warn(source, reason)
        return []


def _warn(source: str, reason: str) -> None:
    warnings.warn(f"skipped tool plug-in {source}: {reason}", PluginWarning, stacklevel=3)
