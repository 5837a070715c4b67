"""`muse bench server`: the server's throughput, latency, overhead, overload behaviour and memory.

Each phase starts a real server in a subprocess on a free loopback port (`python -m server.bench
serve ...`) and drives it from this process with a small HTTP/1.1 keep-alive client (one
connection per concurrent client), so the client costs little of the two cores it shares with the
server:

1. `/healthz` and a chat turn at 1, 8 and 32 clients, with a scripted planner that answers at once:
   what the server itself costs. The overhead of a chat request is its latency at the client minus
   the agent's own time for the turn (`muse.ms` of the answer).
2. Overload: 32 clients against a pool of one thread and two queue places and a concurrency cap
   of 16 per key: every answer must be a 200, a deliberate 429 or a deliberate 503.
3. The real agent on the shipped planner with every embedded model loaded (`--preload`): chat
   turns, and the server's peak resident memory (VmHWM).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"
SCRIPTED_ANSWER = "Done."
TEXT_PROMPT = "hi muse!"  # the planner answers in words
TOOL_PROMPT = "draw a red circle"  # the planner calls tools


# -- the client ---------------------------------------------------------------------------------


@dataclass
class Phase:
    concurrency: int
    requests: int
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)  # seconds, 200 answers only
    statuses: dict[int, int] = field(default_factory=dict)
    overheads: list[float] = field(default_factory=list)  # seconds: latency minus the agent's own time

    def summary(self) -> dict:
        ok = sorted(self.latencies)
        return {
            "clients": self.concurrency,
            "requests": self.requests,
            "requests_per_s": round(self.requests / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(percentile(ok, 50) * 1000, 2) if ok else None,
            "p99_ms": round(percentile(ok, 99) * 1000, 2) if ok else None,
            "statuses": {str(k): v for k, v in sorted(self.statuses.items())},
            **({"overhead_p50_ms": round(percentile(sorted(self.overheads), 50) * 1000, 2)} if self.overheads else {}),
        }


def percentile(ordered: list[float], q: float) -> float:
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def http_request(method: str, path: str, body: dict | None = None, headers: dict[str, str] | None = None) -> bytes:
    payload = json.dumps(body).encode() if body is not None else b""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}", "Connection: keep-alive"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if body is not None:
        lines += ["Content-Type: application/json", f"Content-Length: {len(payload)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    status = int((await reader.readline()).split()[1])
    length = 0
    while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = line.decode("latin-1").partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    return status, await reader.readexactly(length)


async def drive(port: int, phase: Phase, make_request, agent_ms=None) -> Phase:
    """`phase.requests` requests over `phase.concurrency` keep-alive connections."""
    counts = [phase.requests // phase.concurrency + (i < phase.requests % phase.concurrency) for i in range(phase.concurrency)]

    async def client(index: int, count: int) -> None:
        reader, writer = await asyncio.open_connection(HOST, port)
        try:
            for n in range(count):
                request = make_request(index, n)
                started = time.perf_counter()
                writer.write(request)
                status, body = await read_response(reader)
                elapsed = time.perf_counter() - started
                phase.statuses[status] = phase.statuses.get(status, 0) + 1
                if status == 200:
                    phase.latencies.append(elapsed)
                    if agent_ms is not None:
                        phase.overheads.append(elapsed - agent_ms(body) / 1000)
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(client(i, count) for i, count in enumerate(counts) if count))
    phase.seconds = time.perf_counter() - started
    return phase


def chat_request(prompt: str, session_prefix: str):
    """A new session per request: the turn costs what a turn costs, not what a long session grows to."""

    def make(index: int, n: int) -> bytes:
        body = {"model": "muse", "messages": [{"role": "user", "content": prompt}]}
        return http_request("POST", "/v1/chat/completions", body, {"X-Session-Id": f"{session_prefix}-{index}-{n}"})

    return make


def turn_ms(body: bytes) -> float:
    return float(json.loads(body)["muse"]["ms"])


# -- the server under test ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


class ServerProcess:
    """`python -m server.bench serve` in a subprocess, with its own muse home."""

    def __init__(self, home: Path, *, scripted: bool, preload: bool = False, env: dict[str, str] | None = None):
        self.port = free_port()
        command = [sys.executable, "-m", "server.bench", "serve", "--port", str(self.port), "--home", str(home)]
        command += ["--scripted"] if scripted else []
        command += ["--preload"] if preload else []
        self.log = open(home / f"server-{self.port}.log", "w")
        self.process = subprocess.Popen(command, env={**os.environ, **(env or {})}, stdout=self.log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 600.0) -> None:
        import httpx

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited with {self.process.returncode}; see {self.log.name}")
            try:
                health = httpx.get(f"http://{HOST}:{self.port}/healthz", timeout=2).json()
                if health["agent_loaded"]:
                    return
            except (httpx.HTTPError, ValueError, KeyError):
                pass
            time.sleep(0.5)
        raise TimeoutError(f"the server was not ready within {timeout:g} s")

    def peak_rss_mb(self) -> float:
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
        return round(int(line.split()[1]) / 1024, 1)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def serve(port: int, home: Path, scripted: bool, preload: bool) -> None:
    """The server under test (run in the subprocess)."""
    import uvicorn

    from muse.settings import Settings
    from server.app import create_app

    os.environ["MUSE_HOME"] = str(home)
    settings = Settings(home=home)
    if preload:
        settings.server.preload = True
    agent = None
    if scripted:
        from agent.agent import Agent
        from agent.scripted import ScriptedChatModel

        agent = Agent(settings, chat_model=ScriptedChatModel(script=[SCRIPTED_ANSWER], repeat=True))
    uvicorn.run(create_app(settings, agent), host=HOST, port=port, log_level="warning", access_log=False)


# -- the benchmark ----------------------------------------------------------------------------------


def run_bench(quick: bool = False, real: bool = True, clients: tuple[int, ...] = (1, 8, 32)) -> dict:
    from muse.benchmarks import load_average

    scale = 0.1 if quick else 1.0
    result: dict = {"clients": list(clients), "load_average": load_average()}
    limits_off = {"MUSE_SERVER__REQUESTS_PER_MINUTE": "0", "MUSE_SERVER__CONCURRENT_REQUESTS": "0", "MUSE_SERVER__QUEUE_SIZE": "64"}
    with tempfile.TemporaryDirectory(prefix="muse-bench-server-") as directory:
        home = Path(directory)
        (home / "scripted").mkdir()
        server = ServerProcess(home / "scripted", scripted=True, env=limits_off)
        try:
            server.wait_ready()
            asyncio.run(drive(server.port, Phase(4, 40), chat_request("hello", "warm"), turn_ms))  # load what a turn loads
            health = [asyncio.run(drive(server.port, Phase(c, max(c, int(2000 * scale))), lambda i, n: http_request("GET", "/healthz")))
                      for c in clients]
            chat_counts = {1: 200, 8: 400, 32: 640}
            chat = [asyncio.run(drive(server.port, Phase(c, max(c, int(chat_counts.get(c, 20 * c) * scale))),
                                      chat_request("hello", f"bench{c}"), turn_ms)) for c in clients]
            result["healthz"] = [phase.summary() for phase in health]
            result["chat_scripted"] = [phase.summary() for phase in chat]
            result["server_rss_scripted_mb"] = server.peak_rss_mb()
        finally:
            server.stop()
        result["overload"] = overload(home, scale)
        if real:
            result["real"] = real_agent(home, scale, clients)
    errors = [phase for section in ("healthz", "chat_scripted") for phase in result[section]
              if set(phase["statuses"]) - {"200"}]
    unexpected = {k: v for k, v in result["overload"]["statuses"].items() if k not in ("200", "429", "503")}
    result["unexpected_errors"] = sum(sum(p["statuses"].values()) - p["statuses"].get("200", 0) for p in errors) + sum(unexpected.values())
    overhead = next((p.get("overhead_p50_ms") for p in result["chat_scripted"] if p["clients"] == 1), None)
    result["overhead_p50_ms"] = overhead
    return result


def overload(home: Path, scale: float) -> dict:
    """32 clients against one model thread, two queue places and 16 requests in flight per key."""
    (home / "overload").mkdir()
    env = {"MUSE_SERVER__MODEL_WORKERS": "1", "MUSE_SERVER__QUEUE_SIZE": "2", "MUSE_SERVER__CONCURRENT_REQUESTS": "16",
           "MUSE_SERVER__REQUESTS_PER_MINUTE": "0"}
    server = ServerProcess(home / "overload", scripted=True, env=env)
    try:
        server.wait_ready()
        phase = asyncio.run(drive(server.port, Phase(32, max(32, int(640 * scale))), chat_request("hello", "overload")))
    finally:
        server.stop()
    return {"clients": 32, "model_workers": 1, "queue_size": 2, "concurrent_requests_per_key": 16, **phase.summary()}


def real_agent(home: Path, scale: float, clients: tuple[int, ...]) -> dict:
    """Turns of the shipped planner with every model loaded, and the server's peak memory.

    The planner's one-off conversion from GGUF happens before, in its own process, into the usual
    cache directory: the peak measured is the server's in service, not the installation's.
    """
    from muse.settings import get_settings

    (home / "real").mkdir()
    cache = str(get_settings().cache_dir)
    subprocess.run([sys.executable, "-c", "from tools.llm.loading import resolve_model_dir; from pathlib import Path; "
                    f"resolve_model_dir('smollm2', Path({cache!r}))"], check=True, capture_output=True)
    env = {"MUSE_SERVER__REQUESTS_PER_MINUTE": "0", "MUSE_SERVER__CONCURRENT_REQUESTS": "0", "MUSE_SERVER__QUEUE_SIZE": "64",
           "MUSE_SERVER__REQUEST_TIMEOUT": "3600", "MUSE_CACHE_DIR": cache}
    server = ServerProcess(home / "real", scripted=False, preload=True, env=env)
    started = time.perf_counter()
    try:
        server.wait_ready()
        ready = time.perf_counter() - started
        asyncio.run(drive(server.port, Phase(1, 1), chat_request(TEXT_PROMPT, "warm")))
        counts = {1: 4, 8: 16, 32: 32}
        text = [asyncio.run(drive(server.port, Phase(c, max(c, int(counts.get(c, c) * max(scale, 0.25)))),
                                  chat_request(TEXT_PROMPT, f"real{c}"), turn_ms)) for c in clients]
        tools = asyncio.run(drive(server.port, Phase(1, 2), chat_request(TOOL_PROMPT, "tool"), turn_ms))
        return {
            "text_prompt": TEXT_PROMPT,
            "tool_prompt": TOOL_PROMPT,
            "start_seconds": round(ready, 1),
            "chat": [phase.summary() for phase in text],
            "tool_turn": tools.summary(),
            "peak_rss_mb": server.peak_rss_mb(),
        }
    finally:
        server.stop()


def to_markdown(result: dict, command: str) -> str:
    def table(rows: list[dict], overhead: bool = False) -> list[str]:
        head = "| clients | requests | requests/s | p50 ms | p99 ms |" + (" overhead p50 ms |" if overhead else "") + " answers |"
        lines = [head, "|" + "---:|" * (6 + overhead)]
        for row in rows:
            statuses = ", ".join(f"{count} × {status}" for status, count in row["statuses"].items())
            extra = f" {row.get('overhead_p50_ms', '')} |" if overhead else ""
            lines.append(f"| {row['clients']} | {row['requests']} | {row['requests_per_s']} | {row['p50_ms']} | {row['p99_ms']} |{extra} {statuses} |")
        return lines

    lines = [
        "## Server",
        "",
        f"`{command}`: a real uvicorn server in a subprocess on loopback, driven by keep-alive HTTP/1.1 clients "
        f"in another process on the same 2 cores; 1-minute load average of the machine when the run started: "
        f"{result.get('load_average', 'not recorded')}.",
        "",
        "### `GET /healthz`",
        *table(result["healthz"]),
        "",
        "### A chat turn (`POST /v1/chat/completions`) with a scripted planner that answers at once",
        "The overhead is the latency at the client minus the agent's own time for the turn (guard, memory recall, "
        "graph); with more clients than model threads it includes the wait for a thread.",
        *table(result["chat_scripted"], overhead=True),
        "",
        f"Server overhead per chat request (p50, 1 client): **{result['overhead_p50_ms']} ms** (goal ≤ 5 ms). "
        f"Answers other than 200 in these runs: **{result['unexpected_errors']}** beyond the deliberate ones below.",
        "",
        "### Overload",
        (f"{result['overload']['clients']} clients, one model thread, {result['overload']['queue_size']} queue places, "
         f"{result['overload']['concurrent_requests_per_key']} requests in flight per key: "
         + ", ".join(f"{count} × {status}" for status, count in result["overload"]["statuses"].items())
         + " (429: concurrency cap, 503: queue full, both with Retry-After)."),
    ]
    if "real" in result:
        real = result["real"]
        lines += [
            "",
            "### Real turns: the shipped planner, every embedded model loaded (`--preload`)",
            f"“{real['text_prompt']}” (answered in words):",
            *table(real["chat"], overhead=True),
            "",
            f"“{real['tool_prompt']}” (the planner calls tools; the diffusion pipeline draws), 1 client:",
            *table([real["tool_turn"]], overhead=True),
            "",
            f"Start-up with every model loaded: {real['start_seconds']} s. "
            f"Peak resident memory of the server (VmHWM): **{real['peak_rss_mb']:.0f} MB** (goal ≤ 2,048 MB).",
        ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description="the server under test of muse bench server")
    sub = parser.add_subparsers(dest="command", required=True)
    target = sub.add_parser("serve")
    target.add_argument("--port", type=int, required=True)
    target.add_argument("--home", type=Path, required=True)
    target.add_argument("--scripted", action="store_true")
    target.add_argument("--preload", action="store_true")
    args = parser.parse_args()
    serve(args.port, args.home, args.scripted, args.preload)


if __name__ == "__main__":
    main()
