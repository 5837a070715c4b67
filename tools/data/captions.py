"""The caption grammar: several phrasings of one scene, and one canonical phrasing.

CLIP trains on the varied phrasings so its text side is robust to wording; the captioner
learns the canonical one, which names every attribute in a fixed order.
"""

from __future__ import annotations

import random
import re

from tools.data.vocabulary import ATTRIBUTES, BACKGROUNDS, COLORS, DIGIT_WORDS, POSITION_PHRASES, SHAPES

SHAPE_TEMPLATES: tuple[str, ...] = (
    "a {size} {color} {shape} {where} on a {background} background",
    "a {background} background with a {size} {color} {shape} {where}",
    "{where} there is a {size} {color} {shape} on {background}",
    "a picture of a {size} {color} {shape} {where}, {background} background",
    "a {color} {shape}, {size}, {where} of a {background} image",
)
# Short prompts people type, naming only some attributes; colour and shape are always named.
SHORT_TEMPLATES: tuple[str, ...] = (
    "a {color} {shape}",
    "draw a {size} {color} {shape}",
    "a {size} {color} {shape} {where}",
    "a {color} {shape} on a {background} background",
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


def all_captions(color: str, shape: str, size: str, position: str, background: str) -> list[str]:
    """Every phrasing of a scene: the references BLEU compares a generated caption against."""
    return [_fill(t, color, shape, size, position, background) for t in SHAPE_TEMPLATES]


def random_caption(rng: random.Random, color: str, shape: str, size: str, position: str, background: str) -> str:
    return _fill(rng.choice(SHAPE_TEMPLATES), color, shape, size, position, background)


def short_caption(rng: random.Random, color: str, shape: str, size: str, position: str, background: str) -> str:
    """A partial description such as 'a red star' or 'draw a small blue circle': what users search and ask for."""
    return _fill(rng.choice(SHORT_TEMPLATES), color, shape, size, position, background)


def digit_caption(digit: int, rng: random.Random | None = None) -> str:
    """'a handwritten digit seven' (canonical) or, with `rng`, one of the other phrasings."""
    template = rng.choice(DIGIT_TEMPLATES) if rng else DIGIT_TEMPLATES[0]
    return template.format(word=DIGIT_WORDS[digit])


SYNONYMS = {"colour": "color", "grey": "gray", "big": "large", "tiny": "small", "middle": "center", "centre": "center"}


def words_of(text: str) -> list[str]:
    """Lower-case words with punctuation dropped, plurals and synonyms mapped onto the vocabulary."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    words = [w[:-1] if w.endswith("s") and w[:-1] in SHAPES else w for w in words]
    return [SYNONYMS.get(w, w) for w in words]


def parse_caption(text: str) -> dict[str, str]:
    """Read the attributes a caption names (muse's own phrasings or free text such as BLIP's).

    The background is a colour word right before "background" or "image", else the colour word
    after the object's; the object's colour is the first other colour word. Attributes the
    text does not mention are left out.
    """
    words = words_of(text)
    found: dict[str, str] = {}
    colours = [(i, w) for i, w in enumerate(words) if w in BACKGROUNDS]
    for i, word in colours:
        if i + 1 < len(words) and words[i + 1] in ("background", "image"):
            found.setdefault("background", word)
        elif word in COLORS and "color" not in found:
            found["color"] = word
        elif "color" in found:
            found.setdefault("background", word)
    for word in words:
        for name in ("shape", "size", "position"):
            if word in ATTRIBUTES[name]:
                found.setdefault(name, word)
    if {"digit", "number", "handwritten"} & set(words):
        numbers = [w for w in words if w in DIGIT_WORDS or (w.isdigit() and len(w) == 1)]
        if numbers:
            found["digit"] = numbers[0] if numbers[0] in DIGIT_WORDS else DIGIT_WORDS[int(numbers[0])]
    if "shape" in found:
        found["count"] = str(sum(w in SHAPES for w in words))
    return found
