"""`/quote top` and `/quote search`."""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    SectionBlock,
)

from bot.blocks import Message, dicts
from bot.blocks.submissions.shared import SHOWN_WORDS, mrkdwn, plural, quote_block, verbatim
from bot.services.favourites import Favourite, SearchResult
from bot.services.quotes import QuoteView
from bot.services.text import plain, truncate


def _quote_item(prefix: str | None, q: QuoteView) -> list[Block]:
    blocks: list[Block] = [SectionBlock(text=mrkdwn(prefix))] if prefix else []
    blocks.append(quote_block(q.text, q.author, q.source))
    if q.submitted_by:
        blocks.append(ContextBlock(elements=[mrkdwn(f"Submitted by <@{q.submitted_by}>")]))
    return blocks


def top_message(favourites: Sequence[Favourite], window: str) -> Message:
    period = {"30d": "the last 30 days", "90d": "the last 90 days", "all": "all time"}.get(window, window)
    if not favourites:
        if window == "all":
            text = "No votes on the daily quotes yet. React to a daily post to vote for it."
        else:
            text = (
                f"No votes on the daily quotes in {period}. React to a daily post to vote for it, "
                "or look further back with `/quote top all`."
            )
        return Message(text=text, blocks=dicts([SectionBlock(text=mrkdwn(text))]))
    head = f"*Team favourites* — the daily quotes with the most votes (reactions, one per person), {period}"
    blocks: list[Block] = [SectionBlock(text=mrkdwn(head))]
    for rank, fav in enumerate(favourites, start=1):
        blocks += _quote_item(f"*{rank}.* {plural(fav.reactions, 'vote')}", fav.quote)
    return Message(text=head, blocks=dicts(blocks))


def search_message(result: SearchResult) -> Message:
    # Words can be any length; echoed whole, one long word breaks Slack's 3,000-character
    # section limit and the reply is refused.
    shown = truncate(" ".join(result.words), SHOWN_WORDS)
    if not result.quotes:
        text = "No quotes match your search. Try fewer or other words, e.g. `/quote search leader`."
        return Message(
            text=text,
            blocks=dicts(
                [
                    SectionBlock(text=mrkdwn(text)),
                    ContextBlock(elements=[mrkdwn("You searched for:"), verbatim(plain(shown))]),
                ]
            ),
        )
    count = (
        ("1 quote matches" if result.total == 1 else f"{result.total} quotes match")
        if result.total <= len(result.quotes)
        else f"Showing {len(result.quotes)} of {result.total} quotes that match"
    )
    head = f"*{count}* your search"
    blocks: list[Block] = [
        SectionBlock(text=mrkdwn(head)),
        ContextBlock(elements=[mrkdwn("You searched for:"), verbatim(plain(shown))]),
    ]
    for q in result.quotes:
        blocks += _quote_item(None, q)
    if result.total > len(result.quotes):
        blocks.append(ContextBlock(elements=[mrkdwn("Add words to narrow it down.")]))
    return Message(text=head, blocks=dicts(blocks))
