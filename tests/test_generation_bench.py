"""The benchmark's diversity measures and report, on hand-built features."""

from __future__ import annotations

import numpy as np

from tools.generation_bench import frechet_distance, mean_pairwise_distance, to_markdown


def test_frechet_distance_grows_with_the_gap_between_distributions():
    rng = np.random.default_rng(0)
    real = rng.normal(size=(400, 4))
    same = rng.normal(size=(400, 4))
    shifted = rng.normal(loc=2.0, size=(400, 4))
    collapsed = rng.normal(scale=0.1, size=(400, 4))
    assert frechet_distance(same, real) < 0.5
    assert frechet_distance(shifted, real) > 15  # mean gap alone is 4 x 2^2
    assert frechet_distance(collapsed, real) > 2  # a generator that repeats itself is far too


def test_mean_pairwise_distance_is_within_each_label():
    features = np.array([[0.0], [1.0], [10.0], [13.0]])
    labels = np.array([0, 0, 1, 1])
    assert mean_pairwise_distance(features, labels) == 2.0


def test_report_has_every_measured_row():
    digits = {name: {"images": 10, "accuracy": 0.9, "frechet": 1.0, "pairwise": 0.5} for name in ("real test digits", "gan", "vae", "diffusion")}
    result = {
        "settings": {"model": "diffusion", "judge": "judge", "steps": 20, "guidance": 2.5, "guidance_rescale": 1.0, "threads": 1},
        "latency_s_per_image": {"diffusion batch 1": 0.2, "diffusion batch 16": 0.05},
        "peak_memory_mb": 900.0,
        "load_average": 2.5,
        "prompts": {"images": 500, "color_and_shape": 0.93, "color": 0.99, "shape": 0.94, "size": 0.9, "position": 0.8, "background": 0.97},
        "digits": digits,
    }
    markdown = to_markdown(result, "muse bench generation")
    assert "| 93.0% | 99.0% | 94.0% | 90.0% | 80.0% | 97.0% |" in markdown
    assert all(f"| {name} | 10 | 90.0% |" in markdown for name in digits)
    assert "| diffusion batch 16 | 50.0 |" in markdown and "900 MB" in markdown
    assert "load average of the machine when the run started: 2.5." in markdown
