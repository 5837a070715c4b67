"""Content-addressed image store: PNG files named by their sha256, owned per user.

    store = ImageStore(settings.home / "images")
    record = store.put(png_bytes, "ana", source="upload")   # ImageRecord(id="img_3f9d52f9a1c0", path=...)
    store.get(record.id, "ana").path                         # root/img_3f9d52f9a1c0.png
    store.get(record.id, "bob")                              # ImageNotFound, as for an id that never existed

The id is `img_` + the first 12 hex digits of the sha256 of the PNG file, so the same file is
stored once however many users own it. Uploads are decoded and checked by `tools.images.load_image`
(not an image, truncated, too many pixels: `InvalidImage`) and re-encoded as PNG; their text chunks
and the provenance given are written into the PNG. Who owns what lives in a SQLite index beside the
files (`index.sqlite`), safe to use from several threads and processes.
"""

from __future__ import annotations

import io
import json
import os
import re
import sqlite3
import tempfile
import threading
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from hashlib import sha256
from pathlib import Path

from PIL import Image

from muse.errors import MuseError
from tools.images import load_image
from tools.provenance import png_info

IMAGE_ID = re.compile(r"^img_[0-9a-f]{12}$")
IMAGE_REFERENCE = re.compile(r"\bimg_[0-9a-f]{12}\b|\S\.(?:png|jpe?g|webp|gif|bmp)\b", re.IGNORECASE)  # an id or a file, in text


def requires_image(parameters: dict) -> bool:
    """Whether a tool with these JSON-schema parameters works on an image: a required `image` argument."""
    return "image" in parameters.get("required", [])


SCHEMA = """
CREATE TABLE IF NOT EXISTS images (
    user_id TEXT NOT NULL,
    image_id TEXT NOT NULL,
    created TEXT NOT NULL,
    source TEXT NOT NULL,
    provenance TEXT NOT NULL,
    PRIMARY KEY (user_id, image_id)
)
"""


class ImageNotFound(MuseError, LookupError):
    """No such image for this user: unknown, deleted, or someone else's (the three are not told apart)."""


class InvalidImage(MuseError, ValueError):
    """The bytes given are not a readable image within the pixel limit."""


@dataclass(frozen=True)
class ImageRecord:
    id: str
    path: Path
    created: str  # ISO 8601, UTC: when this user stored the image
    source: str  # "generated", "upload", ...
    provenance: dict[str, str] = field(default_factory=dict)  # the PNG's text chunks


