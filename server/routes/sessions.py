"""Sessions: list the caller's, read one's history, delete one. A session id is scoped to its user:
another user's session, like one that never existed, is a 404."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter

from server.deps import CallerDep, StateDep, get_agent
from server.errors import APIError
from server.routes import errors
from server.schemas import Deleted, SessionHistory, SessionList, SessionPublic

router = APIRouter(tags=["sessions"])


@router.get("/v1/sessions", response_model=SessionList, responses=errors(401, 429))
async def list_sessions(user: CallerDep, state: StateDep) -> SessionList:
    """The sessions the caller used through this server, most recent first."""
    records = state.sessions.list(user)
    return SessionList(data=[SessionPublic(**record.__dict__) for record in records])


@router.get("/v1/sessions/{session_id}", response_model=SessionHistory, responses=errors(401, 404, 429))
async def get_session(session_id: str, user: CallerDep, state: StateDep) -> SessionHistory:
    agent = await get_agent(state)
    messages = await asyncio.to_thread(agent.history, session_id, user)
    if not messages and state.sessions.get(user, session_id) is None:
        raise unknown_session(session_id)
    return SessionHistory(id=session_id, messages=messages)


@router.delete("/v1/sessions/{session_id}", response_model=Deleted, responses=errors(401, 404, 429))
async def delete_session(session_id: str, user: CallerDep, state: StateDep) -> Deleted:
    agent = await get_agent(state)
    existed = await asyncio.to_thread(agent.delete_session, session_id, user)
    indexed = state.sessions.delete(user, session_id)
    if not (existed or indexed):
        raise unknown_session(session_id)
    return Deleted(id=session_id)


def unknown_session(session_id: str) -> APIError:
    return APIError(404, f"unknown session {session_id!r}", "session_not_found")
