"""How near what the user says is to each tool: MiniLM cosine of the user's words to the tool's name and
description.

The agent offers only the nearest tools when there are many (`agent.tool_offer`), and the planner's
decoder leans a turn's first call toward the nearer tools (`tools.llm.decoding`).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np


def tool_similarities(tools: Sequence[tuple[str, str]], texts: Sequence[str]) -> np.ndarray:
    """The cosine similarity of each (name, description) to the nearest of `texts` (0 without texts)."""
    said = [text for text in dict.fromkeys(texts) if text.strip()]
    if not tools or not said:
        return np.zeros(len(tools), dtype=np.float32)
    descriptions = _embedded(tuple(f"{name.replace('_', ' ')}: {description}" for name, description in tools))
    return np.max([descriptions @ _embedded((text,))[0] for text in said], axis=0)


@lru_cache(maxsize=256)
def _embedded(texts: tuple[str, ...]) -> Any:
    """MiniLM vectors, kept: a turn asks again at each step, with the same request and mostly the same tools."""
    from memory.embeddings import embed_texts

    return embed_texts(list(texts))
