"""After a tool's result, call again or answer? Held-out decisions that set the planner's threshold.

Only the request tells whether a second call follows a result ("draw a star and describe it") or the
answer is due ("draw a star"). The fine-tuned planner gives the second call real weight there but often
ranks it below a text token, so greedy decoding answers too early. After a result the decoder therefore
opens a call when the call's first token is at least `threshold` likely (`tools.llm.decoding`); the
threshold is chosen on these decisions, built only from the held-out phrasings of muse's tools (never
trained on) and joints written for this set:

- go on: a two-step request after its first result (the held-out first part, then an inspection of "it");
- answer: the same request after both results, and a one-step request after its result.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tools.builtin import IMAGE_TOOLS
from tools.data.vocabulary import COLORS, SHAPES, SIZES
from tools.llm.catalog import CatalogTool, fill, load_catalog, phrasings
from tools.llm.conversations import CHAIN_FIRST, CHAIN_SECOND, ConversationBuilder, call_turns, chain_target, image_id
from tools.llm.dataset import is_unseen
from tools.llm.prompt import chat_messages, render_system

FIRST_STEPS = tuple(CHAIN_FIRST)  # the two-step requests of the training data, in held-out words
SECOND_STEPS = tuple(CHAIN_SECOND)
HELD_OUT_JOINTS = (", next ", ". After that, ", ", once that's done ", " plus ", " and right after ")
SEVERAL = ("{n}", "{k}")  # first parts that make several images leave "it" unclear


@dataclass
class AfterResult:
    """One decision after a tool's result: the conversation so far and whether a call is right."""

    tools: list[dict[str, Any]]
    turns: list[dict[str, str]]
    goes_on: bool

    def messages(self) -> list[dict[str, str]]:
        return chat_messages(render_system(self.tools), self.turns)


