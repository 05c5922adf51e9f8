"""Block Kit for coaching prompts: the prompt message and the prompt-time modal."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    InputBlock,
    PlainTextInputElement,
    PlainTextObject,
    TimePickerElement,
)
from slack_sdk.models.views import View

from bot.blocks import Message, dicts, md, section
from bot.blocks.notes import DAYS_BLOCK, LOG_NOTE, PROMPT_TIME_MODAL, TIME_BLOCK, ZONE_BLOCK
from bot.services.prompts import PromptView
from bot.services.text import escape

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
