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
from bot.scheduling.kinds import Occurrence, ScheduledKind, Wording, schedule_occurrences
from bot.services import rotation
from bot.services.quotes import QuoteView

SCHEDULE_KIND = ScheduleKind.QUOTE_CHANNEL


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


QUOTE = ScheduledKind(
    delivery=QuoteKind(),
    schedule_kind=SCHEDULE_KIND,
    wording=Wording(label="the daily quote", command="/quote daily", item="today's quote"),
    admins_only=True,
)
