"""The local planner behind LangChain's chat-model interface: bind_tools, tool_calls, streaming."""

import enum

import jsonschema
import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool

from muse.errors import MuseError
from tools.llm.chat_model import LocalChatModel, to_turns
from tools.llm.decoding import Decoder
from tools.llm.loading import LoadedLM
from tools.llm.schemas import normalize_tool


class Unit(str, enum.Enum):
    celsius = "celsius"
    fahrenheit = "fahrenheit"


@tool
def get_weather(city: str, unit: Unit = Unit.celsius) -> str:
    """Get the weather for a city."""
    return f"sunny in {city}"


@pytest.fixture(scope="module")
def chat_model(smollm2_tokenizer):
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(1)
    config = LlamaConfig(vocab_size=len(smollm2_tokenizer), hidden_size=32, intermediate_size=64,
                         num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2)
    lm = LoadedLM(model=LlamaForCausalLM(config).eval(), tokenizer=smollm2_tokenizer, name="tiny", adapter=None)
    return LocalChatModel(decoder=Decoder(lm, max_new_tokens=30), model_name="tiny")


def test_a_langchain_tool_becomes_a_plain_schema():
    schema = normalize_tool(get_weather)
    assert schema["name"] == "get_weather"
    assert schema["parameters"]["properties"]["unit"]["enum"] == ["celsius", "fahrenheit"]
    assert "$defs" not in schema["parameters"]


def test_bind_tools_round_trip_gives_valid_tool_calls(chat_model):
    bound = chat_model.bind_tools([get_weather], tool_choice="get_weather")
    message = bound.invoke([SystemMessage("Be brief."), HumanMessage("weather in Oslo?")])
    assert isinstance(message, AIMessage)
    assert [call["name"] for call in message.tool_calls] == ["get_weather"]
    call = message.tool_calls[0]
    jsonschema.validate(call["args"], normalize_tool(get_weather)["parameters"])
    assert call["id"].startswith("call_") and message.response_metadata["forced_tokens"] > 0
    assert get_weather.invoke(call["args"])  # the arguments are what the tool itself accepts


def test_streaming_yields_chunks_that_add_up_to_the_message(chat_model):
    bound = chat_model.bind_tools([get_weather], tool_choice="any")
    chunks = list(bound.stream("weather in Paris"))
    merged = chunks[0]
    for chunk in chunks[1:]:
        merged += chunk
    assert merged.tool_calls and merged.tool_calls[0]["name"] == "get_weather"
    text_chunks = list(chat_model.bind_tools([get_weather], tool_choice="none").stream("hi"))
    assert all(not chunk.tool_calls for chunk in text_chunks)


def test_conversation_with_tool_results_becomes_the_trained_turns():
    messages = [
        HumanMessage("draw a red star"),
        AIMessage("", tool_calls=[{"name": "generate_image", "args": {"prompt": "a red star"}, "id": "c1"}]),
        ToolMessage('{"images": ["img_1"]}', tool_call_id="c1"),
    ]
    turns = to_turns(messages, [])
    assert [t["role"] for t in turns] == ["user", "assistant", "tool"]
    assert '"name":"generate_image"' in turns[1]["content"]
    assert turns[2]["content"].startswith("generate_image returned: ")


def test_bad_tool_schemas_are_refused_with_a_clear_message(chat_model):
    with pytest.raises(MuseError, match="tool name"):
        chat_model.bind_tools([{"name": "has space", "parameters": {"type": "object"}}])
    with pytest.raises(MuseError, match="duplicate"):
        chat_model.bind_tools([get_weather, get_weather])
    with pytest.raises(MuseError, match="invalid parameters schema"):
        chat_model.bind_tools([{"name": "x", "parameters": {"type": "object", "properties": {"a": {"type": "nope"}}}}])
