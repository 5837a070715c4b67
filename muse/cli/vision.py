"""`muse caption`, `muse ask`, `muse classify`, `muse train clip|captioner|judge`, `muse bench vision`.

Models and torch are imported inside the commands so `muse --help` stays fast. Every image is
loaded and checked before any model runs, so a bad file fails fast with one line (exit 2).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from muse.cli import app, bench_app, train_app
from muse.settings import get_settings

JsonOption = Annotated[bool, typer.Option("--json", help="One JSON object per line.")]
ImagesArgument = Annotated[list[str], typer.Argument(help="Image paths, or - for standard input.")]


def _print_results(paths: list[str], results: list, key: str, as_json: bool) -> None:
    for path, result in zip(paths, results):
        if as_json:
            record = result if isinstance(result, dict) else {key: result}
            typer.echo(json.dumps({"image": path, **record}))
        elif len(paths) > 1:
            typer.echo(f"{path}: {result}")
        else:
            typer.echo(result)


def _set_threads() -> None:
    threads = get_settings().vision.threads
    if threads > 0:
        import torch

        torch.set_num_threads(threads)


@app.command()
def caption(images: ImagesArgument, as_json: JsonOption = False) -> None:
    """Describe each image in one generated sentence."""
    from tools.caption import caption as caption_images
    from tools.images import load_images

    loaded = load_images(images)
    _set_threads()
    _print_results(images, caption_images(loaded), "caption", as_json)


@app.command()
def ask(
    image: Annotated[str, typer.Argument(help="Image path, or - for standard input.")],
    question: Annotated[str, typer.Argument(help='e.g. "what colour is the shape?"')],
    as_json: JsonOption = False,
) -> None:
    """Answer a question about an image's colour, shape, size, position, background, count or digit."""
    from tools.ask import ask as ask_image
    from tools.images import load_image

    loaded = load_image(image)
    _set_threads()
    answer = ask_image(loaded, question)
    typer.echo(json.dumps({"image": image, "question": question, **answer._asdict()}) if as_json else answer.answer)


@app.command()
def classify(images: ImagesArgument, as_json: JsonOption = False) -> None:
    """Name the colour, shape, size, position, background and digit in each image (the judge)."""
    from tools.images import load_images
    from tools.judge import classify as classify_images

    loaded = load_images(images)
    _set_threads()
    results = classify_images(loaded)
    if as_json:
        _print_results(images, results, "classes", True)
        return
    summaries = [
        f"{r['size']} {r['color']} {r['shape']} {r['position']}, {r['background']} background"
        if r["domain"] == "shape" else f"digit {r['digit']}"
        for r in results
    ]
    _print_results(images, summaries, "classes", False)


TRAINERS = {  # name -> (module, function, settings attribute of the output directory, quick arguments)
    "clip": ("tools.clip_train", "train_clip", "clip_pretrained", {"steps": 3, "batch_size": 16, "n_scenes": 64}),
    "captioner": ("tools.caption_train", "train_captioner", "captioner", {"steps": 3, "batch_size": 16, "n_scenes": 64, "n_val": 8}),
    "judge": ("tools.judge_train", "train_judge", "judge", {"steps": 3, "batch_size": 16, "n_scenes": 64, "n_val": 16}),
}


def _train(name: str, quick: bool, steps: int | None, out: Path | None, threads: int | None, resume: bool = False) -> None:
    import importlib

    settings = get_settings()
    module, function, attribute, quick_args = TRAINERS[name]
    shipped = Path(getattr(settings.vision, attribute))
    shipped = shipped.parent if shipped.suffix else shipped  # clip's setting names the weights file
    out = out or (settings.cache_dir / "quick" / name if quick else shipped)
    kwargs = dict(quick_args) if quick else {}
    if resume:
        kwargs["resume"] = True
    if steps is not None:
        kwargs["steps"] = steps
    threads = settings.vision.threads if threads is None else threads
    metrics = getattr(importlib.import_module(module), function)(out, seed=settings.seed, threads=threads, **kwargs)
    typer.echo(f"saved {name} to {out}: " + ", ".join(f"{k} {v:.3f}" for k, v in metrics.items()))


QuickOption = Annotated[bool, typer.Option("--quick", help="A few steps on tiny data, saved under the cache dir (for tests).")]
StepsOption = Annotated[int | None, typer.Option(help="Optimizer steps (default: the shipped model's).")]
OutOption = Annotated[Path | None, typer.Option(help="Output directory (default: the shipped model's).")]
ResumeOption = Annotated[bool, typer.Option("--resume", help="Continue from the weights already in the output directory.")]
ThreadsOption = Annotated[int | None, typer.Option(help="torch threads; 0 keeps torch's default (default: vision.threads).")]


@train_app.command("clip")
def train_clip(
    quick: QuickOption = False, steps: StepsOption = None, out: OutOption = None, threads: ThreadsOption = None,
    resume: ResumeOption = False,
) -> None:
    """Train the small open_clip CLIP on ShapesWorld and digit captions."""
    _train("clip", quick, steps, out, threads, resume)


@train_app.command("captioner")
def train_captioner(
    quick: QuickOption = False, steps: StepsOption = None, out: OutOption = None, threads: ThreadsOption = None,
    resume: ResumeOption = False,
) -> None:
    """Train the ViT + GPT-2 captioner."""
    _train("captioner", quick, steps, out, threads, resume)


@train_app.command("judge")
def train_judge(quick: QuickOption = False, steps: StepsOption = None, out: OutOption = None, threads: ThreadsOption = None) -> None:
    """Train the judge CNN on real scenes and digits."""
    _train("judge", quick, steps, out, threads)


@bench_app.command("vision")
def bench_vision(
    as_json: JsonOption = False,
    quick: Annotated[bool, typer.Option("--quick", help="Small samples; nothing is written to docs/BENCHMARKS.md.")] = False,
) -> None:
    """Measure CLIP, captioner, image questions and judge on the test split; write docs/BENCHMARKS.md."""
    from muse.benchmarks import write_section
    from tools.vision_bench import run_bench, to_markdown

    _set_threads()
    sizes = {"n_scenes": 40, "n_questions_scenes": 20, "n_robust": 10, "repeats": 3} if quick else {}
    result = run_bench(seed=get_settings().seed, **sizes)
    if not quick:
        write_section("vision", to_markdown(result, "muse bench vision"))
    typer.echo(json.dumps(result) if as_json else to_markdown(result, "muse bench vision" + (" --quick" if quick else "")))
