"""muse's built-in tools as LangChain tools, exactly as the planner was trained to call them.

    tools = create_builtin_tools(Services.from_settings(settings))
    tools[0].invoke({"name": "generate_image", "args": {"prompt": "a red star"}, "id": "1", "type": "tool_call"},
                    config={"configurable": {"user_id": "ana", "session_id": "s1"}})
    # ToolMessage(content='{"images":["img_3f9d52f9a1c0"]}', artifact={"images": ["img_3f9d52f9a1c0"]})

Names, descriptions and argument schemas are read from `tools/llm/builtin_tools.json` (the data
the planner was trained on) and given to LangChain as they are, so the planner sees its training
schemas; arguments are checked against a pydantic model built from the same declaration. The user
and session come from the run's config, never from the model. Results are compact JSON; a tool
that fails answers `{"error": "..."}`. Models load on a tool's first call.
"""

from __future__ import annotations

import inspect
import json
import logging
import re
from collections.abc import Callable
from typing import Any, Literal, NamedTuple

from langchain_core.runnables import RunnableConfig
from langchain_core.tools import BaseTool, StructuredTool, ToolException
from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from tools.image_store import ImageNotFound, ImageRecord
from tools.llm.catalog import builtin_schemas
from tools.provenance import provenance_chunks
from tools.services import Services

log = logging.getLogger(__name__)

IMAGE_TOOLS = ("generate_image", "generate_digit", "search_images")  # their artifact is {"images": [ids]}
MEMORY_TOOLS = ("remember", "forget")  # what they did lives in memory, recalled when it matters
# Words by which a request asks muse to store a fact, or to drop one ("... then remember it for me");
# "don't forget that ..." asks to store.
ASKS_FOR_MEMORY_TOOL = {
    "remember": re.compile(r"\b(remember|memori[sz]e|note|store|save|keep in mind|(don't|do not|never) forget)\b"
                           r"|\b(to|in|into) (your )?memory\b", re.I),
    "forget": re.compile(r"(?<!don't )(?<!do not )(?<!never )\bforget\b|\b(delete|erase|drop|wipe|discard)\b"
                         r"|\bget rid of\b|\b(from|out of) (your )?memory\b", re.I),
}
JSON_TYPES = {"string": str, "integer": int, "number": float, "boolean": bool}


def asks_for(name: str, request: str) -> bool:
    """Whether the request asks for what the memory tool `name` (remember or forget) does."""
    return bool(ASKS_FOR_MEMORY_TOOL[name].search(request))


def withheld_memory_tools(request: str, after_result: bool) -> set[str]:
    """Which of remember and forget are not offered. After a turn's first result, those the request does
    not ask for: what to store or drop comes from the user, never from a result, and a fact just stored
    is not then forgotten. Before it, remember when the request is a question that does not ask to store
    anything: a question tells no fact ("should I bring an umbrella in Glasgow today?" was stored as one)."""
    if after_result:
        return {name for name in ASKS_FOR_MEMORY_TOOL if not asks_for(name, request)}
    return {"remember"} if request.rstrip().endswith("?") and not asks_for("remember", request) else set()


class Caller(NamedTuple):
    user_id: str
    session_id: str | None


def create_builtin_tools(services: Services) -> list[BaseTool]:
    """The nine built-in tools, in the order of builtin_tools.json, bound to `services`."""
    implementations = BuiltinTools(services)
    return [create_tool(getattr(implementations, schema["name"]), schema) for schema in builtin_schemas()]


def index_image(services: Services, user_id: str, record: ImageRecord) -> None:
    """Index an uploaded or generated image with its CLIP embedding, so search_images finds it."""
    index_images(services, user_id, [record])


def index_images(services: Services, user_id: str, records: list[ImageRecord]) -> None:
    from tools.clip import embed_images, load_clip

    if not records:
        return
    vision = services.settings.vision
    embeddings = embed_images([record.path for record in records], load_clip(vision.clip_model, vision.clip_pretrained))
    for record, embedding in zip(records, embeddings):
        metadata = {"source": record.source, "created": record.created, "prompt": record.provenance.get("prompt", "")}
        services.memory.index_image(user_id, record.id, embedding.tolist(), metadata)


