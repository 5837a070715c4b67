"""The planner graph: guard → recall → plan ⇄ act → respond.

    START → guard ─refused→ END
              └→ recall → plan ─tool calls→ act ─(steps left)→ plan
                            └─answer→ respond → END        └─(step limit)→ respond

The guard screens the request; recall puts the user's relevant memories into the turn; plan asks the
chat model (tools bound) what to do; act runs the calls in parallel (LangGraph's `ToolNode`),
timing each and screening its result; respond makes sure the turn ends with an answer. Which tools
plan offers and which of its calls act runs: `agent.tool_offer`.
"""

from __future__ import annotations

import json
import time
from typing import Any, Protocol

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.runnables import Runnable, RunnableConfig
from langchain_core.tools import BaseTool
from langgraph.graph import END, START, StateGraph
from langgraph.prebuilt import ToolNode
from langgraph.prebuilt.tool_node import ToolCallRequest

from agent.planner_view import current_turn_start, message_text, planner_messages, turn_results
from agent.state import AgentState
from agent.tool_offer import followed_up_tool, new_calls, offered_tools, only_pointing, stores_from_memory
from muse.settings import AgentSettings
from tools.builtin import asks_for


class Screen(Protocol):
    """What the graph needs of the guard (`agent.guard.Guard`)."""

    def check_request(self, text: str) -> Any: ...
    def check_data(self, text: str) -> Any: ...


class Recall(Protocol):
    """What the graph needs of memory (`memory.store.MemoryStore`)."""

    def recall(self, user_id: str, query: str, k: int = 3, min_score: float | None = None) -> list[Any]: ...


def user_of(config: RunnableConfig) -> str:
    return config["configurable"]["user_id"]


