"""Bad images become one-line MuseErrors, and the CLI turns them into exit code 2 with no traceback."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from muse.errors import MuseError
from tools.images import load_image


def _png(size=(40, 30), mode="RGB") -> bytes:
    """A PNG of noise (so its compressed data is long enough to cut in the middle)."""
    buffer = io.BytesIO()
    image = Image.effect_noise(size, 64).convert(mode) if mode != "1" else Image.new(mode, size, 0)
    image.save(buffer, "PNG")
    return buffer.getvalue()


def _cut(data: bytes) -> bytes:
    return data[: len(data) // 2]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp / "missing.png", "no such image file"),
        (lambda tmp: tmp, "not a file"),
        (lambda tmp: _write(tmp / "empty.png", b""), "empty file"),
        (lambda tmp: _write(tmp / "text.png", b"this is not an image"), "not a readable image"),
        (lambda tmp: _write(tmp / "cut.png", _cut(_png())), "truncated or corrupt"),
        (lambda tmp: _write(tmp / "bomb.png", _png((8000, 5001), mode="1")), "exceeds the 40,000,000-pixel limit"),
    ],
)
def test_bad_images_raise_one_line_errors(tmp_path, make, message):
    with pytest.raises(MuseError, match=message) as error:
        load_image(make(tmp_path))
    assert "\n" not in str(error.value)


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


def test_any_mode_and_size_becomes_rgb(tmp_path):
    rgba = Image.new("RGBA", (300, 200), (0, 0, 255, 0))
    assert load_image(rgba).getpixel((0, 0)) == (255, 255, 255)  # transparency flattened onto white
    gray = _write(tmp_path / "gray.png", _png((17, 9), mode="L"))
    image = load_image(gray)
    assert image.mode == "RGB" and image.size == (17, 9)
    assert load_image(_png()).size == (40, 30)


@pytest.mark.parametrize("command", [["classify"], ["caption"], ["ask", "-", "what colour is it?"]])
def test_cli_exits_2_with_one_line_on_bad_input(tmp_path, command):
    bad = _write(tmp_path / "bad.png", _cut(_png()))
    args = command if command[0] == "ask" else [*command, str(tmp_path / "ok.png"), str(bad)]
    _write(tmp_path / "ok.png", _png())
    stdin = bad.read_bytes() if command[0] == "ask" else b""
    run = subprocess.run([str(Path(sys.executable).parent / "muse"), *args], input=stdin, capture_output=True)
    assert run.returncode == 2
    assert run.stderr.decode().strip().count("\n") == 0
    assert "truncated or corrupt" in run.stderr.decode() and "Traceback" not in run.stderr.decode()
