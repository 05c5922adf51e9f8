"""Block Kit for the note form's extra inputs (rating, action item) and for editing a note.

Edit is offered beside Undo on the saved-note reply and beside each note of a list; only the
author ever gets those, and the edit handler checks the presser is the author all the same.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ButtonElement,
    DatePickerElement,
    InputBlock,
    PlainTextInputElement,
    PlainTextObject,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks import dicts, section
from bot.blocks.action_items import action_item_inputs
from bot.blocks.notes import (
    FOLLOW_UP_BLOCK,
    NOTE_BLOCK,
    THEME_BLOCK,
    theme_option,
)
from bot.blocks.ratings import skill_rating_inputs
from bot.services.notes import NOTE_LIMIT, NoteView
from bot.services.rubric import SkillView
from bot.services.store import THEMES

EDIT_NOTE = "coach_note_edit"  # value: note id; the listener checks the presser is the author
NOTE_EDIT_MODAL = "coach_note_edit_modal"  # private_metadata: note id


# --- editing a note --------------------------------------------------------------------------


def edit_note_button(note_id: int) -> ButtonElement:
    """ "Edit" on the saved-note reply and on each note in ``/coach notes`` (only the author sees
    those; the listener still checks the presser is the author)."""
    return ButtonElement(text="Edit", action_id=EDIT_NOTE, value=str(note_id))


def edited_mark(note: NoteView) -> str:
    """`` · edited`` after a note's details once it was changed, else nothing."""
    return " · edited" if note.edited_at is not None else ""


def note_edit_modal(note: NoteView, *, skills: Sequence[SkillView]) -> dict[str, Any]:
    """The note form, pre-filled with the note (the rep and the sharing stay as saved)."""
    theme_select = StaticSelectElement(
        action_id=THEME_BLOCK,
        placeholder="Pick a theme",
        options=[theme_option(t) for t in THEMES],
        initial_option=theme_option(note.theme) if note.theme in THEMES else None,
    )
    blocks: list[dict[str, Any]] = dicts(
        [
            section(f"Editing note *#{note.id}* about <@{note.rep_id}>. Only you can read it."),
            InputBlock(
                block_id=NOTE_BLOCK,
                label="Note",
                element=PlainTextInputElement(
                    action_id=NOTE_BLOCK, multiline=True, max_length=NOTE_LIMIT, initial_value=note.text
                ),
                hint=f"At most {NOTE_LIMIT:,} characters.",
            ),
        ]
    )
    blocks += skill_rating_inputs(skills, skill_id=note.skill_id, rating=note.rating)
    blocks += dicts(
        [
            InputBlock(
                block_id=FOLLOW_UP_BLOCK,
                label="Follow up on",
                element=DatePickerElement(
                    action_id=FOLLOW_UP_BLOCK,
                    placeholder="No follow-up",
                    initial_date=note.follow_up_on.isoformat() if note.follow_up_on else None,
                ),
                optional=True,
            ),
            InputBlock(block_id=THEME_BLOCK, label="Theme", element=theme_select, optional=True),
        ]
    )
    return View(
        type="modal",
        callback_id=NOTE_EDIT_MODAL,
        title=PlainTextObject(text="Edit a coaching note"),
        submit=PlainTextObject(text="Save"),
        close=PlainTextObject(text="Cancel"),
        private_metadata=str(note.id),
        blocks=blocks,
    ).to_dict()


# --- the note form's extra inputs, and Edit on saved notes and lists ---------------------


def with_rating_and_item_inputs(
    view: dict[str, Any], skills: Sequence[SkillView], *, skill_id: int | None = None
) -> dict[str, Any]:
    """The note modal (``bot.blocks.notes.note_modal``) with Skill and Rating after the note,
    and the action item and its due date at the end."""
    blocks = list(view.get("blocks") or [])
    after = next((i + 1 for i, b in enumerate(blocks) if b.get("block_id") == NOTE_BLOCK), len(blocks))
    blocks[after:after] = skill_rating_inputs(skills, skill_id=skill_id)
    blocks += action_item_inputs()
    return {**view, "blocks": blocks}


def with_edit_buttons(blocks: list[dict[str, Any]], note_ids: Sequence[int]) -> list[dict[str, Any]]:
    """A notes list (``notes_page_blocks``) with an Edit button beside each note. Only the author
    ever gets such a list; the edit handler checks the presser is the author all the same."""
    prefixes = {f"*#{note_id}*": note_id for note_id in note_ids}
    out = []
    for block in blocks:
        text = str((block.get("text") or {}).get("text") or "") if block.get("type") == "section" else ""
        note_id = next((n for p, n in prefixes.items() if text.startswith(p + " ")), None)
        if note_id is not None and "accessory" not in block:
            block = {**block, "accessory": edit_note_button(note_id).to_dict()}
        out.append(block)
    return out


def with_edit_button(blocks: list[dict[str, Any]], note_id: int, *, suffix: str = "") -> list[dict[str, Any]]:
    """The saved-note reply (``note_saved_blocks``) with Edit beside Undo, and ``suffix`` (the
    skill and rating) after its first line."""
    out: list[dict[str, Any]] = []
    for i, block in enumerate(blocks):
        if i == 0 and suffix and block.get("type") == "section":
            block = {**block, "text": {**block["text"], "text": block["text"]["text"] + suffix}}
        if block.get("type") == "actions":
            block = {**block, "elements": [*block.get("elements", []), edit_note_button(note_id).to_dict()]}
        out.append(block)
    return out
