"""The replay record (``processed_events``): bounded ids on both databases, and pruned by the
tick (``run_due``, the same code as ``coachbot run-due --at``) once Slack can no longer resend."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, insert, select

from bot.db.engine import Sessions
from bot.db.models import ItemDm, ProcessedEvent
from bot.scheduling.run import run_due
from bot.services.events import ID_MAX, KEEP_FOR
from tests.cli.test_cli import coachbot
from tests.harness import AppServer, SlackSender, TestClock

JOINED = {"type": "member_joined_channel", "user": "U2", "channel": "C1", "event_ts": "1.1"}


def recorded(sessions: Sessions) -> list[str]:
    with sessions.begin() as session:
        return sorted(session.scalars(select(ProcessedEvent.event_id)))


def test_a_400_kb_event_id_is_stored_as_a_short_hash_and_its_retry_is_still_caught(
    slack: SlackSender, sessions: Sessions
) -> None:
    """Before: stored whole on SQLite (400 KB ids added 2.3 MB); a DataError and a 500 on PostgreSQL."""
    huge = "Ev" + "x" * 400_000
    first = slack.event(JOINED, event_id=huge)
    retry = slack.event(JOINED, event_id=huge, retry_num=1)
    look_alike = slack.event(JOINED, event_id=huge[:-1] + "y")  # same length, one character apart
    exactly_64 = slack.event(JOINED, event_id="E" * ID_MAX)
    assert [r.status_code for r in (first, retry, look_alike, exactly_64)] == [200, 200, 200, 200]
    ids = recorded(sessions)
    assert len(ids) == 3  # the retry added nothing
    assert "E" * ID_MAX in ids  # an id that fits is kept as it is
    hashed = [i for i in ids if i.startswith("h:")]
    assert len(hashed) == 2 and all(len(i) == 42 for i in hashed)


def test_a_huge_trigger_id_and_team_id_are_answered_not_500(slack: SlackSender, sessions: Sessions) -> None:
    resp = slack.command("/coach", "help", trigger_id="t" * 100_000)
    assert resp.status_code == 200
    assert all(len(i) <= ID_MAX for i in recorded(sessions))


def test_the_tick_forgets_replay_records_a_day_old_and_keeps_younger_ones(
    slack: SlackSender, sessions: Sessions, app_server: AppServer, clock: TestClock
) -> None:
    deps = app_server.deps
    assert deps is not None
    start = clock.now
    slack.event(JOINED, event_id="EvOLD")
    slack.command("/coach", "todos")  # a command's trigger_id is recorded too
    clock.now = start + timedelta(hours=20)
    slack.event(JOINED, event_id="EvNEW")
    assert len(recorded(sessions)) == 3
    run_due(deps, start + KEEP_FOR - timedelta(minutes=1))
    assert len(recorded(sessions)) == 3  # still within the window Slack can resend in
    result = run_due(deps, start + KEEP_FOR + timedelta(minutes=1))
    assert recorded(sessions) == ["EvNEW"] and result.forgotten == 2


def test_coachbot_run_due_at_prunes_the_record_and_the_dm_ledger(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'prune.db'}"
    assert coachbot("db", "upgrade", env={"DATABASE_URL": url}, cwd=tmp_path).returncode == 0
    engine = create_engine(url)
    at = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    with engine.begin() as conn:
        for n, age in enumerate((timedelta(days=3), timedelta(hours=25), timedelta(hours=2))):
            conn.execute(insert(ProcessedEvent).values(event_id=f"Ev{n}", team_id="T1", received_at=at - age))
            conn.execute(insert(ItemDm).values(team_id="T1", rep_id="U2", sent_at=at - age))
    result = coachbot("run-due", "--at", "2026-12-07T09:00:00Z", env={"DATABASE_URL": url}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    with engine.connect() as conn:
        assert list(conn.execute(select(ProcessedEvent.event_id)).scalars()) == ["Ev2"]
        assert conn.execute(select(func.count()).select_from(ItemDm)).scalar() == 1
    engine.dispose()
