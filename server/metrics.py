"""Prometheus metrics of one app (its own registry, so several apps can live in one process).

Counted by route template (`/v1/images/{image_id}`), never by raw path, to keep the label set small.
With `--workers N` every process has its own figures.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)

__all__ = ["CONTENT_TYPE_LATEST", "Metrics"]


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "muse_http_requests", "HTTP requests answered", ["method", "route", "status"], registry=self.registry
        )
        self.latency = Histogram(
            "muse_http_request_duration_seconds",
            "Time to the end of the response (a stream's last byte)",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.turns = Counter("muse_chat_turns", "Agent turns by outcome", ["outcome"], registry=self.registry)
        self.turn_latency = Histogram(
            "muse_chat_turn_duration_seconds", "The agent's own time per turn", buckets=LATENCY_BUCKETS, registry=self.registry
        )
        self.tool_calls = Counter("muse_tool_calls", "Tool calls by tool and outcome", ["tool", "outcome"], registry=self.registry)
        self.tool_latency = Histogram(
            "muse_tool_call_duration_seconds", "Time of one tool call", ["tool"], buckets=LATENCY_BUCKETS, registry=self.registry
        )
        self.queue_depth = Gauge("muse_queue_depth", "Model jobs waiting for a worker thread", registry=self.registry)
        self.model_jobs = Gauge("muse_model_jobs", "Model jobs running or waiting", registry=self.registry)
        self.rejected = Counter(
            "muse_rejected_requests", "Requests refused by a limit", ["reason"], registry=self.registry
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
