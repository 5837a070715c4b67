"""What every muse trainer shares: seeding, thread count, TensorBoard under runs/, fp16 safetensors."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file

from muse.settings import REPO_ROOT


def prepare(seed: int, threads: int) -> torch.Generator:
    """Seed python, numpy and torch; cap torch threads (0 keeps torch's default). Returns a seeded generator."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    if threads > 0:
        torch.set_num_threads(threads)
    return torch.Generator().manual_seed(seed)


def create_writer(name: str):
    """A TensorBoard writer logging to runs/<name>/<timestamp> in the repository (git-ignored)."""
    from torch.utils.tensorboard import SummaryWriter

    return SummaryWriter(str(REPO_ROOT / "runs" / name / time.strftime("%Y%m%d-%H%M%S")))


def save_fp16(state_dict: dict[str, torch.Tensor], path: Path) -> None:
    """Floating tensors stored as fp16 (half the size); integer buffers kept as they are."""
    path.parent.mkdir(parents=True, exist_ok=True)
    half = {k: (v.half() if v.is_floating_point() else v).contiguous() for k, v in state_dict.items()}
    save_file(half, str(path))


def images_to_tensor(images, size: int) -> torch.Tensor:
    """PIL images -> float tensor (N, 3, size, size) in [0, 1], resized with antialiasing where needed."""
    from PIL import Image

    arrays = [
        np.asarray(im if im.size == (size, size) else im.resize((size, size), Image.Resampling.BICUBIC), dtype=np.uint8)
        for im in images
    ]
    return torch.from_numpy(np.stack(arrays)).permute(0, 3, 1, 2).float().div_(255.0)


def augment_digits(batch: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Small random shifts, scales and rotations: 1,258 training digits are few for a CNN."""
    import torchvision.transforms.v2.functional as F

    out = torch.empty_like(batch)
    params = torch.rand(len(batch), 4, generator=generator)
    side = batch.shape[-1]
    for i, (dx, dy, scale, angle) in enumerate(params.tolist()):
        out[i] = F.affine(
            batch[i],
            angle=(angle - 0.5) * 20,
            translate=[(dx - 0.5) * side / 8, (dy - 0.5) * side / 8],
            scale=0.9 + 0.2 * scale,
            shear=[0.0, 0.0],
        )
    return out


def append_training_log(path: Path, record: dict) -> None:
    """training.json lists every run behind the saved weights: a resumed run appends, a fresh one starts over."""
    runs = json.loads(path.read_text()) if record.get("resumed") and path.exists() else []
    runs = runs if isinstance(runs, list) else [runs]
    path.write_text(json.dumps([*runs, record], indent=2) + "\n")
