"""The tool-call grammar accepts exactly the calls that validate against the offered schemas."""

import json
import random

import jsonschema
import pytest

from tools.llm.grammar import ToolCallGrammar
from tools.llm.prompt import CALL_CLOSE, CALL_OPEN, render_call, render_calls

WEATHER = {
    "name":"get_weather",
    "description":"Weather for a city.",
    "parameters": {
        "type":"object",
        "properties": {
            "city": {"type":"string"},
            "days": {"type":"integer","minimum": 1, "maximum": 14},
            "unit": {"type":"string","enum": ["celsius","fahrenheit"]},
            "hourly": {"type":"boolean"},
        },
        "required": ["city"],
    },
}
ORDER = {
    "name":"order_pizza",
    "description":"Order a pizza.",
    "parameters": {
        "type":"object",
        "properties": {
            "toppings": {"type":"array","items": {"type":"string"}, "minItems": 1, "maxItems": 4},
            "size": {"type":"string","enum": ["small","large"]},
            "price": {"type":"number","minimum": 0, "maximum": 99.5},
            "note": {"type": ["string","null"]},
            "extras": {"type":"object"},
        },
        "required": ["toppings","size"],
    },
}
CLOCK = {"name":"get_time","description":"The time.","parameters": {"type":"object","properties": {}}}
TOOLS = [WEATHER, ORDER, CLOCK]
BY_NAME = {tool["name"]: tool for tool in TOOLS}


@pytest.fixture(scope="module")
def grammar():
    return ToolCallGrammar(TOOLS)


VALID_CALLS = [
    ("get_weather", {"city":"Oslo"}),
    ("get_weather", {"city":"São Paulo","days": 14, "unit":"celsius","hourly": False}),
    ("get_weather", {"city": 'say "hi"\\', "hourly": True}),
    ("order_pizza", {"toppings": ["ham","olives"], "size":"large","price": 12.5, "note": None}),
    ("order_pizza", {"toppings": ["x"], "size":"small","extras": {"a": [1, {"b":"c"}], "d": -2.5e3}}),
    ("get_time", {}),
]


@pytest.mark.parametrize("name,arguments", VALID_CALLS)
def test_every_prefix_of_a_valid_call_is_valid_and_the_call_is_complete(grammar, name, arguments):
    text = render_call(name, arguments, BY_NAME[name]["parameters"])
    for end in range(len(text)):
        assert grammar.check(text[:end]).valid, text[:end]
        assert not grammar.check(text[:end]).complete
    assert grammar.check(text).complete


def test_several_calls_in_one_turn(grammar):
    text = render_calls([VALID_CALLS[0], VALID_CALLS[5]], BY_NAME)
    assert grammar.check(text).complete
    assert grammar.check(text + "\n<tool").valid
    assert not grammar.check(text + " and more").valid


@pytest.mark.parametrize(
    "body",
    [
        '{"name":"get_wether","arguments":{"city":"Oslo"}}',  # not an offered tool
        '{"name":"get_weather","arguments":{}}',  # missing required argument
        '{"name":"get_weather","arguments":{"city":""}}',  # empty string
        '{"name":"get_weather","arguments":{"city":"Oslo","days":15}}',  # above maximum
        '{"name":"get_weather","arguments":{"city":"Oslo","days":0}}',  # below minimum
        '{"name":"get_weather","arguments":{"city":"Oslo","days":2.5}}',  # not an integer
        '{"name":"get_weather","arguments":{"city":"Oslo","unit":"kelvin"}}',  # not in the enum
        '{"name":"get_weather","arguments":{"city":"Oslo","wind":true}}',  # unknown key
        '{"name":"get_time","arguments":{"zone":"UTC"}}',  # a tool without parameters takes none
        '{"name":"get_weather","arguments":{"days":3,"city":"Oslo"}}',  # keys out of schema order
        '{"name":"order_pizza","arguments":{"toppings":[],"size":"small"}}',  # too few items
        '{"name":"get_weather","arguments":{"city":"Os\nlo"}}',  # raw control character
    ],
)
def test_invalid_calls_are_rejected(grammar, body):
    assert not grammar.check(CALL_OPEN + body + CALL_CLOSE).valid


def test_forced_text_is_fast_forwarded(grammar):
    assert grammar.check("").forced == CALL_OPEN
    assert grammar.check(CALL_OPEN).forced == '{"name":'
    status = grammar.check(CALL_OPEN + '{"name":"get_')
    assert set(status.options) == {'weather"', 'time"'} and status.forced == ""
    assert grammar.check(CALL_OPEN + '{"name":"get_w').forced == 'eather"'
    assert grammar.check(CALL_OPEN + '{"name":"get_weather","arguments":{').forced == '"city":'
    assert grammar.check(CALL_OPEN + '{"name":"get_weather","arguments":{"city":"Os').free


def test_numbers_that_can_no_longer_fit_are_rejected_early(grammar):
    prefix = CALL_OPEN + '{"name":"get_weather","arguments":{"city":"Oslo","days":'
    assert grammar.check(prefix + "1").valid  # may become 14
    assert grammar.check(prefix + "2").valid  # 2 itself is fine
    assert not grammar.check(prefix + "20").valid
    assert not grammar.check(prefix + "-").valid


def test_a_leading_zero_takes_no_more_digits():
    """0 under a minimum of 0.5 goes on with a decimal point, never 00; under a minimum of 1 it is a dead end."""
    def hours(minimum):
        return ToolCallGrammar([{"name": "log_sleep", "parameters": {"type": "object", "properties": {
            "hours": {"type": "number", "minimum": minimum, "maximum": 24}}, "required": ["hours"]}}])

    prefix = CALL_OPEN + '{"name":"log_sleep","arguments":{"hours":'
    assert hours(0.5).check(prefix + "0").options == (".",)
    call = json.loads(hours(0.5).complete(prefix + "0").split(CALL_OPEN, 1)[1].split(CALL_CLOSE)[0])
    assert call["arguments"]["hours"] >= 0.5
    assert not hours(1).check(prefix + "0").valid and hours(1).check(prefix + "1").valid


def _random_prefix_completions(grammar, rng, count):
    for _ in range(count):
        name, arguments = rng.choice(VALID_CALLS)
        text = render_call(name, arguments, BY_NAME[name]["parameters"])
        yield grammar.complete(text[: rng.randrange(len(text))])


def test_any_valid_prefix_completes_to_calls_that_validate(grammar):
    rng = random.Random(0)
    for completed in _random_prefix_completions(grammar, rng, 300):
        for block in completed.split(CALL_CLOSE)[:-1]:
            call = json.loads(block.split(CALL_OPEN, 1)[1])
            jsonschema.validate(call["arguments"], BY_NAME[call["name"]]["parameters"])


def test_a_string_at_its_maximum_length_must_close():
    grammar = ToolCallGrammar([{"name": "tag", "parameters": {"type": "object", "properties": {
        "label": {"type": "string", "maxLength": 3}}, "required": ["label"]}}])
    prefix = CALL_OPEN + '{"name":"tag","arguments":{"label":"ab'
    assert grammar.check(prefix).free
    status = grammar.check(prefix + "c")
    assert status.options == ('"',) and not status.free and status.forced == '"'
    assert not grammar.check(prefix + "cd").valid
