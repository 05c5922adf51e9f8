"""`/quote mine` and `/quote review`: a member's submissions, and the queue."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DividerBlock,
    SectionBlock,
)

from bot.blocks import Message, dicts
from bot.blocks.submissions.review import card_blocks, decision_buttons, near_dup_elements
from bot.blocks.submissions.shared import MAX_BLOCKS, STATUS_LABELS, mrkdwn, plural, quote_of, verbatim
from bot.services.submissions import (
    APPROVED,
    REJECTED,
    Listing,
    SubmissionView,
)
from bot.services.text import plain

# -- lists -----------------------------------------------------------------------------------


def _list_item(sub: SubmissionView) -> list[Block]:
    status = STATUS_LABELS.get(sub.status, sub.status)
    if sub.status in (APPROVED, REJECTED) and sub.decided_by:
        status += f" by <@{sub.decided_by}>"
    blocks: list[Block] = [SectionBlock(text=mrkdwn(f"*#{sub.id}* · {status}")), quote_of(sub)]
    if sub.status == REJECTED and sub.reason:
        blocks.append(ContextBlock(elements=[mrkdwn("Reason:"), verbatim(plain(sub.reason))]))
    return blocks


def _more(listing: Listing, what: str) -> str | None:
    hidden = listing.total - len(listing.items)
    return f"…and {plural(hidden, 'older ' + what, 'older ' + what + 's')} not shown." if hidden > 0 else None


def mine_message(listing: Listing) -> Message:
    if not listing.items:
        text = (
            "You haven't submitted any quotes yet. Try: "
            '`/quote add "Praise in public, coach in private." — Jordan Lee`'
        )
        return Message(text=text, blocks=dicts([SectionBlock(text=mrkdwn(text))]))
    head = f"*Your submitted quotes* ({listing.total})"
    blocks: list[Block] = [SectionBlock(text=mrkdwn(head))]
    for sub in listing.items:
        blocks += _list_item(sub)
    more = _more(listing, "submission")
    if more:
        blocks.append(ContextBlock(elements=[mrkdwn(more)]))
    return Message(text=head, blocks=dicts(blocks))


def pending_message(listing: Listing) -> Message:
    if not listing.items:
        text = "Nothing is waiting for review. 🎉"
        return Message(text=text, blocks=dicts([SectionBlock(text=mrkdwn(text))]))
    head = f"*Quotes waiting for review* ({listing.total})"
    blocks: list[Block] = [SectionBlock(text=mrkdwn(head))]
    shown = 0
    for sub in listing.items:
        item: list[Block] = [DividerBlock(), *card_blocks(sub)]
        if sub.near_dup is not None:
            item.append(ContextBlock(elements=near_dup_elements(sub.near_dup)))
        item.append(decision_buttons(sub.id))
        # Slack refuses a message of more than 50 blocks; keep one for the "more" line.
        if len(blocks) + len(item) > MAX_BLOCKS - 1:
            break
        blocks += item
        shown += 1
    hidden = listing.total - shown
    if hidden > 0:
        blocks.append(ContextBlock(elements=[mrkdwn(f"…and {plural(hidden, 'more submission')} not shown.")]))
    return Message(text=head, blocks=dicts(blocks))
