"""The judge: a small CNN that names the colour, shape, size, position, background and digit in an image.

It is trained only on real ShapesWorld scenes and scikit-learn digits, so it can referee the
generators' outputs. `classify(images)` returns one dict per image:

    {"domain": "shape", "domain_confidence": 0.99, "color": "red", "color_confidence": 0.98, ...,
     "digit": 7, "digit_confidence": 0.41}

Every head answers for every image; `domain` says which of them apply (shape attributes for a
scene, `digit` for a handwritten digit).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from muse.errors import MuseError
from muse.settings import get_settings
from tools.images import ImageSource, load_image

CONFIG_FILE, WEIGHTS_FILE = "config.json", "model.safetensors"


@lru_cache(maxsize=2)
def load_judge(directory: str):
    """The judge network in eval mode, loaded once per process and directory."""
    from safetensors.torch import load_file

    from tools.judge_model import JudgeNet

    path = Path(directory)
    if not (path / WEIGHTS_FILE).exists():
        raise MuseError(f"no judge weights in {path}; train them with: muse train judge")
    config = json.loads((path / CONFIG_FILE).read_text())
    model = JudgeNet(tuple(config["channels"]), config["hidden"], config["resolution"])
    model.load_state_dict({k: v.float() for k, v in load_file(str(path / WEIGHTS_FILE)).items()})
    return model.eval()


def predict(model, pixels) -> list[dict]:
    """Softmax every head of a batch (B, 3, R, R) into label + confidence dicts."""
    import torch

    from tools.judge_model import HEADS

    with torch.inference_mode():
        logits = model(pixels)
    results = [{} for _ in range(len(pixels))]
    for name, labels in HEADS.items():
        confidence, index = logits[name].softmax(-1).max(-1)
        for result, c, i in zip(results, confidence.tolist(), index.tolist()):
            result[name] = int(labels[i]) if name == "digit" else labels[i]
            result[f"{name}_confidence"] = round(c, 4)
    return results


def classify(images: list[ImageSource], directory: str | None = None, batch_size: int = 64) -> list[dict]:
    """Judge a list of images (paths, bytes or PIL images of any size and mode)."""
    from tools.training import images_to_tensor

    model = load_judge(str(directory or get_settings().vision.judge))
    results = []
    for start in range(0, len(images), batch_size):
        batch = [load_image(im) for im in images[start : start + batch_size]]
        results += predict(model, images_to_tensor(batch, model.resolution))
    return results
