"""The judge's network: a small CNN with one classification head per attribute.

The spatial feature map is flattened (not pooled) before the heads so position survives.
"""

from __future__ import annotations

import torch
from torch import nn

from tools.data.vocabulary import ATTRIBUTES, DIGIT_WORDS

DOMAINS = ("shape", "digit")
HEADS: dict[str, tuple[str, ...]] = {"domain": DOMAINS, **ATTRIBUTES, "digit": tuple(str(d) for d in range(len(DIGIT_WORDS)))}
SHAPE_HEADS = tuple(ATTRIBUTES)


class JudgeNet(nn.Module):
    def __init__(self, channels: tuple[int, ...] = (16, 32, 64, 128), hidden: int = 128, resolution: int = 64):
        super().__init__()
        self.resolution = resolution
        layers, in_ch = [], 3
        for ch in channels:
            layers += [nn.Conv2d(in_ch, ch, 3, padding=1, bias=False), nn.BatchNorm2d(ch), nn.ReLU(), nn.MaxPool2d(2)]
            in_ch = ch
        self.features = nn.Sequential(*layers)
        side = resolution // 2 ** len(channels)
        self.trunk = nn.Sequential(nn.Flatten(), nn.Dropout(0.2), nn.Linear(in_ch * side * side, hidden), nn.ReLU())
        self.heads = nn.ModuleDict({name: nn.Linear(hidden, len(labels)) for name, labels in HEADS.items()})
        self.register_buffer("mean", torch.tensor([0.5, 0.5, 0.5]).view(1, 3, 1, 1))
        self.register_buffer("std", torch.tensor([0.25, 0.25, 0.25]).view(1, 3, 1, 1))

    def forward(self, pixels: torch.Tensor) -> dict[str, torch.Tensor]:
        """pixels (B, 3, 64, 64) in [0, 1] -> logits per head."""
        hidden = self.trunk(self.features((pixels - self.mean) / self.std))
        return {name: head(hidden) for name, head in self.heads.items()}
