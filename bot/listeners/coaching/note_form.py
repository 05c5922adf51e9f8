"""The note form's values (``view.state.values``) as plain values: the log form and the edit form.

Shared by ``notes`` (logging) and ``edit`` (editing), which read the same fields. A picked
option is client-controlled: a forged non-number is refused under its field, and the services
check the skill is this workspace's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.blocks import action_items as action_items_ui
from bot.blocks import notes as notes_ui
from bot.blocks import ratings as ratings_ui
from bot.errors import UsageError
from bot.listeners import payload


@dataclass(frozen=True)
class NoteForm:
    rep_id: str | None
    text: str
    follow_up_on: date | None
    theme: str | None
    share: bool
    skill_id: int | None = None
    rating: int | None = None
    action_item: str = ""
    action_due: date | None = None


def _picked_date(values: dict[str, Any], block: str) -> date | None:
    raw = str(payload.field(values, block).get("selected_date") or "")
    try:
        return date.fromisoformat(raw) if raw else None
    except ValueError:
        raise UsageError("Pick a date from the calendar.", block_id=block) from None


def _picked_number(values: dict[str, Any], block: str) -> int | None:
    """A select's or radio's value as a number; a forged non-number is refused under the field."""
    raw = payload.selected_value(values, block)
    if raw is None:
        return None
    number = payload.parse_id(raw)
    if number is None:
        raise UsageError("Pick one of the options.", block_id=block)
    return number


def parse_note_form(values: dict[str, Any]) -> NoteForm:
    """``view.state.values`` of the note form (and the edit form) as plain values."""
    follow_up = _picked_date(values, notes_ui.FOLLOW_UP_BLOCK)
    return NoteForm(
        rep_id=str(payload.field(values, notes_ui.REP_BLOCK).get("selected_user") or "") or None,
        text=payload.text_input(values, notes_ui.NOTE_BLOCK),
        follow_up_on=follow_up,
        theme=payload.selected_value(values, notes_ui.THEME_BLOCK),
        share=notes_ui.SHARE_VALUE in payload.selected_values(values, notes_ui.SHARE_BLOCK),
        skill_id=_picked_number(values, ratings_ui.SKILL_BLOCK),
        rating=_picked_number(values, ratings_ui.RATING_BLOCK),
        action_item=payload.text_input(values, action_items_ui.ACTION_ITEM_BLOCK).strip(),
        action_due=_picked_date(values, action_items_ui.ACTION_DUE_BLOCK),
    )
