"""Public holidays and pauses in the delivery engine, driven by run_due / `coachbot run-due --at`
against the fake Slack Web API, on a real database (SQLite, or PostgreSQL with TEST_DATABASE_URL).

Schedules are set the way the schedule commands set them: the words are split with
``split_calendar_option``, the rest parsed by ``parse_schedule``, the row saved by
``set_schedule`` and the calendar chosen by ``calendar_for_schedule``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from bot.bootstrap import build_deps
from bot.db.engine import Sessions
from bot.db.models import Delivery, Schedule
from bot.deps import Deps
from bot.scheduling.run import RunResult, run_due
from bot.services import holiday_calendars, pauses, schedule_input, schedules
from tests.conftest import make_settings
from tests.factories import posted_dates
from tests.fakes.slack_api import FakeSlack
from tests.harness import BOT_TOKEN, TestClock

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = "`/quote daily 09:00 Europe/Berlin weekdays skip holidays DE`"


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack()
    fake.start()
    fake.add_user("U1", name="ada", real_name="Ada Lovelace", tz="Europe/Berlin")
    fake.add_user("U2", name="bob", real_name="Bob Rep", tz="America/New_York")
    for channel in ("C1", "C2"):
        fake.add_channel(channel, name=channel.lower())
    yield fake
    fake.stop()


def make_deps(database_url: str, engine: Engine, fake: FakeSlack, clock: TestClock, **env: str) -> Deps:
    deps = build_deps(make_settings(database_url, fake, COACHBOT_FANOUT_WORKERS="4", **env), engine)
    deps.clock = clock
    return deps


@pytest.fixture
def deps(
    database_url: str, engine: Engine, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> Iterator[Deps]:
    deps = make_deps(database_url, engine, fake_slack, clock)
    yield deps
    deps.background.shutdown(wait=True)


def set_daily(
    deps: Deps, text: str, *, channel: str = "C1", kind: str = "quote_channel", team: str = "T1", user: str = "U1"
) -> Schedule:
    """What `/quote daily <text>` will do once the shared schedule helper passes the option on."""
    option, words = holiday_calendars.split_calendar_option(text.split())
    spec = schedule_input.parse_schedule(" ".join(words), example=EXAMPLE)
    with deps.sessions.begin() as session:
        existing = schedules.get_schedule(session, team_id=team, kind=kind, target_id=channel)
        current = existing.holidays if existing is not None else None
        row = schedules.set_schedule(
            session, team_id=team, enterprise_id=None, kind=kind, target_id=channel, created_by=user, spec=spec
        )
        holiday_calendars.set_calendar(
            row,
            holiday_calendars.calendar_for_schedule(
                option, default=deps.settings.holidays, current=current, is_new=existing is None
            ),
        )
        session.flush()
        session.expunge(row)
        return row


def run(deps: Deps, clock: TestClock, at: datetime) -> RunResult:
    clock.now = at
    return run_due(deps, at)


def berlin_9(day: date) -> datetime:
    """09:00 in Berlin (CET, UTC+1, all of December and January)."""
    return datetime(day.year, day.month, day.day, 8, 0, tzinfo=UTC)


def claims(sessions: Sessions) -> list[tuple[str, date, str]]:
    with sessions() as s:
        return [
            (d.target_id, d.local_date, d.status)
            for d in s.scalars(select(Delivery).order_by(Delivery.local_date, Delivery.target_id))
        ]


# -- public holidays ---------------------------------------------------------------------


def test_skip_holidays_de_no_post_on_christmas_days_and_posts_either_side(
    deps: Deps, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    row = set_daily(deps, "09:00 Europe/Berlin everyday skip holidays DE")
    assert row.holidays == "DE"
    results = {}
    for day in (date(2026, 12, 24), date(2026, 12, 25), date(2026, 12, 26), date(2026, 12, 27)):
        results[day] = run(deps, clock, berlin_9(day))
        # Later runs within the grace: nothing made up on the holiday, nothing twice after it.
        run(deps, clock, berlin_9(day) + timedelta(minutes=30))
        run(deps, clock, berlin_9(day) + timedelta(minutes=119))

    assert posted_dates(fake_slack, sessions) == [date(2026, 12, 24), date(2026, 12, 27)]
    # A holiday produces no claim at all.
    assert claims(sessions) == [("C1", date(2026, 12, 24), "sent"), ("C1", date(2026, 12, 27), "sent")]
    assert [results[d].sent for d in sorted(results)] == [1, 0, 0, 1]
    assert [results[d].holidays for d in sorted(results)] == [0, 1, 1, 0]
    christmas = results[date(2026, 12, 25)]
    assert christmas.due == 0 and christmas.claimed == 0
    assert "1 skipped for a public holiday" in christmas.summary()
    assert "public holiday" not in results[date(2026, 12, 24)].summary()


def test_de_by_subdivision_skips_epiphany_which_the_whole_country_works(
    deps: Deps, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    bavaria = set_daily(deps, "09:00 Europe/Berlin weekdays skip holidays de-by", channel="C1")
    germany = set_daily(deps, "09:00 Europe/Berlin weekdays SKIP HOLIDAYS DE", channel="C2")
    assert (bavaria.holidays, germany.holidays) == ("DE-BY", "DE")

    epiphany = run(deps, clock, berlin_9(date(2027, 1, 6)))  # a Wednesday; a holiday in Bavaria only
    assert (epiphany.sent, epiphany.holidays) == (1, 1)
    assert posted_dates(fake_slack, sessions, "C1") == []
    assert posted_dates(fake_slack, sessions, "C2") == [date(2027, 1, 6)]
    run(deps, clock, berlin_9(date(2027, 1, 7)))
    assert posted_dates(fake_slack, sessions, "C1") == [date(2027, 1, 7)]


def test_the_holiday_is_judged_on_the_schedules_own_local_date(
    deps: Deps, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    # One UTC instant, two local dates: 09:00 on 24 Dec in Honolulu (UTC-10) and 09:00 on
    # 25 Dec in Kiritimati (UTC+14) are both 19:00 UTC on the 24th. Only the second is Christmas.
    set_daily(deps, "09:00 Pacific/Honolulu everyday skip holidays US", channel="C1")
    set_daily(deps, "09:00 Pacific/Kiritimati everyday skip holidays US", channel="C2")  # UTC+14
    at = datetime(2026, 12, 24, 19, 0, tzinfo=UTC)
    result = run(deps, clock, at)
    assert (result.sent, result.holidays) == (1, 1)
    assert posted_dates(fake_slack, sessions, "C1") == [date(2026, 12, 24)]
    assert posted_dates(fake_slack, sessions, "C2") == []


def test_workspace_default_applies_to_new_schedules_and_none_turns_it_off(
    database_url: str, engine: Engine, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    deps = make_deps(database_url, engine, fake_slack, clock, COACHBOT_HOLIDAYS="us")
    try:
        assert deps.settings.holidays == "US"
        named_none = set_daily(deps, "09:00 America/New_York weekdays skip holidays none", channel="C2")
        default = set_daily(deps, "09:00 America/New_York weekdays", channel="C1")
        assert (default.holidays, named_none.holidays) == ("US", None)
        # Changing the time later without naming a calendar keeps the schedule's own.
        assert set_daily(deps, "09:00 America/New_York weekdays", channel="C2").holidays is None

        thanksgiving = run(deps, clock, datetime(2026, 11, 26, 14, 0, tzinfo=UTC))  # 09:00 EST
        assert (thanksgiving.sent, thanksgiving.holidays) == (1, 1)
        assert posted_dates(fake_slack, sessions, "C1") == []
        assert posted_dates(fake_slack, sessions, "C2") == [date(2026, 11, 26)]
    finally:
        deps.background.shutdown(wait=True)


def test_schedules_made_before_a_default_was_set_keep_posting(
    database_url: str, engine: Engine, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    plain = make_deps(database_url, engine, fake_slack, clock)
    old = set_daily(plain, "09:00 America/New_York weekdays", channel="C1")
    plain.background.shutdown(wait=True)
    assert old.holidays is None
    deps = make_deps(database_url, engine, fake_slack, clock, COACHBOT_HOLIDAYS="US")
    try:
        assert run(deps, clock, datetime(2026, 11, 26, 14, 0, tzinfo=UTC)).sent == 1
    finally:
        deps.background.shutdown(wait=True)


def test_coaching_prompts_in_a_channel_skip_holidays_too(
    deps: Deps, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    set_daily(deps, "09:00 Europe/Berlin everyday skip holidays DE", channel="C1", kind="prompt_channel")
    christmas = run(deps, clock, berlin_9(date(2026, 12, 25)))
    assert (christmas.sent, christmas.holidays) == (0, 1)
    assert run(deps, clock, berlin_9(date(2026, 12, 27))).sent == 1
    assert [d for _, d, _ in claims(sessions)] == [date(2026, 12, 27)]


def test_an_unknown_calendar_saves_nothing(deps: Deps, sessions: Sessions) -> None:
    with pytest.raises(holiday_calendars.InvalidCalendar) as err:
        set_daily(deps, "09:00 Europe/Berlin weekdays skip holidays XX")
    assert "`XX` is not a country" in err.value.message and "`MX` (Mexico)" in err.value.message
    with sessions() as s:
        assert s.scalars(select(Schedule)).all() == []


def test_run_due_cli_prints_the_holiday_in_its_summary(
    deps: Deps, database_url: str, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    set_daily(deps, "09:00 Europe/Berlin everyday skip holidays DE")
    set_daily(deps, "09:00 Europe/Berlin everyday", channel="C2")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COACHBOT_"))}
    env.update(
        {
            "DATABASE_URL": database_url,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": "x" * 32,
            "SLACK_API_URL": fake_slack.api_url,
        }
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run-due", "--at", "2026-12-25T08:00:00Z"],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    line = result.stdout.strip().splitlines()[-1]
    assert "1 sent" in line and "1 skipped for a public holiday" in line
    assert posted_dates(fake_slack, sessions, "C1") == []
    assert posted_dates(fake_slack, sessions, "C2") == [date(2026, 12, 25)]


# -- pauses ------------------------------------------------------------------------------


def pause(deps: Deps, channel: str, text: str, *, today: date, by: str = "U1") -> date:
    with deps.sessions.begin() as session:
        row = schedules.get_schedule(session, team_id="T1", kind="quote_channel", target_id=channel)
        assert row is not None
        until = pauses.parse_pause(text, today=today)
        pauses.pause_schedule_until(row, until, by)
        return until


def test_a_paused_schedule_is_silent_until_its_date_then_posts_by_itself(
    deps: Deps, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    set_daily(deps, "09:00 Europe/Berlin everyday")
    run(deps, clock, berlin_9(date(2026, 12, 1)))
    assert pause(deps, "C1", "until 2026-12-04", today=date(2026, 12, 1)) == date(2026, 12, 4)
    with sessions() as s:
        row = s.scalars(select(Schedule)).one()
        assert (row.paused_until, row.paused_by, row.active) == (date(2026, 12, 4), "U1", True)

    silent = [run(deps, clock, berlin_9(date(2026, 12, day))) for day in (2, 3)]
    assert [(r.sent, r.paused) for r in silent] == [(0, 1), (0, 1)]
    assert "1 paused" in silent[0].summary()
    for day in (4, 5):
        assert run(deps, clock, berlin_9(date(2026, 12, day))).sent == 1
    assert posted_dates(fake_slack, sessions) == [date(2026, 12, d) for d in (1, 4, 5)]
    # No claim was made while it was paused, and nothing was made up afterwards.
    assert [d for _, d, _ in claims(sessions)] == [date(2026, 12, d) for d in (1, 4, 5)]


def test_pause_for_two_weeks_then_resume_early(
    deps: Deps, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    set_daily(deps, "09:00 Europe/Berlin weekdays")
    assert pause(deps, "C1", "2w", today=date(2026, 12, 1)) == date(2026, 12, 15)
    assert run(deps, clock, berlin_9(date(2026, 12, 2))).paused == 1
    with deps.sessions.begin() as session:
        row = schedules.get_schedule(session, team_id="T1", kind="quote_channel", target_id="C1")
        assert row is not None
        assert pauses.resume_schedule(row) is True
        assert pauses.resume_schedule(row) is False  # already running: says so
    assert run(deps, clock, berlin_9(date(2026, 12, 3))).sent == 1
    assert posted_dates(fake_slack, sessions) == [date(2026, 12, 3)]


def test_a_pause_is_judged_on_the_local_date(
    deps: Deps, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    # 08:00 in Tokyo on 4 Dec is 23:00 UTC on 3 Dec: the pause until 4 Dec is over there.
    set_daily(deps, "08:00 Asia/Tokyo everyday")
    pause(deps, "C1", "until 2026-12-04", today=date(2026, 12, 1))
    assert run(deps, clock, datetime(2026, 12, 2, 23, 0, tzinfo=UTC)).paused == 1  # 3 Dec in Tokyo
    assert run(deps, clock, datetime(2026, 12, 3, 23, 0, tzinfo=UTC)).sent == 1  # 4 Dec in Tokyo
    assert posted_dates(fake_slack, sessions) == [date(2026, 12, 4)]


def test_paused_and_holiday_counts_in_one_summary(deps: Deps, fake_slack: FakeSlack, clock: TestClock) -> None:
    set_daily(deps, "09:00 Europe/Berlin everyday skip holidays DE", channel="C1")
    set_daily(deps, "09:00 Europe/Berlin everyday", channel="C2")
    pause(deps, "C2", "until 2027-01-04", today=date(2026, 12, 20))
    result = run(deps, clock, berlin_9(date(2026, 12, 25)))
    assert (result.sent, result.holidays, result.paused, result.due) == (0, 1, 1, 0)
    summary = result.summary()
    assert "1 skipped for a public holiday" in summary and "1 paused" in summary
