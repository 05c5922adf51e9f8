"""The contract between the delivery engine and the things it delivers.

The engine (``bot.scheduling.run``) owns exactly-once: it asks each kind what is due,
claims each occurrence under the unique ``Delivery.key``, asks the kind to ``choose``
the item once (at claim time; the choice is stored as ``Delivery.item_id`` so a re-run
after a crash posts the same thing), ``render``s it, posts it with message metadata, and
records Slack's ``ts``. Kinds hold no Slack objects and never commit.

Everything else about a kind is declared next to it, once, in a ``ScheduledKind``: the
``Schedule`` rows that drive it (if any) and the words people read about those schedules
(``Wording``: announcements in the channel, the DM when it cannot be delivered). The
registry (``bot.scheduling.registry``) lists the declarations; the engine, the schedule
commands and the blocks read them from there, and ``tests/scheduling/test_kind_declarations.py``
fails when a kind misses a piece.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from sqlalchemy.orm import Session

from bot.blocks import Message
from bot.kinds import ScheduleKind
from bot.services import schedules


@dataclass(frozen=True)
class Occurrence:
    """One thing due. ``key`` is unique forever, e.g. ``schedule:12:2026-11-30``."""

    key: str
    kind: str
    team_id: str
    enterprise_id: str | None
    target_id: str  # a channel id, or a user id for a DM
    local_date: date
    due_at: datetime  # the UTC instant it became due
    schedule_id: int | None = None
    note_id: int | None = None
    owner_id: str | None = None  # whom to tell when it cannot be delivered


class DeliveryKind(Protocol):
    @property
    def name(self) -> str:
        """The ``DeliveryKindName`` it claims under (``bot.kinds``)."""
        ...

    def due(self, session: Session, at: datetime, grace: timedelta) -> list[Occurrence]:
        """Occurrences due at ``at``: scheduled at T with T <= at <= T + grace."""
        ...

    def choose(self, session: Session, occ: Occurrence) -> int | None:
        """Pick the item (quote, prompt, note id) and advance any rotation. Called once per claim."""
        ...

    def render(self, session: Session, occ: Occurrence, item_id: int | None) -> Message | None:
        """The message for a chosen item; repeatable. None means: nothing to send, skip."""
        ...


@dataclass(frozen=True)
class Wording:
    """How people read about a schedule of this kind."""

    label: str  # "the daily quote": "<@U1> set up the daily quote here"
    command: str  # "/quote daily": the command that shows it and sets it again
    item: str  # "today's quote": "I couldn't post today's quote"


@dataclass(frozen=True)
class ScheduledKind:
    """One kind of scheduled delivery, declared once: what drives it, its words, its delivery.

    ``schedule_kind``: the ``Schedule`` rows it is due from (``schedule_occurrences``), or None
    for a kind due from other rows (a note's follow-up date, an action item's due date).
    ``wording`` is required with a ``schedule_kind``. ``admins_only``: with
    ``COACHBOT_SCHEDULE_CHANGES=admins`` only admins set, change or stop it in a channel.
    """

    delivery: DeliveryKind
    schedule_kind: ScheduleKind | None = None
    wording: Wording | None = None
    admins_only: bool = False
    # When it is due against its schedule's time: a 1:1's prep brief goes 2 hours before it.
    offset: timedelta = timedelta(0)

    @property
    def name(self) -> str:
        return self.delivery.name


def schedule_occurrences(
    session: Session,
    *,
    schedule_kind: str,
    delivery_kind: str,
    at: datetime,
    grace: timedelta,
    keyed_by_kind: bool = False,
) -> list[Occurrence]:
    """Occurrences of every active ``schedule_kind`` schedule due at ``at``: the ``due`` of every
    schedule-driven kind (quotes, prompts, digests).

    The daily quote's claims are keyed ``schedule:<id>:<date>``; the later kinds put their own
    name first (``prompt_dm:<id>:<date>``, ``keyed_by_kind``). Keys are forever, so each keeps its
    form; a new kind keys by its name."""
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
