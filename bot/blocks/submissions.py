"""Block Kit for team quote submissions, review, consent, favourites and search.

Pure functions: values in, blocks out. Everything a person typed (quote, author,
source, reason) is escaped here, every time it is shown, so ``<!channel>`` never pings.
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
    SectionBlock,
    StaticMultiSelectElement,
)
from slack_sdk.models.views import View

from bot.services.favourites import Favourite, SearchResult
from bot.services.quote_input import AUTHOR_MAX, QUOTE_TAGS, SOURCE_MAX, TEXT_MAX
from bot.services.quotes import QuoteView
from bot.services.submissions import (
    APPROVED,
    AWAITING_CONSENT,
    DECLINED,
    PENDING,
    REASON_MAX,
    REJECTED,
    Listing,
    NearDup,
    SubmissionView,
)
from bot.services.text import escape, truncate, truncate_escaped

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


def _dicts(blocks: Sequence[Block]) -> list[dict[str, Any]]:
    return [b.to_dict() for b in blocks]


def quote_lines(text: str, author: str, source: str | None = None) -> str:
    byline = f"— *{escape(author)}*" + (f", _{escape(source)}_" if source else "")
    return f"> {escape(text)}\n{byline}"


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
        SectionBlock(text=_md(f"Reject quote #{sub.id}?\n{quote_lines(sub.text, sub.author, sub.source)}")),
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


def near_dup_line(near: NearDup) -> str:
    where = (
        "a curated quote"
        if near.curated
        else f"a pending submission (#{near.submission_id})"
        if near.submission_id
        else f"a team quote added by <@{near.submitted_by}>"
        if near.submitted_by
        else "a team quote"
    )
    return f"⚠️ *Possible duplicate* ({near.score}% similar to {where}): “{escape(near.text)}”" + (
        f" — {escape(near.author)}" if near.author else ""
    )


def _card_lines(sub: SubmissionView) -> list[str]:
    lines = [f"*Quote #{sub.id}* submitted by <@{sub.submitter_id}>", quote_lines(sub.text, sub.author, sub.source)]
    if sub.author_user_id:
        lines.append(f"Quoted member: <@{sub.author_user_id}> (agreed to be quoted)")
    if sub.tags:
        lines.append("Themes: " + ", ".join(f"`{escape(t)}`" for t in sub.tags))
    return lines


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


def review_message(sub: SubmissionView) -> tuple[str, list[dict[str, Any]]]:
    """The card admins act on: quote, author, submitter, near-duplicate warning, buttons."""
    blocks: list[Block] = [SectionBlock(text=_md("\n".join(_card_lines(sub))))]
    if sub.near_dup is not None:
        blocks.append(ContextBlock(elements=[_md(near_dup_line(sub.near_dup))]))
    blocks.append(decision_buttons(sub.id))
    return f"New quote to review from <@{sub.submitter_id}>: “{escape(sub.text)}”", _dicts(blocks)


def outcome_line(sub: SubmissionView) -> str:
    if sub.status == APPROVED:
        return f"✅ *Approved* by <@{sub.decided_by}>. It joins the daily quote rotation."
    if sub.status == REJECTED:
        return f"❌ *Rejected* by <@{sub.decided_by}>" + (f": {escape(sub.reason)}" if sub.reason else ".")
    if sub.status == DECLINED:
        return f"🚫 *Withdrawn*: {escape(sub.reason or 'the quoted member declined.')}"
    return STATUS_LABELS.get(sub.status, sub.status)


def decided_message(sub: SubmissionView) -> tuple[str, list[dict[str, Any]]]:
    """The review card once decided: no buttons, the outcome and who decided."""
    blocks: list[Block] = [
        SectionBlock(text=_md("\n".join(_card_lines(sub)))),
        ContextBlock(elements=[_md(outcome_line(sub))]),
    ]
    return f"Quote #{sub.id}: {outcome_line(sub)}", _dicts(blocks)


# -- consent ---------------------------------------------------------------------------------


def consent_request(sub: SubmissionView) -> tuple[str, list[dict[str, Any]]]:
    value = str(sub.id)
    blocks: list[Block] = [
        SectionBlock(
            text=_md(
                f"<@{sub.submitter_id}> would like to add this quote of yours to the team's daily quotes:\n"
                f"{quote_lines(sub.text, sub.author, sub.source)}\n"
                "It is only used if you allow it. If you decline, it is never posted."
            )
        ),
        ActionsBlock(
            block_id=f"consent_{sub.id}",
            elements=[
                ButtonElement(text="Allow", action_id=CONSENT_ALLOW, value=value, style="primary"),
                ButtonElement(text="Decline", action_id=CONSENT_DECLINE, value=value, style="danger"),
            ],
        ),
        ContextBlock(elements=[_md("Never want to be quoted? Use `/quote optout`.")]),
    ]
    return f"<@{sub.submitter_id}> would like to quote you: “{escape(sub.text)}”", _dicts(blocks)


def consent_answered(sub: SubmissionView) -> tuple[str, list[dict[str, Any]]]:
    answer = (
        "You allowed it: it now goes to an admin for review."
        if sub.status != DECLINED
        else "You declined: it will never be posted."
    )
    text = f"{quote_lines(sub.text, sub.author, sub.source)}\n{answer}"
    return answer, _dicts([SectionBlock(text=_md(text))])


# -- notes to the submitter ------------------------------------------------------------------


def submitted_text(sub: SubmissionView) -> str:
    """The private reply right after submitting."""
    head = f"Thanks! Quote #{sub.id}:\n{quote_lines(sub.text, sub.author, sub.source)}\n"
    if sub.status == AWAITING_CONSENT:
        return head + (
            f"Before it goes to review, <@{sub.author_user_id}> has to agree to be quoted; I've asked them by DM. "
            "See its status any time with `/quote mine`."
        )
    return head + "It's now with an admin for review; I'll DM you the outcome. See it any time with `/quote mine`."


def outcome_dm(sub: SubmissionView) -> str:
    quote = f"“{escape(sub.text)}” — {escape(sub.author)}"
    if sub.status == APPROVED:
        return f"✅ Your quote {quote} was approved by <@{sub.decided_by}>. It joins the daily quotes, credited to you."
    if sub.status == REJECTED:
        why = f" Reason: {escape(sub.reason)}" if sub.reason else ""
        return f"Your quote {quote} was not accepted by <@{sub.decided_by}>.{why}"
    if sub.status == DECLINED:
        return f"Your quote {quote} won't be used: <@{sub.author_user_id}> declined to be quoted."
    if sub.status == PENDING and sub.author_user_id:
        return f"<@{sub.author_user_id}> agreed to be quoted: your quote {quote} is now with an admin for review."
    return f"Your quote {quote} is {STATUS_LABELS.get(sub.status, sub.status)}."


# -- lists -----------------------------------------------------------------------------------


def _list_item(sub: SubmissionView) -> str:
    status = STATUS_LABELS.get(sub.status, sub.status)
    if sub.status in (APPROVED, REJECTED) and sub.decided_by:
        status += f" by <@{sub.decided_by}>"
    if sub.status == REJECTED and sub.reason:
        status += f": {escape(sub.reason)}"
    return f"*#{sub.id}* · {status}\n{quote_lines(sub.text, sub.author, sub.source)}"


def _more(listing: Listing, what: str) -> str | None:
    hidden = listing.total - len(listing.items)
    return f"…and {hidden} older {what} not shown." if hidden > 0 else None


def mine_message(listing: Listing) -> tuple[str, list[dict[str, Any]]]:
    if not listing.items:
        text = (
            "You haven't submitted any quotes yet. Try: "
            '`/quote add "Praise in public, coach in private." — Jordan Lee`'
        )
        return text, _dicts([SectionBlock(text=_md(text))])
    head = f"*Your submitted quotes* ({listing.total})"
    blocks: list[Block] = [SectionBlock(text=_md(head))]
    blocks += [SectionBlock(text=_md(_list_item(s))) for s in listing.items]
    more = _more(listing, "submissions")
    if more:
        blocks.append(ContextBlock(elements=[_md(more)]))
    return head, _dicts(blocks)


def pending_message(listing: Listing) -> tuple[str, list[dict[str, Any]]]:
    if not listing.items:
        text = "Nothing is waiting for review. 🎉"
        return text, _dicts([SectionBlock(text=_md(text))])
    head = f"*Quotes waiting for review* ({listing.total})"
    blocks: list[Block] = [SectionBlock(text=_md(head))]
    for sub in listing.items:
        blocks.append(DividerBlock())
        blocks.append(SectionBlock(text=_md("\n".join(_card_lines(sub)))))
        if sub.near_dup is not None:
            blocks.append(ContextBlock(elements=[_md(near_dup_line(sub.near_dup))]))
        blocks.append(decision_buttons(sub.id))
    more = _more(listing, "submissions")
    if more:
        blocks.append(ContextBlock(elements=[_md(more.replace("older", "more"))]))
    return head, _dicts(blocks)


def _quote_item(prefix: str, q: QuoteView, suffix: str = "") -> str:
    credit = f" · submitted by <@{q.submitted_by}>" if q.submitted_by else ""
    return f"{prefix}{quote_lines(q.text, q.author, q.source)}{credit}{suffix}"


def top_message(favourites: Sequence[Favourite], window: str) -> tuple[str, list[dict[str, Any]]]:
    period = {"30d": "the last 30 days", "90d": "the last 90 days", "all": "all time"}.get(window, window)
    if not favourites:
        text = (
            f"No reactions on the daily quotes in {period} yet. React to a daily post to vote for it, "
            "or try `/quote top all`."
        )
        return text, _dicts([SectionBlock(text=_md(text))])
    head = f"*Team favourites* — most-reacted daily quotes, {period}"
    blocks: list[Block] = [SectionBlock(text=_md(head))]
    for rank, fav in enumerate(favourites, start=1):
        noun = "reaction" if fav.reactions == 1 else "reactions"
        blocks.append(SectionBlock(text=_md(_quote_item(f"*{rank}.* {fav.reactions} {noun}\n", fav.quote))))
    return head, _dicts(blocks)


def search_message(result: SearchResult) -> tuple[str, list[dict[str, Any]]]:
    # Words can be any length; echoed whole, one long word breaks Slack's 3,000-character
    # section limit and the reply is refused.
    shown = truncate(" ".join(result.words), _SHOWN_WORDS)
    if not result.quotes:
        text = f"No quotes match `{escape(shown)}`. Try fewer or other words, e.g. `/quote search leader`."
        return text, _dicts([SectionBlock(text=_md(text))])
    count = (
        ("1 quote matches" if result.total == 1 else f"{result.total} quotes match")
        if result.total <= len(result.quotes)
        else f"Showing {len(result.quotes)} of {result.total} quotes that match"
    )
    head = f"*{count}* `{escape(shown)}`"
    blocks: list[Block] = [SectionBlock(text=_md(head))]
    blocks += [SectionBlock(text=_md(_quote_item("", q))) for q in result.quotes]
    if result.total > len(result.quotes):
        blocks.append(ContextBlock(elements=[_md("Add words to narrow it down.")]))
    return head, _dicts(blocks)
