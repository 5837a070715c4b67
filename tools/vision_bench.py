"""`muse bench vision`: the vision models measured on the test split against the issue's goals.

Every figure comes from the test split (ShapesWorld seed 0 "test", the digits' test rows), so
nothing measured here was trained on. `run_bench(n)` returns a nested dict; `to_markdown`
renders it for docs/BENCHMARKS.md.
"""

from __future__ import annotations

import io
import random
import statistics
import time
from collections import defaultdict
from dataclasses import replace

import numpy as np
from PIL import Image

from muse.benchmarks import load_average, peak_memory_mb
from tools.bleu import corpus_bleu
from tools.data.captions import all_captions, parse_caption
from tools.data.digits import load_digits_split
from tools.data.questions import digit_questions, scene_questions
from tools.data.shapes_world import ShapesWorld
from tools.data.vocabulary import ATTRIBUTES, COLORS, DIGIT_WORDS, SHAPES

COLOR_SHAPE_LABELS = [f"{c} {s}" for c in COLORS for s in SHAPES]
SHAPE_ATTRIBUTES = tuple(ATTRIBUTES)


def latency_ms(fn, image, repeats: int) -> float:
    """Median wall time of `fn([image])`, batch 1, after one warm-up call."""
    fn([image])
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn([image])
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def variants(seed: int, n: int) -> dict[str, list]:
    """The same test scenes drawn differently from the training data: other sizes, no anti-aliasing, JPEG."""
    base = ShapesWorld(seed).sample(n, "test")

    def jpeg(image: Image.Image) -> Image.Image:
        buffer = io.BytesIO()
        image.save(buffer, "JPEG", quality=75)
        return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")

    return {
        "as generated (64 px)": base,
        "32 px": ShapesWorld(seed, resolution=32).sample(n, "test"),
        "160 px": ShapesWorld(seed, resolution=160).sample(n, "test"),
        "anti-aliasing off": ShapesWorld(seed, antialias=False).sample(n, "test"),
        "JPEG q75 round trip": [replace(s, image=jpeg(s.image)) for s in base],
    }


def clip_metrics(scenes, digits) -> dict[str, float]:
    from tools.clip import embed_images, embed_texts, zero_shot_classify

    images = embed_images([s.image for s in scenes])
    texts = embed_texts([s.caption for s in scenes])
    ranked = np.argsort(-(texts @ images.T), axis=1)
    attrs = [tuple(s.attributes.values()) for s in scenes]
    hit = lambda i, k: any(attrs[j] == attrs[i] for j in ranked[i, :k])  # noqa: E731
    zero_shot = zero_shot_classify([s.image for s in scenes], COLOR_SHAPE_LABELS, "a {}")
    digit_preds = zero_shot_classify(digits.images, list(DIGIT_WORDS), "a handwritten digit {}")
    return {
        "text_to_image_recall@1": float(np.mean([hit(i, 1) for i in range(len(scenes))])),
        "text_to_image_recall@5": float(np.mean([hit(i, 5) for i in range(len(scenes))])),
        "zero_shot_color_shape": float(np.mean([p == f"{s.color} {s.shape}" for (p, _), s in zip(zero_shot, scenes)])),
        "zero_shot_digit": float(np.mean([p == DIGIT_WORDS[y] for (p, _), y in zip(digit_preds, digits.labels)])),
    }


def caption_metrics(scenes, digits) -> dict[str, float]:
    from tools.caption import caption

    captions = caption([s.image for s in scenes])
    parsed = [parse_caption(c) for c in captions]
    per_attribute = {a: float(np.mean([p.get(a) == getattr(s, a) for p, s in zip(parsed, scenes)])) for a in SHAPE_ATTRIBUTES}
    references = [all_captions(**s.attributes) for s in scenes]
    digit_captions = caption(digits.images)
    return {
        "all_attributes_right": float(np.mean([all(p.get(a) == getattr(s, a) for a in SHAPE_ATTRIBUTES) for p, s in zip(parsed, scenes)])),
        **{f"{a}_right": v for a, v in per_attribute.items()},
        "bleu4": corpus_bleu(captions, references),
        "digit_right": float(np.mean([parse_caption(c).get("digit") == DIGIT_WORDS[y] for c, y in zip(digit_captions, digits.labels)])),
    }


