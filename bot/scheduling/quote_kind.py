"""Daily quote posts to channels: the ``quote`` delivery kind.

Due: every active ``quote_channel`` schedule whose local time has come (within the grace).
Choose: the channel's next quote in its rotation (team quotes first, then curated, no
repeats within a cycle). Render: the Block Kit post.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.blocks import Message
from bot.blocks.daily import quote_post_message
from bot.db.models import Quote
from bot.kinds import DeliveryKindName, ScheduleKind
from bot.scheduling.kinds import Occurrence
from bot.services import rotation, schedules
from bot.services.quotes import QuoteView

SCHEDULE_KIND = ScheduleKind.QUOTE_CHANNEL


def schedule_occurrences(
    session: Session,
    *,
    schedule_kind: str,
    delivery_kind: str,
    at: datetime,
    grace: timedelta,
    keyed_by_kind: bool = False,
) -> list[Occurrence]:
    """Occurrences of every active ``schedule_kind`` schedule due at ``at``, for every kind a
    schedule drives (quotes, prompts, digests).

    The daily quote's claims are keyed ``schedule:<id>:<date>``; the later kinds put their own
    name first (``prompt_dm:<id>:<date>``). Keys are forever, so each keeps its form."""
    return [
        Occurrence(
            key=f"{delivery_kind}:{d.schedule_id}:{d.local_date.isoformat()}" if keyed_by_kind else d.key,
            kind=delivery_kind,
            team_id=d.team_id,
            enterprise_id=d.enterprise_id,
            target_id=d.target_id,
            local_date=d.local_date,
            due_at=d.due_at,
            schedule_id=d.schedule_id,
            owner_id=d.created_by,
        )
        for d in schedules.due_schedules(session, kind=schedule_kind, at=at, grace=grace)
    ]


class QuoteKind:
    name: str = DeliveryKindName.QUOTE

    def due(self, session: Session, at: datetime, grace: timedelta) -> list[Occurrence]:
        return schedule_occurrences(session, schedule_kind=SCHEDULE_KIND, delivery_kind=self.name, at=at, grace=grace)

    def choose(self, session: Session, occ: Occurrence) -> int | None:
        return rotation.next_quote(session, team_id=occ.team_id, channel_id=occ.target_id)

    def render(self, session: Session, occ: Occurrence, item_id: int | None) -> Message | None:
        if item_id is None:
            return None
        quote = session.get(Quote, item_id)
        if quote is None or quote.team_id not in (None, occ.team_id):
            return None
        message = quote_post_message(QuoteView.of(quote))
        return message
