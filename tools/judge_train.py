"""Train the judge CNN on real ShapesWorld scenes and scikit-learn digits (never on generated images).

    muse train judge [--quick] [--steps N] [--out models/judge]

Each batch mixes scenes and augmented digits; the shape heads learn from scenes, the digit
head from digits and the domain head from both. Validation accuracy is logged to TensorBoard.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from tqdm import tqdm

from tools.data.digits import load_digits_split
from tools.data.shapes_world import ShapesWorld
from tools.judge import CONFIG_FILE, WEIGHTS_FILE
from tools.judge_model import DOMAINS, HEADS, SHAPE_HEADS, JudgeNet
from tools.training import augment_digits, create_writer, images_to_tensor, prepare, save_fp16


def scene_tensors(scenes, resolution: int) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """Scenes -> pixels and one label-index tensor per shape attribute."""
    labels = {name: torch.tensor([HEADS[name].index(getattr(s, name)) for s in scenes]) for name in SHAPE_HEADS}
    return images_to_tensor([s.image for s in scenes], resolution), labels


def digit_tensors(split: str, seed: int, resolution: int) -> tuple[torch.Tensor, torch.Tensor]:
    digits = load_digits_split(split, seed=seed, resolution=resolution)
    return images_to_tensor(digits.images, resolution), torch.from_numpy(digits.labels)


def compute_loss(model, scene_px, scene_labels, digit_px, digit_labels) -> torch.Tensor:
    logits = model(torch.cat([scene_px, digit_px]))
    n = len(scene_px)
    domain = torch.tensor([0] * n + [1] * len(digit_px))
    loss = F.cross_entropy(logits["domain"], domain)
    loss = loss + sum(F.cross_entropy(logits[name][:n], scene_labels[name]) for name in SHAPE_HEADS)
    return loss + F.cross_entropy(logits["digit"][n:], digit_labels)


@torch.no_grad()
def evaluate(model, scene_px, scene_labels, digit_px, digit_labels) -> dict[str, float]:
    """Accuracy per head on held-out scenes and digits (domain over both)."""
    model.eval()
    scenes, digits = model(scene_px), model(digit_px)
    metrics = {name: (scenes[name].argmax(-1) == scene_labels[name]).float().mean().item() for name in SHAPE_HEADS}
    metrics["digit"] = (digits["digit"].argmax(-1) == digit_labels).float().mean().item()
    right = (scenes["domain"].argmax(-1) == 0).sum() + (digits["domain"].argmax(-1) == 1).sum()
    metrics["domain"] = (right / (len(scene_px) + len(digit_px))).item()
    model.train()
    return metrics


def train_judge(
    out_dir: Path,
    steps: int = 3000,
    batch_size: int = 96,
    n_scenes: int = 12000,
    n_val: int = 600,
    lr: float = 2e-3,
    seed: int = 0,
    threads: int = 1,
) -> dict[str, float]:
    generator = prepare(seed, threads)
    started = time.time()
    resolution = 64
    world = ShapesWorld(seed)
    scene_px, scene_labels = scene_tensors(world.sample(n_scenes, "train"), resolution)
    val_px, val_labels = scene_tensors(world.sample(n_val, "val"), resolution)
    digit_px, digit_labels = digit_tensors("train", seed, resolution)
    val_digit_px, val_digit_labels = digit_tensors("val", seed, resolution)
    model = JudgeNet(resolution=resolution)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=steps)
    writer = create_writer("judge")
    n_digits = max(1, batch_size // 4)
    for step in tqdm(range(steps), desc="train judge"):
        s = torch.randint(len(scene_px), (batch_size - n_digits,), generator=generator)
        d = torch.randint(len(digit_px), (n_digits,), generator=generator)
        labels = {name: value[s] for name, value in scene_labels.items()}
        loss = compute_loss(model, scene_px[s], labels, augment_digits(digit_px[d], generator), digit_labels[d])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        schedule.step()
        writer.add_scalar("loss/train", loss.item(), step)
        if (step + 1) % 250 == 0 or step + 1 == steps:
            for name, value in evaluate(model, val_px, val_labels, val_digit_px, val_digit_labels).items():
                writer.add_scalar(f"val/{name}", value, step)
    metrics = evaluate(model, val_px, val_labels, val_digit_px, val_digit_labels)
    writer.close()
    save_fp16(model.state_dict(), out_dir / WEIGHTS_FILE)
    config = {
        "channels": [m.out_channels for m in model.features if isinstance(m, torch.nn.Conv2d)],
        "hidden": model.trunk[2].out_features,
        "resolution": resolution,
        "heads": {name: list(labels) for name, labels in HEADS.items()},
        "training": {"steps": steps, "batch_size": batch_size, "n_scenes": n_scenes, "seed": seed,
                     "seconds": round(time.time() - started), "val_accuracy": metrics},
    }
    (out_dir / CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n")
    return metrics
