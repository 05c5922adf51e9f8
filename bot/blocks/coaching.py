"""Block Kit for coaching: note confirmations, lists, the overview, prompts, the note modal.

Pure functions: values in, blocks out. Note text is stored verbatim and escaped here,
every time it is shown, so ``<!channel>`` in a note never pings anyone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ConfirmObject,
    ContextBlock,
    DatePickerElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
    TimePickerElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks import Message, dicts, md, section
from bot.services.coaching import NOTE_LIMIT, UNDO_WINDOW, NotePage, NoteView, Overview
from bot.services.prompts import PromptView
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

_SECTION_LIMIT = 2900  # Slack's section text limit is 3000; leave room for a prefix.
_LIST_PREVIEW = 600


def day(at: datetime, tz: str | None) -> str:
    return at.astimezone(zone_or_utc(tz)).date().isoformat()


def escaped_chunks(text: str, limit: int = _SECTION_LIMIT) -> list[str]:
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


# --- lists ---------------------------------------------------------------------------------


def page_value(page: NotePage, target: int) -> str:
    return json.dumps({"r": page.rep_id, "q": page.query, "p": target}, separators=(",", ":"))


def notes_page_title(page: NotePage) -> str:
    if page.query is not None:
        return f"Your notes matching “{escape(page.query)}”"
    if page.rep_id is not None:
        return f"Your notes on <@{page.rep_id}>"
    return "Your recent notes"


def notes_page_blocks(page: NotePage, *, tz: str | None) -> list[dict[str, Any]]:
    title = notes_page_title(page)
    if not page.notes:
        if page.query is not None:
            hint = "Try fewer or other words, e.g. `/coach search pipeline`."
        elif page.rep_id is not None:
            hint = f"Log one with `/coach <@{page.rep_id}> what you observed`."
        else:
            hint = "Log one with `/coach @rep what you observed`, or type `/coach` for the form."
        return dicts([section(f"{title}: none yet. {hint}")])
    blocks: list[Block] = [
        section(
            f"*{title}* — {count_of(page.total, 'note')} in all, newest first (page {page.page} of {page.pages}). "
            "Only you can see these."
        )
    ]
    for note in page.notes:
        # Escaped, 600 characters can grow to 3,000 (`&` -> `&amp;`): cap what is shown.
        preview = truncate_escaped(escape(truncate(note.text, _LIST_PREVIEW)), 2 * _LIST_PREVIEW)
        blocks.append(section(f"{note_meta(note, tz)}\n{preview}"))
    nav: list[ButtonElement] = []
    if page.has_prev:
        nav.append(ButtonElement(text="◀ Newer", action_id=f"{PAGE}_prev", value=page_value(page, page.page - 1)))
    if page.has_next:
        nav.append(ButtonElement(text="Older ▶", action_id=f"{PAGE}_next", value=page_value(page, page.page + 1)))
    if nav:
        blocks.append(ActionsBlock(elements=nav))
    return dicts(blocks)


def notes_page_text(page: NotePage) -> str:
    return f"{notes_page_title(page)}: {count_of(page.total, 'note') if page.total else 'none yet'}"


def all_your_notes(count: int, noun: str = "notes") -> str:
    """``all 3 of your notes``; ``your only note`` (never "all 1 of your notes")."""
    return f"your only {noun.removesuffix('s')}" if count == 1 else f"all {count:,} of your {noun}"


def delete_all_prompt_text(count: int) -> str:
    return f"Delete {all_your_notes(count)}? Confirm with the button."


def deleted_text(count: int) -> str:
    return f":wastebasket: Deleted {count_of(count, 'note')}." if count else "There was nothing left to delete."


def export_sending_text(count: int) -> str:
    what = count_of(count, "note") if count else "action items (no notes yet)"
    return f":outbox_tray: Sending your {what} as a CSV file by DM (only you get it)."


def export_comment(count: int, columns: Sequence[str]) -> str:
    what = count_of(count, "coaching note") if count else "action items (no coaching notes yet)"
    return f"Your {what}. Columns: {', '.join(columns)}."


def overview_text(ov: Overview) -> str:
    return f"Your coaching overview: {count_of(len(ov.reps), 'rep') if ov.reps else 'no notes yet'}"


def delete_all_confirm_blocks(count: int, up_to_id: int) -> list[dict[str, Any]]:
    return dicts(
        [
            section(
                f":warning: This deletes *{all_your_notes(count, 'coaching notes')}*, for good. "
                "Notes other managers keep are not affected."
            ),
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text="Delete it" if count == 1 else f"Delete all {count:,} notes",
                        action_id=DELETE_ALL_CONFIRM,
                        value=str(up_to_id),
                        style="danger",
                        confirm=ConfirmObject(
                            title="Delete every note?",
                            text=f"{all_your_notes(count).capitalize()} will be gone. This cannot be undone.",
                            confirm="Delete them",
                            deny="Keep them",
                        ),
                    ),
                    ButtonElement(text="Cancel", action_id=DELETE_ALL_CANCEL, value="cancel"),
                ]
            ),
        ]
    )


# --- overview ------------------------------------------------------------------------------


def overview_lines(ov: Overview, *, tz: str | None) -> list[str]:
    lines = []
    for r in ov.reps:
        flag = " :warning: *not coached in 14+ days*" if r.stale else ""
        fu = f", {r.open_follow_ups} open follow-up{'s' if r.open_follow_ups != 1 else ''}" if r.open_follow_ups else ""
        lines.append(
            f"• <@{r.rep_id}> — last note {day(r.last_note_at, tz)}; "
            f"{r.notes_30d or 'none'} in 30 days, {r.notes_90d or 'none'} in 90 days{fu}{flag}"
        )
    return lines


def overview_blocks(ov: Overview, *, tz: str | None) -> list[dict[str, Any]]:
    if not ov.reps:
        return dicts([section("*Your coaching overview*: no notes yet. Log one with `/coach @rep what you observed`.")])
    head = f"*Your coaching overview* — {count_of(len(ov.reps), 'rep')}, least recently coached first"
    if ov.stale_count:
        head += f"; {ov.stale_count} not coached in 14+ days"
    blocks: list[Block] = [section(head)]
    chunk: list[str] = []
    for line in overview_lines(ov, tz=tz):
        if sum(len(x) + 1 for x in chunk) + len(line) > _SECTION_LIMIT:
            blocks.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    if chunk:
        blocks.append(section("\n".join(chunk)))
    blocks.append(ContextBlock(elements=[md("Data, not gut feeling: who needs your coaching next?")]))
    return dicts(blocks)


def managers_text(manager_ids: Sequence[str], admin_ids: Sequence[str]) -> str:
    managers = ", ".join(f"<@{m}>" for m in manager_ids) or "none yet"
    admins = ", ".join(f"<@{a}>" for a in admin_ids) or "only the workspace admins and owners"
    return (
        f"*Managers:* {managers}\n*Admins* (count as managers too): {admins}, plus the workspace's admins and owners.\n"
        "Add with `/coach managers add @ada @bob`, remove with `/coach managers remove @bob`."
    )


# --- prompts and follow-ups ----------------------------------------------------------------


def log_note_button(theme: str | None, *, text: str = "Log a note") -> ButtonElement:
    return ButtonElement(text=text, action_id=LOG_NOTE, value=theme or "", style="primary")


def prompt_message(prompt: PromptView, *, in_channel: bool = False) -> Message:
    """A coaching prompt: its theme, its text, and a button to log a note on that theme."""
    label = escape(prompt.theme_label)
    head = f":dart: *Coaching prompt* · _{label}_"
    context = (
        "Discuss in the thread. Managers can log a private note with the button."
        if in_channel
        else "Only you get this. Change the time with `/coach prompts 08:30`, stop with `/coach prompts off`."
    )
    # Curated prompts may use mrkdwn and are validated free of <, > and &.
    blocks: list[Block] = [
        section(f"{head}\n{prompt.text}"),
        ActionsBlock(elements=[log_note_button(prompt.theme)]),
        ContextBlock(elements=[md(context)]),
    ]
    return Message(text=f"Coaching prompt ({prompt.theme_label}): {prompt.text}", blocks=dicts(blocks))


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


def prompt_time_modal(*, hour_minute: str | None, tz: str | None, days: str | None) -> dict[str, Any]:
    """A small form for the App Home's 'Set prompt time' button."""
    return View(
        type="modal",
        callback_id=PROMPT_TIME_MODAL,
        title=PlainTextObject(text="Coaching prompt time"),
        submit=PlainTextObject(text="Save"),
        close=PlainTextObject(text="Cancel"),
        blocks=[
            section("You'll get one coaching prompt by DM at this time. Same as `/coach prompts 08:30 weekdays`."),
            InputBlock(
                block_id=TIME_BLOCK,
                label="Time",
                element=TimePickerElement(action_id=TIME_BLOCK, initial_time=hour_minute or "08:30"),
            ),
            InputBlock(
                block_id=ZONE_BLOCK,
                label="Time zone",
                element=PlainTextInputElement(
                    action_id=ZONE_BLOCK, initial_value=tz or None, placeholder="e.g. America/New_York"
                ),
                optional=True,
                hint="Area/City. Leave empty for your Slack time zone.",
            ),
            InputBlock(
                block_id=DAYS_BLOCK,
                label="Days",
                element=PlainTextInputElement(action_id=DAYS_BLOCK, initial_value=days or "weekdays"),
                hint="weekdays, everyday, mondays, or a list like mon,thu",
            ),
        ],
    ).to_dict()


