"""What the planner is shown of a session: a few earlier exchanges and the current turn in full.

The checkpointer keeps everything; the planner (a 135M model by default) sees only what it needs,
in the form it was trained on: memories above the request, attached images below it
(`tools.llm.prompt.render_user`), then this turn's tool calls and results.

Exchanges that stored or dropped a fact are not shown: memory is the record of facts, recalled when
a request needs one. Shown, a forgotten fact would still reach the planner through the history, and
an exchange that stored a fact invites the small planner to store it again instead of using it.

Earlier exchanges are shown at the turn's first decision only. They are there to resolve what the
request refers to; once a call has answered, the turn's own calls and results carry that, and the
small planner, shown an earlier exchange after a result, answers instead of taking the request's next
step (after "find my picture of a blue circle and describe it" found the image, the chance it called
the captioner fell from 0.68 to 0.08 with the exchange that had sent that picture shown above).
"""

from __future__ import annotations

from langchain_core.messages import AIMessage, AnyMessage, HumanMessage, ToolMessage

from tools.builtin import MEMORY_TOOLS
from tools.llm.prompt import render_user


def message_text(message: AnyMessage) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    return "\n".join(part if isinstance(part, str) else part.get("text", "") for part in content)


def attached_images(message: AnyMessage) -> list[str]:
    return list(message.additional_kwargs.get("images", []))


def current_turn_start(messages: list[AnyMessage]) -> int:
    """Index of the latest user message: where the current turn begins."""
    for index in range(len(messages) - 1, -1, -1):
        if isinstance(messages[index], HumanMessage):
            return index
    raise ValueError("the session has no user message")


def turn_results(messages: list[AnyMessage]) -> list[ToolMessage]:
    """The tool results of the current turn."""
    return [m for m in messages[current_turn_start(messages):] if isinstance(m, ToolMessage)]


def earlier_exchanges(messages: list[AnyMessage], turns: int) -> list[AnyMessage]:
    """The last `turns` (request, answer) pairs before the current turn, without their tool steps,
    leaving out the turns that called a memory tool."""
    if turns <= 0:
        return []
    pairs: list[tuple[AnyMessage, AnyMessage]] = []
    request = None
    for message in messages[: current_turn_start(messages)]:
        if isinstance(message, HumanMessage):
            request = message
        elif isinstance(message, AIMessage) and any(call["name"] in MEMORY_TOOLS for call in message.tool_calls):
            request = None
        elif isinstance(message, AIMessage) and not message.tool_calls and request is not None:
            pairs.append((request, message))
            request = None
    shown: list[AnyMessage] = []
    for request, answer in pairs[-turns:]:
        shown += [HumanMessage(content=render_user(message_text(request), images=attached_images(request))),
                  AIMessage(content=message_text(answer))]
    return shown


def planner_messages(messages: list[AnyMessage], memories: list[str], history_turns: int) -> list[AnyMessage]:
    start = current_turn_start(messages)
    request, steps = messages[start], messages[start + 1 :]
    current = HumanMessage(content=render_user(message_text(request), memories, attached_images(request)))
    return [*([] if steps else earlier_exchanges(messages, history_turns)), current, *steps]
