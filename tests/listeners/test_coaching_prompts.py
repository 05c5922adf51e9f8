"""Coaching prompts: subscribing, delivery exactly once through run_due, the 'Log a note' button."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.db.engine import Sessions
from bot.db.models import Delivery, Prompt, RotationSeen, Schedule
from bot.scheduling.run import run_due
from bot.services.store_entries import THEME_LABELS
from tests.factories import blocks_of, buttons, make_manager, view_of
from tests.fakes.slack_api import FakeSlack
from tests.harness import AppServer, SlackSender, TestClock, ephemeral_text

MONDAY_0830_NEW_YORK = datetime(2026, 11, 30, 13, 30, tzinfo=UTC)  # EST is UTC-5


@pytest.fixture(autouse=True)
def ada_is_a_manager(sessions: Sessions) -> None:
    make_manager(sessions, "U1")


def schedule_of(sessions: Sessions, kind: str, target: str) -> Schedule | None:
    with sessions.begin() as session:
        return session.scalars(select(Schedule).where(Schedule.kind == kind, Schedule.target_id == target)).first()


def test_prompts_subscribes_with_time_zone_and_days(slack: SlackSender, sessions: Sessions) -> None:
    text = ephemeral_text(slack.command("/coach", "prompts 08:30 America/New_York weekdays"))
    assert "*08:30 America/New_York, weekdays*" in text
    assert "/coach prompts off" in text
    sched = schedule_of(sessions, "prompt_dm", "U1")
    assert sched is not None and sched.active
    assert (sched.hour, sched.minute, sched.tz, sched.created_by) == (8, 30, "America/New_York", "U1")


def test_prompts_zone_defaults_to_the_users_slack_zone(slack: SlackSender, sessions: Sessions) -> None:
    text = ephemeral_text(slack.command("/coach", "prompts 7:15am mon,thu"))
    assert "07:15 Europe/Berlin, Mon, Thu" in text
    sched = schedule_of(sessions, "prompt_dm", "U1")
    assert sched is not None and sched.tz == "Europe/Berlin"


def test_prompts_shows_the_current_setting(slack: SlackSender) -> None:
    assert "no coaching prompt DMs yet" in ephemeral_text(slack.command("/coach", "prompts"))
    slack.command("/coach", "prompts 08:30 America/New_York")
    assert "08:30 America/New_York, weekdays" in ephemeral_text(slack.command("/coach", "prompts"))


def test_bad_schedule_names_the_problem_with_an_example(slack: SlackSender, sessions: Sessions) -> None:
    assert "`25:99` is an impossible time" in ephemeral_text(slack.command("/coach", "prompts 25:99"))
    zone = ephemeral_text(slack.command("/coach", "prompts 08:30 Mars/Olympus"))
    # The example is in the manager's own Slack zone (U1 is in Berlin).
    assert "Mars/Olympus" in zone and "`/coach prompts 08:30 Europe/Berlin weekdays`" in zone
    assert schedule_of(sessions, "prompt_dm", "U1") is None


def test_prompts_are_for_managers_only(slack: SlackSender, sessions: Sessions) -> None:
    assert "Only managers" in ephemeral_text(slack.command("/coach", "prompts 08:30", user="U2"))
    assert schedule_of(sessions, "prompt_dm", "U2") is None


def test_prompt_dm_is_sent_once_at_0830_new_york_on_a_monday(
    slack: SlackSender, app_server: AppServer, fake_slack: FakeSlack
) -> None:
    slack.command("/coach", "prompts 08:30 America/New_York weekdays")
    assert app_server.deps is not None
    assert run_due(app_server.deps, datetime(2026, 11, 30, 13, 29, tzinfo=UTC)).sent == 0  # 08:29: not yet
    first = run_due(app_server.deps, MONDAY_0830_NEW_YORK)
    again = run_due(app_server.deps, MONDAY_0830_NEW_YORK)
    assert (first.sent, again.sent) == (1, 0)
    (post,) = fake_slack.posts("DU1")
    text = post.get("text")
    assert text.startswith("Coaching prompt (")
    theme_label = text[len("Coaching prompt (") : text.index(")")]
    assert theme_label in THEME_LABELS.values()
    assert f"_{theme_label}_" in json.dumps(blocks_of(post))  # the DM states its theme
    assert "coach_log_note" in buttons(blocks_of(post))


def test_log_a_note_button_on_the_prompt_opens_the_modal_with_the_theme(
    slack: SlackSender, app_server: AppServer, fake_slack: FakeSlack
) -> None:
    slack.command("/coach", "prompts 08:30 America/New_York weekdays")
    assert app_server.deps is not None
    run_due(app_server.deps, MONDAY_0830_NEW_YORK)
    (post,) = fake_slack.posts("DU1")
    button = buttons(blocks_of(post))["coach_log_note"]
    slack.block_action("coach_log_note", button["value"], channel="DU1")
    (opened,) = fake_slack.wait_for("views.open")
    view = view_of(opened)
    assert view["callback_id"] == "coach_note_modal"
    theme_block = next(b for b in view["blocks"] if b.get("block_id") == "theme")
    assert theme_block["element"]["initial_option"]["value"] == button["value"]
    assert button["value"] in THEME_LABELS


def test_no_prompt_on_saturday_for_weekdays(slack: SlackSender, app_server: AppServer, fake_slack: FakeSlack) -> None:
    slack.command("/coach", "prompts 08:30 America/New_York weekdays")
    assert app_server.deps is not None
    assert run_due(app_server.deps, datetime(2026, 12, 5, 13, 30, tzinfo=UTC)).sent == 0
    assert not fake_slack.posts("DU1")


def test_prompts_off_stops_them(slack: SlackSender, app_server: AppServer, fake_slack: FakeSlack) -> None:
    slack.command("/coach", "prompts 08:30 America/New_York weekdays")
    assert "stopped" in ephemeral_text(slack.command("/coach", "prompts off"))
    assert app_server.deps is not None
    assert run_due(app_server.deps, MONDAY_0830_NEW_YORK).sent == 0
    assert not fake_slack.posts("DU1")


def test_daily_prompts_do_not_repeat(
    slack: SlackSender, app_server: AppServer, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    slack.command("/coach", "prompts 08:30 America/New_York everyday")
    assert app_server.deps is not None
    for day in range(10):
        run_due(app_server.deps, MONDAY_0830_NEW_YORK + timedelta(days=day))
    with sessions.begin() as session:
        items = session.scalars(select(Delivery.item_id).where(Delivery.kind == "prompt_dm")).all()
    assert len(items) == 10 and len(set(items)) == 10
    assert len(fake_slack.posts("DU1")) == 10


def test_prompt_now_gives_one_with_the_button(slack: SlackSender, sessions: Sessions) -> None:
    body = slack.command("/coach", "prompt").json()
    assert body["text"].startswith("Coaching prompt (")
    assert "coach_log_note" in buttons(body["blocks"])
    with sessions.begin() as session:
        (seen,) = session.scalars(select(RotationSeen.item_id)).all()
        prompt = session.get(Prompt, seen)
        assert prompt is not None and prompt.text in body["text"]


def test_channel_prompts_post_to_the_channel_once(
    slack: SlackSender, app_server: AppServer, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    text = ephemeral_text(slack.command("/coach", "prompts channel 09:00 America/New_York mon,thu", channel="C1"))
    assert "This channel gets a coaching prompt at *09:00 America/New_York, Mon, Thu*" in text
    assert app_server.deps is not None
    monday_0900 = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
    assert run_due(app_server.deps, monday_0900).sent == 1
    assert run_due(app_server.deps, monday_0900).sent == 0
    notice, post = fake_slack.posts("C1")  # the channel was told who set the prompts up, then one prompt
    assert notice.get("text").startswith(":calendar: <@U1> set up the daily coaching prompt here")
    assert post.get("text").startswith("Coaching prompt (")
    assert "coach_log_note" in buttons(blocks_of(post))
    assert run_due(app_server.deps, datetime(2026, 12, 1, 14, 0, tzinfo=UTC)).sent == 0  # Tuesday


def test_channel_prompts_off(slack: SlackSender, sessions: Sessions) -> None:
    slack.command("/coach", "prompts channel 09:00 America/New_York", channel="C1")
    assert "stopped" in ephemeral_text(slack.command("/coach", "prompts channel off", channel="C1"))
    sched = schedule_of(sessions, "prompt_channel", "C1")
    assert sched is not None and not sched.active


def test_channel_prompts_need_a_channel(slack: SlackSender, sessions: Sessions) -> None:
    text = ephemeral_text(slack.command("/coach", "prompts channel 09:00", channel="DU1"))
    assert "Type this in the channel" in text
    assert schedule_of(sessions, "prompt_channel", "DU1") is None


def test_channel_prompts_are_for_managers_only(slack: SlackSender, sessions: Sessions) -> None:
    assert "Only managers" in ephemeral_text(slack.command("/coach", "prompts channel 09:00", user="U2"))
    assert schedule_of(sessions, "prompt_channel", "C1") is None


def test_non_manager_pressing_log_a_note_in_a_channel_is_told(
    slack: SlackSender, fake_slack: FakeSlack, clock: TestClock
) -> None:
    slack.block_action("coach_log_note", "vision", user="U2")
    (answer,) = fake_slack.wait_for("response_url")
    assert "Only managers" in answer.params["text"]
    assert not fake_slack.calls_to("views.open")


def test_channel_prompts_in_a_private_channel_without_the_bot_ask_for_an_invite(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    fake_slack.add_channel("GSECRET", name="sales-managers", is_private=True, bot_is_member=False)
    text = ephemeral_text(slack.command("/coach", "prompts channel 09:00 America/New_York", channel="GSECRET"))
    assert "/invite @coachbot" in text and "Nothing was saved" in text
    assert "/coach prompts channel 09:00 America/New_York weekdays" in text
    assert schedule_of(sessions, "prompt_channel", "GSECRET") is None


def test_channel_prompts_join_a_public_channel(slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack) -> None:
    fake_slack.add_channel("CMGRS", name="sales-managers", bot_is_member=False)
    text = ephemeral_text(slack.command("/coach", "prompts channel 09:00 America/New_York", channel="CMGRS"))
    assert "This channel gets a coaching prompt" in text
    assert fake_slack.calls_to("conversations.join", channel="CMGRS")
    assert schedule_of(sessions, "prompt_channel", "CMGRS") is not None


def test_a_paused_channel_schedule_says_why_and_how_to_resume(
    slack: SlackSender, app_server: AppServer, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    slack.command("/coach", "prompts channel 09:00 America/New_York", channel="C1")
    fake_slack.add_channel("C1", name="general", is_archived=True)
    assert app_server.deps is not None
    assert run_due(app_server.deps, datetime(2026, 11, 30, 14, 0, tzinfo=UTC)).failed == 1
    text = ephemeral_text(slack.command("/coach", "prompts channel", channel="C1"))
    assert "is paused" in text and "archived" in text
    assert "`/coach prompts channel 09:00 America/New_York weekdays`" in text