def question_metrics(scenes, digits, seed: int, backend: str, n_digits: int = 100) -> dict[str, float]:
    """Questions answered by `ask`'s own logic; each image is read once for all its questions.

    Two questions per scene and one per digit for the first `n_digits` test digits, so digit
    questions do not outweigh the rest.
    """
    from tools.ask import answer_from_attributes, read_images

    rng = random.Random(seed)
    scene_qs, digit_qs = scene_questions(scenes, rng), digit_questions(digits.labels[:n_digits], rng)
    scene_reads = read_images([s.image for s in scenes], backend)
    digit_reads = read_images(digits.images[:n_digits], backend)
    by_kind = defaultdict(list)
    for q in scene_qs:
        by_kind[q.kind].append(answer_from_attributes(scene_reads[q.image_index][0], q.question) == q.answer)
    for q in digit_qs:
        by_kind["digit"].append(answer_from_attributes(digit_reads[q.image_index][0], q.question) == q.answer)
    every = [ok for oks in by_kind.values() for ok in oks]
    return {"questions": len(every), "accuracy": float(np.mean(every)), **{k: float(np.mean(v)) for k, v in sorted(by_kind.items())}}


def judge_metrics(scenes, digits) -> dict[str, float]:
    from tools.judge import classify

    preds = classify([s.image for s in scenes])
    digit_preds = classify(digits.images)
    metrics = {a: float(np.mean([p[a] == getattr(s, a) for p, s in zip(preds, scenes)])) for a in SHAPE_ATTRIBUTES}
    metrics["digit"] = float(np.mean([p["digit"] == y for p, y in zip(digit_preds, digits.labels)]))
    metrics["domain"] = float(np.mean([p["domain"] == "shape" for p in preds] + [p["domain"] == "digit" for p in digit_preds]))
    return metrics


def robustness(seed: int, n: int) -> dict[str, dict[str, float]]:
    from tools.caption import caption
    from tools.clip import zero_shot_classify
    from tools.judge import classify

    rows = {}
    for name, scenes in variants(seed, n).items():
        images = [s.image for s in scenes]
        zero_shot = zero_shot_classify(images, COLOR_SHAPE_LABELS, "a {}")
        parsed = [parse_caption(c) for c in caption(images)]
        judged = classify(images)
        rows[name] = {
            "clip_zero_shot_color_shape": float(np.mean([p == f"{s.color} {s.shape}" for (p, _), s in zip(zero_shot, scenes)])),
            "captioner_all_attributes": float(np.mean([all(p.get(a) == getattr(s, a) for a in SHAPE_ATTRIBUTES) for p, s in zip(parsed, scenes)])),
            "judge_color_shape": float(np.mean([p["color"] == s.color and p["shape"] == s.shape for p, s in zip(judged, scenes)])),
        }
    return rows


def run_bench(n_scenes: int = 1000, n_questions_scenes: int = 300, n_robust: int = 300, repeats: int = 30, seed: int = 0) -> dict:
    from tools.caption import caption
    from tools.clip import embed_images
    from tools.judge import classify

    scenes = ShapesWorld(seed).sample(n_scenes, "test")
    digits = load_digits_split("test", seed=seed)
    result = {"n_scenes": n_scenes, "n_digits": len(digits), "memory_mb": {}, "latency_ms": {},
              "load_average": load_average()}
    for name, measure, fn in (
        ("judge", lambda: judge_metrics(scenes, digits), classify),
        ("clip", lambda: clip_metrics(scenes, digits), embed_images),
        ("captioner", lambda: caption_metrics(scenes, digits), caption),
    ):
        result[name] = measure()
        result["latency_ms"][name] = latency_ms(fn, scenes[0].image, repeats)
        result["memory_mb"][name] = peak_memory_mb()
    result["questions"] = question_metrics(scenes[:n_questions_scenes], digits, seed, "judge")
    result["questions_captioner"] = question_metrics(scenes[:n_questions_scenes], digits, seed, "captioner")
    result["robustness"] = robustness(seed, n_robust)
    return result


