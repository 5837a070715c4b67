"""muse's own text-to-image pipeline: a pixel-space `UNet2DConditionModel` that cross-attends to
the hidden states of a small `CLIPTextModel`, sampled with DDIM and classifier-free guidance.

It is a real `diffusers.DiffusionPipeline`, so `save_pretrained` / `from_pretrained` store and load
it in diffusers' own format. `create_pipeline(words)` builds a fresh, untrained one; the trainer is
in `tools/diffusion_train.py`.
"""

from __future__ import annotations

import torch
from diffusers import DDIMScheduler, DDPMScheduler, DiffusionPipeline, ImagePipelineOutput, UNet2DConditionModel
from diffusers.utils.torch_utils import randn_tensor
from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, processors
from transformers import CLIPTextConfig, CLIPTextModel, PreTrainedTokenizerFast

SPECIAL_TOKENS = ["[PAD]", "[UNK]", "[BOS]", "[EOS]"]
# Prompts longer than this many tokens (words and punctuation, plus [BOS]/[EOS]) are truncated.
MAX_PROMPT_TOKENS = 24


class MuseDiffusionPipeline(DiffusionPipeline):
    """Text → image in pixel space, guided by a text encoder trained together with the UNet."""

    model_cpu_offload_seq = "text_encoder->unet"

    def __init__(self, unet, scheduler, text_encoder, tokenizer):
        super().__init__()
        self.register_modules(unet=unet, scheduler=scheduler, text_encoder=text_encoder, tokenizer=tokenizer)

    def tokenize(self, prompts: list[str]) -> torch.Tensor:
        """Token ids (B, MAX_PROMPT_TOKENS); unknown words become [UNK], long prompts are cut."""
        tokens = self.tokenizer(
            prompts,
            padding="max_length",
            truncation=True,
            max_length=self.tokenizer.model_max_length,
            return_tensors="pt",
        )
        return tokens.input_ids.to(self.device)

    def encode_prompt(self, prompts: list[str]) -> torch.Tensor:
        """Hidden states (B, tokens, hidden) the UNet cross-attends to; "" is the unconditional prompt."""
        return self.text_encoder(self.tokenize(prompts)).last_hidden_state

    @torch.no_grad()
    def __call__(
        self,
        prompt: str | list[str],
        num_images_per_prompt: int = 1,
        num_inference_steps: int = 20,
        guidance_scale: float = 3.0,
        generator: torch.Generator | None = None,
        output_type: str = "pil",
    ) -> ImagePipelineOutput:
        prompts = [prompt] if isinstance(prompt, str) else list(prompt)
        prompts = [p for p in prompts for _ in range(num_images_per_prompt)]
        # (2B, tokens, hidden): unconditional first, then conditional, for one UNet call per step.
        context = self.encode_prompt([""] * len(prompts) + prompts)
        size = self.unet.config.sample_size
        shape = (len(prompts), self.unet.config.in_channels, size, size)
        sample = randn_tensor(shape, generator=generator, device=self.device, dtype=context.dtype)
        self.scheduler.set_timesteps(num_inference_steps, device=self.device)
        sample = sample * self.scheduler.init_noise_sigma
        for t in self.progress_bar(self.scheduler.timesteps):
            noise = self.unet(torch.cat([sample, sample]), t, encoder_hidden_states=context).sample
            uncond, cond = noise.chunk(2)
            noise = uncond + guidance_scale * (cond - uncond)
            sample = self.scheduler.step(noise, t, sample).prev_sample
        images = (sample / 2 + 0.5).clamp(0, 1).cpu().permute(0, 2, 3, 1).float().numpy()
        if output_type == "pil":
            images = self.numpy_to_pil(images)
        return ImagePipelineOutput(images=images)


def create_tokenizer(words: list[str]) -> PreTrainedTokenizerFast:
    """A word-level tokenizer over the caption vocabulary, built offline (no hub download)."""
    vocab = {token: i for i, token in enumerate(SPECIAL_TOKENS + sorted(set(words)))}
    backend = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    backend.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    backend.post_processor = processors.TemplateProcessing(
        single="[BOS] $A [EOS]", special_tokens=[("[BOS]", vocab["[BOS]"]), ("[EOS]", vocab["[EOS]"])]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=backend,
        model_max_length=MAX_PROMPT_TOKENS,
        pad_token="[PAD]",
        unk_token="[UNK]",
        bos_token="[BOS]",
        eos_token="[EOS]",
    )


def create_text_encoder(tokenizer: PreTrainedTokenizerFast, hidden: int = 64) -> CLIPTextModel:
    config = CLIPTextConfig(
        vocab_size=len(tokenizer),
        hidden_size=hidden,
        intermediate_size=hidden * 4,
        num_hidden_layers=2,
        num_attention_heads=4,
        max_position_embeddings=MAX_PROMPT_TOKENS,
        projection_dim=hidden,
        pad_token_id=tokenizer.pad_token_id,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )
    return CLIPTextModel(config)


def create_unet(size: int = 32, channels: tuple[int, ...] = (32, 64, 64), context_dim: int = 64) -> UNet2DConditionModel:
    """Plain residual blocks at full resolution, text cross-attention below it. The transformer
    blocks attend only to the text (`only_cross_attention`): self-attention over 256 pixels cost
    a third of each training step on this CPU."""
    return UNet2DConditionModel(
        sample_size=size,
        in_channels=3,
        out_channels=3,
        block_out_channels=channels,
        layers_per_block=1,
        down_block_types=("DownBlock2D",) + ("CrossAttnDownBlock2D",) * (len(channels) - 1),
        up_block_types=("CrossAttnUpBlock2D",) * (len(channels) - 1) + ("UpBlock2D",),
        cross_attention_dim=context_dim,
        attention_head_dim=8,
        norm_num_groups=8,
        only_cross_attention=True,
    )


def create_training_scheduler() -> DDPMScheduler:
    return DDPMScheduler(num_train_timesteps=1000, beta_schedule="squaredcos_cap_v2")


def create_pipeline(words: list[str], size: int = 32) -> MuseDiffusionPipeline:
    """A fresh pipeline; its sampler is DDIM on the training scheduler's noise schedule, clipping
    its estimate of the clean image to [-1, 1]. (DPM-Solver++ on this cosine schedule gave
    saturated noise at 20 steps, even with `lambda_min_clipped`; DDIM gave the trained shapes.)"""
    tokenizer = create_tokenizer(words)
    text_encoder = create_text_encoder(tokenizer)
    unet = create_unet(size, context_dim=text_encoder.config.hidden_size)
    sampler = DDIMScheduler.from_config(create_training_scheduler().config, clip_sample=True)
    return MuseDiffusionPipeline(unet=unet, scheduler=sampler, text_encoder=text_encoder, tokenizer=tokenizer)
