"""Other planner models by configuration: a local Hugging Face directory, an OpenAI-compatible endpoint."""

import jsonschema
import pytest

from muse.errors import MuseError
from muse.settings import Settings
from tools.llm.catalog import builtin_schemas
from tools.llm.planner import create_chat_model, plan


@pytest.fixture
def tiny_qwen_dir(tmp_path, smollm2_tokenizer):
    """A randomly initialised Qwen2 model saved as a plain directory, as a user's own model would be."""
    from transformers import Qwen2Config, Qwen2ForCausalLM

    config = Qwen2Config(vocab_size=len(smollm2_tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=4, num_key_value_heads=2, eos_token_id=smollm2_tokenizer.eos_token_id)
    directory = tmp_path / "tiny-qwen"
    Qwen2ForCausalLM(config).save_pretrained(directory)
    smollm2_tokenizer.save_pretrained(directory)
    return directory


def test_a_local_model_directory_plans_through_the_same_code(tiny_qwen_dir, monkeypatch):
    monkeypatch.setenv("MUSE_PLANNER__MODEL", str(tiny_qwen_dir))
    monkeypatch.setenv("MUSE_PLANNER__ADAPTER", "")
    monkeypatch.setenv("MUSE_PLANNER__MAX_NEW_TOKENS", "24")
    chat_model = create_chat_model(Settings())
    assert type(chat_model.decoder.lm.model).__name__ == "Qwen2ForCausalLM"
    tools = builtin_schemas()
    message = chat_model.bind_tools(tools, tool_choice="any").invoke("draw a cat")
    by_name = {tool["name"]: tool for tool in tools}
    assert message.tool_calls
    for call in message.tool_calls:
        jsonschema.validate(call["args"], by_name[call["name"]]["parameters"])
    assert isinstance(plan(chat_model, "hello", tools).content, str)


def test_the_openai_backend_is_a_chat_openai_on_the_configured_endpoint(monkeypatch):
    from langchain_openai import ChatOpenAI

    monkeypatch.setenv("MUSE_PLANNER__BACKEND", "openai")
    monkeypatch.setenv("MUSE_PLANNER__OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("MUSE_PLANNER__OPENAI_MODEL", "llama-3-8b-instruct")
    chat_model = create_chat_model(Settings())
    assert isinstance(chat_model, ChatOpenAI)
    assert chat_model.model_name == "llama-3-8b-instruct"
    assert str(chat_model.openai_api_base).startswith("http://127.0.0.1:9/v1")


def test_the_openai_backend_without_an_endpoint_says_what_to_set(monkeypatch):
    monkeypatch.setenv("MUSE_PLANNER__BACKEND", "openai")
    with pytest.raises(MuseError, match="MUSE_PLANNER__OPENAI_BASE_URL"):
        create_chat_model(Settings())


def test_a_missing_model_directory_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("MUSE_PLANNER__MODEL", str(tmp_path / "nowhere"))
    monkeypatch.setenv("MUSE_PLANNER__ADAPTER", "")
    with pytest.raises(MuseError, match="cannot load the planner model"):
        create_chat_model(Settings())
