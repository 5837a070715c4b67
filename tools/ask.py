"""Image question answering grounded in the captioner: caption the image, read its attributes, answer.

    ask("scene.png", "what colour is the shape?")  ->  Answer(answer="red", caption="a small red ...")

Questions about colour, shape, size, position, background, count and digit value are parsed
with a small grammar; yes/no questions ("is there a triangle?", "is it on the left?") compare
the named word with the attribute the caption gives. The caption is returned as the evidence.
"""

from __future__ import annotations

import json
import re
from typing import NamedTuple

from langchain_core.tools import tool

from muse.errors import MuseError
from tools.data.captions import POSITION_PHRASES, parse_caption, words_of
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
    caption: str


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


def answer_from_caption(caption: str, question: str) -> str:
    """The answer a caption supports, or "unknown" when it does not mention what is asked."""
    kind, value = parse_question(question)
    attributes = parse_caption(caption)
    if kind.startswith("yes_no:"):
        return "yes" if attributes.get(kind.split(":", 1)[1]) == value else "no"
    if kind == "count":
        return DIGIT_WORDS[int(attributes.get("count") or ("1" if "digit" in attributes else "0"))]
    found = attributes.get(kind)
    if found is None:
        return "unknown"
    return POSITION_PHRASES[found] if kind == "position" else found


def ask(image: ImageSource, question: str, directory: str | None = None) -> Answer:
    """Answer one question about one image; the question is checked before the model runs."""
    from tools.caption import caption

    parse_question(question)
    text = caption([image], directory)[0]
    return Answer(answer_from_caption(text, question), text)


@tool
def ask_image(image: str, question: str) -> str:
    """Answer a question about an image."""
    return json.dumps(ask(image, question)._asdict())
