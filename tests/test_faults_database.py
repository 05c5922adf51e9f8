"""The database goes away and comes back: nothing is claimed saved that wasn't, and
everything works again without a restart.

PostgreSQL only: the app reaches it through a TCP proxy that the test can cut. SQLite is
an embedded file and cannot become unreachable in this way.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from datetime import timedelta

import pytest
import requests
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from bot.bootstrap import build_deps
from bot.db.engine import Sessions, make_engine
from bot.scheduling.tick import Ticker
from tests.conftest import make_settings
from tests.factories import make_manager, note_count
from tests.fakes.slack_api import FakeSlack
from tests.fakes.tcp_proxy import TcpProxy
from tests.harness import AppServer, SlackSender, TestClock

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"), reason="needs a networked database (PostgreSQL); CI runs it"
)


@pytest.fixture
def proxy(database_url: str) -> Iterator[TcpProxy]:
    url = make_url(database_url)
    p = TcpProxy(url.host or "127.0.0.1", url.port or 5432).start()
    yield p
    p.stop()


@pytest.fixture
def flaky_server(
    database_url: str, proxy: TcpProxy, sessions: Sessions, fake_slack: FakeSlack, engine: Engine
) -> Iterator[AppServer]:
    url = make_url(database_url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    settings = make_settings(url, fake_slack)
    server = AppServer(settings, clock=TestClock())
    server.start(build_deps(settings, make_engine(url)))
    yield server
    server.stop()
    assert server.deps is not None
    server.deps.engine.dispose()


def test_healthz_is_503_while_the_database_is_down_and_200_after(flaky_server: AppServer, proxy: TcpProxy) -> None:
    assert requests.get(f"{flaky_server.url}/healthz", timeout=10).status_code == 200
    proxy.cut()
    flaky_server.clock.now += timedelta(seconds=1)  # /healthz reuses a check for a second
    down = requests.get(f"{flaky_server.url}/healthz", timeout=10)
    assert down.status_code == 503 and down.json()["status"] == "unavailable"
    proxy.restore()
    flaky_server.clock.now += timedelta(seconds=1)
    assert requests.get(f"{flaky_server.url}/healthz", timeout=10).status_code == 200


def test_a_note_is_never_claimed_saved_while_the_database_is_down(
    flaky_server: AppServer, proxy: TcpProxy, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    make_manager(sessions, "U1")
    slack = SlackSender(flaky_server.url, response_url=fake_slack.response_url)
    assert slack.command("/coach", "<@U2|bob> warm-up note").status_code == 200  # the pool has a connection
    proxy.cut()
    resp = slack.command("/coach", "<@U2|bob> asked great questions in the demo")
    assert resp.status_code == 200
    body = resp.json()
    assert body["response_type"] == "ephemeral"
    assert "not saved" in body["text"] and "try again" in body["text"]
    assert resp.elapsed.total_seconds() < 3
    proxy.restore()
    assert note_count(sessions, text="asked great questions in the demo") == 0

    # Back without a restart: the same command now saves.
    again = slack.command("/coach", "<@U2|bob> asked great questions in the demo")
    assert again.status_code == 200 and "not saved" not in again.json()["text"]
    assert note_count(sessions, text="asked great questions in the demo") == 1


def test_the_scheduler_tick_logs_and_carries_on(
    flaky_server: AppServer, proxy: TcpProxy, caplog: pytest.LogCaptureFixture
) -> None:
    assert flaky_server.deps is not None
    ticker = Ticker(flaky_server.deps)
    proxy.cut()
    with caplog.at_level(logging.ERROR, logger="bot.scheduling.tick"):
        ticker()  # must not raise
    assert any("will retry next tick" in r.getMessage() for r in caplog.records)
    assert flaky_server.deps.metrics.tick_failures._value.get() == 1
    proxy.restore()
    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="bot.scheduling.tick"):
        ticker()
    assert not caplog.records
