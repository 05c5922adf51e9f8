"""Sending a quote in: ``/quote add``, the "Save as leadership quote" shortcut, the App Home's
"Submit a quote" button and the form they open; and ``/quote mine``.

One flow, one file. Every way in is validated the same way (services.quote_input) and stored
by ``submissions.submit`` within the per-member limits; routing to consent or review, and the
DMs, happen after the ack (bot.gateway.review).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.blocks import Message
from bot.blocks import submissions as ui
from bot.blocks.daily import own_post_shortcut_message
from bot.deps import Deps
from bot.errors import UsageError, UserError
from bot.gateway.calls import post
from bot.gateway.review import open_view, route_submission
from bot.listeners import payload
from bot.listeners.router import CommandContext, CommandRouter, Subcommand, declare
from bot.listeners.submissions.common import (
    NOT_CHECKED,
    Unchecked,
    form_error,
    limits,
    member_named,
    names_of,
    quotable,
    tags,
    warm_names,
)
from bot.services import submissions
from bot.services.quote_input import (
    EXAMPLE,
    UNKNOWN_AUTHOR,
    clean_form_value,
    clean_markup,
    mention_ids,
    parse_add,
    split_quote,
    validate,
)
from bot.services.submissions import SubmissionView
from bot.services.text import escape

SUBCOMMANDS: list[Subcommand] = []


def open_prefilled_modal(
    deps: Deps, client: WebClient, *, team_id: str, trigger_id: str, raw: str, poster: str | None
) -> None:
    """The shortcut's modal, pre-filled from the message.

    A message in the ``"text" — Author`` form is split; any other message is the quote
    and its poster the author, so quoting a teammate's words asks for their consent.
    """
    warm_names(deps, client, team_id)
    ids = mention_ids(raw) + ([poster] if poster else [])
    names = names_of(deps, client, team_id, ids)
    parsed = split_quote(raw, names, require_quotes=True)
    if parsed is not None and parsed.author != UNKNOWN_AUTHOR:
        text, author = parsed.text, parsed.author
        mentioned = parsed.author_user_id
        author_user_id = mentioned if quotable(deps, client, team_id, mentioned) else None
    else:
        text = clean_markup(raw, names)
        author_user_id = poster if quotable(deps, client, team_id, poster) else None
        author = names.get(poster or "", "")
    meta = {"via": "shortcut", "author_user_id": author_user_id, "author_name": author}
    open_view(client, trigger_id, ui.submit_modal(metadata=meta, text=text, author=author))


# -- /quote add and /quote mine ---------------------------------------------------------------


@declare(
    SUBCOMMANDS,
    "add",
    usage='add "text" — Author',
    example='add "Praise in public, coach in private." — Jordan Lee',
    summary="Suggest a quote for the team's daily posts (an admin reviews it; quoting a teammate "
    "as `— @name` asks them first).",
)
def handle_add(ctx: CommandContext) -> Message | None:
    raw = ctx.args
    names = names_of(ctx.deps, ctx.client, ctx.team_id, mention_ids(raw))
    parsed = parse_add(raw, names)
    if parsed.author_user_id is not None and not quotable(ctx.deps, ctx.client, ctx.team_id, parsed.author_user_id):
        raise UsageError(
            f"I can't find <@{parsed.author_user_id}> among this workspace's members, so I can't ask them. "
            f"Name the author in plain text instead, for example: `{EXAMPLE}`"
        )
    member = parsed.author_user_id or member_named(ctx.deps, ctx.client, ctx.team_id, parsed.author)
    if isinstance(member, Unchecked):
        # Empty ack now; the answer follows through response_url once the list is in.
        ctx.deps.defer(_finish_add, ctx, parsed.text, parsed.author)
        return None
    return _add(ctx, parsed.text, _byline(ctx, parsed.author, member), member)


def _byline(ctx: CommandContext, author: str, member: str | None) -> str:
    """``— @bob`` names a member by handle: the quote is credited to their name."""
    if member is None or not author.startswith("@"):
        return author
    user = ctx.deps.users.get(ctx.client, team_id=ctx.team_id, user_id=member)
    return user.display if user is not None and not user.deleted else author


def _add(ctx: CommandContext, text: str, author: str, member: str | None) -> Message:
    with ctx.deps.sessions.begin() as session:
        sub = submissions.submit(
            session,
            team_id=ctx.team_id,
            enterprise_id=ctx.enterprise_id,
            submitter_id=ctx.user_id,
            text=text,
            author=author,
            author_user_id=member,
            via="command",
            now=ctx.deps.clock(),
            limits=limits(ctx.deps),
        )
    ctx.deps.defer(route_submission, ctx.deps, ctx.client, sub)
    message = ui.submitted_message(sub)
    return message


def _finish_add(ctx: CommandContext, text: str, author: str) -> None:
    """`/quote add` whose author could not be checked within the ack's time."""
    respond = Respond(response_url=ctx.response_url)
    try:
        member = member_named(ctx.deps, ctx.client, ctx.team_id, author, wait=None)
        if isinstance(member, Unchecked):
            raise UserError(NOT_CHECKED.format(author=escape(author)))
        reply = _add(ctx, text, _byline(ctx, author, member), member)
    except UserError as err:
        respond(text=err.message, response_type="ephemeral")
        return
    respond(text=reply.text, blocks=reply.blocks, response_type="ephemeral")


