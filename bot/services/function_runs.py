"""Workflow Builder step executions: each is done once, across Slack's retries and replicas.

Slack retries a ``function_executed`` event it did not see acknowledged within 3 seconds, with
the same ``function_execution_id``. The first delivery *claims* the execution (a row, committed
before the step runs); the step then runs in its own unit of work, and ``finish`` stores what
it completed with. A later delivery of the same execution finds the row:

- finished: it completes again with the same outputs or error, and changes nothing;
- still running, claimed less than ``STILL_RUNNING`` ago: the first delivery is at work and
  will complete; this one only acknowledges;
- still running and older: the first delivery died between doing the step and recording it.
  Whether the step's write happened is unknown, so the step is failed with a message that
  says what to check, rather than risk doing it twice.

A step that raises (a database or Slack outage) ``release``s its claim, so Slack's retry runs
it afresh. Each claim first forgets the rows older than ``KEEP_FOR`` (one indexed delete; steps
are rare next to the tick), so the table holds about a day of executions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.db.models import FunctionRun
from bot.db.upsert import insert_ignore
from bot.services.events import KEEP_FOR, record_key

# Far longer than any step takes (a few database round trips and Slack calls), shorter than
# Slack's second retry (about a minute after the first): a retry meeting an older claim knows
# the first delivery is gone.
STILL_RUNNING = timedelta(seconds=45)


class Claim(StrEnum):
    NEW = "new"  # this delivery runs the step
    DONE = "done"  # an earlier delivery finished: answer with its outcome
    RUNNING = "running"  # an earlier delivery is at work: only acknowledge
    LOST = "lost"  # an earlier delivery died mid-step: fail, saying what to check


@dataclass(frozen=True)
class Outcome:
    """What a step completed with: ``outputs`` (success) or ``error`` (a message for the person)."""

    outputs: dict[str, Any] | None = None
    error: str | None = None


@dataclass(frozen=True)
class Claimed:
    claim: Claim
    outcome: Outcome | None = None  # for DONE


def claim(session: Session, *, team_id: str, execution_id: str, callback_id: str, now: datetime) -> Claimed:
    """Claim ``execution_id`` for this delivery, or say how an earlier delivery of it stands."""
    forget_old_runs(session, now=now)
    key = record_key(execution_id)
    values = {"team_id": team_id, "execution_id": key, "callback_id": callback_id[:64], "claimed_at": now}
    if insert_ignore(session, FunctionRun, values):
        return Claimed(Claim.NEW)
    run = session.scalars(
        select(FunctionRun).where(FunctionRun.team_id == team_id, FunctionRun.execution_id == key)
    ).one()
    if run.finished_at is not None:
        return Claimed(Claim.DONE, Outcome(outputs=run.outputs, error=run.error))
    if now - run.claimed_at < STILL_RUNNING:
        return Claimed(Claim.RUNNING)
    return Claimed(Claim.LOST)


def finish(session: Session, *, team_id: str, execution_id: str, outcome: Outcome, now: datetime) -> None:
    """Record how the claimed execution ended; later deliveries answer the same."""
    session.execute(
        update(FunctionRun)
        .where(FunctionRun.team_id == team_id, FunctionRun.execution_id == record_key(execution_id))
        .values(outputs=outcome.outputs, error=outcome.error, finished_at=now)
    )


def release(session: Session, *, team_id: str, execution_id: str) -> None:
    """Give up an unfinished claim (the step raised): Slack's retry runs the step afresh."""
    session.execute(
        delete(FunctionRun).where(
            FunctionRun.team_id == team_id,
            FunctionRun.execution_id == record_key(execution_id),
            FunctionRun.finished_at.is_(None),
        )
    )


def forget_old_runs(session: Session, *, now: datetime) -> int:
    """Delete executions claimed more than ``KEEP_FOR`` before ``now``; how many went."""
    result = session.execute(delete(FunctionRun).where(FunctionRun.claimed_at < now - KEEP_FOR))
    return int(getattr(result, "rowcount", 0) or 0)
