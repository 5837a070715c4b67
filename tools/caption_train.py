"""Train muse's captioner (ViT encoder + GPT-2 decoder) on ShapesWorld scenes and digits.

    muse train captioner [--quick] [--steps N] [--out models/captioner]

Targets are the canonical captions, which name colour, size, shape, position and background in
one fixed order; a small decoder learns one phrasing far faster than five, and the benchmark
reads the attributes back out of the generated words.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import torch
from tqdm import tqdm

from tools.caption import LoadedCaptioner, generate_captions, load_captioner
from tools.caption_model import build_captioner, build_image_processor, build_tokenizer
from tools.data.captions import digit_caption
from tools.data.digits import load_digits_split
from tools.data.shapes_world import ShapesWorld
from tools.training import append_training_log, augment_digits, create_writer, images_to_tensor, prepare, save_fp16


def encode_targets(tokenizer, captions: list[str]) -> torch.Tensor:
    """Caption token ids followed by EOS, padded with -100 (ignored by the loss)."""
    ids = [tokenizer(c)["input_ids"] + [tokenizer.eos_token_id] for c in captions]
    width = max(len(i) for i in ids)
    return torch.tensor([i + [-100] * (width - len(i)) for i in ids])


def exact_match(captioner: LoadedCaptioner, scenes, max_new_tokens: int = 24) -> float:
    """Share of scenes whose generated caption equals the canonical one word for word."""
    captioner.model.eval()
    generated = generate_captions(captioner, [s.image for s in scenes], max_new_tokens)
    captioner.model.train()
    return sum(g == s.canonical_caption for g, s in zip(generated, scenes)) / len(scenes)


def train_captioner(
    out_dir: Path,
    steps: int = 3000,
    batch_size: int = 64,
    n_scenes: int = 15000,
    n_val: int = 200,
    lr: float = 1e-3,
    seed: int = 0,
    threads: int = 1,
    resume: bool = False,
) -> dict[str, float]:
    """Train from scratch, or with `resume` continue from the model already in `out_dir` (a fresh schedule)."""
    generator = prepare(seed, threads)
    started = time.time()
    tokenizer, image_processor = build_tokenizer(), build_image_processor()
    model = load_captioner(str(out_dir)).model.train() if resume else build_captioner(tokenizer)
    resolution = model.config.encoder.image_size
    world = ShapesWorld(seed)
    scenes = world.sample(n_scenes, "train")
    val_scenes = world.sample(n_val, "val")
    scene_px = images_to_tensor([s.image for s in scenes], resolution)
    scene_targets = encode_targets(tokenizer, [s.canonical_caption for s in scenes])
    digits = load_digits_split("train", seed=seed, resolution=resolution)
    digit_px = images_to_tensor(digits.images, resolution)
    digit_targets = encode_targets(tokenizer, [digit_caption(int(d)) for d in digits.labels])
    width = max(scene_targets.shape[1], digit_targets.shape[1])
    pad = lambda t: torch.nn.functional.pad(t, (0, width - t.shape[1]), value=-100)  # noqa: E731
    scene_targets, digit_targets = pad(scene_targets), pad(digit_targets)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=lr, total_steps=steps, pct_start=0.05)
    writer = create_writer("captioner")
    captioner = LoadedCaptioner(model, image_processor, tokenizer)
    n_digits = max(1, batch_size // 8)
    model.train()
    for step in tqdm(range(steps), desc="train captioner"):
        s = torch.randint(len(scene_px), (batch_size - n_digits,), generator=generator)
        d = torch.randint(len(digit_px), (n_digits,), generator=generator)
        pixels = torch.cat([scene_px[s], augment_digits(digit_px[d], generator)])
        loss = model(pixel_values=(pixels - 0.5) / 0.5, labels=torch.cat([scene_targets[s], digit_targets[d]])).loss
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        writer.add_scalar("loss/train", loss.item(), step)
        if (step + 1) % 250 == 0:
            writer.add_scalar("val/exact_match", exact_match(captioner, val_scenes), step)
    metrics = {"val_exact_match": exact_match(captioner, val_scenes)}
    writer.close()
    model.eval()
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    save_fp16(model.state_dict(), out_dir / "model.safetensors")  # same keys, half the bytes
    tokenizer.save_pretrained(out_dir)
    image_processor.save_pretrained(out_dir)
    training = {"resumed": resume, "steps": steps, "batch_size": batch_size, "n_scenes": n_scenes, "seed": seed,
                "seconds": round(time.time() - started), **metrics}
    append_training_log(out_dir / "training.json", training)
    return metrics
