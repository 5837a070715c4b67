"""The built-in tools: the contract every one of them passes (trained schema, JSON results through
LangGraph's ToolNode, artifacts), then images, search and memory per user, with the real models and
a real Chroma memory."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from PIL import Image
from langchain_core.messages import AIMessage, ToolMessage
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.prebuilt import ToolNode

from muse.settings import Settings
from tools.builtin import IMAGE_TOOLS, create_builtin_tools, index_image
from tools.data.shapes_world import ShapesWorld
from tools.provenance import MARK
from tools.registry import load_tools, tool_schema
from tools.services import Services

DECLARED = json.loads((Path(__file__).parents[1] / "tools" / "llm" / "builtin_tools.json").read_text())
EXPECTED_KEYS = {
    "generate_image": {"images"}, "generate_digit": {"images"}, "search_images": {"images"},
    "caption_image": {"caption"}, "ask_image": {"answer"},
    "classify_image": {"colour", "shape", "size", "position", "background"},
    "remember": {"stored"}, "recall": {"facts"}, "forget": {"forgotten"},
}


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """One muse home for the module: services with a real memory store, and three scenes uploaded by ana."""
    home = tmp_path_factory.mktemp("tools-home")
    settings = Settings(home=home)
    services = Services.from_settings(settings)
    scenes = ShapesWorld(0).sample(3, "test")
    uploads = []
    for scene in scenes:
        buffer = io.BytesIO()
        scene.image.save(buffer, format="PNG")
        record = services.images.put(buffer.getvalue(), "ana", source="upload")
        index_image(services, "ana", record)
        uploads.append(record)
    graph = StateGraph(MessagesState)
    graph.add_node("tools", ToolNode(load_tools(settings, services=services).tools))
    graph.add_edge(START, "tools")
    graph.add_edge("tools", END)
    return {"services": services, "scenes": scenes, "uploads": uploads, "graph": graph.compile()}


def call(world, name: str, arguments: dict, user: str | None = "ana", session: str = "s1") -> ToolMessage:
    """One tool call through ToolNode, as the agent's graph makes it."""
    tool_call = {"name": name, "args": arguments, "id": f"call-{name}", "type": "tool_call"}
    config = {"configurable": {"user_id": user, "session_id": session}} if user else {}
    result = world["graph"].invoke({"messages": [AIMessage("", tool_calls=[tool_call])]}, config=config)
    (message,) = [m for m in result["messages"] if isinstance(m, ToolMessage)]
    return message


def content(message: ToolMessage) -> dict:
    """The result as a dict, checked to be compact JSON (as the planner reads it)."""
    parsed = json.loads(message.content)
    assert message.content == json.dumps(parsed, ensure_ascii=False, separators=(",", ":"))
    return parsed


@pytest.mark.parametrize("declared", DECLARED, ids=lambda d: d["name"])
def test_schema_is_the_trained_declaration(tmp_path, declared):
    tools = {t.name: t for t in create_builtin_tools(Services.from_settings(Settings(home=tmp_path)))}
    tool = tools[declared["name"]]
    assert tool_schema(tool) == declared  # name, description, properties, types, bounds, enums, required
    assert {k: v for k, v in tool.tool_call_schema.items() if k != "description"} == declared["parameters"]
    assert tool.response_format == ("content_and_artifact" if declared["name"] in IMAGE_TOOLS else "content")


def contract_arguments(world, name: str) -> dict:
    image = world["uploads"][0].id
    return {
        "generate_image": {"prompt": "a large red star on a white background", "n": 1, "seed": 0},
        "caption_image": {"image": image},
        "ask_image": {"image": image, "question": "what colour is the shape?"},
        "classify_image": {"image": image},
        "search_images": {"query": world["scenes"][0].caption, "k": 2},
        "generate_digit": {"digit": 7, "n": 2, "model": "gan"},
        "remember": {"fact": "my sister is called Ana"},
        "recall": {"query": "what is my sister's name"},
        "forget": {"query": "my sister"},
    }[name]


@pytest.mark.slow
@pytest.mark.parametrize("name", [d["name"] for d in DECLARED])
def test_every_builtin_answers_compact_json_through_tool_node(world, name):
    if name in ("recall", "forget"):
        call(world, "remember", {"fact": "my sister is called Ana"})
    message = call(world, name, contract_arguments(world, name))
    result = content(message)
    assert message.status == "success" and set(result) == EXPECTED_KEYS[name], result
    if name in IMAGE_TOOLS:
        assert message.artifact == {"images": result["images"]} and result["images"]
        for image_id in result["images"]:
            record = world["services"].images.get(image_id, "ana")
            if name != "search_images":
                assert record.source == "generated" and record.provenance["Comment"] == MARK
    else:
        assert message.artifact is None


