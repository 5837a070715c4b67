"""The caller's memories (the facts the agent recalls): list or search, add, forget."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from server.deps import CallerDep, StateDep, get_agent
from server.errors import APIError
from server.routes import errors
from server.schemas import Deleted, MemoryCreate, MemoryList, MemoryPublic, MemoryStored

router = APIRouter(tags=["memory"])


def public(item: Any) -> MemoryPublic:
    """A stored fact (`MemoryRecord`) or a recalled one (`MemoryHit`)."""
    metadata = getattr(item, "metadata", None) or {}
    return MemoryPublic(
        id=item.id,
        text=item.text,
        score=getattr(item, "score", None),
        created=getattr(item, "created", metadata.get("created")),
        updated=getattr(item, "updated", metadata.get("updated")),
        source=getattr(item, "source", metadata.get("source")),
        session=getattr(item, "session_id", metadata.get("session")),
    )


@router.get("/v1/memory", response_model=MemoryList, responses=errors(400, 401, 429, 503, 504))
async def list_memories(
    user: CallerDep,
    state: StateDep,
    q: Annotated[str | None, Query(min_length=1, max_length=2000, description="recall the facts most relevant to this text")] = None,
    k: Annotated[int, Query(ge=1, le=100, description="how many facts to recall")] = 5,
) -> MemoryList:
    """Every fact stored for the caller (oldest first), or with `q` the `k` most relevant to it."""
    memory = (await get_agent(state)).services.memory
    if q is None:
        found = await state.pool.run(memory.facts, user)
    else:
        found = await state.pool.run(lambda: memory.recall(user, q, k=k))
    return MemoryList(data=[public(item) for item in found])


@router.post("/v1/memory", response_model=MemoryStored, status_code=201, responses=errors(400, 401, 429, 503, 504))
async def add_memory(body: MemoryCreate, user: CallerDep, state: StateDep) -> MemoryStored:
    """Remember a fact, as the remember tool does: a repeat refreshes it, a change replaces the older fact."""
    memory = (await get_agent(state)).services.memory
    result = await state.pool.run(lambda: memory.remember(user, body.fact, source="api"))
    return MemoryStored(memory=public(result.record), duplicate=result.duplicate,
                        superseded=[public(record) for record in result.superseded])


@router.delete("/v1/memory", response_model=MemoryList, responses=errors(400, 401, 429, 503, 504))
async def forget_memories(
    user: CallerDep,
    state: StateDep,
    q: Annotated[str, Query(min_length=1, max_length=2000, description="forget the facts that best match this text")],
) -> MemoryList:
    """Forget the caller's facts best matching `q`, as the forget tool does; the answer lists what was forgotten."""
    memory = (await get_agent(state)).services.memory
    texts = await state.pool.run(memory.forget, user, q)
    return MemoryList(data=[MemoryPublic(text=text) for text in texts])


@router.delete("/v1/memory/{memory_id}", response_model=Deleted, responses=errors(401, 404, 429, 503, 504))
async def delete_memory(memory_id: str, user: CallerDep, state: StateDep) -> Deleted:
    memory = (await get_agent(state)).services.memory
    if not await state.pool.run(lambda: memory.forget(user, ids=[memory_id])):
        raise APIError(404, f"unknown memory {memory_id!r}", "memory_not_found")
    return Deleted(id=memory_id)
