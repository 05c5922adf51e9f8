"""Block Kit for quotes. Pure functions: values in, blocks out. User text is always escaped."""

from __future__ import annotations

import functools
import json
from typing import Any

from slack_sdk.models.blocks import Block, ContextBlock, MarkdownTextObject, SectionBlock

from bot.services.quotes import QuoteView
from bot.services.text import escape, truncate_escaped


def quote_text(q: QuoteView) -> str:
    """The plain-text fallback used for notifications."""
    return f"“{escape(q.text)}” — {escape(q.author)}"


def quote_blocks(q: QuoteView, *, heading: str | None = None) -> list[dict[str, Any]]:
    """The quote as Block Kit. Built once per quote (the model classes validate, which costs
    more than the rest of a /quote request) and copied out of the cache on every call."""
    blocks: list[dict[str, Any]] = json.loads(_quote_blocks_json(q, heading))
    return blocks


@functools.lru_cache(maxsize=4096)
def _quote_blocks_json(q: QuoteView, heading: str | None) -> str:
    lines = []
    if heading:
        lines.append(f"*{heading}*")
    # Escaping can grow text fivefold (& -> &amp;); a section holds 3,000 characters.
    lines.append("> " + truncate_escaped(escape(q.text), 2000).replace("\n", "\n> "))
    byline = f"— *{truncate_escaped(escape(q.author), 300)}*"
    if q.source:
        byline += f", _{truncate_escaped(escape(q.source), 500)}_"
    lines.append(byline)
    context: list[str] = []
    if q.tags:
        context.append(" ".join(f"`#{escape(t)}`" for t in q.tags if t != "seed-article"))
    if q.contested:
        note = f": {truncate_escaped(escape(q.attribution_note), 2000)}" if q.attribution_note else ""
        context.append("⚠️ attribution contested" + note)
    if q.submitted_by:
        context.append(f"Submitted by <@{q.submitted_by}>")
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text="\n".join(lines)))]
    context = [c for c in context if c]
    if context:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=c) for c in context]))
    return json.dumps([b.to_dict() for b in blocks])
