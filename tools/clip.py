"""CLIP through open_clip: text and image embeddings, and zero-shot classification.

muse's own small config (`tools/clip_configs/muse-clip-rn.json`) is registered with open_clip,
so the shipped model and any real checkpoint load the same way:

    MUSE_VISION__CLIP_MODEL=ViT-B-32 MUSE_VISION__CLIP_PRETRAINED=/path/open_clip_model.safetensors muse ...

Embeddings are L2-normalised numpy arrays, so a dot product is a cosine similarity.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np

from muse.errors import MuseError
from muse.settings import get_settings
from tools.images import ImageSource, load_image

CONFIG_DIR = Path(__file__).parent / "clip_configs"


class LoadedClip(NamedTuple):
    model: object  # open_clip.CLIP, eval mode
    preprocess: object  # PIL image -> (3, R, R) tensor
    tokenizer: object  # list[str] -> (N, context_length) token ids


def register_configs() -> None:
    """Make muse's model configs known to open_clip (idempotent)."""
    import open_clip

    if not set(p.stem for p in CONFIG_DIR.glob("*.json")) <= set(open_clip.list_models()):
        open_clip.add_model_config(CONFIG_DIR)


def load_clip(name: str | None = None, pretrained: str | None = None) -> LoadedClip:
    """An open_clip model by config name and local weights file (default: the settings'), loaded once per process."""
    vision = get_settings().vision
    return _load_clip(name or vision.clip_model, pretrained or vision.clip_pretrained)


@lru_cache(maxsize=2)
def _load_clip(name: str, pretrained: str) -> LoadedClip:
    import open_clip

    register_configs()
    if name not in open_clip.list_models():
        raise MuseError(f"unknown open_clip model {name!r}; see open_clip.list_models()")
    if not Path(pretrained).is_file():
        raise MuseError(f"no CLIP weights at {pretrained}; train them with: muse train clip")
    model, _, preprocess = open_clip.create_model_and_transforms(name, pretrained=pretrained)
    return LoadedClip(model.eval(), preprocess, open_clip.get_tokenizer(name))


def embed_texts(texts: list[str], clip: LoadedClip | None = None) -> np.ndarray:
    """(N, D) unit vectors for the texts."""
    import torch

    clip = clip or load_clip()
    with torch.inference_mode():
        features = clip.model.encode_text(clip.tokenizer(texts), normalize=True)
    return features.float().numpy()


def embed_images(images: list[ImageSource], clip: LoadedClip | None = None, batch_size: int = 64) -> np.ndarray:
    """(N, D) unit vectors for images of any size and mode (paths, bytes or PIL images)."""
    import torch

    clip = clip or load_clip()
    chunks = []
    for start in range(0, len(images), batch_size):
        pixels = torch.stack([clip.preprocess(load_image(im)) for im in images[start : start + batch_size]])
        with torch.inference_mode():
            chunks.append(clip.model.encode_image(pixels, normalize=True).float().numpy())
    return np.concatenate(chunks) if chunks else np.zeros((0, 0), dtype=np.float32)


def zero_shot_classify(
    images: list[ImageSource], labels: list[str], template: str = "{}", clip: LoadedClip | None = None
) -> list[tuple[str, float]]:
    """For each image, the label whose text `template.format(label)` is closest, with its softmax probability."""
    import torch

    clip = clip or load_clip()
    text = embed_texts([template.format(label) for label in labels], clip)
    logits = clip.model.logit_scale.exp().item() * embed_images(images, clip) @ text.T
    probs = torch.from_numpy(logits).softmax(-1)
    confidence, index = probs.max(-1)
    return [(labels[i], round(c, 4)) for i, c in zip(index.tolist(), confidence.tolist())]
