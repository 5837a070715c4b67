"""How the planner sees tools and conversations, and how it writes tool calls.

Training data and inference share this module, so the fine-tuned model reads at run time exactly
what it was trained on. Tool calls are written as

    <tool_call>
    {"name":"generate_image","arguments":{"prompt":"a red star"}}
    </tool_call>

with arguments in the order of the tool's schema, one block per call; anything else is a text answer.
"""

from __future__ import annotations

import json
from typing import Any

CALL_OPEN = "<tool_call>\n"
CALL_CLOSE = "\n</tool_call>"
CALL_SEPARATOR = "\n"
# Compact JSON: a forced run then ends in a quote or brace, never a space, so the decoder can feed all of it.
JSON_SEPARATORS = (",", ":")

SYSTEM_PROMPT = (
    "You are muse, a helpful assistant. You can call these tools:\n{tools}\n"
    "To use a tool, reply only with <tool_call>{{\"name\":...,\"arguments\":{{...}}}}</tool_call> blocks, "
    "taking argument values from the user's words. If no tool fits, answer in plain text."
)
SYSTEM_PROMPT_NO_TOOLS = "You are muse, a helpful assistant."


def render_type(schema: dict[str, Any]) -> str:
    """A short type signature: string, integer 1-8, "gan"|"vae", string[]."""
    if "enum" in schema:
        return "|".join(json.dumps(value) for value in schema["enum"])
    kind = schema.get("type", "any")
    if isinstance(kind, list):
        return "|".join(kind)
    if kind == "array":
        return render_type(schema.get("items", {})) + "[]"
    if kind in ("integer", "number") and ("minimum" in schema or "maximum" in schema):
        low, high = schema.get("minimum", ""), schema.get("maximum", "")
        return f"{kind} {low}-{high}" if high != "" else f"{kind} >={low}"
    return kind


def render_tool(tool: dict[str, Any]) -> str:
    """One line per tool: `- name(arg: type, opt?: type): description. arg: desc; opt: desc`."""
    params = tool.get("parameters", {})
    required = set(params.get("required", []))
    props = params.get("properties", {})
    signature = ", ".join(
        f"{name}{'' if name in required else '?'}: {render_type(schema)}" for name, schema in props.items()
    )
    notes = "; ".join(f"{name}: {schema['description']}" for name, schema in props.items() if schema.get("description"))
    line = f"- {tool['name']}({signature}): {tool.get('description', '').strip()}"
    return f"{line} ({notes})" if notes else line


def render_system(tools: list[dict[str, Any]]) -> str:
    if not tools:
        return SYSTEM_PROMPT_NO_TOOLS
    return SYSTEM_PROMPT.format(tools="\n".join(render_tool(tool) for tool in tools))


def order_arguments(arguments: dict[str, Any], parameters: dict[str, Any]) -> dict[str, Any]:
    """Arguments in schema order (the order the constrained decoder enforces), unknown keys last."""
    props = list(parameters.get("properties", {}))
    known = {name: arguments[name] for name in props if name in arguments}
    return known | {name: value for name, value in arguments.items() if name not in known}


def render_call(name: str, arguments: dict[str, Any], parameters: dict[str, Any] | None = None) -> str:
    ordered = order_arguments(arguments, parameters or {})
    body = json.dumps({"name": name, "arguments": ordered}, ensure_ascii=False, separators=JSON_SEPARATORS)
    return CALL_OPEN + body + CALL_CLOSE


def render_calls(calls: list[tuple[str, dict[str, Any]]], tools: dict[str, dict[str, Any]]) -> str:
    return CALL_SEPARATOR.join(render_call(name, args, tools.get(name, {}).get("parameters")) for name, args in calls)


MEMORY_PREFIX = "Memory: "
ATTACHED_PREFIX = "Attached: "


def render_user(text: str, memories: tuple[str, ...] | list[str] = (), images: tuple[str, ...] | list[str] = ()) -> str:
    """The user's message as the agent hands it over: recalled memories above it, attached image ids below.

    Memories are what the user said earlier, kept as data: `Memory: fact | fact`.
    """
    lines = [MEMORY_PREFIX + " | ".join(memories)] if memories else []
    lines.append(text)
    if images:
        lines.append(ATTACHED_PREFIX + ", ".join(images))
    return "\n".join(lines)


def recalled_memories(rendered: str) -> list[str]:
    """The memories in a message `render_user` wrote, in the order they were recalled."""
    line = next((line for line in rendered.split("\n") if line.startswith(MEMORY_PREFIX)), "")
    return [memory.strip() for memory in line.removeprefix(MEMORY_PREFIX).split(" | ") if memory.strip()]


def user_words(rendered: str) -> str:
    """The user's own words in a message `render_user` wrote, without its memory and attachment lines."""
    return "\n".join(line for line in rendered.split("\n") if not line.startswith((MEMORY_PREFIX, ATTACHED_PREFIX)))


def without_user_words(rendered: str) -> str:
    """A message `render_user` wrote with the user's own words left out: what the turn says without its request."""
    lines = rendered.split("\n")
    memories = [line for line in lines if line.startswith(MEMORY_PREFIX)]
    attached = [line for line in lines if line.startswith(ATTACHED_PREFIX)]
    return "\n".join([*memories, "", *attached])


def parse_calls(text: str) -> list[tuple[str, dict[str, Any]]]:
    """The calls in a complete, grammar-checked tool-call output."""
    calls = []
    for block in text.split(CALL_CLOSE)[:-1]:
        call = json.loads(block.split(CALL_OPEN, 1)[1])
        calls.append((call["name"], call["arguments"]))
    return calls


TOOL_RESULT_JOINT = " returned: "


def render_tool_result(name: str, content: str) -> str:
    return f"{name}{TOOL_RESULT_JOINT}{content}"


def tool_result_name(text: str) -> str:
    """The tool whose result `render_tool_result` wrote."""
    return text.split(TOOL_RESULT_JOINT, 1)[0]


def tool_result_content(text: str) -> str:
    """The result `render_tool_result` wrote, without its tool's name."""
    return text.partition(TOOL_RESULT_JOINT)[2]


def current_turn(messages: list[dict[str, str]]) -> list[dict[str, str]]:
    """The last user message and every message after it (none without a user message)."""
    starts = [i for i, message in enumerate(messages) if message["role"] == "user"]
    return messages[starts[-1] :] if starts else []


def chat_messages(system: str, turns: list[dict[str, str]]) -> list[dict[str, str]]:
    """The conversation as role/content dicts for the tokenizer's chat template."""
    return [{"role": "system", "content": system}, *turns]
