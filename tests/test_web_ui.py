"""The web UI in a real browser: Debian's headless Chromium driven by Playwright, against a real server
running the real agent on the shipped models (no key configured: loopback only, user 'local')."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from PIL import Image

from muse.settings import Settings, get_settings
from server.app import create_app
from server.testing import running_server

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's chromium is not installed: apt-get install -y chromium (.ci/run does)"),
]
# As root, in a sandbox with no network: no sandbox, no GPU, no calls home.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory, shared_cache_dir):
    home = tmp_path_factory.mktemp("ui-home")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("MUSE_HOME", str(home))
        patch.setenv("MUSE_CACHE_DIR", str(shared_cache_dir))  # the planner converted once per test run
        patch.setenv("MUSE_GENERATION__STEPS", "4")
        get_settings.cache_clear()
        with running_server(create_app(Settings(home=home))) as url:
            yield url


@pytest.fixture(scope="module")
def page(base_url, tmp_path_factory):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1100, "height": 800})
        page.set_default_timeout(240_000)  # the first turn loads the planner and the image models
        page.goto(base_url + "/")
        yield page
        page.screenshot(path=str(Path(os.environ.get("MUSE_UI_SCREENSHOT", tmp_path_factory.mktemp("ui") / "ui.png"))))
        browser.close()


def image_loaded(page, selector: str) -> bool:
    return page.eval_on_selector(selector, "img => img.complete && img.naturalWidth > 0")


def test_a_drawing_request_streams_an_answer_with_its_image_and_tool_trace(page):
    page.fill("#message-input", "draw a red circle")
    page.press("#message-input", "Enter")
    answer = page.wait_for_selector(".msg.assistant.done")
    assert answer.inner_text().strip()
    assert "generate_image" in page.inner_text(".msg.assistant.done .trace")
    page.wait_for_function("() => { const img = document.querySelector('.msg.assistant.done img.generated'); return img && img.naturalWidth > 0; }")
    assert image_loaded(page, ".msg.assistant.done img.generated")
    page.wait_for_selector("#sessions li.active")


def test_an_uploaded_image_is_shown_and_sent_with_the_message(page, tmp_path):
    picture = tmp_path / "blue.png"
    Image.new("RGB", (64, 64), (0, 0, 255)).save(picture)
    page.set_input_files("#attach", str(picture))
    page.wait_for_selector("#attachments img[data-image-id]")
    page.fill("#message-input", "what colour is this image?")
    page.click("#send")
    page.wait_for_function("() => document.querySelectorAll('.msg.assistant.done').length >= 2")
    user_images = page.query_selector_all(".msg.user img")
    assert user_images and page.inner_text(".msg.assistant.done >> nth=1").strip()
    assert page.query_selector_all("#attachments img") == []


def test_sessions_are_listed_and_reopened(page):
    turns = len(page.query_selector_all(".msg"))
    page.click("#new-session")
    assert page.query_selector_all(".msg") == []
    page.click("#sessions li >> nth=0")
    page.wait_for_function(f"() => document.querySelectorAll('.msg').length >= {turns}")
    assert "draw a red circle" in page.inner_text("#messages")
    assert page.query_selector_all(".msg.user img")  # the uploaded image is part of the history
