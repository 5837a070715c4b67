"""Train the digit CGAN and CVAE on the training split of scikit-learn's digits.

    muse train digits-gan [--steps 4000] [--quick]
    muse train digits-vae [--steps 4000] [--quick]

Both log their losses and a grid of every digit (one row per label) to TensorBoard under
runs/<name>/, and write their weights (fp16 safetensors) to the output directory.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.utils.tensorboard import SummaryWriter
from tqdm import tqdm

from tools.data.digits import load_digits_split
from tools.digits_models import N_CLASSES, DigitDiscriminator, DigitGenerator, DigitVAE


@dataclass
class DigitTrainConfig:
    steps: int = 4000
    batch_size: int = 64
    seed: int = 0
    threads: int = 1
    log_every: int = 50
    quick_examples: int = 0  # > 0: train on that many digits only (tests)

    @classmethod
    def quick(cls, seed: int = 0, threads: int = 1) -> "DigitTrainConfig":
        return cls(steps=20, batch_size=16, seed=seed, threads=threads, log_every=10, quick_examples=64)


def training_digits(config: DigitTrainConfig) -> tuple[torch.Tensor, torch.Tensor]:
    """(N, 1, 8, 8) images in [0, 1] and (N,) labels of the train split."""
    split = load_digits_split("train", seed=config.seed)
    images, labels = torch.from_numpy(split.arrays)[:, None], torch.from_numpy(split.labels)
    if config.quick_examples:
        images, labels = images[: config.quick_examples], labels[: config.quick_examples]
    return images, labels


def batches(images: torch.Tensor, labels: torch.Tensor, config: DigitTrainConfig, generator: torch.Generator):
    """An endless stream of random batches, reproducible from the generator."""
    while True:
        index = torch.randint(0, len(labels), (config.batch_size,), generator=generator)
        yield images[index], labels[index]


def log_grid(writer: SummaryWriter, sample, step: int) -> None:
    """Eight samples of each digit, one row per label."""
    from torchvision.utils import make_grid

    labels = torch.arange(N_CLASSES).repeat_interleave(8)
    images = sample(labels, torch.Generator().manual_seed(0))
    writer.add_image("samples", make_grid(images, nrow=8, pad_value=0.5), step)


def save_fp16(model: torch.nn.Module, output: Path) -> None:
    model.half().save_pretrained(output)
    model.float()
    (output / "README.md").unlink(missing_ok=True)  # the hub mixin's stub card; MODEL_CARD.md is the card


def train_gan(config: DigitTrainConfig, output: Path, run_dir: Path) -> Path:
    torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    generator, discriminator = DigitGenerator(), DigitDiscriminator()
    opt_g = torch.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
    images, labels = training_digits(config)
    stream = batches(images, labels, config, torch.Generator().manual_seed(config.seed))
    writer, started = SummaryWriter(run_dir), time.time()
    for step in tqdm(range(1, config.steps + 1), desc="digits-gan"):
        real, label = next(stream)
        fake = generator(torch.randn(len(label), generator.noise_dim), label)
        # Non-saturating GAN loss; real targets smoothed to 0.9 to keep the discriminator from winning outright.
        d_real, d_fake = discriminator(real, label), discriminator(fake.detach(), label)
        loss_d = F.binary_cross_entropy_with_logits(d_real, torch.full_like(d_real, 0.9)) + F.binary_cross_entropy_with_logits(
            d_fake, torch.zeros_like(d_fake)
        )
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_d.step()
        g_out = discriminator(fake, label)
        loss_g = F.binary_cross_entropy_with_logits(g_out, torch.ones_like(g_out))
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        opt_g.step()
        if step % config.log_every == 0 or step == config.steps:
            writer.add_scalars("loss", {"discriminator": loss_d.item(), "generator": loss_g.item()}, step)
    return _finish(generator, writer, started, config, output)


def _finish(model, writer, started: float, config: DigitTrainConfig, output: Path) -> Path:
    """Log a sample grid and the training time, then save the weights: the end of every digit run."""
    model.eval()
    log_grid(writer, model.sample, config.steps)
    writer.add_scalar("minutes", (time.time() - started) / 60, config.steps)
    writer.close()
    save_fp16(model, output)
    return output


def train_vae(config: DigitTrainConfig, output: Path, run_dir: Path) -> Path:
    torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    vae = DigitVAE()
    optimizer = torch.optim.Adam(vae.parameters(), lr=1e-3)
    images, labels = training_digits(config)
    stream = batches(images, labels, config, torch.Generator().manual_seed(config.seed))
    writer, started = SummaryWriter(run_dir), time.time()
    for step in tqdm(range(1, config.steps + 1), desc="digits-vae"):
        reconstruction, kl = vae.loss(*next(stream))
        loss = reconstruction + kl
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        if step % config.log_every == 0 or step == config.steps:
            writer.add_scalars("loss", {"reconstruction": reconstruction.item(), "kl": kl.item()}, step)
    return _finish(vae, writer, started, config, output)
