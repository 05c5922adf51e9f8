"""The App Home tab: today's quote for everyone; a manager's coaching dashboard below it."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
)
from slack_sdk.models.views import View

from bot.blocks import note_lists as note_lists_ui
from bot.blocks import notes as notes_ui
from bot.blocks import prompts as prompts_ui
from bot.blocks import section
from bot.blocks.quotes import quote_blocks
from bot.services.note_history import NotePage, Overview
from bot.services.quotes import QuoteView
from bot.services.schedules import ScheduleSpec, format_days
from bot.services.text import escape, truncate

# Handled by the submissions feature; the home only shows the button.
SUBMIT_QUOTE = "submit_quote_open"
_PREVIEW = 300


def _header(text: str) -> HeaderBlock:
    return HeaderBlock(text=PlainTextObject(text=text))


def manager_home(
    *,
    next_prompt: str | None,
    recent: NotePage,
    prompt_spec: ScheduleSpec | None = None,
    prompt_note: str | None = None,
    overview: Overview,
    tz: str | None,
    quote: QuoteView | None,
) -> dict[str, Any]:
    """Today's quote and 'Submit a quote' (as everyone sees them), then the coaching section.

    ``next_prompt``: when the next one comes, e.g. 'Mon 30 Nov 2026, 08:30 EST', or None when not
    subscribed; ``prompt_spec`` the schedule it comes from (its zone and days are shown, its time
    is not: the next prompt already says it).
    ``prompt_note``: a running pause, e.g. 'Paused until Mon 4 Jan 2027: it posts again that day by itself.'
    ``recent`` and ``overview`` must be the viewer's own notes only.
    """
    when = ":alarm_clock: No coaching prompts yet. Set a time to get one by DM."
    if next_prompt:
        zone = f" ({escape(prompt_spec.tz)})" if prompt_spec is not None and prompt_spec.tz else ""
        days = f"; days: {format_days(prompt_spec.days)}" if prompt_spec is not None else ""
        when = f":alarm_clock: Next coaching prompt: *{escape(next_prompt)}{zone}*{days}"
    blocks: list[Block | dict[str, Any]] = [
        *quote_section(quote),
        DividerBlock(),
        _header("Your coaching"),
        section(when),
        *(
            [ContextBlock(elements=[MarkdownTextObject(text=f":double_vertical_bar: {prompt_note}")])]
            if prompt_note
            else []
        ),
        ActionsBlock(
            elements=[
                prompts_ui.log_note_button(None),
                ButtonElement(text="Set prompt time", action_id=notes_ui.SET_PROMPT_TIME, value="home"),
            ]
        ),
        ContextBlock(elements=[MarkdownTextObject(text="Only you can see this page's notes and figures.")]),
        DividerBlock(),
        _header("Recent notes"),
    ]
    if recent.notes:
        for note in recent.notes:
            blocks.append(section(f"{notes_ui.note_meta(note, tz)}\n{escape(truncate(note.text, _PREVIEW))}"))
        if recent.total > len(recent.notes):
            blocks.append(
                ContextBlock(
                    elements=[
                        MarkdownTextObject(text=f"{recent.total} notes in all: `/coach notes` to page through them.")
                    ]
                )
            )
    else:
        blocks.append(section("No notes yet. Press *Log a note*, or type `/coach @rep what you observed`."))
    blocks.append(DividerBlock())
    blocks.append(_header("Overview"))
    blocks.extend(note_lists_ui.overview_blocks(overview, tz=tz))
    return View(type="home", blocks=blocks).to_dict()


def member_home(*, quote: QuoteView | None) -> dict[str, Any]:
    return View(type="home", blocks=quote_section(quote)).to_dict()


def quote_section(quote: QuoteView | None) -> list[Block | dict[str, Any]]:
    """Today's quote, 'Submit a quote' and a pointer to /quote: the part everyone sees."""
    blocks: list[Block | dict[str, Any]] = [_header("Today's leadership quote")]
    if quote is not None:
        blocks.extend(quote_blocks(quote))
    else:
        blocks.append(section("No quotes yet."))
    blocks.append(ActionsBlock(elements=[ButtonElement(text="Submit a quote", action_id=SUBMIT_QUOTE, value="home")]))
    blocks.append(
        ContextBlock(
            elements=[MarkdownTextObject(text="Try `/quote` for another one, and `/quote help` for what else I do.")]
        )
    )
    return blocks
