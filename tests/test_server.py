"""The server end to end: a real uvicorn server on loopback, the real agent with a rule-following planner
(so each test knows what the turn does), real tools, image store and memory, driven by the official
`openai` client, LangChain's `ChatOpenAI` and plain HTTP.

The shipped planner is tested the same way in test_server_real.py.
"""

from __future__ import annotations

import base64
import io
import json
import threading
import time
from typing import Any

import httpx
import openai
import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.tools import tool
from PIL import Image

from agent.agent import Agent
from muse.settings import ServerSettings, Settings, get_settings
from server.app import create_app
from server.keys import KeyStore, keys_file
from server.testing import running_server

MAX_UPLOAD = 300_000
MAX_CHARS = 2_000
ticks: list[float] = []
release = threading.Event()
blocked = threading.Event()


@tool
def tick() -> str:
    """Wait a moment (a slow tool for the disconnect test)."""
    ticks.append(time.monotonic())
    time.sleep(0.3)
    return '{"ticked":true}'


class RulePlanner(BaseChatModel):
    """Decides from the request: 'draw X' calls generate_image, 'what colour' classifies the attached
    image, 'slow' calls tick until the step limit, 'block' waits for the test; else it echoes."""

    @property
    def _llm_type(self) -> str:
        return "rule-planner"

    def bind_tools(self, tools, **kwargs):
        return self

    def _decide(self, messages) -> AIMessage:
        last = messages[-1]
        request = next(m for m in reversed(messages) if isinstance(m, HumanMessage)).content
        lines = [line for line in request.splitlines() if not line.startswith(("Memory:", "Attached:"))]
        text = " ".join(lines)
        attached = [line.split(": ", 1)[1] for line in request.splitlines() if line.startswith("Attached:")]
        if "slow" in text:
            return _call("tick")
        if isinstance(last, ToolMessage):
            return AIMessage(f"Done: {last.content}")
        if "block" in text:
            blocked.set()
            release.wait(30)
            return AIMessage("unblocked")
        if text.startswith("draw "):
            return _call("generate_image", prompt=text[5:], seed=1)
        if "what colour" in text and attached:
            return _call("classify_image", image=attached[0].split(",")[0].strip())
        return AIMessage(f"You said: {text}")

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        return ChatResult(generations=[ChatGeneration(message=self._decide(messages))])

    def _stream(self, messages, stop=None, run_manager=None, **kwargs):
        decision = self._decide(messages)
        if decision.tool_calls:
            yield ChatGenerationChunk(message=AIMessageChunk(content="", tool_calls=decision.tool_calls))
            return
        words = decision.content.split(" ")
        for index, word in enumerate(words):
            yield ChatGenerationChunk(message=AIMessageChunk(content=word if index == len(words) - 1 else word + " "))


def _call(name: str, **arguments: Any) -> AIMessage:
    _call.count = getattr(_call, "count", 0) + 1
    return AIMessage("", tool_calls=[{"name": name, "args": arguments, "id": f"call_{_call.count}", "type": "tool_call"}])


class AllowAll:
    """The guard boundary for these tests: refuses only requests that say 'forbidden'."""

    def check_request(self, text: str):
        from agent.guard import Verdict

        if "forbidden" in text:
            return Verdict(False, "violence", "I can't help with that.", 1.0)
        return Verdict(True, None, "", 0.0)

    def check_data(self, text: str):
        from agent.guard import Verdict

        return Verdict(True, None, "", 0.0)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """One server for the module: keys for ana and bob, small upload and message limits."""
    home = tmp_path_factory.mktemp("server-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MUSE_HOME", str(home))
        patch.setenv("MUSE_GENERATION__STEPS", "4")  # fast, still the real pipeline
        get_settings.cache_clear()
        settings = Settings(home=home, server=ServerSettings(max_upload_bytes=MAX_UPLOAD, max_message_chars=MAX_CHARS))
        keys = KeyStore(keys_file(home))
        ana, bob = keys.create("ana"), keys.create("bob")
        agent = Agent(settings, chat_model=RulePlanner(), extra_tools=[tick], guard=AllowAll())
        app = create_app(settings, agent)
        with running_server(app) as base_url:
            yield {"url": base_url, "ana": ana, "bob": bob, "app": app, "agent": agent, "settings": settings, "home": home}


