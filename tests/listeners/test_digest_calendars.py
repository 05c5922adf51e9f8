"""The leader digest takes the same calendar options as every other schedule (issue 16)."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.engine import Sessions
from bot.db.models import Schedule
from bot.kinds import ScheduleKind
from tests.harness import SlackSender, ephemeral_text


def _digest(sessions: Sessions) -> Schedule | None:
    with sessions.begin() as session:
        return session.scalars(select(Schedule).where(Schedule.kind == ScheduleKind.DIGEST)).one_or_none()


def test_a_weekly_digest_skips_holidays_pauses_and_resumes(slack: SlackSender, sessions: Sessions) -> None:
    text = ephemeral_text(
        slack.command("/coach", "digest weekly mon 08:00 Europe/Berlin skip holidays DE", user="UADMIN")
    )
    assert "You'll get the coaching digest by DM" in text
    assert "Skips public holidays in Germany (DE)" in text
    row = _digest(sessions)
    assert row is not None and row.holidays == "DE" and row.target_id == "UADMIN"

    paused = ephemeral_text(slack.command("/coach", "digest pause 2w", user="UADMIN"))
    assert "Paused until" in paused and "`/coach digest resume`" in paused
    row = _digest(sessions)
    assert row is not None and row.paused_until is not None

    resumed = ephemeral_text(slack.command("/coach", "digest resume", user="UADMIN"))
    assert "Resumed" in resumed
    row = _digest(sessions)
    assert row is not None and row.paused_until is None and row.holidays == "DE"


def test_an_unknown_calendar_for_the_digest_saves_nothing(slack: SlackSender, sessions: Sessions) -> None:
    text = ephemeral_text(
        slack.command("/coach", "digest weekly mon 08:00 Europe/Berlin skip holidays XX", user="UADMIN")
    )
    assert "XX" in text and "MX" in text  # names the problem and the nearest valid codes
    assert _digest(sessions) is None
