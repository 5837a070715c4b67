"""What one agent turn streams to the terminal, the server and the eval runner.

Plain dataclasses, so every front end renders the same events its own way and `TurnResult` is the
one record of a finished turn (`to_dict` is the JSON of `muse run --json`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class ImageRef:
    id: str
    path: str


@dataclass
class ToolCallRecord:
    id: str
    name: str
    arguments: dict[str, Any]
    result_summary: str = ""
    ms: float = 0.0
    images: list[str] = field(default_factory=list)
    error: str | None = None
    flagged: bool = False  # the result held instructions; it was treated as data


@dataclass
class TurnResult:
    answer: str
    session: str
    tool_calls: list[ToolCallRecord] = field(default_factory=list)
    images: list[ImageRef] = field(default_factory=list)
    memories: list[str] = field(default_factory=list)  # recalled into this turn's context
    refused: bool = False
    refusal_category: str | None = None
    ms: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class TurnStarted:
    session: str
    user: str


@dataclass
class MemoriesRecalled:
    memories: list[str]


@dataclass
class TextDelta:
    text: str


@dataclass
class ToolStarted:
    call: ToolCallRecord


@dataclass
class ToolFinished:
    call: ToolCallRecord


@dataclass
class ImageProduced:
    image: ImageRef


@dataclass
class Refused:
    category: str | None
    reason: str


@dataclass
class TurnFinished:
    result: TurnResult


AgentEvent = TurnStarted | MemoriesRecalled | TextDelta | ToolStarted | ToolFinished | ImageProduced | Refused | TurnFinished
