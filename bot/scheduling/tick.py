"""The in-process scheduler: a tick every few seconds that calls ``run_due(now)``.

APScheduler's job store stays in memory, per process. Exactly-once comes from the
database claims inside ``run_due``, not from the scheduler: sharing a job store between
processes duplicates or misses jobs (APScheduler FAQ), and ``replace_existing`` would
recompute missed runs from now and drop them. A tick that finds the database down logs
and carries on; the next tick retries.
"""

from __future__ import annotations

import logging
import time

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.deps import Deps
from bot.scheduling.run import run_due

log = logging.getLogger(__name__)
TICK_JOB_ID = "coachbot-tick"


class Ticker:
    """Runs ``run_due`` at the current time and reports how late and how long each tick was."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.anchor = time.monotonic()
        self.interval = float(deps.settings.tick_seconds)

    def __call__(self) -> None:
        started = time.monotonic()
        planned = self.anchor + ((started - self.anchor) // self.interval) * self.interval
        self.deps.metrics.tick_lag.set(started - planned)
        at = self.deps.clock()
        try:
            result = run_due(self.deps, at)
        except Exception as exc:  # noqa: BLE001 - the scheduler must outlive a database outage
            self.deps.metrics.tick_failures.inc()
            log.error("tick at %s failed: %s; will retry next tick", at.isoformat(), type(exc).__name__)
            return
        finally:
            self.deps.metrics.tick_duration.set(time.monotonic() - started)
        if result.sent or result.failed:
            log.info(result.summary())


def start_scheduler(deps: Deps) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(
        Ticker(deps),
        IntervalTrigger(seconds=deps.settings.tick_seconds),
        id=TICK_JOB_ID,
        max_instances=1,
        coalesce=True,
        next_run_time=deps.clock(),
    )
    scheduler.start()
    return scheduler
