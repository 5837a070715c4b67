"""`muse run` (one turn), `muse chat` (a REPL) and `muse bench agent`: the agent in the terminal.

Both stream the turn's events: the answer as it is written, a trace line per tool call with its
arguments and time, and the images produced, saved in the image store and shown by path (and drawn
in the terminal when it is one).
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Annotated, Any

import typer

from muse.cli import app, bench_app
from muse.errors import MuseError
from muse.settings import get_settings

SessionOption = Annotated[str | None, typer.Option("--session", help="Session id; a new one when omitted.")]
BackendOption = Annotated[str | None, typer.Option("--backend", help="Planner backend: local or openai.")]
ToolsOption = Annotated[list[Path] | None, typer.Option("--tools", help="A Python file of LangChain tools to add.")]
USER = "local"
CHAT_HELP = """/help      this help
/history  the session so far
/new      start a new session
/memory   what muse remembers about you
/tools    the tools muse can call
/exit     leave (or Ctrl-D); Ctrl-C stops the current turn"""


def create_agent(backend: str | None, tool_files: list[Path] | None):
    """The agent on the configured models and the user's tool files."""
    settings = get_settings()
    if backend:
        if backend not in ("local", "openai"):
            raise MuseError(f"unknown backend {backend!r}; choose local or openai")
        settings = settings.model_copy(update={"planner": settings.planner.model_copy(update={"backend": backend})})
    for path in tool_files or []:
        if not path.is_file():
            raise MuseError(f"no such tools file: {path}")
    return create_agent_for(settings, tool_files or [])


def create_agent_for(settings, tool_files: list[Path] = ()):
    """Load the models behind a spinner: the first start converts the base model, later ones take seconds."""
    from rich.console import Console

    from agent.agent import Agent

    with Console(stderr=True).status("loading muse's models…"):
        return Agent(settings, extra_tool_files=tool_files)


def store_images(agent, paths: list[Path]) -> list[str]:
    """Put the user's image files in the store (checked, indexed for search) and return their ids."""
    from tools.builtin import index_image

    ids = []
    for path in paths:
        record = agent.services.images.put(path.read_bytes(), USER, source="upload", provenance={"file": path.name})
        index_image(agent.services, USER, record)
        ids.append(record.id)
    return ids


class TurnPrinter:
    """Renders one turn's events with rich: answer text, tool trace, images."""

    def __init__(self, console, show_images: bool):
        self.console = console
        self.show_images = show_images
        self.writing = False  # in the middle of a streamed line
        self.streamed = False  # the answer was printed as it was written

    def __call__(self, event: Any) -> None:
        from agent import events

        if isinstance(event, events.TextDelta):
            self.console.print(event.text, end="", markup=False, highlight=False)
            self.writing = self.streamed = True
            return
        if self.writing:
            self.console.print()
            self.writing = False
        if isinstance(event, events.MemoriesRecalled):
            self.console.print(f"[dim]· recalled: {' | '.join(event.memories)}[/dim]")
        elif isinstance(event, events.ToolStarted):
            self.console.print(f"[cyan]→ {event.call.name}[/cyan] [dim]{json.dumps(event.call.arguments, ensure_ascii=False)}[/dim]")
        elif isinstance(event, events.ToolFinished):
            style = "red" if event.call.error else "green"
            self.console.print(f"[{style}]← {event.call.name}[/{style}] [dim]{event.call.ms:.0f} ms · {event.call.result_summary}[/dim]",
                               highlight=False)
        elif isinstance(event, events.ImageProduced):
            self.console.print(f"[magenta]🖼  {event.image.id}[/magenta] {event.image.path}", highlight=False)
            if self.show_images:
                from muse.cli.terminal_image import render_image

                self.console.print(render_image(Path(event.image.path)))
        elif isinstance(event, events.Refused):
            self.console.print(f"[yellow]{event.reason}[/yellow]")
        elif isinstance(event, events.TurnFinished):
            answer = event.result.answer
            if answer and not event.result.refused and not self.streamed:
                self.console.print(answer, markup=False, highlight=False)
            self.console.print(f"[dim]({event.result.ms / 1000:.1f} s)[/dim]")


@app.command()
def run(
    request: Annotated[str, typer.Argument(help='e.g. "draw a red star and tell me what you drew"')],
    session: SessionOption = None,
    image: Annotated[list[Path] | None, typer.Option("--image", help="An image to attach (repeatable).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the turn as one JSON object.")] = False,
    backend: BackendOption = None,
    tools: ToolsOption = None,
) -> None:
    """Run one turn of the agent and print its answer (or, with --json, the whole turn)."""
    from rich.console import Console

    from agent.events import TurnFinished

    if not request.strip() and not image:
        raise MuseError("the request is empty")
    for path in image or []:
        if not path.is_file():
            raise MuseError(f"no such image: {path}")
    agent = create_agent(backend, tools)
    images = store_images(agent, image or [])
    session_id = session or uuid.uuid4().hex[:12]
    console = Console()
    printer = TurnPrinter(console, show_images=console.is_terminal)
    for event in agent.stream(request, session_id=session_id, user_id=USER, images=images):
        if as_json and isinstance(event, TurnFinished):
            typer.echo(json.dumps(turn_json(event.result), ensure_ascii=False))
        elif not as_json:
            printer(event)


