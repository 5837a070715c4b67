"""What the built-in tools work with: the settings, the image store and the memory store.

    services = Services.from_settings(get_settings())
    tools = create_builtin_tools(services)

Nothing heavy happens here. The memory store (Chroma) is opened the first time a tool needs it,
so listing tools or building an agent does not pay for it, and models load on a tool's first call.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from muse.settings import Settings
from tools.image_store import ImageStore

if TYPE_CHECKING:
    from memory.store import MemoryStore


class Services:
    def __init__(self, settings: Settings, images: ImageStore, memory: MemoryStore | None = None):
        """`memory=None` opens `MemoryStore.from_settings(settings)` on first use."""
        self.settings = settings
        self.images = images
        self._memory = memory
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, *, allow_paths: bool = True) -> Services:
        """`allow_paths=False` (a server) makes tools accept image ids only, never files of the server's disk."""
        return cls(settings, ImageStore(settings.home / "images", allow_paths=allow_paths))

    @property
    def memory(self) -> MemoryStore:
        with self._lock:
            if self._memory is None:
                from memory.store import MemoryStore

                self._memory = MemoryStore.from_settings(self.settings)
            return self._memory

    def __repr__(self) -> str:
        return f"Services(home={str(self.settings.home)!r}, images={str(self.images.root)!r})"
