"""A real playground (app + stand-in + page) on a free loopback port, and headless chromium.

The server is started once per module and Reset before each test (an empty database
with the curated store loaded, empty channels, the clock back at its start), exactly as
the page's Reset button does.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import expect

from bot.playground.routes import asgi
from bot.playground.server import Playground
from tests.harness import free_port
from tests.playground.browsing import TIMEOUT_MS, WIDTHS, Person

# A Monday: 07:00 for Max (New York), 04:00 for Riley (Los Angeles), 12:00 for Ada (London).
START = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
CHROMIUM = "/usr/bin/chromium"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The playground embeds SQLite whatever TEST_DATABASE_URL says: run it once, in the SQLite run."""
    if not os.environ.get("TEST_DATABASE_URL"):
        return
    here = Path(__file__).parent
    skip = pytest.mark.skip(reason="the playground is SQLite-only; it runs in the SQLite half of the suite")
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(skip)


@pytest.fixture(scope="module")
def playground(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Playground]:
    port = free_port()
    pg = Playground(tmp_path_factory.mktemp("playground") / "playground.db", port=port, start=START)
    pg.start_app()
    # A page's long poll may be waiting (up to 20 s): do not wait for it at shutdown.
    config = uvicorn.Config(asgi(pg), host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=1)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("playground did not start")
        time.sleep(0.02)
    yield pg
    server.should_exit = True
    thread.join(timeout=10)
    pg.stop_app()


@pytest.fixture
def fresh(playground: Playground) -> Playground:
    playground.reset()
    return playground


@pytest.fixture(scope="session")
def artifacts() -> Path:
    path = Path(os.environ.get("PLAYGROUND_ARTIFACTS") or Path(__file__).with_name("artifacts"))
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing; scripts/test.sh installs Debian's chromium package")
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # --no-sandbox: CI runs as root, where chromium's sandbox refuses to start.
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


@pytest.fixture(params=WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def person(browser: Any, fresh: Playground, artifacts: Path, request: pytest.FixtureRequest) -> Iterator[Person]:
    width = request.param
    context = browser.new_context(viewport={"width": width, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.goto(fresh.base_url + "/")
    expect(page.locator("#clock-label")).not_to_have_text("…")
    yield Person(page, artifacts, f"{request.node.originalname.removeprefix('test_')}-{width}")
    context.close()