@pytest.mark.slow
def test_generated_images_keep_provenance_and_are_found_by_search(world):
    generated = content(call(world, "generate_digit", {"digit": 3, "n": 1, "model": "vae"}))["images"]
    record = world["services"].images.get(generated[0], "ana")
    assert record.provenance["prompt"] == "a handwritten digit three" and record.provenance["model"] == "digits-vae"
    found = content(call(world, "search_images", {"query": "a handwritten digit three", "k": 20}))["images"]
    assert generated[0] in found


@pytest.mark.slow
def test_search_finds_the_described_upload_and_only_the_users_own(world):
    scenes, uploads = world["scenes"], world["uploads"]
    for scene, upload in zip(scenes, uploads):
        found = content(call(world, "search_images", {"query": scene.canonical_caption, "k": 1}))["images"]
        assert found == [upload.id], scene.canonical_caption
    assert content(call(world, "search_images", {"query": scenes[0].canonical_caption}, user="bob")) == {"images": []}


@pytest.mark.slow
def test_image_tools_read_ids_and_paths_and_refuse_other_users_images(world, tmp_path):
    upload, scene = world["uploads"][1], world["scenes"][1]
    by_id = content(call(world, "classify_image", {"image": upload.id}))
    path = tmp_path / "scene.png"
    scene.image.save(path)
    assert content(call(world, "classify_image", {"image": str(path)})) == by_id
    assert by_id["colour"] == scene.attributes["color"] and by_id["shape"] == scene.attributes["shape"]
    theirs = call(world, "caption_image", {"image": upload.id}, user="bob")
    unknown = call(world, "caption_image", {"image": "img_0123456789ab"}, user="bob")
    assert theirs.status == unknown.status == "error"
    assert content(theirs) == {"error": f"unknown image {upload.id}"}
    assert content(unknown) == {"error": "unknown image img_0123456789ab"}


def test_bad_calls_answer_errors_instead_of_raising(world):
    answers = {
        "too many": call(world, "generate_image", {"prompt": "a red star", "n": 9}),
        "wrong enum": call(world, "generate_digit", {"digit": 3, "model": "pixelcnn"}),
        "missing": call(world, "ask_image", {"image": "img_0123456789ab"}),
        "bad question": call(world, "ask_image", {"image": world["uploads"][0].id, "question": "why?"}),
        "no user": call(world, "recall", {"query": "anything"}, user=None),
    }
    errors = {case: content(message)["error"] for case, message in answers.items()}
    assert all(message.status == "error" and set(content(message)) == {"error"} for message in answers.values())
    assert errors["too many"] == "invalid arguments: n: Input should be less than or equal to 8"
    assert "model: Input should be 'gan', 'vae' or 'diffusion'" in errors["wrong enum"]
    assert errors["missing"] == "invalid arguments: question: Field required"
    assert "cannot parse the question 'why?'" in errors["bad question"]
    assert errors["no user"].startswith("no user")


@pytest.mark.slow
def test_memory_tools_remember_recall_and_forget_per_user(world):
    assert content(call(world, "remember", {"fact": "I live in Oslo"}, user="carl")) == {"stored": "I live in Oslo"}
    assert "I live in Oslo" in content(call(world, "recall", {"query": "where do I live?"}, user="carl"))["facts"]
    assert content(call(world, "recall", {"query": "where do I live?"}, user="dora")) == {"facts": []}
    assert content(call(world, "forget", {"query": "where I live"}, user="dora")) == {"forgotten": []}
    assert content(call(world, "forget", {"query": "where I live"}, user="carl")) == {"forgotten": ["I live in Oslo"]}
    assert content(call(world, "recall", {"query": "where do I live?"}, user="carl")) == {"facts": []}


@pytest.mark.slow
def test_drawings_follow_the_services_generation_settings(tmp_path):
    services = Services.from_settings(Settings(home=tmp_path, generation={"steps": 2, "seed": 7}))
    graph = StateGraph(MessagesState)
    graph.add_node("tools", ToolNode(create_builtin_tools(services)))
    graph.add_edge(START, "tools")
    graph.add_edge("tools", END)
    seeded = {"graph": graph.compile()}

    def draw(name: str, arguments: dict) -> tuple[bytes, dict]:
        (image,) = content(call(seeded, name, arguments))["images"]
        record = services.images.get(image, "ana")
        return Image.open(record.path).tobytes(), record.provenance

    for name, arguments in [("generate_image", {"prompt": "a red star"}), ("generate_digit", {"digit": 4, "model": "vae"})]:
        pixels, provenance = draw(name, arguments)
        assert draw(name, arguments)[0] == pixels and provenance["seed"] == "7"  # the configured seed
    pixels, provenance = draw("generate_image", {"prompt": "a red star"})
    assert provenance["steps"] == "2"
    assert draw("generate_image", {"prompt": "a red star", "seed": 8})[0] != pixels  # a seed asked for wins