def turn_json(result) -> dict[str, Any]:
    """The shape of `muse run --json`."""
    return {
        "answer": result.answer,
        "tool_calls": [{"name": c.name, "arguments": c.arguments, "result_summary": c.result_summary, "ms": c.ms}
                       for c in result.tool_calls],
        "images": [{"id": ref.id, "path": ref.path} for ref in result.images],
        "session": result.session,
        "refused": result.refused,
        "ms": result.ms,
    }


@app.command()
def chat(session: SessionOption = None, backend: BackendOption = None, tools: ToolsOption = None) -> None:
    """Talk with muse in the terminal. /help lists the commands."""
    from rich.console import Console

    console = Console()
    agent = create_agent(backend, tools)
    session_id = session or uuid.uuid4().hex[:12]
    console.print(f"[bold]muse[/bold] · session {session_id} · /help for commands")
    while True:
        try:
            line = console.input("[bold green]you>[/bold green] ").strip()
        except EOFError:
            console.print()
            return
        except KeyboardInterrupt:
            console.print("\n[dim](/exit or Ctrl-D to leave)[/dim]")
            continue
        if not line:
            continue
        if line.startswith("/"):
            session_id = _command(line, agent, session_id, console)
            if session_id is None:
                return
            continue
        _chat_turn(agent, line, session_id, console)


def _chat_turn(agent, line: str, session_id: str, console) -> None:
    printer = TurnPrinter(console, show_images=console.is_terminal)
    events = agent.stream(line, session_id=session_id, user_id=USER)
    try:
        for event in events:
            printer(event)
    except KeyboardInterrupt:
        events.close()
        console.print("\n[yellow]turn stopped[/yellow]")
    except MuseError as error:
        console.print(f"[red]error: {error}[/red]")


def _command(line: str, agent, session_id: str, console) -> str | None:
    """Run a slash command; the session id to go on with, or None to leave."""
    command = line.split()[0]
    if command in ("/exit", "/quit"):
        return None
    if command == "/help":
        console.print(CHAT_HELP, markup=False)
    elif command == "/new":
        session_id = uuid.uuid4().hex[:12]
        console.print(f"new session {session_id}")
    elif command == "/history":
        for turn in agent.history(session_id, USER):
            text = turn.get("content") or json.dumps(turn.get("calls"), ensure_ascii=False)
            console.print(f"[bold]{turn['role']}[/bold]: {text}", markup=True, highlight=False)
    elif command == "/memory":
        facts = agent.services.memory.facts(USER)
        console.print("\n".join(f"- {fact.text}" for fact in facts) or "nothing remembered yet")
    elif command == "/tools":
        for tool in agent.tools:
            console.print(f"[cyan]{tool.name}[/cyan] ({agent.tool_sources.get(tool.name, '?')}): {tool.description}")
    else:
        console.print(f"unknown command {command}; /help lists them")
    return session_id


@bench_app.command("agent")
def bench_agent(
    repeats: Annotated[int, typer.Option(help="passes over the one-tool requests")] = 4,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    write: Annotated[bool, typer.Option(help="Write the figures to docs/BENCHMARKS.md.")] = True,
    conversations: Annotated[bool, typer.Option(help="Also score the eval suites' multi-step conversations.")] = True,
    conversations_from: Annotated[Path | None, typer.Option(
        help="Read those conversations' results from this eval report (muse bench evals --json) instead of running them.")] = None,
) -> None:
    """Measure one-tool turns on the shipped models, the agent's own overhead and end-to-end success."""
    import tempfile

    from agent.benchmark import agent_report, measure_conversations, measure_one_tool_turns, measure_overhead
    from muse.benchmarks import write_section

    settings = get_settings()
    with tempfile.TemporaryDirectory() as home:
        scratch = settings.model_copy(update={"home": Path(home)})
        overhead = measure_overhead(scratch)
        turns = measure_one_tool_turns(create_agent_for(scratch), repeats)
    figures = {"one_tool_turns": turns, "overhead": overhead}
    if conversations:
        figures["conversations"] = measure_conversations(settings, conversations_from)
    if as_json:
        typer.echo(json.dumps(figures, indent=2))
    else:
        typer.echo(agent_report(figures))
    if write:
        write_section("agent", agent_report(figures))
