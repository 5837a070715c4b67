"""Images drawn in the terminal with half-block characters: two pixels per cell, any true-colour terminal."""

from __future__ import annotations

from pathlib import Path

from rich.style import Style
from rich.text import Text

UPPER_HALF = "▀"


def render_image(path: Path, width: int = 32) -> Text:
    from PIL import Image

    with Image.open(path) as image:
        height = max(2, round(image.height * width / image.width / 2) * 2)
        pixels = image.convert("RGB").resize((width, height)).load()
    text = Text()
    for y in range(0, height, 2):
        for x in range(width):
            top, bottom = pixels[x, y], pixels[x, y + 1]
            text.append(UPPER_HALF, Style(color=f"rgb{top}", bgcolor=f"rgb{bottom}"))
        text.append("\n")
    return text
