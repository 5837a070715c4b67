"""`muse bench generation`: the generators measured by the judge classifier, never by themselves.

- prompt fidelity: the diffusion pipeline draws one image per held-out prompt (captions of
  ShapesWorld *test* scenes, which training never saw) and the judge reads colour, shape, size,
  position and background back;
- digits: each generator draws every digit; the judge reads the digit; diversity is the Fréchet
  distance and the mean pairwise distance in the judge's feature space, next to the same figures
  for real test digits (against real validation digits) as the yardstick;
- latency per image at batch 1 and 16, and peak memory.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import numpy as np

from muse.benchmarks import load_average, peak_memory_mb
from muse.settings import get_settings
from tools.data.digits import load_digits_split
from tools.data.shapes_world import ShapesWorld
from tools.data.vocabulary import ATTRIBUTES

DIGIT_MODELS = ("gan", "vae", "diffusion")


def diffusion_images(prompts: list[str], seed: int, batch_size: int = 50) -> list:
    """One image per prompt, in batches, with the configured steps and guidance."""
    import torch
    from tqdm import tqdm

    from tools.diffusion import load_pipeline, sampling_options

    settings = get_settings().generation
    pipe = load_pipeline(str(settings.diffusion_model))
    pipe.set_progress_bar_config(disable=True)
    generator = torch.Generator().manual_seed(seed)
    images = []
    for start in tqdm(range(0, len(prompts), batch_size), desc="diffusion", leave=False):
        batch = prompts[start : start + batch_size]
        images += pipe(batch, generator=generator, **sampling_options(settings)).images
    return images


def prompt_fidelity(n: int, seed: int) -> dict:
    from tools.judge import classify

    scenes = ShapesWorld(seed=seed).sample(n, split="test")
    verdicts = classify(diffusion_images([s.caption for s in scenes], seed))
    right = {name: np.mean([v[name] == s.attributes[name] for v, s in zip(verdicts, scenes)]) for name in ATTRIBUTES}
    both = np.mean([v["color"] == s.color and v["shape"] == s.shape for v, s in zip(verdicts, scenes)])
    return {"images": n, "color_and_shape": float(both), **{name: float(value) for name, value in right.items()}}


def judge_features(images: list) -> np.ndarray:
    """The judge's penultimate layer (B, hidden): the space diversity is measured in."""
    import torch

    from tools.judge import load_judge
    from tools.training import images_to_tensor

    model = load_judge(str(get_settings().vision.judge))
    pixels = images_to_tensor(images, model.resolution)
    with torch.inference_mode():
        return model.trunk(model.features((pixels - model.mean) / model.std)).numpy()


def frechet_distance(a: np.ndarray, b: np.ndarray) -> float:
    from scipy import linalg

    mean = np.sum((a.mean(0) - b.mean(0)) ** 2)
    cov_a, cov_b = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    root = linalg.sqrtm(cov_a @ cov_b).real
    return float(mean + np.trace(cov_a + cov_b - 2 * root))


def mean_pairwise_distance(features: np.ndarray, labels: np.ndarray) -> float:
    """Mean distance between two images of the same digit: low means the generator repeats itself."""
    from scipy.spatial.distance import pdist

    return float(np.mean([pdist(features[labels == d]).mean() for d in np.unique(labels)]))


def digit_images(model: str, per_digit: int, seed: int) -> tuple[list, np.ndarray]:
    from tools.data.captions import digit_caption
    from tools.digits import draw_digits

    labels = np.repeat(np.arange(10), per_digit)
    if model == "diffusion":
        return diffusion_images([digit_caption(int(d)) for d in labels], seed), labels
    return draw_digits(labels.tolist(), model, seed), labels


