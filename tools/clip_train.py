"""Train muse's small open_clip CLIP on ShapesWorld and digit captions with open_clip's ClipLoss.

    muse train clip [--quick] [--steps N] [--out models/clip]

Scenes carry captions in several phrasings; digits are augmented and captioned "a handwritten
digit seven" (and variants). Weights are saved as fp16 safetensors that
`open_clip.create_model_and_transforms("muse-clip-rn", pretrained=path)` loads.
"""

from __future__ import annotations

import json
import math
import random
import time
from pathlib import Path

import torch
from tqdm import tqdm

from tools.clip import register_configs
from tools.data.captions import digit_caption, short_caption
from tools.data.digits import load_digits_split
from tools.data.shapes_world import ShapesWorld
from tools.training import append_training_log, augment_digits, create_writer, images_to_tensor, prepare, save_fp16

WEIGHTS_FILE = "open_clip_model.safetensors"


class ClipData:
    """Pre-rendered scenes and digits with their captions, batched as pixels in [0, 1] plus texts.

    Scenes come in pairs that differ only in shape (`ShapesWorld.twin`), both in the same batch:
    in random batches colour, size, position and background nearly always tell two scenes apart,
    so without these hard negatives CLIP never needs to learn shape. A share of the scenes is
    captioned with a short partial description ("a red star"): that is how people search and how
    zero-shot labels read.
    """

    short_fraction = 0.4

    def __init__(self, split: str, n_scenes: int, seed: int, resolution: int):
        world = ShapesWorld(seed)
        scenes = [scene for i in range(n_scenes // 2) for scene in (world.scene(i, split), world.twin(i, split))]
        digits = load_digits_split(split, seed=seed, resolution=resolution)
        self.scene_px = images_to_tensor([s.image for s in scenes], resolution)
        self.scene_captions = [s.caption for s in scenes]
        self.scene_attributes = [s.attributes for s in scenes]
        self.digit_px = images_to_tensor(digits.images, resolution)
        self.digit_labels = digits.labels.tolist()
        self.rng = random.Random(seed)

    def scene_caption(self, index: int) -> str:
        if self.rng.random() < self.short_fraction:
            return short_caption(self.rng, **self.scene_attributes[index])
        return self.scene_captions[index]

    def batch(self, size: int, n_digits: int, generator: torch.Generator) -> tuple[torch.Tensor, list[str]]:
        pairs = torch.randint(len(self.scene_px) // 2, ((size - n_digits) // 2,), generator=generator)
        s = torch.stack([2 * pairs, 2 * pairs + 1], dim=1).flatten()
        d = torch.randint(len(self.digit_px), (n_digits,), generator=generator)
        texts = [self.scene_caption(i) for i in s.tolist()]
        texts += [digit_caption(self.digit_labels[i], self.rng) for i in d.tolist()]
        return torch.cat([self.scene_px[s], augment_digits(self.digit_px[d], generator)]), texts


def cosine_lr(step: int, steps: int, base: float, warmup: int) -> float:
    if step < warmup:
        return base * (step + 1) / warmup
    return 0.5 * base * (1 + math.cos(math.pi * (step - warmup) / max(1, steps - warmup)))


@torch.no_grad()
def in_batch_accuracy(model, normalize, tokenizer, pixels, texts) -> float:
    """How often each image's own caption scores highest among the batch's captions."""
    model.eval()
    image = model.encode_image(normalize(pixels), normalize=True)
    text = model.encode_text(tokenizer(texts), normalize=True)
    model.train()
    scores = image @ text.T
    return (scores.argmax(-1) == torch.arange(len(texts))).float().mean().item()


def train_clip(
    out_dir: Path,
    name: str = "muse-clip-rn",
    steps: int = 2500,
    batch_size: int = 64,
    n_scenes: int = 20000,
    lr: float = 1e-3,
    seed: int = 0,
    threads: int = 1,
    resume: bool = False,
) -> dict[str, float]:
    """Train from scratch, or with `resume` continue from the weights already in `out_dir` (a fresh schedule)."""
    import open_clip
    import torchvision.transforms.v2 as T

    generator = prepare(seed, threads)
    started = time.time()
    register_configs()
    model = open_clip.create_model(name, pretrained=str(out_dir / WEIGHTS_FILE) if resume else None)
    tokenizer = open_clip.get_tokenizer(name)
    resolution = open_clip.get_model_config(name)["vision_cfg"]["image_size"]
    normalize = T.Normalize(model.visual.preprocess_cfg["mean"], model.visual.preprocess_cfg["std"])
    train, val = ClipData("train", n_scenes, seed, resolution), ClipData("val", 256, seed, resolution)
    val_pixels, val_texts = val.batch(min(batch_size, 128), 8, torch.Generator().manual_seed(seed))
    loss_fn = open_clip.ClipLoss()
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2 and "embedding" not in n]
    rest = [p for n, p in model.named_parameters() if not (p.ndim >= 2 and "embedding" not in n)]
    optimizer = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": rest, "weight_decay": 0.0}], lr=lr)
    writer = create_writer("clip")
    model.train()
    n_digits = max(1, batch_size // 8)
    for step in tqdm(range(steps), desc="train clip"):
        for group in optimizer.param_groups:
            group["lr"] = cosine_lr(step, steps, lr, warmup=max(1, steps // 20))
        pixels, texts = train.batch(batch_size, n_digits, generator)
        image_features, text_features, logit_scale = model(normalize(pixels), tokenizer(texts))
        loss = loss_fn(image_features, text_features, logit_scale)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        with torch.no_grad():
            model.logit_scale.clamp_(0, math.log(100))
        writer.add_scalar("loss/train", loss.item(), step)
        if (step + 1) % 100 == 0 or step + 1 == steps:
            writer.add_scalar("val/in_batch_accuracy", in_batch_accuracy(model, normalize, tokenizer, val_pixels, val_texts), step)
    accuracy = in_batch_accuracy(model, normalize, tokenizer, val_pixels, val_texts)
    writer.close()
    save_fp16(model.state_dict(), out_dir / WEIGHTS_FILE)
    training = {"resumed": resume, "model": name, "steps": steps, "batch_size": batch_size, "n_scenes": n_scenes, "seed": seed,
                "seconds": round(time.time() - started), "val_in_batch_accuracy": accuracy}
    append_training_log(out_dir / "training.json", training)
    return {"val_in_batch_accuracy": accuracy}
