"""Block Kit for quotes: /quote, the daily post and App Home all show a quote this way.

Pure functions: values in, blocks out.

The words people wrote (a quote's text, author and source; for team quotes the submitter's
own text) go into ``rich_text`` ``text`` elements. Slack shows those exactly as written: no
mrkdwn is parsed (``*Fake*`` stays ``*Fake*`` and cannot break the byline), nothing is
auto-linked (a link is its own ``link`` element, which we never build from user text) and
nothing pings (mentions and ``@channel`` are their own ``user``/``broadcast`` elements).
A ``mrkdwn`` object would parse formatting even with ``verbatim``, and ``plain_text``
still auto-links URLs, so neither can show user text as typed. Our own words (the
heading, the contested line, "Submitted by") stay mrkdwn; user text never goes there.

The byline follows the quote's confidence level (see quotes/README.md):
sourced ``— Author, _Source_``; attributed ``— attributed to Author``; contested
``— Author`` plus one short "⚠ attribution contested" line with a "Why?" button.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

from slack_sdk.models.blocks import (
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.blocks import Message
from bot.services.quotes import QuoteView
from bot.services.text import escape, plain_fallback, truncate, truncate_escaped

# The "Why?" button under a contested quote; its value is the quote id.
WHY_CONTESTED = "quote_why_contested"
CONTESTED_LINE = "⚠ attribution contested"
# Tags shown under a quote: topics only (the seed-article marker means nothing to readers).
_HIDDEN_TAGS = frozenset({"seed-article"})
_USER_ID = re.compile(r"^[UW][A-Z0-9]{1,30}$")
# Slack has no documented limit per rich_text element; these keep a message far below its
# 40,000 characters and match what the store and submissions accept.
_TEXT_MAX, _AUTHOR_MAX, _SOURCE_MAX = 3000, 300, 500


def _literal(text: str, *, italic: bool = False) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "text", "text": text}
    if italic:
        element["style"] = {"italic": True}
    return element


def byline_elements(q: QuoteView) -> list[dict[str, Any]]:
    """``— Author, Source`` as rich-text elements; the source is italic for curated quotes
    only (a team quote's source is the submitter's text and keeps no styling of ours)."""
    lead = "— attributed to " if q.confidence == "attributed" else "— "
    elements = [_literal(lead), _literal(truncate(q.author, _AUTHOR_MAX))]
    if q.source:
        elements += [_literal(", "), _literal(truncate(q.source, _SOURCE_MAX), italic=q.submitted_by is None)]
    return elements


def byline_text(q: QuoteView) -> str:
    """The byline as escaped text, for notification fallbacks."""
    lead = "attributed to " if q.confidence == "attributed" else ""
    source = f", {plain_fallback(q.source)}" if q.source else ""
    return f"— {lead}{plain_fallback(q.author)}{source}"


def quote_text(q: QuoteView) -> str:
    """The plain-text fallback used for notifications (Slack shows blocks in the channel): a
    team quote is typed by a member, so no formatting, link or mention of theirs survives."""
    contested = " (attribution contested)" if q.contested else ""
    return f"“{plain_fallback(q.text)}” {byline_text(q)}{contested}"


def quote_blocks(q: QuoteView, *, heading: str | None = None) -> list[dict[str, Any]]:
    """The quote as Block Kit. Built once per quote (the model classes validate, which costs
    more than the rest of a /quote request) and copied out of the cache on every call."""
    blocks: list[dict[str, Any]] = json.loads(_quote_blocks_json(q, heading))
    return blocks


@functools.lru_cache(maxsize=4096)
def _quote_blocks_json(q: QuoteView, heading: str | None) -> str:
    blocks: list[dict[str, Any]] = []
    if heading:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=f"*{escape(heading)}*")).to_dict())
    blocks.append(
        {
            "type": "rich_text",
            "elements": [
                {"type": "rich_text_quote", "elements": [_literal(truncate(q.text, _TEXT_MAX))]},
                {"type": "rich_text_section", "elements": byline_elements(q)},
            ],
        }
    )
    if q.contested:
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(text=CONTESTED_LINE),
                accessory=ButtonElement(text="Why?", action_id=WHY_CONTESTED, value=str(q.id)),
            ).to_dict()
        )
    context: list[MarkdownTextObject | PlainTextObject] = []
    tags = [t for t in q.tags if t not in _HIDDEN_TAGS]
    if tags:
        # plain_text: a tag like #selling must not become a channel link, nor code font.
        context.append(PlainTextObject(text=truncate("  ".join(f"#{t}" for t in tags), 300), emoji=False))
    if q.submitted_by and _USER_ID.match(q.submitted_by):
        context.append(MarkdownTextObject(text=f"Submitted by <@{q.submitted_by}>"))
    if context:
        blocks.append(ContextBlock(elements=context).to_dict())
    return json.dumps(blocks)


# -- "Why?" ---------------------------------------------------------------------------------


def why_contested_message(q: QuoteView) -> Message:
    """The private answer to "Why?": the quote, its byline and what is known about it."""
    if q.contested:
        title, note = "Why the attribution is contested", q.attribution_note or "No note was recorded."
    else:
        levels = {"sourced": "it comes from a known source", "attributed": "it is a popular attribution"}
        title = "About this attribution"
        note = q.attribution_note or f"This attribution is not contested: {levels.get(q.confidence, q.confidence)}."
    blocks: list[dict[str, Any]] = [
        {
            "type": "rich_text",
            "elements": [
                {"type": "rich_text_quote", "elements": [_literal(truncate(q.text, _TEXT_MAX))]},
                {"type": "rich_text_section", "elements": byline_elements(q)},
            ],
        },
        # The note is curated text (ours, never a user's): mrkdwn, so a Quote Investigator
        # URL in it is a link; escaped all the same.
        SectionBlock(text=MarkdownTextObject(text=f"*{title}*\n{truncate_escaped(escape(note), 2900)}")).to_dict(),
    ]
    return Message(text=f"{title}: {escape(note)}", blocks=blocks)


def why_contested_modal(text: str, blocks: list[dict[str, Any]] | None) -> dict[str, Any]:
    """The same answer for App Home, which has no response_url for an ephemeral reply."""
    body = blocks or [SectionBlock(text=MarkdownTextObject(text=text)).to_dict()]
    return View(type="modal", title="Why contested?", close="Close", blocks=body).to_dict()
