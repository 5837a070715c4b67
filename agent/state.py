"""The state one session's graph carries from node to node, and from turn to turn in the checkpointer."""

from __future__ import annotations

from typing import Annotated, TypedDict

from langchain_core.messages import AnyMessage
from langgraph.graph.message import add_messages


class AgentState(TypedDict, total=False):
    # The whole session: each turn's user message (attached image ids in `additional_kwargs["images"]`),
    # the planner's tool calls, the tools' results and the answer.
    messages: Annotated[list[AnyMessage], add_messages]
    memories: list[str]  # recalled for the current turn
    steps: int  # planner calls in the current turn
