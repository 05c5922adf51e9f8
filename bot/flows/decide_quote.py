"""Deciding a quote: an admin's Approve, Edit and Reject (buttons, forms, ``/quote review``),
the quoted member's Allow and Decline, and ``/quote optout`` / ``optin``.

Who may decide is checked on the server for every press and every form. A decision is one
unit of work; after the ack every copy of the review card shows the outcome, the submitter
gets a DM, and the review summaries show the new count.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient

from bot.blocks import Message
from bot.blocks import submissions as ui
from bot.deps import Deps
from bot.errors import NotAllowed, UserError
from bot.flows.quote_authors import Unchecked, member_named, warm_names
from bot.flows.review_queue import refresh_summaries, send_to_review
from bot.gateway import review as slack
from bot.gateway.roles import is_admin
from bot.services import submissions
from bot.services.quote_input import validate
from bot.services.submissions import Decision, SubmissionView
from bot.services.text import escape


@dataclass(frozen=True)
class Pressed:
    """A press on a quote's button (or a form standing in for one), as plain values."""

    team_id: str
    user_id: str
    submission_id: int
    # The card pressed (None from a form opened elsewhere): the outcome shows there.
    channel_id: str | None = None
    message_ts: str | None = None
    # A private line back to the presser, when Slack gave a response_url.
    confirm: Callable[[str], None] | None = None


def review_list(deps: Deps, client: WebClient, *, team_id: str, user_id: str) -> Message:
    """``/quote review``: the queue, with its buttons (admins only)."""
    if not is_admin(deps, client, team_id=team_id, user_id=user_id):
        raise NotAllowed("Only coachbot admins can review submitted quotes. To see your own, use `/quote mine`.")
    with deps.sessions.begin() as session:
        listing = submissions.list_pending(session, team_id=team_id)
    return ui.pending_message(listing)


# -- an admin's decision ------------------------------------------------------------------------


def approve(deps: Deps, client: WebClient, press: Pressed) -> None:
    """The Approve button (already acked): approve, then tell everyone after the ack."""
    admin = is_admin(deps, client, team_id=press.team_id, user_id=press.user_id)
    announce(deps, client, press, _approve(deps, press, actor_is_admin=admin))


def _approve(
    deps: Deps, press: Pressed, *, actor_is_admin: bool, text: str | None = None, author: str | None = None
) -> Decision:
    """Approve (with an admin's fixes, if any) in one unit of work."""
    with deps.sessions.begin() as session:
        decision = submissions.approve(
            session,
            team_id=press.team_id,
            submission_id=press.submission_id,
            admin_id=press.user_id,
            actor_is_admin=actor_is_admin,
            now=deps.clock(),
            text=text,
            author=author,
        )
    # /quote and App Home read an in-memory pool; show the new team quote there at once.
    deps.quote_pool.invalidate(press.team_id)
    return decision


def open_form(
    deps: Deps, client: WebClient, press: Pressed, *, trigger_id: str, response_url: str | None, edit: bool
) -> None:
    """The Edit or Reject button: its form, while the quote still waits and the presser may decide.
    The press travels in the form's private_metadata."""
    admin = is_admin(deps, client, team_id=press.team_id, user_id=press.user_id)
    with deps.sessions.begin() as session:
        sub = submissions.check_pending(
            session, team_id=press.team_id, submission_id=press.submission_id, actor_is_admin=admin
        )
    meta = {"id": sub.id, "channel": press.channel_id, "ts": press.message_ts, "response_url": response_url}
    build: Callable[..., dict[str, Any]] = ui.edit_modal if edit else ui.reject_modal
    deps.defer(slack.open_view, client, trigger_id, build(sub, metadata=meta))
    if edit:
        deps.defer(warm_names, deps, client, press.team_id)


def approve_edited(deps: Deps, client: WebClient, press: Pressed, *, text: str, author: str) -> Decision:
    """The Edit form, before its ack (a ``UserError`` goes under its field); ``announce`` after."""
    admin = is_admin(deps, client, team_id=press.team_id, user_id=press.user_id)
    text, author, _ = validate(text, author, None, form=True)
    if admin:
        _refuse_a_newly_named_member(deps, client, press, author)
    return _approve(deps, press, actor_is_admin=admin, text=text, author=author)


