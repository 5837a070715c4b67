"""The text-to-image pipeline: format, prompts, seeds, a tiny Stable Diffusion by configuration,
and the shipped weights judged by the judge classifier."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from muse.errors import MuseError
from muse.settings import SHIPPED_MODELS_DIR
from tools.clip import load_clip
from tools.clip_text import clip_text_model, clip_tokenizer
from tools.diffusion_pipeline import MuseDiffusionPipeline, create_pipeline
from tools.provenance import read_provenance

SHIPPED = SHIPPED_MODELS_DIR / "diffusion"


@pytest.fixture(scope="module")
def untrained_dir(tmp_path_factory):
    """An untrained muse pipeline saved in diffusers' format (its outputs are noise, its plumbing is real)."""
    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("pipeline")
    create_pipeline(load_clip().model).save_pretrained(path)
    return path


@pytest.fixture
def use_pipeline(monkeypatch):
    def use(path):
        from muse.settings import get_settings

        monkeypatch.setenv("MUSE_GENERATION__DIFFUSION_MODEL", str(path))
        monkeypatch.setenv("MUSE_GENERATION__STEPS", "2")  # the plumbing, not the pictures, is under test
        get_settings.cache_clear()

    return use


def pixels(images):
    return np.stack([np.asarray(im, dtype=np.int16) for im in images])


def test_pipeline_round_trips_through_diffusers_format(untrained_dir):
    pipe = MuseDiffusionPipeline.from_pretrained(untrained_dir)
    assert type(pipe.unet).__name__ == "UNet2DConditionModel"
    assert type(pipe.text_encoder).__name__ == "CLIPTextModel"
    assert type(pipe.scheduler).__name__ == "DDIMScheduler" and pipe.scheduler.config.clip_sample


def test_the_text_encoder_is_muses_clip_text_tower():
    """Converted to transformers' classes, the tower embeds a prompt exactly as open_clip does."""
    clip = load_clip()
    prompts = ["a large red star on a white background", "a zebra-striped unicorn, très jolie!", ""]
    tokenizer, encoder = clip_tokenizer(24), clip_text_model(clip.model)
    ids = tokenizer(prompts, padding="max_length", truncation=True, return_tensors="pt").input_ids
    with torch.no_grad():
        hidden = encoder(ids).last_hidden_state
        ends = (ids == tokenizer.eos_token_id).int().argmax(dim=1)
        pooled = hidden[torch.arange(len(prompts)), ends] @ clip.model.text_projection
        expected = clip.model.encode_text(clip.tokenizer(prompts))
    torch.testing.assert_close(pooled, expected)


def test_long_prompts_are_cut_to_the_text_towers_length(untrained_dir):
    pipe = MuseDiffusionPipeline.from_pretrained(untrained_dir)
    ids = pipe.tokenize(["red " * 100, "a red star"])
    assert ids.shape == (2, 24) and ids[0, -1] == pipe.tokenizer.eos_token_id


def test_same_seed_same_images_other_seed_other_images(untrained_dir, use_pipeline):
    from tools.diffusion import generate

    use_pipeline(untrained_dir)
    first = generate("a red star with stripes nobody taught it", n=2, seed=5)
    again = generate("a red star with stripes nobody taught it", n=2, seed=5)
    other = generate("a red star with stripes nobody taught it", n=2, seed=6)
    assert first.images[0].size == (32, 32)
    assert np.array_equal(pixels(first.images), pixels(again.images))
    assert not np.array_equal(pixels(first.images), pixels(other.images))


def test_guidance_rescale_is_applied_and_recorded(untrained_dir, use_pipeline, monkeypatch):
    from muse.settings import GenerationSettings, get_settings
    from tools.diffusion import generate

    use_pipeline(untrained_dir)
    rescaled = generate("a red star", seed=5)
    monkeypatch.setenv("MUSE_GENERATION__GUIDANCE_RESCALE", "0")
    get_settings.cache_clear()
    plain = generate("a red star", seed=5)
    assert rescaled.provenance()["guidance_rescale"] == GenerationSettings().guidance_rescale > 0
    assert plain.provenance()["guidance_rescale"] == 0
    assert not np.array_equal(pixels(rescaled.images), pixels(plain.images))


def test_empty_prompt_is_a_clear_error(untrained_dir, use_pipeline):
    from tools.diffusion import generate

    use_pipeline(untrained_dir)
    with pytest.raises(MuseError, match="empty prompt"):
        generate("   ")


