"""People who are away: a DM the bot schedules waits for the recipient's next working day.

Driven by run_due at injected instants against the fake Slack (statuses served by users.info),
on a real database; prompt schedules are set with the real `/coach prompts` command over
signed HTTP.
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
from bot.services import holiday_calendars, schedules
from bot.services.schedule_spec import WEEKDAYS, ScheduleSpec
from tests.conftest import make_settings
from tests.factories import make_manager, seed_note
from tests.fakes.slack_api import FakeSlack
from tests.harness import BOT_TOKEN, AppServer, SlackSender, TestClock

MONDAY = date(2026, 12, 7)


@pytest.fixture(autouse=True)
def ada_is_a_manager(sessions: Sessions) -> None:
    make_manager(sessions, "U1")


def berlin(day: date, hour: int = 9, minute: int = 0) -> datetime:
    """Local time in Berlin (CET, UTC+1, all of December) as UTC."""
    return datetime(day.year, day.month, day.day, hour - 1, minute, tzinfo=UTC)


def run(app_server: AppServer, at: datetime) -> RunResult:
    assert app_server.deps is not None
    app_server.clock.now = at
    return run_due(app_server.deps, at)


def dms(fake: FakeSlack, user: str = "U1") -> list[str]:
    return [c.get("text") for c in fake.posts(f"D{user}")]


def deliveries(sessions: Sessions) -> list[Delivery]:
    with sessions() as s:
        return list(s.scalars(select(Delivery).order_by(Delivery.local_date, Delivery.id)))


def test_a_manager_on_vacation_gets_their_prompt_on_the_first_day_back_once(
    slack: SlackSender, app_server: AppServer, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    slack.command("/coach", "prompts 09:00 Europe/Berlin weekdays")
    fake_slack.set_status("U1", ":palm_tree:", "Vacationing")
    away_days = [MONDAY, MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)]
    for day in away_days:
        first = run(app_server, berlin(day))
        later = run(app_server, berlin(day, 10, 30))
        assert (first.sent, first.deferred) == (0, 1)
        assert (later.sent, later.deferred) == (0, 0)  # at most one deferral per item per day
    assert dms(fake_slack) == []

    fake_slack.set_status("U1")  # back on Thursday
    thursday = MONDAY + timedelta(days=3)
    back = run(app_server, berlin(thursday))
    assert back.sent == 1 and back.superseded == 1
    assert "1 superseded by a newer one" in back.summary()
    assert run(app_server, berlin(thursday, 10, 0)).sent == 0
    assert len(dms(fake_slack)) == 1
    assert dms(fake_slack)[0].startswith("Coaching prompt (")

    rows = deliveries(sessions)
    assert [(r.local_date, r.status) for r in rows] == [
        (MONDAY, "superseded"),
        (MONDAY + timedelta(days=1), "superseded"),
        (MONDAY + timedelta(days=2), "superseded"),
        (thursday, "sent"),
    ]
    assert all(r.deferrals == 1 for r in rows[:3])
    # Friday is an ordinary day again.
    assert run(app_server, berlin(thursday + timedelta(days=1))).sent == 1
    assert len(dms(fake_slack)) == 2


def test_the_deferred_item_keeps_its_key_and_prompt_when_it_goes_out_the_next_day(
    slack: SlackSender, app_server: AppServer, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    slack.command("/coach", "prompts 09:00 Europe/Berlin mon,wed,fri")
    fake_slack.set_status("U1", ":airplane:", "")
    monday = run(app_server, berlin(MONDAY))
    assert monday.deferred == 1
    (deferred,) = deliveries(sessions)
    assert deferred.status == "deferred" and deferred.due_at == berlin(MONDAY + timedelta(days=1))
    key, item = deferred.key, deferred.item_id
    assert item is not None

    fake_slack.set_status("U1")
    assert run(app_server, berlin(MONDAY + timedelta(days=1))).sent == 1
    (sent,) = deliveries(sessions)
    assert (sent.key, sent.item_id, sent.local_date, sent.status) == (key, item, MONDAY, "sent")
    assert sent.message_ts is not None
    (text,) = dms(fake_slack)
    assert text.startswith("Coaching prompt (")


def test_a_follow_up_reminder_waits_for_the_authors_return(
    app_server: AppServer, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    note_id = seed_note(sessions, text="Check the Acme renewal", follow_up_on=MONDAY)
    fake_slack.set_status("U1", "", "OOO until Tuesday")  # words alone are enough
    assert run(app_server, berlin(MONDAY)).deferred == 1
    assert dms(fake_slack) == []
    fake_slack.set_status("U1")
    assert run(app_server, berlin(MONDAY + timedelta(days=1))).sent == 1
    (post,) = fake_slack.posts("DU1")
    assert post.get("text").startswith("Follow-up due today")
    (row,) = deliveries(sessions)
    assert row.key == f"followup:{note_id}:{MONDAY.isoformat()}" and row.status == "sent"


def test_the_next_working_day_skips_the_weekend_and_the_schedules_holidays(
    slack: SlackSender, app_server: AppServer, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    slack.command("/coach", "prompts 09:00 Europe/Berlin everyday")
    with sessions.begin() as s:
        schedule = s.scalars(select(Schedule)).one()
        holiday_calendars.set_calendar(schedule, "DE")
    fake_slack.set_status("U1", ":face_with_thermometer:", "")
    christmas_eve = date(2026, 12, 24)  # a Thursday; Friday 25 and Saturday 26 are holidays
    assert run(app_server, berlin(christmas_eve)).deferred == 1
    (row,) = deliveries(sessions)
    assert row.due_at == berlin(date(2026, 12, 28))  # Monday, at the same local time


def test_a_status_that_has_expired_does_not_hold_the_dm(
    slack: SlackSender, app_server: AppServer, fake_slack: FakeSlack
) -> None:
    slack.command("/coach", "prompts 09:00 Europe/Berlin weekdays")
    fake_slack.set_status("U1", ":palm_tree:", "Vacationing", expiration=int(berlin(MONDAY, 8).timestamp()))
    result = run(app_server, berlin(MONDAY))
    assert (result.sent, result.deferred) == (1, 0)
    assert len(dms(fake_slack)) == 1


@pytest.mark.parametrize(
    ("emoji", "text", "away"),
    [
        (":house_with_garden:", "", True),
        ("", "Out Of Office", True),
        ("", "on parental leave", True),
        ("", "V\u0430cation", True),  # a Cyrillic "а"
        ("", "sic\u00adk", True),  # a soft hyphen
        ("", "In a meeting", False),
        ("", "Q4 target: 1,000,000", False),
        (":palm_tree::skin-tone-2:", "", True),
        (":coffee:", "homesick for Lisbon", False),
    ],
)
def test_what_counts_as_away(
    emoji: str, text: str, away: bool, slack: SlackSender, app_server: AppServer, fake_slack: FakeSlack
) -> None:
    slack.command("/coach", "prompts 09:00 Europe/Berlin weekdays")
    fake_slack.set_status("U1", emoji, text)
    result = run(app_server, berlin(MONDAY))
    assert (result.deferred, result.sent) == ((1, 0) if away else (0, 1))


def test_a_status_slack_cannot_tell_us_does_not_hold_the_dm(
    slack: SlackSender, app_server: AppServer, fake_slack: FakeSlack
) -> None:
    slack.command("/coach", "prompts 09:00 Europe/Berlin weekdays")
    fake_slack.set_status("U1", ":palm_tree:", "")
    fake_slack.fail("users.info", "internal_error")
    result = run(app_server, berlin(MONDAY))
    assert (result.sent, result.deferred, result.failed) == (1, 0, 0)


def test_a_deferred_dm_nobody_ran_for_expires_rather_than_arriving_late(
    slack: SlackSender, app_server: AppServer, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    slack.command("/coach", "prompts 09:00 Europe/Berlin mon,wed,fri")
    fake_slack.set_status("U1", ":palm_tree:", "")
    run(app_server, berlin(MONDAY))
    fake_slack.set_status("U1")
    late = run(app_server, berlin(MONDAY + timedelta(days=1), 13, 0))  # 4 hours after, past the grace
    assert late.sent == 0 and late.expired == 1
    assert [r.status for r in deliveries(sessions)] == ["expired"]
    assert dms(fake_slack) == []


def test_a_deferred_prompt_is_dropped_when_the_schedule_is_turned_off_meanwhile(
    slack: SlackSender, app_server: AppServer, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    slack.command("/coach", "prompts 09:00 Europe/Berlin mon,wed,fri")
    fake_slack.set_status("U1", ":palm_tree:", "")
    assert run(app_server, berlin(MONDAY)).deferred == 1
    slack.command("/coach", "prompts off")
    fake_slack.set_status("U1")
    result = run(app_server, berlin(MONDAY + timedelta(days=1)))
    assert (result.sent, result.skipped) == (0, 1)
    assert [r.status for r in deliveries(sessions)] == ["skipped"]
    assert dms(fake_slack) == []


def test_channel_posts_never_read_anyones_status(
    slack: SlackSender, app_server: AppServer, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    slack.command("/coach", "prompts channel 09:00 Europe/Berlin weekdays", channel="C1")
    fake_slack.set_status("U1", ":palm_tree:", "Vacationing")
    fake_slack.clear()
    result = run(app_server, berlin(MONDAY))
    assert (result.sent, result.deferred) == (1, 0)
    assert fake_slack.calls_to("users.info") == []


@pytest.fixture
def deps_with_rules(
    database_url: str, engine: Engine, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> Iterator[Deps]:
    deps = build_deps(
        make_settings(database_url, fake_slack, COACHBOT_AWAY_EMOJI="none", COACHBOT_AWAY_WORDS="conference"),
        engine,
    )
    deps.clock = clock
    yield deps
    deps.background.shutdown(wait=True)


def test_away_emoji_and_words_are_settings(
    deps_with_rules: Deps, fake_slack: FakeSlack, sessions: Sessions, clock: TestClock
) -> None:
    for day in (MONDAY, MONDAY + timedelta(days=1)):
        seed_note(sessions, follow_up_on=day)
    fake_slack.set_status("U1", ":palm_tree:", "Vacationing")  # neither counts with these settings
    clock.now = berlin(MONDAY)
    assert run_due(deps_with_rules, clock.now).sent == 1
    fake_slack.set_status("U1", "", "At a Conference")
    clock.now = berlin(MONDAY + timedelta(days=1))
    assert run_due(deps_with_rules, clock.now).deferred == 1


def run_due_processes(database_url: str, fake: FakeSlack, cwd: Path, at: datetime, n: int = 3) -> list[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COACHBOT_"))}
    env.update(
        {
            "DATABASE_URL": database_url,
            "SLACK_API_URL": fake.api_url,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": "x" * 32,
            "COACHBOT_FANOUT_WORKERS": "4",
            "LOG_LEVEL": "WARNING",
        }
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "run-due", "--at", at.isoformat()],
            env=env,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(n)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    for p, (_, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err
    return [out for out, _ in outputs]


def test_three_run_due_processes_defer_once_and_send_one_prompt_each_on_the_return_day(
    database_url: str, engine: Engine, sessions: Sessions, fake_slack: FakeSlack, tmp_path: Path
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("several run-due processes at once need PostgreSQL; SQLite supports one process (see README)")
    managers = [f"UM{i:02d}" for i in range(12)]
    with sessions.begin() as session:
        for user in managers:
            schedules.set_schedule(
                session,
                team_id="T1",
                enterprise_id=None,
                kind="prompt_dm",
                target_id=user,
                created_by=user,
                spec=ScheduleSpec(9, 0, "Europe/Berlin", WEEKDAYS),
            )
    for user in managers:
        fake_slack.add_user(user, tz="Europe/Berlin")
        fake_slack.set_status(user, ":palm_tree:", "Vacationing")
    fake_slack.latency = 0.05

    run_due_processes(database_url, fake_slack, tmp_path, berlin(MONDAY))
    rows = deliveries(sessions)
    assert len(rows) == len(managers)
    assert {(r.status, r.deferrals) for r in rows} == {("deferred", 1)}
    assert fake_slack.posts() == []

    for user in managers:
        fake_slack.set_status(user)
    outputs = run_due_processes(database_url, fake_slack, tmp_path, berlin(MONDAY + timedelta(days=1)))
    assert sorted(c.params["channel"] for c in fake_slack.posts()) == sorted(f"D{u}" for u in managers)
    statuses = sorted((r.local_date, r.status) for r in deliveries(sessions))
    assert statuses == sorted([(MONDAY, "superseded")] * 12 + [(MONDAY + timedelta(days=1), "sent")] * 12)
    assert sum(int(out.split(" sent")[0].rsplit(" ", 1)[-1]) for out in outputs) == len(managers)
