"""The server on the shipped models: the real planner, guard, tools and memory behind a real uvicorn
server, driven by the official `openai` client and LangChain's `ChatOpenAI`. Nothing is scripted."""

from __future__ import annotations

import io

import httpx
import openai
import pytest
from PIL import Image

from muse.settings import Settings, get_settings
from server.app import create_app
from server.keys import KeyStore, keys_file
from server.testing import running_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served(tmp_path_factory, shared_cache_dir):
    home = tmp_path_factory.mktemp("real-server-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MUSE_HOME", str(home))
        patch.setenv("MUSE_CACHE_DIR", str(shared_cache_dir))  # the planner converted once per test run
        patch.setenv("MUSE_GENERATION__STEPS", "4")  # the shipped pipeline, fewer sampler steps
        get_settings.cache_clear()
        key = KeyStore(keys_file(home)).create("dana")
        with running_server(create_app(Settings(home=home))) as url:
            yield {"url": url, "key": key}


@pytest.fixture(scope="module")
def client(served) -> openai.OpenAI:
    return openai.OpenAI(base_url=served["url"] + "/v1", api_key=served["key"], max_retries=0, timeout=600)


def test_a_drawing_request_calls_generate_image_and_returns_the_image(served, client):
    completion = client.chat.completions.create(model="muse", messages=[{"role": "user", "content": "draw a red circle"}])
    muse = completion.model_extra["muse"]
    assert muse["tool_calls"][0]["name"] == "generate_image"
    assert completion.choices[0].message.content and muse["images"]
    png = httpx.get(muse["images"][0]["url"], headers={"Authorization": f"Bearer {served['key']}"})
    assert png.status_code == 200 and Image.open(io.BytesIO(png.content)).size[0] > 0


def test_a_streamed_text_answer_arrives_as_deltas(client):
    chunks = list(client.chat.completions.create(model="muse", messages=[{"role": "user", "content": "hi muse!"}], stream=True))
    text = "".join(chunk.choices[0].delta.content or "" for chunk in chunks)
    final = chunks[-1].model_extra["muse"]
    assert final["event"] == "turn_finished" and chunks[-1].choices[0].finish_reason == "stop"
    assert text.strip() and final["turn"]["tool_calls"] == []
    assert len([chunk for chunk in chunks if chunk.choices[0].delta.content]) > 1


def test_an_uploaded_image_is_read_by_a_vision_tool(served, client):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (0, 0, 255)).save(buffer, format="PNG")
    uploaded = httpx.post(served["url"] + "/v1/images", files={"file": ("blue.png", buffer.getvalue(), "image/png")},
                          headers={"Authorization": f"Bearer {served['key']}"}).json()
    completion = client.chat.completions.create(model="muse", messages=[{"role": "user", "content": [
        {"type": "text", "text": "what colour is this image?"},
        {"type": "image_url", "image_url": {"url": f"muse://{uploaded['id']}"}},
    ]}])
    calls = completion.model_extra["muse"]["tool_calls"]
    assert calls and calls[0]["name"] in ("classify_image", "ask_image", "caption_image")
    assert calls[0]["arguments"]["image"] == uploaded["id"] and calls[0]["error"] is None


def test_langchain_chat_openai_talks_to_the_agent(served):
    from langchain_openai import ChatOpenAI

    llm = ChatOpenAI(base_url=served["url"] + "/v1", api_key=served["key"], model="muse", max_retries=0, timeout=600)
    reply = llm.invoke("remember that my favourite colour is green")
    assert reply.content and reply.response_metadata["finish_reason"] == "stop"
    facts = httpx.get(served["url"] + "/v1/memory", headers={"Authorization": f"Bearer {served['key']}"}).json()["data"]
    assert any("green" in fact["text"] for fact in facts)
