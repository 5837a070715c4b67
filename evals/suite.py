"""Suites: cases of conversation turns, extra tools and expectations, read from YAML or JSONL.

    suite = load_suite("evals/suites/routing.yaml")      # or a built-in name: load_suite("routing")
    suite.cases[0].turns[0].text, suite.cases[0].expect

A YAML suite is a mapping (`name`, `description`, `min_score`, `tools`, `settings`, `cases`); a JSONL
suite is one case per line, optionally preceded by a line `{"suite": {...}}` with the same header
fields. A case:

    id: draw-red-star
    tags: [generate_image]
    input: draw a red star                     # or turns: ["...", {text: "...", images: [a.png]}]
    tools: [{file: my_tools.py}, {schema: {name: ..., parameters: {...}}, result: {"ok": true}}]
    expect:
      - {type: tool_called, name: generate_image, arguments: {prompt: {$contains: star}}}
      - {type: answer_not_contains, text: error}

Paths (images, tool files) are relative to the suite file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from muse.errors import MuseError

SUITES_DIR = Path(__file__).resolve().parent / "suites"
BUILTIN_SUITES = ("routing", "chains", "memory", "custom_tools", "vision", "safety", "bad_input")

TurnIndex = int | Literal["all"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


# --- expectations -----------------------------------------------------------------------------
# Each has a `type`; `turn` says which turn it looks at (-1: the last, "all": every turn together).


class CallSpec(_Model):
    name: str
    arguments: dict[str, Any] | None = None
    match: Literal["exact", "subset", "ignore"] = "subset"


class ToolCalled(_Model):
    """The tool was called (at least once, or exactly `times` times) with matching arguments."""

    type: Literal["tool_called"] = "tool_called"
    name: str
    arguments: dict[str, Any] | None = None  # values may be matchers: {$contains}, {$regex}, {$oneof}, {$any}
    match: Literal["exact", "subset", "ignore"] = "subset"
    times: int | None = None
    turn: TurnIndex = -1


class ToolNotCalled(_Model):
    """The tool was not called; without a name, no tool at all was called."""

    type: Literal["tool_not_called"] = "tool_not_called"
    name: str | None = None
    turn: TurnIndex = -1


class Trajectory(_Model):
    """These calls happened, in this order (`ordered`: as a subsequence) or in any order."""

    type: Literal["trajectory"] = "trajectory"
    calls: list[str | CallSpec]
    order: Literal["ordered", "unordered"] = "ordered"
    strict: bool = False  # no calls beyond these
    turn: TurnIndex = "all"

    @field_validator("calls")
    @classmethod
    def _specs(cls, calls: list[str | CallSpec]) -> list[CallSpec]:
        return [CallSpec(name=c, match="ignore") if isinstance(c, str) else c for c in calls]


class AnswerContains(_Model):
    type: Literal["answer_contains"] = "answer_contains"
    text: str | list[str]
    mode: Literal["any", "all"] = "any"  # for a list of texts
    case_sensitive: bool = False
    turn: TurnIndex = -1


class AnswerRegex(_Model):
    type: Literal["answer_regex"] = "answer_regex"
    pattern: str
    ignore_case: bool = True
    turn: TurnIndex = -1


class AnswerNotContains(_Model):
    type: Literal["answer_not_contains"] = "answer_not_contains"
    text: str | list[str]
    case_sensitive: bool = False
    turn: TurnIndex = -1


class ImageFidelity(_Model):
    """The images produced show these attributes according to the judge classifier."""

    type: Literal["image_fidelity"] = "image_fidelity"
    attributes: dict[str, str | int]  # colour/color, shape, size, position, background, digit
    min_fraction: float = 1.0  # of the images produced
    turn: TurnIndex = -1

    @field_validator("attributes")
    @classmethod
    def _judge_names(cls, attributes: dict[str, str | int]) -> dict[str, str | int]:
        known = {"color", "shape", "size", "position", "background", "digit"}
        renamed = {("color" if key == "colour" else key): value for key, value in attributes.items()}
        unknown = sorted(set(renamed) - known)
        if unknown:
            raise ValueError(f"unknown image attributes {unknown}; the judge reads {sorted(known)}")
        return renamed


class Memory(_Model):
    """`text` was stored (a remember call) in `stored_turn` and came back in `recalled_turn`
    (recalled into the turn's context or returned by the recall tool)."""

    type: Literal["memory"] = "memory"
    text: str
    stored_turn: int | None = 0
    recalled_turn: int = -1


class Refusal(_Model):
    type: Literal["refusal"] = "refusal"
    expected: bool = True
    category: str | None = None
    turn: TurnIndex = -1


class TurnError(_Model):
    """The turn was turned down with a clear error (a MuseError: empty message, an attachment that is
    not an image...) instead of crashing; `expected: false` says it finished normally."""

    type: Literal["error"] = "error"
    expected: bool = True
    contains: str | None = None
    turn: TurnIndex = -1


class Latency(_Model):
    type: Literal["latency"] = "latency"
    max_ms: float
    turn: TurnIndex = "all"  # "all": the whole case


class Rubric(_Model):
    """An LLM-as-judge rubric graded by an OpenAI-compatible model; skipped unless one is configured."""

    type: Literal["rubric"] = "rubric"
    rubric: str
    turn: TurnIndex = -1


class BfclAst(_Model):
    """BFCL's AST checker: `ground_truth` lists, per expected call, the acceptable values of every
    parameter (`""` among them: it may be omitted); an empty list means no function may be called."""

    type: Literal["bfcl_ast"] = "bfcl_ast"
    functions: list[dict[str, Any]]  # BFCL's own function docs (dotted names, BFCL types)
    ground_truth: list[dict[str, dict[str, list[Any]]]]
    turn: TurnIndex = -1


Expectation = Annotated[
    ToolCalled | ToolNotCalled | Trajectory | AnswerContains | AnswerRegex | AnswerNotContains | ImageFidelity
    | Memory | Refusal | TurnError | Latency | Rubric | BfclAst,
    Field(discriminator="type"),
]


# --- tools, turns, cases, suites --------------------------------------------------------------


class ToolSource(_Model):
    """A Python file of LangChain tools, or one OpenAI-style function schema answered by a recorder stub."""

    file: str | None = None
    schema_: dict[str, Any] | None = Field(default=None, alias="schema")
    result: Any = None  # what the stub returns (JSON-encoded unless a string)

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    @model_validator(mode="after")
    def _one_source(self) -> ToolSource:
        if (self.file is None) == (self.schema_ is None):
            raise ValueError("a tool needs exactly one of `file` or `schema`")
        return self


class Turn(_Model):
    # `$imageN`: the id of the case's N-th attached image; `$suite`: the suite file's folder.
    text: str
    images: list[str] = []  # paths relative to the suite file


class Case(_Model):
    id: str
    tags: list[str] = []
    turns: list[Turn]
    tools: list[ToolSource] = []
    expect: list[Expectation] = []
    description: str = ""

    @model_validator(mode="before")
    @classmethod
    def _shorthands(cls, data: Any) -> Any:
        """`input: text` for one turn; a turn may be a plain string."""
        if isinstance(data, dict):
            data = dict(data)
            if "input" in data:
                if "turns" in data:
                    raise ValueError("give `input` or `turns`, not both")
                data["turns"] = [data.pop("input")]
            data["turns"] = [{"text": t} if isinstance(t, str) else t for t in data.get("turns") or []]
        return data

    @field_validator("turns")
    @classmethod
    def _some_turns(cls, turns: list[Turn]) -> list[Turn]:
        if not turns:
            raise ValueError("a case needs at least one turn")
        return turns


class Suite(_Model):
    name: str
    description: str = ""
    min_score: float = Field(default=0.0, ge=0.0, le=1.0)
    tools: list[ToolSource] = []  # offered in every case, before the case's own
    builtin_tools: bool = True  # False: only the suite's and the case's tools are offered (BFCL suites)
    # Overrides of muse's settings for every case, e.g. {generation: {steps: 4}}.
    settings: dict[str, Any] = {}
    cases: list[Case]
    path: Path | None = Field(default=None, exclude=True)

    @field_validator("cases")
    @classmethod
    def _unique_ids(cls, cases: list[Case]) -> list[Case]:
        ids = [case.id for case in cases]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise ValueError(f"duplicate case ids: {', '.join(duplicates)}")
        return cases

    @property
    def root(self) -> Path:
        """The folder relative paths of the suite are read from."""
        return self.path.parent if self.path else Path.cwd()

    def select(self, tags: list[str] | None) -> Suite:
        """The cases that carry any of these tags (all of them without tags)."""
        if not tags:
            return self
        wanted = set(tags)
        return self.model_copy(update={"cases": [c for c in self.cases if wanted & set(c.tags)]})

    def resolve(self, relative: str) -> Path:
        path = Path(relative).expanduser()
        return path if path.is_absolute() else self.root / path


def suite_path(name_or_path: str | Path) -> Path:
    """A suite file: a path as given, or the built-in suite of that name."""
    path = Path(name_or_path)
    if path.is_file():
        return path
    for suffix in (".yaml", ".jsonl"):
        builtin = SUITES_DIR / f"{name_or_path}{suffix}"
        if builtin.exists():
            return builtin
    raise MuseError(f"{name_or_path}: no such suite file or built-in suite (built-in: {', '.join(BUILTIN_SUITES)})")


def load_suite(name_or_path: str | Path) -> Suite:
    """Read and check a suite; any problem is one MuseError naming the file and the place."""
    path = suite_path(name_or_path)
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as error:
        raise MuseError(f"{path}: cannot read ({error})") from None
    data = _parse_jsonl(text, path) if path.suffix == ".jsonl" else _parse_yaml(text, path)
    data.setdefault("name", path.stem)
    try:
        return Suite.model_validate({**data, "path": path.resolve()})
    except ValidationError as error:
        raise MuseError(f"{path}: invalid suite: {_first_error(error)}") from None


def _parse_yaml(text: str, path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise MuseError(f"{path}: not valid YAML ({str(error).splitlines()[0]})") from None
    if isinstance(data, list):
        data = {"cases": data}
    if not isinstance(data, dict):
        raise MuseError(f"{path}: expected a mapping with `cases`, or a list of cases")
    return data


def _parse_jsonl(text: str, path: Path) -> dict[str, Any]:
    header: dict[str, Any] = {}
    cases = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            raise MuseError(f"{path}:{number}: not valid JSON ({error.msg})") from None
        if not cases and not header and isinstance(item, dict) and set(item) == {"suite"}:
            header = dict(item["suite"])
        else:
            cases.append(item)
    return {**header, "cases": cases}


def _first_error(error: ValidationError) -> str:
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"] if not str(part).startswith(("function-", "tagged-union")))
    return f"{where}: {first['msg']}" if where else first["msg"]


def dump_jsonl(suite: Suite, path: Path) -> None:
    """Write a suite as JSONL: a header line, then one case per line."""
    header = suite.model_dump(mode="json", exclude={"cases", "path"}, by_alias=True)
    lines = [json.dumps({"suite": header}, ensure_ascii=False)]
    lines += [json.dumps(c.model_dump(mode="json", by_alias=True), ensure_ascii=False) for c in suite.cases]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
