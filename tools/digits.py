"""Handwritten digits on request: `generate_digits(digit, n, model="gan"|"vae"|"diffusion")`.

The GAN and VAE draw 8x8 digits like scikit-learn's, shown at 64x64 exactly as the dataset's
images are (bicubic upscale); "diffusion" asks the text-to-image pipeline for
"a handwritten digit seven". Models load once per process.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from PIL import Image

from muse.errors import MuseError
from muse.settings import GenerationSettings, get_settings
from tools.data.captions import digit_caption
from tools.data.digits import digit_to_image

MODELS = ("gan", "vae", "diffusion")
MAX_DIGITS = 16


@lru_cache(maxsize=4)
def load_digit_model(kind: str, directory: str):
    """The GAN's generator or the VAE, in eval mode."""
    from safetensors.torch import load_model

    from tools.digits_models import DigitGenerator, DigitVAE

    if not (Path(directory) / "model.safetensors").exists():
        raise MuseError(f"no digits-{kind} weights in {directory}; train them with: muse train digits-{kind}")
    model_class = DigitGenerator if kind == "gan" else DigitVAE
    # Built from config.json + model.safetensors by hand: the mixin's from_pretrained prints to stdout.
    model = model_class(**json.loads((Path(directory) / "config.json").read_text()))
    load_model(model, Path(directory) / "model.safetensors")
    return model.float().eval()


def check_request(digit: int, n: int, model: str) -> None:
    if not 0 <= digit <= 9:
        raise MuseError(f"digit must be 0-9, not {digit}")
    if not 1 <= n <= MAX_DIGITS:
        raise MuseError(f"n must be between 1 and {MAX_DIGITS}, not {n}")
    if model not in MODELS:
        raise MuseError(f"unknown digit model {model!r}; choose from {', '.join(MODELS)}")


def generate_digits(digit: int, n: int = 1, model: str = "gan", seed: int | None = None,
                    settings: GenerationSettings | None = None) -> tuple[list[Image.Image], dict]:
    """`n` images of `digit` and their provenance fields; the same seed gives the same images.
    `settings` (default: muse's) give the models and the seed when the call gives none."""
    check_request(digit, n, model)
    settings = settings or get_settings().generation
    seed = settings.seed_for(seed)
    if model == "diffusion":
        from tools.diffusion import generate

        result = generate(digit_caption(digit), n, seed, settings=settings)
        return result.images, {**result.provenance(), "model": f"{result.model} (diffusion)"}
    images = draw_digits([digit] * n, model, seed, settings)
    return images, {"prompt": digit_caption(digit), "model": f"digits-{model}", "seed": seed}


def draw_digits(labels: list[int], model: str, seed: int, settings: GenerationSettings | None = None) -> list[Image.Image]:
    """One image per label from the GAN or the VAE, in one batch (no request limits: benchmarks use it)."""
    import torch

    settings = settings or get_settings().generation
    directory = settings.digits_gan if model == "gan" else settings.digits_vae
    network = load_digit_model(model, str(directory))
    arrays = network.sample(torch.tensor(labels), torch.Generator().manual_seed(seed))[:, 0].numpy()
    return [digit_to_image(a) for a in arrays]
