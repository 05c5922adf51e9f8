"""Block Kit for a note's follow-up reminder and its Done / Snooze answers."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
)

from bot.blocks import Message, dicts, section
from bot.blocks.notes import FOLLOWUP_DONE, FOLLOWUP_SNOOZE, day, quoted_note
from bot.services.notes import NoteView
from bot.services.text import escape


def follow_up_message(note: NoteView) -> Message:
    """The reminder on a note's follow-up date, with Done and Snooze."""
    head = (
        f":alarm_clock: *Follow-up due today* on <@{note.rep_id}> — your note *#{note.id}* "
        f"from {day(note.created_at, note.author_tz)}"
    )
    if note.theme_label:
        head += f" (_{escape(note.theme_label)}_)"
    blocks: list[Block] = [
        section(head + ":"),
        *quoted_note(note.text),
        ActionsBlock(
            elements=[
                ButtonElement(text="Done", action_id=FOLLOWUP_DONE, value=str(note.id), style="primary"),
                ButtonElement(text="Snooze 1 week", action_id=FOLLOWUP_SNOOZE, value=str(note.id)),
            ]
        ),
    ]
    return Message(text=f"Follow-up due today on your note #{note.id}", blocks=dicts(blocks))


def follow_up_done_text(note: NoteView) -> str:
    return f":white_check_mark: Follow-up on note #{note.id} about <@{note.rep_id}> marked done."


def follow_up_snoozed_text(note: NoteView) -> str:
    due = note.follow_up_on.isoformat() if note.follow_up_on else "later"
    return f":zzz: Follow-up on note #{note.id} about <@{note.rep_id}> snoozed to {due}."
