"""Multi-workspace install: Bolt's OAuth flow with slack-sdk's SQLAlchemy stores, across replicas."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from sqlalchemy import Engine, update

from bot.bootstrap import build_deps
from bot.db.engine import Sessions, make_engine
from bot.db.models import BOTS_TABLE, Base
from tests.conftest import make_settings
from tests.fakes.slack_api import FakeSlack
from tests.harness import AppServer, SlackSender, TestClock

OAUTH_ENV = {
    "SLACK_BOT_TOKEN": "",
    "SLACK_CLIENT_ID": "111.222",
    "SLACK_CLIENT_SECRET": "client-secret-value",
    "SLACK_STATE_SECRET": "state-secret-value",
    "COACHBOT_ADMINS": "T1:UADMIN",  # with OAuth, admins are named per workspace
}


@pytest.fixture
def replicas(database_url: str, sessions: Sessions, fake_slack: FakeSlack) -> Iterator[tuple[AppServer, AppServer]]:
    """Two app processes' worth of state: separate engines and apps, one database."""
    servers = []
    for _ in range(2):
        settings = make_settings(database_url, fake_slack, **OAUTH_ENV)
        server = AppServer(settings, clock=TestClock())
        server.start(build_deps(settings, make_engine(database_url)))
        servers.append(server)
    yield servers[0], servers[1]
    for server in servers:
        server.stop()
        assert server.deps is not None
        server.deps.engine.dispose()


def _install(
    a: AppServer, b: AppServer, fake: FakeSlack, code: str, team: str, rotating: bool = False
) -> requests.Response:
    fake.grant_oauth_code(code, team, installer="U1", rotating=rotating)
    page = requests.get(f"{a.url}/slack/install", timeout=10)
    assert page.status_code == 200
    link = re.search(r'href="(https://slack.com/oauth/v2/authorize\?[^"]+)"', page.text)
    assert link is not None, page.text
    query = parse_qs(urlparse(link.group(1).replace("&amp;", "&")).query)
    assert query["client_id"] == ["111.222"] and "chat:write" in query["scope"][0]
    cookie = page.headers["set-cookie"].split(";")[0]
    return requests.get(
        f"{b.url}/slack/oauth_redirect",
        params={"code": code, "state": query["state"][0]},
        headers={"Cookie": cookie},
        timeout=10,
    )


def test_install_on_one_replica_completes_on_another(
    replicas: tuple[AppServer, AppServer], fake_slack: FakeSlack
) -> None:
    a, b = replicas
    fake_slack.add_workspace("T2")
    done = _install(a, b, fake_slack, "code-1", "T2")
    assert done.status_code == 200, done.text
    assert fake_slack.calls_to("oauth.v2.access", code="code-1")
    assert a.deps is not None
    assert a.deps.clients.bot_token(team_id="T2") == fake_slack.workspace("T2").token

    # Requests from the new workspace are authorized from the installation store, on either replica.
    fake_slack.add_user("U7", team_id="T2", tz="Europe/Paris")
    resp = SlackSender(a.url).as_team("T2").command("/quote", user="U7")
    assert resp.status_code == 200 and resp.json()["response_type"] == "ephemeral"


def test_a_forged_state_is_refused(replicas: tuple[AppServer, AppServer], fake_slack: FakeSlack) -> None:
    a, _ = replicas
    fake_slack.add_workspace("T2")
    fake_slack.grant_oauth_code("code-2", "T2")
    resp = requests.get(f"{a.url}/slack/oauth_redirect", params={"code": "code-2", "state": "forged"}, timeout=10)
    assert resp.status_code >= 400
    assert not fake_slack.calls_to("oauth.v2.access")
    assert a.deps is not None and a.deps.clients.bot_token(team_id="T2") is None


def test_request_from_a_workspace_that_never_installed_is_not_served(
    replicas: tuple[AppServer, AppServer], fake_slack: FakeSlack
) -> None:
    a, _ = replicas
    resp = SlackSender(a.url).as_team("T9").command("/quote", user="U1")
    assert resp.status_code < 500
    assert "“" not in resp.text  # no quote was served


def test_rotating_token_is_refreshed_before_it_expires(
    replicas: tuple[AppServer, AppServer], fake_slack: FakeSlack, engine: Engine
) -> None:
    a, b = replicas
    fake_slack.add_workspace("T2")
    assert _install(a, b, fake_slack, "code-3", "T2", rotating=True).status_code == 200
    assert a.deps is not None
    first = a.deps.clients.bot_token(team_id="T2")
    assert first is not None and first.startswith("xoxe.xoxb-")
    bots = Base.metadata.tables[BOTS_TABLE]
    with engine.begin() as conn:  # as if the token were about to expire
        conn.execute(
            update(bots).values(bot_token_expires_at=datetime.now(UTC).replace(tzinfo=None) + timedelta(minutes=5))
        )
    second = a.deps.clients.bot_token(team_id="T2")
    assert second is not None and second != first
    assert fake_slack.calls_to("oauth.v2.access", grant_type="refresh_token")
    assert b.deps is not None and b.deps.clients.bot_token(team_id="T2") == second


def test_app_uninstalled_deletes_the_workspace_tokens_and_stops_its_schedules(
    replicas: tuple[AppServer, AppServer], fake_slack: FakeSlack, sessions: Sessions
) -> None:
    from bot.db.models import Schedule
    from bot.services import schedules
    from bot.services.schedule_spec import WEEKDAYS, ScheduleSpec

    a, b = replicas
    fake_slack.add_workspace("T2")
    assert _install(a, b, fake_slack, "code-4", "T2").status_code == 200
    with sessions.begin() as s:
        schedules.set_schedule(
            s,
            team_id="T2",
            enterprise_id=None,
            kind="quote_channel",
            target_id="C9",
            created_by="U1",
            spec=ScheduleSpec(9, 0, "UTC", WEEKDAYS),
        )
    assert a.deps is not None and a.deps.clients.bot_token(team_id="T2") is not None
    resp = SlackSender(b.url).as_team("T2").event({"type": "app_uninstalled", "event_ts": "1.2"})
    assert resp.status_code == 200
    assert a.deps.clients.bot_token(team_id="T2") is None
    with sessions.begin() as s:
        assert [sch.active for sch in s.query(Schedule).filter_by(team_id="T2")] == [False]
