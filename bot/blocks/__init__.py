"""Pure Block Kit builders: values in, a ``Message`` out. No Slack clients, no database.

``Message`` is the one "text plus blocks" type: builders return it, listeners reply with it,
and the delivery engine posts it. Feature modules import this package's builders as ``ui``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.models.blocks import Block, MarkdownTextObject, SectionBlock


@dataclass(frozen=True)
class Message:
    """A message: ``text`` is the plain-text fallback (notifications, screen readers)."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    # For a slash command's reply: "ephemeral" (only the person who typed it) or "in_channel".
    response_type: str = "ephemeral"

    def payload(self) -> dict[str, Any]:
        body: dict[str, Any] = {"text": self.text, "response_type": self.response_type}
        if self.blocks:
            body["blocks"] = self.blocks
        return body


def md(text: str) -> MarkdownTextObject:
    return MarkdownTextObject(text=text)


def section(text: str) -> SectionBlock:
    return SectionBlock(text=md(text))


def dicts(blocks: Sequence[Block]) -> list[dict[str, Any]]:
    return [b.to_dict() for b in blocks]
