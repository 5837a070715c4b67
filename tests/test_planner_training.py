"""A stopped planner training goes on where it was; a recipe trains its stages in turn, once each."""

import json
import subprocess
import sys

import pytest
import torch

from muse.errors import MuseError
from tools.llm.recipe import Stage, read_recipe
from tools.llm.training import TRAINING_STATE, TrainConfig, _lr_factor, restore, save_training_state, stopped_run


def _tiny_run(config: TrainConfig):
    """A tiny LLaMA with a fresh LoRA, its optimizer and schedule: the same weights every time."""
    from peft import LoraConfig, get_peft_model
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    base = LlamaForCausalLM(LlamaConfig(vocab_size=64, hidden_size=32, intermediate_size=64, num_hidden_layers=1,
                                        num_attention_heads=4, num_key_value_heads=2))
    model = get_peft_model(base, LoraConfig(r=4, lora_alpha=8, target_modules=["q_proj", "v_proj"], task_type="CAUSAL_LM"))
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=config.learning_rate)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: _lr_factor(step, config))
    return model, optimizer, schedule


def _step(model, optimizer, schedule, seed: int) -> None:
    ids = torch.randint(0, 64, (2, 8), generator=torch.Generator().manual_seed(seed))
    model(input_ids=ids, labels=ids).loss.backward()
    optimizer.step()
    schedule.step()
    optimizer.zero_grad()


def _lora(model) -> dict[str, torch.Tensor]:
    return {key: value.detach().clone() for key, value in model.state_dict().items() if "lora_" in key}


def test_a_stopped_run_goes_on_exactly_where_it_was(tmp_path):
    config = TrainConfig(steps=10, learning_rate=1e-2)
    uninterrupted = _tiny_run(config)
    for step in range(3):
        _step(*uninterrupted, seed=step)

    stopped = _tiny_run(config)
    for step in range(2):
        _step(*stopped, seed=step)
    save_training_state(tmp_path, config, 2, *stopped)

    resumed = _tiny_run(config)
    assert restore(stopped_run(tmp_path, config), *resumed) == 2
    _step(*resumed, seed=2)
    for key, value in _lora(uninterrupted[0]).items():
        assert torch.allclose(_lora(resumed[0])[key], value, atol=1e-6), key
    assert resumed[2].get_last_lr() == uninterrupted[2].get_last_lr()


def test_a_fresh_directory_has_no_stopped_run_and_other_settings_are_refused(tmp_path):
    config = TrainConfig(steps=10)
    assert stopped_run(tmp_path, config) is None
    save_training_state(tmp_path, config, 4, *_tiny_run(config))
    assert stopped_run(tmp_path, config)["step"] == 4
    with pytest.raises(MuseError, match="other settings"):
        stopped_run(tmp_path, TrainConfig(steps=10, seed=1))


def test_recipe_file_is_read_and_bad_ones_are_one_line_errors(tmp_path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"stages": [{"steps": 5, "learning_rate": 1e-4, "agent_weight": 0, "seed": 2}]}))
    assert read_recipe(good) == [Stage(steps=5, learning_rate=1e-4, agent_weight=0, seed=2)]
    for text in ['{"stages": []}', '{"stages": [{"steps": 5}]}', "[1, 2]", "not json",
                 '{"stages": [{"steps": 0, "learning_rate": 1e-4, "agent_weight": 0, "seed": 0}]}']:
        bad = tmp_path / "bad.json"
        bad.write_text(text)
        with pytest.raises(MuseError) as error:
            read_recipe(bad)
        assert "\n" not in str(error.value)
    with pytest.raises(MuseError, match="No such file"):
        read_recipe(tmp_path / "missing.json")


def test_shipped_recipe_reads():
    from muse.settings import REPO_ROOT

    stages = read_recipe(REPO_ROOT / "tools" / "llm" / "planner_recipe.json")
    assert stages[0].agent_weight == 0 and all(a.learning_rate >= b.learning_rate for a, b in zip(stages, stages[1:]))


@pytest.mark.slow
def test_a_recipe_trains_each_stage_once(tmp_path, shared_cache_dir):
    recipe = tmp_path / "recipe.json"
    recipe.write_text(json.dumps({"stages": [{"steps": 1, "learning_rate": 1e-4, "agent_weight": 0, "seed": 0},
                                             {"steps": 1, "learning_rate": 5e-5, "agent_weight": 1, "seed": 1}]}))
    out = tmp_path / "lora"
    first = _train("--quick", "--recipe", str(recipe), "--out", str(out))
    assert [stage["steps"] for stage in first["stages"]] == [1, 1]
    assert (out / "adapter_model.safetensors").exists() and (out / "after_result.json").exists()
    stage_dirs = sorted((shared_cache_dir / "planner-stages").iterdir())
    assert len(stage_dirs) == 2 and not any((d / TRAINING_STATE).exists() for d in stage_dirs)
    assert (out / "adapter_model.safetensors").read_bytes() == (stage_dirs[-1] / "adapter_model.safetensors").read_bytes()

    again = _train("--quick", "--recipe", str(recipe), "--out", str(out))
    assert again["stages"] == first["stages"]  # nothing retrained: the same figures, times included


def _train(*args: str) -> dict:
    done = subprocess.run([sys.executable, "-m", "muse", "train", "planner", *args], capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