class BuiltinTools:
    """One method per tool: the caller, then the tool's declared arguments; each returns the result dict."""

    def __init__(self, services: Services):
        self.services = services
        self.images = services.images

    def generate_image(self, caller: Caller, prompt: str, n: int = 1, seed: int | None = None) -> dict:
        from tools.diffusion import generate

        result = generate(prompt, n, seed, settings=self.services.settings.generation)
        return self._store_generated(caller, result.images, result.provenance())

    def generate_digit(self, caller: Caller, digit: int, n: int = 1, model: str = "gan") -> dict:
        from tools.digits import generate_digits

        images, fields = generate_digits(digit, n, model, settings=self.services.settings.generation)
        return self._store_generated(caller, images, fields)

    def caption_image(self, caller: Caller, image: str) -> dict:
        from tools.caption import caption

        path = self.images.resolve(image, caller.user_id)
        return {"caption": caption([path], self.services.settings.vision.captioner)[0]}

    def ask_image(self, caller: Caller, image: str, question: str) -> dict:
        from tools.ask import ask

        path = self.images.resolve(image, caller.user_id)
        return {"answer": ask(path, question, self.services.settings.vision.ask_backend).answer}

    def classify_image(self, caller: Caller, image: str) -> dict:
        from tools.judge import classify

        path = self.images.resolve(image, caller.user_id)
        (reading,) = classify([path], self.services.settings.vision.judge)
        if reading["domain"] == "digit":
            return {"digit": reading["digit"]}
        names = {"color": "colour", "shape": "shape", "size": "size", "position": "position", "background": "background"}
        return {name: reading[head] for head, name in names.items()}

    def search_images(self, caller: Caller, query: str, k: int = 5) -> dict:
        from tools.clip import embed_texts, load_clip

        vision = self.services.settings.vision
        (embedding,) = embed_texts([query], load_clip(vision.clip_model, vision.clip_pretrained))
        hits = self.services.memory.search_images(caller.user_id, embedding.tolist(), k)
        return {"images": [hit.image_id for hit in hits if self._owned(hit.image_id, caller)]}

    def remember(self, caller: Caller, fact: str) -> dict:
        result = self.services.memory.remember(caller.user_id, fact, session_id=caller.session_id, source="agent")
        return {"stored": result.record.text}

    def recall(self, caller: Caller, query: str) -> dict:
        return {"facts": [hit.text for hit in self.services.memory.recall(caller.user_id, query)]}

    def forget(self, caller: Caller, query: str) -> dict:
        return {"forgotten": self.services.memory.forget(caller.user_id, query)}

    def _owned(self, image_id: str, caller: Caller) -> bool:
        """The index may outlive a deleted image: only ids still in the user's store are answers."""
        try:
            self.images.get(image_id, caller.user_id)
        except ImageNotFound:
            return False
        return True

    def _store_generated(self, caller: Caller, images: list, fields: dict) -> dict:
        chunks = provenance_chunks(**fields)
        records = [self.images.put(image, caller.user_id, source="generated", provenance=chunks) for image in images]
        index_images(self.services, caller.user_id, records)
        return {"images": [record.id for record in records]}


def create_tool(function: Callable[..., dict], schema: dict[str, Any]) -> StructuredTool:
    """A LangChain tool whose schema is `schema` verbatim and whose body checks the arguments, then calls `function`."""
    arguments_model = create_arguments_model(schema, function)
    produces_images = schema["name"] in IMAGE_TOOLS

    def run(config: RunnableConfig, **arguments: Any) -> str | tuple[str, dict]:
        checked = arguments_model.model_validate(arguments)  # a ValidationError becomes {"error": ...}
        caller = caller_of(config)
        try:
            result = function(caller, **{name: getattr(checked, name) for name in checked.model_fields_set})
        except Exception as error:
            raise ToolException(describe_error(schema["name"], error)) from error
        content = to_json(result)
        return (content, {"images": result["images"]}) if produces_images else content

    return StructuredTool.from_function(
        func=run,
        name=schema["name"],
        description=schema["description"],
        args_schema=schema["parameters"],
        response_format="content_and_artifact" if produces_images else "content",
        handle_tool_error=lambda error: to_json({"error": str(error)}),
        handle_validation_error=lambda error: to_json({"error": describe_validation_error(error)}),
    )


def create_arguments_model(schema: dict[str, Any], function: Callable[..., Any]) -> type[BaseModel]:
    """A pydantic model of the declared parameters (types, enums, bounds), with `function`'s defaults.

    Checks that the function takes exactly the declared arguments, with a default for each optional one.
    """
    name, parameters = schema["name"], schema["parameters"]
    declared, required = parameters["properties"], set(parameters.get("required", ()))
    signature = dict(list(inspect.signature(function).parameters.items())[1:])  # after the caller
    if set(signature) != set(declared):
        raise TypeError(f"{name}: the function takes {sorted(signature)}, the schema declares {sorted(declared)}")
    fields = {}
    for argument, spec in declared.items():
        annotation: Any = Literal[tuple(spec["enum"])] if "enum" in spec else JSON_TYPES[spec["type"]]
        default = signature[argument].default
        if argument in required:
            default = ...
        elif default is inspect.Parameter.empty:
            raise TypeError(f"{name}: optional argument {argument!r} needs a default")
        elif default is None:
            annotation = annotation | None  # "not given"; the declared schema stays as it is
        bounds = {"ge": spec.get("minimum"), "le": spec.get("maximum")}
        fields[argument] = (annotation, Field(default, description=spec.get("description"), **bounds))
    return create_model(f"{name}_arguments", __config__=ConfigDict(extra="ignore"), **fields)


def caller_of(config: RunnableConfig | None) -> Caller:
    configurable = (config or {}).get("configurable") or {}
    user_id = configurable.get("user_id")
    if not isinstance(user_id, str) or not user_id:
        raise ToolException("no user: run the tool with config={'configurable': {'user_id': ..., 'session_id': ...}}")
    return Caller(user_id, configurable.get("session_id"))


def describe_error(tool_name: str, error: Exception) -> str:
    from muse.errors import MuseError

    if isinstance(error, (MuseError, ToolException)):
        return str(error)
    log.exception("%s failed", tool_name)  # not the user's doing: keep the traceback in the log
    return f"{tool_name} failed: {type(error).__name__}: {error}"


def describe_validation_error(error: ValidationError | Exception) -> str:
    if not isinstance(error, ValidationError):
        return f"invalid arguments: {error}"
    problems = [f"{'.'.join(map(str, problem['loc'])) or 'arguments'}: {problem['msg']}" for problem in error.errors()]
    return "invalid arguments: " + "; ".join(problems)


def to_json(value: Any) -> str:
    """Compact JSON, as the planner reads tool results."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
