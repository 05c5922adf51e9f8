"""The App Home over signed HTTP: a manager's dashboard (own notes only), or today's quote."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from bot.db.engine import Sessions
from bot.db.models import Schedule
from tests.factories import buttons, make_manager, seed_note, view_of
from tests.fakes.slack_api import FakeSlack
from tests.harness import SlackSender, TestClock


def open_home(slack: SlackSender, fake: FakeSlack, user: str, count: int = 1) -> dict[str, Any]:
    resp = slack.event({"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": "home"})
    assert resp.status_code == 200
    calls = fake.wait_for("views.publish", count=count, user_id=user)
    return view_of(calls[-1])


def test_manager_home_shows_prompt_time_own_notes_overview_and_buttons(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    make_manager(sessions, "U1")
    make_manager(sessions, "U3")
    slack.command("/coach", "prompts 08:30 America/New_York weekdays")
    seed_note(sessions, author="U1", rep="U2", text="Ada's own note on Bob", created_at=clock.now - timedelta(days=20))
    seed_note(sessions, author="U3", rep="U2", text="Cy's private note on Bob")
    view = open_home(slack, fake_slack, "U1")
    assert view["type"] == "home"
    dumped = json.dumps(view)
    # The time once (the next prompt), then the days it comes on (issue 20: it was stated twice).
    assert "Next coaching prompt: *Mon 30 Nov 2026, 08:30 EST (America/New_York)*; days: weekdays" in dumped
    assert dumped.count("08:30") == 1
    assert "Ada's own note on Bob" in dumped
    assert "Cy's private note on Bob" not in dumped
    assert "last note 2026-11-10; 1 in 30 days, 1 in 90 days" in dumped
    assert "not coached in 14+ days" in dumped
    assert {"coach_log_note", "coach_set_prompt_time"} <= set(buttons(view["blocks"]))


def test_home_next_prompt_skips_public_holidays_as_the_engine_does(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    make_manager(sessions, "U1")
    slack.command("/coach", "prompts 08:30 Europe/Berlin everyday skip holidays DE")
    clock.set("2026-12-24T12:00:00Z")  # after the 24th's prompt; the 25th and 26th are holidays
    dumped = json.dumps(open_home(slack, fake_slack, "U1"))
    assert "Next coaching prompt: *Sun 27 Dec 2026, 08:30 CET (Europe/Berlin)" in dumped
    assert "Paused until" not in dumped


def test_home_shows_a_paused_prompt_schedule_and_its_first_prompt_after(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    make_manager(sessions, "U1")
    slack.command("/coach", "prompts 08:30 Europe/Berlin weekdays")
    slack.command("/coach", "prompts pause until 2027-01-04")
    view = open_home(slack, fake_slack, "U1")
    dumped = json.dumps(view)
    assert "Next coaching prompt: *Mon 4 Jan 2027, 08:30 CET (Europe/Berlin)" in dumped
    assert ":double_vertical_bar: Paused until Mon 4 Jan 2027 by <@U1>: it posts again that day by itself." in dumped
    # Once the pause has run out the note goes and the next prompt is the next weekday's.
    clock.set("2027-01-04T12:00:00Z")
    dumped = json.dumps(open_home(slack, fake_slack, "U1", count=2))
    assert "Next coaching prompt: *Tue 5 Jan 2027, 08:30 CET (Europe/Berlin)" in dumped
    assert "Paused until" not in dumped


def test_manager_without_prompts_is_invited_to_set_a_time(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    make_manager(sessions, "U1")
    dumped = json.dumps(open_home(slack, fake_slack, "U1"))
    assert "No coaching prompts yet" in dumped
    assert "No notes yet" in dumped


def test_everyone_else_sees_todays_quote_and_a_submit_button(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    seed_note(sessions, author="U1", rep="U2", text="never shown to Bob")
    view = open_home(slack, fake_slack, "U2")
    dumped = json.dumps(view)
    assert "Today's leadership quote" in dumped
    assert "never shown to Bob" not in dumped and "Your coaching" not in dumped
    assert "submit_quote_open" in buttons(view["blocks"])
    again = open_home(slack, fake_slack, "U2", count=2)
    assert again["blocks"] == view["blocks"]  # the same quote all day


def test_messages_tab_publishes_nothing(slack: SlackSender, fake_slack: FakeSlack) -> None:
    slack.event({"type": "app_home_opened", "user": "U1", "channel": "DU1", "tab": "messages"})
    slack.event({"type": "app_home_opened", "user": "U2", "channel": "DU2", "tab": "home"})
    fake_slack.wait_for("views.publish", user_id="U2")
    assert not fake_slack.calls_to("views.publish", user_id="U1")


def test_log_a_note_from_home_saves_and_refreshes_home(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    make_manager(sessions, "U1")
    home = open_home(slack, fake_slack, "U1")
    slack.block_action("coach_log_note", "", channel=None, view={"id": "VHOME", "type": "home"})
    (opened,) = fake_slack.wait_for("views.open")
    modal = view_of(opened)
    assert modal["callback_id"] == "coach_note_modal" and modal["private_metadata"] == "home"
    values = {
        "rep": {"rep": {"type": "users_select", "selected_user": "U2"}},
        "note": {"note": {"type": "plain_text_input", "value": "Logged from the home tab"}},
    }
    slack.view_submission("coach_note_modal", values, private_metadata="home")
    republished = view_of(fake_slack.wait_for("views.publish", count=2, user_id="U1")[-1])
    assert "Logged from the home tab" in json.dumps(republished)
    assert "Logged from the home tab" not in json.dumps(home)


def test_set_prompt_time_from_home(slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack) -> None:
    make_manager(sessions, "U1")
    slack.block_action("coach_set_prompt_time", "home", channel=None, view={"id": "VHOME", "type": "home"})
    (opened,) = fake_slack.wait_for("views.open")
    assert view_of(opened)["callback_id"] == "coach_prompt_time_modal"
    values = {
        "time": {"time": {"type": "timepicker", "selected_time": "07:45"}},
        "zone": {"zone": {"type": "plain_text_input", "value": "Asia/Tokyo"}},
        "days": {"days": {"type": "plain_text_input", "value": "mon,thu"}},
    }
    resp = slack.view_submission("coach_prompt_time_modal", values)
    assert resp.status_code == 200 and resp.text == ""
    with sessions.begin() as session:
        sched = session.scalars(select(Schedule).where(Schedule.kind == "prompt_dm", Schedule.target_id == "U1")).one()
        assert (sched.hour, sched.minute, sched.tz, sched.days) == (7, 45, "Asia/Tokyo", 0b1001)
    home = view_of(fake_slack.wait_for("views.publish", user_id="U1")[-1])
    assert re.search(
        r"Next coaching prompt: \*\w{3} \d+ \w{3} 2026, 07:45 JST \(Asia/Tokyo\)\*; days: Mon, Thu", json.dumps(home)
    )


def test_prompt_time_modal_errors_on_the_right_block(slack: SlackSender, sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    values = {
        "time": {"time": {"type": "timepicker", "selected_time": "07:45"}},
        "zone": {"zone": {"type": "plain_text_input", "value": "Mars/Olympus"}},
        "days": {"days": {"type": "plain_text_input", "value": "weekdays"}},
    }
    zone = slack.view_submission("coach_prompt_time_modal", values).json()
    assert zone["response_action"] == "errors" and "Mars/Olympus" in zone["errors"]["zone"]
    values["zone"]["zone"]["value"] = ""
    values["days"]["days"]["value"] = "someday"
    days = slack.view_submission("coach_prompt_time_modal", values).json()
    assert "someday" in days["errors"]["days"]
