"""The server's parts on their own: keys, limits, image references, loopback-only mode, `muse serve`."""

from __future__ import annotations

import base64
import os
import re
import subprocess
import sys
import time

import httpx
import pytest
from fastapi.testclient import TestClient

from muse.errors import MuseError
from muse.settings import Settings
from server.app import STATIC_DIR, create_app
from server.errors import APIError
from server.images import parse_image_url
from server.keys import KeyStore, keys_file
from server.limits import ConcurrencyLimiter, ModelPool, RateLimiter
from server.testing import free_port


def test_keys_are_stored_hashed_and_map_to_their_user(tmp_path):
    store = KeyStore(keys_file(tmp_path))
    assert not store.configured()
    key = store.create("ana")
    assert key.startswith("sk-muse-") and len(key) > 40
    text = keys_file(tmp_path).read_text()
    assert key not in text and "ana" in text
    assert oct(keys_file(tmp_path).stat().st_mode & 0o777) == "0o600"
    assert store.user_of(key) == "ana" and store.user_of(key + "x") is None
    with pytest.raises(MuseError, match="exists"):
        store.create("ana")
    with pytest.raises(MuseError, match="invalid key name"):
        store.create("no spaces")
    other_process = KeyStore(keys_file(tmp_path))  # as `muse keys` beside a running server
    other_process.revoke("ana")
    assert store.user_of(key) is None
    with pytest.raises(MuseError, match="no key named"):
        store.revoke("ana")


def test_rate_limiter_refuses_past_the_rate_and_refills(monkeypatch):
    clock = [1000.0]
    monkeypatch.setattr(time, "monotonic", lambda: clock[0])
    limiter = RateLimiter(per_minute=2)
    limiter.check("ana")
    limiter.check("ana")
    with pytest.raises(APIError) as refused:
        limiter.check("ana")
    assert refused.value.status == 429 and refused.value.retry_after == pytest.approx(30.0)
    limiter.check("bob")  # per key
    clock[0] += 30.0
    limiter.check("ana")
    RateLimiter(per_minute=0).check("anyone")  # 0: no limit


def test_concurrency_limiter_counts_requests_in_flight():
    limiter = ConcurrencyLimiter(limit=1)
    limiter.acquire("ana")
    with pytest.raises(APIError) as refused:
        limiter.acquire("ana")
    assert refused.value.status == 429 and refused.value.retry_after
    limiter.acquire("bob")
    limiter.release("ana")
    limiter.acquire("ana")


def test_model_pool_admits_workers_plus_queue_then_answers_503():
    pool = ModelPool(workers=1, queue_size=1, timeout=5)
    first, second = pool.admit(), pool.admit()
    assert pool.depth == 1
    with pytest.raises(APIError) as refused:
        pool.admit()
    assert refused.value.status == 503 and refused.value.retry_after >= 1
    first.release()
    first.release()  # twice is once
    assert pool.admitted == 1
    second.release()
    pool.shutdown()


def test_image_references_are_data_urls_or_image_ids():
    png = base64.b64encode(b"\x89PNG...").decode()
    assert parse_image_url(f"data:image/png;base64,{png}", 100).data == b"\x89PNG..."
    assert parse_image_url("muse://img_0123456789ab", 100).image_id == "img_0123456789ab"
    assert parse_image_url(" img_0123456789ab ", 100).image_id == "img_0123456789ab"
    for url, status in [("https://example.com/x.png", 400), ("img_xyz", 400), ("data:image/png,raw", 400),
                        ("data:image/png;base64,!!", 400), (f"data:image/png;base64,{base64.b64encode(bytes(200)).decode()}", 413)]:
        with pytest.raises(APIError) as refused:
            parse_image_url(url, 100)
        assert refused.value.status == status, url


def test_without_keys_only_loopback_clients_are_answered(tmp_path):
    app = create_app(Settings(home=tmp_path))
    assert TestClient(app).get("/v1/models").status_code == 200
    remote = TestClient(app, client=("10.1.2.3", 50000)).get("/v1/models")
    assert remote.status_code == 401 and remote.json()["error"]["code"] == "no_api_keys"
    assert TestClient(app).get("/healthz").json()["auth"] == "loopback-only"


def test_the_web_ui_is_served_and_needs_nothing_from_other_hosts(tmp_path):
    client = TestClient(create_app(Settings(home=tmp_path)))
    page = client.get("/")
    assert page.status_code == 200 and 'id="message-input"' in page.text
    assert client.get("/ui", follow_redirects=False).headers["location"] == "/"
    assert client.get("/static/app.js").status_code == 200 and client.get("/static/style.css").status_code == 200
    for name in ("index.html", "app.js", "style.css"):
        assert not re.search(r"(src|href)=[\"']?(https?:)?//", (STATIC_DIR / name).read_text()), name


def test_muse_serve_refuses_a_public_address_without_keys(tmp_path):
    port = free_port()
    env = {**os.environ, "MUSE_HOME": str(tmp_path)}
    process = subprocess.Popen([sys.executable, "-m", "muse", "serve", "--host", "0.0.0.0", "--port", str(port)],
                               env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).json()
                break
            except httpx.HTTPError:
                assert process.poll() is None and time.monotonic() < deadline
                time.sleep(0.3)
        assert health["auth"] == "loopback-only" and not health["agent_loaded"]
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=30)
    assert "not listening on 0.0.0.0" in stderr and f"http://127.0.0.1:{port}/" in stderr
