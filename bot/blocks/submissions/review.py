"""Review cards and summaries, the consent request, and the notes to the submitter."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.blocks import Message, dicts
from bot.blocks.submissions.shared import (
    APPROVE,
    CONSENT_ALLOW,
    CONSENT_DECLINE,
    EDIT,
    REJECT,
    STATUS_LABELS,
    fallback_of,
    mrkdwn,
    plural,
    quote_of,
    tag_label,
    verbatim,
)
from bot.services.quote_input import UNKNOWN_AUTHOR
from bot.services.submissions import (
    APPROVED,
    AWAITING_CONSENT,
    DECLINED,
    PENDING,
    REJECTED,
    REVIEW_CARDS_MAX,
    NearDup,
    SubmissionView,
)
from bot.services.text import plain

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
    return [mrkdwn(f"⚠️ *Possible duplicate* ({near.score}% similar to {where}):"), verbatim(said)]


def card_blocks(sub: SubmissionView) -> list[Block]:
    """Who sent it (mrkdwn), the quote (plain text), then the facts about it."""
    blocks: list[Block] = [
        SectionBlock(text=mrkdwn(f"*Quote #{sub.id}* submitted by <@{sub.submitter_id}>")),
        quote_of(sub),
    ]
    facts = []
    if sub.author_user_id:
        facts.append(f"Quoted member: <@{sub.author_user_id}> (agreed to be quoted)")
    if sub.tags:
        facts.append("Themes: " + ", ".join(tag_label(t) for t in sub.tags))
    if facts:
        blocks.append(ContextBlock(elements=[mrkdwn("\n".join(facts))]))
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
    blocks = card_blocks(sub)
    if sub.near_dup is not None:
        blocks.append(ContextBlock(elements=near_dup_elements(sub.near_dup)))
    blocks.append(decision_buttons(sub.id))
    return Message(text=f"New quote to review from <@{sub.submitter_id}>: {fallback_of(sub)}", blocks=dicts(blocks))


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
        blocks=dicts([SectionBlock(text=mrkdwn(text))]),
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
    return [mrkdwn(outcome_line(sub)), *([verbatim(plain(reason))] if reason else [])]


def decided_message(sub: SubmissionView) -> Message:
    """The review card once decided: no buttons, the outcome and who decided."""
    blocks = [*card_blocks(sub), ContextBlock(elements=_outcome_elements(sub))]
    return Message(text=f"Quote #{sub.id}: {outcome_line(sub).rstrip(':,')}", blocks=dicts(blocks))


# -- consent ---------------------------------------------------------------------------------


def consent_request(sub: SubmissionView) -> Message:
    value = str(sub.id)
    # The quote is the submitter's text, sent to someone they chose: plain text only, so
    # it can't dress itself up or carry a link (see the module doc).
    blocks: list[Block] = [
        SectionBlock(
            text=mrkdwn(f"<@{sub.submitter_id}> would like to add this quote of yours to the team's daily quotes:")
        ),
        quote_of(sub),
        SectionBlock(text=mrkdwn("It is only used if you allow it. If you decline, it is never posted.")),
        ActionsBlock(
            block_id=f"consent_{sub.id}",
            elements=[
                ButtonElement(text="Allow", action_id=CONSENT_ALLOW, value=value, style="primary"),
                ButtonElement(text="Decline", action_id=CONSENT_DECLINE, value=value, style="danger"),
            ],
        ),
        ContextBlock(elements=[mrkdwn("Never want to be quoted? Use `/quote optout`.")]),
    ]
    return Message(text=f"<@{sub.submitter_id}> would like to quote you. Allow or decline?", blocks=dicts(blocks))


def consent_answered(sub: SubmissionView) -> Message:
    answer = (
        "You allowed it: it now goes to an admin for review."
        if sub.status != DECLINED
        else "You declined: it will never be posted."
    )
    return Message(text=answer, blocks=dicts([quote_of(sub), SectionBlock(text=mrkdwn(answer))]))


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
        SectionBlock(text=mrkdwn(f"Thanks! Quote #{sub.id}:")),
        quote_of(sub),
        SectionBlock(text=mrkdwn(after)),
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
                    mrkdwn(
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
    blocks: list[Block] = [SectionBlock(text=mrkdwn(head))]
    if reason:
        blocks.append(ContextBlock(elements=[mrkdwn("Reason:"), verbatim(plain(reason))]))
    blocks.append(quote_of(sub))
    return Message(text=head, blocks=dicts(blocks))
