"""Request and response bodies: OpenAI's shapes where OpenAI has the route, muse's own elsewhere.

These models are the OpenAPI document. Requests accept fields they do not know (clients send
options muse has no use for) but refuse known fields of the wrong type. Responses carry muse's
extras under a `muse` key, which OpenAI clients keep as an extra attribute.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

SESSION_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$"


class Lenient(BaseModel):
    model_config = ConfigDict(extra="allow")


# -- errors -----------------------------------------------------------------------------------------


class ErrorDetail(BaseModel):
    message: str
    type: str
    param: str | None = None
    code: str | None = None


class ErrorResponse(BaseModel):
    error: ErrorDetail


# -- chat -------------------------------------------------------------------------------------------


class TextPart(Lenient):
    type: Literal["text"]
    text: str


class ImageURL(Lenient):
    url: str = Field(description="a data: URL (base64 PNG, JPEG, WebP, GIF...), `muse://IMAGE_ID` or an image id")
    detail: str | None = None


class ImagePart(Lenient):
    type: Literal["image_url"]
    image_url: ImageURL


ContentPart = Annotated[TextPart | ImagePart, Field(discriminator="type")]


class ChatMessage(Lenient):
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None
    name: str | None = None


class StreamOptions(Lenient):
    include_usage: bool | None = None


class ChatCompletionRequest(Lenient):
    model: str = Field(description='"muse"')
    messages: list[ChatMessage] = Field(
        min_length=1,
        description="The conversation as the client sees it. Only the last message, a user message, is the new turn: "
        "earlier turns are in the session the server keeps (see `user` and the X-Session-Id header).",
    )
    stream: bool | None = False
    stream_options: StreamOptions | None = None
    user: str | None = Field(None, max_length=128, description="selects the session when no X-Session-Id header is given")
    n: int | None = Field(1, ge=1, description="only 1 is supported")
    temperature: float | None = Field(None, ge=0, le=2, description="accepted; the planner decodes greedily")
    top_p: float | None = Field(None, ge=0, le=1, description="accepted; the planner decodes greedily")
    max_tokens: int | None = Field(None, ge=1, description="accepted; the planner's own limit applies")
    max_completion_tokens: int | None = Field(None, ge=1, description="accepted; the planner's own limit applies")
    tools: list[dict[str, Any]] | None = Field(None, description="not supported: muse runs its own tools (GET /v1/tools)")


class ToolCallPublic(BaseModel):
    id: str
    name: str
    arguments: dict[str, Any]
    result_summary: str = ""
    ms: float = 0.0
    images: list[str] = []
    error: str | None = None
    flagged: bool = False


class ImageLink(BaseModel):
    id: str
    url: str


class MuseTurn(BaseModel):
    session: str
    tool_calls: list[ToolCallPublic] = []
    images: list[ImageLink] = []
    memories: list[str] = []
    refused: bool = False
    refusal_category: str | None = None
    ms: float = Field(0.0, description="the agent's own time for the turn, in milliseconds")


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: str | None
    refusal: str | None = None


class ChatChoice(BaseModel):
    index: int = 0
    message: AssistantMessage
    finish_reason: Literal["stop", "content_filter", "length"]
    logprobs: None = None


class ChatCompletion(BaseModel):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[ChatChoice]
    usage: None = None
    muse: MuseTurn


class ChunkDelta(BaseModel):
    role: Literal["assistant"] | None = None
    content: str | None = None


class ChunkChoice(BaseModel):
    index: int = 0
    delta: ChunkDelta
    finish_reason: Literal["stop", "content_filter", "length"] | None = None


class MuseEvent(BaseModel):
    """What the agent did, beside the text: tool_started, tool_finished, image, memories, refused, turn_finished."""

    event: str
    call: ToolCallPublic | None = None
    image: ImageLink | None = None
    memories: list[str] | None = None
    reason: str | None = None
    turn: MuseTurn | None = None


class ChatCompletionChunk(BaseModel):
    """One `data:` line of a streamed answer; the stream ends with `data: [DONE]`."""

    id: str
    object: Literal["chat.completion.chunk"] = "chat.completion.chunk"
    created: int
    model: str
    choices: list[ChunkChoice]
    muse: MuseEvent | None = None


# -- images -----------------------------------------------------------------------------------------


class ImageGenerationRequest(Lenient):
    prompt: str = Field(min_length=1, max_length=1000)
    model: str | None = Field(None, description='"muse-diffusion" (the default)')
    n: int | None = Field(1, ge=1, le=8)
    size: str | None = Field(
        None, description='"WxH", square, from the model\'s native size (default) up to 1024x1024; larger sizes are upscaled'
    )
    response_format: Literal["url", "b64_json"] | None = "url"
    seed: int | None = Field(None, ge=0, description="muse extension: the same seed draws the same images")


class ImageData(BaseModel):
    url: str | None = None
    b64_json: str | None = None
    revised_prompt: str | None = None


class ImagePublic(BaseModel):
    id: str
    url: str
    created: str
    source: str
    provenance: dict[str, str] = {}


class ImagesResponse(BaseModel):
    created: int
    data: list[ImageData]
    muse: dict[str, list[ImagePublic]] = Field(description='{"images": [...]}: the stored images')


class ImageList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ImagePublic]


# -- models, embeddings ----------------------------------------------------------------------------


class ModelPublic(BaseModel):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str = "muse"
    description: str = ""


class ModelList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ModelPublic]


class EmbeddingRequest(Lenient):
    input: str | list[str] = Field(description="a text or a list of up to 2048 texts")
    model: str = Field(description='"all-MiniLM-L6-v2"')
    encoding_format: Literal["float", "base64"] | None = "float"
    dimensions: int | None = Field(None, description="only 384, the model's own, is supported")


class Embedding(BaseModel):
    object: Literal["embedding"] = "embedding"
    index: int
    embedding: list[float] | str


class EmbeddingUsage(BaseModel):
    prompt_tokens: int
    total_tokens: int


class EmbeddingResponse(BaseModel):
    object: Literal["list"] = "list"
    data: list[Embedding]
    model: str
    usage: EmbeddingUsage


# -- sessions, memory, tools, health -----------------------------------------------------------------


class SessionPublic(BaseModel):
    id: str
    title: str
    created: str
    updated: str
    turns: int


class SessionList(BaseModel):
    object: Literal["list"] = "list"
    data: list[SessionPublic]


class SessionHistory(BaseModel):
    id: str
    messages: list[dict[str, Any]] = Field(
        description='in order: {"role": "user", "content", "images"}, {"role": "tool_calls", "calls"}, {"role": "assistant", "content"}'
    )


class Deleted(BaseModel):
    id: str
    deleted: bool = True


class MemoryCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    fact: str = Field(min_length=1, max_length=2000)


class MemoryPublic(BaseModel):
    id: str | None = None
    text: str
    score: float | None = Field(None, description="cosine similarity to the query, when recalled")
    created: float | None = Field(None, description="epoch seconds the fact was first told")
    updated: float | None = None
    source: str | None = None
    session: str | None = None


class MemoryStored(BaseModel):
    memory: MemoryPublic
    duplicate: bool = Field(description="the fact was known already: only its time was refreshed")
    superseded: list[MemoryPublic] = Field(description="older facts about the same thing, now deleted")


class MemoryList(BaseModel):
    object: Literal["list"] = "list"
    data: list[MemoryPublic]


class ToolPublic(BaseModel):
    name: str
    description: str
    parameters: dict[str, Any]
    source: str = ""


class ToolList(BaseModel):
    object: Literal["list"] = "list"
    data: list[ToolPublic]


class Health(BaseModel):
    status: Literal["ok"] = "ok"
    version: str
    agent_loaded: bool
    auth: Literal["keys", "loopback-only"]
    model_jobs: int
    queue_depth: int
