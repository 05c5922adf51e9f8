"""What the submission builders share: action and block ids, limits, and how user text is shown.

Pure functions: values in, blocks out. Everything a person typed (quote, author,
source, reason, search words) is shown in ``plain_text`` objects through
``bot.services.text.plain``: escaped, so ``<!channel>`` never pings; never bold, italic or
code, so an author written ``*Fake*`` can't restyle the byline; and with links defanged,
so a quote can't carry a clickable URL. Only the bot's own words use mrkdwn.
"""

from __future__ import annotations

from slack_sdk.models.blocks import (
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.services.submissions import (
    APPROVED,
    AWAITING_CONSENT,
    DECLINED,
    PENDING,
    REJECTED,
    SubmissionView,
)
from bot.services.text import plain, plain_fallback, truncate, truncate_escaped

# Action and callback ids: the contract between these builders and bot.listeners.submissions.
SHORTCUT = "save_leadership_quote"
SUBMIT_OPEN = "submit_quote_open"
SUBMIT_MODAL = "submit_quote"
APPROVE = "submission_approve"
EDIT = "submission_edit"
REJECT = "submission_reject"
EDIT_MODAL = "submission_edit_modal"
REJECT_MODAL = "submission_reject_modal"
CONSENT_ALLOW = "submission_consent_allow"
CONSENT_DECLINE = "submission_consent_decline"

# Block ids of the modal inputs; the action id inside each block is the same string.
TEXT_BLOCK, AUTHOR_BLOCK, SOURCE_BLOCK, TAGS_BLOCK, REASON_BLOCK = "text", "author", "source", "tags", "reason"

# Slack's plain_text_input takes at most 3000 characters, initial value included.
INPUT_MAX = 3000
SHOWN_WORDS = 200  # characters of a search echoed back
_TEXT_MAX = 3000  # Slack's limit for a section's (or a context element's) text
MAX_BLOCKS = 50  # Slack's limit for one message
STATUS_LABELS = {
    AWAITING_CONSENT: "⏳ waiting for the quoted member's OK",
    PENDING: "🕵️ in review",
    APPROVED: "✅ approved",
    REJECTED: "❌ not accepted",
    DECLINED: "🚫 declined",
}


def mrkdwn(text: str) -> MarkdownTextObject:
    # Quote, author, source and reason fit their limits as typed, but escaped (`&` ->
    # `&amp;`) they can pass Slack's 3,000 characters per text, and Slack refuses the blocks.
    return MarkdownTextObject(text=truncate_escaped(text, _TEXT_MAX))


def verbatim(text: str) -> PlainTextObject:
    """Text that is shown exactly as written: no formatting, no links (see module doc)."""
    return PlainTextObject(text=truncate_escaped(text, _TEXT_MAX), emoji=True)


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {many or word + 's'}"


def quote_plain(text: str, author: str, source: str | None = None) -> str:
    """A quote and its byline as plain text (already escaped and defanged)."""
    byline = f"— {plain(author)}" + (f", {plain(source)}" if source else "")
    return f"“{plain(text)}”\n{byline}"


def quote_block(text: str, author: str, source: str | None = None) -> SectionBlock:
    return SectionBlock(text=verbatim(quote_plain(text, author, source)))


def quote_of(sub: SubmissionView) -> SectionBlock:
    return quote_block(sub.text, sub.author, sub.source)


def fallback_of(sub: SubmissionView) -> str:
    """The notification text of a message about ``sub``: plain, short."""
    return f"“{plain_fallback(truncate(sub.text, 150))}” — {plain_fallback(truncate(sub.author, 60))}"


def tag_label(tag: str) -> str:
    return tag.replace("-", " ").capitalize()
