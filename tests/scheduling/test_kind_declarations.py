"""Every scheduled kind is declared whole, once (``bot.scheduling.registry.SCHEDULED_KINDS``).

A kind missing a piece used to fail late: a channel schedule saved fine and then the change
announcement raised ``KeyError`` looking up its label. These fail at test time instead, naming
the kind and the piece.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.db.engine import Sessions
from bot.kinds import DeliveryKindName, ScheduleKind
from bot.scheduling.kinds import ScheduledKind
from bot.scheduling.registry import SCHEDULED_KINDS, declaration, delivery_kinds, wording
from bot.services import schedules
from bot.services.schedule_spec import EVERYDAY, ScheduleSpec

KINDS = {k.name: k for k in SCHEDULED_KINDS}


def test_every_delivery_kind_name_is_declared_once() -> None:
    names = [k.name for k in SCHEDULED_KINDS]
    assert sorted(names) == sorted(DeliveryKindName), "declare each DeliveryKindName once in the registry"
    assert len(set(names)) == len(names)
    assert [k.name for k in delivery_kinds()] == names


def test_every_schedule_kind_drives_exactly_one_declared_kind() -> None:
    driven = [k.schedule_kind for k in SCHEDULED_KINDS if k.schedule_kind is not None]
    assert sorted(driven) == sorted(ScheduleKind), "each ScheduleKind needs one ScheduledKind with it"
    for schedule_kind in ScheduleKind:
        assert declaration(schedule_kind).schedule_kind == schedule_kind


@pytest.mark.parametrize("kind", SCHEDULED_KINDS, ids=lambda k: k.name)
def test_a_kind_has_its_delivery(kind: ScheduledKind) -> None:
    for piece in ("due", "choose", "render"):
        assert callable(getattr(kind.delivery, piece, None)), f"{kind.name} has no {piece}"
    assert kind.name in set(DeliveryKindName)


@pytest.mark.parametrize("kind", [k for k in SCHEDULED_KINDS if k.schedule_kind], ids=lambda k: k.name)
def test_a_schedule_driven_kind_has_its_words(kind: ScheduledKind) -> None:
    assert kind.schedule_kind is not None
    words = wording(kind.schedule_kind)
    assert words.label.strip(), f"{kind.name}: no label (announcements say 'set up <label> here')"
    assert words.command.startswith("/"), f"{kind.name}: the command that sets it, e.g. /quote daily"
    assert words.item.strip(), f"{kind.name}: no item (the DM says 'I couldn't post <item>')"


@pytest.mark.parametrize("kind", [k for k in SCHEDULED_KINDS if k.schedule_kind], ids=lambda k: k.name)
def test_a_schedule_driven_kind_finds_its_occurrences(kind: ScheduledKind, sessions: Sessions) -> None:
    """A saved schedule of the kind is due at its time, as an occurrence of this kind (once)."""
    assert kind.schedule_kind is not None
    now = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)  # a Monday
    target = "C0KINDS" if kind.schedule_kind in (ScheduleKind.QUOTE_CHANNEL, ScheduleKind.PROMPT_CHANNEL) else "U0KINDS"
    with sessions.begin() as session:
        schedules.set_schedule(
            session,
            team_id="T0KINDS",
            enterprise_id=None,
            kind=kind.schedule_kind,
            target_id=target,
            created_by="U0KINDS",
            spec=ScheduleSpec(hour=9, minute=0, tz="UTC", days=EVERYDAY),
            now=now,
        )
    with sessions.begin() as session:
        found = kind.delivery.due(
            session, datetime(2026, 11, 30, 9, 1, tzinfo=UTC) + kind.offset, timedelta(minutes=30)
        )
    assert [(o.kind, o.target_id, o.local_date.isoformat()) for o in found] == [(kind.name, target, "2026-11-30")]


def test_an_undeclared_schedule_kind_is_named_in_the_error() -> None:
    with pytest.raises(LookupError, match="weekly_standup"):
        declaration("weekly_standup")
