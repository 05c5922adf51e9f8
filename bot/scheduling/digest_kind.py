"""A leader's weekly coaching digest by DM: the ``digest`` delivery kind.

Due on the leader's ``digest`` schedule (e.g. Mondays 08:00), like the prompt schedules
(``schedule:<id>:<local date>``). The digest is computed when it is rendered, from counts and
averages only (``bot.services.digest``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.blocks import Message
from bot.blocks.digest import digest_message
from bot.kinds import DeliveryKindName
from bot.scheduling.kinds import Occurrence, ScheduledKind, Wording, schedule_occurrences
from bot.services import digest
from bot.services.leaders import DIGEST_SCHEDULE_KIND

DIGEST = DeliveryKindName.DIGEST


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


DIGEST_KIND = ScheduledKind(
    delivery=DigestKind(),
    schedule_kind=DIGEST_SCHEDULE_KIND,
    wording=Wording(
        label="your weekly coaching digest", command="/coach digest weekly", item="this week's coaching digest"
    ),
)
