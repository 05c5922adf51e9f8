"""SIGTERM during a fan-out: a clean stop, nothing lost, nothing doubled."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.db.engine import Sessions
from bot.db.models import Delivery
from tests.fakes.slack_api import FakeSlack
from tests.scheduling.test_daily_crash import count, run_due_process, seed_channels, slow_slack, tagged_posts

__all__ = ["slow_slack"]  # the fixture, shared with the SIGKILL test

pytestmark = pytest.mark.slow


def test_sigterm_mid_fan_out_stops_cleanly_and_the_next_run_completes_it(
    database_url: str, sessions: Sessions, slow_slack: FakeSlack, tmp_path: Path
) -> None:
    channels = seed_channels(sessions, slow_slack, 20)
    first = run_due_process(database_url, slow_slack, tmp_path, COACHBOT_FANOUT_WORKERS="2")
    deadline = time.monotonic() + 60
    while len(slow_slack.posts()) < 4:
        assert first.poll() is None, first.communicate()
        assert time.monotonic() < deadline, "run-due did not get going"
        time.sleep(0.02)
    os.kill(first.pid, signal.SIGTERM)
    out, err = first.communicate(timeout=30)

    assert first.returncode == 0, err  # a clean stop, with its summary
    stopped = count(out, "left for the next run")
    assert stopped > 0 and count(out, "sent") + stopped == 20
    with sessions() as s:
        statuses = list(s.scalars(select(Delivery.status)))
    assert "pending" not in statuses  # every post it started was finished and recorded
    assert all(len(tagged_posts(slow_slack, c)) <= 1 for c in channels)

    rerun = run_due_process(database_url, slow_slack, tmp_path)
    out2, err2 = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err2
    assert {c: len(tagged_posts(slow_slack, c)) for c in channels} == {c: 1 for c in channels}
    assert count(out2, "sent") == stopped