def test_tool_stores_pngs_with_provenance(untrained_dir, use_pipeline, muse_home):
    from muse.settings import get_settings
    from tools.builtin import create_builtin_tools
    from tools.services import Services

    use_pipeline(untrained_dir)
    services = Services.from_settings(get_settings())
    generate_image = {tool.name: tool for tool in create_builtin_tools(services)}["generate_image"]
    call = {"name": "generate_image", "args": {"prompt": "a blue circle", "n": 2, "seed": 3}, "id": "1", "type": "tool_call"}
    message = generate_image.invoke(call, config={"configurable": {"user_id": "ana", "session_id": "s"}})
    ids = json.loads(message.content)["images"]
    assert len(ids) == 2 and message.artifact == {"images": ids}
    path = services.images.get(ids[0], "ana").path
    assert path.parent == muse_home / "images"
    chunks = read_provenance(path)
    assert (chunks["prompt"], chunks["seed"], chunks["Comment"]) == ("a blue circle", "3", "generated by muse")
    assert float(chunks["guidance_rescale"]) == get_settings().generation.guidance_rescale


def build_tiny_stable_diffusion():
    """A randomly initialised Stable Diffusion of the real classes, sized like diffusers' own tests."""
    from diffusers import AutoencoderKL, DDIMScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        block_out_channels=(4, 8),
        layers_per_block=1,
        sample_size=16,
        in_channels=4,
        out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=32,
        norm_num_groups=2,
    )
    vae = AutoencoderKL(
        block_out_channels=(4, 8),
        in_channels=3,
        out_channels=3,
        down_block_types=("DownEncoderBlock2D",) * 2,
        up_block_types=("UpDecoderBlock2D",) * 2,
        latent_channels=4,
        norm_num_groups=2,
    )
    tokenizer = clip_tokenizer(24)
    text_encoder = CLIPTextModel(
        CLIPTextConfig(
            vocab_size=len(tokenizer), hidden_size=32, intermediate_size=37, num_attention_heads=4, num_hidden_layers=2,
            max_position_embeddings=tokenizer.model_max_length, pad_token_id=tokenizer.pad_token_id,
            bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
        )
    )
    scheduler = DDIMScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear", clip_sample=False, set_alpha_to_one=False, steps_offset=1)
    return StableDiffusionPipeline(
        vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet, scheduler=scheduler,
        safety_checker=None, feature_extractor=None, requires_safety_checker=False,
    )


def test_local_stable_diffusion_directory_loads_by_configuration(tmp_path, use_pipeline):
    from tools.diffusion import generate, load_pipeline

    build_tiny_stable_diffusion().save_pretrained(tmp_path / "sd")
    use_pipeline(tmp_path / "sd")
    result = generate("a large red star on a white background", seed=1)
    assert type(load_pipeline(str(tmp_path / "sd"))).__name__ == "StableDiffusionPipeline"
    assert result.model == "sd" and len(result.images) == 1


def _judged_shipped_images(n: int = 12):
    from tools.data.shapes_world import ShapesWorld
    from tools.generation_bench import diffusion_images
    from tools.judge import classify

    scenes = ShapesWorld(seed=0).sample(n, split="test")
    return scenes, classify(diffusion_images([s.canonical_caption for s in scenes], seed=0))


shipped_models = pytest.mark.skipif(
    not (SHIPPED / "model_index.json").exists() or not (SHIPPED_MODELS_DIR / "judge" / "model.safetensors").exists(),
    reason="no shipped diffusion weights or judge",
)


@pytest.mark.slow
@shipped_models
def test_shipped_pipeline_follows_the_prompts_colour_and_background():
    """The prompt, not the starting noise, decides the colours (zero terminal SNR, v-prediction)."""
    scenes, verdicts = _judged_shipped_images()
    for attribute in ("color", "background"):
        right = sum(v[attribute] == s.attributes[attribute] for v, s in zip(verdicts, scenes))
        assert right >= 11, (attribute, [(s.canonical_caption, v[attribute]) for v, s in zip(verdicts, scenes)])


@pytest.mark.slow
@shipped_models
def test_shipped_pipeline_draws_the_requested_colour_and_shape():
    """The issue's goal, 90 %, on 40 prompts: 12 cannot tell 85 % from 90 %."""
    scenes, verdicts = _judged_shipped_images(40)
    right = sum(v["color"] == s.color and v["shape"] == s.shape for v, s in zip(verdicts, scenes))
    assert right >= 36, [(s.canonical_caption, v["color"], v["shape"]) for v, s in zip(verdicts, scenes)]
