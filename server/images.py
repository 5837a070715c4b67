"""Images that arrive in requests: data: URLs and uploads checked and stored, image ids resolved.

Every image a user sends is stored in the image store under that user (and indexed for
`search_images`) before the agent sees it; the agent is handed image ids only. Ids of images the
user does not own are 404, the same as ids that never existed.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from server.errors import APIError
from tools.image_store import IMAGE_ID, ImageRecord, InvalidImage
from tools.services import Services

DATA_URL = re.compile(r"^data:(?P<type>[\w.+-]+/[\w.+-]+)?(?P<params>(;[^;,]*)*?);base64,(?P<data>.*)$", re.DOTALL)
MUSE_URL = "muse://"


@dataclass(frozen=True)
class ImageInput:
    """One image of a request: bytes to store, or the id of a stored image."""

    data: bytes | None = None
    image_id: str | None = None


def parse_image_url(url: str, max_bytes: int) -> ImageInput:
    """A data: URL (decoded here, checked for size), `muse://img_...` or a bare image id."""
    url = url.strip()
    if url.startswith("data:"):
        return ImageInput(data=decode_data_url(url, max_bytes))
    image_id = url[len(MUSE_URL):] if url.startswith(MUSE_URL) else url
    if IMAGE_ID.match(image_id):
        return ImageInput(image_id=image_id)
    if url.startswith(("http://", "https://")):
        raise APIError(
            400, "image URLs are not fetched: send the image as a data: URL, or upload it (POST /v1/images) and send its id",
            "unsupported_image_url", param="messages",
        )
    raise APIError(400, f"unknown image reference {url[:60]!r}: use a data: URL, an image id (img_...) or muse://IMAGE_ID",
                   "invalid_image_url", param="messages")


def decode_data_url(url: str, max_bytes: int) -> bytes:
    match = DATA_URL.match(url)
    if not match:
        raise APIError(400, "invalid data: URL: expected data:image/TYPE;base64,DATA", "invalid_image_url", param="messages")
    encoded = match.group("data")
    if len(encoded) * 3 // 4 > max_bytes + 3:
        raise_too_large(len(encoded) * 3 // 4, max_bytes)
    try:
        data = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise APIError(400, "invalid data: URL: the data is not valid base64", "invalid_image_url", param="messages") from None
    if len(data) > max_bytes:
        raise_too_large(len(data), max_bytes)
    if not data:
        raise APIError(400, "invalid data: URL: no image data", "invalid_image", param="messages")
    return data


def raise_too_large(size: int, max_bytes: int) -> None:
    raise APIError(
        413, f"the image is {size / 1e6:.1f} MB; the upload limit is {max_bytes / 1e6:g} MB (server.max_upload_bytes)",
        "image_too_large",
    )


def store_upload(services: Services, user_id: str, data: bytes) -> ImageRecord:
    """Check, store and index an image the user sent (runs on a pool thread: decoding and CLIP)."""
    from tools.builtin import index_image

    try:
        record = services.images.put(data, user_id, source="upload")
    except InvalidImage as error:
        raise APIError(400, f"not a usable image: {error}", "invalid_image") from None
    index_image(services, user_id, record)
    return record


def resolve_images(services: Services, user_id: str, inputs: list[ImageInput]) -> list[str]:
    """Image ids for the agent, storing what was sent as data (runs on a pool thread)."""
    ids = []
    for item in inputs:
        if item.data is not None:
            ids.append(store_upload(services, user_id, item.data).id)
        else:
            ids.append(services.images.get(item.image_id, user_id).id)  # ImageNotFound → 404
    return ids
