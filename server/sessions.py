"""The sessions each user has opened through the server, for `GET /v1/sessions` and the web UI.

The conversation itself lives in the agent's checkpointer; this index only records which session
ids a user has, with a title (the first message) and when they were used, in SQLite beside the keys.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    user_id TEXT NOT NULL,
    session_id TEXT NOT NULL,
    title TEXT NOT NULL,
    created TEXT NOT NULL,
    updated TEXT NOT NULL,
    turns INTEGER NOT NULL,
    PRIMARY KEY (user_id, session_id)
)
"""
TITLE_CHARS = 80


@dataclass(frozen=True)
class SessionRecord:
    id: str
    title: str
    created: str
    updated: str
    turns: int


class SessionIndex:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._ready = False

    def record_turn(self, user_id: str, session_id: str, message: str) -> None:
        now = datetime.now(timezone.utc).isoformat(timespec="seconds")
        title = " ".join(message.split())[:TITLE_CHARS] or "(image)"
        with self._connect() as db:
            db.execute(
                "INSERT INTO sessions VALUES (?, ?, ?, ?, ?, 1) ON CONFLICT (user_id, session_id) "
                "DO UPDATE SET updated = excluded.updated, turns = turns + 1",
                (user_id, session_id, title, now, now),
            )

    def list(self, user_id: str) -> list[SessionRecord]:
        """The user's sessions, most recently used first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT session_id, title, created, updated, turns FROM sessions WHERE user_id = ? ORDER BY updated DESC, rowid DESC",
                (user_id,),
            ).fetchall()
        return [SessionRecord(*row) for row in rows]

    def get(self, user_id: str, session_id: str) -> SessionRecord | None:
        with self._connect() as db:
            row = db.execute(
                "SELECT session_id, title, created, updated, turns FROM sessions WHERE user_id = ? AND session_id = ?",
                (user_id, session_id),
            ).fetchone()
        return SessionRecord(*row) if row else None

    def delete(self, user_id: str, session_id: str) -> bool:
        with self._connect() as db:
            return db.execute("DELETE FROM sessions WHERE user_id = ? AND session_id = ?", (user_id, session_id)).rowcount > 0

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection per call: requests run on many threads."""
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            db.execute("PRAGMA synchronous=NORMAL")  # an index, rebuilt by use: no fsync per turn
            if not self._ready:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute(SCHEMA)
                self._ready = True
            yield db
        finally:
            db.close()
