"""muse's own text-to-image pipeline: a pixel-space `UNet2DConditionModel` that cross-attends to
the hidden states of a `CLIPTextModel` (muse's own CLIP text tower, converted by `tools.clip_text`),
sampled with DDIM and classifier-free guidance, rescaled as Stable Diffusion's `guidance_rescale` does
(the guided prediction brought back to the spread of the conditional one: with zero terminal SNR, plain
guidance over-saturates and pushes shapes off their place).

It is a real `diffusers.DiffusionPipeline`, so `save_pretrained` / `from_pretrained` store and load
it in diffusers' own format. `create_pipeline(clip)` builds one with an untrained UNet; the trainer
is in `tools/diffusion_train.py`.
"""

from __future__ import annotations

import torch
from diffusers import DDIMScheduler, DDPMScheduler, DiffusionPipeline, ImagePipelineOutput, UNet2DConditionModel
from diffusers.pipelines.stable_diffusion.pipeline_stable_diffusion import rescale_noise_cfg
from diffusers.utils.torch_utils import randn_tensor

from tools.clip_text import clip_text_model, clip_tokenizer


class MuseDiffusionPipeline(DiffusionPipeline):
    """Text → image in pixel space, guided by the hidden states of a CLIP text encoder."""

    model_cpu_offload_seq = "text_encoder->unet"

    def __init__(self, unet, scheduler, text_encoder, tokenizer):
        super().__init__()
        self.register_modules(unet=unet, scheduler=scheduler, text_encoder=text_encoder, tokenizer=tokenizer)

    def tokenize(self, prompts: list[str]) -> torch.Tensor:
        """Token ids (B, the tokenizer's length); prompts longer than that are cut."""
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
        num_inference_steps: int = 10,
        guidance_scale: float = 3.0,
        guidance_rescale: float = 0.0,
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
            prediction = self.unet(torch.cat([sample, sample]), t, encoder_hidden_states=context).sample
            uncond, cond = prediction.chunk(2)
            guided = uncond + guidance_scale * (cond - uncond)
            if guidance_rescale > 0:
                guided = rescale_noise_cfg(guided, cond, guidance_rescale=guidance_rescale)
            sample = self.scheduler.step(guided, t, sample).prev_sample
        images = (sample / 2 + 0.5).clamp(0, 1).cpu().permute(0, 2, 3, 1).float().numpy()
        if output_type == "pil":
            images = self.numpy_to_pil(images)
        return ImagePipelineOutput(images=images)


def create_unet(size: int = 32, channels: tuple[int, ...] = (32, 64, 64), context_dim: int = 128) -> UNet2DConditionModel:
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
    """Cosine noise schedule rescaled to end at zero signal, with the UNet predicting v.

    With a schedule that leaves some signal at its last step, the UNet learns to read a scene's
    background and colours from the noisy image itself, and at sampling time reads them from the random
    starting noise: the prompt never decides them. At zero terminal SNR it has to take them from the
    prompt, and v-prediction keeps that last step well-posed (Lin et al., 2024, "Common Diffusion Noise
    Schedules and Sample Steps are Flawed")."""
    return DDPMScheduler(num_train_timesteps=1000, beta_schedule="squaredcos_cap_v2", rescale_betas_zero_snr=True,
                         prediction_type="v_prediction")


def create_pipeline(clip: torch.nn.Module, size: int = 32) -> MuseDiffusionPipeline:
    """A fresh UNet conditioned on `clip`'s text tower (an open_clip `CLIP`), which stays as trained.
    The sampler is DDIM on the training scheduler's noise schedule, starting from its last (pure-noise)
    step and clipping its estimate of the clean image to [-1, 1]. (DPM-Solver++ on the earlier cosine
    schedule gave saturated noise at 20 steps, even with `lambda_min_clipped`; DDIM gave the trained
    shapes.)"""
    text_encoder = clip_text_model(clip)
    tokenizer = clip_tokenizer(text_encoder.config.max_position_embeddings)
    unet = create_unet(size, context_dim=text_encoder.config.hidden_size)
    sampler = DDIMScheduler.from_config(create_training_scheduler().config, clip_sample=True, timestep_spacing="trailing")
    return MuseDiffusionPipeline(unet=unet, scheduler=sampler, text_encoder=text_encoder, tokenizer=tokenizer)
