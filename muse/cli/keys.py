"""`muse keys create NAME`, `muse keys list`, `muse keys revoke NAME`: the server's API keys."""

from __future__ import annotations

from typing import Annotated

import typer

from muse.cli import app
from muse.settings import get_settings

keys_app = typer.Typer(help="API keys of `muse serve`: each key is one user.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


def _store():
    from server.keys import KeyStore, keys_file

    return KeyStore(keys_file(get_settings().home))


@keys_app.command("create")
def create_command(name: Annotated[str, typer.Argument(help="the user the key belongs to")]) -> None:
    """Create a key and print it: it is shown this once and stored only as a hash."""
    key = _store().create(name)
    typer.echo(key)
    typer.echo(f"key for user {name!r} created; keep it now, it is not shown again", err=True)


@keys_app.command("list")
def list_command() -> None:
    """The keys (by name, with their first characters), oldest first."""
    records = _store().list()
    if not records:
        typer.echo("no keys: `muse serve` answers loopback clients only; create one with: muse keys create NAME")
        return
    for record in records:
        typer.echo(f"{record.name}\t{record.hint}…\t{record.created}")


@keys_app.command("revoke")
def revoke_command(name: Annotated[str, typer.Argument(help="the key's name")]) -> None:
    """Revoke a key; a running server refuses it from its next request."""
    _store().revoke(name)
    typer.echo(f"revoked the key of {name!r}")
