"""`GET /v1/models`: the chat agent, the image generator and the text embedder this server runs."""

from __future__ import annotations

from fastapi import APIRouter

from server.deps import CallerDep
from server.errors import APIError
from server.routes import errors
from server.schemas import ModelList, ModelPublic

router = APIRouter(tags=["models"])

CREATED = 1_767_225_600  # 2026-01-01: when these model names were first served
MODELS = [
    ModelPublic(id="muse", created=CREATED, description="the agent: a local planner over muse's tools (POST /v1/chat/completions)"),
    ModelPublic(id="muse-diffusion", created=CREATED, description="text to image (POST /v1/images/generations)"),
    ModelPublic(id="all-MiniLM-L6-v2", created=CREATED, description="384-dimensional text embeddings (POST /v1/embeddings)"),
]


@router.get("/v1/models", response_model=ModelList, responses=errors(401, 429))
async def list_models(user: CallerDep) -> ModelList:
    return ModelList(data=MODELS)


@router.get("/v1/models/{model_id}", response_model=ModelPublic, responses=errors(401, 404, 429))
async def get_model(model_id: str, user: CallerDep) -> ModelPublic:
    for model in MODELS:
        if model.id == model_id:
            return model
    raise APIError(404, f"the model {model_id!r} does not exist", "model_not_found", param="model")
