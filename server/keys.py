"""API keys: each key is a user of the server; only the keys' SHA-256 digests are stored.

    keys = KeyStore(settings.home / "server" / "keys.json")
    key = keys.create("ana")        # "sk-muse-...": shown once, never stored
    keys.user_of(key)               # "ana"
    keys.revoke("ana")

The keys are 256 random bits, so a plain SHA-256 digest is enough to make the file useless to a
reader (a slow password hash protects guessable secrets; these are not guessable). The file is
re-read when it changes, so `muse keys create` and `revoke` take effect on a running server.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import tempfile
import threading
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from muse.errors import MuseError

KEY_PREFIX = "sk-muse-"
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")


@dataclass(frozen=True)
class KeyRecord:
    name: str  # the user id of everything done with the key
    digest: str  # sha256 hex of the key
    hint: str  # the key's first characters, to tell keys apart in `muse keys list`
    created: str


def digest_of(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class KeyStore:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._by_digest: dict[str, KeyRecord] = {}

    def create(self, name: str) -> str:
        """A new key for user `name`; the only time the key itself is seen."""
        if not NAME.match(name):
            raise MuseError(f"invalid key name {name!r}: use 1-64 letters, digits, '_', '.', '@' or '-'")
        records = self.list()
        if any(record.name == name for record in records):
            raise MuseError(f"a key named {name!r} exists; revoke it first: muse keys revoke {name}")
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        created = datetime.now(timezone.utc).isoformat(timespec="seconds")
        self._write([*records, KeyRecord(name, digest_of(key), key[: len(KEY_PREFIX) + 4], created)])
        return key

    def revoke(self, name: str) -> None:
        records = self.list()
        if not any(record.name == name for record in records):
            raise MuseError(f"no key named {name!r}; see: muse keys list")
        self._write([record for record in records if record.name != name])

    def list(self) -> list[KeyRecord]:
        with self._lock:
            self._reload()
            return list(self._by_digest.values())

    def configured(self) -> bool:
        return bool(self.list())

    def user_of(self, key: str) -> str | None:
        """The user a presented key belongs to, or None."""
        with self._lock:
            self._reload()
            record = self._by_digest.get(digest_of(key))
        return record.name if record else None

    def _reload(self) -> None:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            self._stamp, self._by_digest = None, {}
            return
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp == self._stamp:
            return
        try:
            entries = json.loads(self.path.read_text())["keys"]
            records = [KeyRecord(**entry) for entry in entries]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise MuseError(f"{self.path}: unreadable key file ({error}); fix or delete it") from None
        self._stamp, self._by_digest = stamp, {record.digest: record for record in records}

    def _write(self, records: list[KeyRecord]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"keys": [asdict(record) for record in records]}, indent=2)
        descriptor, temporary = tempfile.mkstemp(dir=self.path.parent, suffix=".tmp")
        try:
            with os.fdopen(descriptor, "w") as file:
                file.write(text + "\n")
            os.chmod(temporary, 0o600)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        with self._lock:
            self._stamp = None  # read back on next use


def keys_file(home: Path) -> Path:
    return Path(home) / "server" / "keys.json"
