"""The caption grammar: several phrasings of one scene, and one canonical phrasing.

CLIP trains on the varied phrasings so its text side is robust to wording; the captioner
learns the canonical one, which names every attribute in a fixed order.
"""

from __future__ import annotations

import random
import re

from tools.data.vocabulary import DIGIT_WORDS, POSITION_PHRASES

SHAPE_TEMPLATES: tuple[str, ...] = (
    "a {size} {color} {shape} {where} on a {background} background",
    "a {background} background with a {size} {color} {shape} {where}",
    "{where} there is a {size} {color} {shape} on {background}",
    "a picture of a {size} {color} {shape} {where}, {background} background",
    "a {color} {shape}, {size}, {where} of a {background} image",
)
DIGIT_TEMPLATES: tuple[str, ...] = (
    "a handwritten digit {word}",
    "the handwritten number {word}",
    "a picture of the digit {word}",
    "a handwritten {word}",
)


def _fill(template: str, color: str, shape: str, size: str, position: str, background: str) -> str:
    where = POSITION_PHRASES[position]
    text = template.format(color=color, shape=shape, size=size, where=where, background=background)
    return re.sub(r"\ba (?=[aeiou])", "an ", text)  # "an orange background"


def canonical_caption(color: str, shape: str, size: str, position: str, background: str) -> str:
    """The one phrasing the captioner learns: 'a small red circle on the left on a gray background'."""
    return _fill(SHAPE_TEMPLATES[0], color, shape, size, position, background)


def random_caption(rng: random.Random, color: str, shape: str, size: str, position: str, background: str) -> str:
    return _fill(rng.choice(SHAPE_TEMPLATES), color, shape, size, position, background)


def digit_caption(digit: int, rng: random.Random | None = None) -> str:
    """'a handwritten digit seven' (canonical) or, with `rng`, one of the other phrasings."""
    template = rng.choice(DIGIT_TEMPLATES) if rng else DIGIT_TEMPLATES[0]
    return template.format(word=DIGIT_WORDS[digit])
