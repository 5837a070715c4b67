"""The image store: content-addressed ids, per-user ownership, provenance kept, bad uploads refused."""

from __future__ import annotations

import hashlib
import io
import threading

import pytest
from PIL import Image

from muse.errors import MuseError
from tools.image_store import ImageNotFound, ImageStore, InvalidImage
from tools.provenance import MARK, provenance_chunks, read_provenance, save_png


def png_bytes(colour="red", size=(16, 16), mode="RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def store(tmp_path):
    return ImageStore(tmp_path / "images")


def test_id_is_the_sha256_of_the_stored_png(store):
    record = store.put(png_bytes(), "ana", source="upload")
    data = record.path.read_bytes()
    assert record.id == "img_" + hashlib.sha256(data).hexdigest()[:12]
    assert record.path == store.root / f"{record.id}.png" and record.source == "upload"
    assert Image.open(record.path).format == "PNG"


def test_same_image_is_stored_once_and_owned_by_each_user(store):
    first = store.put(png_bytes(), "ana", source="upload")
    again = store.put(png_bytes(), "ana", source="generated")
    theirs = store.put(png_bytes(), "bob", source="upload")
    assert first == again  # the record of the first time
    assert theirs.id == first.id and theirs.path == first.path
    assert len(list(store.root.glob("*.png"))) == 1


def test_other_users_images_are_not_found_like_unknown_ones(store):
    record = store.put(png_bytes(), "ana", source="upload")
    with pytest.raises(ImageNotFound) as other_user:
        store.get(record.id, "bob")
    with pytest.raises(ImageNotFound) as unknown:
        store.get("img_000000000000", "bob")
    assert str(other_user.value) == f"unknown image {record.id}"
    assert str(unknown.value) == "unknown image img_000000000000"
    assert store.list("bob") == [] and [r.id for r in store.list("ana")] == [record.id]
    with pytest.raises(ImageNotFound):
        store.delete(record.id, "bob")
    with pytest.raises(ImageNotFound):
        store.resolve(record.id, "bob")
    assert store.get(record.id, "ana").path.is_file()


@pytest.mark.parametrize("bad_id", ["../index.sqlite", "img_XYZ", "img_0123456789abc", "", "img_../../x"])
def test_malformed_ids_are_not_found(store, bad_id):
    with pytest.raises(ImageNotFound):
        store.get(bad_id, "ana")


def test_list_is_newest_first_and_delete_removes_the_file_with_its_last_owner(store):
    red = store.put(png_bytes("red"), "ana", source="upload")
    blue = store.put(png_bytes("blue"), "ana", source="upload")
    store.put(png_bytes("red"), "bob", source="upload")
    assert [r.id for r in store.list("ana")] == [blue.id, red.id]
    store.delete(red.id, "ana")
    assert red.path.is_file()  # bob still owns it
    with pytest.raises(ImageNotFound):
        store.get(red.id, "ana")
    store.delete(red.id, "bob")
    assert not red.path.exists()
    assert [r.id for r in store.list("ana")] == [blue.id]


def test_generated_provenance_is_kept_in_the_png(store):
    chunks = provenance_chunks(prompt="a red star ★", model="diffusion", seed=3, steps=20, guidance=3.0)
    record = store.put(Image.new("RGB", (8, 8), "red"), "ana", source="generated", provenance=chunks)
    assert record.provenance == chunks == store.get(record.id, "ana").provenance
    written = read_provenance(record.path)
    assert written["prompt"] == "a red star ★" and written["seed"] == "3" and written["Comment"] == MARK


def test_uploaded_pngs_keep_their_text_chunks(store, tmp_path):
    path = save_png(Image.new("RGB", (8, 8), "blue"), tmp_path / "made.png", prompt="a blue square", model="m")
    record = store.put(path.read_bytes(), "ana", source="upload", provenance={"filename": "made.png"})
    written = read_provenance(record.path)
    assert (written["prompt"], written["Comment"], written["filename"]) == ("a blue square", MARK, "made.png")


def test_uploads_are_reencoded_as_rgb_png(store):
    buffer = io.BytesIO()
    Image.new("RGBA", (10, 6), (255, 0, 0, 0)).save(buffer, format="WEBP")
    record = store.put(buffer.getvalue(), "ana", source="upload")
    with Image.open(record.path) as image:
        assert (image.format, image.mode, image.size) == ("PNG", "RGB", (10, 6))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"definitely not an image", "not a readable image"),
        (png_bytes(size=(64, 64))[:-60], "truncated or corrupt"),
    ],
)
def test_bad_uploads_are_clear_value_errors(store, data, message):
    with pytest.raises(InvalidImage, match=message) as caught:
        store.put(data, "ana", source="upload")
    assert isinstance(caught.value, ValueError) and isinstance(caught.value, MuseError)
    assert store.list("ana") == [] and not list(store.root.glob("*.png"))


def test_uploads_over_the_pixel_limit_are_refused(store, monkeypatch):
    from muse.settings import get_settings

    monkeypatch.setenv("MUSE_VISION__MAX_PIXELS", "100")
    get_settings.cache_clear()
    with pytest.raises(InvalidImage, match="exceeds the 100-pixel limit"):
        store.put(png_bytes(size=(11, 10)), "ana", source="upload")


def test_resolve_takes_ids_and_readable_paths(store, tmp_path):
    record = store.put(png_bytes(), "ana", source="upload")
    outside = tmp_path / "scene.png"
    outside.write_bytes(png_bytes("green"))
    assert store.resolve(record.id, "ana") == record.path
    assert store.resolve(str(outside), "ana") == outside
    with pytest.raises(ImageNotFound, match="unknown image .*missing.png"):
        store.resolve(str(tmp_path / "missing.png"), "ana")
    ids_only = ImageStore(store.root, allow_paths=False)
    assert ids_only.resolve(record.id, "ana") == record.path
    with pytest.raises(ImageNotFound, match="give an image id"):
        ids_only.resolve(str(outside), "ana")


def test_concurrent_puts_and_deletes_keep_files_and_owners_consistent(store):
    colours = ["red", "green", "blue", "yellow"]
    errors = []

    def work(user):
        try:
            for _ in range(5):
                records = [store.put(png_bytes(c), user, source="upload") for c in colours]
                store.delete(records[0].id, user)
        except Exception as error:  # noqa: BLE001 - collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(f"user{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for i in range(4):
        owned = store.list(f"user{i}")
        assert len(owned) == 3 and all(record.path.is_file() for record in owned)
