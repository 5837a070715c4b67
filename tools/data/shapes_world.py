"""ShapesWorld: a seeded, procedural generator of 64x64 RGB scenes of one coloured shape, with captions.

    from tools.data.shapes_world import ShapesWorld, render_scene
    scenes = ShapesWorld(seed=0).sample(100, split="test")
    scenes[0].image, scenes[0].caption, scenes[0].attributes
    render_scene("red", "star", "large", "left", "gray")  # a reference image of given attributes

Each scene is drawn from its own random stream keyed by (seed, split, index), so a split is
reproducible, sampling 10 or 1,000 scenes gives the same first 10, and two splits never share
a scene. Objects get position, size, rotation and colour jitter and the image light noise.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw

from tools.data.captions import canonical_caption, random_caption
from tools.data.vocabulary import ATTRIBUTES, BACKGROUND_RGB, COLORS, backgrounds_for

RESOLUTION = 64
SPLITS = ("train", "val", "test")
SUPERSAMPLE = 4  # drawn 4x larger then downsampled: anti-aliased edges

# Centres in unit coordinates and radii as a fraction of the image side.
CENTERS = {"left": (0.28, 0.5), "right": (0.72, 0.5), "top": (0.5, 0.28), "bottom": (0.5, 0.72), "center": (0.5, 0.5)}
RADII = {"small": (0.10, 0.13), "large": (0.20, 0.24)}
CENTER_JITTER = 0.04
ROTATION_JITTER = 15.0  # degrees; larger would turn squares into diamonds
COLOR_JITTER = 20
NOISE_STD = 4.0


@dataclass(frozen=True)
class Scene:
    color: str
    shape: str
    size: str
    position: str
    background: str
    caption: str
    image: Image.Image

    @property
    def attributes(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in ATTRIBUTES}

    @property
    def canonical_caption(self) -> str:
        return canonical_caption(**self.attributes)


def _polygon(shape: str, cx: float, cy: float, r: float, angle: float) -> list[tuple[float, float]]:
    """Vertices of a square, triangle or star whose area is close to a circle of radius r."""
    if shape == "square":
        radii, start = [r * 1.25] * 4, 45.0
    elif shape == "triangle":
        radii, start = [r * 1.45] * 3, -90.0
    else:  # star: alternate outer and inner points
        radii, start = [r * 1.45, r * 0.6] * 5, -90.0
    step = 360.0 / len(radii)
    points = []
    for k, radius in enumerate(radii):
        theta = math.radians(start + angle + k * step)
        points.append((cx + radius * math.cos(theta), cy + radius * math.sin(theta)))
    return points


def _jitter_rgb(rgb: tuple[int, int, int], rng: random.Random) -> tuple[int, int, int]:
    return tuple(min(255, max(0, c + rng.randint(-COLOR_JITTER, COLOR_JITTER))) for c in rgb)


def render_scene(
    color: str,
    shape: str,
    size: str,
    position: str,
    background: str,
    rng: random.Random | None = None,
    resolution: int = RESOLUTION,
    antialias: bool = True,
) -> Image.Image:
    """Draw one scene. Without `rng` the object sits exactly at its nominal place with no jitter or noise."""
    for name, value in (("color", color), ("shape", shape), ("size", size), ("position", position), ("background", background)):
        if value not in ATTRIBUTES[name]:
            raise ValueError(f"unknown {name} {value!r}; choose from {', '.join(ATTRIBUTES[name])}")
    scale = resolution * (SUPERSAMPLE if antialias else 1)
    (cx, cy), (r_lo, r_hi) = CENTERS[position], RADII[size]
    if rng is None:
        r, angle, fg, bg = (r_lo + r_hi) / 2, 0.0, COLORS[color], BACKGROUND_RGB[background]
    else:
        cx += rng.uniform(-CENTER_JITTER, CENTER_JITTER)
        cy += rng.uniform(-CENTER_JITTER, CENTER_JITTER)
        r, angle = rng.uniform(r_lo, r_hi), rng.uniform(-ROTATION_JITTER, ROTATION_JITTER)
        fg, bg = _jitter_rgb(COLORS[color], rng), _jitter_rgb(BACKGROUND_RGB[background], rng)
    image = Image.new("RGB", (scale, scale), bg)
    draw = ImageDraw.Draw(image)
    cx, cy, r = cx * scale, cy * scale, r * scale
    if shape == "circle":
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=fg)
    else:
        draw.polygon(_polygon(shape, cx, cy, r, angle), fill=fg)
    if antialias:
        image = image.resize((resolution, resolution), Image.Resampling.LANCZOS)
    if rng is not None:
        image = _add_noise(image, rng)
    return image


def _add_noise(image: Image.Image, rng: random.Random) -> Image.Image:
    noise = np.random.default_rng(rng.getrandbits(32)).normal(0.0, NOISE_STD, (image.height, image.width, 3))
    pixels = np.asarray(image, dtype=np.float32) + noise
    return Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))


def sample_attributes(rng: random.Random) -> dict[str, str]:
    """Uniform over colour, shape, size and position; background uniform over those allowed for the colour."""
    color = rng.choice(ATTRIBUTES["color"])
    return {
        "color": color,
        "shape": rng.choice(ATTRIBUTES["shape"]),
        "size": rng.choice(ATTRIBUTES["size"]),
        "position": rng.choice(ATTRIBUTES["position"]),
        "background": rng.choice(backgrounds_for(color)),
    }


class ShapesWorld:
    """A seeded source of scenes; `sample(n, split)` is deterministic for a given seed."""

    def __init__(self, seed: int = 0, resolution: int = RESOLUTION, antialias: bool = True):
        self.seed, self.resolution, self.antialias = seed, resolution, antialias

    def _scene_rng(self, index: int, split: str) -> random.Random:
        if split not in SPLITS:
            raise ValueError(f"unknown split {split!r}; choose from {', '.join(SPLITS)}")
        return random.Random(f"shapes-world:{self.seed}:{split}:{index}")

    def scene(self, index: int, split: str = "train") -> Scene:
        rng = self._scene_rng(index, split)
        attributes = sample_attributes(rng)
        caption = random_caption(rng, **attributes)
        image = render_scene(**attributes, rng=rng, resolution=self.resolution, antialias=self.antialias)
        return Scene(**attributes, caption=caption, image=image)

    def sample(self, n: int, split: str = "train", start: int = 0) -> list[Scene]:
        return [self.scene(i, split) for i in range(start, start + n)]

    def twin(self, index: int, split: str = "train", attribute: str = "shape") -> Scene:
        """Scene `index` of `split` drawn again with another value of one attribute (a hard negative).

        The twin has its own jitter and noise, from a stream of its own, so it is never a copy of
        another scene of any split.
        """
        if attribute not in ("shape", "size", "position"):  # colours must stay apart from the background
            raise ValueError(f"a twin changes the shape, size or position, not the {attribute}")
        original = sample_attributes(self._scene_rng(index, split))  # the scene's attributes, without drawing it
        rng = random.Random(f"shapes-world-twin:{self.seed}:{split}:{index}:{attribute}")
        attributes = {**original, attribute: rng.choice([v for v in ATTRIBUTES[attribute] if v != original[attribute]])}
        caption = random_caption(rng, **attributes)
        image = render_scene(**attributes, rng=rng, resolution=self.resolution, antialias=self.antialias)
        return Scene(**attributes, caption=caption, image=image)
