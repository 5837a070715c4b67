"""The handwritten digits scikit-learn ships (1,797 8x8 images), split by seed into train/val/test.

    from tools.data.digits import load_digits_split
    test = load_digits_split("test")
    test.arrays[0]  # (8, 8) float32 in [0, 1], ink = 1
    test.images[0]  # 64x64 RGB PIL image, white ink on black
    test.labels[0], test.captions[0]  # 7, "a handwritten digit seven"
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from PIL import Image

from tools.data.captions import digit_caption

SPLIT_FRACTIONS = {"train": 0.7, "val": 0.15, "test": 0.15}
RESOLUTION = 64


def digit_to_image(array: np.ndarray, resolution: int = RESOLUTION) -> Image.Image:
    """An 8x8 array in [0, 1] upscaled (bicubic) to a square RGB image."""
    gray = Image.fromarray((np.clip(array, 0, 1) * 255).astype(np.uint8), mode="L")
    return gray.resize((resolution, resolution), Image.Resampling.BICUBIC).convert("RGB")


@dataclass(frozen=True)
class DigitSplit:
    arrays: np.ndarray  # (n, 8, 8) float32 in [0, 1]
    labels: np.ndarray  # (n,) int64
    indices: np.ndarray  # rows of sklearn's dataset, to prove splits are disjoint
    resolution: int = RESOLUTION
    _images: list = field(default_factory=list, repr=False, compare=False)

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def images(self) -> list[Image.Image]:
        if not self._images:
            self._images.extend(digit_to_image(a, self.resolution) for a in self.arrays)
        return self._images

    @property
    def captions(self) -> list[str]:
        return [digit_caption(int(label)) for label in self.labels]


@lru_cache(maxsize=1)
def _load_all() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    data = load_digits()
    return (data.images / 16.0).astype(np.float32), data.target.astype(np.int64)


def split_indices(split: str, seed: int = 0) -> np.ndarray:
    """Rows of the dataset in `split`: one seeded permutation cut into consecutive, disjoint parts."""
    if split not in SPLIT_FRACTIONS:
        raise ValueError(f"unknown split {split!r}; choose from {', '.join(SPLIT_FRACTIONS)}")
    n = len(_load_all()[1])
    order = np.random.default_rng(seed).permutation(n)
    bounds = np.cumsum([0] + [round(f * n) for f in SPLIT_FRACTIONS.values()])
    bounds[-1] = n
    k = list(SPLIT_FRACTIONS).index(split)
    return np.sort(order[bounds[k] : bounds[k + 1]])


def load_digits_split(split: str, seed: int = 0, resolution: int = RESOLUTION) -> DigitSplit:
    arrays, labels = _load_all()
    rows = split_indices(split, seed)
    return DigitSplit(arrays=arrays[rows], labels=labels[rows], indices=rows, resolution=resolution)
