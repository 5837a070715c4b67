"""`GET /v1/tools`: the tools the agent can call, as OpenAI function schemas, with where each comes from."""

from __future__ import annotations

from fastapi import APIRouter

from server.deps import CallerDep, StateDep, get_agent
from server.routes import errors
from server.schemas import ToolList, ToolPublic
from tools.registry import tool_schema

router = APIRouter(tags=["tools"])


@router.get("/v1/tools", response_model=ToolList, responses=errors(401, 429))
async def list_tools(user: CallerDep, state: StateDep) -> ToolList:
    agent = await get_agent(state)
    sources = getattr(agent, "tool_sources", {})
    return ToolList(data=[ToolPublic(**tool_schema(tool), source=sources.get(tool.name, "")) for tool in agent.tools])