class AfterResultSet:
    """Draws the held-out decisions with `seed`; `part` "calibration" sets the threshold, "test" measures
    it (`muse bench planner`)."""

    def __init__(self, seed: int = 0, part: str = "calibration"):
        self.rng = random.Random(f"{seed}:after_result:{part}")
        builtin, domain_tools, _ = load_catalog()
        self.tools = {tool.name: tool for tool in builtin}
        # Plug-ins sometimes offered beside muse's tools: the tools held out of training.
        unseen = [tool for tool in domain_tools if is_unseen(tool.name)]
        self.builder = ConversationBuilder(self.rng, builtin, unseen)

    def build(self, chains: int, single: int) -> list[AfterResult]:
        """`chains` two-step requests, each after its first and after its second result, and `single`
        one-step requests after their result."""
        decisions = []
        for _ in range(chains):
            turns, steps = self._chain()
            after_first = turns + self._step_turns(steps[0])
            decisions.append(self._decision(after_first, goes_on=True))
            decisions.append(self._decision(after_first + self._step_turns(steps[1]), goes_on=False))
        names = list(self.tools)
        for index in range(single):
            decisions.append(self._single(self.tools[names[index % len(names)]]))
        return decisions

    def _decision(self, turns: list[dict[str, str]], goes_on: bool) -> AfterResult:
        return AfterResult(tools=self.builder.offered(turns), turns=turns, goes_on=goes_on)

    def _step_turns(self, step: tuple[str, dict, Any]) -> list[dict[str, str]]:
        name, arguments, result = step
        return call_turns(name, arguments, result, self.builder.by_name)

    def _chain(self) -> tuple[list[dict[str, str]], list[tuple[str, dict, Any]]]:
        rng = self.rng
        first = self.tools[rng.choice(FIRST_STEPS)]
        phrasing = rng.choice([p for p in phrasings(first, held_out=True) if not any(s in p for s in SEVERAL)])
        request = fill(first, phrasing, rng)
        image = image_id(rng)
        found = [image, *(image_id(rng) for _ in range(rng.randint(0, 2)))]
        made = {"images": found if first.name == "search_images" else [image]}
        target = chain_target(first.name, rng)
        second = self.tools[rng.choice(SECOND_STEPS)]
        asking = fill(second, rng.choice(phrasings(second, held_out=True)).replace("{image}", target), rng)
        digit = request.arguments.get("digit")
        arguments, result, _ = self.builder.inspection(second.name, image, asking.arguments.get("question", ""), digit)
        text = request.text.rstrip("?.!") + rng.choice(HELD_OUT_JOINTS) + asking.text
        steps = [(first.name, request.arguments, made), (second.name, arguments, result)]
        return [{"role": "user", "content": text}], steps

    def _single(self, tool: CatalogTool) -> AfterResult:
        rng = self.rng
        phrasing = rng.choice(phrasings(tool, held_out=True))
        request = fill(tool, phrasing, rng)
        turns = [{"role": "user", "content": request.text}]
        turns += call_turns(tool.name, request.arguments, self._result(tool.name, request.arguments), self.builder.by_name)
        return self._decision(turns, goes_on=False)

    def _result(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        rng = self.rng
        if name in IMAGE_TOOLS:
            count = arguments.get("n") or arguments.get("k") or 1
            return {"images": [image_id(rng) for _ in range(min(count, 4))]}
        if name in SECOND_STEPS:
            return self.builder.inspection(name, arguments["image"], arguments.get("question", ""), None)[1]
        if name == "remember":
            return {"stored": arguments["fact"]}
        colour, shape, size = rng.choice(list(COLORS)), rng.choice(SHAPES), rng.choice(SIZES)
        found = [f"my favourite shape is a {size} {colour} {shape}"] if rng.random() < 0.7 else []
        return {"facts": found} if name == "recall" else {"forgotten": found}


@dataclass
class Calibration:
    threshold: float  # math.inf: greedy decoding is best
    go_on: float  # share of "go on" decisions that call at this threshold
    answer: float  # share of "answer" decisions that answer at this threshold
    greedy_go_on: float  # the same shares with greedy decoding (no threshold)
    greedy_answer: float
    decisions: int


def shares(probabilities: list[float], goes_on: list[bool], greedy: list[bool], threshold: float) -> tuple[float, float]:
    """(share of "go on" decisions that call, share of "answer" decisions that answer) when a call opens if
    greedy decoding opens one or its probability reaches `threshold`."""
    calls = [(g or p >= threshold, label) for p, label, g in zip(probabilities, goes_on, greedy)]
    positives = sum(goes_on)
    return (sum(c for c, label in calls if label) / positives,
            sum(not c for c, label in calls if not label) / (len(calls) - positives))


def calibrate(probabilities: list[float], goes_on: list[bool], greedy: list[bool]) -> Calibration:
    """The threshold with the fewest wrong decisions. On `AfterResultSet.build(n, n)` that weighs one-step
    and two-step requests alike: a two-step request has one decision of each kind, a one-step request one
    "answer". Ties go to the highest threshold, the least change from greedy decoding."""
    positives = sum(goes_on)
    negatives = len(goes_on) - positives

    def right(threshold: float) -> int:
        go_on, answer = shares(probabilities, goes_on, greedy, threshold)
        return round(go_on * positives + answer * negatives)

    candidates = sorted({p for p, label in zip(probabilities, goes_on) if label}, reverse=True)
    best = max([math.inf, *candidates], key=right)
    go_on, answer = shares(probabilities, goes_on, greedy, best)
    greedy_go_on, greedy_answer = shares(probabilities, goes_on, greedy, math.inf)
    return Calibration(threshold=best, go_on=go_on, answer=answer, greedy_go_on=greedy_go_on,
                       greedy_answer=greedy_answer, decisions=len(goes_on))


def measure(decoder: Any, seed: int, requests: int, part: str) -> tuple[list[float], list[bool], list[bool]]:
    """(probability of a call, whether one is right, whether greedy decoding calls) for each decision of
    `requests` two-step and `requests` one-step requests."""
    from tqdm import tqdm

    decisions = AfterResultSet(seed, part).build(chains=requests, single=requests)
    measured = [decoder.call_probability(d.messages(), d.tools) for d in tqdm(decisions, desc=f"after-result decisions ({part})")]
    return [p for p, _ in measured], [d.goes_on for d in decisions], [g for _, g in measured]


def calibrate_decoder(decoder: Any, seed: int = 0, requests: int = 120) -> Calibration:
    """The threshold for this decoder's model, chosen on the calibration draw."""
    return calibrate(*measure(decoder, seed, requests, "calibration"))


CALIBRATION_FILE = "after_result.json"  # beside the adapter it was measured for


def write_calibration(adapter_dir: Path, calibration: Calibration) -> dict[str, Any]:
    """Write the calibration beside the adapter (threshold None: greedy decoding); return what was written."""
    figures = {key: round(value, 4) for key, value in asdict(calibration).items()}
    figures["threshold"] = None if math.isinf(calibration.threshold) else figures["threshold"]
    (adapter_dir / CALIBRATION_FILE).write_text(json.dumps(figures, indent=2) + "\n")
    return figures


def read_threshold(adapter_dir: str) -> float | None:
    """The adapter's calibrated threshold; None (greedy decoding) for an adapter without one."""
    path = Path(adapter_dir) / CALIBRATION_FILE
    return json.loads(path.read_text())["threshold"] if path.is_file() else None


def scores_on_test_draw(decoder: Any, seed: int, requests: int) -> dict[str, Any]:
    """The decoder's threshold against greedy decoding on the test draw."""
    probabilities, goes_on, greedy = measure(decoder, seed, requests, "test")
    threshold = decoder.call_threshold_after_result
    go_on, answer = shares(probabilities, goes_on, greedy, math.inf if threshold is None else threshold)
    greedy_go_on, greedy_answer = shares(probabilities, goes_on, greedy, math.inf)
    return {"threshold": threshold, "decisions": len(goes_on), "go_on": go_on, "answer": answer,
            "greedy_go_on": greedy_go_on, "greedy_answer": greedy_answer}
