"""Reviewing submitted quotes: ``/quote review`` and the Approve, Edit and Reject buttons
and forms. Who may decide is checked on the server for every press and every form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import Message
from bot.blocks import submissions as ui
from bot.deps import Deps
from bot.errors import NotAllowed, UserError
from bot.gateway.review import announce_decision, open_view, refresh_summaries
from bot.gateway.roles import is_admin
from bot.listeners import payload
from bot.listeners.router import CommandContext, CommandRouter, Subcommand, declare
from bot.listeners.submissions.common import (
    Press,
    Unchecked,
    form_error,
    form_press,
    member_named,
    press_of,
    warm_names,
)
from bot.services import submissions
from bot.services.quote_input import clean_form_value, validate
from bot.services.submissions import Decision
from bot.services.text import escape

SUBCOMMANDS: list[Subcommand] = []


@declare(
    SUBCOMMANDS,
    "review",
    usage="review",
    example="review",
    summary="Quotes waiting for review (admins).",
    read_only=True,
)
def handle_review(ctx: CommandContext) -> Message:
    if not is_admin(ctx.deps, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id):
        raise NotAllowed("Only coachbot admins can review submitted quotes. To see your own, use `/quote mine`.")
    with ctx.deps.sessions.begin() as session:
        listing = submissions.list_pending(session, team_id=ctx.team_id)
    message = ui.pending_message(listing)
    return message


# -- buttons and forms ------------------------------------------------------------------------


def _confirm(respond: Respond) -> Callable[[str], None]:
    def confirm(text: str) -> None:
        respond(text=text, response_type="ephemeral", replace_original=False)

    return confirm


def handle_approve(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, deps: Deps) -> None:
    ack()
    press = press_of(body)
    admin = is_admin(deps, client, team_id=press.team_id, user_id=press.user_id)
    decision = _approve(deps, press, actor_is_admin=admin)
    deps.defer(announce_decision, client, decision, pressed=press.card, confirm=_confirm(respond))
    deps.defer(refresh_summaries, deps, client, press.team_id)


def _approve(
    deps: Deps, press: Press, *, actor_is_admin: bool, text: str | None = None, author: str | None = None
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


def _open_decision_modal(
    body: dict[str, Any], client: WebClient, deps: Deps, build: Callable[..., dict[str, Any]]
) -> None:
    press = press_of(body)
    admin = is_admin(deps, client, team_id=press.team_id, user_id=press.user_id)
    with deps.sessions.begin() as session:
        sub = submissions.check_pending(
            session, team_id=press.team_id, submission_id=press.submission_id, actor_is_admin=admin
        )
    meta = {"id": sub.id, "channel": press.channel_id, "ts": press.message_ts, "response_url": press.response_url}
    deps.defer(open_view, client, press.trigger_id, build(sub, metadata=meta))


def handle_edit(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps) -> None:
    ack()
    _open_decision_modal(body, client, deps, ui.edit_modal)
    deps.defer(warm_names, deps, client, payload.actor(body).team_id)


def handle_reject(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps) -> None:
    ack()
    _open_decision_modal(body, client, deps, ui.reject_modal)


def handle_edit_view(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, deps: Deps) -> None:
    press, values = form_press(body, view)
    admin = is_admin(deps, client, team_id=press.team_id, user_id=press.user_id)
    try:
        text, author, _ = validate(
            clean_form_value(payload.text_input(values, ui.TEXT_BLOCK)),
            clean_form_value(payload.text_input(values, ui.AUTHOR_BLOCK)),
            None,
            form=True,
        )
        if admin:
            _refuse_a_newly_named_member(deps, client, press, author)
        decision = _approve(deps, press, actor_is_admin=admin, text=text, author=author)
    except UserError as err:
        form_error(ack, err)
        return
    ack()
    deps.defer(announce_decision, client, decision, pressed=press.card, confirm=press.confirm())
    deps.defer(refresh_summaries, deps, client, press.team_id)


def _refuse_a_newly_named_member(deps: Deps, client: WebClient, press: Press, author: str) -> None:
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


def handle_reject_view(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, deps: Deps) -> None:
    press, values = form_press(body, view)
    admin = is_admin(deps, client, team_id=press.team_id, user_id=press.user_id)
    try:
        with deps.sessions.begin() as session:
            decision = submissions.reject(
                session,
                team_id=press.team_id,
                submission_id=press.submission_id,
                admin_id=press.user_id,
                actor_is_admin=admin,
                now=deps.clock(),
                reason=clean_form_value(payload.text_input(values, ui.REASON_BLOCK)),
            )
    except UserError as err:
        form_error(ack, err)
        return
    ack()
    deps.defer(announce_decision, client, decision, pressed=press.card, confirm=press.confirm())
    deps.defer(refresh_summaries, deps, client, press.team_id)


def register(app: App, quote: CommandRouter) -> None:
    quote.add_all(SUBCOMMANDS)
    app.action(ui.APPROVE)(quote.ack_first(handle_approve))
    app.action(ui.EDIT)(quote.ack_first(handle_edit))
    app.action(ui.REJECT)(quote.ack_first(handle_reject))
    app.view(ui.EDIT_MODAL)(quote.ack_first(handle_edit_view))
    app.view(ui.REJECT_MODAL)(quote.ack_first(handle_reject_view))
