"""The shipped vision models (models/clip, models/captioner, models/judge) on a test-split sample.

These are sanity floors, well above chance, that a broken model, loader or preprocessing would
miss; whether each model meets the issue's goals is measured on the full test split by
`muse bench vision` (docs/BENCHMARKS.md).
"""

from __future__ import annotations

import random

import pytest

from tools.data.digits import load_digits_split
from tools.data.shapes_world import ShapesWorld

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def scenes():
    return ShapesWorld(0).sample(150, "test")


@pytest.fixture(scope="module")
def digits():
    return load_digits_split("test")


def test_judge_names_colour_shape_and_digit(scenes, digits):
    from tools.vision_bench import judge_metrics

    metrics = judge_metrics(scenes, digits)
    assert metrics["color"] >= 0.95 and metrics["shape"] >= 0.95 and metrics["digit"] >= 0.93, metrics


def test_clip_zero_shot_and_retrieval(scenes, digits):
    from tools.vision_bench import clip_metrics

    metrics = clip_metrics(scenes, digits)
    assert metrics["zero_shot_color_shape"] >= 0.85, metrics  # chance: 1/24
    assert metrics["zero_shot_digit"] >= 0.80, metrics  # chance: 1/10
    assert metrics["text_to_image_recall@1"] >= 0.60, metrics


def test_captioner_names_every_attribute(scenes, digits):
    from tools.vision_bench import caption_metrics

    metrics = caption_metrics(scenes, digits)
    assert metrics["all_attributes_right"] >= 0.60, metrics
    assert metrics["digit_right"] >= 0.80, metrics


def test_questions(scenes, digits):
    from tools.vision_bench import question_metrics

    metrics = question_metrics(scenes[:60], digits, seed=0, backend="judge")
    assert metrics["accuracy"] >= 0.75, metrics


def test_ask_end_to_end_on_one_scene(scenes):
    from tools.ask import ask

    scene = random.Random(1).choice(scenes)
    assert ask(scene.image, "what colour is the background?").answer == scene.background
    assert ask(scene.image, "is the background black?", backend="captioner").answer in ("yes", "no")
    assert ask(scene.image, "what shape is it?", backend="captioner").evidence.startswith("a ")
