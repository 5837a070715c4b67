"""Scorers: one pure function per expectation type, `(expectation, turns, context) -> Check`.

They read only the recorded turns (`records.TurnRecord`) and, for image fidelity and rubrics, the
judges handed in through `ScoreContext`, so they are unit-tested on hand-built transcripts.

Expected argument values compare after normalisation (case, accents, spacing, end punctuation,
3 == 3.0) and may be matchers: `{$contains: "star"}` (or a list: all of them), `{$regex: "^a "}`,
`{$oneof: [a, b]}`, `{$any: true}` (present, any value), `{$default: gan}` (this value, or left out
so the tool's default applies). `"$image0"` stands for the id of the first
image attached in the case, `"$produced0"` for the first image the agent produced.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from evals.records import Check, TurnRecord
from evals.suite import (
    AnswerContains,
    AnswerNotContains,
    AnswerRegex,
    BfclAst,
    CallSpec,
    ImageFidelity,
    Latency,
    Memory,
    Refusal,
    Rubric,
    ToolCalled,
    ToolNotCalled,
    Trajectory,
    TurnError,
    TurnIndex,
)

Classify = Callable[[list[str]], list[dict[str, Any]]]  # image paths -> judge attribute dicts
Grade = Callable[[str, list[TurnRecord]], tuple[bool, str]]  # rubric, transcript -> (pass, reason)


@dataclass
class ScoreContext:
    classify: Classify | None = None
    grade: Grade | None = None


# --- values and arguments ---------------------------------------------------------------------


def normalize(value: Any) -> Any:
    """A value as users mean it: strings case-, accent-width-, spacing- and end-punctuation-blind; 3 == 3.0."""
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).casefold().strip().strip(".?!").strip()
        return " ".join(text.split())
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [normalize(item) for item in value]
    if isinstance(value, dict):
        return {key: normalize(item) for key, item in value.items()}
    return value


def _is_matcher(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and all(str(key).startswith("$") for key in value)


def value_matches(expected: Any, actual: Any) -> bool:
    if _is_matcher(expected):
        return all(_matcher(op, arg, actual) for op, arg in expected.items())
    if isinstance(expected, dict) and isinstance(actual, dict):
        return expected.keys() == actual.keys() and all(value_matches(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, list) and isinstance(actual, list):
        return len(expected) == len(actual) and all(value_matches(e, a) for e, a in zip(expected, actual))
    return normalize(expected) == normalize(actual)


def _matcher(op: str, arg: Any, actual: Any) -> bool:
    text = actual if isinstance(actual, str) else ("" if actual is None else str(actual))
    if op == "$contains":
        needles = arg if isinstance(arg, list) else [arg]
        return actual is not None and all(normalize(str(n)) in normalize(text) for n in needles)
    if op == "$regex":
        return actual is not None and re.search(arg, text, re.IGNORECASE) is not None
    if op == "$oneof":
        return any(value_matches(option, actual) for option in arg)
    if op == "$any":
        return (actual is not None) == bool(arg)
    if op == "$default":  # the tool's default: this value, or the argument left out (see arguments_match)
        return value_matches(arg, actual)
    raise ValueError(f"unknown matcher {op}; use $contains, $regex, $oneof or $any")


def arguments_match(expected: dict[str, Any] | None, actual: dict[str, Any], mode: str) -> bool:
    """exact: the same keys, every value matching; subset: the expected keys match, others may be there."""
    if mode == "ignore" or expected is None:
        return True
    for key, want in expected.items():
        if _is_matcher(want) and want.get("$any") is False:
            if key in actual:
                return False
            continue
        if key not in actual and _is_matcher(want) and "$default" in want:
            continue
        if key not in actual or not value_matches(want, actual[key]):
            return False
    return mode == "subset" or set(actual) <= set(expected)


def resolve_placeholders(value: Any, turns: list[TurnRecord]) -> Any:
    """`$imageN` / `$producedN` as the ids of the case's attached / produced images."""
    if isinstance(value, str):
        match = re.fullmatch(r"\$(image|produced)(\d+)", value)
        if not match:
            return value
        pool = _attached(turns) if match[1] == "image" else _produced(turns)
        index = int(match[2])
        return pool[index] if index < len(pool) else f"<no {match[1]} {index}>"
    if isinstance(value, list):
        return [resolve_placeholders(item, turns) for item in value]
    if isinstance(value, dict):
        return {key: resolve_placeholders(item, turns) for key, item in value.items()}
    return value


