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

Each lives in its own module (``holiday_calendars``, ``pauses``, ``away``), imported from there;
this module is only their overview, so the three rules are read together.

Pure functions and plain values: no Slack, no commits (the caller owns the unit of work).
"""

from __future__ import annotations
