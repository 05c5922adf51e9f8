"""Two workspaces side by side, with the SAME user and channel ids: nothing crosses between
them — quotes, schedules, notes, submissions, managers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import Engine, select

from bot.app import BOT_SCOPES
from bot.bootstrap import build_deps
from bot.db.engine import Sessions
from bot.db.models import Delivery, Quote, Submission
from bot.scheduling.run import run_due
from tests.conftest import make_settings
from tests.factories import make_manager
from tests.fakes.slack_api import FakeSlack
from tests.harness import AppServer, SlackSender, TestClock, ephemeral_text

MONDAY_0745_BERLIN = datetime(2026, 11, 30, 6, 45, tzinfo=UTC)
T2_QUOTE = "Our team in the second workspace believes that every call is a chance to learn."


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack(ts_base=int(datetime(2028, 1, 1, tzinfo=UTC).timestamp()))
    fake.start()
    fake.add_workspace("T2", token="xoxb-test-t2", enterprise_id="E1")
    fake.workspace("T1").enterprise_id = "E1"  # one Enterprise Grid org, so ids may repeat
    for team in ("T1", "T2"):
        fake.add_user("U1", team_id=team, name="ada", tz="Europe/Berlin")
        fake.add_user("U2", team_id=team, name="bob", tz="Europe/Berlin")
        fake.add_user("UADMIN", team_id=team, name="boss", is_admin=True)
    fake.add_channel("C1", team_id="T1", name="general")
    yield fake
    fake.stop()


@pytest.fixture
def app_server(
    database_url: str, sessions: Sessions, engine: Engine, fake_slack: FakeSlack, clock: TestClock
) -> Iterator[AppServer]:
    """Multi-workspace mode: both workspaces installed through slack-sdk's installation store."""
    settings = make_settings(
        database_url,
        fake_slack,
        SLACK_BOT_TOKEN="",
        SLACK_CLIENT_ID="111.222",
        SLACK_CLIENT_SECRET="client-secret",
        SLACK_STATE_SECRET="state-secret",
        COACHBOT_ADMINS="T1:UADMIN,T2:UADMIN",
    )
    deps = build_deps(settings, engine)
    store = deps.clients.installation_store
    assert store is not None
    for team in ("T1", "T2"):
        ws = fake_slack.workspace(team)
        store.save(
            Installation(
                app_id="A1",
                enterprise_id="E1",
                team_id=team,
                bot_token=ws.token,
                bot_id=ws.bot_id,
                bot_user_id=ws.bot_user_id,
                bot_scopes=list(BOT_SCOPES),
                user_id="UADMIN",
                installed_at=datetime.now(UTC).timestamp(),
            )
        )
    server = AppServer(settings, clock=clock)
    server.start(deps)
    yield server
    server.stop()


def test_nothing_crosses_between_workspaces(
    app_server: AppServer, slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions, clock: TestClock
) -> None:
    t1, t2 = slack.as_team("T1", "E1"), slack.as_team("T2", "E1")
    clock.now = MONDAY_0745_BERLIN - timedelta(days=1)  # set everything up the day before

    # Notes and managers: U1 is a manager in T1 only.
    make_manager(sessions, "U1", team_id="T1")
    assert "Saved" in ephemeral_text(t1.command("/coach", "<@U2|bob> T1-only coaching note"))
    t2_notes = ephemeral_text(t2.command("/coach", "notes"))
    assert "T1-only coaching note" not in t2_notes
    assert "only managers" in ephemeral_text(t2.command("/coach", "<@U2|bob> try in T2")).lower()
    assert "U1" not in ephemeral_text(t2.command("/coach", "managers", user="UADMIN")).replace("UADMIN", "")

    # A team quote approved in T2 belongs to T2.
    assert "Thanks!" in ephemeral_text(t2.command("/quote", f'add "{T2_QUOTE}" — Sam Rivera', user="U2"))
    with sessions() as s:
        sub = s.scalars(select(Submission)).one()
        assert sub.team_id == "T2"
    (card,) = fake_slack.wait_for("chat.postMessage", channel="UADMIN", count=1)
    assert card.team_id == "T2"
    t2.block_action(
        "submission_approve",
        str(sub.id),
        user="UADMIN",
        channel=card.response["channel"],
        message_ts=card.response["ts"],
    )
    fake_slack.wait_for("chat.postMessage", channel="U2", text=lambda t: "approved" in t)
    with sessions() as s:
        q = s.scalars(select(Quote).where(Quote.team_id.is_not(None))).one()
        assert q.team_id == "T2"
    assert "Sam Rivera" not in ephemeral_text(t1.command("/quote", "search second workspace"))
    assert "Sam Rivera" in ephemeral_text(t2.command("/quote", "search second workspace"))
    assert T2_QUOTE not in ephemeral_text(t1.command("/quote", "mine", user="U2"))

    # Schedules: the same channel id in T2 shows nothing of T1's schedule.
    assert "07:45" in ephemeral_text(t1.command("/quote", "daily 07:45 Europe/Berlin weekdays", channel="C1"))
    t2_daily = ephemeral_text(t2.command("/quote", "daily", channel="C1"))
    assert "07:45" not in t2_daily and "no daily quotes" in t2_daily

    # The daily post in T1 never features T2's quote, even though T2's is newest and approved.
    clock.now = MONDAY_0745_BERLIN
    assert app_server.deps is not None
    for day in range(5):
        at = MONDAY_0745_BERLIN + timedelta(days=day)
        run_due(app_server.deps, at)
    notices = fake_slack.calls_to("chat.postMessage", channel="C1", text=lambda t: t.startswith(":calendar:"))
    assert len(notices) == 1 and notices[0].team_id == "T1"  # who set up T1's daily quote, in T1 only
    posts = [p for p in fake_slack.calls_to("chat.postMessage", channel="C1") if p not in notices]
    assert len(posts) == 5
    assert all(p.team_id == "T1" for p in posts)
    assert all(T2_QUOTE not in json.dumps(p.params) for p in posts)
    with sessions() as s:
        assert {d.team_id for d in s.scalars(select(Delivery))} == {"T1"}