def _attached(turns: list[TurnRecord]) -> list[str]:
    return [image for turn in turns for image in turn.attached]


def _produced(turns: list[TurnRecord]) -> list[str]:
    ids = []
    for turn in turns:
        for image in [*[i for c in turn.tool_calls for i in c.images], *[i.id for i in turn.images]]:
            if image not in ids:
                ids.append(image)
    return ids


# --- turn selection ---------------------------------------------------------------------------


def select_turns(turns: list[TurnRecord], index: TurnIndex) -> list[TurnRecord] | None:
    """The turns an expectation looks at, or None when the case has no such turn."""
    if index == "all":
        return turns
    try:
        return [turns[index]]
    except IndexError:
        return None


def _calls(turns: list[TurnRecord]):
    return [call for turn in turns for call in turn.tool_calls]


def _describe_calls(turns: list[TurnRecord]) -> str:
    calls = _calls(turns)
    if not calls:
        refused = [turn for turn in turns if turn.refused]
        if refused:
            return f"no tool was called: refused ({refused[0].refusal_category})"
        errors = [turn.error for turn in turns if turn.error]
        if errors:
            return f"no tool was called: {errors[0]}"
        return f"no tool was called; answered {_short(_answers(turns), 80)!r}"
    return "called " + "; ".join(f"{c.name}({_short(c.arguments)})" for c in calls)


def _short(value: Any, limit: int = 120) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _no_turn(kind: str, index: TurnIndex) -> Check:
    return Check(type=kind, passed=False, detail=f"the case has no turn {index}")


# --- scorers ----------------------------------------------------------------------------------


def score_tool_called(exp: ToolCalled, turns: list[TurnRecord], ctx: ScoreContext) -> Check:
    chosen = select_turns(turns, exp.turn)
    if chosen is None:
        return _no_turn(exp.type, exp.turn)
    expected = resolve_placeholders(exp.arguments, turns)
    named = [c for c in _calls(chosen) if c.name == exp.name]
    matching = [c for c in named if arguments_match(expected, c.arguments, exp.match)]
    passed = len(matching) == exp.times if exp.times is not None else bool(matching)
    if passed:
        return Check(type=exp.type, passed=True, detail=f"{exp.name} called")
    want = f"{exp.name}({_short(expected)})" if expected and exp.match != "ignore" else exp.name
    count = f" {exp.times} time(s), got {len(matching)}" if exp.times is not None else ""
    return Check(type=exp.type, passed=False, detail=f"expected {want} [{exp.match}]{count}; {_describe_calls(chosen)}")


def score_tool_not_called(exp: ToolNotCalled, turns: list[TurnRecord], ctx: ScoreContext) -> Check:
    chosen = select_turns(turns, exp.turn)
    if chosen is None:
        return _no_turn(exp.type, exp.turn)
    calls = [c for c in _calls(chosen) if exp.name is None or c.name == exp.name]
    if not calls:
        return Check(type=exp.type, passed=True, detail=f"{exp.name or 'no tool'} not called")
    return Check(type=exp.type, passed=False, detail=f"expected {exp.name or 'no tool'} not called; {_describe_calls(chosen)}")


def score_trajectory(exp: Trajectory, turns: list[TurnRecord], ctx: ScoreContext) -> Check:
    chosen = select_turns(turns, exp.turn)
    if chosen is None:
        return _no_turn(exp.type, exp.turn)
    calls = _calls(chosen)
    specs = [spec.model_copy(update={"arguments": resolve_placeholders(spec.arguments, turns)}) for spec in exp.calls]

    def fits(spec: CallSpec, call) -> bool:
        return call.name == spec.name and arguments_match(spec.arguments, call.arguments, spec.match)

    if exp.order == "ordered":
        position, found = 0, True
        for spec in specs:
            while position < len(calls) and not fits(spec, calls[position]):
                position += 1
            if position == len(calls):
                found = False
                break
            position += 1
    else:
        found = _assign(specs, calls, fits)
    passed = found and (not exp.strict or len(calls) == len(specs))
    wanted = " → ".join(spec.name for spec in specs)
    detail = f"{exp.order} {wanted}{' (strict)' if exp.strict else ''}: {_describe_calls(chosen)}"
    return Check(type=exp.type, passed=passed, detail=detail)