class ImageStore:
    def __init__(self, root: str | Path, *, allow_paths: bool = True):
        """`allow_paths=False` makes `resolve` accept image ids only (a server should not read its own disk for users)."""
        self.root = Path(root)
        self.allow_paths = allow_paths
        self._index = self.root / "index.sqlite"
        self._ready = False
        self._first_use = threading.Lock()

    def put(
        self, image: Image.Image | bytes, user_id: str, *, source: str, provenance: dict[str, object] | None = None
    ) -> ImageRecord:
        """Store an image for `user_id` (again: the record of the first time) and return its record."""
        data, chunks = encode_png(image, provenance)
        image_id = "img_" + sha256(data).hexdigest()[:12]
        path = self.root / f"{image_id}.png"
        created = datetime.now(timezone.utc).isoformat(timespec="milliseconds")
        with self._transaction() as db:  # the file and its owner appear together, never beside a delete
            if not path.exists():
                _write_atomically(path, data)
            db.execute(
                "INSERT OR IGNORE INTO images VALUES (?, ?, ?, ?, ?)",
                (user_id, image_id, created, source, json.dumps(chunks, ensure_ascii=False)),
            )
        return self.get(image_id, user_id)

    def get(self, image_id: str, user_id: str) -> ImageRecord:
        if not IMAGE_ID.match(str(image_id)):
            raise ImageNotFound(f"unknown image {image_id}")
        with self._connect() as db:
            row = db.execute(
                "SELECT image_id, created, source, provenance FROM images WHERE user_id = ? AND image_id = ?",
                (user_id, image_id),
            ).fetchone()
        record = row and self._record(row)
        if not record or not record.path.is_file():
            raise ImageNotFound(f"unknown image {image_id}")
        return record

    def list(self, user_id: str) -> list[ImageRecord]:
        """The user's images, newest first."""
        with self._connect() as db:
            rows = db.execute(
                "SELECT image_id, created, source, provenance FROM images WHERE user_id = ? ORDER BY rowid DESC",
                (user_id,),
            ).fetchall()
        return [self._record(row) for row in rows]

    def delete(self, image_id: str, user_id: str) -> None:
        """Remove the image from the user's images; the file goes when nobody owns it any more."""
        self.get(image_id, user_id)
        with self._transaction() as db:
            db.execute("DELETE FROM images WHERE user_id = ? AND image_id = ?", (user_id, image_id))
            if not db.execute("SELECT 1 FROM images WHERE image_id = ?", (image_id,)).fetchone():
                (self.root / f"{image_id}.png").unlink(missing_ok=True)

    def resolve(self, ref: str | Path, user_id: str) -> Path:
        """The file of an image id the user owns, or of a readable file path (when paths are allowed)."""
        text = str(ref).strip()
        if IMAGE_ID.match(text):
            return self.get(text, user_id).path
        path = Path(text).expanduser()
        if self.allow_paths and text and path.is_file() and os.access(path, os.R_OK):
            return path
        hint = "an image id (img_ and 12 hex digits)" + ("" if not self.allow_paths else " or the path of a readable file")
        raise ImageNotFound(f"unknown image {text}: give {hint}")

    def _record(self, row: tuple) -> ImageRecord:
        image_id, created, source, provenance = row
        return ImageRecord(image_id, self.root / f"{image_id}.png", created, source, json.loads(provenance))

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A connection per call (sqlite3 connections must not cross threads), in autocommit mode."""
        self._prepare()
        db = self._open()
        try:
            yield db
        finally:
            db.close()

    def _open(self) -> sqlite3.Connection:
        return sqlite3.connect(self._index, timeout=30, isolation_level=None)

    def _prepare(self) -> None:
        """Create the index once, one thread at a time: switching to WAL does not wait for a busy
        database, so two threads' first calls to a fresh store would fail with "database is locked"."""
        if self._ready:
            return
        with self._first_use:
            if self._ready:
                return
            self.root.mkdir(parents=True, exist_ok=True)
            with closing(self._open()) as db:
                db.execute("PRAGMA journal_mode=WAL")
                db.execute(SCHEMA)
            self._ready = True

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE: one writer at a time across threads and processes."""
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")


def encode_png(image: Image.Image | bytes, provenance: dict[str, object] | None = None) -> tuple[bytes, dict[str, str]]:
    """PNG bytes of an RGB image with its text chunks (those it already has, then `provenance`), and the chunks."""
    if isinstance(image, bytes):
        try:
            decoded = load_image(image)
        except MuseError as error:
            raise InvalidImage(str(error).replace("<bytes>: ", "", 1)) from None
        with Image.open(io.BytesIO(image)) as original:
            existing = dict(getattr(original, "text", {}))
    elif isinstance(image, Image.Image):
        decoded, existing = load_image(image), dict(getattr(image, "text", {}))
    else:
        raise InvalidImage(f"expected a PIL image or image bytes, not {type(image).__name__}")
    chunks = {**existing, **{key: "" if value is None else str(value) for key, value in (provenance or {}).items()}}
    buffer = io.BytesIO()
    decoded.save(buffer, format="PNG", pnginfo=png_info(chunks))
    return buffer.getvalue(), chunks


def _write_atomically(path: Path, data: bytes) -> None:
    """Readers never see half a file: write beside it, then rename."""
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
