"""The fixed, documented vocabulary of ShapesWorld and the digits domain, as data.

Every model, caption grammar and benchmark reads its words from here, so adding a colour
is one edit.
"""

from __future__ import annotations

# Object colours and their base RGB; scenes jitter each channel a little around these.
COLORS: dict[str, tuple[int, int, int]] = {
    "red": (220, 30, 30),
    "orange": (245, 140, 20),
    "yellow": (240, 225, 40),
    "green": (40, 170, 60),
    "blue": (40, 80, 220),
    "purple": (140, 50, 180),
}
SHAPES: tuple[str, ...] = ("circle", "square", "triangle", "star")
SIZES: tuple[str, ...] = ("small", "large")
POSITIONS: tuple[str, ...] = ("left", "right", "top", "bottom", "center")
# Neutral backgrounds; any object colour other than the object's own is a background too.
NEUTRAL_BACKGROUNDS: dict[str, tuple[int, int, int]] = {
    "black": (15, 15, 15),
    "gray": (128, 128, 128),
    "white": (245, 245, 245),
}
BACKGROUNDS: tuple[str, ...] = tuple(NEUTRAL_BACKGROUNDS) + tuple(COLORS)
BACKGROUND_RGB: dict[str, tuple[int, int, int]] = {**NEUTRAL_BACKGROUNDS, **COLORS}

DIGIT_WORDS: tuple[str, ...] = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")

# How a position reads inside a sentence.
POSITION_PHRASES: dict[str, str] = {
    "left": "on the left",
    "right": "on the right",
    "top": "at the top",
    "bottom": "at the bottom",
    "center": "in the center",
}

ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "color": tuple(COLORS),
    "shape": SHAPES,
    "size": SIZES,
    "position": POSITIONS,
    "background": BACKGROUNDS,
}


def backgrounds_for(color: str) -> tuple[str, ...]:
    """Backgrounds allowed behind an object of `color`: never its own colour."""
    return tuple(b for b in BACKGROUNDS if b != color)