@pytest.fixture(scope="module")
def ana(served) -> openai.OpenAI:
    return openai.OpenAI(base_url=served["url"] + "/v1", api_key=served["ana"], max_retries=0)


@pytest.fixture(scope="module")
def bob(served) -> openai.OpenAI:
    return openai.OpenAI(base_url=served["url"] + "/v1", api_key=served["bob"], max_retries=0)


def http(served, user: str = "ana") -> httpx.Client:
    return httpx.Client(base_url=served["url"], headers={"Authorization": f"Bearer {served[user]}"}, timeout=120)


def png_bytes(colour=(255, 0, 0), size=(32, 32)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def data_url(data: bytes, kind: str = "image/png") -> str:
    return f"data:{kind};base64," + base64.b64encode(data).decode()


def user_message(text: str, *images: str) -> list[dict]:
    parts = [{"type": "text", "text": text}] + [{"type": "image_url", "image_url": {"url": url}} for url in images]
    return [{"role": "user", "content": parts}]


# -- chat with the official client --------------------------------------------------------------------


def test_chat_answers_with_the_agent_and_reports_the_session(ana):
    completion = ana.chat.completions.create(model="muse", messages=[{"role": "user", "content": "hello there"}])
    assert completion.choices[0].message.content == "You said: hello there"
    assert completion.choices[0].finish_reason == "stop"
    muse = completion.model_extra["muse"]
    assert muse["session"].startswith("chat-") and muse["tool_calls"] == [] and muse["ms"] > 0


def test_chat_reports_tool_calls_and_generated_images(served, ana):
    completion = ana.chat.completions.create(model="muse", messages=[{"role": "user", "content": "draw a red circle"}])
    muse = completion.model_extra["muse"]
    (call,) = muse["tool_calls"]
    assert call["name"] == "generate_image" and call["arguments"]["prompt"] == "a red circle" and call["error"] is None
    (image,) = muse["images"]
    assert image["url"] == f"{served['url']}/v1/images/{image['id']}"
    assert image["id"] in completion.choices[0].message.content
    png = http(served).get(image["url"])
    assert png.status_code == 200 and png.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(png.content)).size[0] >= 16


def test_streaming_gives_text_deltas_tool_events_and_done(served, ana):
    stream = ana.chat.completions.create(model="muse", messages=[{"role": "user", "content": "draw a blue square"}], stream=True)
    chunks = list(stream)
    assert all(chunk.object == "chat.completion.chunk" for chunk in chunks)
    events = [chunk.model_extra.get("muse", {}).get("event") for chunk in chunks]
    assert events[0] == "turn_started" and "tool_started" in events and "tool_finished" in events and "image" in events
    assert chunks[-1].choices[0].finish_reason == "stop" and events[-1] == "turn_finished"
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks)
    assert text.startswith("Done: ") and "img_" in text
    with http(served).stream("POST", "/v1/chat/completions", json={"model": "muse", "stream": True, "messages": user_message("hi you")}) as response:
        lines = [line for line in response.iter_lines() if line]
    assert response.headers["content-type"].startswith("text/event-stream")
    assert lines[-1] == "data: [DONE]"
    deltas = [json.loads(line[6:])["choices"][0]["delta"].get("content") for line in lines[:-1]]
    assert [d for d in deltas if d] == ["You ", "said: ", "hi ", "you"]


def test_langchain_chat_openai_invokes_and_streams(served):
    from langchain_openai import ChatOpenAI

    llm = ChatOpenAI(base_url=served["url"] + "/v1", api_key=served["ana"], model="muse", max_retries=0)
    assert llm.invoke("good morning").content == "You said: good morning"
    pieces = [chunk.content for chunk in llm.stream("good evening")]
    assert "".join(pieces) == "You said: good evening" and len([p for p in pieces if p]) > 1


