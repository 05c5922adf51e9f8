"""Around each 1:1: the brief, the agenda to both sides and the nudge, each exactly once.

Driven by run_due at injected instants against the fake Slack, on a real database.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.db.engine import Sessions
from bot.db.models import Delivery, Schedule
from bot.scheduling.run import RunResult, run_due
from bot.services import one_on_ones, topics
from tests.factories import make_manager, seed_note
from tests.fakes.slack_api import FakeSlack
from tests.harness import AppServer
from tests.services.coaching_factories import seed_cadence

TUESDAY = date(2026, 12, 8)


def berlin(day: date, hour: int, minute: int = 0) -> datetime:
    """Local time in Berlin (CET, UTC+1, all of December) as UTC."""
    return datetime(day.year, day.month, day.day, hour - 1, minute, tzinfo=UTC)


@pytest.fixture(autouse=True)
def weekly_one_on_one(sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    seed_cadence(sessions, at=berlin(TUESDAY, 7))


def run(app_server: AppServer, at: datetime) -> RunResult:
    assert app_server.deps is not None
    app_server.clock.now = at
    return run_due(app_server.deps, at)


def dms(fake: FakeSlack, user: str) -> list[str]:
    return [json.dumps(c.params) for c in fake.posts(f"D{user}")]


def test_brief_agenda_and_nudge_each_go_once_to_whom_they_are_for(
    app_server: AppServer, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    seed_note(sessions, text="PRIVATE observation", created_at=berlin(TUESDAY, 7) - timedelta(days=2))
    with sessions.begin() as session:
        topics.add_topic(
            session,
            team_id="T1",
            enterprise_id=None,
            user_id="U2",
            other_id="U1",
            text="My promotion",
            now=berlin(TUESDAY, 7),
        )
    brief = run(app_server, berlin(TUESDAY, 8))
    assert brief.sent == 1 and run(app_server, berlin(TUESDAY, 8, 1)).sent == 0
    (to_manager,) = dms(fake_slack, "U1")
    assert "Prep for your 1:1" in to_manager and "PRIVATE observation" in to_manager and "My promotion" in to_manager
    assert dms(fake_slack, "U2") == []

    assert run(app_server, berlin(TUESDAY, 9, 30)).sent == 2
    assert run(app_server, berlin(TUESDAY, 9, 31)).sent == 0
    (rep_agenda,) = dms(fake_slack, "U2")
    assert "Agenda for your 1:1" in rep_agenda and "My promotion" in rep_agenda
    assert "PRIVATE" not in rep_agenda

    assert run(app_server, berlin(TUESDAY, 11)).sent == 1
    nudge = dms(fake_slack, "U1")[-1]
    assert "coach_log_note_rep" in nudge and "U2" in nudge
    with sessions() as s:
        keys = sorted(s.scalars(select(Delivery.key)))
    assert len(keys) == 4 and len(set(keys)) == 4


def test_a_paused_or_stopped_cadence_sends_nothing(
    app_server: AppServer, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    with sessions.begin() as session:
        row = session.scalars(select(Schedule)).one()
        row.paused_until = TUESDAY + timedelta(days=1)
    for hour, minute in ((8, 0), (9, 30), (11, 0)):
        assert run(app_server, berlin(TUESDAY, hour, minute)).sent == 0
    assert dms(fake_slack, "U1") == [] and dms(fake_slack, "U2") == []
    with sessions.begin() as session:
        assert one_on_ones.stop_cadence(session, team_id="T1", manager_id="U1", rep_id="U2")
    next_week = TUESDAY + timedelta(days=7)
    assert run(app_server, berlin(next_week, 8)).sent == 0


def test_an_away_rep_gets_the_agenda_deferred_like_any_dm(
    app_server: AppServer, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    fake_slack.set_status("U2", ":palm_tree:", "Vacationing")
    result = run(app_server, berlin(TUESDAY, 9, 30))
    # The brief (due at 08:00, still within the grace) and the manager's agenda go; the rep's waits.
    assert (result.sent, result.deferred) == (2, 1)
    assert dms(fake_slack, "U2") == [] and len(dms(fake_slack, "U1")) == 2
