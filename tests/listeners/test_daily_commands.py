"""/quote daily over signed HTTP: replies, errors, channel checks, and the uninstall events."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.engine import Sessions
from bot.db.models import Schedule
from bot.services import schedules
from bot.services.schedule_spec import WEEKDAYS, ScheduleSpec
from tests.fakes.slack_api import FakeSlack
from tests.harness import SlackSender, TestClock, ephemeral_text

EXAMPLE = "/quote daily 09:00 Europe/Berlin weekdays"


def all_schedules(sessions: Sessions) -> list[Schedule]:
    with sessions() as s:
        return list(s.scalars(select(Schedule).order_by(Schedule.id)))


def test_set_with_zone_and_days_confirms_and_says_when_next(
    slack: SlackSender, sessions: Sessions, clock: TestClock
) -> None:
    clock.set("2026-11-30T12:00:00Z")  # Monday, after 09:00 in Berlin
    resp = slack.command("/quote", "daily 09:00 Europe/Berlin weekdays")
    text = ephemeral_text(resp)

    assert resp.json()["response_type"] == "ephemeral"
    assert "*09:00* Europe/Berlin, weekdays" in text
    assert "Next post: *Tue 1 Dec 2026, 09:00 CET*" in text
    (row,) = all_schedules(sessions)
    assert (row.team_id, row.kind, row.target_id, row.created_by) == ("T1", "quote_channel", "C1", "U1")
    assert (row.hour, row.minute, row.tz, row.days, row.active) == (9, 0, "Europe/Berlin", WEEKDAYS, True)


def test_zone_defaults_to_the_users_slack_zone(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    clock.set("2026-11-27T12:00:00Z")  # Friday, 07:00 in New York
    text = ephemeral_text(slack.command("/quote", "daily 9am", user="U2"))
    assert "*09:00* America/New_York, weekdays" in text
    assert "your Slack time zone" in text
    assert "Next post: *Fri 27 Nov 2026, 09:00 EST*" in text
    assert fake_slack.calls_to("users.info", user="U2")
    assert all_schedules(sessions)[0].tz == "America/New_York"


def test_twelve_hour_time_with_named_days(slack: SlackSender, sessions: Sessions) -> None:
    text = ephemeral_text(slack.command("/quote", "daily 9:30pm mon,wed,fri Asia/Tokyo"))
    assert "*21:30* Asia/Tokyo, Mon, Wed, Fri" in text
    (row,) = all_schedules(sessions)
    assert (row.hour, row.minute, row.days) == (21, 30, 0b0010101)


def test_setting_again_replaces_the_schedule(slack: SlackSender, sessions: Sessions) -> None:
    slack.command("/quote", "daily 09:00 Europe/Berlin")
    slack.command("/quote", "daily 07:30 Europe/Berlin everyday")
    (row,) = all_schedules(sessions)
    assert (row.hour, row.minute, row.days) == (7, 30, 0b1111111)


def test_show_current_setting(slack: SlackSender, clock: TestClock) -> None:
    clock.set("2026-11-30T12:00:00Z")
    slack.command("/quote", "daily 09:00 Europe/Berlin weekdays")
    text = ephemeral_text(slack.command("/quote", "daily"))
    assert "*09:00* Europe/Berlin, weekdays" in text
    assert "Next post: *Tue 1 Dec 2026, 09:00 CET*" in text
    assert "/quote daily off" in text


def test_show_without_a_schedule_explains_how_to_set_one(slack: SlackSender) -> None:
    text = ephemeral_text(slack.command("/quote", "daily"))
    assert "no daily quotes" in text and EXAMPLE in text


def test_off_stops_the_posts(slack: SlackSender, sessions: Sessions) -> None:
    slack.command("/quote", "daily 09:00 Europe/Berlin")
    text = ephemeral_text(slack.command("/quote", "daily off"))
    assert "off" in text
    (row,) = all_schedules(sessions)
    assert not row.active
    assert "off" in ephemeral_text(slack.command("/quote", "daily"))


def test_off_without_a_schedule_changes_nothing(slack: SlackSender, sessions: Sessions) -> None:
    assert "Nothing changed" in ephemeral_text(slack.command("/quote", "daily off"))
    assert all_schedules(sessions) == []


def test_impossible_time_is_named_with_an_example(slack: SlackSender, sessions: Sessions) -> None:
    text = ephemeral_text(slack.command("/quote", "daily 25:99 Europe/Berlin"))
    assert "`25:99`" in text and "impossible time" in text and EXAMPLE in text
    assert all_schedules(sessions) == []


def test_unknown_zone_is_named_with_an_example(slack: SlackSender, sessions: Sessions) -> None:
    text = ephemeral_text(slack.command("/quote", "daily 09:00 Mars/Olympus"))
    assert "`Mars/Olympus`" in text and "time zone" in text and EXAMPLE in text
    assert all_schedules(sessions) == []


def test_unknown_days_are_named_with_an_example(slack: SlackSender, sessions: Sessions) -> None:
    text = ephemeral_text(slack.command("/quote", "daily 09:00 Europe/Berlin fridays,caturday"))
    assert "`caturday`" in text and "day" in text and EXAMPLE in text
    assert all_schedules(sessions) == []


def test_private_channel_without_the_bot_says_to_invite_it(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    fake_slack.add_channel("G1", name="leads", is_private=True, bot_is_member=False)
    text = ephemeral_text(slack.command("/quote", "daily 09:00 Europe/Berlin", channel="G1"))
    assert "/invite @coachbot" in text and "Nothing was saved" in text
    assert "/quote daily 09:00 Europe/Berlin weekdays" in text
    assert all_schedules(sessions) == []


def test_public_channel_without_the_bot_is_joined(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    fake_slack.add_channel("C7", name="sales", bot_is_member=False)
    text = ephemeral_text(slack.command("/quote", "daily 09:00 Europe/Berlin", channel="C7"))
    assert "I joined this channel" in text
    assert fake_slack.calls_to("conversations.join", channel="C7")
    assert fake_slack.channel("C7").bot_is_member
    assert [r.target_id for r in all_schedules(sessions)] == ["C7"]


def test_archived_channel_is_refused(slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack) -> None:
    fake_slack.add_channel("C8", is_archived=True)
    text = ephemeral_text(slack.command("/quote", "daily 09:00 Europe/Berlin", channel="C8"))
    assert "archived" in text and "Nothing was saved" in text
    assert all_schedules(sessions) == []


def test_direct_message_is_refused(slack: SlackSender, sessions: Sessions) -> None:
    text = ephemeral_text(slack.command("/quote", "daily 09:00 Europe/Berlin", channel="DU1"))
    assert "channel, not a direct message" in text and EXAMPLE in text
    assert all_schedules(sessions) == []


def test_paused_schedule_shows_why_and_how_to_resume(slack: SlackSender, sessions: Sessions) -> None:
    slack.command("/quote", "daily 09:00 Europe/Berlin")
    with sessions.begin() as s:
        (row,) = s.scalars(select(Schedule)).all()
        schedules.pause_schedule(s, schedule_id=row.id, reason="the channel is archived")
    text = ephemeral_text(slack.command("/quote", "daily"))
    assert "paused" in text and "the channel is archived" in text
    assert "/quote daily 09:00 Europe/Berlin weekdays" in text


def test_another_workspace_does_not_see_this_channels_schedule(slack: SlackSender, fake_slack: FakeSlack) -> None:
    # With one bot token, another workspace is refused outright (tests/test_replays_and_workspace.py);
    # with OAuth, tests/test_workspace_isolation.py shows each workspace sees only its own schedules.
    slack.command("/quote", "daily 09:00 Europe/Berlin")
    text = ephemeral_text(slack.as_team("T2").command("/quote", "daily"))
    assert "installed in another Slack workspace" in text and "09:00" not in text


def test_help_lists_the_daily_subcommand(slack: SlackSender) -> None:
    assert "/quote daily HH:MM" in ephemeral_text(slack.command("/quote", "help"))


# -- workspace-level events ------------------------------------------------------------


def seed_two_workspaces(sessions: Sessions) -> None:
    spec = ScheduleSpec(9, 0, "Europe/Berlin", WEEKDAYS)
    with sessions.begin() as s:
        for team, kind, target in [
            ("T1", "quote_channel", "C1"),
            ("T1", "prompt_dm", "U1"),
            ("T9", "quote_channel", "C9"),
        ]:
            schedules.set_schedule(
                s, team_id=team, enterprise_id=None, kind=kind, target_id=target, created_by="U1", spec=spec
            )


def active_targets(sessions: Sessions) -> set[tuple[str, str]]:
    return {(r.team_id, r.target_id) for r in all_schedules(sessions) if r.active}


def test_app_uninstalled_stops_that_workspaces_schedules(slack: SlackSender, sessions: Sessions) -> None:
    seed_two_workspaces(sessions)
    resp = slack.event({"type": "app_uninstalled"})
    assert resp.status_code == 200
    assert active_targets(sessions) == {("T9", "C9")}


def test_tokens_revoked_for_the_bot_stops_that_workspaces_schedules(slack: SlackSender, sessions: Sessions) -> None:
    seed_two_workspaces(sessions)
    resp = slack.event({"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["UBOT"]}})
    assert resp.status_code == 200
    assert active_targets(sessions) == {("T9", "C9")}


def test_tokens_revoked_for_user_tokens_only_keeps_the_schedules(slack: SlackSender, sessions: Sessions) -> None:
    seed_two_workspaces(sessions)
    slack.event({"type": "tokens_revoked", "tokens": {"oauth": ["U1"], "bot": []}})
    assert active_targets(sessions) == {("T1", "C1"), ("T1", "U1"), ("T9", "C9")}