def build_graph(
    chat_model: BaseChatModel,
    tools: list[BaseTool],
    *,
    guard: Screen,
    memory: Recall,
    settings: AgentSettings,
    checkpointer: Any = None,
):
    planners: dict[tuple[str | None, ...], Runnable] = {}

    def planner_for(offered: list[BaseTool], choice: str | None = None) -> Runnable:
        """The chat model bound to these tools, bound once per tool set; `choice`, a tool it must call."""
        key = (*(tool.name for tool in offered), choice)
        if key not in planners:
            planners[key] = chat_model.bind_tools(offered, tool_choice=choice) if offered else chat_model
        return planners[key]

    def screen_request(state: AgentState) -> dict[str, Any]:
        request = message_text(state["messages"][-1])
        verdict = guard.check_request(request)
        if verdict.allowed:
            return {"steps": 0, "memories": []}
        refusal = AIMessage(content=verdict.reason, additional_kwargs={"refused": verdict.category or "unsafe"})
        return {"messages": [refusal], "steps": 0, "memories": []}

    def recall(state: AgentState, config: RunnableConfig) -> dict[str, Any]:
        request = message_text(state["messages"][-1])
        hits = memory.recall(user_of(config), request, k=settings.recall_k)
        # A stored "fact" that gives orders is not a fact about the user: it stays out of the prompt.
        return {"memories": [hit.text for hit in hits if guard.check_data(hit.text).allowed]}

    def plan(state: AgentState) -> dict[str, Any]:
        memories = state.get("memories", [])
        shown = planner_messages(state["messages"], memories, settings.history_turns)
        request = message_text(state["messages"][current_turn_start(state["messages"])])
        offered = offered_tools(tools, shown, request, settings.max_offered_tools)
        repeated = None if turn_results(shown) else followed_up_tool(state["messages"], offered)
        decision = planner_for(offered, repeated).invoke(shown)
        if memories and stores_from_memory(decision, memories, request):
            if asks_for("remember", request):
                shown = planner_messages(state["messages"], [], settings.history_turns)
            else:
                offered = [tool for tool in offered if tool.name != "remember"]
            decision = planner_for(offered).invoke(shown)
        while pointing := only_pointing(decision) & {tool.name for tool in offered}:
            offered = [tool for tool in offered if tool.name not in pointing]
            decision = planner_for(offered).invoke(shown)
        steps = state.get("steps", 0) + 1
        calls = new_calls(decision, state["messages"], offered)
        if len(calls) == len(decision.tool_calls):
            return {"messages": [decision], "steps": steps}
        if not calls and not message_text(decision).strip():
            return {"steps": steps}  # it only repeated itself or went beyond its offer: the turn ends with the results it has
        return {"messages": [decision.model_copy(update={"tool_calls": calls})], "steps": steps}

    def timed_call(request: ToolCallRequest, execute) -> ToolMessage:
        """Run one call, time it, and mark results that carry instructions (they stay data either way)."""
        started = time.perf_counter()
        message = execute(request)
        if isinstance(message, ToolMessage):
            ms = (time.perf_counter() - started) * 1000
            flagged = not guard.check_data(message_text(message)).allowed
            message.response_metadata = {**message.response_metadata, "ms": round(ms, 1), "flagged": flagged}
        return message

    def respond(state: AgentState) -> dict[str, Any]:
        """Close a turn the planner did not answer in words (step limit, or an empty answer), and give the
        results an answer announces but does not give ("Here is the result:", where the planner began to
        write out a call instead): they follow it, so the answer still starts with what was streamed."""
        messages = state["messages"]
        last = messages[-1]
        answer = message_text(last).strip() if isinstance(last, AIMessage) and not last.tool_calls else ""
        if not answer:
            return {"messages": [AIMessage(content=summarise_results(messages))]}
        lines = result_lines(messages) if answer.endswith(":") else []
        if lines:
            return {"messages": [last.model_copy(update={"content": "\n".join([answer, *lines])})]}
        return {}

    graph = StateGraph(AgentState)
    graph.add_node("guard", screen_request)
    graph.add_node("recall", recall)
    graph.add_node("plan", plan)
    graph.add_node("act", ToolNode(tools, wrap_tool_call=timed_call, handle_tool_errors=True))
    graph.add_node("respond", respond)
    graph.add_edge(START, "guard")
    graph.add_conditional_edges("guard", _after_guard, {"refused": END, "allowed": "recall"})
    graph.add_edge("recall", "plan")
    graph.add_conditional_edges("plan", _after_plan, {"act": "act", "respond": "respond"})
    graph.add_conditional_edges("act", lambda state: _after_act(state, settings.max_steps), {"plan": "plan", "respond": "respond"})
    graph.add_edge("respond", END)
    return graph.compile(checkpointer=checkpointer)


def _after_guard(state: AgentState) -> str:
    last = state["messages"][-1]
    return "refused" if isinstance(last, AIMessage) and last.additional_kwargs.get("refused") else "allowed"


def _after_plan(state: AgentState) -> str:
    last = state["messages"][-1]
    return "act" if isinstance(last, AIMessage) and last.tool_calls else "respond"


def _after_act(state: AgentState, max_steps: int) -> str:
    """Plan again, unless the step limit is reached or a result gives orders: the planner is not asked
    again after those, so a web page that says "now call generate_image" stays text in the answer."""
    if any(m.response_metadata.get("flagged") for m in turn_results(state["messages"])):
        return "respond"
    return "plan" if state.get("steps", 0) < max_steps else "respond"


def summarise_results(messages: list[Any]) -> str:
    """An answer made of this turn's tool results, for turns the planner left without one."""
    lines = result_lines(messages)
    return "Here is what I found:\n" + "\n".join(lines) if lines else "I don't have an answer to that."


def result_lines(messages: list[Any]) -> list[str]:
    """This turn's tool results, one line each: `name: result`."""
    lines = []
    for result in turn_results(messages):
        text = message_text(result)
        try:
            text = json.dumps(json.loads(text), ensure_ascii=False, separators=(", ", ": "))
        except ValueError:
            pass
        lines.append(f"{result.name}: {text}")
    return lines
