"""Block Kit for a coaching note: the note modal, the saved-note reply and Undo, the rep's copy.

Pure functions: values in, blocks out. Note text is stored verbatim and escaped here,
every time it is shown, so ``<!channel>`` in a note never pings anyone. The action and
callback ids of all of ``/coach``'s note surfaces are declared here, once.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    DatePickerElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks import Message, dicts, section
from bot.services.notes import NOTE_LIMIT, UNDO_WINDOW, NoteView
from bot.services.schedules import zone_or_utc
from bot.services.store import THEME_LABELS, THEMES
from bot.services.text import escape, truncate, truncate_escaped

# Action and callback ids: the contract between these builders and bot.listeners.coaching.
UNDO = "coach_note_undo"
PAGE = "coach_notes_page"
DELETE_ALL_CONFIRM = "coach_delete_all_confirm"
DELETE_ALL_CANCEL = "coach_delete_all_cancel"
LOG_NOTE = "coach_log_note"
FOLLOWUP_DONE = "coach_followup_done"
FOLLOWUP_SNOOZE = "coach_followup_snooze"
SET_PROMPT_TIME = "coach_set_prompt_time"
NOTE_MODAL = "coach_note_modal"
PROMPT_TIME_MODAL = "coach_prompt_time_modal"

# Block and action ids inside the note modal (the keys of view.state.values).
REP_BLOCK, NOTE_BLOCK, FOLLOW_UP_BLOCK, THEME_BLOCK, SHARE_BLOCK = "rep", "note", "follow_up", "theme", "share"
TIME_BLOCK, ZONE_BLOCK, DAYS_BLOCK = "time", "zone", "days"
SHARE_VALUE = "share"

SECTION_LIMIT = 2900  # Slack's section text limit is 3000; leave room for a prefix.
_PREVIEW = 300


def day(at: datetime, tz: str | None) -> str:
    return at.astimezone(zone_or_utc(tz)).date().isoformat()


def escaped_chunks(text: str, limit: int = SECTION_LIMIT) -> list[str]:
    """``escape(text)`` split into pieces of at most ``limit`` characters, never inside an entity.

    A 3,000-character note can grow past Slack's 3,000-character section limit once
    ``&``, ``<`` and ``>`` become entities, so a full note may need two sections.
    """
    chunks: list[str] = []
    current = ""
    for ch in text:
        piece = escape(ch)
        if len(current) + len(piece) > limit:
            chunks.append(current)
            current = ""
        current += piece
    if current or not chunks:
        chunks.append(current)
    return chunks


def quoted_note(text: str) -> list[SectionBlock]:
    return [section(chunk) for chunk in escaped_chunks(text)]


def note_meta(note: NoteView, tz: str | None) -> str:
    parts = [f"*#{note.id}*", day(note.created_at, tz), f"about <@{note.rep_id}>"]
    if note.theme_label:
        parts.append(f"_{escape(note.theme_label)}_")
    if note.follow_up_on is not None:
        state = "done" if note.follow_up_done_at else "open"
        parts.append(f"follow-up {note.follow_up_on.isoformat()} ({state})")
    if note.shared_with_rep:
        parts.append("shared with the rep")
    if note.edited_at is not None:
        parts.append("edited")
    return " · ".join(parts)


# --- confirmations -----------------------------------------------------------------------


def note_saved_text(note: NoteView, *, about_self: bool) -> str:
    text = f":white_check_mark: Saved note *#{note.id}* about <@{note.rep_id}>. Only you can read it."
    if about_self:
        text += " It's about you: a self-reflection note."
    if note.follow_up_on is not None:
        text += f" I'll remind you to follow up on {note.follow_up_on.isoformat()}."
    if note.shared_with_rep:
        text += f" <@{note.rep_id}> gets a copy by DM."
    return text


def undo_button(note_id: int) -> ButtonElement:
    minutes = int(UNDO_WINDOW.total_seconds() // 60)
    return ButtonElement(
        text=PlainTextObject(text=f"Undo (within {minutes} min)"),
        action_id=UNDO,
        value=str(note_id),
    )


def note_saved_blocks(note: NoteView, *, about_self: bool) -> list[dict[str, Any]]:
    return dicts(
        [
            section(note_saved_text(note, about_self=about_self)),
            ActionsBlock(elements=[undo_button(note.id)]),
        ]
    )


def note_undone_text(note: NoteView) -> str:
    text = f":leftwards_arrow_with_hook: Note #{note.id} about <@{note.rep_id}> was undone and deleted."
    if note.shared_with_rep:
        text += " The copy already sent to the rep stays in their DMs."
    return text


def note_saved_view(
    note: NoteView, *, about_self: bool, suffix: str = "", more: Sequence[ButtonElement] = ()
) -> dict[str, Any]:
    """What the note modal turns into after a successful save (with Undo, then ``more`` buttons);
    ``suffix`` says what else was saved with it (e.g. the skill and rating)."""
    return View(
        type="modal",
        callback_id="coach_note_saved",
        title=PlainTextObject(text="Note saved"),
        close=PlainTextObject(text="Done"),
        blocks=[
            section(note_saved_text(note, about_self=about_self) + suffix),
            ActionsBlock(elements=[undo_button(note.id), *more]),
        ],
    ).to_dict()


def message_view(title: str, text: str) -> dict[str, Any]:
    return View(
        type="modal",
        title=PlainTextObject(text=truncate(title, 24)),
        close=PlainTextObject(text="Close"),
        blocks=[section(text)],
    ).to_dict()


def shared_note_message(note: NoteView) -> Message:
    """The copy a rep gets when the author ticks 'share this note with the rep'."""
    head = f"<@{note.author_id}> shared a coaching note with you"
    if note.theme_label:
        head += f" (_{escape(note.theme_label)}_)"
    blocks: list[Block] = [section(head + ":"), *quoted_note(note.text)]
    return Message(text=f"<@{note.author_id}> shared a coaching note with you", blocks=dicts(blocks))


# --- modals --------------------------------------------------------------------------------


def theme_option(theme: str) -> Option:
    return Option(value=theme, label=THEME_LABELS.get(theme, theme))


def note_modal(
    *,
    theme: str | None = None,
    rep_id: str | None = None,
    private_metadata: str = "",
    min_date: date | None = None,
) -> dict[str, Any]:
    """The 'Log a coaching note' form. ``theme`` pre-selects a theme (from a prompt)."""
    theme_select = StaticSelectElement(
        action_id=THEME_BLOCK,
        placeholder="Pick a theme",
        options=[theme_option(t) for t in THEMES],
        initial_option=theme_option(theme) if theme in THEMES else None,
    )
    follow_up_hint = "You'll get a DM reminder that day at your prompt time (or 09:00)."
    if min_date is not None:
        follow_up_hint += f" Today or later (from {min_date.isoformat()})."
    return View(
        type="modal",
        callback_id=NOTE_MODAL,
        title=PlainTextObject(text="Log a coaching note"),
        submit=PlainTextObject(text="Save"),
        close=PlainTextObject(text="Cancel"),
        private_metadata=private_metadata,
        blocks=[
            section("Only you can read your notes — not your admins, not other managers."),
            InputBlock(
                block_id=REP_BLOCK,
                label="Rep",
                element=UserSelectElement(action_id=REP_BLOCK, placeholder="Who is this about?", initial_user=rep_id),
            ),
            InputBlock(
                block_id=NOTE_BLOCK,
                label="Note",
                element=PlainTextInputElement(
                    action_id=NOTE_BLOCK,
                    multiline=True,
                    max_length=NOTE_LIMIT,
                    placeholder="What did you observe? What will you coach next?",
                ),
                hint=f"At most {NOTE_LIMIT:,} characters.",
            ),
            InputBlock(
                block_id=FOLLOW_UP_BLOCK,
                label="Follow up on",
                element=DatePickerElement(action_id=FOLLOW_UP_BLOCK, placeholder="No follow-up"),
                optional=True,
                hint=follow_up_hint,
            ),
            InputBlock(block_id=THEME_BLOCK, label="Theme", element=theme_select, optional=True),
            InputBlock(
                block_id=SHARE_BLOCK,
                label="Sharing",
                element=CheckboxesElement(
                    action_id=SHARE_BLOCK,
                    options=[Option(value=SHARE_VALUE, label="Share this note with the rep (they get it by DM, once)")],
                ),
                optional=True,
            ),
        ],
    ).to_dict()


def count_of(n: int, noun: str, plural: str | None = None) -> str:
    """``1 note``, ``2 notes``, ``0 notes``."""
    return f"{n:,} {noun if n == 1 else (plural or noun + 's')}"


# --- errors in words that fit where they are shown ------------------------------------------


def person_error_text(user_id: str, problem: str, *, example: str | None) -> str:
    """Why ``user_id`` can't be the subject of a note (``missing``, ``bot`` or ``deactivated``).

    ``example`` is a command to show; None when the error is shown under a form's field,
    where the fix is picking someone else there, not typing a command.
    """
    what = {
        "missing": f"I can't find <@{user_id}> in this workspace.",
        "bot": f"<@{user_id}> is a bot or app, not a person; coaching notes are about people.",
        "deactivated": f"<@{user_id}> is deactivated in this workspace.",
    }[problem]
    if example is None:
        return f"{what} Pick {'an active colleague' if problem == 'deactivated' else 'a colleague'} here instead."
    if problem == "deactivated":
        return f"{what} Mention an active colleague."
    who = "a colleague" if problem == "bot" else "someone from Slack's @-autocomplete"
    return f"{what} Mention {who}, e.g. `{example}`."


def note_field_error(text: str) -> str:
    """The note form's *Note* field is empty or too long: said about the field, not a command."""
    length = len(text.replace("\x00", "").strip())
    if not length:
        return "Write what you observed here; a note can't be empty."
    return (
        f"This note is {length:,} characters; the field holds at most {NOTE_LIMIT:,}. Shorten it, or split it in two."
    )


def quote_line(text: str, limit: int = _PREVIEW) -> str:
    """User text as a one-line mrkdwn quote, escaped, newlines kept inside the quote."""
    shown = truncate_escaped(escape(text), limit)
    return "\n".join("> " + line for line in shown.splitlines() or [""])


def fit_sections(blocks: list[Block]) -> list[Block]:
    """A section holds 3,000 characters: cut long lists by whole lines."""
    fitted: list[Block] = []
    for b in blocks:
        if isinstance(b, SectionBlock) and b.text is not None and len(b.text.text) > 2900:
            kept = b.text.text[:2900].rsplit("\n", 1)[0] + "\n…"
            b = section(kept)
        fitted.append(b)
    return fitted
