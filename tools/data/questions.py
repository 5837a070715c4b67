"""A generated set of image questions with their answers, spread across question types.

Questions are asked about test-split scenes and digits; each comes in several phrasings and
yes/no questions are true half of the time.
"""

from __future__ import annotations

import random
from typing import NamedTuple

from tools.data.vocabulary import ATTRIBUTES, DIGIT_WORDS, POSITION_PHRASES

OPEN_QUESTIONS: dict[str, tuple[str, ...]] = {
    "color": ("what colour is the shape?", "what color is the object?", "which colour is the {shape}?"),
    "shape": ("what shape is it?", "what shape is shown?", "which shape is in the picture?"),
    "size": ("what size is the shape?", "is the {shape} small or large?", "how large is the object?"),
    "position": ("where is the shape?", "where is the {color} {shape}?", "what is the position of the object?"),
    "background": ("what colour is the background?", "what is the background color?"),
    "count": ("how many shapes are there?", "how many objects are in the image?"),
}
YES_NO_QUESTIONS: dict[str, tuple[str, ...]] = {
    "color": ("is the shape {value}?", "is the object {value}?"),
    "shape": ("is there a {value}?", "is the shape a {value}?"),
    "size": ("is the shape {value}?",),
    "position": ("is the shape {phrase}?",),
    "background": ("is the background {value}?",),
}
DIGIT_QUESTIONS = ("which digit is this?", "what number is written?", "which digit is shown?")


class Question(NamedTuple):
    image_index: int  # into the scenes, or into the digits for kind "digit"
    kind: str
    question: str
    answer: str


def _expected(kind: str, value: str) -> str:
    return POSITION_PHRASES[value] if kind == "position" else value


def scene_questions(scenes, rng: random.Random, per_scene: int = 2) -> list[Question]:
    """Open and yes/no questions about single-object scenes, kinds chosen uniformly."""
    questions = []
    kinds = [*OPEN_QUESTIONS, *(f"yes_no:{k}" for k in YES_NO_QUESTIONS)]
    for index, scene in enumerate(scenes):
        attributes = scene.attributes
        for kind in rng.sample(kinds, per_scene):
            if kind == "count":
                text, answer = rng.choice(OPEN_QUESTIONS[kind]), "one"
            elif not kind.startswith("yes_no:"):
                text = rng.choice(OPEN_QUESTIONS[kind]).format(**attributes)
                answer = _expected(kind, attributes[kind])
            else:
                name = kind.split(":", 1)[1]
                truth = rng.random() < 0.5
                value = attributes[name] if truth else rng.choice([v for v in ATTRIBUTES[name] if v != attributes[name]])
                text = rng.choice(YES_NO_QUESTIONS[name]).format(value=value, phrase=POSITION_PHRASES.get(value, ""))
                answer = "yes" if truth else "no"
            questions.append(Question(index, kind, text, answer))
    return questions


def digit_questions(labels, rng: random.Random) -> list[Question]:
    return [Question(i, "digit", rng.choice(DIGIT_QUESTIONS), DIGIT_WORDS[int(label)]) for i, label in enumerate(labels)]
