"""First contact (issue 11, rough edges), over signed HTTP against the fake Slack.

Time zones as people type them, typos, help that fits the reader, the App Home for
everyone, and the wording of counts and form errors. Each test is a signed request and
the reply it gets (and the rows or Slack calls it leaves behind).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.db.engine import Sessions
from bot.db.models import Schedule
from tests.harness import SlackSender, TestClock, ephemeral_text
from tests.test_coaching_support import make_manager


def schedule(sessions: Sessions, kind: str, target: str) -> Schedule | None:
    with sessions() as session:
        return session.scalars(select(Schedule).where(Schedule.kind == kind, Schedule.target_id == target)).first()


def tz_of(sessions: Sessions, kind: str = "quote_channel", target: str = "C1") -> str | None:
    row = schedule(sessions, kind, target)
    return row.tz if row is not None else None


def modal_values(time: str, zone: str, days: str) -> dict[str, dict[str, Any]]:
    return {
        "time": {"time": {"type": "timepicker", "selected_time": time}},
        "zone": {"zone": {"type": "plain_text_input", "value": zone}},
        "days": {"days": {"type": "plain_text_input", "value": days}},
    }


# --- time zones as people type them ----------------------------------------------------------


def test_a_city_name_sets_its_zone(slack: SlackSender, sessions: Sessions, clock: TestClock) -> None:
    clock.set("2026-11-30T12:00:00Z")
    text = ephemeral_text(slack.command("/quote", "daily 9:00 Berlin"))
    assert "*09:00* Europe/Berlin, weekdays" in text
    assert "Next post: *Tue 1 Dec 2026, 09:00 CET*" in text
    assert tz_of(sessions) == "Europe/Berlin"


def test_twelve_hour_time_and_a_city(slack: SlackSender, sessions: Sessions) -> None:
    assert "*09:00* Europe/London, weekdays" in ephemeral_text(slack.command("/quote", "daily 9am London"))
    assert tz_of(sessions) == "Europe/London"


def test_a_city_of_several_words(slack: SlackSender, sessions: Sessions) -> None:
    text = ephemeral_text(slack.command("/quote", "daily 09:00 New York mon,wed"))
    assert "*09:00* America/New_York, Mon, Wed" in text
    row = schedule(sessions, "quote_channel", "C1")
    assert row is not None and (row.tz, row.days) == ("America/New_York", 0b0000101)


def test_a_city_with_accents_and_a_soft_hyphen(slack: SlackSender, sessions: Sessions) -> None:
    assert "America/Sao_Paulo" in ephemeral_text(slack.command("/quote", "daily 9am São Paulo"))
    # A soft hyphen is invisible when pasted; the city is still the city.
    assert "Europe/Berlin" in ephemeral_text(slack.command("/quote", "daily 9am Ber\u00adlin"))
    assert tz_of(sessions) == "Europe/Berlin"


def test_an_abbreviation_gets_the_likely_zone_and_the_command_to_paste(
    slack: SlackSender, sessions: Sessions, clock: TestClock
) -> None:
    text = ephemeral_text(slack.command("/quote", "daily 9:00 EST mon,wed,fri"))
    assert "`EST` is an abbreviation, not a time zone" in text
    assert "UTC-5 all year" in text
    assert "You most likely mean *America/New_York*" in text
    assert "Paste this: `/quote daily 09:00 America/New_York mon,wed,fri`" in text
    assert schedule(sessions, "quote_channel", "C1") is None  # nothing saved under EST
    # The pasted command works as it says.
    clock.set("2026-11-30T12:00:00Z")
    again = ephemeral_text(slack.command("/quote", "daily 09:00 America/New_York mon,wed,fri"))
    assert "*09:00* America/New_York, Mon, Wed, Fri" in again
    assert tz_of(sessions) == "America/New_York"


def test_an_abbreviation_in_coach_prompts_pastes_the_prompts_command(slack: SlackSender, sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    text = ephemeral_text(slack.command("/coach", "prompts 8:30am PST mon,thu"))
    assert "`PST` is an abbreviation" in text and "*America/Los_Angeles*" in text
    assert "Paste this: `/coach prompts 08:30 America/Los_Angeles mon,thu`" in text
    channel = ephemeral_text(slack.command("/coach", "prompts channel 09:00 CET"))
    assert "Paste this: `/coach prompts channel 09:00 Europe/Berlin weekdays`" in channel
    assert schedule(sessions, "prompt_dm", "U1") is None
    assert schedule(sessions, "prompt_channel", "C1") is None


def test_a_fixed_offset_is_refused_with_a_city_that_keeps_summer_time(slack: SlackSender, sessions: Sessions) -> None:
    text = ephemeral_text(slack.command("/quote", "daily 09:00 UTC+2"))
    assert "`UTC+2` is a fixed offset" in text
    assert "Paste this: `/quote daily 09:00 Europe/Athens weekdays`" in text
    assert schedule(sessions, "quote_channel", "C1") is None


def test_an_ambiguous_city_lists_the_places(slack: SlackSender, sessions: Sessions) -> None:
    text = ephemeral_text(slack.command("/quote", "daily 09:00 Portland"))
    assert "*Portland, Oregon* (`America/Los_Angeles`) or *Portland, Maine* (`America/New_York`)" in text
    assert schedule(sessions, "quote_channel", "C1") is None


def test_a_mistyped_or_look_alike_city_gets_a_suggestion(slack: SlackSender, sessions: Sessions) -> None:
    assert "Did you mean `Berlin`?" in ephemeral_text(slack.command("/quote", "daily 09:00 Berln"))
    # Cyrillic В and е look like Latin B and e: not Berlin, but suggested.
    look_alike = ephemeral_text(slack.command("/quote", "daily 09:00 \u0412\u0435rlin"))
    assert "Did you mean `Berlin`?" in look_alike
    assert "Did you mean `Europe/Berlin`?" in ephemeral_text(slack.command("/quote", "daily 09:00 Europe/Berln"))
    assert schedule(sessions, "quote_channel", "C1") is None


def test_error_examples_use_the_users_own_zone(slack: SlackSender, sessions: Sessions) -> None:
    # U2's Slack zone is New York: the schedule would fall back to it, and so does the example.
    text = ephemeral_text(slack.command("/quote", "daily 9am someday", user="U2"))
    assert "`someday`" in text
    assert "For example `/quote daily 09:00 America/New_York weekdays`" in text
    assert "Europe/Berlin weekdays" not in text
    make_manager(sessions, "U2")
    prompts = ephemeral_text(slack.command("/coach", "prompts 25:00", user="U2"))
    assert "`/coach prompts 08:30 America/New_York weekdays`" in prompts


def test_zone_fallback_reply_names_the_users_zone(slack: SlackSender, sessions: Sessions) -> None:
    make_manager(sessions, "U2")
    text = ephemeral_text(slack.command("/coach", "prompts 07:15", user="U2"))
    assert "07:15 America/New_York, weekdays" in text
    assert tz_of(sessions, "prompt_dm", "U2") == "America/New_York"


def test_the_prompt_time_form_takes_a_city_and_refuses_an_abbreviation_in_its_own_words(
    slack: SlackSender, sessions: Sessions
) -> None:
    make_manager(sessions, "U1")
    refused = slack.view_submission("coach_prompt_time_modal", modal_values("07:45", "EST", "weekdays")).json()
    assert refused["response_action"] == "errors"
    error = refused["errors"]["zone"]
    assert "`EST` is an abbreviation" in error and "Use `America/New_York` instead." in error
    assert "/coach" not in error  # a form speaks of its fields, not of commands
    assert schedule(sessions, "prompt_dm", "U1") is None

    ok = slack.view_submission("coach_prompt_time_modal", modal_values("07:45", "new york", "mon,thu"))
    assert ok.status_code == 200 and ok.text == ""
    row = schedule(sessions, "prompt_dm", "U1")
    assert row is not None and (row.hour, row.minute, row.tz, row.days) == (7, 45, "America/New_York", 0b1001)
