"""The submit, edit and reject forms."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    InputBlock,
    Option,
    PlainTextInputElement,
    SectionBlock,
    StaticMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks.submissions.shared import (
    AUTHOR_BLOCK,
    EDIT_MODAL,
    INPUT_MAX,
    REASON_BLOCK,
    REJECT_MODAL,
    SOURCE_BLOCK,
    SUBMIT_MODAL,
    TAGS_BLOCK,
    TEXT_BLOCK,
    mrkdwn,
    quote_of,
    tag_label,
)
from bot.services.quote_input import AUTHOR_MAX, QUOTE_TAGS, SOURCE_MAX, TEXT_MAX
from bot.services.submissions import (
    REASON_MAX,
    SubmissionView,
)

# -- modals --------------------------------------------------------------------------------


def submit_modal(
    *,
    metadata: dict[str, Any],
    text: str = "",
    author: str = "",
    source: str = "",
    tags: Sequence[str] = (),
) -> dict[str, Any]:
    """The "Submit a quote" form, used by App Home and the message shortcut."""
    options = [Option(value=t, label=tag_label(t)) for t in QUOTE_TAGS]
    tags_element = StaticMultiSelectElement(
        action_id=TAGS_BLOCK,
        placeholder="Pick up to 5 themes",
        options=options,
        initial_options=[o for o in options if o.value in tags] or None,
        max_selected_items=5,
    )
    blocks: list[Block] = [
        SectionBlock(
            text=mrkdwn(
                "Share a leadership quote with your team. An admin reviews it first; once approved it "
                "joins the daily quotes, credited to you."
            )
        ),
        InputBlock(
            block_id=TEXT_BLOCK,
            label="Quote",
            hint=f"10 to {TEXT_MAX} characters.",
            element=PlainTextInputElement(action_id=TEXT_BLOCK, multiline=True, initial_value=text[:INPUT_MAX] or None),
        ),
        InputBlock(
            block_id=AUTHOR_BLOCK,
            label="Who said it",
            hint=f"Leave empty for “Unknown”. At most {AUTHOR_MAX} characters.",
            optional=True,
            element=PlainTextInputElement(action_id=AUTHOR_BLOCK, initial_value=author[:INPUT_MAX] or None),
        ),
        InputBlock(
            block_id=SOURCE_BLOCK,
            label="Source",
            hint=f"Book, talk or article, if you know it. At most {SOURCE_MAX} characters.",
            optional=True,
            element=PlainTextInputElement(action_id=SOURCE_BLOCK, initial_value=source[:INPUT_MAX] or None),
        ),
        InputBlock(block_id=TAGS_BLOCK, label="Themes", optional=True, element=tags_element),
    ]
    view = View(
        type="modal",
        callback_id=SUBMIT_MODAL,
        title="Submit a quote",
        submit="Send for review",
        close="Cancel",
        private_metadata=json.dumps(metadata),
        blocks=blocks,
    )
    return view.to_dict()


def edit_modal(sub: SubmissionView, *, metadata: dict[str, Any]) -> dict[str, Any]:
    blocks: list[Block] = [
        SectionBlock(text=mrkdwn(f"Fix quote #{sub.id} from <@{sub.submitter_id}>, then approve it.")),
        InputBlock(
            block_id=TEXT_BLOCK,
            label="Quote",
            element=PlainTextInputElement(action_id=TEXT_BLOCK, multiline=True, initial_value=sub.text),
        ),
        InputBlock(
            block_id=AUTHOR_BLOCK,
            label="Who said it",
            optional=True,
            element=PlainTextInputElement(action_id=AUTHOR_BLOCK, initial_value=sub.author),
        ),
    ]
    return View(
        type="modal",
        callback_id=EDIT_MODAL,
        title="Edit and approve",
        submit="Approve",
        close="Cancel",
        private_metadata=json.dumps(metadata),
        blocks=blocks,
    ).to_dict()


def reject_modal(sub: SubmissionView, *, metadata: dict[str, Any]) -> dict[str, Any]:
    blocks: list[Block] = [
        SectionBlock(text=mrkdwn(f"Reject quote #{sub.id}?")),
        quote_of(sub),
        InputBlock(
            block_id=REASON_BLOCK,
            label="Reason (optional)",
            hint=f"Sent to the person who submitted it. At most {REASON_MAX} characters.",
            optional=True,
            element=PlainTextInputElement(action_id=REASON_BLOCK, multiline=True),
        ),
    ]
    return View(
        type="modal",
        callback_id=REJECT_MODAL,
        title="Reject quote",
        submit="Reject",
        close="Cancel",
        private_metadata=json.dumps(metadata),
        blocks=blocks,
    ).to_dict()
