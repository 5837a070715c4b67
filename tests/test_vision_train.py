"""`muse train clip|captioner|judge --quick` end to end, then every vision command on those models."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from muse.cli import _register_commands, app
from muse.settings import get_settings
from tools.data.shapes_world import ShapesWorld

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cli():
    _register_commands()
    runner = CliRunner()

    def invoke(*args: str):
        result = runner.invoke(app, list(args), catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.stdout

    return invoke


def test_quick_training_saves_models_every_command_loads(cli, monkeypatch, tmp_path):
    quick = get_settings().cache_dir / "quick"
    for name in ("judge", "clip", "captioner"):
        assert f"saved {name} to {quick / name}" in cli("train", name, "--quick", "--threads", "1")
    assert "saved captioner" in cli("train", "captioner", "--quick", "--resume", "--steps", "2")
    runs = json.loads((quick / "captioner" / "training.json").read_text())
    assert [r["resumed"] for r in runs] == [False, True] and runs[1]["steps"] == 2
    assert "saved clip" in cli("train", "clip", "--quick", "--resume", "--steps", "1")
    assert (quick / "clip" / "open_clip_model.safetensors").is_file()
    assert (quick / "captioner" / "model.safetensors").is_file() and (quick / "judge" / "model.safetensors").is_file()
    monkeypatch.setenv("MUSE_VISION__JUDGE", str(quick / "judge"))
    monkeypatch.setenv("MUSE_VISION__CAPTIONER", str(quick / "captioner"))
    monkeypatch.setenv("MUSE_VISION__CLIP_PRETRAINED", str(quick / "clip" / "open_clip_model.safetensors"))
    get_settings.cache_clear()
    paths = []
    for i, scene in enumerate(ShapesWorld(0).sample(2, "test")):
        paths.append(str(tmp_path / f"scene{i}.png"))
        scene.image.save(paths[-1])

    captions = [json.loads(line) for line in cli("caption", *paths, "--json").splitlines()]
    assert [c["image"] for c in captions] == paths and all(isinstance(c["caption"], str) for c in captions)
    classes = [json.loads(line) for line in cli("classify", *paths, "--json").splitlines()]
    assert len(classes) == 2 and {"color", "shape", "size", "position", "background", "digit", "domain"} <= set(classes[0])
    assert 0.0 <= classes[0]["color_confidence"] <= 1.0
    answer = json.loads(cli("ask", paths[0], "what colour is the shape?", "--json"))
    assert answer["question"] == "what colour is the shape?" and answer["answer"]

    from tools.clip import embed_images, embed_texts, zero_shot_classify

    texts, images = embed_texts(["a red circle", "a blue star"]), embed_images(paths)
    assert texts.shape == (2, 128) and images.shape == (2, 128)
    assert abs(float((images**2).sum(1)[0]) - 1.0) < 1e-4
    assert zero_shot_classify(paths, ["red circle", "blue star"], "a {}")[0][0] in ("red circle", "blue star")
