"""`muse tools list [--json] [--tools FILE ...]`: every tool muse can call, its source and its JSON schema.

Building the tools imports no model code (torch, diffusers, open_clip load on a tool's first call),
so listing them takes about as long as importing LangChain.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path
from typing import Annotated

import typer

from muse.cli import app
from muse.settings import get_settings

tools_app = typer.Typer(help="The tools the agent can call: built-ins and plug-ins.", no_args_is_help=True)
app.add_typer(tools_app, name="tools")

ToolsOption = Annotated[
    list[Path] | None,
    typer.Option("--tools", help="A Python file of LangChain tools to load as well (repeatable)."),
]


@tools_app.command("list")
def list_tools(
    as_json: Annotated[bool, typer.Option("--json", help="A JSON list of {name, description, source, parameters}.")] = False,
    tools: ToolsOption = None,
) -> None:
    """Show every tool with where it comes from and its argument schema; skipped plug-ins are warned about."""
    from tools.registry import PluginWarning, load_tools, tool_schema

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", PluginWarning)
        toolset = load_tools(get_settings(), extra_files=tools or ())
    for warning in caught:
        print(f"muse: warning: {warning.message}", file=sys.stderr)
    rows = [{**tool_schema(tool), "source": toolset.sources[tool.name]} for tool in toolset]
    rows = [{key: row[key] for key in ("name", "description", "source", "parameters")} for row in rows]
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    _print_table(rows)


def _print_table(rows: list[dict]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{len(rows)} tools", show_lines=True)
    for column in ("name", "source", "description", "parameters"):
        table.add_column(column, overflow="fold")
    for row in rows:
        parameters = json.dumps(row["parameters"], ensure_ascii=False, separators=(", ", ": "))
        table.add_row(row["name"], row["source"], row["description"], parameters)
    Console().print(table)
