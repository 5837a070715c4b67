"""Tools of a suite: OpenAI-style function schemas answered by a recorder stub, and Python tool files.

A stub is a real LangChain `StructuredTool` whose argument schema is the given JSON schema, so the
planner sees exactly what it would see for a real tool; calling it records the arguments and
returns the canned result.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from langchain_core.tools import BaseTool, StructuredTool

from evals.suite import Suite, ToolSource
from muse.errors import MuseError
from tools.llm.schemas import normalize_tool


class Recorder:
    """The calls stub tools received, in order: `[(name, arguments), ...]`."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()

    def record(self, name: str, arguments: dict[str, Any]) -> None:
        with self._lock:
            self.calls.append((name, dict(arguments)))


def create_stub_tool(schema: dict[str, Any], result: Any = None, recorder: Recorder | None = None) -> StructuredTool:
    """A tool with this schema that returns `result` (JSON-encoded unless a string; default {"ok": true})."""
    checked = normalize_tool(schema)  # MuseError naming the tool when the schema is not valid
    name = checked["name"]
    reply = result if isinstance(result, str) else json.dumps({"ok": True} if result is None else result, ensure_ascii=False)

    def stub(**arguments: Any) -> str:
        if recorder is not None:
            recorder.record(name, arguments)
        return reply

    return StructuredTool.from_function(
        func=stub, name=name, description=checked["description"] or name, args_schema=checked["parameters"]
    )


def build_tools(suite: Suite, sources: list[ToolSource], recorder: Recorder | None = None) -> tuple[list[BaseTool], list[Path]]:
    """The stub tools and the tool files (paths resolved against the suite) of these sources."""
    stubs, files = [], []
    for source in sources:
        if source.file is not None:
            path = suite.resolve(source.file)
            if not path.is_file():
                raise MuseError(f"{suite.name}: no such tools file {path}")
            files.append(path)
        else:
            stubs.append(create_stub_tool(source.schema_, source.result, recorder))
    return stubs, files
