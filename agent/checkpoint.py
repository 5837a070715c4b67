"""Where sessions live: LangGraph checkpointers chosen by settings."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from langgraph.checkpoint.base import BaseCheckpointSaver

from muse.errors import MuseError
from muse.settings import AgentSettings


def create_checkpointer(settings: AgentSettings, home: Path) -> BaseCheckpointSaver:
    """SQLite under the data directory by default, so a conversation continues after a restart."""
    if settings.checkpointer == "memory":
        from langgraph.checkpoint.memory import InMemorySaver

        return InMemorySaver()
    if settings.checkpointer == "postgres":
        return _postgres(settings.postgres_url)
    from langgraph.checkpoint.sqlite import SqliteSaver

    home.mkdir(parents=True, exist_ok=True)
    # The server runs turns on worker threads; SqliteSaver serialises access with its own lock.
    connection = sqlite3.connect(home / "sessions.sqlite", check_same_thread=False)
    saver = SqliteSaver(connection)
    saver.setup()
    return saver


def _postgres(url: str | None) -> BaseCheckpointSaver:
    if not url:
        raise MuseError("the postgres checkpointer needs MUSE_AGENT__POSTGRES_URL")
    try:
        from langgraph.checkpoint.postgres import PostgresSaver
        from psycopg import Connection
    except ImportError as error:
        raise MuseError("the postgres checkpointer needs: pip install langgraph-checkpoint-postgres 'psycopg[binary]'") from error
    connection = Connection.connect(url, autocommit=True, prepare_threshold=0)
    saver = PostgresSaver(connection)
    saver.setup()
    return saver
