"""Submitting a quote: ``/quote add``, the "Save as leadership quote" shortcut's form, and
the App Home's form; then, after the ack, the consent request or the review cards.

Every way in is validated the same way (services.quote_input), its author checked
(``quote_authors``), and stored by ``submissions.submit`` within the per-member limits.
Routing to consent or review, and the DMs, happen after the ack.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient

from bot.blocks import Message
from bot.blocks import submissions as ui
from bot.deps import Deps
from bot.errors import UsageError, UserError
from bot.flows.quote_authors import NOT_CHECKED, Unchecked, limits, member_named, names_of, quotable, warm_names
from bot.flows.review_queue import send_to_review
from bot.gateway import review as slack
from bot.services import submissions
from bot.services.quote_input import (
    EXAMPLE,
    UNKNOWN_AUTHOR,
    clean_markup,
    mention_ids,
    parse_add,
    split_quote,
    validate,
)
from bot.services.submissions import SubmissionView
from bot.services.text import escape


@dataclass(frozen=True)
class Submitter:
    team_id: str
    enterprise_id: str | None
    user_id: str


# -- /quote add and /quote mine ---------------------------------------------------------------


@dataclass(frozen=True)
class AddQuote:
    """``/quote add <args>``; the answer goes to ``respond`` when it can't be given at once."""

    who: Submitter
    args: str
    # A private answer after the ack (the command's response_url): text, and blocks if any.
    respond: Callable[[str, list[dict[str, Any]] | None], None]


def add_quote(deps: Deps, client: WebClient, req: AddQuote) -> Message | None:
    """The reply to ``/quote add``; None: the author's name is being checked, and the
    answer follows through ``req.respond``."""
    team_id = req.who.team_id
    names = names_of(deps, client, team_id, mention_ids(req.args))
    parsed = parse_add(req.args, names)
    if parsed.author_user_id is not None and not quotable(deps, client, team_id, parsed.author_user_id):
        raise UsageError(
            f"I can't find <@{parsed.author_user_id}> among this workspace's members, so I can't ask them. "
            f"Name the author in plain text instead, for example: `{EXAMPLE}`"
        )
    member = parsed.author_user_id or member_named(deps, client, team_id, parsed.author)
    if isinstance(member, Unchecked):
        # Empty ack now; the answer follows through response_url once the list is in.
        deps.defer(_finish_add, deps, client, req, parsed.text, parsed.author)
        return None
    return _add(deps, client, req.who, parsed.text, _byline(deps, client, team_id, parsed.author, member), member)


def _byline(deps: Deps, client: WebClient, team_id: str, author: str, member: str | None) -> str:
    """``— @bob`` names a member by handle: the quote is credited to their name."""
    if member is None or not author.startswith("@"):
        return author
    user = deps.users.get(client, team_id=team_id, user_id=member)
    return user.display if user is not None and not user.deleted else author


def _add(deps: Deps, client: WebClient, who: Submitter, text: str, author: str, member: str | None) -> Message:
    with deps.sessions.begin() as session:
        sub = submissions.submit(
            session,
            team_id=who.team_id,
            enterprise_id=who.enterprise_id,
            submitter_id=who.user_id,
            text=text,
            author=author,
            author_user_id=member,
            via="command",
            now=deps.clock(),
            limits=limits(deps),
        )
    deps.defer(route_submission, deps, client, sub)
    return ui.submitted_message(sub)


def _finish_add(deps: Deps, client: WebClient, req: AddQuote, text: str, author: str) -> None:
    """`/quote add` whose author could not be checked within the ack's time."""
    try:
        member = member_named(deps, client, req.who.team_id, author, wait=None)
        if isinstance(member, Unchecked):
            raise UserError(NOT_CHECKED.format(author=escape(author)))
        reply = _add(deps, client, req.who, text, _byline(deps, client, req.who.team_id, author, member), member)
    except UserError as err:
        req.respond(err.message, None)
        return
    req.respond(reply.text, reply.blocks)


def list_mine(deps: Deps, who: Submitter) -> Message:
    with deps.sessions.begin() as session:
        listing = submissions.list_mine(session, team_id=who.team_id, user_id=who.user_id)
    return ui.mine_message(listing)


# -- the forms --------------------------------------------------------------------------------


def open_form(deps: Deps, client: WebClient, *, team_id: str, trigger_id: str) -> None:
    """The App Home's "Submit a quote": an empty form, and the member list loading meanwhile."""
    deps.defer(slack.open_view, client, trigger_id, ui.submit_modal(metadata={"via": "home"}))
    deps.defer(warm_names, deps, client, team_id)


