"""The planner's function-calling dataset, generated from the catalog with a seed.

Examples offer 1-12 tools (the right one among near neighbours from its domain and others) and ask
for one call, several calls in one turn, a text answer when no tool fits, or act on a turn as the agent
hands it over (`conversations.py`: memories, attached images, tool results). Splits never overlap:

- `train`: phrasings of muse's own tools not held out, and every synthetic tool not held out;
- `test_builtin`: held-out phrasings of muse's own tools;
- `test_unseen`: tools never seen in training, as users' own tools will be;
- `test_no_tool`: held-out requests where no tool fits.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tools.llm.catalog import CatalogTool, Request, fill, load_catalog, phrasings
from tools.llm.conversations import ConversationBuilder
from tools.llm.prompt import parse_calls
from tools.llm.prompt import render_calls

SPLITS = ("train", "test_builtin", "test_unseen", "test_no_tool")
UNSEEN_FRACTION = 0.15
SPLIT_KEY = 0  # fixes which tools and no-tool requests are held out; a run's seed only draws the data
CONNECTORS = (" and ", ", and then ", ". Also, ", ", then ", " and also ", "; ")


@dataclass
class Example:
    split: str
    kind: str  # call | multi | no_tool | agent
    tools: list[dict[str, Any]]
    turns: list[dict[str, str]]  # user / assistant / tool messages before the reply
    calls: list[dict[str, Any]] = field(default_factory=list)  # expected calls: {"name", "arguments"}
    reply: str | None = None  # the assistant's reply as text; None until answered (no-tool turns)

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False)


def is_unseen(tool_name: str) -> bool:
    """Whether a synthetic tool is held out of training: a stable hash of its name, the same whatever
    the seed, so no training run ever sees a tool the benchmark holds out."""
    digest = hashlib.sha256(f"{SPLIT_KEY}:{tool_name}".encode()).digest()
    return digest[0] / 256 < UNSEEN_FRACTION


class DatasetBuilder:
    def __init__(self, seed: int = 0, agent_weight: int = 1):
        self.seed = seed
        self.agent_weight = agent_weight  # agent turns per phrasing of muse's own tools
        self.rng = random.Random(seed)  # reseeded per split by build()
        self.builtin, domain_tools, no_tool = load_catalog()
        self.seen = [t for t in domain_tools if not is_unseen(t.name)]
        self.unseen = [t for t in domain_tools if is_unseen(t.name)]
        shuffled = sorted(no_tool)
        random.Random(SPLIT_KEY).shuffle(shuffled)
        cut = int(len(shuffled) * 0.8)
        self.no_tool = {"train": shuffled[:cut], "test": shuffled[cut:]}

    # -- tool sets ------------------------------------------------------------------------------

    def _offer(self, needed: list[CatalogTool], pool: list[CatalogTool]) -> list[dict[str, Any]]:
        """The needed tools among distractors: up to 3 from the same domain, the rest from others.

        Requests for muse's own tools often come with all of them offered, as in `muse plan`.
        """
        rng = self.rng
        if needed and all(t in self.builtin for t in needed) and rng.random() < 0.5:
            chosen = list(self.builtin)
        else:
            total = max(len(needed), round(rng.triangular(1, 8, 1)))
            names, domains = {t.name for t in needed}, {t.domain for t in needed}
            neighbours = [t for t in pool if t.domain in domains and t.name not in names]
            others = [t for t in pool if t.domain not in domains]
            extra = rng.sample(neighbours, min(len(neighbours), rng.randint(0, 3)))
            chosen = (list(needed) + extra + rng.sample(others, min(len(others), total)))[:total]
        rng.shuffle(chosen)
        return [t.schema for t in chosen]

    # -- examples -------------------------------------------------------------------------------

    def _call_example(self, split: str, tool: CatalogTool, phrasing: str, pool: list[CatalogTool]) -> Example:
        request = fill(tool, phrasing, self.rng)
        tools = self._offer([tool], pool)
        return _example(split, "call", tools, [_user(request.text)], [request])

    def _multi_example(self, split: str, pairs: list[tuple[CatalogTool, str]], pool: list[CatalogTool]) -> Example:
        requests = [fill(tool, phrasing, self.rng) for tool, phrasing in pairs]
        text = requests[0].text.rstrip("?.!")
        for request in requests[1:]:
            text += self.rng.choice(CONNECTORS) + request.text
        tools = self._offer([tool for tool, _ in pairs], pool)
        return _example(split, "multi", tools, [_user(text)], requests)

    def _no_tool_example(self, split: str, text: str, pool: list[CatalogTool]) -> Example:
        tools = self._offer([], pool) if self.rng.random() < 0.9 else [t.schema for t in self.builtin]
        return Example(split=split, kind="no_tool", tools=tools, turns=[_user(text)])

    def build(self, split: str, samples: int = 1) -> Iterator[Example]:
        """Every example of one split; `samples` passes draw new values and tool sets each time."""
        if split not in SPLITS:
            raise ValueError(f"unknown split {split!r}; choose from {', '.join(SPLITS)}")
        self.rng = random.Random(f"{self.seed}:{split}")  # each split the same whatever was built before
        for _ in range(samples):
            yield from self._pass(split)

    def _pass(self, split: str) -> Iterator[Example]:
        if split == "train":
            yield from self._train()
        elif split == "test_builtin":
            for tool in self.builtin:
                for phrasing in phrasings(tool, held_out=True):
                    yield self._call_example(split, tool, phrasing, self.builtin + self.seen)
        elif split == "test_unseen":
            for tool in self.unseen:
                for phrasing in tool.phrasings:
                    yield self._call_example(split, tool, phrasing, self.unseen + self.seen)
        else:
            for text in self.no_tool["test"]:
                yield self._no_tool_example(split, text, self.builtin + self.seen)

    def _train(self) -> Iterator[Example]:
        pool = self.builtin + self.seen
        pairs = [(tool, p) for tool in self.builtin for p in phrasings(tool, held_out=False)]
        pairs += [(tool, p) for tool in self.seen for p in tool.phrasings]
        builtin_pairs = [(tool, p) for tool, p in pairs if tool in self.builtin]
        for tool, phrasing in pairs + builtin_pairs * 2:  # muse's own tools matter most: three times as often
            yield self._call_example("train", tool, phrasing, pool)
        for _ in range(len(pairs) // 10):
            yield self._multi_example("train", self.rng.sample(pairs, self.rng.choice([2, 2, 3])), pool)
        for text in self.no_tool["train"] * 2:
            yield self._no_tool_example("train", text, pool)
        yield from agent_turns(self.rng, self.builtin, self.seen, len(builtin_pairs) * self.agent_weight)


def _user(text: str) -> dict[str, str]:
    return {"role": "user", "content": text}


def _example(split: str, kind: str, tools: list[dict], turns: list[dict], requests: list[Request]) -> Example:
    by_name = {tool["name"]: tool for tool in tools}
    calls = [{"name": r.name, "arguments": r.arguments} for r in requests]
    reply = render_calls([(r.name, r.arguments) for r in requests], by_name)
    return Example(split=split, kind=kind, tools=tools, turns=turns, calls=calls, reply=reply)


def agent_turns(rng: random.Random, builtin: list[CatalogTool], extras: list[CatalogTool], count: int) -> Iterator[Example]:
    """Turns as muse's agent hands them over: memories, attached images, tool results, history."""
    for drawn in ConversationBuilder(rng, builtin, extras).build(count):
        calls = [{"name": name, "arguments": args} for name, args in parse_calls(drawn["reply"])]
        yield Example(split="train", kind=drawn["kind"], tools=drawn["tools"], turns=drawn["turns"],
                      calls=calls, reply=drawn["reply"])


def write_jsonl(examples: list[Example], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as out:
        for example in examples:
            out.write(example.to_json() + "\n")


def read_jsonl(path: Path) -> list[Example]:
    with path.open() as lines:
        return [Example(**json.loads(line)) for line in lines if line.strip()]
