"""What keeps one key, or everybody together, from overrunning the server.

- `RateLimiter`: a token bucket per user (requests per minute) → 429 with Retry-After.
- `ConcurrencyLimiter`: requests in flight per user → 429 with Retry-After.
- `ModelPool`: the threads that run model work (agent turns, image generation, embeddings) off the
  event loop, with a bounded number of jobs waiting; a full queue → 503 with Retry-After, so the
  server answers at once under overload instead of growing a backlog without bound.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from server.errors import APIError

T = TypeVar("T")


class RateLimiter:
    def __init__(self, per_minute: int):
        self.per_minute = per_minute
        self._buckets: dict[str, tuple[float, float]] = {}  # user -> (tokens, time of last refill)
        self._lock = threading.Lock()

    def check(self, user: str) -> None:
        if self.per_minute <= 0:
            return
        rate = self.per_minute / 60.0  # tokens a second; a full bucket holds a minute's worth
        now = time.monotonic()
        with self._lock:
            tokens, then = self._buckets.get(user, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - then) * rate)
            if tokens < 1.0:
                self._buckets[user] = (tokens, now)
                raise APIError(
                    429,
                    f"rate limit reached: {self.per_minute} requests per minute for this key",
                    "rate_limit_exceeded",
                    retry_after=(1.0 - tokens) / rate,
                )
            self._buckets[user] = (tokens - 1.0, now)


class ConcurrencyLimiter:
    def __init__(self, limit: int):
        self.limit = limit
        self._in_flight: dict[str, int] = {}
        self._lock = threading.Lock()

    def acquire(self, user: str) -> None:
        if self.limit <= 0:
            return
        with self._lock:
            count = self._in_flight.get(user, 0)
            if count >= self.limit:
                raise APIError(
                    429,
                    f"too many concurrent requests: at most {self.limit} in flight for this key",
                    "too_many_concurrent_requests",
                    retry_after=1,
                )
            self._in_flight[user] = count + 1

    def release(self, user: str) -> None:
        if self.limit <= 0:
            return
        with self._lock:
            count = self._in_flight.get(user, 1) - 1
            if count > 0:
                self._in_flight[user] = count
            else:
                self._in_flight.pop(user, None)


class Ticket:
    """A place in the model pool, held from admission until the job's thread is done with it."""

    def __init__(self, pool: ModelPool):
        self._pool = pool
        self._released = False

    def release(self) -> None:
        if not self._released:
            self._released = True
            self._pool._leave()


class ModelPool:
    def __init__(self, workers: int, queue_size: int, timeout: float):
        self.workers = max(1, workers)
        self.capacity = self.workers + max(0, queue_size)
        self.timeout = timeout
        self._executor = ThreadPoolExecutor(self.workers, thread_name_prefix="muse-model")
        self._lock = threading.Lock()
        self._admitted = 0  # running + waiting
        self._job_seconds = 1.0  # moving average, for Retry-After
        self.on_change: Callable[[int], None] = lambda depth: None

    @property
    def depth(self) -> int:
        """Jobs waiting for a thread."""
        return max(0, self._admitted - self.workers)

    @property
    def admitted(self) -> int:
        return self._admitted

    def admit(self) -> Ticket:
        with self._lock:
            if self._admitted >= self.capacity:
                wait = self._job_seconds * (self._admitted - self.workers + 1) / self.workers
                raise APIError(
                    503,
                    f"the server is busy: {self._admitted} model jobs in progress or waiting; retry later",
                    "overloaded",
                    retry_after=max(1.0, wait),
                )
            self._admitted += 1
            depth = self.depth
        self.on_change(depth)
        return Ticket(self)

    def _leave(self) -> None:
        with self._lock:
            self._admitted -= 1
            depth = self.depth
        self.on_change(depth)

    def _record(self, seconds: float) -> None:
        with self._lock:
            self._job_seconds = 0.8 * self._job_seconds + 0.2 * seconds

    def submit(self, ticket: Ticket, function: Callable[..., T], *args: Any) -> asyncio.Future[T]:
        """Run `function` on a pool thread; the ticket is released when it returns, whatever the caller does."""

        def job() -> T:
            started = time.perf_counter()
            try:
                return function(*args)
            finally:
                self._record(time.perf_counter() - started)
                ticket.release()

        try:
            return asyncio.get_running_loop().run_in_executor(self._executor, job)
        except BaseException:
            ticket.release()
            raise

    async def run(self, function: Callable[..., T], *args: Any) -> T:
        """Admit, run on a pool thread and wait at most `timeout` seconds (504 after that)."""
        future = self.submit(self.admit(), function, *args)
        try:
            return await asyncio.wait_for(asyncio.shield(future), self.timeout)
        except TimeoutError:
            raise APIError(504, f"the model did not finish within {self.timeout:g} s", "timeout") from None

    def shutdown(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
