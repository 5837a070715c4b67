"""Which tools the planner is offered at a step, and which of its calls the turn runs.

A tool that takes an image (a required `image` parameter: muse's caption_image, ask_image and
classify_image, and any plug-in written the same way) is offered only once the conversation shows an
image, as an id or the path of an image file. With nothing to look at, a small planner otherwise
sends a city or a prompt as "the image" ("what's the weather in Oslo" → ask_image(image="Oslo")).

The tools that change memory (remember, forget) are offered after a tool has answered only when the
request itself asks for what they do ("check the weather in Rome, then remember it" offers remember,
not forget): what to store or drop comes from the user, never from a tool's result. A result can then
not make the agent delete a memory (after a plug-in's "12:00 in Lisbon" the small planner would
otherwise sometimes call forget("Lisbon"); after storing "I live in Lisbon" it sometimes forgot it
again), whether by accident or by injection. Before a result, remember is not offered for a question
that does not ask to store anything: a question tells no fact, and the small planner stored "should I
bring an umbrella in Glasgow today?" as "I should bring an umbrella in Glasgow today".

With many tools (plug-ins beside muse's own), only the `agent.max_offered_tools` nearest the request
are offered, by MiniLM similarity of the request to each tool's name and description: the planner was
trained with at most about a dozen tools in its prompt (muse's own 9 fit without a cut), and with 17
it more often takes a near miss ("is it raining in Nairobi?" → recall). They are offered nearest first:
the small planner leans to the tools it reads first (custom-tools eval suite 60.4 → 68.8 %; on the
planner benchmark's unseen tools, in two draws not used for the choice, selection 84 → 86 %, exact
calls 57.5 → 59.5 %). A tool also counts as near when it is near the user's words the planner is
shown together, earlier requests included: a follow-up names no tool ("what's the weather in Lima?",
then "and in Quito?", which alone is nearest recall).

The turn runs only calls to tools offered at that step, and never a call it has already made with the
same arguments: that result is already in the conversation, and a planner that repeats itself would
otherwise loop until the step limit.

A call to remember that stores words of a recalled memory the request does not say takes its fact from
memory, not from the user: the small planner copied the memory shown above the request, or mixed it in
("a square in my favourite colour, please" under "Memory: blue is my favourite colour" stored "a blue
square"). The agent then asks once more: without the memories when the request asks to store something,
so the fact can only come from the request ("I moved to Bergen, remember that" under "Memory: I live in
Oslo" stored "I live in Oslo" again); without remember when it does not, since the memory is there to be
used ("my favourite shape in yellow" under "Memory: I like circles best" stored the liking instead of
drawing).

A call whose words only point at an image ("this picture", "a new one like it", the image's id) where
the tool needs words (a prompt to draw, a query, a fact) is planned again without that tool: there is
nothing in them for the tool to work with. With a picture attached, the small planner otherwise drew
"this picture" when asked to keep it, and drew "this image" first when asked to caption it and then draw
one like it; after writing a digit, it drew the digit's id.

A follow-up that only changes a detail of the request before ("and in Quito?" after "what's the weather
in Lima?", "what about 50 euros?") is planned with the one tool the turn before called, if it is offered:
the planner is shown earlier requests and answers but not their calls, and the small planner answered
"and in Quito?" with Lima's weather.

After a tool has answered a request of one part (no "and", "then" or comma), a tool that looks at an
image is offered only when the request says a word of its name or description ("describe it"): the small
planner captioned the digit it had just written for "write a handwritten 6", and the star it had drawn
for "could you do a star in my favourite colour?". A request of two parts keeps every tool for its second.
"""

from __future__ import annotations

import json
import re
from typing import Any

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool

from agent.planner_view import attached_images, current_turn_start, message_text, turn_results
from tools.builtin import withheld_memory_tools
from tools.image_store import IMAGE_ID, IMAGE_REFERENCE, requires_image
from tools.llm.grounding import terms
from tools.llm.naming import says
from tools.llm.prompt import user_words
from tools.llm.tool_similarity import tool_similarities

# A request that only changes a detail of the one before: "and in Quito?", "what about tomorrow?"
_FOLLOW_UP = re.compile(r"^(?:(?:and|but|ok|okay|now|so),? )?(?:what|how) about\b|^and (?:in|for|at|on|with|to|from|by)\b",
                        re.IGNORECASE)
FOLLOW_UP_WORDS = 8  # longer requests say what they want themselves
_JOINT = re.compile(r"\b(?:and|then|also|plus|after|afterwards|before)\b|[,;:]", re.IGNORECASE)  # a request's second part
# Words that only point at an image: "this picture", "it", "that one", "a new one like it".
_POINTER = re.compile(r"(?:(?:this|that|the|these|those|my|your|a|an) )?(?:(?:new|similar|same|attached|other|another) )?"
                      r"(?:it|one|image|picture|photo|pic|drawing|thing)s?(?: (?:like|as) (?:it|this|that)(?: one)?)?")


