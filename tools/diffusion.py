"""Text → image: `generate(prompt, n, seed)` with muse's pipeline or a local Stable Diffusion.

The configured directory (`generation.diffusion_model`) is muse's own pipeline (shipped in
models/diffusion) or any local diffusers text-to-image directory such as a Stable Diffusion
checkpoint, which loads through `AutoPipelineForText2Image`. Either is loaded once per process.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from PIL import Image

from muse.errors import MuseError
from muse.settings import GenerationSettings, get_settings

MUSE_PIPELINE = "MuseDiffusionPipeline"


@dataclass(frozen=True)
class Generation:
    images: list[Image.Image]
    prompt: str
    model: str
    seed: int
    steps: int
    guidance: float
    guidance_rescale: float

    def provenance(self) -> dict:
        """The PNG provenance fields: what it takes to draw the same pixels again."""
        return {"prompt": self.prompt, "model": self.model, "seed": self.seed, "steps": self.steps,
                "guidance": self.guidance, "guidance_rescale": self.guidance_rescale}


@lru_cache(maxsize=2)
def load_pipeline(directory: str):
    """muse's pipeline or any diffusers text-to-image directory, in float32 on the CPU."""
    import torch

    path = Path(directory)
    index = path / "model_index.json"
    if not index.exists():
        raise MuseError(f"{path}: not a diffusers pipeline directory (no model_index.json); train one with: muse train diffusion")
    threads = get_settings().generation.threads
    if threads > 0:
        torch.set_num_threads(threads)
    if json.loads(index.read_text()).get("_class_name") == MUSE_PIPELINE:
        from tools.diffusion_pipeline import MuseDiffusionPipeline

        pipe = MuseDiffusionPipeline.from_pretrained(path, dtype=torch.float32)
    else:
        from diffusers import AutoPipelineForText2Image

        pipe = AutoPipelineForText2Image.from_pretrained(path, dtype=torch.float32)
    pipe.set_progress_bar_config(delay=1.0, leave=False)  # a bar only when sampling takes over a second
    return pipe


def sampling_options(settings: GenerationSettings, steps: int | None = None, guidance: float | None = None) -> dict:
    """The pipeline's sampling arguments: the settings', or the caller's steps and guidance."""
    return {
        "num_inference_steps": steps or settings.steps,
        "guidance_scale": settings.guidance if guidance is None else guidance,
        "guidance_rescale": settings.guidance_rescale,
    }


def generate(prompt: str, n: int = 1, seed: int | None = None, steps: int | None = None, guidance: float | None = None,
             settings: GenerationSettings | None = None) -> Generation:
    """`n` images of `prompt`; the same seed, steps and guidance (and its rescale) give the same pixels.
    `settings` (default: muse's) give the pipeline and what the call leaves out."""
    import torch

    if not prompt.strip():
        raise MuseError("empty prompt: describe what to draw, e.g. 'a large red star on a white background'")
    if n < 1:
        raise MuseError(f"n must be at least 1, not {n}")
    settings = settings or get_settings().generation
    seed = settings.seed_for(seed)
    options = sampling_options(settings, steps, guidance)
    if options["num_inference_steps"] < 1:
        raise MuseError(f"steps must be at least 1, not {options['num_inference_steps']}")
    pipe = load_pipeline(str(settings.diffusion_model))
    generator = torch.Generator().manual_seed(seed)
    images = pipe(prompt, num_images_per_prompt=n, generator=generator, **options).images
    return Generation(images, prompt, Path(settings.diffusion_model).name, seed, options["num_inference_steps"],
                      options["guidance_scale"], options["guidance_rescale"])
