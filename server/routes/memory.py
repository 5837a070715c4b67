"""The caller's memories (the facts the agent recalls): list or search, add, forget."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from server.deps import CallerDep, StateDep, get_agent
from server.routes import errors
from server.schemas import MemoryCreate, MemoryList, MemoryPublic

router = APIRouter(tags=["memory"])


def public(hit: Any) -> MemoryPublic:
    if isinstance(hit, str):
        return MemoryPublic(text=hit)
    return MemoryPublic(
        id=getattr(hit, "id", None),
        text=hit.text,
        score=getattr(hit, "score", None),
        metadata=dict(getattr(hit, "metadata", None) or {}),
    )


@router.get("/v1/memory", response_model=MemoryList, responses=errors(400, 401, 429, 503, 504))
async def list_memories(
    user: CallerDep,
    state: StateDep,
    q: Annotated[str | None, Query(min_length=1, max_length=2000, description="recall the facts nearest this text")] = None,
    k: Annotated[int, Query(ge=1, le=100, description="how many facts to recall")] = 5,
) -> MemoryList:
    """Every fact stored for the caller, or with `q` the `k` facts nearest to it."""
    agent = await get_agent(state)
    memory = agent.services.memory
    if q is None:
        hits = await state.pool.run(memory.facts, user)
    else:
        hits = await state.pool.run(lambda: memory.recall(user, q, k=k))
    return MemoryList(data=[public(hit) for hit in hits])


@router.post("/v1/memory", response_model=MemoryPublic, status_code=201, responses=errors(400, 401, 429, 503, 504))
async def add_memory(body: MemoryCreate, user: CallerDep, state: StateDep) -> MemoryPublic:
    agent = await get_agent(state)
    memory = agent.services.memory
    stored = await state.pool.run(lambda: memory.remember(user, body.fact, source="api"))
    return public(stored) if stored is not None and not isinstance(stored, bool) else MemoryPublic(text=body.fact)


@router.delete("/v1/memory", response_model=MemoryList, responses=errors(400, 401, 429, 503, 504))
async def forget_memories(
    user: CallerDep,
    state: StateDep,
    q: Annotated[str, Query(min_length=1, max_length=2000, description="forget the facts that match this text")],
) -> MemoryList:
    """Forget the caller's facts matching `q`; the answer lists what was forgotten."""
    agent = await get_agent(state)
    memory = agent.services.memory
    hits = await state.pool.run(memory.forget, user, q)
    return MemoryList(data=[public(hit) for hit in hits])
