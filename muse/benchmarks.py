"""Figures in docs/BENCHMARKS.md: each benchmark owns one section and rewrites only that."""

from __future__ import annotations

import os
import re
import resource
from pathlib import Path

from muse.settings import REPO_ROOT

BENCHMARKS_FILE = REPO_ROOT / "docs" / "BENCHMARKS.md"
HEADER = "# Benchmarks\n\nEvery figure here was measured on the project's 2-core CPU machine by the command shown in its section.\n"


def load_average() -> float:
    """The machine's 1-minute load average: a benchmark's timings depend on what else runs on the 2 cores."""
    return round(os.getloadavg()[0], 2)


def torch_threads() -> int:
    """The torch threads a benchmark ran with: on 2 shared cores they change its timings as much as the load."""
    import torch

    return torch.get_num_threads()


def peak_memory_mb() -> float:
    """Peak resident memory of this process so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_section(name: str, markdown: str, path: Path = BENCHMARKS_FILE) -> None:
    """Replace the section between `<!-- bench:NAME -->` markers (appending it the first time)."""
    start, end = f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"
    block = f"{start}\n{markdown.strip()}\n{end}"
    text = path.read_text() if path.exists() else HEADER
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    text = pattern.sub(lambda _: block, text) if pattern.search(text) else text.rstrip() + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