GOALS = (  # (section, metric, goal, label)
    ("clip", "text_to_image_recall@1", 0.90, "CLIP text→image recall@1 (top image has all 5 attributes of the query)"),
    ("clip", "zero_shot_color_shape", 0.97, "CLIP zero-shot colour+shape accuracy (24 classes)"),
    ("clip", "zero_shot_digit", 0.90, "CLIP zero-shot digit accuracy (10 classes)"),
    ("captioner", "all_attributes_right", 0.90, "Captioner: all 5 attributes right"),
    ("questions", "accuracy", 0.90, "Image questions accuracy (`ask`, judge backend, the default)"),
    ("questions_captioner", "accuracy", 0.90, "Image questions accuracy (`ask`, captioner backend)"),
    ("judge", "color", 0.98, "Judge colour accuracy"),
    ("judge", "shape", 0.98, "Judge shape accuracy"),
    ("judge", "digit", 0.97, "Judge digit accuracy"),
)


def to_markdown(result: dict, command: str) -> str:
    """The benchmark as markdown: goals first, then details, speed and robustness."""
    n, nd = result["n_scenes"], result["n_digits"]
    lines = [f"## Vision models\n\nMeasured by `{command}` on the test split ({n} ShapesWorld scenes, {nd} digits).\n",
             "| Measure | Goal | Measured | Met |", "|---|---|---|---|"]
    for section, metric, goal, label in GOALS:
        value = result[section][metric]
        lines.append(f"| {label} | ≥ {goal:.0%} | {value:.1%} | {'yes' if value >= goal else 'no'} |")
    lines.append("")
    caption = result["captioner"]
    lines.append(f"Captioner BLEU-4 against the 5 phrasings of each scene: {caption['bleu4']:.3f}; "
                 + ", ".join(f"{a} {caption[a + '_right']:.1%}" for a in SHAPE_ATTRIBUTES)
                 + f"; digit named right {caption['digit_right']:.1%}.")
    for key, backend in (("questions", "judge"), ("questions_captioner", "captioner")):
        q = result[key]
        kinds = {k: v for k, v in q.items() if k not in ("questions", "accuracy")}
        lines.append(f"Image questions, {backend} backend: {q['questions']} questions; " + ", ".join(f"{k} {v:.1%}" for k, v in kinds.items()) + ".")
    judge = result["judge"]
    lines.append("Judge: " + ", ".join(f"{k} {v:.1%}" for k, v in judge.items()) + ".\n")
    lines += ["| Model | Latency p50, batch 1 (ms) | Peak RSS of the bench process after it (MB) |", "|---|---|---|"]
    for name, ms in result["latency_ms"].items():
        lines.append(f"| {name} | {ms:.1f} | {result['memory_mb'][name]:.0f} |")
    lines += ["", f"1-minute load average of the shared 2-core machine when the run started: {result['load_average']}."]
    lines += ["", "Drawn differently from the generator (same test scenes):", "",
              "| Variant | CLIP zero-shot colour+shape | Captioner all attributes | Judge colour+shape |", "|---|---|---|---|"]
    for name, row in result["robustness"].items():
        lines.append(f"| {name} | {row['clip_zero_shot_color_shape']:.1%} | {row['captioner_all_attributes']:.1%} | {row['judge_color_shape']:.1%} |")
    return "\n".join(lines) + "\n"
