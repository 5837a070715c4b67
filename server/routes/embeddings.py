"""`POST /v1/embeddings`: all-MiniLM-L6-v2 text embeddings (the ones memory is searched with)."""

from __future__ import annotations

import base64

import numpy as np
from fastapi import APIRouter

from server.deps import CallerDep, StateDep
from server.errors import APIError
from server.routes import errors
from server.schemas import Embedding, EmbeddingRequest, EmbeddingResponse, EmbeddingUsage

router = APIRouter(tags=["embeddings"])

MODEL = "all-MiniLM-L6-v2"
MODEL_NAMES = (MODEL, "sentence-transformers/all-MiniLM-L6-v2")
MAX_INPUTS = 2048


@router.post("/v1/embeddings", response_model=EmbeddingResponse, responses=errors(400, 401, 404, 429, 503, 504))
async def create_embeddings(body: EmbeddingRequest, user: CallerDep, state: StateDep) -> EmbeddingResponse:
    from memory.embeddings import DIMENSIONS

    if body.model not in MODEL_NAMES:
        raise APIError(404, f"the model {body.model!r} does not exist; this server embeds text with {MODEL!r}",
                       "model_not_found", param="model")
    texts = [body.input] if isinstance(body.input, str) else body.input
    if not texts:
        raise APIError(400, "input is empty: give a text or a list of texts", "invalid_value", param="input")
    if len(texts) > MAX_INPUTS:
        raise APIError(400, f"{len(texts)} inputs; at most {MAX_INPUTS} per request", "invalid_value", param="input")
    limit = state.settings.server.max_message_chars
    if any(len(text) > limit for text in texts):
        raise APIError(400, f"an input is over the context limit of {limit:,} characters", "context_length_exceeded", param="input")
    if body.dimensions is not None and body.dimensions != DIMENSIONS:
        raise APIError(400, f"{MODEL} gives {DIMENSIONS} dimensions only", "invalid_value", param="dimensions")
    vectors, tokens = await state.pool.run(embed, texts)
    data = [Embedding(index=i, embedding=encode(vector, body.encoding_format)) for i, vector in enumerate(vectors)]
    return EmbeddingResponse(data=data, model=MODEL, usage=EmbeddingUsage(prompt_tokens=tokens, total_tokens=tokens))


def embed(texts: list[str]) -> tuple[np.ndarray, int]:
    """Unit vectors and the number of tokens the model read (on a pool thread)."""
    from memory.embeddings import embed_texts, load_minilm

    tokens = sum(len(ids) for ids in load_minilm().tokenizer(texts, truncation=True)["input_ids"])
    return embed_texts(texts), tokens


def encode(vector: np.ndarray, encoding_format: str | None) -> list[float] | str:
    if encoding_format == "base64":  # little-endian float32, as OpenAI sends it
        return base64.b64encode(vector.astype("<f4").tobytes()).decode()
    return vector.astype(float).tolist()
