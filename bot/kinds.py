"""The three meanings of "kind", each spelled once.

- ``ScheduleKind``: what a ``Schedule`` row is for (``schedules.kind``): a channel's daily quote,
  a channel's or a manager's daily coaching prompt, a leader's digest.
- ``DeliveryKindName``: which delivery kind produced a ``Delivery`` (``deliveries.kind``) and
  claims its key. Scheduled prompts and digests share their schedule kind's name (the daily
  quote is ``quote``, keyed ``schedule:<id>:<date>`` for history); follow-ups and action-item
  reminders come from notes and action items, not schedules. The engine's registry
  (``bot.scheduling.registry``) maps each name to the code that finds, renders and posts it.
- ``RotationKind``: which pool a ``Rotation`` walks without repeats (``rotations.kind``).

They are ``StrEnum``s with the values already stored, so no data migration was needed.
"""

from __future__ import annotations

from enum import StrEnum


class ScheduleKind(StrEnum):
    QUOTE_CHANNEL = "quote_channel"
    PROMPT_CHANNEL = "prompt_channel"
    PROMPT_DM = "prompt_dm"
    DIGEST = "digest"
    ONE_ON_ONE = "one_on_one"  # target_id = the rep, created_by = the manager


class DeliveryKindName(StrEnum):
    QUOTE = "quote"  # a channel's daily quote (from a quote_channel schedule)
    PROMPT_CHANNEL = "prompt_channel"
    PROMPT_DM = "prompt_dm"
    DIGEST = "digest"
    FOLLOW_UP = "followup"
    ACTION_ITEM_REMINDER = "todo"  # the name stored since action items were called todos
    # 1:1s (from a one_on_one schedule): the manager's prep brief, each side's agenda, the
    # manager's nudge to log a note afterwards.
    ONE_ON_ONE_BRIEF = "1on1_brief"
    ONE_ON_ONE_AGENDA = "1on1_agenda"
    ONE_ON_ONE_NUDGE = "1on1_nudge"


class RotationKind(StrEnum):
    QUOTE = "quote"
    PROMPT = "prompt"