def test_a_session_is_selected_by_header_or_user_field(served, ana):
    ana.chat.completions.create(model="muse", messages=[{"role": "user", "content": "first"}], user="trip-1")
    second = ana.chat.completions.create(model="muse", messages=[{"role": "user", "content": "second"}], user="trip-1")
    assert second.model_extra["muse"]["session"] == "trip-1"
    client = http(served)
    history = client.get("/v1/sessions/trip-1").json()["messages"]
    assert [m["content"] for m in history if m["role"] == "user"] == ["first", "second"]
    response = client.post("/v1/chat/completions", headers={"X-Session-Id": "trip-2"},
                           json={"model": "muse", "user": "trip-1", "messages": user_message("third")})
    assert response.headers["x-session-id"] == "trip-2" and response.json()["muse"]["session"] == "trip-2"
    listed = [s["id"] for s in client.get("/v1/sessions").json()["data"]]
    assert listed.index("trip-2") < listed.index("trip-1")
    assert client.delete("/v1/sessions/trip-2").json() == {"id": "trip-2", "deleted": True}
    assert client.get("/v1/sessions/trip-2").status_code == 404


def test_refused_turns_finish_with_content_filter(ana):
    completion = ana.chat.completions.create(model="muse", messages=[{"role": "user", "content": "something forbidden"}])
    assert completion.choices[0].finish_reason == "content_filter"
    assert completion.choices[0].message.content == "I can't help with that."
    assert completion.model_extra["muse"]["refused"] is True


def test_an_attached_image_reaches_the_tools_as_data_url_upload_or_id(served, ana):
    completion = ana.chat.completions.create(model="muse", messages=user_message("what colour is it", data_url(png_bytes((0, 0, 255)))))
    (call,) = completion.model_extra["muse"]["tool_calls"]
    assert call["name"] == "classify_image" and call["error"] is None and '"colour"' in call["result_summary"]
    uploaded = http(served).post("/v1/images", files={"file": ("red.png", png_bytes(), "image/png")})
    assert uploaded.status_code == 201
    image_id = uploaded.json()["id"]
    for reference in (image_id, f"muse://{image_id}"):
        completion = ana.chat.completions.create(model="muse", messages=user_message("what colour is it", reference))
        assert completion.model_extra["muse"]["tool_calls"][0]["arguments"]["image"] == image_id
    assert image_id in [image["id"] for image in http(served).get("/v1/images").json()["data"]]


# -- images, models, embeddings, tools, memory ------------------------------------------------------


def test_images_generations_as_b64_json_and_url_at_the_native_or_a_larger_size(served, ana):
    native = ana.images.generate(prompt="a green triangle", response_format="b64_json")
    image = Image.open(io.BytesIO(base64.b64decode(native.data[0].b64_json)))
    larger = ana.images.generate(prompt="a green triangle", n=2, size="64x64", response_format="url")
    assert len(larger.data) == 2
    fetched = http(served).get(larger.data[0].url)
    assert Image.open(io.BytesIO(fetched.content)).size == (64, 64) and image.size[0] < 64
    stored = larger.model_extra["muse"]["images"][0]
    assert stored["provenance"]["prompt"] == "a green triangle" and stored["provenance"]["size"] == "64x64"


def test_models_embeddings_and_tools(served, ana):
    assert {"muse", "muse-diffusion", "all-MiniLM-L6-v2"} <= {model.id for model in ana.models.list()}
    assert ana.models.retrieve("muse").id == "muse"
    embeddings = ana.embeddings.create(model="all-MiniLM-L6-v2", input=["a red star", "a red star", "tax law"])
    vectors = [item.embedding for item in embeddings.data]
    assert len(vectors[0]) == 384 and embeddings.usage.total_tokens > 0
    same = sum(a * b for a, b in zip(vectors[0], vectors[1]))
    other = sum(a * b for a, b in zip(vectors[0], vectors[2]))
    assert same == pytest.approx(1.0, abs=1e-3) and other < 0.5
    floats = http(served).post("/v1/embeddings", json={"model": "all-MiniLM-L6-v2", "input": "a red star", "encoding_format": "float"})
    assert floats.json()["data"][0]["embedding"] == pytest.approx(vectors[0], abs=1e-5)
    tools = {t["name"]: t for t in http(served).get("/v1/tools").json()["data"]}
    assert {"generate_image", "caption_image", "remember", "tick"} <= set(tools)
    assert tools["generate_image"]["parameters"]["required"] == ["prompt"] and tools["generate_image"]["source"] == "builtin"


