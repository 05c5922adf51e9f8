"""Coaching-loop deliveries: the rep's action-item reminder and the leader's weekly digest.

- ``todo``: one DM to the rep on an unfinished item's due date at 09:00 in the rep's zone
  (the zone stored with the item). Key ``todo:<item id>:<due date>``: exactly once per item
  and date, and a changed due date would be a new occurrence. Skipped if the item is done or
  gone by then.
- ``digest``: a DM to a leader on their ``digest`` schedule (e.g. Mondays 08:00), due like
  the prompt schedules (``schedule:<id>:<local date>``). The digest is computed when it is
  rendered, from counts and averages only (``bot.services.digest``).

Like every kind, these hold no Slack objects and never commit; the engine claims, posts and
records (``bot.scheduling.run``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.blocks import Message
from bot.blocks.action_items import action_item_reminder_message
from bot.blocks.digest import digest_message
from bot.kinds import DeliveryKindName
from bot.scheduling.kinds import DeliveryKind, Occurrence
from bot.scheduling.quote_kind import schedule_occurrences
from bot.services import action_items, digest, schedules
from bot.services.leaders import DIGEST_SCHEDULE_KIND

TODO_REMINDER = DeliveryKindName.TODO_REMINDER
DIGEST = DeliveryKindName.DIGEST
REMINDER_HOUR = 9


def _item_id(key: str) -> int | None:
    parts = key.split(":")
    return int(parts[1]) if len(parts) == 3 and parts[0] == TODO_REMINDER and parts[1].isdigit() else None


class TodoReminderKind:
    """The rep's reminder on an action item's due date, 09:00 their time."""

    name: str = TODO_REMINDER

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
                    key=f"{TODO_REMINDER}:{item.id}:{item.due_on.isoformat()}",
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


class DigestKind:
    """A leader's weekly coaching digest by DM."""

    name: str = DIGEST

    def due(self, session: Session, at: datetime, grace: timedelta) -> list[Occurrence]:
        return schedule_occurrences(
            session, schedule_kind=DIGEST_SCHEDULE_KIND, delivery_kind=self.name, at=at, grace=grace
        )

    def choose(self, session: Session, occ: Occurrence) -> int | None:
        return occ.schedule_id

    def render(self, session: Session, occ: Occurrence, item_id: int | None) -> Message | None:
        if item_id is None:
            return None
        # For the leader it goes to: a leader who rated too gets only blocks of others' ratings.
        built = digest.build_digest(session, team_id=occ.team_id, now=occ.due_at, viewer=occ.target_id)
        return digest_message(built)


def loop_kinds() -> list[DeliveryKind]:
    return [TodoReminderKind(), DigestKind()]
