"""Block Kit for team quote submissions, review, consent, favourites and search.

Pure functions: values in, blocks out. Everything a person typed (quote, author,
source, reason, search words) is shown in ``plain_text`` objects through
``bot.services.text.plain``: escaped, so ``<!channel>`` never pings; never bold, italic or
code, so an author written ``*Fake*`` can't restyle the byline; and with links defanged,
so a quote can't carry a clickable URL. Only the bot's own words use mrkdwn.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks import Message, dicts
from bot.services.favourites import Favourite, SearchResult
from bot.services.quote_input import AUTHOR_MAX, QUOTE_TAGS, SOURCE_MAX, TEXT_MAX, UNKNOWN_AUTHOR
from bot.services.quotes import QuoteView
from bot.services.submissions import (
    APPROVED,
    AWAITING_CONSENT,
    DECLINED,
    PENDING,
    REASON_MAX,
    REJECTED,
    REVIEW_CARDS_MAX,
    Listing,
    NearDup,
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
_INPUT_MAX = 3000
_SHOWN_WORDS = 200  # characters of a search echoed back
_TEXT_MAX = 3000  # Slack's limit for a section's (or a context element's) text
_MAX_BLOCKS = 50  # Slack's limit for one message
STATUS_LABELS = {
    AWAITING_CONSENT: "⏳ waiting for the quoted member's OK",
    PENDING: "🕵️ in review",
    APPROVED: "✅ approved",
    REJECTED: "❌ not accepted",
    DECLINED: "🚫 declined",
}


def _md(text: str) -> MarkdownTextObject:
    # Quote, author, source and reason fit their limits as typed, but escaped (`&` ->
    # `&amp;`) they can pass Slack's 3,000 characters per text, and Slack refuses the blocks.
    return MarkdownTextObject(text=truncate_escaped(text, _TEXT_MAX))


def _plain(text: str) -> PlainTextObject:
    """Text that is shown exactly as written: no formatting, no links (see module doc)."""
    return PlainTextObject(text=truncate_escaped(text, _TEXT_MAX), emoji=True)


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {many or word + 's'}"


def quote_plain(text: str, author: str, source: str | None = None) -> str:
    """A quote and its byline as plain text (already escaped and defanged)."""
    byline = f"— {plain(author)}" + (f", {plain(source)}" if source else "")
    return f"“{plain(text)}”\n{byline}"


def quote_block(text: str, author: str, source: str | None = None) -> SectionBlock:
    return SectionBlock(text=_plain(quote_plain(text, author, source)))


def _quote_of(sub: SubmissionView) -> SectionBlock:
    return quote_block(sub.text, sub.author, sub.source)


def _fallback(sub: SubmissionView) -> str:
    """The notification text of a message about ``sub``: plain, short."""
    return f"“{plain_fallback(truncate(sub.text, 150))}” — {plain_fallback(truncate(sub.author, 60))}"


def tag_label(tag: str) -> str:
    return tag.replace("-", " ").capitalize()


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
            text=_md(
                "Share a leadership quote with your team. An admin reviews it first; once approved it "
                "joins the daily quotes, credited to you."
            )
        ),
        InputBlock(
            block_id=TEXT_BLOCK,
            label="Quote",
            hint=f"10 to {TEXT_MAX} characters.",
            element=PlainTextInputElement(
                action_id=TEXT_BLOCK, multiline=True, initial_value=text[:_INPUT_MAX] or None
            ),
        ),
        InputBlock(
            block_id=AUTHOR_BLOCK,
            label="Who said it",
            hint=f"Leave empty for “Unknown”. At most {AUTHOR_MAX} characters.",
            optional=True,
            element=PlainTextInputElement(action_id=AUTHOR_BLOCK, initial_value=author[:_INPUT_MAX] or None),
        ),
        InputBlock(
            block_id=SOURCE_BLOCK,
            label="Source",
            hint=f"Book, talk or article, if you know it. At most {SOURCE_MAX} characters.",
            optional=True,
            element=PlainTextInputElement(action_id=SOURCE_BLOCK, initial_value=source[:_INPUT_MAX] or None),
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
        SectionBlock(text=_md(f"Fix quote #{sub.id} from <@{sub.submitter_id}>, then approve it.")),
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
        SectionBlock(text=_md(f"Reject quote #{sub.id}?")),
        _quote_of(sub),
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


# -- review cards ----------------------------------------------------------------------------


def near_dup_elements(near: NearDup) -> list[MarkdownTextObject | PlainTextObject]:
    where = (
        "a curated quote"
        if near.curated
        else f"a pending submission (#{near.submission_id})"
        if near.submission_id
        else f"a team quote added by <@{near.submitted_by}>"
        if near.submitted_by
        else "a team quote"
    )
    said = f"“{plain(near.text)}”" + (f" — {plain(near.author)}" if near.author else "")
    return [_md(f"⚠️ *Possible duplicate* ({near.score}% similar to {where}):"), _plain(said)]


def _card_blocks(sub: SubmissionView) -> list[Block]:
    """Who sent it (mrkdwn), the quote (plain text), then the facts about it."""
    blocks: list[Block] = [
        SectionBlock(text=_md(f"*Quote #{sub.id}* submitted by <@{sub.submitter_id}>")),
        _quote_of(sub),
    ]
    facts = []
    if sub.author_user_id:
        facts.append(f"Quoted member: <@{sub.author_user_id}> (agreed to be quoted)")
    if sub.tags:
        facts.append("Themes: " + ", ".join(tag_label(t) for t in sub.tags))
    if facts:
        blocks.append(ContextBlock(elements=[_md("\n".join(facts))]))
    return blocks


def decision_buttons(sub_id: int) -> ActionsBlock:
    value = str(sub_id)
    return ActionsBlock(
        block_id=f"review_{sub_id}",
        elements=[
            ButtonElement(text="Approve", action_id=APPROVE, value=value, style="primary"),
            ButtonElement(text="Edit", action_id=EDIT, value=value),
            ButtonElement(text="Reject", action_id=REJECT, value=value, style="danger"),
        ],
    )


def review_message(sub: SubmissionView) -> Message:
    """The card admins act on: quote, author, submitter, near-duplicate warning, buttons."""
    blocks = _card_blocks(sub)
    if sub.near_dup is not None:
        blocks.append(ContextBlock(elements=near_dup_elements(sub.near_dup)))
    blocks.append(decision_buttons(sub.id))
    return Message(text=f"New quote to review from <@{sub.submitter_id}>: {_fallback(sub)}", blocks=dicts(blocks))


def review_summary_message(waiting: int) -> Message:
    """The one message that stands for many cards while the queue is long (updated in place)."""
    if waiting > REVIEW_CARDS_MAX:
        text = (
            f"📥 *{plural(waiting, 'quote is', 'quotes are')} waiting for review.* That's more than "
            f"{REVIEW_CARDS_MAX}, so instead of a card for each new one, this message keeps the count. "
            "Run `/quote review` to see them and decide."
        )
    elif waiting:
        text = (
            f"📥 *{plural(waiting, 'quote is', 'quotes are')} waiting for review.* Run `/quote review` to see "
            "them; new ones get their own card again."
        )
    else:
        text = "📥 Nothing is waiting for review any more. New quotes get their own card again."
    return Message(
        text=f"{plural(waiting, 'quote')} waiting for review: /quote review" if waiting else text,
        blocks=dicts([SectionBlock(text=_md(text))]),
    )


def outcome_line(sub: SubmissionView) -> str:
    """The decision in the bot's words (mrkdwn); the admin's reason is shown apart, plain."""
    if sub.status == APPROVED:
        return f"✅ *Approved* by <@{sub.decided_by}>. It joins the daily quote rotation."
    if sub.status == REJECTED:
        return f"❌ *Rejected* by <@{sub.decided_by}>" + (", who said:" if sub.reason else ".")
    if sub.status == DECLINED:
        return "🚫 *Withdrawn*:"
    return STATUS_LABELS.get(sub.status, sub.status)


def _reason(sub: SubmissionView) -> str | None:
    if sub.status == DECLINED:
        return sub.reason or "The quoted member declined."
    return sub.reason if sub.status == REJECTED else None


def _outcome_elements(sub: SubmissionView) -> list[MarkdownTextObject | PlainTextObject]:
    reason = _reason(sub)
    return [_md(outcome_line(sub)), *([_plain(plain(reason))] if reason else [])]


def decided_message(sub: SubmissionView) -> Message:
    """The review card once decided: no buttons, the outcome and who decided."""
    blocks = [*_card_blocks(sub), ContextBlock(elements=_outcome_elements(sub))]
    return Message(text=f"Quote #{sub.id}: {outcome_line(sub).rstrip(':,')}", blocks=dicts(blocks))


# -- consent ---------------------------------------------------------------------------------


def consent_request(sub: SubmissionView) -> Message:
    value = str(sub.id)
    # The quote is the submitter's text, sent to someone they chose: plain text only, so
    # it can't dress itself up or carry a link (see the module doc).
    blocks: list[Block] = [
        SectionBlock(
            text=_md(f"<@{sub.submitter_id}> would like to add this quote of yours to the team's daily quotes:")
        ),
        _quote_of(sub),
        SectionBlock(text=_md("It is only used if you allow it. If you decline, it is never posted.")),
        ActionsBlock(
            block_id=f"consent_{sub.id}",
            elements=[
                ButtonElement(text="Allow", action_id=CONSENT_ALLOW, value=value, style="primary"),
                ButtonElement(text="Decline", action_id=CONSENT_DECLINE, value=value, style="danger"),
            ],
        ),
        ContextBlock(elements=[_md("Never want to be quoted? Use `/quote optout`.")]),
    ]
    return Message(text=f"<@{sub.submitter_id}> would like to quote you. Allow or decline?", blocks=dicts(blocks))


def consent_answered(sub: SubmissionView) -> Message:
    answer = (
        "You allowed it: it now goes to an admin for review."
        if sub.status != DECLINED
        else "You declined: it will never be posted."
    )
    return Message(text=answer, blocks=dicts([_quote_of(sub), SectionBlock(text=_md(answer))]))


# -- notes to the submitter ------------------------------------------------------------------


def submitted_message(sub: SubmissionView, *, form: bool = False) -> Message:
    """The private reply right after submitting. ``form``: sent from the modal."""
    if sub.status == AWAITING_CONSENT:
        after = (
            f"Before it goes to review, <@{sub.author_user_id}> has to agree to be quoted; I've asked them by DM. "
            "See its status any time with `/quote mine`."
        )
    else:
        after = "It's now with an admin for review; I'll DM you the outcome. See it any time with `/quote mine`."
    blocks: list[Block] = [
        SectionBlock(text=_md(f"Thanks! Quote #{sub.id}:")),
        _quote_of(sub),
        SectionBlock(text=_md(after)),
    ]
    if sub.author == UNKNOWN_AUTHOR:
        how = (
            "fill in “Who said it” in the form"
            if form
            else 'end the quote with a dash and their name, like `/quote add "…" — Jordan Lee`'
        )
        blocks.append(
            ContextBlock(
                elements=[
                    _md(
                        "No author was given, so it was saved as “Unknown”. To credit someone next time, "
                        f"{how}; the admin who reviews this one can still add the name."
                    )
                ]
            )
        )
    return Message(text=f"Thanks! Quote #{sub.id} was sent in.", blocks=dicts(blocks))


def outcome_dm(sub: SubmissionView) -> Message:
    """The DM to the submitter once their quote is decided (or the quoted member answered)."""
    reason = None
    if sub.status == APPROVED:
        head = (
            f"✅ Your quote #{sub.id} was approved by <@{sub.decided_by}>. It joins the daily quotes, credited to you."
        )
    elif sub.status == REJECTED:
        head, reason = f"Your quote #{sub.id} was not accepted by <@{sub.decided_by}>.", sub.reason
    elif sub.status == DECLINED and sub.decided_by == sub.author_user_id and sub.author_user_id:
        head = f"Your quote #{sub.id} won't be used: <@{sub.author_user_id}> declined to be quoted."
    elif sub.status == DECLINED:
        head, reason = f"Your quote #{sub.id} was withdrawn.", sub.reason
    elif sub.status == PENDING and sub.author_user_id:
        head = f"<@{sub.author_user_id}> agreed to be quoted: your quote #{sub.id} is now with an admin for review."
    else:
        head = f"Your quote #{sub.id} is {STATUS_LABELS.get(sub.status, sub.status)}."
    blocks: list[Block] = [SectionBlock(text=_md(head))]
    if reason:
        blocks.append(ContextBlock(elements=[_md("Reason:"), _plain(plain(reason))]))
    blocks.append(_quote_of(sub))
    return Message(text=head, blocks=dicts(blocks))


# -- lists -----------------------------------------------------------------------------------


def _list_item(sub: SubmissionView) -> list[Block]:
    status = STATUS_LABELS.get(sub.status, sub.status)
    if sub.status in (APPROVED, REJECTED) and sub.decided_by:
        status += f" by <@{sub.decided_by}>"
    blocks: list[Block] = [SectionBlock(text=_md(f"*#{sub.id}* · {status}")), _quote_of(sub)]
    if sub.status == REJECTED and sub.reason:
        blocks.append(ContextBlock(elements=[_md("Reason:"), _plain(plain(sub.reason))]))
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
        return Message(text=text, blocks=dicts([SectionBlock(text=_md(text))]))
    head = f"*Your submitted quotes* ({listing.total})"
    blocks: list[Block] = [SectionBlock(text=_md(head))]
    for sub in listing.items:
        blocks += _list_item(sub)
    more = _more(listing, "submission")
    if more:
        blocks.append(ContextBlock(elements=[_md(more)]))
    return Message(text=head, blocks=dicts(blocks))


def pending_message(listing: Listing) -> Message:
    if not listing.items:
        text = "Nothing is waiting for review. 🎉"
        return Message(text=text, blocks=dicts([SectionBlock(text=_md(text))]))
    head = f"*Quotes waiting for review* ({listing.total})"
    blocks: list[Block] = [SectionBlock(text=_md(head))]
    shown = 0
    for sub in listing.items:
        item: list[Block] = [DividerBlock(), *_card_blocks(sub)]
        if sub.near_dup is not None:
            item.append(ContextBlock(elements=near_dup_elements(sub.near_dup)))
        item.append(decision_buttons(sub.id))
        # Slack refuses a message of more than 50 blocks; keep one for the "more" line.
        if len(blocks) + len(item) > _MAX_BLOCKS - 1:
            break
        blocks += item
        shown += 1
    hidden = listing.total - shown
    if hidden > 0:
        blocks.append(ContextBlock(elements=[_md(f"…and {plural(hidden, 'more submission')} not shown.")]))
    return Message(text=head, blocks=dicts(blocks))


def _quote_item(prefix: str | None, q: QuoteView) -> list[Block]:
    blocks: list[Block] = [SectionBlock(text=_md(prefix))] if prefix else []
    blocks.append(quote_block(q.text, q.author, q.source))
    if q.submitted_by:
        blocks.append(ContextBlock(elements=[_md(f"Submitted by <@{q.submitted_by}>")]))
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
        return Message(text=text, blocks=dicts([SectionBlock(text=_md(text))]))
    head = f"*Team favourites* — the daily quotes with the most votes (reactions, one per person), {period}"
    blocks: list[Block] = [SectionBlock(text=_md(head))]
    for rank, fav in enumerate(favourites, start=1):
        blocks += _quote_item(f"*{rank}.* {plural(fav.reactions, 'vote')}", fav.quote)
    return Message(text=head, blocks=dicts(blocks))


def search_message(result: SearchResult) -> Message:
    # Words can be any length; echoed whole, one long word breaks Slack's 3,000-character
    # section limit and the reply is refused.
    shown = truncate(" ".join(result.words), _SHOWN_WORDS)
    if not result.quotes:
        text = "No quotes match your search. Try fewer or other words, e.g. `/quote search leader`."
        return Message(
            text=text,
            blocks=dicts(
                [SectionBlock(text=_md(text)), ContextBlock(elements=[_md("You searched for:"), _plain(plain(shown))])]
            ),
        )
    count = (
        ("1 quote matches" if result.total == 1 else f"{result.total} quotes match")
        if result.total <= len(result.quotes)
        else f"Showing {len(result.quotes)} of {result.total} quotes that match"
    )
    head = f"*{count}* your search"
    blocks: list[Block] = [
        SectionBlock(text=_md(head)),
        ContextBlock(elements=[_md("You searched for:"), _plain(plain(shown))]),
    ]
    for q in result.quotes:
        blocks += _quote_item(None, q)
    if result.total > len(result.quotes):
        blocks.append(ContextBlock(elements=[_md("Add words to narrow it down.")]))
    return Message(text=head, blocks=dicts(blocks))