def _assign(specs: list[CallSpec], calls: list, fits: Callable) -> bool:
    """Each spec matched to a distinct call (backtracking; trajectories are short)."""
    def search(i: int, used: frozenset[int]) -> bool:
        if i == len(specs):
            return True
        return any(search(i + 1, used | {j}) for j, call in enumerate(calls) if j not in used and fits(specs[i], call))

    return search(0, frozenset())


def _answers(turns: list[TurnRecord]) -> str:
    return "\n".join(turn.answer for turn in turns)


def score_answer_contains(exp: AnswerContains, turns: list[TurnRecord], ctx: ScoreContext) -> Check:
    chosen = select_turns(turns, exp.turn)
    if chosen is None:
        return _no_turn(exp.type, exp.turn)
    answer = _answers(chosen)
    texts = exp.text if isinstance(exp.text, list) else [exp.text]
    fold = (lambda s: s) if exp.case_sensitive else (lambda s: normalize(s))
    found = [text for text in texts if fold(text) in fold(answer)]
    passed = len(found) == len(texts) if exp.mode == "all" else bool(found)
    return Check(type=exp.type, passed=passed, detail=f"looked for {exp.mode} of {texts} in {_short(answer)!r}")


def score_answer_regex(exp: AnswerRegex, turns: list[TurnRecord], ctx: ScoreContext) -> Check:
    chosen = select_turns(turns, exp.turn)
    if chosen is None:
        return _no_turn(exp.type, exp.turn)
    answer = _answers(chosen)
    found = re.search(exp.pattern, answer, re.IGNORECASE if exp.ignore_case else 0)
    return Check(type=exp.type, passed=found is not None, detail=f"/{exp.pattern}/ in {_short(answer)!r}")


def score_answer_not_contains(exp: AnswerNotContains, turns: list[TurnRecord], ctx: ScoreContext) -> Check:
    chosen = select_turns(turns, exp.turn)
    if chosen is None:
        return _no_turn(exp.type, exp.turn)
    answer = _answers(chosen)
    texts = exp.text if isinstance(exp.text, list) else [exp.text]
    fold = (lambda s: s) if exp.case_sensitive else (lambda s: normalize(s))
    found = [text for text in texts if fold(text) in fold(answer)]
    detail = f"found {found} in {_short(answer)!r}" if found else f"none of {texts} in the answer"
    return Check(type=exp.type, passed=not found, detail=detail)


def score_image_fidelity(exp: ImageFidelity, turns: list[TurnRecord], ctx: ScoreContext) -> Check:
    chosen = select_turns(turns, exp.turn)
    if chosen is None:
        return _no_turn(exp.type, exp.turn)
    paths = [image.path for turn in chosen for image in turn.images]
    if not paths:
        return Check(type=exp.type, passed=False, detail=f"no image produced; {_describe_calls(chosen)}")
    if ctx.classify is None:
        return Check(type=exp.type, passed=None, detail="skipped: no judge classifier")
    verdicts = ctx.classify(paths)
    wrong = []
    for path, verdict in zip(paths, verdicts):
        misses = {k: verdict.get(k) for k, v in exp.attributes.items() if normalize(verdict.get(k)) != normalize(v)}
        if misses:
            wrong.append(misses)
    right = len(paths) - len(wrong)
    passed = right / len(paths) >= exp.min_fraction - 1e-9
    detail = f"{right}/{len(paths)} images show {exp.attributes}" + (f"; judge read {wrong[0]}" if wrong else "")
    return Check(type=exp.type, passed=passed, detail=detail)


def score_memory(exp: Memory, turns: list[TurnRecord], ctx: ScoreContext) -> Check:
    want = normalize(exp.text)
    if exp.stored_turn is not None:
        stored = select_turns(turns, exp.stored_turn)
        if stored is None:
            return _no_turn(exp.type, exp.stored_turn)
        facts = [str(c.arguments.get("fact", "")) for c in _calls(stored) if c.name == "remember"]
        if not any(want in normalize(fact) for fact in facts):
            return Check(type=exp.type, passed=False, detail=f"{exp.text!r} not stored: {_describe_calls(stored)}")
    later = select_turns(turns, exp.recalled_turn)
    if later is None:
        return _no_turn(exp.type, exp.recalled_turn)
    recalled = [*later[0].memories, *(c.result_summary for c in later[0].tool_calls if c.name == "recall")]
    if any(want in normalize(text) for text in recalled):
        return Check(type=exp.type, passed=True, detail=f"{exp.text!r} recalled")
    return Check(type=exp.type, passed=False, detail=f"{exp.text!r} not recalled; memories {later[0].memories}")