@declare(
    SUBCOMMANDS, "mine", usage="mine", example="mine", summary="Your submitted quotes and their status.", read_only=True
)
def handle_mine(ctx: CommandContext) -> Message:
    with ctx.deps.sessions.begin() as session:
        listing = submissions.list_mine(session, team_id=ctx.team_id, user_id=ctx.user_id)
    message = ui.mine_message(listing)
    return message


# -- the shortcut, the App Home button and the form ----------------------------------------------


def handle_save_shortcut(
    ack: Ack, shortcut: dict[str, Any], client: WebClient, deps: Deps, context: BoltContext, respond: Respond
) -> None:
    ack()
    team_id = payload.actor(shortcut).team_id
    message = shortcut.get("message") or {}
    if _own_post(message, context):
        reply = own_post_shortcut_message()
        deps.defer(respond, text=reply.text, blocks=reply.blocks, response_type="ephemeral")
        return
    poster = None if message.get("bot_id") else message.get("user")
    deps.defer(
        open_prefilled_modal,
        deps,
        client,
        team_id=team_id,
        trigger_id=shortcut.get("trigger_id", ""),
        raw=str(message.get("text") or ""),
        poster=poster,
    )


def _own_post(message: dict[str, Any], context: BoltContext) -> bool:
    """A post of this app (a daily quote, a prompt): what it shows is in rotation already."""
    bot_id, bot_user = message.get("bot_id"), message.get("user")
    return bool(bot_id and bot_id == context.bot_id) or bool(bot_user and bot_user == context.bot_user_id)


def handle_open_submit(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps) -> None:
    ack()
    deps.defer(open_view, client, payload.trigger_id(body), ui.submit_modal(metadata={"via": "home"}))
    deps.defer(warm_names, deps, client, payload.actor(body).team_id)


def handle_submit_view(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, deps: Deps) -> None:
    who = payload.actor(body)
    team_id, enterprise_id, user_id = who.team_id, who.enterprise_id, who.user_id
    meta = payload.metadata_json(view)
    values = payload.view_values(view)
    via = str(meta["via"]) if meta.get("via") in ("shortcut", "home") else "modal"
    author_raw = clean_form_value(payload.text_input(values, ui.AUTHOR_BLOCK))
    # The member whose message was saved stays the quoted member only while the
    # pre-filled author name is left as it was.
    prefilled = meta.get("author_user_id") if author_raw and author_raw == meta.get("author_name") else None
    form = _Form(
        team_id=team_id,
        enterprise_id=enterprise_id,
        user_id=user_id,
        text=clean_form_value(payload.text_input(values, ui.TEXT_BLOCK)),
        author=author_raw,
        source=clean_form_value(payload.text_input(values, ui.SOURCE_BLOCK)),
        tags=tuple(tags(values)),
        via=via,
    )
    try:
        _, author, _ = validate(form.text, form.author, form.source, form=True)
        # The pre-filled member stands while the name is left as it was; any other name
        # (or the same one with invisible characters) is looked up like a typed one.
        member = prefilled if isinstance(prefilled, str) else member_named(deps, client, team_id, author, form=True)
        if isinstance(member, Unchecked):
            ack()
            deps.defer(_finish_form, deps, client, form)
            return
        sub = _submit_form(deps, form, member)
    except UserError as err:
        form_error(ack, err)
        return
    ack()
    deps.defer(_after_modal_submit, deps, client, sub)


@dataclass(frozen=True)
class _Form:
    """The submit modal's values, as plain values."""

    team_id: str
    enterprise_id: str | None
    user_id: str
    text: str
    author: str
    source: str
    tags: tuple[str, ...]
    via: str


def _submit_form(deps: Deps, form: _Form, member: str | None) -> SubmissionView:
    with deps.sessions.begin() as session:
        return submissions.submit(
            session,
            team_id=form.team_id,
            enterprise_id=form.enterprise_id,
            submitter_id=form.user_id,
            text=form.text,
            author=form.author,
            author_user_id=member,
            source=form.source,
            tags=form.tags,
            via=form.via,
            now=deps.clock(),
            limits=limits(deps),
            form=True,
        )


def _finish_form(deps: Deps, client: WebClient, form: _Form) -> None:
    """A form whose author could not be checked in time: finish it and tell them by DM."""
    try:
        _, author, _ = validate(form.text, form.author, form.source, form=True)
        member = member_named(deps, client, form.team_id, author, wait=None, form=True)
        if isinstance(member, Unchecked):
            raise UserError(NOT_CHECKED.format(author=escape(author)))
        sub = _submit_form(deps, form, member)
    except UserError as err:
        post(
            client,
            "form result DM",
            channel=form.user_id,
            message=Message(text=f"Your quote was not saved. {err.message}"),
        )
        return
    _after_modal_submit(deps, client, sub)


def _after_modal_submit(deps: Deps, client: WebClient, sub: SubmissionView) -> None:
    post(client, "submitted DM", channel=sub.submitter_id, message=ui.submitted_message(sub, form=True))
    route_submission(deps, client, sub)


def register(app: App, quote: CommandRouter) -> None:
    quote.add_all(SUBCOMMANDS)
    app.shortcut(ui.SHORTCUT)(handle_save_shortcut)
    app.action(ui.SUBMIT_OPEN)(handle_open_submit)
    app.view(ui.SUBMIT_MODAL)(quote.ack_first(handle_submit_view))