def digit_fidelity(per_digit: dict[str, int], seed: int) -> dict:
    from tools.judge import classify

    test, val = load_digits_split("test", seed=0), load_digits_split("val", seed=0)
    real = judge_features(test.images)
    results = {
        "real test digits": {
            "images": len(test),
            "accuracy": float(np.mean([v["digit"] == d for v, d in zip(classify(test.images), test.labels)])),
            "frechet": frechet_distance(judge_features(val.images), real),
            "pairwise": mean_pairwise_distance(real, test.labels),
        }
    }
    for model in DIGIT_MODELS:
        images, labels = digit_images(model, per_digit[model], seed)
        features = judge_features(images)
        read = np.array([v["digit"] for v in classify(images)])
        results[model] = {
            "images": len(images),
            "accuracy": float(np.mean(read == labels)),
            "frechet": frechet_distance(features, real),
            "pairwise": mean_pairwise_distance(features, labels),
        }
    return results


def median_seconds(fn, repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def latency(repeats: int) -> dict:
    """Seconds per image of the diffusion pipeline at batch 1 and 16, and of the digit models."""
    from tools.digits import generate_digits

    prompt = "a large red star on a white background"
    results = {f"diffusion batch {b}": median_seconds(lambda b=b: diffusion_images([prompt] * b, 0, b), repeats) / b for b in (1, 16)}
    for model in ("gan", "vae"):
        results[f"{model} batch 16"] = median_seconds(lambda m=model: generate_digits(3, 16, m, 0), repeats) / 16
    return results


def run_bench(prompts: int = 500, digits_per_class: int = 50, diffusion_digits_per_class: int = 20, repeats: int = 5, seed: int = 0) -> dict:
    import torch

    settings = get_settings().generation
    load = load_average()
    timings = latency(repeats)  # first, so peak memory is the generator's own
    memory = peak_memory_mb()
    return {
        "settings": {
            "model": settings.diffusion_model.name,
            "judge": Path(get_settings().vision.judge).name,
            "steps": settings.steps,
            "guidance": settings.guidance,
            "guidance_rescale": settings.guidance_rescale,
            "threads": torch.get_num_threads(),
        },
        "latency_s_per_image": timings,
        "load_average": load,
        "peak_memory_mb": memory,
        "prompts": prompt_fidelity(prompts, seed),
        "digits": digit_fidelity({"gan": digits_per_class, "vae": digits_per_class, "diffusion": diffusion_digits_per_class}, seed),
    }


def to_markdown(result: dict, command: str) -> str:
    s, p = result["settings"], result["prompts"]
    lines = [
        "## Generation",
        "",
        f"Measured by `{command}`: diffusion model `{s['model']}`, DDIM {s['steps']} steps, guidance {s['guidance']} "
        f"rescaled by {s.get('guidance_rescale', 0.0)}, "
        f"{s['threads']} torch thread(s); images judged by the judge classifier (`{s['judge']}`).",
        "",
        f"**Prompt fidelity** over {p['images']} held-out prompts (captions of ShapesWorld test scenes), one image each:",
        "",
        "| colour and shape | colour | shape | size | position | background |",
        "|---|---|---|---|---|---|",
        f"| {p['color_and_shape']:.1%} | {p['color']:.1%} | {p['shape']:.1%} | {p['size']:.1%} | {p['position']:.1%} | {p['background']:.1%} |",
        "",
        "**Digits**: the judge's reading of generated digits; diversity in the judge's feature space (Fréchet distance "
        "to real test digits, and mean pairwise distance between images of the same digit). The first row is real "
        "digits (validation against test) for scale.",
        "",
        "| generator | images | judge reads the requested digit | Fréchet distance | mean pairwise distance |",
        "|---|---|---|---|---|",
    ]
    for name, d in result["digits"].items():
        lines.append(f"| {name} | {d['images']} | {d['accuracy']:.1%} | {d['frechet']:.1f} | {d['pairwise']:.2f} |")
    lines += ["", "**Latency** (median, milliseconds per image, this shared 2-core CPU) and peak memory:", "", "| case | ms / image |", "|---|---|"]
    lines += [f"| {name} | {value * 1000:.1f} |" for name, value in result["latency_s_per_image"].items()]
    lines += ["", f"Peak resident memory after the latency runs: {result['peak_memory_mb']:.0f} MB. 1-minute load average "
              f"of the machine when the run started: {result['load_average']}."]
    return "\n".join(lines)