def test_memory_is_stored_recalled_and_forgotten_per_user(served):
    ana, bob = http(served, "ana"), http(served, "bob")
    assert ana.post("/v1/memory", json={"fact": "my sister is called Lena"}).status_code == 201
    assert "my sister is called Lena" in [m["text"] for m in ana.get("/v1/memory").json()["data"]]
    assert ana.get("/v1/memory", params={"q": "sister name"}).json()["data"][0]["text"] == "my sister is called Lena"
    assert "my sister is called Lena" not in [m["text"] for m in bob.get("/v1/memory").json()["data"]]
    assert bob.get("/v1/memory", params={"q": "sister name"}).json()["data"] == []
    forgotten = ana.delete("/v1/memory", params={"q": "my sister is called Lena"}).json()["data"]
    assert [m["text"] for m in forgotten] == ["my sister is called Lena"]
    assert ana.get("/v1/memory").json()["data"] == []
    stored = ana.post("/v1/memory", json={"fact": "I live in Oslo"}).json()
    assert stored["duplicate"] is False and stored["memory"]["source"] == "api"
    moved = ana.post("/v1/memory", json={"fact": "I live in Bergen"}).json()
    assert [m["text"] for m in moved["superseded"]] == ["I live in Oslo"]
    fact_id = moved["memory"]["id"]
    assert bob.delete(f"/v1/memory/{fact_id}").status_code == 404
    assert ana.delete(f"/v1/memory/{fact_id}").json() == {"id": fact_id, "deleted": True}
    assert ana.delete(f"/v1/memory/{fact_id}").status_code == 404


# -- users ---------------------------------------------------------------------------------------------


def test_one_users_images_and_sessions_are_unknown_to_another(served, ana, bob):
    image_id = http(served, "ana").post("/v1/images", files={"file": ("g.png", png_bytes((0, 200, 0)), "image/png")}).json()["id"]
    ana.chat.completions.create(model="muse", messages=[{"role": "user", "content": "private"}], user="ana-only")
    as_bob = http(served, "bob")
    for response in (as_bob.get(f"/v1/images/{image_id}"), as_bob.delete(f"/v1/images/{image_id}"),
                     as_bob.get("/v1/sessions/ana-only"), as_bob.delete("/v1/sessions/ana-only")):
        assert response.status_code == 404 and response.json()["error"]["type"] == "not_found_error"
    assert as_bob.get("/v1/images/img_000000000000").json()["error"]["message"] == as_bob.get(f"/v1/images/{image_id}").json()["error"]["message"].replace(image_id, "img_000000000000")
    with pytest.raises(openai.NotFoundError):
        bob.chat.completions.create(model="muse", messages=user_message("what colour is it", image_id))
    assert "ana-only" not in [s["id"] for s in as_bob.get("/v1/sessions").json()["data"]]
    assert image_id not in [i["id"] for i in as_bob.get("/v1/images").json()["data"]]
    # the same session name is a different session for bob
    bob.chat.completions.create(model="muse", messages=[{"role": "user", "content": "mine"}], user="ana-only")
    assert [m["content"] for m in http(served, "ana").get("/v1/sessions/ana-only").json()["messages"] if m["role"] == "user"] == ["private"]


def test_keys_are_required_and_checked(served):
    anonymous = httpx.Client(base_url=served["url"])
    missing = anonymous.get("/v1/models")
    assert missing.status_code == 401 and missing.json()["error"]["code"] == "missing_api_key"
    wrong = anonymous.get("/v1/models", headers={"Authorization": "Bearer sk-muse-nope"})
    assert wrong.status_code == 401 and wrong.json()["error"]["code"] == "invalid_api_key"
    with pytest.raises(openai.AuthenticationError):
        openai.OpenAI(base_url=served["url"] + "/v1", api_key="sk-muse-nope", max_retries=0).models.list()
    assert anonymous.get("/healthz").json()["auth"] == "keys"


