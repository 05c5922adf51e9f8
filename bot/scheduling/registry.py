"""Every kind of scheduled delivery, declared once each, in one list.

The engine walks the deliveries (``delivery_kinds``); the schedule commands, the channel
announcements and the "could not deliver" DM read a schedule kind's words (``wording``). A new
kind is one module with its ``ScheduledKind``, its names in ``bot/kinds.py`` and a line here.
"""

from __future__ import annotations

from bot.scheduling.action_item_reminder_kind import ACTION_ITEM_REMINDER_KIND
from bot.scheduling.coaching_kinds import FOLLOW_UP_KIND, PROMPT_CHANNEL_KIND, PROMPT_DM_KIND
from bot.scheduling.digest_kind import DIGEST_KIND
from bot.scheduling.kinds import DeliveryKind, ScheduledKind, Wording
from bot.scheduling.one_on_one_kinds import ONE_ON_ONE_AGENDA_KIND, ONE_ON_ONE_BRIEF_KIND, ONE_ON_ONE_NUDGE_KIND
from bot.scheduling.quote_kind import QUOTE

SCHEDULED_KINDS: tuple[ScheduledKind, ...] = (
    QUOTE,
    PROMPT_DM_KIND,
    PROMPT_CHANNEL_KIND,
    FOLLOW_UP_KIND,
    ACTION_ITEM_REMINDER_KIND,
    DIGEST_KIND,
    ONE_ON_ONE_BRIEF_KIND,
    ONE_ON_ONE_AGENDA_KIND,
    ONE_ON_ONE_NUDGE_KIND,
)


def delivery_kinds() -> list[DeliveryKind]:
    return [k.delivery for k in SCHEDULED_KINDS]


def declaration(schedule_kind: str) -> ScheduledKind:
    """The declaration of the kind a ``Schedule`` row of ``schedule_kind`` drives."""
    for kind in SCHEDULED_KINDS:
        if kind.schedule_kind == schedule_kind:
            return kind
    raise LookupError(f"no scheduled kind is declared for schedule kind {schedule_kind!r}")


def wording(schedule_kind: str) -> Wording:
    found = declaration(schedule_kind).wording
    if found is None:
        raise LookupError(f"the scheduled kind for {schedule_kind!r} declares no wording")
    return found
