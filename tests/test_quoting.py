"""Which fact a text answer quotes: the turn's most relevant one."""

import json

import pytest

from tools.llm.prompt import render_call, render_tool_result, render_user
from tools.llm.quoting import fact_to_quote, quoted_fact


def _turn(request, memories=(), results=()):
    messages = [{"role": "system", "content": "tools"}, {"role": "user", "content": render_user(request, memories)}]
    for name, result in results:
        messages += [{"role": "assistant", "content": render_call(name, {"query": request})},
                     {"role": "tool", "content": render_tool_result(name, json.dumps(result))}]
    return messages


def test_the_first_memory_recalled_with_the_request_is_quoted():
    memories = ["my favourite band is Portishead", "I like Hallelujah best of all the songs"]
    assert fact_to_quote(_turn("which band do I like most?", memories)) == "my favourite band is Portishead"


def test_after_a_recall_its_first_fact_is_quoted_rather_than_a_memory():
    results = [("recall", {"facts": ["I live in Oslo"]}), ("recall", {"facts": ["I was born in Trondheim", "I live in Oslo"]})]
    assert fact_to_quote(_turn("where was I born?", ["my sister is called Ana"], results)) == "I was born in Trondheim"


@pytest.mark.parametrize("result", [("recall", {"facts": []}), ("get_weather", {"sky": "rain"}), ("convert", "12.5 EUR")])
def test_after_a_result_without_facts_nothing_is_quoted_not_even_a_memory(result):
    assert fact_to_quote(_turn("what's my job?", ["I work as a teacher"], [("recall", {"facts": ["x"]}), result])) is None
    assert fact_to_quote(_turn("a new turn")[:1]) is None


def test_only_the_current_turns_facts_count():
    earlier = _turn("where do I live?", ["I live in Oslo"])
    later = [*earlier, {"role": "assistant", "content": quoted_fact("I live in Oslo")},
             {"role": "user", "content": render_user("and my job?")}]
    assert fact_to_quote(later) is None
