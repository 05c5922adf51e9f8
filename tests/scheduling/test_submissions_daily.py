"""After approval: the team quote is the next daily post in every scheduled channel, credited,
and /quote can show it at once."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.db.engine import Sessions
from bot.db.models import Submission
from bot.scheduling.run import run_due
from bot.services import schedules
from bot.services.schedule_spec import WEEKDAYS, ScheduleSpec
from tests.fakes.slack_api import FakeSlack
from tests.harness import AppServer, SlackSender, TestClock, ephemeral_text

TEXT = "Coach the player in front of you, not the one you wish you had."
MONDAY_9_BERLIN = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    # Message ts values after every instant used here, as real posts are newer than their due time.
    fake = FakeSlack(ts_base=int(datetime(2028, 1, 1, tzinfo=UTC).timestamp()))
    fake.start()
    fake.add_user("U1", name="ada", real_name="Ada Lovelace", tz="Europe/Berlin")
    fake.add_user("U2", name="bob", real_name="Bob Rep", tz="America/New_York")
    fake.add_user("UADMIN", name="boss", real_name="Alex Admin", is_admin=True)
    fake.add_channel("C1", name="general")
    fake.add_channel("C2", name="sales")
    yield fake
    fake.stop()


def daily_posts(fake: FakeSlack, channel: str) -> list[dict[str, object]]:
    return [m for m in fake.history(channel) if (m.get("metadata") or {}).get("event_type") == "coachbot_delivery"]


def test_approved_quote_is_the_next_daily_post_in_each_channel_credited(
    slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions, app_server: AppServer, clock: TestClock
) -> None:
    assert app_server.deps is not None
    with sessions.begin() as s:
        for channel in ("C1", "C2"):
            schedules.set_schedule(
                s,
                team_id="T1",
                enterprise_id=None,
                kind="quote_channel",
                target_id=channel,
                created_by="U1",
                spec=ScheduleSpec(9, 0, "Europe/Berlin", WEEKDAYS),
            )
    clock.now = MONDAY_9_BERLIN
    run_due(app_server.deps, MONDAY_9_BERLIN)
    assert [len(daily_posts(fake_slack, c)) for c in ("C1", "C2")] == [1, 1]  # curated ones

    assert "Thanks!" in ephemeral_text(slack.command("/quote", f'add "{TEXT}" — Jordan Lee', user="U2"))
    (card,) = fake_slack.wait_for("chat.postMessage", channel="UADMIN")
    with sessions() as s:
        sub_id = s.scalars(select(Submission.id)).one()
    slack.block_action(
        "submission_approve",
        str(sub_id),
        user="UADMIN",
        channel=card.response["channel"],
        message_ts=card.response["ts"],
    )
    fake_slack.wait_for("chat.postMessage", channel="U2", text=lambda t: "approved" in t)

    tuesday = MONDAY_9_BERLIN + timedelta(days=1)
    clock.now = tuesday
    result = run_due(app_server.deps, tuesday)
    assert result.sent == 2
    for channel in ("C1", "C2"):
        latest = daily_posts(fake_slack, channel)[-1]
        shown = json.dumps(latest["blocks"], ensure_ascii=False)
        assert TEXT in shown and "Jordan Lee" in shown
        assert re.search(r"(?i)submitted by <@U2>", shown)  # the daily post's wording is H2's


def test_approved_quote_is_in_the_quote_pool_at_once(
    slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions, app_server: AppServer
) -> None:
    assert app_server.deps is not None
    assert slack.command("/quote").status_code == 200  # warms the in-memory pool
    slack.command("/quote", f'add "{TEXT}" — Jordan Lee', user="U2")
    (card,) = fake_slack.wait_for("chat.postMessage", channel="UADMIN")
    with sessions() as s:
        sub_id = s.scalars(select(Submission.id)).one()
    assert TEXT not in [q.text for q in app_server.deps.quote_pool.visible("T1")]
    slack.block_action(
        "submission_approve",
        str(sub_id),
        user="UADMIN",
        channel=card.response["channel"],
        message_ts=card.response["ts"],
    )
    pool = app_server.deps.quote_pool.visible("T1")
    assert [q.submitted_by for q in pool if q.text == TEXT] == ["U2"]
