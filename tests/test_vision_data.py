"""ShapesWorld and the digits: deterministic, disjoint splits, captions that name every attribute."""

from __future__ import annotations

import hashlib
import random

import numpy as np
import pytest

from tools.data.captions import canonical_caption
from tools.data.digits import load_digits_split
from tools.data.shapes_world import ShapesWorld, render_scene
from tools.data.vocabulary import ATTRIBUTES, COLORS, POSITION_PHRASES


def _digest(image) -> str:
    return hashlib.sha1(image.tobytes()).hexdigest()


def test_shapes_world_is_deterministic_and_prefix_stable():
    a = ShapesWorld(seed=3).sample(20, "train")
    b = ShapesWorld(seed=3).sample(5, "train")
    assert [_digest(s.image) for s in a[:5]] == [_digest(s.image) for s in b]
    assert [s.caption for s in a[:5]] == [s.caption for s in b]
    other_seed = ShapesWorld(seed=4).sample(20, "train")
    assert [_digest(s.image) for s in a] != [_digest(s.image) for s in other_seed]


def test_shapes_world_splits_never_share_a_scene():
    world = ShapesWorld(seed=0)
    digests = {split: {_digest(s.image) for s in world.sample(300, split)} for split in ("train", "val", "test")}
    assert all(len(d) == 300 for d in digests.values())
    assert not digests["train"] & digests["val"]
    assert not digests["train"] & digests["test"]
    assert not digests["val"] & digests["test"]


def test_scenes_cover_the_vocabulary_and_captions_name_every_attribute():
    scenes = ShapesWorld(seed=0).sample(400, "train")
    for name, values in ATTRIBUTES.items():
        assert {getattr(s, name) for s in scenes} == set(values), name
    for s in scenes:
        assert s.image.size == (64, 64) and s.image.mode == "RGB"
        assert s.background != s.color
        for word in (s.color, s.shape, s.size, s.background):
            assert word in s.caption.split() or word + "," in s.caption.split()
        assert POSITION_PHRASES[s.position] in s.caption
    assert len({s.caption.split()[0] + s.caption.split()[1] for s in scenes}) > 3  # several phrasings


def test_render_scene_draws_the_object_colour_where_the_position_says():
    image = np.asarray(render_scene("red", "circle", "large", "left", "white"), dtype=float)
    left, right = image[:, :20], image[:, 44:]
    red = np.array(COLORS["red"], dtype=float)
    assert np.abs(left - red).sum(-1).min() < 10
    assert np.abs(right - red).sum(-1).min() > 100
    jittered = render_scene("red", "circle", "large", "left", "white", rng=random.Random(1), resolution=128, antialias=False)
    assert jittered.size == (128, 128)
    with pytest.raises(ValueError, match="unknown color"):
        render_scene("pink", "circle", "large", "left", "white")


def test_canonical_caption_uses_articles():
    assert canonical_caption("red", "star", "small", "top", "orange") == "a small red star at the top on an orange background"


def test_digit_splits_are_disjoint_and_complete():
    splits = {name: load_digits_split(name) for name in ("train", "val", "test")}
    rows = [set(s.indices.tolist()) for s in splits.values()]
    assert sum(len(r) for r in rows) == 1797 and len(set().union(*rows)) == 1797
    test = splits["test"]
    assert test.arrays.shape[1:] == (8, 8) and 0.0 <= test.arrays.min() and test.arrays.max() <= 1.0
    assert test.images[0].size == (64, 64) and test.images[0].mode == "RGB"
    assert set(test.labels.tolist()) == set(range(10))
    assert test.captions[0].startswith("a handwritten digit ")
    assert np.array_equal(load_digits_split("test").indices, test.indices)
    assert not np.array_equal(load_digits_split("test", seed=1).indices, test.indices)


@pytest.mark.parametrize("attribute", ["shape", "position"])
def test_a_twin_changes_only_the_named_attribute_and_is_drawn_anew(attribute):
    world = ShapesWorld(seed=0)
    for index in range(12):
        scene, twin = world.scene(index), world.twin(index, attribute=attribute)
        changed = {name for name in ATTRIBUTES if getattr(scene, name) != getattr(twin, name)}
        assert changed == {attribute}
        assert getattr(twin, attribute) in twin.caption
        assert _digest(twin.image) == _digest(world.twin(index, attribute=attribute).image)
        assert _digest(twin.image) != _digest(scene.image)