def offered_tools(tools: list[BaseTool], shown: list[AnyMessage], request: str, limit: int = 0) -> list[BaseTool]:
    """The tools the planner may call, given the messages it is shown at this step and the request:
    at most `limit` of them (0: no limit), the nearest the request or the user's words shown."""
    image = shows_image(shown)
    looking = {tool.name for tool in tools if takes_image(tool)}
    after_result = bool(turn_results(shown))
    withheld = withheld_memory_tools(request, after_result)
    if after_result and not _JOINT.search(request):
        withheld |= {tool.name for tool in tools if tool.name in looking and not asks_for_tool(request, tool)}
    offered = [tool for tool in tools if (image or tool.name not in looking) and tool.name not in withheld]
    if not 0 < limit < len(offered):
        return offered
    conversation = "\n".join(user_words(message_text(m)) for m in shown if isinstance(m, HumanMessage))
    return nearest_tools(offered, request, limit, conversation)


def followed_up_tool(messages: list[AnyMessage], offered: list[BaseTool]) -> str | None:
    """The tool a follow-up that only changes a detail asks for again ("and in Quito?" after the weather in
    Lima): the one tool the turn before called, when it is offered."""
    start = current_turn_start(messages)
    request = message_text(messages[start]).strip()
    if not _FOLLOW_UP.search(request) or len(request.split()) > FOLLOW_UP_WORDS:
        return None
    try:
        previous = current_turn_start(messages[:start])
    except ValueError:  # the session's first request follows nothing
        return None
    called = {call["name"] for m in messages[previous:start] if isinstance(m, AIMessage) for call in m.tool_calls}
    return next(iter(called)) if len(called) == 1 and called <= {tool.name for tool in offered} else None


def asks_for_tool(request: str, tool: BaseTool) -> bool:
    """Whether the request says a word of the tool's name or description, endings aside ("describe it" for
    caption_image, "Describe what an image shows.")."""
    words = _terms(user_words(request))
    return any(word == said or says(word, said) or says(said, word)
               for word in _terms(f"{tool.name.replace('_', ' ')} {tool.description}") for said in words)


def nearest_tools(tools: list[BaseTool], request: str, limit: int, conversation: str = "") -> list[BaseTool]:
    """The `limit` tools whose name and description are nearest the request, or the user's words the
    planner is shown when those are nearer (MiniLM cosine), nearest first."""
    similarity = tool_similarities([(tool.name, tool.description) for tool in tools], [request, conversation])
    kept = similarity.argsort()[::-1][:limit].tolist()
    return [tools[index] for index in kept]


def takes_image(tool: BaseTool) -> bool:
    return requires_image(convert_to_openai_tool(tool)["function"].get("parameters", {}))


def shows_image(messages: list[AnyMessage]) -> bool:
    """Whether any of these messages attaches or names an image."""
    return any(attached_images(m) or IMAGE_REFERENCE.search(message_text(m)) for m in messages)


def new_calls(decision: AIMessage, messages: list[AnyMessage], offered: list[BaseTool]) -> list[dict[str, Any]]:
    """The decision's calls to offered tools that the current turn has not made yet (nor made twice in
    this decision)."""
    made = {_key(call) for m in messages[current_turn_start(messages):] if isinstance(m, AIMessage) for call in m.tool_calls}
    names = {tool.name for tool in offered}
    fresh = []
    for call in decision.tool_calls:
        if call["name"] in names and _key(call) not in made:
            made.add(_key(call))
            fresh.append(call)
    return fresh


def stores_from_memory(decision: AIMessage, memories: list[str], request: str) -> bool:
    """Whether the decision stores words of a memory recalled for this turn that the request does not say."""
    borrowed = set().union(*(_terms(memory) for memory in memories)) - _terms(request)
    return any(call["name"] == "remember" and _terms(str(call["args"].get("fact", ""))) & borrowed
               for call in decision.tool_calls)


def _terms(text: str) -> set[str]:
    """The words that say something (`grounding.terms`), without a plural's s ("my", "a" and "of" say nothing)."""
    return {word.removesuffix("s") for word in terms(text)}


def only_pointing(decision: AIMessage) -> set[str]:
    """The tools the decision calls with words that only point at an image, outside an `image` argument."""
    return {call["name"] for call in decision.tool_calls
            if any(key != "image" and isinstance(value, str) and _points(value) for key, value in call["args"].items())}


def _points(words: str) -> bool:
    return bool(_POINTER.fullmatch(_plain(words)) or IMAGE_ID.match(words.strip()))


def _plain(text: str) -> str:
    return " ".join(text.casefold().strip(" .!").split())


def _key(call: dict[str, Any]) -> str:
    return json.dumps([call["name"], call["args"]], sort_keys=True, default=str)
