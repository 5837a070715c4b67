"""`muse train planner --recipe`: several training runs as one command, each going on from the last.

A short run at a high learning rate on plain function calling, then runs that add the agent's turns
at falling learning rates, made a better planner than one long run did (the model card's run 12
against run 14). A recipe repeats settings, not the data of the day each run had: on today's data the
shipped recipe's first run was below run 12 (the model card has both). Each stage writes its adapter
to its own directory and is skipped when rerun, and a stage stopped midway goes on from its last saved
step, so a recipe longer than a sitting can be finished later.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from muse.errors import MuseError
from tools.llm.training import TrainConfig, train_planner

STAGE_DONE = "stage.json"  # a finished stage's figures; its presence marks the stage as done
ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors")


@dataclass(frozen=True)
class Stage:
    steps: int
    learning_rate: float
    agent_weight: int
    seed: int


def read_recipe(path: Path) -> list[Stage]:
    """The stages of a recipe file: `{"stages": [{"steps", "learning_rate", "agent_weight", "seed"}, ...]}`."""
    try:
        stages = json.loads(path.read_text())["stages"]
        recipe = [Stage(**stage) for stage in stages]
    except OSError as error:
        raise MuseError(f"{path}: {error.strerror}") from None
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        names = ", ".join(field.name for field in fields(Stage))
        raise MuseError(f"{path}: expected {{\"stages\": [{{{names}}}, ...]}} ({error})") from None
    if not recipe or any(stage.steps < 1 or stage.learning_rate <= 0 or stage.agent_weight < 0 for stage in recipe):
        raise MuseError(f"{path}: a recipe needs at least one stage, each with steps ≥ 1, a positive learning rate and agent_weight ≥ 0")
    return recipe


def run_recipe(recipe: list[Stage], out_dir: Path, work_dir: Path, model_name: str, cache_dir: Path,
               base: TrainConfig) -> list[dict[str, Any]]:
    """Train the stages in order under `work_dir`, then copy the last adapter to `out_dir`.

    A stage's directory is named by everything that made it (the stages up to it and the shared
    settings), so recipes that begin alike share their first stages and a changed recipe retrains.
    """
    figures, previous = [], base.init_adapter
    for number, stage in enumerate(recipe, start=1):
        stage_dir = work_dir / f"stage-{number}-{_digest(recipe[:number], base, model_name)}"
        done = stage_dir / STAGE_DONE
        state = "done before" if done.exists() else "training"
        tqdm.write(f"stage {number} of {len(recipe)} ({_describe(stage)}): {state}", file=sys.stderr)
        if not done.exists():
            config = replace(base, steps=stage.steps, learning_rate=stage.learning_rate,
                             agent_weight=stage.agent_weight, seed=stage.seed, init_adapter=previous)
            stats = train_planner(stage_dir, model_name, cache_dir, config)
            done.write_text(json.dumps({"stage": number, **stage.__dict__, **stats}, indent=2) + "\n")
        figures.append(json.loads(done.read_text()))
        previous = stage_dir
    out_dir.mkdir(parents=True, exist_ok=True)
    for name in ADAPTER_FILES:
        shutil.copyfile(previous / name, out_dir / name)
    return figures


def _describe(stage: Stage) -> str:
    return f"{stage.steps} steps at {stage.learning_rate:g}, agent weight {stage.agent_weight}, seed {stage.seed}"


def _digest(stages: list[Stage], base: TrainConfig, model_name: str) -> str:
    per_stage = {field.name for field in fields(Stage)} | {"save_every"}
    shared = {key: str(value) for key, value in asdict(base).items() if key not in per_stage}
    made_of = json.dumps([model_name, shared, [stage.__dict__ for stage in stages]], sort_keys=True)
    return hashlib.sha256(made_of.encode()).hexdigest()[:10]
