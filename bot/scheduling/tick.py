"""The in-process scheduler: a tick every few seconds that calls ``run_due(now)``.

APScheduler's job store stays in memory, per process. Exactly-once comes from the
database claims inside ``run_due``, not from the scheduler: sharing a job store between
processes duplicates or misses jobs (APScheduler FAQ), and ``replace_existing`` would
recompute missed runs from now and drop them. A tick that finds the database down logs
and carries on; the next tick retries.
"""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.deps import Deps
from bot.scheduling.run import run_due

log = logging.getLogger(__name__)
TICK_JOB_ID = "coachbot-tick"


def tick(deps: Deps) -> None:
    at = deps.clock()
    try:
        result = run_due(deps, at)
    except Exception as exc:  # noqa: BLE001 - the scheduler must outlive a database outage
        log.error("tick at %s failed: %s; will retry next tick", at.isoformat(), type(exc).__name__)
        return
    if result.sent or result.failed:
        log.info(result.summary())


def start_scheduler(deps: Deps) -> BackgroundScheduler:
    scheduler = BackgroundScheduler(timezone="UTC")
    scheduler.add_job(
        tick,
        IntervalTrigger(seconds=deps.settings.tick_seconds),
        args=[deps],
        id=TICK_JOB_ID,
        max_instances=1,
        coalesce=True,
        next_run_time=deps.clock(),
    )
    scheduler.start()
    return scheduler
