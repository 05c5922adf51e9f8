"""Every kind of scheduled delivery, in one list the engine walks."""

from __future__ import annotations

from bot.scheduling.coaching_kinds import coaching_kinds
from bot.scheduling.kinds import DeliveryKind
from bot.scheduling.loop_kinds import loop_kinds
from bot.scheduling.one_on_one_kinds import one_on_one_kinds
from bot.scheduling.quote_kind import QuoteKind


def delivery_kinds() -> list[DeliveryKind]:
    return [QuoteKind(), *coaching_kinds(), *loop_kinds(), *one_on_one_kinds()]
