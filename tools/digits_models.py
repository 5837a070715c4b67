"""Two small conditional generators of 8x8 handwritten digits (scikit-learn's digits).

- `DigitGenerator` / `DigitDiscriminator`: a conditional DCGAN; the label enters the generator as
  an embedding concatenated to the noise, and the discriminator as ten one-hot planes.
- `DigitVAE`: a conditional VAE; encoder and decoder both see the label, so sampling the prior
  with a label draws that digit.

Both save and load with `save_pretrained` / `from_pretrained` (config.json + model.safetensors)
through huggingface_hub's `PyTorchModelHubMixin`. Images are (B, 1, 8, 8) in [0, 1], ink = 1.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from huggingface_hub import PyTorchModelHubMixin
from torch import nn

N_CLASSES = 10
SIDE = 8


class DigitGenerator(nn.Module, PyTorchModelHubMixin):
    def __init__(self, noise_dim: int = 32, width: int = 64):
        super().__init__()
        self.noise_dim = noise_dim
        self.label = nn.Embedding(N_CLASSES, 16)
        self.project = nn.Sequential(nn.Linear(noise_dim + 16, width * 2 * 2 * 2), nn.ReLU())
        self.width = width
        self.up = nn.Sequential(
            nn.BatchNorm2d(width * 2),
            nn.ConvTranspose2d(width * 2, width, 4, stride=2, padding=1),  # 2x2 -> 4x4
            nn.BatchNorm2d(width),
            nn.ReLU(),
            nn.ConvTranspose2d(width, width // 2, 4, stride=2, padding=1),  # 4x4 -> 8x8
            nn.BatchNorm2d(width // 2),
            nn.ReLU(),
            nn.Conv2d(width // 2, 1, 3, padding=1),
            nn.Sigmoid(),
        )

    def forward(self, noise: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        hidden = self.project(torch.cat([noise, self.label(labels)], dim=1))
        return self.up(hidden.view(-1, self.width * 2, 2, 2))

    @torch.no_grad()
    def sample(self, labels: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        noise = torch.randn(len(labels), self.noise_dim, generator=generator)
        return self(noise, labels)


class DigitDiscriminator(nn.Module, PyTorchModelHubMixin):
    def __init__(self, width: int = 64):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1 + N_CLASSES, width, 3, stride=2, padding=1),  # 8x8 -> 4x4
            nn.LeakyReLU(0.2),
            nn.Conv2d(width, width * 2, 3, stride=2, padding=1),  # 4x4 -> 2x2
            nn.LeakyReLU(0.2),
            nn.Flatten(),
            nn.Linear(width * 2 * 2 * 2, 1),
        )

    def forward(self, images: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        planes = F.one_hot(labels, N_CLASSES).float()[:, :, None, None].expand(-1, -1, SIDE, SIDE)
        return self.net(torch.cat([images * 2 - 1, planes], dim=1)).squeeze(1)


class DigitVAE(nn.Module, PyTorchModelHubMixin):
    def __init__(self, latent_dim: int = 8, hidden: int = 256):
        super().__init__()
        self.latent_dim = latent_dim
        self.encoder = nn.Sequential(nn.Linear(SIDE * SIDE + N_CLASSES, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU())
        self.to_stats = nn.Linear(hidden, 2 * latent_dim)
        self.decoder = nn.Sequential(
            nn.Linear(latent_dim + N_CLASSES, hidden),
            nn.ReLU(),
            nn.Linear(hidden, hidden),
            nn.ReLU(),
            nn.Linear(hidden, SIDE * SIDE),
        )

    def encode(self, images: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        onehot = F.one_hot(labels, N_CLASSES).float()
        mean, log_var = self.to_stats(self.encoder(torch.cat([images.flatten(1), onehot], dim=1))).chunk(2, dim=1)
        return mean, log_var

    def decode_logits(self, latent: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        onehot = F.one_hot(labels, N_CLASSES).float()
        return self.decoder(torch.cat([latent, onehot], dim=1)).view(-1, 1, SIDE, SIDE)

    def loss(self, images: torch.Tensor, labels: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(reconstruction, KL), each summed over pixels / latents and averaged over the batch."""
        mean, log_var = self.encode(images, labels)
        latent = mean + torch.randn_like(mean) * (0.5 * log_var).exp()
        logits = self.decode_logits(latent, labels)
        reconstruction = F.binary_cross_entropy_with_logits(logits, images, reduction="sum") / len(images)
        kl = -0.5 * (1 + log_var - mean.pow(2) - log_var.exp()).sum() / len(images)
        return reconstruction, kl

    @torch.no_grad()
    def sample(self, labels: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
        latent = torch.randn(len(labels), self.latent_dim, generator=generator)
        return torch.sigmoid(self.decode_logits(latent, labels))
