"""Calendars: public holidays, pauses, and whether a person is away.

Three ways a scheduled delivery does not go out on its usual day, all decided by the
delivery engine when it computes what is due (``bot.scheduling.run``):

- **Public holidays.** A schedule names a calendar (``DE``, ``DE-BY``, ``US``), stored in
  ``Schedule.holidays``; an occurrence whose local date (in the schedule's own zone) is a
  holiday there produces no claim at all, and the next working day posts as usual. The
  calendars come from the maintained ``holidays`` package, never a hand-made list. The
  workspace default (``COACHBOT_HOLIDAYS``) is applied when a schedule is created without
  naming one (``calendar_for_schedule``); ``none`` turns it off for one schedule.
- **Pauses.** ``Schedule.paused_until`` is the local date the schedule posts again; nothing
  before it is claimed. No one has to resume it.
- **People who are away.** A DM the bot schedules (a coaching prompt, a follow-up, an
  action-item reminder) whose recipient's Slack status says away is deferred to their next
  working day at the same local time (``is_away``, ``deferred_until``).

Each lives in its own module (``holiday_calendars``, ``pauses``, ``away``); this one gathers
their names, where every feature has always found them.

Pure functions and plain values: no Slack, no commits (the caller owns the unit of work).
"""

from __future__ import annotations

from bot.services.away import AwayRules, deferred_until, is_away, next_working_day
from bot.services.holiday_calendars import (
    CALENDAR_EXAMPLE,
    NONE,
    InvalidCalendar,
    calendar_for_schedule,
    calendar_label,
    calendar_summary,
    holiday_name,
    is_holiday,
    next_skipped,
    parse_calendar,
    set_calendar,
    split_calendar_option,
)
from bot.services.pauses import (
    MAX_PAUSE_MONTHS,
    PAUSE_EXAMPLE,
    InvalidPause,
    Upcoming,
    add_months,
    is_paused,
    local_today,
    next_post,
    parse_pause,
    pause_schedule_until,
    pause_summary,
    resume_schedule,
    upcoming,
)

__all__ = [
    "CALENDAR_EXAMPLE",
    "MAX_PAUSE_MONTHS",
    "NONE",
    "PAUSE_EXAMPLE",
    "AwayRules",
    "InvalidCalendar",
    "InvalidPause",
    "Upcoming",
    "add_months",
    "calendar_for_schedule",
    "calendar_label",
    "calendar_summary",
    "deferred_until",
    "holiday_name",
    "is_away",
    "is_holiday",
    "is_paused",
    "local_today",
    "next_post",
    "next_skipped",
    "next_working_day",
    "parse_calendar",
    "parse_pause",
    "pause_schedule_until",
    "pause_summary",
    "resume_schedule",
    "set_calendar",
    "split_calendar_option",
    "upcoming",
]