@dataclass(frozen=True)
class SavedMessage:
    """The shortcut on a message: its text and, unless a bot posted it, who posted it."""

    team_id: str
    trigger_id: str
    raw: str
    poster: str | None


def save_message(deps: Deps, client: WebClient, req: SavedMessage) -> None:
    """The shortcut: its form follows the ack (filling it in asks Slack for names)."""
    deps.defer(_open_prefilled_form, deps, client, req)


def _open_prefilled_form(deps: Deps, client: WebClient, req: SavedMessage) -> None:
    """The shortcut's form, pre-filled from the message.

    A message in the ``"text" — Author`` form is split; any other message is the quote
    and its poster the author, so quoting a teammate's words asks for their consent.
    """
    team_id, poster = req.team_id, req.poster
    warm_names(deps, client, team_id)
    ids = mention_ids(req.raw) + ([poster] if poster else [])
    names = names_of(deps, client, team_id, ids)
    parsed = split_quote(req.raw, names, require_quotes=True)
    if parsed is not None and parsed.author != UNKNOWN_AUTHOR:
        text, author = parsed.text, parsed.author
        mentioned = parsed.author_user_id
        author_user_id = mentioned if quotable(deps, client, team_id, mentioned) else None
    else:
        text = clean_markup(req.raw, names)
        author_user_id = poster if quotable(deps, client, team_id, poster) else None
        author = names.get(poster or "", "")
    meta = {"via": "shortcut", "author_user_id": author_user_id, "author_name": author}
    slack.open_view(client, req.trigger_id, ui.submit_modal(metadata=meta, text=text, author=author))


@dataclass(frozen=True)
class QuoteForm:
    """The submit form's values, as plain values."""

    who: Submitter
    text: str
    author: str
    source: str
    tags: tuple[str, ...]
    via: str
    # The member whose message was saved, while the pre-filled author name is left as it was.
    prefilled_member: str | None = None


@dataclass(frozen=True)
class FormTaken:
    """A form that passed its checks: stored, or (author not checked yet) to finish later."""

    form: QuoteForm
    sub: SubmissionView | None


def take_form(deps: Deps, client: WebClient, form: QuoteForm) -> FormTaken:
    """Check and store the form before its ack; a ``UserError`` goes under its field."""
    _, author, _ = validate(form.text, form.author, form.source, form=True)
    # The pre-filled member stands while the name is left as it was; any other name
    # (or the same one with invisible characters) is looked up like a typed one.
    member = (
        form.prefilled_member
        if form.prefilled_member is not None
        else member_named(deps, client, form.who.team_id, author, form=True)
    )
    if isinstance(member, Unchecked):
        return FormTaken(form=form, sub=None)
    return FormTaken(form=form, sub=_submit_form(deps, form, member))


def after_form(deps: Deps, client: WebClient, taken: FormTaken) -> None:
    """Once the form is acked: the DM and the routing, or the check that had to wait."""
    if taken.sub is None:
        deps.defer(_finish_form, deps, client, taken.form)
    else:
        deps.defer(_after_form_submit, deps, client, taken.sub)


def _submit_form(deps: Deps, form: QuoteForm, member: str | None) -> SubmissionView:
    with deps.sessions.begin() as session:
        return submissions.submit(
            session,
            team_id=form.who.team_id,
            enterprise_id=form.who.enterprise_id,
            submitter_id=form.who.user_id,
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


def _finish_form(deps: Deps, client: WebClient, form: QuoteForm) -> None:
    """A form whose author could not be checked in time: finish it and tell them by DM."""
    try:
        _, author, _ = validate(form.text, form.author, form.source, form=True)
        member = member_named(deps, client, form.who.team_id, author, wait=None, form=True)
        if isinstance(member, Unchecked):
            raise UserError(NOT_CHECKED.format(author=escape(author)))
        sub = _submit_form(deps, form, member)
    except UserError as err:
        slack.send_form_result(client, user_id=form.who.user_id, text=f"Your quote was not saved. {err.message}")
        return
    _after_form_submit(deps, client, sub)


def _after_form_submit(deps: Deps, client: WebClient, sub: SubmissionView) -> None:
    slack.send_submitted(client, sub)
    route_submission(deps, client, sub)


# -- after the ack ------------------------------------------------------------------------------


def route_submission(deps: Deps, client: WebClient, sub: SubmissionView) -> None:
    """Flag any near-duplicate, then ask the quoted member first when needed; otherwise
    straight to review."""
    with deps.sessions.begin() as session:
        sub = submissions.flag_near_duplicate(session, team_id=sub.team_id, submission_id=sub.id)
    if sub.needs_consent and sub.author_user_id:
        slack.ask_consent(client, sub, member_id=sub.author_user_id)
        return
    send_to_review(deps, client, sub)
