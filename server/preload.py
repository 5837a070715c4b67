"""Load every embedded model before the first request (`muse serve --preload`, and `muse bench server`
for the server's peak memory), so no user waits for a model to load."""

from __future__ import annotations

import logging
import time

from muse.settings import Settings

log = logging.getLogger(__name__)


def load_embedded_models(settings: Settings) -> dict[str, float]:
    """Load the vision, generation and text-embedding models the tools use; seconds each.

    The planner is loaded by the agent itself when it is built.
    """
    from memory.embeddings import load_minilm
    from tools.caption import load_captioner
    from tools.clip import load_clip
    from tools.diffusion import load_pipeline
    from tools.digits import load_digit_model
    from tools.judge import load_judge

    vision, generation = settings.vision, settings.generation
    loaders = {
        "clip": lambda: load_clip(vision.clip_model, vision.clip_pretrained),
        "captioner": lambda: load_captioner(vision.captioner),
        "judge": lambda: load_judge(vision.judge),
        "diffusion": lambda: load_pipeline(str(generation.diffusion_model)),
        "digits-gan": lambda: load_digit_model("gan", str(generation.digits_gan)),
        "digits-vae": lambda: load_digit_model("vae", str(generation.digits_vae)),
        "minilm": load_minilm,
    }
    seconds = {}
    for name, load in loaders.items():
        started = time.perf_counter()
        load()
        seconds[name] = round(time.perf_counter() - started, 2)
        log.info("loaded %s in %.1f s", name, seconds[name])
    return seconds