def score_refusal(exp: Refusal, turns: list[TurnRecord], ctx: ScoreContext) -> Check:
    chosen = select_turns(turns, exp.turn)
    if chosen is None:
        return _no_turn(exp.type, exp.turn)
    refused = [turn for turn in chosen if turn.refused]
    passed = bool(refused) == exp.expected
    if passed and exp.expected and exp.category:
        passed = any(turn.refusal_category == exp.category for turn in refused)
    if refused:
        detail = f"refused ({refused[0].refusal_category}): {_short(refused[0].answer)!r}"
    else:
        detail = f"answered: {_short(_answers(chosen))!r}; {_describe_calls(chosen)}"
    return Check(type=exp.type, passed=passed, detail=("expected a refusal; " if exp.expected and not passed else "") + detail)


def score_error(exp: TurnError, turns: list[TurnRecord], ctx: ScoreContext) -> Check:
    chosen = select_turns(turns, exp.turn)
    if chosen is None:
        return _no_turn(exp.type, exp.turn)
    errors = [turn.error for turn in chosen if turn.error]
    if not exp.expected:
        return Check(type=exp.type, passed=not errors, detail=errors[0] if errors else "finished without an error")
    if not errors:
        return Check(type=exp.type, passed=False, detail=f"expected an error; answered {_short(_answers(chosen))!r}")
    passed = exp.contains is None or any(normalize(exp.contains) in normalize(error) for error in errors)
    return Check(type=exp.type, passed=passed, detail=errors[0])


def score_latency(exp: Latency, turns: list[TurnRecord], ctx: ScoreContext) -> Check:
    chosen = select_turns(turns, exp.turn)
    if chosen is None:
        return _no_turn(exp.type, exp.turn)
    ms = sum(turn.ms for turn in chosen)
    return Check(type=exp.type, passed=ms <= exp.max_ms, detail=f"{ms:.0f} ms (budget {exp.max_ms:.0f} ms)")


def score_rubric(exp: Rubric, turns: list[TurnRecord], ctx: ScoreContext) -> Check:
    chosen = select_turns(turns, exp.turn)
    if chosen is None:
        return _no_turn(exp.type, exp.turn)
    if ctx.grade is None:
        return Check(type=exp.type, passed=None, detail="skipped: no rubric model (set MUSE_EVALS__RUBRIC_MODEL)")
    passed, reason = ctx.grade(exp.rubric, turns)
    return Check(type=exp.type, passed=passed, detail=reason)


def score_bfcl_ast(exp: BfclAst, turns: list[TurnRecord], ctx: ScoreContext) -> Check:
    from evals.bfcl import check_calls

    chosen = select_turns(turns, exp.turn)
    if chosen is None:
        return _no_turn(exp.type, exp.turn)
    calls = [(c.name, c.arguments) for c in _calls(chosen)]
    passed, reason = check_calls(exp.functions, exp.ground_truth, calls)
    return Check(type=exp.type, passed=passed, detail=reason)


SCORERS: dict[str, Callable[[Any, list[TurnRecord], ScoreContext], Check]] = {
    "tool_called": score_tool_called,
    "tool_not_called": score_tool_not_called,
    "trajectory": score_trajectory,
    "answer_contains": score_answer_contains,
    "answer_regex": score_answer_regex,
    "answer_not_contains": score_answer_not_contains,
    "image_fidelity": score_image_fidelity,
    "memory": score_memory,
    "refusal": score_refusal,
    "error": score_error,
    "latency": score_latency,
    "rubric": score_rubric,
    "bfcl_ast": score_bfcl_ast,
}


def score(expectation: Any, turns: list[TurnRecord], ctx: ScoreContext | None = None) -> Check:
    return SCORERS[expectation.type](expectation, turns, ctx or ScoreContext())
