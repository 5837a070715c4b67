"""Train muse's text-to-image pipeline on ShapesWorld scenes and the handwritten digits.

    muse train diffusion [--steps 3000] [--stop-at 1500] [--resume] [--threads 1] [--quick]

The UNet learns from scratch (DDPM loss, predicting v) to follow the hidden states of muse's CLIP
text tower, which stays as CLIP's training left it; 10 % of captions are dropped to "" so
classifier-free guidance has an unconditional model. Weights are an exponential moving average,
written (fp16) every 500 steps so a partial run is usable; TensorBoard logs the loss and a grid of
samples under runs/diffusion/.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from diffusers.training_utils import EMAModel
from PIL import Image
from torch.utils.tensorboard import SummaryWriter
from tqdm import tqdm

from tools.clip import load_clip
from tools.data.captions import digit_caption, random_caption, short_caption
from tools.data.digits import load_digits_split
from tools.data.shapes_world import ShapesWorld
from tools.diffusion_pipeline import MuseDiffusionPipeline, create_pipeline, create_training_scheduler

SAMPLE_PROMPTS = (
    "a large red star on a white background",
    "draw a small blue circle at the top",
    "a green square",
    "a handwritten digit seven",
)


@dataclass
class TrainConfig:
    steps: int = 3000  # length of the learning-rate schedule
    stop_at: int = 0  # > 0: stop after this many steps (a shorter run on the same schedule)
    batch_size: int = 32
    lr: float = 5e-4
    size: int = 32
    n_scenes: int = 20000
    digit_fraction: float = 0.2
    uncond_fraction: float = 0.1
    ema_decay: float = 0.999
    checkpoint_every: int = 500
    resume: bool = False  # go on from the UNet saved in the output directory
    seed: int = 0
    threads: int = 1

    @classmethod
    def quick(cls, seed: int = 0, threads: int = 1) -> "TrainConfig":
        return cls(steps=4, batch_size=4, n_scenes=16, checkpoint_every=4, seed=seed, threads=threads)


def to_tensor(images: list[Image.Image], size: int) -> torch.Tensor:
    """(N, 3, size, size) in [-1, 1]."""
    arrays = [np.asarray(im.convert("RGB").resize((size, size), Image.Resampling.BICUBIC)) for im in images]
    return torch.from_numpy(np.stack(arrays)).permute(0, 3, 1, 2).float() / 127.5 - 1


class CaptionedImages:
    """Training scenes and digits held in memory; each draw re-phrases its caption at random."""

    def __init__(self, config: TrainConfig):
        scenes = ShapesWorld(seed=config.seed).sample(config.n_scenes, split="train")
        digits = load_digits_split("train", seed=config.seed)
        self.scene_images = to_tensor([s.image for s in tqdm(scenes, desc="scenes", leave=False)], config.size)
        self.scene_attributes = [s.attributes for s in scenes]
        self.digit_images = to_tensor(digits.images, config.size)
        self.digit_labels = [int(label) for label in digits.labels]
        self.config = config

    def caption(self, rng: random.Random, index: int, is_digit: bool) -> str:
        if is_digit:
            return digit_caption(self.digit_labels[index], rng)
        attributes = self.scene_attributes[index]
        return short_caption(rng, **attributes) if rng.random() < 0.3 else random_caption(rng, **attributes)

    def batch(self, rng: random.Random) -> tuple[torch.Tensor, list[str]]:
        images, captions = [], []
        for _ in range(self.config.batch_size):
            is_digit = rng.random() < self.config.digit_fraction
            pool = self.digit_images if is_digit else self.scene_images
            index = rng.randrange(len(pool))
            images.append(pool[index])
            caption = self.caption(rng, index, is_digit)
            captions.append("" if rng.random() < self.config.uncond_fraction else caption)
        return torch.stack(images), captions


@contextmanager
def ema_weights(pipe: MuseDiffusionPipeline, ema: EMAModel) -> Iterator[None]:
    """The UNet holds its EMA weights inside the block and its live training weights again after it."""
    ema.store(pipe.unet.parameters())
    ema.copy_to(pipe.unet.parameters())
    try:
        yield
    finally:
        ema.restore(pipe.unet.parameters())


def save_weights(pipe: MuseDiffusionPipeline, ema: EMAModel, output: Path) -> None:
    """Write the EMA weights in fp16 without touching the live training weights."""
    with ema_weights(pipe, ema):
        pipe.to(torch.float16).save_pretrained(output)
        pipe.to(torch.float32)


def log_samples(pipe: MuseDiffusionPipeline, ema: EMAModel, writer: SummaryWriter, step: int) -> None:
    from torchvision.utils import make_grid

    generator = torch.Generator().manual_seed(0)
    with ema_weights(pipe, ema):
        images = pipe(list(SAMPLE_PROMPTS), num_images_per_prompt=2, generator=generator, output_type="np").images
    writer.add_image("samples", make_grid(torch.from_numpy(images).permute(0, 3, 1, 2), nrow=4), step)


def train(config: TrainConfig, output: Path, run_dir: Path) -> Path:
    torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    rng = random.Random(config.seed)
    data = CaptionedImages(config)
    if config.resume:
        pipe = MuseDiffusionPipeline.from_pretrained(output, dtype=torch.float32)
    else:
        pipe = create_pipeline(load_clip().model, size=config.size)
    pipe.text_encoder.requires_grad_(False)
    pipe.set_progress_bar_config(disable=True)
    noise_scheduler = create_training_scheduler()
    params = list(pipe.unet.parameters())
    optimizer = torch.optim.AdamW(params, lr=config.lr, weight_decay=0.01)
    warmup = min(200, config.steps // 10 + 1)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: min(1.0, (s + 1) / warmup) * 0.5 * (1 + np.cos(np.pi * min(s, config.steps) / config.steps))
    )
    ema = EMAModel(params, decay=config.ema_decay)
    writer = SummaryWriter(run_dir)
    started = time.time()
    last = config.stop_at or config.steps
    for step in tqdm(range(1, last + 1), desc="diffusion"):
        images, captions = data.batch(rng)
        noise = torch.randn_like(images)
        t = torch.randint(0, noise_scheduler.config.num_train_timesteps, (len(images),))
        noisy = noise_scheduler.add_noise(images, noise, t)
        with torch.no_grad():
            context = pipe.encode_prompt(captions)
        prediction = pipe.unet(noisy, t, encoder_hidden_states=context).sample
        loss = F.mse_loss(prediction, noise_scheduler.get_velocity(images, noise, t))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        schedule.step()
        ema.step(params)
        if step % 10 == 0:
            writer.add_scalar("loss", loss.item(), step)
            writer.add_scalar("lr", schedule.get_last_lr()[0], step)
        if step % config.checkpoint_every == 0 or step == last:
            save_weights(pipe, ema, output)
            log_samples(pipe, ema, writer, step)
            writer.add_scalar("minutes", (time.time() - started) / 60, step)
            writer.flush()
    writer.close()
    return output
