"""Calendars through the schedule commands (issue 16), over signed HTTP against the fake Slack:
``skip holidays XX`` set, shown and refused; ``pause``/``resume`` confirmed and announced; then
the delivery engine (``run_due`` and ``coachbot run-due --at``) honouring what the commands set.

The clock starts at Mon 30 Nov 2026, 12:00 UTC (13:00 in Berlin).
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.db.engine import Sessions
from bot.db.models import Delivery, Schedule
from bot.scheduling.run import run_due
from tests.factories import make_manager, posted_dates
from tests.fakes.slack_api import FakeSlack
from tests.harness import BOT_TOKEN, AppServer, SlackSender, TestClock, ephemeral_text

REPO = Path(__file__).resolve().parents[2]
DE_NEXT_THREE = (
    "Skips public holidays in Germany (DE). Next skipped: Fri 25 Dec 2026 (Christmas Day); "
    "Sat 26 Dec 2026 (Second Day of Christmas); Fri 1 Jan 2027 (New Year's Day)."
)


def rows(sessions: Sessions) -> list[tuple[str, str, str | None, date | None, str | None, bool]]:
    with sessions() as s:
        return [
            (r.kind, r.target_id, r.holidays, r.paused_until, r.paused_by, r.active)
            for r in s.scalars(select(Schedule).order_by(Schedule.id))
        ]


def notices(fake: FakeSlack, count: int, channel: str = "C1") -> list[str]:
    """The texts posted in ``channel`` once ``count`` messages (notices and DMs) were posted."""
    calls = fake.wait_for("chat.postMessage", count=count)
    return [str(c.params.get("text")) for c in calls if c.params.get("channel") == channel]


# -- skip holidays: set and shown ------------------------------------------------------------


def test_skip_holidays_de_is_confirmed_with_the_calendar_and_the_next_three_skipped_dates(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    text = ephemeral_text(slack.command("/quote", "daily 09:00 Europe/Berlin everyday skip holidays DE"))
    assert ":calendar: Daily quotes are on for <#C1>: *09:00* Europe/Berlin, every day." in text
    assert f":palm_tree: {DE_NEXT_THREE}" in text
    assert rows(sessions) == [("quote_channel", "C1", "DE", None, None, True)]
    # The channel sees the whole setting, calendar included, as a command one can paste.
    assert notices(fake_slack, 1) == [
        ":calendar: <@U1> set up the daily quote here: `09:00 Europe/Berlin everyday skip holidays DE`."
    ]


def test_show_includes_the_calendar_and_next_post_skips_the_holidays(
    slack: SlackSender, fake_slack: FakeSlack, clock: TestClock
) -> None:
    slack.command("/quote", "daily 09:00 Europe/Berlin everyday skip holidays de")
    clock.set("2026-12-24T12:00:00Z")  # after the 24th's post: the next one is the 27th
    text = ephemeral_text(slack.command("/quote", "daily"))
    assert "Daily quotes in <#C1>: *09:00* Europe/Berlin, every day." in text
    assert "Next post: *Sun 27 Dec 2026, 09:00 CET*." in text
    assert (
        ":palm_tree: Skips public holidays in Germany (DE). Next skipped: Fri 25 Dec 2026 (Christmas Day); "
        "Sat 26 Dec 2026 (Second Day of Christmas); Fri 1 Jan 2027 (New Year's Day)." in text
    )


def test_a_subdivision_lists_its_own_holidays_on_the_schedules_days(slack: SlackSender, sessions: Sessions) -> None:
    text = ephemeral_text(slack.command("/quote", "daily 09:00 Europe/Berlin weekdays skip holidays DE-BY"))
    # Weekdays only: 26 Dec (a Saturday) is not listed; Epiphany is Bavarian, not national.
    assert (
        "Skips public holidays in Germany, Bayern (DE-BY). Next skipped: Fri 25 Dec 2026 (Christmas Day); "
        "Fri 1 Jan 2027 (New Year's Day); Wed 6 Jan 2027 (Epiphany)." in text
    )
    assert rows(sessions)[0][2] == "DE-BY"


def test_a_schedule_without_a_calendar_says_so_when_shown_and_not_when_set(slack: SlackSender) -> None:
    saved = ephemeral_text(slack.command("/quote", "daily 09:00 Europe/Berlin"))
    assert "holiday" not in saved  # the confirmation people already know is unchanged
    shown = ephemeral_text(slack.command("/quote", "daily"))
    assert ":palm_tree: Posts on public holidays too (no holiday calendar)." in shown


def test_look_alike_letters_are_read_as_the_code_and_shown_canonical(slack: SlackSender, sessions: Sessions) -> None:
    # "DЕ" with a Cyrillic Е, and "d\u00ade" with a soft hyphen: both Germany, stored as plain "DE".
    for typed in ("D\u0415", "d\u00ade"):
        text = ephemeral_text(slack.command("/quote", f"daily 09:00 Europe/Berlin everyday skip holidays {typed}"))
        assert DE_NEXT_THREE in text
        assert "\u0415" not in text and "\u00ad" not in text
        assert rows(sessions)[0][2] == "DE"


def test_naming_only_the_calendar_keeps_the_time_and_changes_the_calendar(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    slack.command("/quote", "daily 10:15 Europe/Berlin mon,wed")
    text = ephemeral_text(slack.command("/quote", "daily skip holidays US"))
    assert "*10:15* Europe/Berlin, Mon, Wed." in text
    assert "Skips public holidays in United States (US)." in text
    assert rows(sessions)[0][2] == "US"
    assert (
        ":calendar: <@U1> changed the daily quote here from `10:15 Europe/Berlin mon,wed` "
        "to `10:15 Europe/Berlin mon,wed skip holidays US`."
    ) in notices(fake_slack, 2)
    # Changing the time without naming a calendar keeps it.
    slack.command("/quote", "daily 08:00 Europe/Berlin mon,wed")
    assert rows(sessions)[0][2] == "US"


def test_only_a_calendar_and_no_schedule_asks_for_the_time(slack: SlackSender, sessions: Sessions) -> None:
    text = ephemeral_text(slack.command("/quote", "daily skip holidays DE"))
    assert "Give the time too" in text and "`/quote daily 09:00 Europe/Berlin weekdays skip holidays DE`" in text
    assert rows(sessions) == []


# -- skip holidays: refused ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("skip holidays XX", ["`XX` is not a country I have a holiday calendar for", "`MX` (Mexico)"]),
        ("skip holidays DE-XX", ["`XX` is not a region of Germany (`DE`)", "`DE-BB` (Germany, Brandenburg)"]),
        # Cyrillic Х looks like X but is no code: refused like XX, not guessed.
        ("skip holidays \u0425\u0425", ["is not a country I have a holiday calendar for", "Nearest: `MX` (Mexico)"]),
        ("skip holidays Deutschland", ["`Deutschland` is not a country", "Nearest: `DE` (Germany)"]),
        ("skip holidays", ["Say which holidays to skip", "`skip holidays DE`"]),
        ("skip weekends", ["`skip` takes `holidays` and a calendar"]),
        ("skip holidays DE skip holidays US", ["Give one holiday calendar, not two"]),
        ("skip holidays <!channel>", ["is not a country", "&lt;!channel&gt;"]),
    ],
)
def test_a_bad_calendar_is_refused_with_the_nearest_codes_and_nothing_saved(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack, words: str, expected: list[str]
) -> None:
    text = ephemeral_text(slack.command("/quote", f"daily 09:00 Europe/Berlin everyday {words}"))
    for part in expected:
        assert part in text
    assert "<!channel>" not in text
    assert rows(sessions) == []
    assert fake_slack.calls_to("chat.postMessage") == []


def test_a_refused_calendar_leaves_an_existing_schedule_as_it_was(slack: SlackSender, sessions: Sessions) -> None:
    slack.command("/quote", "daily 09:00 Europe/Berlin everyday skip holidays DE")
    text = ephemeral_text(slack.command("/quote", "daily 07:00 Europe/Berlin skip holidays DE-XX"))
    assert "is not a region of Germany" in text
    with sessions() as s:
        row = s.scalars(select(Schedule)).one()
        assert (row.hour, row.holidays) == (9, "DE")


# -- the workspace default -------------------------------------------------------------------


@pytest.fixture
def us_default(start_app: Callable[..., SlackSender]) -> SlackSender:
    return start_app(COACHBOT_HOLIDAYS="US")


def test_the_workspace_default_applies_to_new_schedules_and_none_turns_it_off(
    us_default: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    fake_slack.add_channel("C2", name="c2")
    text = ephemeral_text(us_default.command("/quote", "daily 09:00 America/New_York"))
    assert "Skips public holidays in United States (US). Next skipped: Fri 25 Dec 2026 (Christmas Day)" in text
    off = ephemeral_text(us_default.command("/quote", "daily 09:00 America/New_York skip holidays none", channel="C2"))
    assert ":palm_tree: Posts on public holidays too (no holiday calendar)." in off
    assert [(r[1], r[2]) for r in rows(sessions)] == [("C1", "US"), ("C2", None)]


# -- pause and resume ------------------------------------------------------------------------


def test_pause_until_a_date_is_confirmed_shown_and_announced(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    slack.command("/quote", "daily 09:00 Europe/Berlin weekdays skip holidays DE")
    text = ephemeral_text(slack.command("/quote", "daily pause until 2027-01-04"))
    assert text.startswith(
        ":double_vertical_bar: Paused until *Mon 4 Jan 2027*: nothing posts before then, and it posts again "
        "that day by itself. `/quote daily resume` posts again sooner."
    )
    assert "Next post: *Mon 4 Jan 2027, 09:00 CET*." in text
    assert rows(sessions) == [("quote_channel", "C1", "DE", date(2027, 1, 4), "U1", True)]
    assert (
        ":double_vertical_bar: <@U1> paused the daily quote here until *Mon 4 Jan 2027*; "
        "it posts again that day by itself."
    ) in notices(fake_slack, 2)
    shown = ephemeral_text(slack.command("/quote", "daily"))
    assert (
        ":double_vertical_bar: Paused until Mon 4 Jan 2027 by <@U1>: it posts again that day by itself. "
        "`/quote daily resume` posts again sooner." in shown
    )
    assert "Next post: *Mon 4 Jan 2027, 09:00 CET*." in shown


def test_pause_for_two_weeks_by_someone_else_dms_the_creator(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    slack.command("/quote", "daily 09:00 Europe/Berlin", user="U1")
    text = ephemeral_text(slack.command("/quote", "daily pause 2w", user="U2"))
    assert "Paused until *Mon 14 Dec 2026*" in text  # two weeks from Mon 30 Nov in Berlin
    calls = fake_slack.wait_for("chat.postMessage", count=3)
    by_channel = {str(c.params["channel"]): str(c.params["text"]) for c in calls if "paused" in str(c.params["text"])}
    assert by_channel["C1"] == (
        ":double_vertical_bar: <@U2> paused the daily quote here until *Mon 14 Dec 2026*; "
        "it posts again that day by itself."
    )
    assert by_channel["U1"].startswith(":double_vertical_bar: <@U2> paused the daily quote in <#C1> until")
    assert rows(sessions)[0][3:5] == (date(2026, 12, 14), "U2")


def test_resume_lifts_the_pause_and_is_announced_once(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    slack.command("/quote", "daily 09:00 Europe/Berlin")
    slack.command("/quote", "daily pause until 2027-01-04")
    text = ephemeral_text(slack.command("/quote", "daily resume"))
    assert text.startswith(":arrow_forward: Resumed: it posts again from the next time on.")
    assert "Next post: *Tue 1 Dec 2026, 09:00 CET*." in text
    assert rows(sessions)[0][3:5] == (None, None)
    resumed = ":arrow_forward: <@U1> resumed the daily quote here (it was paused until *Mon 4 Jan 2027*)."
    assert resumed in notices(fake_slack, 3)
    again = ephemeral_text(slack.command("/quote", "daily resume"))
    assert again.startswith("It wasn't paused, so nothing changed.")
    slack.command("/quote", "daily off")  # a notice that proves the second resume posted none
    assert len(notices(fake_slack, 4)) == 4


def test_changing_the_time_while_paused_keeps_the_pause_and_says_so(slack: SlackSender, sessions: Sessions) -> None:
    slack.command("/quote", "daily 09:00 Europe/Berlin")
    slack.command("/quote", "daily pause until 2026-12-10")
    text = ephemeral_text(slack.command("/quote", "daily 10:00 Europe/Berlin"))
    assert "Next post: *Thu 10 Dec 2026, 10:00 CET*." in text
    assert "Paused until Thu 10 Dec 2026 by <@U1>" in text
    assert rows(sessions)[0][3] == date(2026, 12, 10)


def test_off_clears_the_pause(slack: SlackSender, sessions: Sessions) -> None:
    slack.command("/quote", "daily 09:00 Europe/Berlin")
    slack.command("/quote", "daily pause 2w")
    slack.command("/quote", "daily off")
    text = ephemeral_text(slack.command("/quote", "daily 09:00 Europe/Berlin"))
    assert "Next post: *Tue 1 Dec 2026, 09:00 CET*." in text and "Paused" not in text
    assert rows(sessions)[0][3:] == (None, None, True)


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("pause until 2026-11-01", "2026-11-01 is in the past (today is 2026-11-30 in the schedule's zone)"),
        ("pause until 2026-11-30", "2026-11-30 is today"),
        ("pause 999y", "is more than a year away; the longest pause is until 2027-11-30"),
        ("pause until 2027-02-30", "`2027-02-30` is not a date in the calendar"),
        ("pause soon", "`soon` is not a date or a span I understand"),
        ("pause", "Say until when"),
        ("pause <!here>", "&lt;!here&gt;"),
        ("resume now", "`resume` takes nothing after it"),
    ],
)
def test_a_bad_pause_is_refused_and_changes_nothing(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack, words: str, expected: str
) -> None:
    slack.command("/quote", "daily 09:00 Europe/Berlin")
    before = rows(sessions)
    text = ephemeral_text(slack.command("/quote", f"daily {words}"))
    assert expected in text
    assert "<!here>" not in text
    assert rows(sessions) == before
    fake_slack.wait_for("chat.postMessage", count=1)
    assert len(fake_slack.calls_to("chat.postMessage")) == 1  # only the set-up notice


@pytest.mark.parametrize("words", ["pause 2w", "resume"])
def test_nothing_to_pause_or_resume_without_a_schedule(slack: SlackSender, sessions: Sessions, words: str) -> None:
    text = ephemeral_text(slack.command("/quote", f"daily {words}"))
    assert "There is nothing to" in text and "`/quote daily 09:00 Europe/Berlin weekdays`" in text
    assert rows(sessions) == []


def test_a_look_alike_pause_word_still_pauses(slack: SlackSender, sessions: Sessions) -> None:
    slack.command("/quote", "daily 09:00 Europe/Berlin")
    text = ephemeral_text(slack.command("/quote", "daily p\u0430use\n10d"))  # Cyrillic а, and a newline
    assert "Paused until *Thu 10 Dec 2026*" in text
    assert rows(sessions)[0][3] == date(2026, 12, 10)


def test_another_workspace_cannot_pause_this_ones_schedule(slack: SlackSender, sessions: Sessions) -> None:
    # Same channel and user ids, another team: refused before any schedule is looked up.
    slack.command("/quote", "daily 09:00 Europe/Berlin")
    text = ephemeral_text(slack.as_team("T2").command("/quote", "daily pause 2w"))
    assert "nothing was changed" in text
    assert rows(sessions)[0][3:5] == (None, None)


# -- coaching prompts get the same options ---------------------------------------------------


def test_coaching_prompt_dms_take_the_calendar_and_a_pause_without_a_channel_notice(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    make_manager(sessions, "U1")
    text = ephemeral_text(slack.command("/coach", "prompts 08:30 Europe/Berlin weekdays skip holidays DE-BY"))
    assert "You'll get a coaching prompt by DM at *08:30 Europe/Berlin, weekdays*" in text
    assert "Skips public holidays in Germany, Bayern (DE-BY)." in text
    paused = ephemeral_text(slack.command("/coach", "prompts pause until 2026-12-07"))
    assert paused.startswith(":double_vertical_bar: Paused until *Mon 7 Dec 2026*")
    assert "`/coach prompts resume` posts again sooner" in paused
    assert "Next one: Mon 7 Dec 2026, 08:30 CET" in paused
    assert rows(sessions) == [("prompt_dm", "U1", "DE-BY", date(2026, 12, 7), "U1", True)]
    resumed = ephemeral_text(slack.command("/coach", "prompts resume"))
    assert resumed.startswith(":arrow_forward: Resumed")
    assert fake_slack.calls_to("chat.postMessage") == []  # a DM schedule announces nothing


def test_coaching_prompts_in_a_channel_announce_calendar_and_pause(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    make_manager(sessions, "U1")
    slack.command("/coach", "prompts channel 09:00 Europe/Berlin mon skip holidays DE")
    slack.command("/coach", "prompts channel pause 1m")
    assert sorted(notices(fake_slack, 2)) == [
        ":calendar: <@U1> set up the daily coaching prompt here: `09:00 Europe/Berlin mon skip holidays DE`.",
        ":double_vertical_bar: <@U1> paused the daily coaching prompt here until *Wed 30 Dec 2026*; "
        "it posts again that day by itself.",
    ]
    text = ephemeral_text(slack.command("/coach", "prompts channel"))
    assert "Paused until Wed 30 Dec 2026 by <@U1>" in text and "Skips public holidays in Germany (DE)" in text


def test_help_shows_the_calendar_options(slack: SlackSender) -> None:
    text = ephemeral_text(slack.command("/quote", "help"))
    assert "[skip holidays DE|DE-BY|none]" in text and "daily pause until YYYY-MM-DD|2w" in text


# -- the engine does what the commands set ---------------------------------------------------


def run_due_cli(database_url: str, fake: FakeSlack, at: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COACHBOT_"))}
    env.update(
        {
            "DATABASE_URL": database_url,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": "x" * 32,
            "SLACK_API_URL": fake.api_url,
        }
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run-due", "--at", at],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


def test_a_command_set_skip_holidays_de_schedule_skips_25_and_26_december(
    slack: SlackSender, app_server: AppServer, sessions: Sessions, fake_slack: FakeSlack, database_url: str
) -> None:
    slack.command("/quote", "daily 09:00 Europe/Berlin everyday skip holidays DE")
    fake_slack.wait_for("chat.postMessage", count=1)  # the set-up notice
    lines = {day: run_due_cli(database_url, fake_slack, f"2026-12-{day}T08:00:00Z") for day in (24, 25, 26, 27)}
    assert posted_dates(fake_slack, sessions) == [date(2026, 12, 24), date(2026, 12, 27)]
    assert "1 sent" in lines[24] and "public holiday" not in lines[24]
    assert "0 sent" in lines[25] and "1 skipped for a public holiday" in lines[25]
    assert "1 skipped for a public holiday" in lines[26]
    # A run later on the holiday makes nothing up; no claim exists for the holidays at all.
    assert app_server.deps is not None
    assert run_due(app_server.deps, datetime(2026, 12, 25, 9, 30, tzinfo=UTC)).claimed == 0
    with sessions() as s:
        assert sorted(s.scalars(select(Delivery.local_date))) == [date(2026, 12, 24), date(2026, 12, 27)]


def test_a_command_paused_schedule_is_silent_until_its_date_then_posts(
    slack: SlackSender, app_server: AppServer, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    assert app_server.deps is not None
    deps = app_server.deps
    slack.command("/quote", "daily 09:00 Europe/Berlin everyday")
    clock.set("2026-12-01T12:00:00Z")
    slack.command("/quote", "daily pause until 2026-12-04")
    for day in (2, 3, 4, 5):
        clock.set(f"2026-12-0{day}T08:00:00Z")
        result = run_due(deps, clock.now)
        assert (result.sent, result.paused) == ((0, 1) if day < 4 else (1, 0))
    assert posted_dates(fake_slack, sessions) == [date(2026, 12, 4), date(2026, 12, 5)]


# -- from the outside: floods, huge words, roles ---------------------------------------------


def test_pausing_again_to_the_same_date_announces_nothing_new(slack: SlackSender, fake_slack: FakeSlack) -> None:
    slack.command("/quote", "daily 09:00 Europe/Berlin")
    for _ in range(5):
        assert "Paused until *Mon 14 Dec 2026*" in ephemeral_text(slack.command("/quote", "daily pause 2w"))
    slack.command("/quote", "daily pause until 2026-12-21")  # a new date: announced
    texts = notices(fake_slack, 3)
    assert len(texts) == 3 and any(
        t.endswith("until *Mon 21 Dec 2026*; it posts again that day by itself.") for t in texts
    )


def test_a_huge_calendar_word_gets_a_short_answer(slack: SlackSender, sessions: Sessions) -> None:
    text = ephemeral_text(slack.command("/quote", "daily 09:00 Europe/Berlin skip holidays " + "X" * 3_900))
    assert "is not a country I have a holiday calendar for" in text
    assert len(text) < 1_500  # the word is cut to 40 characters when echoed
    assert rows(sessions) == []


@pytest.fixture
def admins_only(start_app: Callable[..., SlackSender]) -> SlackSender:
    return start_app(COACHBOT_SCHEDULE_CHANGES="admins")


def test_with_admins_only_a_member_cannot_pause_or_resume_the_daily_quote(
    admins_only: SlackSender, sessions: Sessions
) -> None:
    admins_only.command("/quote", "daily 09:00 Europe/Berlin", user="UADMIN")
    for words in ("pause 2w", "resume"):
        text = ephemeral_text(admins_only.command("/quote", f"daily {words}", user="U1"))
        assert "only coachbot admins set, change or stop the daily quote" in text
        assert f"`/quote daily {words}`" in text
    assert rows(sessions)[0][3:5] == (None, None)
    marked = ephemeral_text(admins_only.command("/quote", "daily pause <!channel>", user="U1"))
    assert "only coachbot admins" in marked and "<!channel>" not in marked and "&lt;!channel&gt;" in marked
    assert "Paused until" in ephemeral_text(admins_only.command("/quote", "daily pause 2w", user="UADMIN"))


def test_a_replayed_resume_does_not_lift_a_later_pause(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    slack.command("/quote", "daily 09:00 Europe/Berlin")
    slack.command("/quote", "daily pause 2w")
    slack.command("/quote", "daily resume", trigger_id="trig.resume1")
    slack.command("/quote", "daily pause until 2026-12-21")
    again = ephemeral_text(slack.command("/quote", "daily resume", trigger_id="trig.resume1"))
    assert "already handled; nothing was changed" in again
    assert rows(sessions)[0][3] == date(2026, 12, 21)
    slack.command("/quote", "daily off")  # a last notice, so a stray one from the replay would be seen
    texts = notices(fake_slack, 5)
    # Notices post after the ack, in the background: compare them as a set of verbs.
    assert sorted(t.split()[2] for t in texts) == ["paused", "paused", "resumed", "set", "stopped"]
    assert len(fake_slack.calls_to("chat.postMessage")) == 5
