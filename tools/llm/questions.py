"""The tools a request asks a particular question of: after a drawing or a search, "and tell me what
colour the background is" is a question for the tool that answers questions about an image, not for
the one that describes it.

The small planner captions, classifies or searches again when the request goes on with a question about
a particular of what came back ("then check where the circle is"): it learnt "tell me" as a caption's
cue. A question about the whole ("tell me what it shows", "what you drew", "what's in it") stays the
model's to route.
"""

from __future__ import annotations

import re
from typing import Any

from tools.image_store import IMAGE_REFERENCE

# A question about a particular: where, whether, which, how many, or "what" before the thing asked
# about ("what colour", "what digit"), not before what shows or is shown ("what it shows", "what you drew");
# put to someone ("tell me where", "check if") or asked outright ("what colour is it?"), not a clause of
# the request's own ("draw a star where the circle was", "and if you can, make it big").
_ASKED = r"(?:where|whether|if|which|how (?:many|big|large|small)|what (?!(?:{skip})\b)[a-z]+)".format(
    skip="it|its|it's|you|this|that|these|those|they|he|she|i|we|is|was|are|the|a|an|there|does|do|did")
_PARTICULAR = re.compile(
    rf"\b(?:tell me|check|see|say|let me know|find out|ask(?: it| the [a-z]+)?|answer),? {_ASKED}\b"
    rf"|\b{_ASKED}(?: [a-z]+){{0,4}} (?:is|are|was|were|does|do|did|can)\b(?=[^?]*\?)"
)


def asks_particular(request: str) -> bool:
    """Whether the request asks a question about a particular (the colour, the place, whether a thing is there)."""
    return bool(_PARTICULAR.search(request.casefold().replace("what's", "what is")))


def answers_image_questions(tool: dict[str, Any]) -> bool:
    """A tool that answers a question about an image: its required parameters are `image` and a string `question`."""
    parameters = tool.get("parameters") or {}
    question = (parameters.get("properties") or {}).get("question") or {}
    return set(parameters.get("required") or ()) == {"image", "question"} and question.get("type") == "string"


def questioned_tools(request: str, result: str, tools: list[dict[str, Any]], called: set[str]) -> set[str]:
    """The tools that answer questions about an image, not called yet, when the last `result` shows an
    image and the request asks about a particular."""
    if not (IMAGE_REFERENCE.search(result) and asks_particular(request)):
        return set()
    return {tool["name"] for tool in tools if answers_image_questions(tool)} - called
