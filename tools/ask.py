"""Image question answering: read the image's attributes with a model, then answer from them.

    ask("scene.png", "what colour is the shape?")  ->  Answer(answer="red", evidence="a small red ...")

Questions about colour, shape, size, position, background, count and digit value are parsed
with a small grammar; yes/no questions ("is there a triangle?", "is it on the left?") compare
the named word with the attribute read from the image. Two readers (setting `vision.ask_backend`):
"judge", the attribute classifier's heads, and "captioner", the words of a generated caption
(which also works with a real BLIP or ViT-GPT2 checkpoint). The evidence names what was read.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from muse.errors import MuseError
from muse.settings import get_settings
from tools.data.captions import POSITION_PHRASES, canonical_caption, digit_caption, parse_caption, words_of
from tools.data.vocabulary import ATTRIBUTES, DIGIT_WORDS
from tools.images import ImageSource

# (kind, pattern) in order: the first match decides what is asked. Patterns see synonym-mapped words.
QUESTION_KINDS: tuple[tuple[str, str], ...] = (
    ("background", r"\bbackground\b"),
    ("count", r"\bhow many\b"),
    ("digit", r"\b(digit|number|numeral)\b"),
    ("color", r"\bcolor\b"),
    ("size", r"\b(size|how large|how small|small or large|large or small)\b"),
    ("position", r"\b(where|position|which side|which part)\b"),
    ("shape", r"\b(shape|kind of object|what object|which object)\b"),
)
YES_NO_START = re.compile(r"^(is|are|does|do|can|was)\b")


class Answer(NamedTuple):
    answer: str
    evidence: str  # the caption, or the judge's reading written as a caption


def parse_question(question: str) -> tuple[str, str | None]:
    """(kind, asked value): ("color", None) for "what colour is it?", ("yes_no:shape", "triangle") for "is there a triangle?"."""
    words = words_of(question)
    text = " ".join(words)
    if YES_NO_START.match(text) and "or" not in words:  # "is it small or large?" asks to choose
        for name, values in (*ATTRIBUTES.items(), ("digit", DIGIT_WORDS)):
            named = [w for w in words if w in values]
            if name == "color" and "background" in words:
                continue  # "is the background red?" names the background, handled below
            if named:
                return f"yes_no:{name}", named[0]
        if "background" in words and (named := [w for w in words if w in ATTRIBUTES["background"]]):
            return "yes_no:background", named[0]
    for kind, pattern in QUESTION_KINDS:
        if re.search(pattern, text):
            return kind, None
    raise MuseError(
        f"cannot parse the question {question!r}; ask about colour, shape, size, position, background, count or digit"
    )


def answer_from_attributes(attributes: dict[str, str], question: str) -> str:
    """The answer the attributes support, or "unknown" when they do not cover what is asked."""
    kind, value = parse_question(question)
    if kind.startswith("yes_no:"):
        return "yes" if attributes.get(kind.split(":", 1)[1]) == value else "no"
    if kind == "count":
        return DIGIT_WORDS[int(attributes.get("count") or ("1" if "digit" in attributes else "0"))]
    found = attributes.get(kind)
    if found is None:
        return "unknown"
    return POSITION_PHRASES[found] if kind == "position" else found


def answer_from_caption(caption: str, question: str) -> str:
    return answer_from_attributes(parse_caption(caption), question)


def judge_reading(result: dict) -> tuple[dict[str, str], str]:
    """A judge result as attributes (one object per scene) and as a caption-like sentence."""
    if result["domain"] == "digit":
        return {"digit": DIGIT_WORDS[result["digit"]]}, digit_caption(result["digit"])
    attributes = {name: result[name] for name in ATTRIBUTES}
    return {**attributes, "count": "1"}, canonical_caption(**attributes)


def read_images(images: list[ImageSource], backend: str | None = None) -> list[tuple[dict[str, str], str]]:
    """(attributes, evidence) per image, read by the judge or from a generated caption."""
    backend = backend or get_settings().vision.ask_backend
    if backend == "judge":
        from tools.judge import classify

        return [judge_reading(result) for result in classify(images)]
    from tools.caption import caption

    return [(parse_caption(text), text) for text in caption(images)]


def ask(image: ImageSource, question: str, backend: str | None = None) -> Answer:
    """Answer one question about one image; the question is checked before the model runs."""
    parse_question(question)
    ((attributes, evidence),) = read_images([image], backend)
    return Answer(answer_from_attributes(attributes, question), evidence)
