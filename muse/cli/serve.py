"""`muse serve` (the OpenAI-compatible server and web UI) and `muse bench server`."""

from __future__ import annotations

import json
import os
from typing import Annotated

import typer

from muse.cli import app, bench_app
from muse.settings import get_settings


@app.command("serve")
def serve_command(
    host: Annotated[str | None, typer.Option(help="address to listen on (default: server.host, 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option(help="port (default: server.port, 8000)")] = None,
    workers: Annotated[int | None, typer.Option(help="uvicorn processes; each loads its own models")] = None,
    preload: Annotated[bool, typer.Option("--preload", help="load every model before answering")] = False,
) -> None:
    """Serve the agent over the OpenAI API, with a web UI at / and the API docs at /docs."""
    import uvicorn

    from server.deps import is_loopback
    from server.keys import KeyStore, keys_file

    settings = get_settings()
    host = host or settings.server.host
    port = port or settings.server.port
    workers = workers or settings.server.workers
    if not KeyStore(keys_file(settings.home)).configured():
        if not is_loopback(host):
            typer.echo(f"muse: no API key configured, so not listening on {host}: create one with `muse keys create NAME`", err=True)
            host = "127.0.0.1"
        typer.echo("muse: no API key configured: answering loopback clients only, all as the user 'local'", err=True)
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"muse: web UI  http://{shown}:{port}/", err=True)
    typer.echo(f"muse: API     http://{shown}:{port}/v1  (model 'muse'; docs at http://{shown}:{port}/docs)", err=True)
    if preload:
        os.environ["MUSE_SERVER__PRELOAD"] = "true"  # read by every worker process
        get_settings.cache_clear()
    if workers > 1:
        uvicorn.run("server.app:create_app", factory=True, host=host, port=port, workers=workers, log_level="info")
    else:
        from server.app import create_app

        uvicorn.run(create_app(get_settings()), host=host, port=port, log_level="info")


@bench_app.command("server")
def bench_server_command(
    as_json: Annotated[bool, typer.Option("--json", help="print the figures as JSON")] = False,
    write: Annotated[bool, typer.Option(help="write them to docs/BENCHMARKS.md (never with --quick)")] = True,
    quick: Annotated[bool, typer.Option(help="fewer requests, for a smoke test")] = False,
    real: Annotated[bool, typer.Option(help="also time turns of the real planner and the peak memory with every model")] = True,
) -> None:
    """Requests/s and latency of /healthz and chat turns at 1, 8 and 32 clients; overhead; 503s; peak memory."""
    from server.bench import run_bench, to_markdown

    result = run_bench(quick=quick, real=real)
    if write and not quick:
        from muse.benchmarks import write_section

        write_section("server", to_markdown(result, "muse bench server"))
    typer.echo(json.dumps(result, indent=2) if as_json else to_markdown(result, "muse bench server"))
