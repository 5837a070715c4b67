"""Which fact a text answer quotes: the turn's most relevant one."""

import json

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


def test_a_recalls_result_comes_before_the_memories_and_the_last_recall_first():
    results = [("recall", {"facts": ["I live in Oslo"]}), ("recall", {"facts": ["I was born in Trondheim", "I live in Oslo"]})]
    assert fact_to_quote(_turn("where was I born?", ["my sister is called Ana"], results)) == "I was born in Trondheim"


def test_results_without_facts_leave_the_memories_and_a_turn_without_any_quotes_nothing():
    results = [("recall", {"facts": []}), ("get_weather", {"sky": "rain"}), ("convert", "12.5 EUR")]
    assert fact_to_quote(_turn("what's my job?", ["I work as a teacher"], results)) == "I work as a teacher"
    assert fact_to_quote(_turn("what's my job?", [], results)) is None
    assert fact_to_quote(_turn("a new turn")[:1]) is None


def test_only_the_current_turns_facts_count():
    earlier = _turn("where do I live?", ["I live in Oslo"])
    later = [*earlier, {"role": "assistant", "content": quoted_fact("I live in Oslo")},
             {"role": "user", "content": render_user("and my job?")}]
    assert fact_to_quote(later) is None