def test_muse_keys_cli_creates_lists_and_revokes_keys_a_running_server_honours(served, monkeypatch):
    from typer.testing import CliRunner

    from muse.cli import _register_commands, app

    _register_commands()
    monkeypatch.setenv("MUSE_HOME", str(served["home"]))
    get_settings.cache_clear()
    runner = CliRunner()
    created = runner.invoke(app, ["keys", "create", "carol"])
    assert created.exit_code == 0, created.output
    key = next(line for line in created.stdout.splitlines() if line.startswith("sk-muse-"))
    assert key.startswith("sk-muse-")
    assert key not in keys_file(served["home"]).read_text()
    listed = runner.invoke(app, ["keys", "list"]).stdout
    assert "carol" in listed and key not in listed
    carol = httpx.Client(base_url=served["url"], headers={"Authorization": f"Bearer {key}"})
    assert carol.get("/v1/models").status_code == 200
    assert runner.invoke(app, ["keys", "create", "carol"]).exit_code != 0  # the name is taken
    assert runner.invoke(app, ["keys", "revoke", "carol"]).exit_code == 0
    assert carol.get("/v1/models").status_code == 401


# -- bad input ------------------------------------------------------------------------------------------


def error_of(response: httpx.Response, status: int) -> dict:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert set(error) >= {"message", "type", "code"} and error["message"]
    return error


