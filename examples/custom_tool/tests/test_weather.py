"""The example tool answers deterministically, declares its schema, and is what the entry point returns."""

from __future__ import annotations

import json

from muse_weather_example import load_tools
from muse_weather_example.weather import get_weather


def test_same_city_same_weather_in_either_unit():
    celsius = json.loads(get_weather.invoke({"city": "Oslo"}))
    again = json.loads(get_weather.invoke({"city": "  oslo "}))
    fahrenheit = json.loads(get_weather.invoke({"city": "Oslo", "unit": "fahrenheit"}))
    assert celsius["unit"] == "celsius" and -5 <= celsius["temperature"] <= 30
    assert {**again, "city": "Oslo"} == celsius
    assert fahrenheit["temperature"] == round(celsius["temperature"] * 9 / 5 + 32)
    assert celsius["note"] == "example data"


def test_empty_city_is_an_error_result():
    assert "error" in json.loads(get_weather.invoke({"city": "  "}))


def test_schema_the_planner_sees():
    schema = get_weather.tool_call_schema.model_json_schema()
    assert get_weather.name == "get_weather"
    assert schema["required"] == ["city"]
    assert schema["properties"]["unit"]["enum"] == ["celsius", "fahrenheit"]
    assert schema["properties"]["city"]["description"] == "the city, e.g. Oslo"


def test_entry_point_callable_returns_the_tool():
    assert load_tools() == [get_weather]
