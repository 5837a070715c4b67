"""Images: OpenAI's `POST /v1/images/generations`, and muse's own upload, list, fetch and delete.

Generation goes through the agent's `generate_image` tool, so generated images land in the same
store (and search index) as those drawn in a chat. The diffusion model draws small square images;
a larger `size` is an upscaled copy, stored beside the original.
"""

from __future__ import annotations

import base64
import re
from typing import Annotated

from fastapi import APIRouter, File, Request, UploadFile
from fastapi.responses import FileResponse
from PIL import Image

from server.deps import CallerDep, StateDep, get_agent
from server.errors import APIError
from server.images import raise_too_large, store_upload
from server.routes import errors, image_url_for
from server.schemas import Deleted, ImageData, ImageGenerationRequest, ImageList, ImagePublic, ImagesResponse
from server.turns import now
from tools.builtin import index_image
from tools.image_store import ImageRecord
from tools.services import Services

router = APIRouter(tags=["images"])

IMAGE_MODELS = (None, "muse", "muse-diffusion")
SIZE = re.compile(r"^(\d{1,4})x(\d{1,4})$")
MAX_SIDE = 1024


def public(record: ImageRecord, url) -> ImagePublic:
    return ImagePublic(id=record.id, url=url(record.id), created=record.created, source=record.source, provenance=record.provenance)


@router.post("/v1/images/generations", response_model=ImagesResponse, responses=errors(400, 401, 404, 429, 500, 503, 504))
async def create_images(body: ImageGenerationRequest, request: Request, user: CallerDep, state: StateDep) -> ImagesResponse:
    if body.model not in IMAGE_MODELS:
        raise APIError(404, f"the model {body.model!r} does not exist; this server draws with 'muse-diffusion'",
                       "model_not_found", param="model")
    side = parse_size(body.size)
    agent = await get_agent(state)
    tool = next((tool for tool in agent.tools if tool.name == "generate_image"), None)
    if tool is None:
        raise APIError(500, "this server has no generate_image tool", "server_error")
    arguments = {"prompt": body.prompt, "n": body.n or 1} | ({"seed": body.seed} if body.seed is not None else {})
    records = await state.pool.run(generate, agent.services, tool, user, arguments, side)
    url = image_url_for(request)
    data = []
    for record in records:
        if body.response_format == "b64_json":
            data.append(ImageData(b64_json=base64.b64encode(record.path.read_bytes()).decode()))
        else:
            data.append(ImageData(url=url(record.id)))
    return ImagesResponse(created=now(), data=data, muse={"images": [public(record, url) for record in records]})


def parse_size(size: str | None) -> int | None:
    """The side of a square size, None for the model's own size."""
    if size is None or size == "auto":
        return None
    match = SIZE.match(size.strip())
    if not match:
        raise APIError(400, f"invalid size {size!r}: use 'WxH', e.g. '256x256'", "invalid_value", param="size")
    width, height = int(match.group(1)), int(match.group(2))
    if width != height:
        raise APIError(400, f"size {size}: muse-diffusion draws square images; ask for e.g. '{width}x{width}'",
                       "invalid_value", param="size")
    if not 16 <= width <= MAX_SIDE:
        raise APIError(400, f"size {size}: sides from 16 to {MAX_SIDE} pixels are supported", "invalid_value", param="size")
    return width


def generate(services: Services, tool, user: str, arguments: dict, side: int | None) -> list[ImageRecord]:
    """Draw with the tool (on a pool thread), then resize to the asked size when it is not the model's own."""
    message = tool.invoke(
        {"name": tool.name, "args": arguments, "id": "images-generations", "type": "tool_call"},
        config={"configurable": {"user_id": user, "session_id": None}},
    )
    artifact = message.artifact if isinstance(getattr(message, "artifact", None), dict) else {}
    if not artifact.get("images"):
        raise APIError(500, f"image generation failed: {message.content}", "generation_failed")
    records = [services.images.get(image_id, user) for image_id in artifact["images"]]
    if side is None:
        return records
    return [resized(services, user, record, side) for record in records]


def resized(services: Services, user: str, record: ImageRecord, side: int) -> ImageRecord:
    with Image.open(record.path) as image:
        if image.size == (side, side):
            return record
        copy = image.convert("RGB").resize((side, side), Image.Resampling.BICUBIC)
    provenance = {**record.provenance, "resized_from": record.id, "size": f"{side}x{side}"}
    stored = services.images.put(copy, user, source="generated", provenance=provenance)
    index_image(services, user, stored)
    return stored


@router.post("/v1/images", response_model=ImagePublic, status_code=201, responses=errors(400, 401, 413, 429, 503))
async def upload_image(
    file: Annotated[UploadFile, File(description="a PNG, JPEG, WebP, GIF or BMP image")],
    request: Request,
    user: CallerDep,
    state: StateDep,
) -> ImagePublic:
    limit = state.settings.server.max_upload_bytes
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise_too_large(max(len(data), file.size or 0), limit)
    if not data:
        raise APIError(400, "the uploaded file is empty", "invalid_image", param="file")
    agent = await get_agent(state)
    record = await state.pool.run(store_upload, agent.services, user, data)
    return public(record, image_url_for(request))


@router.get("/v1/images", response_model=ImageList, responses=errors(401, 429))
async def list_images(request: Request, user: CallerDep, state: StateDep) -> ImageList:
    agent = await get_agent(state)
    url = image_url_for(request)
    return ImageList(data=[public(record, url) for record in agent.services.images.list(user)])


@router.get(
    "/v1/images/{image_id}",
    response_class=FileResponse,
    responses={200: {"content": {"image/png": {}}, "description": "the PNG file, with its provenance chunks"}, **errors(401, 404, 429)},
)
async def get_image(image_id: str, user: CallerDep, state: StateDep) -> FileResponse:
    agent = await get_agent(state)
    record = agent.services.images.get(image_id, user)  # ImageNotFound → 404
    return FileResponse(record.path, media_type="image/png", headers={"Cache-Control": "private, max-age=31536000, immutable"})


@router.delete("/v1/images/{image_id}", response_model=Deleted, responses=errors(401, 404, 429))
async def delete_image(image_id: str, user: CallerDep, state: StateDep) -> Deleted:
    agent = await get_agent(state)
    agent.services.images.delete(image_id, user)  # ImageNotFound → 404
    await state.pool.run(agent.services.memory.delete_image, user, image_id)  # and from search_images
    return Deleted(id=image_id)
