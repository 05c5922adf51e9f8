"""1:1 deliveries: the manager's prep brief, each side's agenda, the nudge to log a note.

All three come from one ``one_on_one`` schedule (``bot.services.one_on_ones``) at offsets
from the 1:1's start, and each occurrence carries the schedule id and the 1:1's local date,
so the engine's holiday skips and pauses judge the 1:1's day, and a DM to someone away is
deferred like every other DM. Keys name the schedule and the date (the agenda also the
recipient): one brief, one agenda each and one nudge per 1:1, whatever is re-run.

``render`` reads everything again from the schedule row (repeatable; a deferred DM is
rendered from its stored occurrence), and sends nothing when the cadence is gone, turned
off or moved to another manager since.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.blocks import Message
from bot.blocks.one_on_ones import agenda_message, brief_message, nudge_message
from bot.db.models import Schedule
from bot.kinds import DeliveryKindName, ScheduleKind
from bot.scheduling.kinds import Occurrence, ScheduledKind, Wording
from bot.services import one_on_ones, prep_brief, rep_card, topics
from bot.services.managers import is_manager
from bot.services.occurrences import due_instant
from bot.services.one_on_ones import CadenceView
from bot.services.zones import zone_or_utc

BRIEF = DeliveryKindName.ONE_ON_ONE_BRIEF
AGENDA = DeliveryKindName.ONE_ON_ONE_AGENDA
NUDGE = DeliveryKindName.ONE_ON_ONE_NUDGE


def _cadence(session: Session, occ: Occurrence) -> CadenceView | None:
    """The occurrence's cadence if it still stands: active, and the same pair it was claimed for."""
    row = session.get(Schedule, occ.schedule_id) if occ.schedule_id is not None else None
    if row is None or row.kind != one_on_ones.SCHEDULE_KIND or not row.active:
        return None
    cadence = CadenceView.of(row)
    if occ.owner_id is not None and occ.owner_id != cadence.manager_id:
        return None
    return cadence


def _meets_at(cadence: CadenceView, occ: Occurrence) -> datetime:
    return due_instant(occ.local_date, cadence.hour, cadence.minute, zone_or_utc(cadence.tz))


class _OneOnOneKind:
    name: str
    offset: timedelta
    per_recipient = False  # the agenda goes to both sides: its key names the recipient too

    def _targets(self, meeting: one_on_ones.Meeting) -> list[str]:
        return [meeting.manager_id]

    def due(self, session: Session, at: datetime, grace: timedelta) -> list[Occurrence]:
        found = []
        for m in one_on_ones.meetings_due(session, offset=self.offset, at=at, grace=grace):
            for target in self._targets(m):
                key = f"{self.name}:{m.schedule_id}:{m.local_date.isoformat()}"
                found.append(
                    Occurrence(
                        key=f"{key}:{target}" if self.per_recipient else key,
                        kind=self.name,
                        team_id=m.team_id,
                        enterprise_id=m.enterprise_id,
                        target_id=target,
                        local_date=m.local_date,
                        due_at=m.due_at,
                        schedule_id=m.schedule_id,
                        owner_id=m.manager_id,
                    )
                )
        return found

    def choose(self, session: Session, occ: Occurrence) -> int | None:
        return None  # everything is read again at render time


class BriefKind(_OneOnOneKind):
    """The manager's prep brief, ``BRIEF_BEFORE`` the 1:1."""

    name = BRIEF
    offset = -one_on_ones.BRIEF_BEFORE

    def render(self, session: Session, occ: Occurrence, item_id: int | None) -> Message | None:
        cadence = _cadence(session, occ)
        if cadence is None or occ.target_id != cadence.manager_id:
            return None
        if not is_manager(session, team_id=occ.team_id, user_id=cadence.manager_id):
            return None  # no longer a manager: their notes are not briefed
        meets_at = _meets_at(cadence, occ)
        brief = prep_brief.build_brief(
            session, team_id=occ.team_id, manager_id=cadence.manager_id, rep_id=cadence.rep_id, now=occ.due_at
        )
        return brief_message(brief, tz=cadence.tz, meets_at=meets_at)


class AgendaKind(_OneOnOneKind):
    """The agenda, to the manager and to the rep, ``AGENDA_BEFORE`` the 1:1."""

    name = AGENDA
    offset = -one_on_ones.AGENDA_BEFORE
    per_recipient = True

    def _targets(self, meeting: one_on_ones.Meeting) -> list[str]:
        return [meeting.manager_id, meeting.rep_id]

    def render(self, session: Session, occ: Occurrence, item_id: int | None) -> Message | None:
        cadence = _cadence(session, occ)
        if cadence is None or occ.target_id not in (cadence.manager_id, cadence.rep_id):
            return None
        agenda = topics.build_agenda(
            session, team_id=occ.team_id, manager_id=cadence.manager_id, rep_id=cadence.rep_id, now=occ.due_at
        )
        return agenda_message(agenda, viewer_id=occ.target_id, tz=cadence.tz, meets_at=_meets_at(cadence, occ))


class NudgeKind(_OneOnOneKind):
    """One DM to the manager ``NUDGE_AFTER`` the 1:1 started: "Log a note", the form pre-filled."""

    name = NUDGE
    offset = one_on_ones.NUDGE_AFTER

    def render(self, session: Session, occ: Occurrence, item_id: int | None) -> Message | None:
        cadence = _cadence(session, occ)
        if cadence is None or occ.target_id != cadence.manager_id:
            return None
        trends = rep_card.skill_trends(
            session, team_id=occ.team_id, author_id=cadence.manager_id, rep_id=cadence.rep_id, now=occ.due_at
        )
        weakest = rep_card.weakest_of([t for t in trends if t.active])
        return nudge_message(rep_id=cadence.rep_id, skill_id=weakest.skill_id if weakest is not None else None)


# The brief is the kind the one_on_one schedule drives (its words are the cadence's); the
# agenda and the nudge come from the same rows at other offsets.
ONE_ON_ONE_BRIEF_KIND = ScheduledKind(
    delivery=BriefKind(),
    schedule_kind=ScheduleKind.ONE_ON_ONE,
    wording=Wording(label="the 1:1 prep brief", command="/coach 1on1", item="the 1:1 prep brief"),
    offset=BriefKind.offset,
)
ONE_ON_ONE_AGENDA_KIND = ScheduledKind(delivery=AgendaKind(), offset=AgendaKind.offset)
ONE_ON_ONE_NUDGE_KIND = ScheduledKind(delivery=NudgeKind(), offset=NudgeKind.offset)
