"""The rep's action-item reminder: the ``todo`` delivery kind (the name stored since it began).

One DM to the rep on an unfinished item's due date at 09:00 in the rep's zone (the zone stored
with the item). Key ``todo:<item id>:<due date>``: exactly once per item and date, and a changed
due date would be a new occurrence. Skipped if the item is done or gone by then.

Like every kind, it holds no Slack objects and never commits; the engine claims, posts and
records (``bot.scheduling.run``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.blocks import Message
from bot.blocks.action_items import action_item_reminder_message
from bot.kinds import DeliveryKindName
from bot.scheduling.kinds import Occurrence, ScheduledKind
from bot.services import action_items, schedules

ACTION_ITEM_REMINDER = DeliveryKindName.ACTION_ITEM_REMINDER
REMINDER_HOUR = 9


def _item_id(key: str) -> int | None:
    parts = key.split(":")
    return int(parts[1]) if len(parts) == 3 and parts[0] == ACTION_ITEM_REMINDER and parts[1].isdigit() else None


class ActionItemReminderKind:
    """The rep's reminder on an action item's due date, 09:00 their time."""

    name: str = ACTION_ITEM_REMINDER

    def due(self, session: Session, at: datetime, grace: timedelta) -> list[Occurrence]:
        # Local dates around the world differ from UTC's by at most a day either way.
        first = (at - grace - timedelta(days=1)).date()
        last = (at + timedelta(days=1)).date()
        found: list[Occurrence] = []
        for item in action_items.reminder_candidates(session, first=first, last=last):
            assert item.due_on is not None
            spec = schedules.ScheduleSpec(
                hour=REMINDER_HOUR, minute=0, tz=schedules.zone_or_utc(item.rep_tz).key, days=schedules.EVERYDAY
            )
            hit = schedules.occurrence_due(spec, at, grace)
            if hit is None or hit[0] != item.due_on:
                continue
            found.append(
                Occurrence(
                    key=f"{ACTION_ITEM_REMINDER}:{item.id}:{item.due_on.isoformat()}",
                    kind=self.name,
                    team_id=item.team_id,
                    enterprise_id=None,
                    target_id=item.rep_id,
                    local_date=item.due_on,
                    due_at=hit[1],
                    owner_id=item.assigner_id,
                )
            )
        return found

    def choose(self, session: Session, occ: Occurrence) -> int | None:
        return _item_id(occ.key)

    def render(self, session: Session, occ: Occurrence, item_id: int | None) -> Message | None:
        if item_id is None:
            return None
        item = action_items.item_for_delivery(session, item_id=item_id)
        # Deleted, finished or moved since: nothing to remind. Only ever to the rep.
        if (
            item is None
            or item.team_id != occ.team_id
            or item.rep_id != occ.target_id
            or item.status == action_items.DONE
            or item.due_on != occ.local_date
        ):
            return None
        message = action_item_reminder_message(item)
        return message


# Due from action items, not from a schedule: no schedule kind, no schedule wording.
ACTION_ITEM_REMINDER_KIND = ScheduledKind(delivery=ActionItemReminderKind())
