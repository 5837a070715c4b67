"""`muse generate`, `muse digit`, `muse train diffusion|digits-gan|digits-vae`, `muse bench generation`."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from muse.cli import app, bench_app, train_app
from muse.settings import REPO_ROOT, get_settings

QUICK = typer.Option(False, "--quick", help="Train a few steps on tiny data (for tests).")
SEED = typer.Option(0, "--seed", help="Random seed: the same seed gives the same weights.")
THREADS = typer.Option(1, "--threads", help="torch threads (the machine is shared: 1 by default).")


def _write_images(images: list, fields: dict, output: Path | None, as_json: bool) -> None:
    """Save to OUTPUT (numbered when there are several images) or the muse image folder, then list the files."""
    from tools.provenance import save_generated, save_png

    if output is None:
        paths = save_generated(images, get_settings().home / "images", **fields)
    elif len(images) == 1:
        paths = [save_png(images[0], output, **fields)]
    else:
        paths = [save_png(im, output.with_name(f"{output.stem}-{i}{output.suffix}"), **fields) for i, im in enumerate(images, 1)]
    for path in paths:
        typer.echo(json.dumps({"path": str(path), **fields}) if as_json else str(path))


OUTPUT = typer.Option(None, "-o", "--output", help="PNG file to write (numbered when several).")
JSON = typer.Option(False, "--json", help="One JSON line per image: path and provenance.")


@app.command()
def generate(
    prompt: str = typer.Argument(..., help="What to draw, e.g. 'a large red star on a white background'."),
    n: int = typer.Option(1, "-n", help="How many images."),
    seed: int = typer.Option(None, "--seed", help="Random seed (default: a random one, recorded in the PNG)."),
    steps: int = typer.Option(None, "--steps", help="Sampler steps (default from settings)."),
    guidance: float = typer.Option(None, "--guidance", help="Classifier-free guidance scale."),
    output: Path = OUTPUT,
    as_json: bool = JSON,
) -> None:
    """Draw images from a text prompt with the configured diffusion pipeline."""
    from tools.diffusion import generate as generate_images

    result = generate_images(prompt, n, seed, steps, guidance)
    _write_images(result.images, result.provenance(), output, as_json)


@app.command()
def digit(
    value: int = typer.Argument(..., metavar="DIGIT", help="The digit to draw, 0-9."),
    model: str = typer.Option("gan", "--model", help="gan, vae or diffusion."),
    n: int = typer.Option(1, "-n", help="How many images (at most 16)."),
    seed: int = typer.Option(None, "--seed", help="Random seed (default: a random one, recorded in the PNG)."),
    output: Path = OUTPUT,
    as_json: bool = JSON,
) -> None:
    """Draw handwritten digits with the GAN, the VAE or the diffusion pipeline."""
    from tools.digits import generate_digits

    images, fields = generate_digits(value, n, model, seed)
    _write_images(images, fields, output, as_json)


def _output(name: str, quick: bool, output: Path | None) -> Path:
    """Quick runs never overwrite the shipped weights."""
    if output:
        return output
    return get_settings().home / "quick-models" / name if quick else get_settings().models_dir / name


@train_app.command("diffusion")
def train_diffusion(
    steps: int = typer.Option(3000, help="Optimiser steps of batch 32 (the learning-rate schedule's length)."),
    stop_at: int = typer.Option(0, help="Stop after this many steps of the schedule (0: run it all)."),
    resume: bool = typer.Option(False, "--resume", help="Go on from the UNet already in the output directory (a fresh schedule)."),
    learning_rate: float = typer.Option(5e-4, help="Peak learning rate of the warm-up and cosine schedule."),
    quick: bool = QUICK,
    seed: int = SEED,
    threads: int = THREADS,
    output: Path = typer.Option(None, "-o", "--output", help="Directory for the pipeline (default models/diffusion)."),
) -> None:
    """Train the text-to-image pipeline on ShapesWorld and digit captions."""
    from dataclasses import replace

    from tools.diffusion_train import TrainConfig, train

    config = TrainConfig.quick(seed, threads) if quick else TrainConfig(steps=steps, stop_at=stop_at, seed=seed, threads=threads)
    path = train(replace(config, resume=resume, lr=learning_rate), _output("diffusion", quick, output), REPO_ROOT / "runs" / ("diffusion-quick" if quick else "diffusion"))
    typer.echo(f"wrote {path}")


def _train_digits(name: str, steps: int, quick: bool, seed: int, threads: int, output: Path | None) -> None:
    from tools import digits_train

    config = digits_train.DigitTrainConfig.quick(seed, threads) if quick else digits_train.DigitTrainConfig(steps, seed=seed, threads=threads)
    trainer = digits_train.train_gan if name == "digits-gan" else digits_train.train_vae
    path = trainer(config, _output(name, quick, output), REPO_ROOT / "runs" / (f"{name}-quick" if quick else name))
    typer.echo(f"wrote {path}")


@train_app.command("digits-gan")
def train_digits_gan(
    steps: int = typer.Option(4000, help="Optimiser steps of batch 64."),
    quick: bool = QUICK,
    seed: int = SEED,
    threads: int = THREADS,
    output: Path = typer.Option(None, "-o", "--output", help="Directory for the weights (default models/digits-gan)."),
) -> None:
    """Train the conditional DCGAN on scikit-learn's digits."""
    _train_digits("digits-gan", steps, quick, seed, threads, output)


@train_app.command("digits-vae")
def train_digits_vae(
    steps: int = typer.Option(4000, help="Optimiser steps of batch 64."),
    quick: bool = QUICK,
    seed: int = SEED,
    threads: int = THREADS,
    output: Path = typer.Option(None, "-o", "--output", help="Directory for the weights (default models/digits-vae)."),
) -> None:
    """Train the conditional VAE on scikit-learn's digits."""
    _train_digits("digits-vae", steps, quick, seed, threads, output)


@bench_app.command("generation")
def bench_generation(
    prompts: int = typer.Option(500, help="Held-out prompts for prompt fidelity."),
    digits: int = typer.Option(50, help="GAN and VAE images per digit."),
    diffusion_digits: int = typer.Option(20, help="Diffusion images per digit."),
    repeats: int = typer.Option(5, help="Timed runs per latency figure (median)."),
    as_json: bool = typer.Option(False, "--json", help="Print the figures as JSON."),
    write: bool = typer.Option(True, help="Write the figures to docs/BENCHMARKS.md."),
) -> None:
    """Measure the generators with the judge classifier; write docs/BENCHMARKS.md."""
    from muse.benchmarks import write_section
    from tools.generation_bench import run_bench, to_markdown

    result = run_bench(prompts, digits, diffusion_digits, repeats)
    command = f"muse bench generation --prompts {prompts} --digits {digits} --diffusion-digits {diffusion_digits} --repeats {repeats}"
    markdown = to_markdown(result, command)
    if write:
        write_section("generation", markdown)
    typer.echo(json.dumps(result, indent=2) if as_json else markdown)