def _refuse_a_newly_named_member(deps: Deps, client: WebClient, press: Pressed, author: str) -> None:
    """An edit may not name a teammate who was never asked: approving can't wait for consent."""
    member = member_named(deps, client, press.team_id, author, form=True)
    if member is None:
        return
    if isinstance(member, Unchecked):
        raise UserError(
            f"I couldn't check whether “{escape(author)}” is a teammate just now. Please try again in a minute.",
            block_id=ui.AUTHOR_BLOCK,
        )
    with deps.sessions.begin() as session:
        sub = submissions.get_submission(session, team_id=press.team_id, submission_id=press.submission_id)
    if member in (sub.author_user_id, sub.submitter_id):
        return
    raise UserError(
        f"“{escape(author)}” is a teammate (<@{member}>), and a quote naming a teammate needs their OK first, "
        "which an edit can't ask for. Keep the author as it was, or reject this one and ask "
        f"<@{sub.submitter_id}> to send it in naming them.",
        block_id=ui.AUTHOR_BLOCK,
    )


def reject(deps: Deps, client: WebClient, press: Pressed, *, reason: str) -> Decision:
    """The Reject form, before its ack (a ``UserError`` goes under its field); ``announce`` after."""
    admin = is_admin(deps, client, team_id=press.team_id, user_id=press.user_id)
    with deps.sessions.begin() as session:
        return submissions.reject(
            session,
            team_id=press.team_id,
            submission_id=press.submission_id,
            admin_id=press.user_id,
            actor_is_admin=admin,
            now=deps.clock(),
            reason=reason,
        )


def announce(deps: Deps, client: WebClient, press: Pressed, decision: Decision) -> None:
    """After the ack: the cards, the admin's confirmation and the DM; then the summaries."""
    deps.defer(_announce, client, decision, press=press)
    deps.defer(refresh_summaries, deps, client, press.team_id)


def _announce(client: WebClient, decision: Decision, *, press: Pressed | None = None) -> None:
    """Update every copy of the review card, confirm to the admin, DM the submitter.

    A press on a card shows the outcome there; anywhere else (the private ``/quote review``
    list, a form) the admin gets ``confirm``'s private line instead."""
    sub = decision.submission
    slack.update_review_cards(client, sub, decision.review_messages)
    if press is not None and press.confirm is not None:
        pressed_card = any(
            t.channel_id == press.channel_id and t.ts == press.message_ts for t in decision.review_messages
        )
        if not pressed_card:
            press.confirm(f"Quote #{sub.id}: {ui.outcome_line(sub)}")
    slack.send_outcome(client, sub)


# -- the quoted member's consent ------------------------------------------------------------------


def answer_consent(deps: Deps, client: WebClient, press: Pressed, *, allow: bool) -> None:
    """Allow or Decline (already acked); the card, the DM and the review follow."""
    with deps.sessions.begin() as session:
        sub = submissions.answer_consent(
            session,
            team_id=press.team_id,
            submission_id=press.submission_id,
            user_id=press.user_id,
            allow=allow,
            now=deps.clock(),
        )
    deps.defer(_after_consent, deps, client, sub, channel_id=press.channel_id, message_ts=press.message_ts)


def _after_consent(
    deps: Deps, client: WebClient, sub: SubmissionView, *, channel_id: str | None, message_ts: str | None
) -> None:
    if channel_id and message_ts:
        slack.update_consent_card(client, sub, channel_id=channel_id, ts=message_ts)
    slack.send_outcome(client, sub, what="consent DM")
    if sub.status == submissions.PENDING:
        send_to_review(deps, client, sub)


def opt_out(deps: Deps, client: WebClient, *, team_id: str, user_id: str) -> Message:
    """Never be quoted: withdrawn quotes are announced like decisions."""
    # Quotes naming them in plain text are theirs too (users.info, cached).
    me = deps.users.get(client, team_id=team_id, user_id=user_id)
    names = [me.name, me.real_name, me.display_name] if me is not None else []
    with deps.sessions.begin() as session:
        result = submissions.opt_out(session, team_id=team_id, user_id=user_id, now=deps.clock(), names=names)
    if result.retired_quotes:
        deps.quote_pool.invalidate(team_id)
    for decision in result.withdrawn:
        deps.defer(_announce, client, decision)
    lines = [
        "You were already opted out." if result.already else "Done: coachbot won't accept quotes attributed to you."
    ]
    if result.withdrawn:
        lines.append(f"I withdrew {ui.plural(len(result.withdrawn), 'quote')} of yours that were waiting.")
    if result.retired_quotes:
        lines.append(f"{ui.plural(result.retired_quotes, 'approved quote')} of yours left the daily rotation.")
    lines.append("Changed your mind? `/quote optin`")
    return Message(text="\n".join(lines))


def opt_in(deps: Deps, *, team_id: str, user_id: str) -> Message:
    with deps.sessions.begin() as session:
        was_out = submissions.opt_in(session, team_id=team_id, user_id=user_id)
    if not was_out:
        return Message(text="You weren't opted out. Teammates can quote you, and each quote still needs your OK.")
    return Message(
        text="Done: teammates can quote you again, and each quote still needs your OK. "
        "Quotes withdrawn when you opted out stay withdrawn; they can be submitted again."
    )
