"""Block Kit for reading notes back: pages of notes, delete all, export, and the overview."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
)

from bot.blocks import dicts, md, section
from bot.blocks.notes import (
    DELETE_ALL_CANCEL,
    DELETE_ALL_CONFIRM,
    PAGE,
    SECTION_LIMIT,
    count_of,
    day,
    note_meta,
)
from bot.services.note_history import NotePage, Overview
from bot.services.text import escape, truncate, truncate_escaped

# --- lists ---------------------------------------------------------------------------------

_LIST_PREVIEW = 600


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
        if sum(len(x) + 1 for x in chunk) + len(line) > SECTION_LIMIT:
            blocks.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    if chunk:
        blocks.append(section("\n".join(chunk)))
    blocks.append(ContextBlock(elements=[md("Data, not gut feeling: who needs your coaching next?")]))
    return dicts(blocks)
