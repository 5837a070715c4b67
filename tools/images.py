"""Load any image a user names (a path, raw bytes, or `-` for standard input) as RGB, or fail in one line.

Every model reads images through `load_image`, so a missing file, non-image bytes, a truncated
file, an empty image or a decompression bomb become a `MuseError` (exit code 2) everywhere.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from muse.errors import MuseError
from muse.settings import get_settings

ImageSource = str | Path | bytes | Image.Image


def _read_bytes(source: str | Path | bytes) -> tuple[bytes, str]:
    if isinstance(source, bytes):
        return source, "<bytes>"
    if str(source) == "-":
        return sys.stdin.buffer.read(), "<stdin>"
    path = Path(source)
    if not path.exists():
        raise MuseError(f"{path}: no such image file")
    if not path.is_file():
        raise MuseError(f"{path}: not a file")
    return path.read_bytes(), str(path)


def _to_rgb(image: Image.Image) -> Image.Image:
    """Flatten transparency onto white, then RGB: a transparent shape on nothing reads as on white."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        canvas = Image.new("RGB", rgba.size, (255, 255, 255))
        canvas.paste(rgba, mask=rgba.getchannel("A"))
        return canvas
    return image.convert("RGB")


def load_image(source: ImageSource, max_pixels: int | None = None) -> Image.Image:
    """A fully decoded RGB image, checked for size before its pixels are decoded."""
    if isinstance(source, Image.Image):
        return _to_rgb(source)
    max_pixels = max_pixels or get_settings().vision.max_pixels
    data, name = _read_bytes(source)
    if not data:
        raise MuseError(f"{name}: empty file, not an image")
    try:
        image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, Image.DecompressionBombError) as error:
        raise MuseError(f"{name}: not a readable image ({type(error).__name__})") from None
    width, height = image.size
    if width == 0 or height == 0:
        raise MuseError(f"{name}: zero-sized image ({width}x{height})")
    if width * height > max_pixels:
        raise MuseError(f"{name}: image of {width}x{height} exceeds the {max_pixels:,}-pixel limit")
    try:
        image.load()
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as error:
        raise MuseError(f"{name}: truncated or corrupt image ({error})") from None
    return _to_rgb(image)


def load_images(sources: list[ImageSource]) -> list[Image.Image]:
    return [load_image(source) for source in sources]