# --- first contact: help for reps, who manages managers, the new manager's welcome ---------


def count_of(n: int, noun: str, plural: str | None = None) -> str:
    """``1 note``, ``2 notes``, ``0 notes``."""
    return f"{n:,} {noun if n == 1 else (plural or noun + 's')}"


def _people(ids: Sequence[str]) -> str:
    names = [f"<@{i}>" for i in ids]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def admins_text(admin_ids: Sequence[str]) -> str:
    """Who the admins are, as far as coachbot can name them without listing the workspace."""
    if not admin_ids:
        return "your workspace's admins and owners"
    return f"{_people(admin_ids)} (or any of your workspace's admins and owners)"


def rep_help_note(admin_ids: Sequence[str]) -> str:
    """Under a non-manager's ``/coach help``: what the rest is, and who can open it up."""
    return (
        "_The rest of `/coach` (private notes on your reps, coaching prompts, an overview) is for managers, "
        f"and you're not one yet. An admin can add you: {admins_text(admin_ids)}. "
        "Meanwhile, `/quote help` shows what everyone can do._"
    )


def managers_admin_only_text(admin_ids: Sequence[str], user_id: str) -> str:
    """``/coach managers`` from someone who isn't an admin: an answer, not a refusal."""
    return (
        f"Only admins manage the list of managers. Your admins: {admins_text(admin_ids)}. "
        f"To become a manager, ask one of them to type `/coach managers add` followed by <@{user_id}>."
    )


