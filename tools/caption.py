"""Image captioning with a transformers checkpoint directory: muse's own VisionEncoderDecoderModel or BLIP.

    caption(["scene.png"])  ->  ["a small red star at the top on an orange background"]

The directory (setting `vision.captioner`) decides the class: a `vision-encoder-decoder`
config (muse's shipped ViT + GPT-2 model, or a ViT-GPT2 checkpoint) or a `blip` config.
Captions are generated token by token, never picked from a list.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

from muse.errors import MuseError
from muse.settings import get_settings
from tools.images import ImageSource, load_image


class LoadedCaptioner(NamedTuple):
    model: object  # VisionEncoderDecoderModel or BlipForConditionalGeneration, eval mode
    image_processor: object
    tokenizer: object


def load_captioner(directory: str | None = None) -> LoadedCaptioner:
    """The captioning model of a local directory (default: the settings'), loaded once per process and directory."""
    return _load_captioner(str(directory or get_settings().vision.captioner))


@lru_cache(maxsize=2)
def _load_captioner(directory: str) -> LoadedCaptioner:
    import torch
    import transformers

    path = Path(directory)
    if not (path / "config.json").is_file():
        raise MuseError(f"no captioning model in {path}; train one with: muse train captioner")
    transformers.utils.logging.disable_progress_bar()  # one caption should print one line
    model_type = json.loads((path / "config.json").read_text()).get("model_type")
    if model_type == "vision-encoder-decoder":
        model = transformers.VisionEncoderDecoderModel.from_pretrained(path, dtype=torch.float32)
    elif model_type == "blip":
        model = transformers.BlipForConditionalGeneration.from_pretrained(path, dtype=torch.float32)
    else:
        raise MuseError(f"{path}: unsupported captioning model type {model_type!r} (vision-encoder-decoder or blip)")
    image_processor = transformers.AutoImageProcessor.from_pretrained(path)
    tokenizer = transformers.AutoTokenizer.from_pretrained(path)
    return LoadedCaptioner(model.eval(), image_processor, tokenizer)


def generate_captions(captioner: LoadedCaptioner, images, max_new_tokens: int) -> list[str]:
    """Greedy decoding for a batch of RGB PIL images."""
    import torch

    pixels = captioner.image_processor(images=images, return_tensors="pt")["pixel_values"]
    with torch.inference_mode():
        tokens = captioner.model.generate(pixel_values=pixels, max_new_tokens=max_new_tokens, do_sample=False)
    texts = captioner.tokenizer.batch_decode(tokens, skip_special_tokens=True)
    return [" ".join(text.split()) for text in texts]


def caption(images: list[ImageSource], directory: str | None = None, batch_size: int = 32) -> list[str]:
    """One generated caption per image (paths, bytes or PIL images of any size and mode)."""
    captioner = load_captioner(directory)
    max_new_tokens = get_settings().vision.max_new_tokens
    captions = []
    for start in range(0, len(images), batch_size):
        batch = [load_image(im) for im in images[start : start + batch_size]]
        captions += generate_captions(captioner, batch, max_new_tokens)
    return captions
