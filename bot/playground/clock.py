"""The playground clock: real time plus an offset that time travel moves forward.

It is the app's clock too (``deps.clock``), so the scheduler tick, the delivery engine,
"today" in App Home and the timestamps of messages all agree with what the page shows.
Signed requests still carry the real time: Bolt checks their age against the wall clock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

JUMPS = ("hour", "morning", "monday")


class PlaygroundClock:
    def __init__(self, start: datetime | None = None, *, wall: Callable[[], datetime] | None = None) -> None:
        self._wall = wall or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._start = start
        self._offset = timedelta(0)
        self.reset()

    def __call__(self) -> datetime:
        with self._lock:
            return self._wall() + self._offset

    def reset(self) -> None:
        """Back to the start instant (``--now``), or to the real time."""
        with self._lock:
            self._offset = (self._start - self._wall()) if self._start is not None else timedelta(0)

    def travel_to(self, at: datetime) -> datetime:
        """Move forward to ``at``; the playground never goes back in time."""
        with self._lock:
            now = self._wall() + self._offset
            if at > now:
                self._offset += at - now
            return self._wall() + self._offset


def jump_target(now: datetime, jump: str, tz: str) -> datetime:
    """Where a time-travel button goes, seen from ``tz`` (the current persona's zone).

    ``hour``: one hour later. ``morning``: the next 09:00 local (today's, if it is still
    ahead). ``monday``: 09:00 local on the next Monday after today.
    """
    zone = ZoneInfo(tz)
    local = now.astimezone(zone)
    if jump == "hour":
        return now + timedelta(hours=1)
    if jump == "morning":
        day = local.date() if local.time() < time(9) else local.date() + timedelta(days=1)
    elif jump == "monday":
        day = local.date() + timedelta(days=(7 - local.weekday()) or 7)
    else:
        raise ValueError(f"unknown jump {jump!r}; use one of {', '.join(JUMPS)}")
    # Local 09:00 through the zone (fold=0): a DST gap or repeat resolves as Slack's users expect.
    return datetime.combine(day, time(9), tzinfo=zone).astimezone(UTC)
