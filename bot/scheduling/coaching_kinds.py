"""Coaching deliveries: prompt DMs, channel prompts, follow-up reminders (coaching work)."""

from __future__ import annotations

from bot.scheduling.kinds import DeliveryKind


def coaching_kinds() -> list[DeliveryKind]:
    return []