def test_bad_chat_input_gets_an_openai_style_4xx_and_the_session_survives(served):
    client = http(served)
    url = "/v1/chat/completions"
    turn = {"model": "muse", "messages": user_message("keep me")}
    assert client.post(url, json=turn, headers={"X-Session-Id": "survivor"}).status_code == 200
    noise = io.BytesIO()
    Image.effect_noise((64, 64), 50).save(noise, format="PNG")
    truncated = noise.getvalue()[: len(noise.getvalue()) // 2]
    huge = io.BytesIO()
    Image.new("L", (8000, 5001)).save(huge, format="PNG")  # 40,008,000 pixels, a small file
    cases = [
        (client.post(url, content=b'{"model": "muse", "messages": [', headers={"Content-Type": "application/json"}), 400, "invalid_json"),
        (client.post(url, content=b"hello", headers={"Content-Type": "text/plain"}), 400, None),
        (client.post(url, json={"model": "muse", "messages": [{"role": "user", "content": 5}]}), 400, "invalid_value"),
        (client.post(url, json={"model": "muse", "messages": "hi"}), 400, "invalid_value"),
        (client.post(url, json={**turn, "temperature": "hot"}), 400, "invalid_value"),
        (client.post(url, json={**turn, "stream": [1]}), 400, "invalid_value"),
        (client.post(url, json={"messages": turn["messages"]}), 400, "invalid_value"),
        (client.post(url, json={"model": "muse", "messages": []}), 400, "invalid_value"),
        (client.post(url, json={"model": "muse", "messages": [{"role": "user", "content": "  "}]}), 400, "empty_message"),
        (client.post(url, json={"model": "muse", "messages": [{"role": "user", "content": []}]}), 400, "empty_message"),
        (client.post(url, json={"model": "muse", "messages": [{"role": "assistant", "content": "hi"}]}), 400, "invalid_messages"),
        (client.post(url, json={"model": "muse", "messages": [{"role": "user", "content": [{"type": "audio", "x": 1}]}]}), 400, "invalid_value"),
        (client.post(url, json={"model": "muse", "messages": user_message("x" * (MAX_CHARS + 1))}), 400, "context_length_exceeded"),
        (client.post(url, json={"model": "muse", "messages": user_message("look", data_url(b"not an image at all"))}), 400, "invalid_image"),
        (client.post(url, json={"model": "muse", "messages": user_message("look", data_url(truncated))}), 400, "invalid_image"),
        (client.post(url, json={"model": "muse", "messages": user_message("look", data_url(huge.getvalue()))}), 400, "invalid_image"),
        (client.post(url, json={"model": "muse", "messages": user_message("look", "data:image/png;base64,@@@@")}), 400, "invalid_image_url"),
        (client.post(url, json={"model": "muse", "messages": user_message("look", data_url(bytes(MAX_UPLOAD + 10)))}), 413, "image_too_large"),
        (client.post(url, json={"model": "muse", "messages": user_message("look", "img_0123456789ab")}), 404, "image_not_found"),
        (client.post(url, json={"model": "muse", "messages": user_message("look", "https://example.com/a.png")}), 400, "unsupported_image_url"),
        (client.post(url, json={**turn, "model": "gpt-4o"}), 404, "model_not_found"),
        (client.post(url, json={**turn, "n": 2}), 400, "invalid_value"),
        (client.post(url, json={**turn, "tools": [{"type": "function", "function": {"name": "f"}}]}), 400, "unsupported_parameter"),
        (client.post(url, json=turn, headers={"X-Session-Id": "no spaces/allowed"}), 400, "invalid_session_id"),
        (client.post(url, content=b"x" * 3_000_000, headers={"Content-Type": "application/json"}), 413, "request_too_large"),
    ]
    for number, (response, status, code) in enumerate(cases):
        assert response.status_code == status, (number, response.text)
        error = error_of(response, status)
        assert code is None or error["code"] == code, (number, code, error)
    assert "40,000,000-pixel" in cases[15][0].json()["error"]["message"]
    history = client.get("/v1/sessions/survivor").json()["messages"]
    assert [m["content"] for m in history if m["role"] == "user"] == ["keep me"]
    assert client.post(url, json={**turn, "messages": user_message("still here")}, headers={"X-Session-Id": "survivor"}).status_code == 200


def test_bad_input_to_other_routes_gets_a_4xx(served, ana):
    client = http(served)
    big = bytes(MAX_UPLOAD + 1)
    cases = [
        (client.post("/v1/images/generations", json={"prompt": ""}), 400),
        (client.post("/v1/images/generations", json={"prompt": "a star", "size": "64x32"}), 400),
        (client.post("/v1/images/generations", json={"prompt": "a star", "size": "huge"}), 400),
        (client.post("/v1/images/generations", json={"prompt": "a star", "size": "4096x4096"}), 400),
        (client.post("/v1/images/generations", json={"prompt": "a star", "response_format": "png"}), 400),
        (client.post("/v1/images/generations", json={"prompt": "a star", "n": 20}), 400),
        (client.post("/v1/images/generations", json={"prompt": "a star", "model": "dall-e-3"}), 404),
        (client.post("/v1/images", files={"file": ("x.png", b"<html>", "image/png")}), 400),
        (client.post("/v1/images", files={"file": ("x.png", big, "image/png")}), 413),
        (client.post("/v1/images", files={"file": ("x.png", b"", "image/png")}), 400),
        (client.post("/v1/images", data={"nothing": "here"}), 400),
        (client.get("/v1/images/not-an-id"), 404),
        (client.post("/v1/embeddings", json={"model": "text-embedding-3-small", "input": "hi"}), 404),
        (client.post("/v1/embeddings", json={"model": "all-MiniLM-L6-v2", "input": []}), 400),
        (client.post("/v1/embeddings", json={"model": "all-MiniLM-L6-v2", "input": [[1, 2, 3]]}), 400),
        (client.post("/v1/embeddings", json={"model": "all-MiniLM-L6-v2", "input": "hi", "dimensions": 12}), 400),
        (client.post("/v1/memory", json={"fact": ""}), 400),
        (client.post("/v1/memory", json={"fact": "x", "extra": 1}), 400),
        (client.delete("/v1/memory"), 400),
        (client.get("/v1/memory", params={"k": "many"}), 400),
        (client.get("/v1/models/gpt-4o"), 404),
        (client.get("/v1/nothing"), 404),
        (client.put("/v1/models"), 405),
    ]
    for response, status in cases:
        error_of(response, status)
    with pytest.raises(openai.BadRequestError):
        ana.images.generate(prompt="a star", size="256x512")
    metrics = client.get("/metrics").text
    assert 'status="500"' not in metrics


# -- limits, disconnects, metrics, documentation ---------------------------------------------------------


def test_rate_limit_answers_429_with_retry_after(served):
    settings = served["settings"].model_copy(update={"server": ServerSettings(requests_per_minute=3)})
    with running_server(create_app(settings, served["agent"])) as url:
        client = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {served['ana']}"})
        statuses = [client.get("/v1/models").status_code for _ in range(3)]
        limited = client.get("/v1/models")
        other_key = client.get("/v1/models", headers={"Authorization": f"Bearer {served['bob']}"})
    assert statuses == [200, 200, 200] and other_key.status_code == 200
    assert error_of(limited, 429)["code"] == "rate_limit_exceeded" and int(limited.headers["retry-after"]) >= 1


def test_concurrency_cap_answers_429_and_a_full_queue_503_with_retry_after(served):
    settings = served["settings"].model_copy(update={"server": ServerSettings(concurrent_requests=1, model_workers=1, queue_size=0)})
    blocked.clear()
    release.clear()
    with running_server(create_app(settings, served["agent"])) as url:
        def client(user: str) -> httpx.Client:
            return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {served[user]}"}, timeout=60)

        results = {}
        body = {"model": "muse", "messages": user_message("block please")}
        first = threading.Thread(target=lambda: results.setdefault("first", client("ana").post("/v1/chat/completions", json=body)))
        first.start()
        assert blocked.wait(30)
        same_key = client("ana").post("/v1/chat/completions", json={**body, "messages": user_message("hello")})
        queue_full = client("bob").post("/v1/chat/completions", json={**body, "messages": user_message("hello")})
        cheap = client("bob").get("/v1/models")
        release.set()
        first.join(60)
        metrics = client("ana").get("/metrics").text
    assert error_of(same_key, 429)["code"] == "too_many_concurrent_requests" and same_key.headers["retry-after"]
    assert error_of(queue_full, 503)["code"] == "overloaded" and int(queue_full.headers["retry-after"]) >= 1
    assert cheap.status_code == 200
    assert results["first"].status_code == 200 and results["first"].json()["choices"][0]["message"]["content"] == "unblocked"
    assert 'muse_rejected_requests_total{reason="queue_full"} 1.0' in metrics
    assert 'muse_rejected_requests_total{reason="concurrency"} 1.0' in metrics


def test_a_client_that_disconnects_mid_stream_cancels_its_turn(served):
    ticks.clear()
    client = http(served)
    body = {"model": "muse", "stream": True, "messages": user_message("slow please")}
    with client.stream("POST", "/v1/chat/completions", json=body, headers={"X-Session-Id": "leaver"}) as response:
        for line in response.iter_lines():
            if '"tool_finished"' in line:
                break
    time.sleep(1.5)
    seen = len(ticks)
    time.sleep(1.0)
    assert len(ticks) == seen and seen <= 3  # the step limit would have allowed 6
    state = served["app"].state.muse
    assert state.pool.admitted == 0
    again = client.post("/v1/chat/completions", json={"model": "muse", "messages": user_message("hello again")},
                        headers={"X-Session-Id": "leaver"})
    assert again.status_code == 200


def test_metrics_count_requests_tool_calls_and_queue_depth(served, ana):
    ana.chat.completions.create(model="muse", messages=[{"role": "user", "content": "draw a tiny dot"}])
    text = httpx.get(served["url"] + "/metrics").text
    assert 'muse_http_requests_total{method="POST",route="/v1/chat/completions",status="200"}' in text
    assert 'muse_tool_calls_total{outcome="ok",tool="generate_image"}' in text
    assert "muse_http_request_duration_seconds_bucket" in text and "muse_queue_depth 0.0" in text
    assert 'muse_chat_turns_total{outcome="answered"}' in text


def test_openapi_document_lists_every_route_with_openai_error_bodies(served):
    document = httpx.get(served["url"] + "/openapi.json").json()
    paths = document["paths"]
    expected = {
        "/v1/chat/completions": {"post"}, "/v1/images/generations": {"post"}, "/v1/images": {"get", "post"},
        "/v1/images/{image_id}": {"get", "delete"}, "/v1/models": {"get"}, "/v1/embeddings": {"post"},
        "/v1/sessions": {"get"}, "/v1/sessions/{session_id}": {"get", "delete"}, "/v1/memory": {"get", "post", "delete"},
        "/v1/memory/{memory_id}": {"delete"},
        "/v1/tools": {"get"}, "/healthz": {"get"}, "/metrics": {"get"},
    }
    for path, methods in expected.items():
        assert methods <= set(paths[path]), path
    for path, operations in paths.items():
        for operation in operations.values():
            assert "422" not in operation["responses"], path
    chat = paths["/v1/chat/completions"]["post"]
    assert chat["responses"]["400"]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/ErrorResponse"
    assert "text/event-stream" in chat["responses"]["200"]["content"]
    schemas = document["components"]["schemas"]
    assert {"ChatCompletionRequest", "ChatCompletion", "ChatCompletionChunk", "ImagesResponse", "EmbeddingResponse"} <= set(schemas)
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert any(p["name"] == "x-session-id" for p in chat["parameters"])
