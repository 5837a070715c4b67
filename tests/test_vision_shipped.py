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
    return ShapesWorld(0).sample(100, "test")


@pytest.fixture(scope="module")
def digits():
    return load_digits_split("test")


def test_judge_names_colour_shape_and_digit(scenes, digits):
    from tools.vision_bench import judge_metrics

    metrics = judge_metrics(scenes, digits)
    assert metrics["color"] >= 0.95 and metrics["shape"] >= 0.95 and metrics["digit"] >= 0.93, metrics


@pytest.fixture(scope="module")
def clip_metrics(scenes, digits):
    from tools.vision_bench import clip_metrics

    return clip_metrics(scenes, digits)


@pytest.fixture(scope="module")
def caption_metrics(scenes, digits):
    from tools.vision_bench import caption_metrics

    return caption_metrics(scenes, digits)


def test_clip_reads_digits(clip_metrics):
    assert clip_metrics["zero_shot_digit"] >= 0.80, clip_metrics  # chance: 1/10


def test_clip_zero_shot_and_retrieval(clip_metrics):
    assert clip_metrics["zero_shot_color_shape"] >= 0.95, clip_metrics  # chance: 1/24
    assert clip_metrics["text_to_image_recall@1"] >= 0.90, clip_metrics


def test_captioner_names_colour_size_and_background(caption_metrics):
    for name in ("color", "size", "background"):
        assert caption_metrics[f"{name}_right"] >= 0.95, caption_metrics


def test_captioner_names_every_attribute(caption_metrics):
    assert caption_metrics["all_attributes_right"] >= 0.90, caption_metrics  # the goal
    assert caption_metrics["position_right"] >= 0.95, caption_metrics
    assert caption_metrics["digit_right"] >= 0.90, caption_metrics


def test_questions(scenes, digits):
    from tools.vision_bench import question_metrics

    metrics = question_metrics(scenes[:60], digits, seed=0, backend="judge")
    assert metrics["accuracy"] >= 0.90, metrics


def test_ask_end_to_end_on_one_scene(scenes):
    from tools.ask import ask

    scene = random.Random(1).choice(scenes)
    assert ask(scene.image, "what colour is the background?").answer == scene.background
    assert ask(scene.image, "is the background black?", backend="captioner").answer in ("yes", "no")
    assert ask(scene.image, "what shape is it?", backend="captioner").evidence.startswith("a ")
