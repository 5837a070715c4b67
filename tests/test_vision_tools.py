"""Question and caption parsing; BLEU; the vision benchmark's report (the tools' contract is in test_builtin_tools)."""

from __future__ import annotations

import random

import pytest

from muse.errors import MuseError
from tools.ask import answer_from_caption, parse_question
from tools.bleu import corpus_bleu
from tools.data.captions import parse_caption
from tools.data.questions import digit_questions, scene_questions
from tools.data.shapes_world import ShapesWorld


def test_generated_questions_are_answered_right_from_true_captions():
    """The question grammar and the answer logic agree on every generated question (so errors are the model's)."""
    rng = random.Random(0)
    scenes = ShapesWorld(0).sample(200, "test")
    questions = scene_questions(scenes, rng)
    assert len({q.kind for q in questions}) == 11 and {q.answer for q in questions if q.kind.startswith("yes")} == {"yes", "no"}
    for q in questions:
        assert answer_from_caption(scenes[q.image_index].caption, q.question) == q.answer, q
    digits = digit_questions([7, 0], rng)
    assert [q.answer for q in digits] == ["seven", "zero"]
    for q in digits:
        assert answer_from_caption(f"a handwritten digit {q.answer}", q.question) == q.answer


def test_question_parsing():
    assert parse_question("What colour is the background?") == ("background", None)
    assert parse_question("is the background red?") == ("yes_no:background", "red")
    assert parse_question("Is there a triangle?") == ("yes_no:shape", "triangle")
    assert parse_question("is it small or large?") == ("size", None)
    assert parse_question("which digit is this?") == ("digit", None)
    assert answer_from_caption("a big green star in the middle on a grey background", "where is it?") == "in the center"
    assert answer_from_caption("a handwritten digit seven", "what colour is the shape?") == "unknown"
    with pytest.raises(MuseError, match="cannot parse the question"):
        parse_question("why?")


def test_judge_reading_answers_questions():
    from tools.ask import answer_from_attributes, judge_reading

    scene = {"domain": "shape", "color": "red", "shape": "star", "size": "small", "position": "top", "background": "white", "digit": 3}
    attributes, evidence = judge_reading(scene)
    assert evidence == "a small red star at the top on a white background"
    assert answer_from_attributes(attributes, "where is the star?") == "at the top"
    assert answer_from_attributes(attributes, "how many shapes are there?") == "one"
    assert judge_reading({**scene, "domain": "digit"}) == ({"digit": "three"}, "a handwritten digit three")


def test_parse_free_text_caption():
    assert parse_caption("A red circle on a blue background.") == {
        "color": "red", "background": "blue", "shape": "circle", "count": "1"}
    assert parse_caption("white star on black")["shape"] == "star"
    assert parse_caption("the handwritten number 4") == {"digit": "four"}


def test_bleu():
    assert corpus_bleu(["a red star"], [["a red star"]]) == 0.0  # no 4-grams in a 3-word sentence
    assert corpus_bleu(["the cat sat on the mat"], [["the cat sat on the mat"]]) == pytest.approx(1.0)
    assert corpus_bleu(["the cat sat on a mat"], [["the cat sat on the mat"]]) == pytest.approx((5 / 6 * 3 / 5 * 2 / 4 * 1 / 3) ** 0.25)


def test_benchmark_markdown_marks_goals_met_or_not():
    from tools.vision_bench import to_markdown

    attrs = {f"{a}_right": 0.9 for a in ("color", "shape", "size", "position", "background")}
    result = {
        "n_scenes": 10, "n_digits": 5,
        "clip": {"text_to_image_recall@1": 0.95, "zero_shot_color_shape": 0.5, "zero_shot_digit": 0.9},
        "captioner": {"all_attributes_right": 0.9, "bleu4": 0.5, "digit_right": 1.0, **attrs},
        "questions": {"questions": 3, "accuracy": 0.95, "color": 1.0},
        "questions_captioner": {"questions": 3, "accuracy": 0.5, "color": 0.5},
        "judge": {"color": 1.0, "shape": 0.97, "digit": 0.99},
        "latency_ms": {"judge": 1.0}, "memory_mb": {"judge": 100.0}, "load_average": 1.5,
        "robustness": {"JPEG": {"clip_zero_shot_color_shape": 1.0, "captioner_all_attributes": 1.0, "judge_color_shape": 1.0}},
    }
    markdown = to_markdown(result, "muse bench vision")
    assert "| CLIP text→image recall@1 (top image has all 5 attributes of the query) | ≥ 90% | 95.0% | yes |" in markdown
    assert "| CLIP zero-shot colour+shape accuracy (24 classes) | ≥ 97% | 50.0% | no |" in markdown
    assert "| Judge shape accuracy | ≥ 98% | 97.0% | no |" in markdown
    assert "| JPEG | 100.0% | 100.0% | 100.0% |" in markdown
    assert "load average of the shared 2-core machine when the run started: 1.5." in markdown
    assert "| Image questions accuracy (`ask`, captioner backend) | ≥ 90% | 50.0% | no |" in markdown
