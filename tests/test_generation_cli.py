"""`muse train diffusion|digits-gan|digits-vae --quick`, `muse generate`, `muse digit`: output and errors."""

from __future__ import annotations

import json
import sys

import pytest

from muse.cli import main
from tools.provenance import read_provenance


def run_muse(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    """Run the console script in-process: (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["muse", *args])
    with pytest.raises(SystemExit) as exit_info:
        main()
    out, err = capsys.readouterr()
    return exit_info.value.code or 0, out, err


@pytest.mark.slow
@pytest.mark.parametrize("name", ["diffusion", "digits-gan", "digits-vae"])
def test_quick_training_never_touches_shipped_weights(monkeypatch, capsys, muse_home, name):
    code, out, _ = run_muse(monkeypatch, capsys, "train", name, "--quick")
    assert code == 0
    assert out.strip() == f"wrote {muse_home / 'quick-models' / name}"
    assert any((muse_home / "quick-models" / name).rglob("*.safetensors"))


@pytest.mark.slow
def test_resumed_diffusion_training_goes_on_from_the_saved_unet(monkeypatch, capsys, muse_home):
    from safetensors.torch import load_file

    folder = muse_home / "quick-models" / "diffusion"
    assert run_muse(monkeypatch, capsys, "train", "diffusion", "--quick")[0] == 0
    before = {part: load_file(next((folder / part).glob("*.safetensors"))) for part in ("unet", "text_encoder")}
    assert run_muse(monkeypatch, capsys, "train", "diffusion", "--quick", "--resume")[0] == 0
    after = {part: load_file(next((folder / part).glob("*.safetensors"))) for part in ("unet", "text_encoder")}
    assert all(after["text_encoder"][key].equal(value) for key, value in before["text_encoder"].items())
    assert run_muse(monkeypatch, capsys, "train", "diffusion", "--quick", "--seed", "1")[0] == 0
    fresh = load_file(next((folder / "unet").glob("*.safetensors")))

    def distance(a, b):
        return sum((a[key].float() - b[key].float()).abs().mean().item() for key in a)

    # a few steps on from the saved UNet move it a little; a fresh start lands somewhere else entirely
    assert 0 < distance(after["unet"], before["unet"]) < distance(fresh, after["unet"]) / 10


def test_digit_writes_the_named_file_with_provenance(monkeypatch, capsys, tmp_path):
    code, out, _ = run_muse(monkeypatch, capsys, "digit", "7", "--model", "vae", "--seed", "4", "-o", str(tmp_path / "seven.png"))
    assert code == 0 and out.strip() == str(tmp_path / "seven.png")
    assert read_provenance(tmp_path / "seven.png")["seed"] == "4"


def test_digit_json_lists_every_image(monkeypatch, capsys, tmp_path):
    code, out, _ = run_muse(monkeypatch, capsys, "digit", "1", "-n", "3", "--seed", "0", "-o", str(tmp_path / "one.png"), "--json")
    lines = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [line["path"] for line in lines] == [str(tmp_path / f"one-{i}.png") for i in (1, 2, 3)]
    assert lines[0]["model"] == "digits-gan" and lines[0]["prompt"] == "a handwritten digit one"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("digit", "12"), "digit must be 0-9"),
        (("digit", "3", "--model", "pixelcnn"), "unknown digit model"),
        (("digit", "3", "-n", "40"), "n must be between 1 and 16"),
        (("generate", ""), "empty prompt"),
        (("generate", "a red star", "-n", "0"), "n must be at least 1"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(monkeypatch, capsys, args, message):
    code, _, err = run_muse(monkeypatch, capsys, *args)
    assert code == 2 and err.startswith("muse: error: ") and message in err and err.count("\n") == 1


def test_missing_pipeline_directory_is_a_clear_error(monkeypatch, capsys, tmp_path):
    monkeypatch.setenv("MUSE_GENERATION__DIFFUSION_MODEL", str(tmp_path / "nowhere"))
    code, _, err = run_muse(monkeypatch, capsys, "generate", "a red star")
    assert code == 2 and "not a diffusers pipeline directory" in err
