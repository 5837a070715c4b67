"""`GET /healthz` (no key needed: for load balancers) and `GET /metrics` (Prometheus text format)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from fastapi import APIRouter, Response

from server.deps import StateDep
from server.metrics import CONTENT_TYPE_LATEST
from server.schemas import Health

router = APIRouter(tags=["health"])

try:
    VERSION = version("muse")
except PackageNotFoundError:  # run from a checkout that is not installed
    VERSION = "unknown"


@router.get("/healthz", response_model=Health)
async def health(state: StateDep) -> Health:
    return Health(
        version=VERSION,
        agent_loaded=state.agent_loaded,
        auth="keys" if state.keys.configured() else "loopback-only",
        model_jobs=state.pool.admitted,
        queue_depth=state.pool.depth,
    )


@router.get("/metrics", response_class=Response, responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text format"}})
async def metrics(state: StateDep) -> Response:
    return Response(state.metrics.render(), media_type=CONTENT_TYPE_LATEST)
