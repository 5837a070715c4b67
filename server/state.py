"""What one app holds between requests: settings, keys, limits, metrics, the session index, the agent."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from muse.settings import Settings
from server.keys import KeyStore, keys_file
from server.limits import ConcurrencyLimiter, ModelPool, RateLimiter
from server.metrics import Metrics
from server.sessions import SessionIndex

if TYPE_CHECKING:
    from agent.agent import Agent


class ServerState:
    def __init__(self, settings: Settings, agent: Agent | None = None):
        server = settings.server
        self.settings = settings
        self.keys = KeyStore(keys_file(settings.home))
        self.rate = RateLimiter(server.requests_per_minute)
        self.concurrency = ConcurrencyLimiter(server.concurrent_requests)
        self.metrics = Metrics()
        self.pool = ModelPool(server.model_workers, server.queue_size, server.request_timeout)
        self.pool.on_change = self._on_pool_change
        self.sessions = SessionIndex(settings.home / "server" / "sessions.sqlite")
        self._agent = agent
        self._agent_lock = threading.Lock()

    @property
    def agent_loaded(self) -> bool:
        return self._agent is not None

    def load_agent(self) -> Agent:
        """The agent, built on first use (the planner loads here: call it off the event loop)."""
        with self._agent_lock:
            if self._agent is None:
                from agent.agent import Agent

                self._agent = Agent(self.settings)
            return self._agent

    def _on_pool_change(self, depth: int) -> None:
        self.metrics.queue_depth.set(depth)
        self.metrics.model_jobs.set(self.pool.admitted)

    def close(self) -> None:
        self.pool.shutdown()