def home_link(team_id: str, app_id: str) -> str:
    """A link that opens coachbot's App Home, or how to find it when the app id is unknown."""
    if team_id and app_id:
        return f"<slack://app?team={team_id}&id={app_id}&tab=home|coachbot's Home tab>"
    return "coachbot's Home tab (click coachbot in the sidebar, then *Home*)"


def manager_welcome_message(*, added_by: str, team_id: str, app_id: str) -> Message:
    """The DM a newly named manager gets: three first steps, two of them one click away."""
    steps = (
        "*1. Log a note* on a rep: `/coach @rep what you observed`, or the button below. "
        "Only you can read your notes: not the admins, not other managers.\n"
        "*2. Set your prompt time*: `/coach prompts 08:30` (or the button) sends you one coaching prompt "
        "by DM every weekday, in your Slack time zone.\n"
        f"*3. Open the App Home*: {home_link(team_id, app_id)} shows your recent notes, follow-ups and "
        "whom you haven't coached lately."
    )
    blocks: list[Block] = [
        section(f":wave: <@{added_by}> made you a coachbot manager. Three first steps:"),
        section(steps),
        ActionsBlock(
            elements=[
                log_note_button(None),
                ButtonElement(text="Set prompt time", action_id=SET_PROMPT_TIME, value="welcome"),
            ]
        ),
        ContextBlock(elements=[md("Everything else: `/coach help`.")]),
    ]
    return Message(
        text=f"<@{added_by}> made you a coachbot manager: log a note, set your prompt time, open the App Home.",
        blocks=dicts(blocks),
    )


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
