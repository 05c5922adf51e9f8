"""Channel schedules are visible: setting, changing or stopping one is announced, like /remind."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select

from bot.db.engine import Sessions
from bot.db.models import Schedule
from tests.factories import make_manager
from tests.fakes.slack_api import FakeSlack
from tests.harness import SlackSender, ephemeral_text


def _texts(fake: FakeSlack, channel: str, count: int) -> list[str]:
    calls = fake.wait_for("chat.postMessage", count=count)
    return [str(c.params.get("text")) for c in calls if c.params.get("channel") == channel]


def test_setting_changing_and_stopping_are_announced_in_the_channel(slack: SlackSender, fake_slack: FakeSlack) -> None:
    slack.command("/quote", "daily 09:00 Europe/Berlin", user="U1")
    assert _texts(fake_slack, "C1", 1) == [
        ":calendar: <@U1> set up the daily quote here: `09:00 Europe/Berlin weekdays`."
    ]
    slack.command("/quote", "daily 09:00 Europe/Berlin", user="U1")  # the same again: nothing to announce
    slack.command("/quote", "daily off", user="U1")
    assert _texts(fake_slack, "C1", 2)[-1] == (
        ":calendar: <@U1> stopped the daily quote here (it was `09:00 Europe/Berlin weekdays`)."
    )
    assert len(fake_slack.calls_to("chat.postMessage")) == 2  # no DM: U1 changed their own schedule


def test_a_change_by_someone_else_dms_the_creator(slack: SlackSender, fake_slack: FakeSlack) -> None:
    slack.command("/quote", "daily 09:00 Europe/Berlin", user="U1")
    fake_slack.wait_for("chat.postMessage", count=1)
    slack.command("/quote", "daily 10:30 Europe/Berlin everyday", user="U2")
    calls = fake_slack.wait_for("chat.postMessage", count=3)
    by_channel = {str(c.params["channel"]): str(c.params["text"]) for c in calls[1:]}
    assert by_channel["C1"] == (
        ":calendar: <@U2> changed the daily quote here from `09:00 Europe/Berlin weekdays` "
        "to `10:30 Europe/Berlin everyday`."
    )
    assert by_channel["U1"].startswith(":calendar: <@U2> changed the daily quote in <#C1> from `09:00")
    assert "You had set it up" in by_channel["U1"]


def test_user_markup_cannot_ride_along_in_a_notice(slack: SlackSender, fake_slack: FakeSlack) -> None:
    ephemeral_text(slack.command("/quote", "daily 09:00 <!channel> Europe/Berlin", user="U1"))
    slack.command("/quote", "daily 09:00 Europe/Berlin", user="U1")
    for text in _texts(fake_slack, "C1", 1):
        assert "<!channel>" not in text and "<!here>" not in text


def test_coaching_prompts_in_a_channel_are_announced_too(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    make_manager(sessions, "U1")
    slack.command("/coach", "prompts channel 08:30 Europe/Berlin mon", user="U1")
    assert _texts(fake_slack, "C1", 1) == [
        ":calendar: <@U1> set up the daily coaching prompt here: `08:30 Europe/Berlin mon`."
    ]


@pytest.fixture
def admins_only(start_app: Callable[..., SlackSender]) -> SlackSender:
    return start_app(COACHBOT_SCHEDULE_CHANGES="admins")


def test_admins_only_refuses_members_and_changes_nothing(
    admins_only: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    text = ephemeral_text(admins_only.command("/quote", "daily 09:00 Europe/Berlin", user="U1"))
    assert "only coachbot admins set, change or stop the daily quote" in text
    assert "<@UADMIN>" in text and "Nothing was changed" in text
    assert "`/quote daily 09:00 Europe/Berlin`" in text
    with sessions.begin() as session:
        assert session.scalars(select(Schedule)).all() == []
    assert not fake_slack.calls_to("chat.postMessage")
    admins_only.command("/quote", "daily 09:00 Europe/Berlin", user="UADMIN")
    assert _texts(fake_slack, "C1", 1) == [
        ":calendar: <@UADMIN> set up the daily quote here: `09:00 Europe/Berlin weekdays`."
    ]
    off = ephemeral_text(admins_only.command("/quote", "daily off", user="U2"))
    assert "only coachbot admins" in off
    with sessions.begin() as session:
        assert session.scalars(select(Schedule.active)).one() is True
