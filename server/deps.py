"""The dependencies routes declare: who is calling (API key → user), admission (rate and concurrency
limits), and the agent.

    @router.get("/v1/things")
    async def list_things(user: CallerDep, agent: AgentDep): ...

With no key configured every caller is the user "local" (the terminal's user), and only loopback
clients are answered.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from agent.agent import Agent
from server.errors import APIError
from server.state import ServerState

log = logging.getLogger(__name__)

LOCAL_USER = "local"
bearer = HTTPBearer(auto_error=False, description="An API key made with `muse keys create NAME`; each key is one user.")


def get_state(request: Request) -> ServerState:
    return request.app.state.muse


StateDep = Annotated[ServerState, Depends(get_state)]


def is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host in ("localhost", "testclient")


def authenticate(
    request: Request,
    state: StateDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> str:
    """The user id of the request's API key."""
    if not state.keys.configured():
        host = request.client.host if request.client else ""
        if not is_loopback(host):
            raise APIError(
                401,
                "this server has no API keys and answers loopback clients only; create a key with: muse keys create NAME",
                "no_api_keys",
            )
        return LOCAL_USER
    if credentials is None:
        raise APIError(401, "missing API key: send the header 'Authorization: Bearer KEY'", "missing_api_key")
    user = state.keys.user_of(credentials.credentials)
    if user is None:
        raise APIError(401, "invalid API key", "invalid_api_key")
    return user


UserDep = Annotated[str, Depends(authenticate)]


async def admit(state: StateDep, user: UserDep) -> AsyncIterator[str]:
    """The caller, once within its rate limit and concurrency cap; the slot is held until the response ends."""
    try:
        state.rate.check(user)
    except APIError:
        state.metrics.rejected.labels("rate_limit").inc()
        raise
    try:
        state.concurrency.acquire(user)
    except APIError:
        state.metrics.rejected.labels("concurrency").inc()
        raise
    try:
        yield user
    finally:
        state.concurrency.release(user)


CallerDep = Annotated[str, Depends(admit)]


async def get_agent(state: StateDep) -> Agent:
    if state.agent_loaded:
        return state.load_agent()
    try:
        return await asyncio.to_thread(state.load_agent)
    except Exception as error:
        log.exception("the agent could not be loaded")
        raise APIError(500, f"the agent could not be loaded: {error}", "agent_unavailable") from None


AgentDep = Annotated[Agent, Depends(get_agent)]
