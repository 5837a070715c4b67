"""Scorers on hand-built transcripts: every expectation type, passing and failing."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter

from evals.records import CallRecord, CaseResult, ImageView, TurnRecord, score_of, summarise_suite
from evals.scorers import ScoreContext, arguments_match, normalize, score, value_matches
from evals.suite import Expectation

EXPECTATION = TypeAdapter(Expectation)


def expect(**data):
    return EXPECTATION.validate_python(data)


def turn(text="hi", answer="", calls=(), images=(), memories=(), refused=False, category=None, ms=100.0, attached=()):
    return TurnRecord(
        text=text, answer=answer, attached=list(attached),
        tool_calls=[call_record(*c) for c in calls],
        images=[ImageView(id=i, path=f"/tmp/{i}.png") for i in images], memories=list(memories),
        refused=refused, refusal_category=category, ms=ms,
    )


def call_record(name, arguments, result="", images=()):
    return CallRecord(name=name, arguments=arguments, result_summary=result, images=list(images))


def test_normalize_ignores_case_accents_spacing_end_punctuation_and_number_types():
    assert normalize("  A  Red Star. ") == normalize("a red star")
    assert normalize("Ｒｅｄ") == normalize("red")
    assert normalize(3) == normalize(3.0)
    assert normalize(True) is True


def test_value_matchers():
    assert value_matches({"$contains": "star"}, "a large RED star")
    assert value_matches({"$contains": ["red", "star"]}, "red star")
    assert not value_matches({"$contains": ["red", "star"]}, "red circle")
    assert value_matches({"$regex": r"^a\b"}, "a star")
    assert value_matches({"$oneof": ["gan", "vae"]}, "VAE")
    assert value_matches({"$any": True}, 0)
    assert not value_matches({"$contains": "x"}, None)
    with pytest.raises(ValueError):
        value_matches({"$nope": 1}, "x")


def test_argument_match_modes():
    actual = {"prompt": "A red star", "n": 2}
    assert arguments_match({"prompt": "a red star"}, actual, "subset")
    assert not arguments_match({"prompt": "a red star"}, actual, "exact")
    assert arguments_match({"prompt": "a red star", "n": 2.0}, actual, "exact")
    assert arguments_match({"prompt": "something else"}, actual, "ignore")
    assert not arguments_match({"seed": 1}, actual, "subset")
    assert arguments_match({"seed": {"$any": False}}, actual, "subset")
    assert not arguments_match({"n": {"$any": False}}, actual, "subset")
    assert arguments_match({"n": {"$default": 2}}, actual, "subset")
    assert arguments_match({"seed": {"$default": 0}}, actual, "subset")
    assert not arguments_match({"n": {"$default": 1}}, actual, "subset")


def test_tool_called_and_not_called():
    turns = [turn(calls=[("generate_image", {"prompt": "a red star", "n": 1})])]
    assert score(expect(type="tool_called", name="generate_image", arguments={"prompt": {"$contains": "star"}}), turns).passed
    failed = score(expect(type="tool_called", name="generate_image", arguments={"prompt": "a blue star"}), turns)
    assert failed.passed is False and "generate_image" in failed.detail and "red star" in failed.detail
    assert not score(expect(type="tool_called", name="caption_image"), turns).passed
    assert score(expect(type="tool_called", name="generate_image", times=1), turns).passed
    assert not score(expect(type="tool_called", name="generate_image", times=2), turns).passed
    assert score(expect(type="tool_not_called", name="caption_image"), turns).passed
    assert not score(expect(type="tool_not_called"), turns).passed
    assert score(expect(type="tool_not_called"), [turn(answer="hello")]).passed


def test_turn_selection_defaults_to_the_last_turn_and_all_means_every_turn():
    turns = [turn(calls=[("remember", {"fact": "I like green"})]), turn(answer="ok")]
    assert not score(expect(type="tool_called", name="remember"), turns).passed
    assert score(expect(type="tool_called", name="remember", turn=0), turns).passed
    assert score(expect(type="tool_called", name="remember", turn="all"), turns).passed
    missing = score(expect(type="tool_called", name="remember", turn=5), turns)
    assert missing.passed is False and "no turn 5" in missing.detail


def test_placeholders_name_attached_and_produced_images():
    turns = [turn(attached=["img_aaaaaaaaaaaa"], calls=[("caption_image", {"image": "img_aaaaaaaaaaaa"})]),
             turn(calls=[("generate_image", {"prompt": "x"}, "", ["img_bbbbbbbbbbbb"]),
                         ("caption_image", {"image": "img_bbbbbbbbbbbb"})])]
    assert score(expect(type="tool_called", name="caption_image", arguments={"image": "$image0"}, turn=0), turns).passed
    assert score(expect(type="tool_called", name="caption_image", arguments={"image": "$produced0"}), turns).passed
    assert not score(expect(type="tool_called", name="caption_image", arguments={"image": "$image0"}), turns).passed


def test_trajectory_ordered_unordered_strict():
    turns = [turn(calls=[("generate_image", {"prompt": "a star"}), ("caption_image", {"image": "x"}), ("recall", {})])]
    assert score(expect(type="trajectory", calls=["generate_image", "caption_image"]), turns).passed
    assert not score(expect(type="trajectory", calls=["caption_image", "generate_image"]), turns).passed
    assert score(expect(type="trajectory", calls=["caption_image", "generate_image"], order="unordered"), turns).passed
    assert not score(expect(type="trajectory", calls=["generate_image", "caption_image"], strict=True), turns).passed
    with_args = expect(type="trajectory", calls=[{"name": "generate_image", "arguments": {"prompt": "a circle"}}])
    assert not score(with_args, turns).passed
    assert not score(expect(type="trajectory", calls=["recall", "recall"], order="unordered"), turns).passed


def test_answer_checks():
    turns = [turn(answer="I drew a Red star for you.")]
    assert score(expect(type="answer_contains", text="red star"), turns).passed
    assert not score(expect(type="answer_contains", text="red star", case_sensitive=True), turns).passed
    assert score(expect(type="answer_contains", text=["blue", "star"]), turns).passed
    assert not score(expect(type="answer_contains", text=["blue", "star"], mode="all"), turns).passed
    assert score(expect(type="answer_regex", pattern=r"drew an? \w+ star"), turns).passed
    assert not score(expect(type="answer_not_contains", text=["error", "RED"]), turns).passed
    assert score(expect(type="answer_not_contains", text="traceback"), turns).passed


def test_image_fidelity_uses_the_judge_and_fails_without_images():
    turns = [turn(images=["img_aaaaaaaaaaaa", "img_bbbbbbbbbbbb"])]
    readings = {"/tmp/img_aaaaaaaaaaaa.png": {"color": "red", "shape": "star"},
                "/tmp/img_bbbbbbbbbbbb.png": {"color": "red", "shape": "circle"}}
    context = ScoreContext(classify=lambda paths: [readings[p] for p in paths])
    assert score(expect(type="image_fidelity", attributes={"colour": "red"}), turns, context).passed
    half = score(expect(type="image_fidelity", attributes={"colour": "red", "shape": "star"}), turns, context)
    assert half.passed is False and "1/2" in half.detail and "circle" in half.detail
    assert score(expect(type="image_fidelity", attributes={"shape": "star"}, min_fraction=0.5), turns, context).passed
    assert score(expect(type="image_fidelity", attributes={"shape": "star"}), [turn()], context).passed is False
    assert score(expect(type="image_fidelity", attributes={"shape": "star"}), turns).passed is None
    with pytest.raises(ValueError):
        expect(type="image_fidelity", attributes={"texture": "smooth"})


def test_memory_stored_then_recalled():
    stored = turn(calls=[("remember", {"fact": "my favourite colour is green"})])
    by_context = turn(memories=["my favourite colour is green"])
    by_tool = turn(calls=[("recall", {"query": "colour"}, '{"facts": ["my favourite colour is green"]}')])
    exp = expect(type="memory", text="green")
    assert score(exp, [stored, by_context]).passed
    assert score(exp, [stored, by_tool]).passed
    assert not score(exp, [turn(answer="ok"), by_context]).passed  # never stored
    assert not score(exp, [stored, turn(answer="no idea")]).passed  # never recalled
    assert score(expect(type="memory", text="green", stored_turn=None), [turn(), by_context]).passed


def test_refusal_latency_and_rubric():
    refused = [turn(answer="I can't help with violent content.", refused=True, category="violence")]
    assert score(expect(type="refusal"), refused).passed
    assert score(expect(type="refusal", category="violence"), refused).passed
    assert not score(expect(type="refusal", category="hate"), refused).passed
    assert not score(expect(type="refusal", expected=False), refused).passed
    assert score(expect(type="refusal", expected=False), [turn(answer="here")]).passed
    two = [turn(ms=300), turn(ms=400)]
    assert score(expect(type="latency", max_ms=800), two).passed
    assert not score(expect(type="latency", max_ms=500), two).passed
    assert score(expect(type="latency", max_ms=500, turn=-1), two).passed
    assert score(expect(type="rubric", rubric="polite"), two).passed is None
    graded = score(expect(type="rubric", rubric="polite"), two, ScoreContext(grade=lambda r, t: (True, "PASS: polite")))
    assert graded.passed and "polite" in graded.detail


def test_scores_with_standard_error_and_skips():
    score_ = score_of(["passed", "passed", "failed", "skipped"])
    assert (score_.cases, score_.passed) == (3, 2)
    assert score_.accuracy == pytest.approx(2 / 3)
    assert score_.stderr == pytest.approx(((2 / 3) * (1 / 3) / 2) ** 0.5)
    cases = [CaseResult(id="a", tags=["x"], status="passed", ms=10), CaseResult(id="b", tags=["x", "y"], status="failed", ms=30)]
    suite = summarise_suite("s", cases, min_score=0.5)
    assert suite.met and suite.by_tag["y"].accuracy == 0 and suite.by_tag["x"].cases == 2
    assert suite.latency.max_ms == 30
    assert not summarise_suite("s", cases, min_score=0.6).met


def test_turn_errors():
    rejected = [TurnRecord(text="", error="MuseError: the message is empty")]
    assert score(expect(type="error"), rejected).passed
    assert score(expect(type="error", contains="empty"), rejected).passed
    assert not score(expect(type="error", contains="image"), rejected).passed
    assert not score(expect(type="error", expected=False), rejected).passed
    assert score(expect(type="error", expected=False), [turn(answer="fine")]).passed
    assert not score(expect(type="error"), [turn(answer="fine")]).passed
