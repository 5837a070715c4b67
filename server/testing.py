"""A real uvicorn server on a free loopback port, in a background thread: for tests and examples.

    with running_server(create_app(settings, agent)) as base_url:
        OpenAI(base_url=f"{base_url}/v1", api_key="...").chat.completions.create(...)
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import FastAPI

HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@contextmanager
def running_server(app: FastAPI, timeout: float = 60.0) -> Iterator[str]:
    """Serve `app` until the block ends; yields the base URL (`http://127.0.0.1:PORT`)."""
    import uvicorn

    config = uvicorn.Config(app, host=HOST, port=free_port(), log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="muse-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.02)
    try:
        yield f"http://{HOST}:{config.port}"
    finally:
        server.should_exit = True
        thread.join(timeout)
