"""Team quote submissions over Slack: `/quote add|mine|review|optout|optin|top|search`,
the "Save as leadership quote" shortcut, the App Home "Submit a quote" button, the
review/consent buttons and modals, and reaction events on the daily posts.

Listeners translate: read the payload into plain values, call a service in one unit of
work, build blocks, ack. Everything that talks to Slack afterwards (views.open with the
trigger id, review cards, DMs, chat.update) runs after the ack through ``deps.defer``.
Who may approve is checked here, on the server, for every press and every modal submit.

Naming a member. A quote whose author is a member, however written (a mention, ``@handle``,
display or real name, any case, look-alike letters or invisible characters), needs that
member's consent, and is refused outright if they opted out. Mentions are checked with
users.info; names with the member list from users.list (``UserDirectory.find_by_name``,
cached ten minutes and refreshed in the background). users.list is rate-limited and takes
many pages in a big workspace, so a request waits for a cold list at most 1.5 s; past that,
the submission is finished after the ack (``deps.defer``) and answered through the command's
response_url (or, from a form, by DM). Nothing is stored until the author has been checked.
"""

from __future__ import annotations

import functools
import json
import logging
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import submissions as ui
from bot.deps import Deps
from bot.errors import NotAllowed, NotFound, UsageError, UserError
from bot.gateway.roles import configured_admins, is_admin
from bot.gateway.users import NAMES_WAIT
from bot.listeners.router import CommandContext, Reply, Routers
from bot.services import favourites, submissions
from bot.services.quote_input import (
    EXAMPLE,
    QUOTE_TAGS,
    UNKNOWN_AUTHOR,
    clean_form_value,
    clean_markup,
    mention_ids,
    parse_add,
    split_quote,
    validate,
)
from bot.services.submissions import MAX_ID, REVIEW_CARDS_MAX, Decision, Limits, ReviewTarget, SubmissionView
from bot.services.text import escape

log = logging.getLogger(__name__)
_FORM_BLOCKS = {ui.TEXT_BLOCK, ui.AUTHOR_BLOCK, ui.SOURCE_BLOCK, ui.TAGS_BLOCK, ui.REASON_BLOCK}


# -- payload parsing -------------------------------------------------------------------------


@dataclass(frozen=True)
class Press:
    """A button press, as plain values."""

    team_id: str
    enterprise_id: str | None
    user_id: str
    submission_id: int
    trigger_id: str
    response_url: str | None
    channel_id: str | None
    message_ts: str | None


def _team(body: dict[str, Any]) -> tuple[str, str | None]:
    team = body.get("team") or {}
    enterprise = body.get("enterprise") or {}
    team_id = team.get("id") or (body.get("user") or {}).get("team_id") or body.get("team_id") or ""
    return team_id, enterprise.get("id") or body.get("enterprise_id") or None


def _submission_id(raw: Any) -> int:
    text = str(raw or "")
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses. Ids are
    # 32-bit in the database: a larger one would be a database error, not "no such".
    if not (text.isascii() and text.isdigit()) or len(text) > 12 or not 1 <= int(text) <= MAX_ID:
        raise NotFound(
            "That button refers to no quote I know: no such submission. Run `/quote review` for the current list."
        )
    return int(text)


def _press(body: dict[str, Any]) -> Press:
    team_id, enterprise_id = _team(body)
    action = (body.get("actions") or [{}])[0]
    container = body.get("container") or {}
    return Press(
        team_id=team_id,
        enterprise_id=enterprise_id,
        user_id=(body.get("user") or {}).get("id", ""),
        submission_id=_submission_id(action.get("value")),
        trigger_id=body.get("trigger_id", ""),
        response_url=body.get("response_url"),
        channel_id=container.get("channel_id") or (body.get("channel") or {}).get("id"),
        message_ts=container.get("message_ts") or (body.get("message") or {}).get("ts"),
    )


def _input(values: dict[str, Any], block: str) -> str:
    return str(((values.get(block) or {}).get(block) or {}).get("value") or "")


def _tags(values: dict[str, Any]) -> list[str]:
    selected = ((values.get(ui.TAGS_BLOCK) or {}).get(ui.TAGS_BLOCK) or {}).get("selected_options") or []
    return [str(o.get("value")) for o in selected if o.get("value") in QUOTE_TAGS]


def _metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


def _form_error(ack: Ack, err: UserError) -> None:
    """A problem with one field goes under that field; anything else is raised to the
    one error handler, which shows it in a pushed "Not saved" view."""
    if err.block_id in _FORM_BLOCKS:
        ack(response_action="errors", errors={err.block_id: err.message.replace("`", "")})
        return
    raise err


def _names(deps: Deps, client: WebClient, team_id: str, user_ids: list[str]) -> dict[str, str]:
    """Display names of members (users.info, cached); unknown ids are left out."""
    names: dict[str, str] = {}
    for uid in user_ids:
        user = deps.users.get(client, team_id=team_id, user_id=uid)
        if user is not None and not user.deleted:
            names[uid] = user.display
    return names


def _limits(deps: Deps) -> Limits:
    return Limits(max_pending=deps.settings.max_pending_submissions, per_day=deps.settings.max_submissions_per_day)


class _Unchecked:
    """The member list could not be had in time: the author's name is not checked yet."""


UNCHECKED = _Unchecked()


def member_named(
    deps: Deps, client: WebClient, team_id: str, author: str, *, wait: float | None = NAMES_WAIT, form: bool = False
) -> str | _Unchecked | None:
    """The id of the member ``author`` names (handle, display or real name, or id, after
    normalization), None if it names nobody, ``UNCHECKED`` if the list wasn't there in time."""
    if author == UNKNOWN_AUTHOR:
        return None
    found = deps.users.find_by_name(client, team_id=team_id, name=author, wait=wait)
    if found is None:
        return UNCHECKED
    if len(found) > 1:
        who = ", ".join(f"<@{m.id}>" for m in found[:5])
        how = (
            f"Write the one you mean by their handle in “Who said it”, for example @{found[0].name}."
            if form
            else 'Mention the one you mean, for example: `/quote add "Praise in public, coach in private." — @jordan`'
        )
        raise UsageError(
            f"“{escape(author)}” is the name of more than one member ({who}), and a quote naming a teammate "
            f"needs their OK. {how}",
            block_id=ui.AUTHOR_BLOCK,
        )
    return found[0].id if found else None


def _warm_names(deps: Deps, client: WebClient, team_id: str) -> None:
    """Start loading the member list (a form is about to be filled in) without waiting."""
    deps.users.find_by_name(client, team_id=team_id, name="-", wait=0)


NOT_CHECKED = (
    "I couldn't check whether “{author}” is a teammate (Slack didn't give me the member list), so the quote "
    "was not saved. Please try again in a minute."
)


def _quotable(deps: Deps, client: WebClient, team_id: str, user_id: str | None) -> bool:
    """A member who can be asked for consent: known, active, not a bot."""
    if not user_id:
        return False
    user = deps.users.get(client, team_id=team_id, user_id=user_id)
    return user is not None and not user.deleted and not user.is_bot


# -- after the ack: talking to Slack -----------------------------------------------------------


def _safely(what: str, call: Callable[..., Any], **kwargs: Any) -> Any:
    """One Slack call whose failure must not stop the others (logged by error code only)."""
    try:
        return call(**kwargs)
    except SlackApiError as exc:
        log.warning("%s failed: %s", what, exc.response.get("error"))
        return None


def route_submission(deps: Deps, client: WebClient, sub: SubmissionView) -> None:
    """Flag any near-duplicate, then ask the quoted member first when needed; otherwise
    straight to review."""
    with deps.sessions.begin() as session:
        sub = submissions.flag_near_duplicate(session, team_id=sub.team_id, submission_id=sub.id)
    if sub.needs_consent and sub.author_user_id:
        text, blocks = ui.consent_request(sub)
        _safely("consent request", client.chat_postMessage, channel=sub.author_user_id, text=text, blocks=blocks)
        return
    send_to_review(deps, client, sub)


def _review_targets(deps: Deps, team_id: str) -> list[str]:
    channel = deps.settings.review_channel
    return [channel] if channel else configured_admins(deps, team_id=team_id)


def send_to_review(deps: Deps, client: WebClient, sub: SubmissionView) -> None:
    """Post the review card to COACHBOT_REVIEW_CHANNEL, else (or when the bot can't post
    there) to each configured admin by DM, and remember every copy so the decision can
    update them all. With neither, the submission waits in `/quote review`.

    While more than REVIEW_CARDS_MAX quotes wait, each target gets one summary instead,
    updated in place (a flood of submissions must not become a flood of DMs)."""
    with deps.sessions.begin() as session:
        waiting = submissions.pending_count(session, team_id=sub.team_id)
    if waiting > REVIEW_CARDS_MAX:
        for target in _review_targets(deps, sub.team_id):
            job = functools.partial(_summary_work, deps, client, sub.team_id, target, create=True)
            _summaries_for(deps).request((sub.team_id, target), job)
        return
    text, blocks = ui.review_message(sub)
    posted: list[ReviewTarget] = []
    channel = deps.settings.review_channel
    for targets in ([channel] if channel else [], configured_admins(deps, team_id=sub.team_id)):
        for target in targets:
            resp = _safely("review card", client.chat_postMessage, channel=target, text=text, blocks=blocks)
            if resp is not None:
                posted.append(ReviewTarget(channel_id=resp["channel"], ts=resp["ts"]))
        if posted:
            break
    if not posted:
        log.warning("submission %s: no review card could be posted; it waits for /quote review", sub.id)
        return
    with deps.sessions.begin() as session:
        submissions.add_review_messages(session, submission_id=sub.id, targets=posted)
        current = submissions.get_submission(session, team_id=sub.team_id, submission_id=sub.id)
    if current.status != submissions.PENDING:
        # Decided (e.g. from `/quote review`) while these cards were being posted.
        _update_cards(client, current, posted)


class _Coalescer:
    """Runs one job per key at a time; calls that arrive meanwhile fold into one more run.

    300 submissions in a burst need the summary to show the last count, not 300 updates
    racing each other; with this, an update in flight is followed by at most one more.
    """

    # chat.update is rate-limited (Tier 3, about 50 a minute): at most one run a second per key.
    MIN_INTERVAL = 1.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._busy: set[tuple[str, str]] = set()
        self._dirty: set[tuple[str, str]] = set()

    def request(self, key: tuple[str, str], job: Callable[[], None]) -> None:
        with self._lock:
            if key in self._busy:
                self._dirty.add(key)
                return
            self._busy.add(key)
        try:
            while True:
                started = time.monotonic()
                job()
                time.sleep(max(0.0, started + self.MIN_INTERVAL - time.monotonic()))
                with self._lock:
                    if key not in self._dirty:
                        return
                    self._dirty.discard(key)
        finally:
            with self._lock:
                self._busy.discard(key)
                self._dirty.discard(key)


# One coalescer per app (per Deps), dropped with it.
_COALESCERS: dict[int, _Coalescer] = {}


def _summaries_for(deps: Deps) -> _Coalescer:
    key = id(deps)
    found = _COALESCERS.get(key)
    if found is None:
        found = _COALESCERS.setdefault(key, _Coalescer())
        weakref.finalize(deps, _COALESCERS.pop, key, None)
    return found


def _summary_work(deps: Deps, client: WebClient, team_id: str, target: str, *, create: bool) -> None:
    """Post the target's summary (once) or update it with the current count."""
    now = deps.clock()
    slot: submissions.SummarySlot | None
    with deps.sessions.begin() as session:
        waiting = submissions.pending_count(session, team_id=team_id)
        if create:
            slot = submissions.claim_summary(session, team_id=team_id, target_id=target, now=now)
        else:
            slot = next((s for s in submissions.summaries(session, team_id=team_id) if s.target_id == target), None)
    if slot is None:
        return
    text, blocks = ui.review_summary_message(waiting)
    if slot.claimed:
        resp = _safely("review summary", client.chat_postMessage, channel=target, text=text, blocks=blocks)
        with deps.sessions.begin() as session:
            submissions.save_summary(
                session,
                team_id=team_id,
                target_id=target,
                channel_id=resp["channel"] if resp is not None else None,
                ts=resp["ts"] if resp is not None else None,
                now=now,
            )
    elif slot.ts and slot.channel_id:
        _safely(
            "review summary update", client.chat_update, channel=slot.channel_id, ts=slot.ts, text=text, blocks=blocks
        )
        if waiting <= REVIEW_CARDS_MAX:
            with deps.sessions.begin() as session:
                submissions.forget_summary(session, team_id=team_id, target_id=target)
    # else: another request is posting it right now, and its post shows the count.


def refresh_summaries(deps: Deps, client: WebClient, team_id: str) -> None:
    """After a decision: existing summaries show the new count."""
    with deps.sessions.begin() as session:
        targets = [s.target_id for s in submissions.summaries(session, team_id=team_id)]
    for target in targets:
        job = functools.partial(_summary_work, deps, client, team_id, target, create=False)
        _summaries_for(deps).request((team_id, target), job)


def _update_cards(client: WebClient, sub: SubmissionView, targets: Sequence[ReviewTarget]) -> None:
    text, blocks = ui.decided_message(sub)
    for t in targets:
        _safely("review card update", client.chat_update, channel=t.channel_id, ts=t.ts, text=text, blocks=blocks)


def announce_decision(client: WebClient, decision: Decision, press: Press | None, respond: Respond | None) -> None:
    """Update every copy of the review card, confirm to the admin, DM the submitter."""
    sub = decision.submission
    _update_cards(client, sub, decision.review_messages)
    pressed_card = press is not None and any(
        t.channel_id == press.channel_id and t.ts == press.message_ts for t in decision.review_messages
    )
    if respond is not None and not pressed_card:
        # Pressed in the private `/quote review` list (or a modal): confirm privately.
        respond(text=f"Quote #{sub.id}: {ui.outcome_line(sub)}", response_type="ephemeral", replace_original=False)
    text, blocks = ui.outcome_dm(sub)
    _safely("outcome DM", client.chat_postMessage, channel=sub.submitter_id, text=text, blocks=blocks)


def after_consent(deps: Deps, client: WebClient, sub: SubmissionView, press: Press) -> None:
    text, blocks = ui.consent_answered(sub)
    if press.channel_id and press.message_ts:
        _safely(
            "consent card update",
            client.chat_update,
            channel=press.channel_id,
            ts=press.message_ts,
            text=text,
            blocks=blocks,
        )
    dm_text, dm_blocks = ui.outcome_dm(sub)
    _safely("consent DM", client.chat_postMessage, channel=sub.submitter_id, text=dm_text, blocks=dm_blocks)
    if sub.status == submissions.PENDING:
        send_to_review(deps, client, sub)


def _open_view(client: WebClient, trigger_id: str, view: dict[str, Any]) -> None:
    _safely("views.open", client.views_open, trigger_id=trigger_id, view=view)


def open_prefilled_modal(
    deps: Deps, client: WebClient, *, team_id: str, trigger_id: str, raw: str, poster: str | None
) -> None:
    """The shortcut's modal, pre-filled from the message.

    A message in the ``"text" — Author`` form is split; any other message is the quote
    and its poster the author, so quoting a teammate's words asks for their consent.
    """
    _warm_names(deps, client, team_id)
    ids = mention_ids(raw) + ([poster] if poster else [])
    names = _names(deps, client, team_id, ids)
    parsed = split_quote(raw, names, require_quotes=True)
    if parsed is not None and parsed.author != UNKNOWN_AUTHOR:
        text, author = parsed.text, parsed.author
        mentioned = parsed.author_user_id
        author_user_id = mentioned if _quotable(deps, client, team_id, mentioned) else None
    else:
        text = clean_markup(raw, names)
        author_user_id = poster if _quotable(deps, client, team_id, poster) else None
        author = names.get(poster or "", "")
    meta = {"via": "shortcut", "author_user_id": author_user_id, "author_name": author}
    _open_view(client, trigger_id, ui.submit_modal(metadata=meta, text=text, author=author))


# -- slash commands -----------------------------------------------------------------------------


def handle_add(ctx: CommandContext) -> Reply | None:
    raw = ctx.args
    names = _names(ctx.deps, ctx.client, ctx.team_id, mention_ids(raw))
    parsed = parse_add(raw, names)
    if parsed.author_user_id is not None and not _quotable(ctx.deps, ctx.client, ctx.team_id, parsed.author_user_id):
        raise UsageError(
            f"I can't find <@{parsed.author_user_id}> among this workspace's members, so I can't ask them. "
            f"Name the author in plain text instead, for example: `{EXAMPLE}`"
        )
    member = parsed.author_user_id or member_named(ctx.deps, ctx.client, ctx.team_id, parsed.author)
    if isinstance(member, _Unchecked):
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


def _add(ctx: CommandContext, text: str, author: str, member: str | None) -> Reply:
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
            limits=_limits(ctx.deps),
        )
    ctx.deps.defer(route_submission, ctx.deps, ctx.client, sub)
    reply_text, blocks = ui.submitted_message(sub)
    return Reply(text=reply_text, blocks=blocks)


def _finish_add(ctx: CommandContext, text: str, author: str) -> None:
    """`/quote add` whose author could not be checked within the ack's time."""
    respond = Respond(response_url=ctx.response_url)
    try:
        member = member_named(ctx.deps, ctx.client, ctx.team_id, author, wait=None)
        if isinstance(member, _Unchecked):
            raise UserError(NOT_CHECKED.format(author=escape(author)))
        reply = _add(ctx, text, _byline(ctx, author, member), member)
    except UserError as err:
        respond(text=err.message, response_type="ephemeral")
        return
    respond(text=reply.text, blocks=reply.blocks, response_type="ephemeral")


def handle_mine(ctx: CommandContext) -> Reply:
    with ctx.deps.sessions.begin() as session:
        listing = submissions.list_mine(session, team_id=ctx.team_id, user_id=ctx.user_id)
    text, blocks = ui.mine_message(listing)
    return Reply(text=text, blocks=blocks)


def handle_review(ctx: CommandContext) -> Reply:
    if not is_admin(ctx.deps, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id):
        raise NotAllowed("Only coachbot admins can review submitted quotes. To see your own, use `/quote mine`.")
    with ctx.deps.sessions.begin() as session:
        listing = submissions.list_pending(session, team_id=ctx.team_id)
    text, blocks = ui.pending_message(listing)
    return Reply(text=text, blocks=blocks)


def _no_arguments(ctx: CommandContext) -> None:
    """Opting out/in is about the person typing; `/quote optout @bob` must not opt *them* out."""
    if ctx.args.strip():
        raise UsageError(
            f"`{ctx.command} {ctx.name}` takes no arguments: it is about you, the person typing it. "
            f"For example: `{ctx.command} {ctx.name}`"
        )


def handle_optout(ctx: CommandContext) -> Reply:
    _no_arguments(ctx)
    # Quotes naming them in plain text are theirs too (users.info, cached).
    me = ctx.deps.users.get(ctx.client, team_id=ctx.team_id, user_id=ctx.user_id)
    names = [me.name, me.real_name, me.display_name] if me is not None else []
    with ctx.deps.sessions.begin() as session:
        result = submissions.opt_out(
            session, team_id=ctx.team_id, user_id=ctx.user_id, now=ctx.deps.clock(), names=names
        )
    if result.retired_quotes:
        ctx.deps.quote_pool.invalidate(ctx.team_id)
    for decision in result.withdrawn:
        ctx.deps.defer(announce_decision, ctx.client, decision, None, None)
    lines = [
        "You were already opted out." if result.already else "Done: coachbot won't accept quotes attributed to you."
    ]
    if result.withdrawn:
        lines.append(f"I withdrew {ui.plural(len(result.withdrawn), 'quote')} of yours that were waiting.")
    if result.retired_quotes:
        lines.append(f"{ui.plural(result.retired_quotes, 'approved quote')} of yours left the daily rotation.")
    lines.append("Changed your mind? `/quote optin`")
    return Reply(text="\n".join(lines))


def handle_optin(ctx: CommandContext) -> Reply:
    _no_arguments(ctx)
    with ctx.deps.sessions.begin() as session:
        was_out = submissions.opt_in(session, team_id=ctx.team_id, user_id=ctx.user_id)
    if not was_out:
        return Reply(text="You weren't opted out. Teammates can quote you, and each quote still needs your OK.")
    return Reply(
        text="Done: teammates can quote you again, and each quote still needs your OK. "
        "Quotes withdrawn when you opted out stay withdrawn; they can be submitted again."
    )


def handle_top(ctx: CommandContext) -> Reply:
    window = favourites.parse_window(ctx.args)
    with ctx.deps.sessions.begin() as session:
        top = favourites.top_quotes(session, team_id=ctx.team_id, window=window, now=ctx.deps.clock())
    text, blocks = ui.top_message(top, window)
    return Reply(text=text, blocks=blocks)


def handle_search(ctx: CommandContext) -> Reply:
    with ctx.deps.sessions.begin() as session:
        result = favourites.search_quotes(session, team_id=ctx.team_id, query=ctx.args)
    text, blocks = ui.search_message(result)
    return Reply(text=text, blocks=blocks)


# -- ways in: shortcut, App Home button, the submit modal ----------------------------------------


def handle_save_shortcut(ack: Ack, shortcut: dict[str, Any], client: WebClient, deps: Deps) -> None:
    ack()
    team_id, _ = _team(shortcut)
    message = shortcut.get("message") or {}
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


def handle_open_submit(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps) -> None:
    ack()
    deps.defer(_open_view, client, body.get("trigger_id", ""), ui.submit_modal(metadata={"via": "home"}))
    deps.defer(_warm_names, deps, client, _team(body)[0])


def handle_submit_view(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, deps: Deps) -> None:
    team_id, enterprise_id = _team(body)
    user_id = (body.get("user") or {}).get("id", "")
    meta = _metadata(view)
    values = (view.get("state") or {}).get("values") or {}
    via = str(meta["via"]) if meta.get("via") in ("shortcut", "home") else "modal"
    author_raw = clean_form_value(_input(values, ui.AUTHOR_BLOCK))
    # The member whose message was saved stays the quoted member only while the
    # pre-filled author name is left as it was.
    prefilled = meta.get("author_user_id") if author_raw and author_raw == meta.get("author_name") else None
    form = _Form(
        team_id=team_id,
        enterprise_id=enterprise_id,
        user_id=user_id,
        text=clean_form_value(_input(values, ui.TEXT_BLOCK)),
        author=author_raw,
        source=clean_form_value(_input(values, ui.SOURCE_BLOCK)),
        tags=tuple(_tags(values)),
        via=via,
    )
    try:
        _, author, _ = validate(form.text, form.author, form.source, form=True)
        # The pre-filled member stands while the name is left as it was; any other name
        # (or the same one with invisible characters) is looked up like a typed one.
        member = prefilled if isinstance(prefilled, str) else member_named(deps, client, team_id, author, form=True)
        if isinstance(member, _Unchecked):
            ack()
            deps.defer(_finish_form, deps, client, form)
            return
        sub = _submit_form(deps, form, member)
    except UserError as err:
        _form_error(ack, err)
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
            limits=_limits(deps),
            form=True,
        )


def _finish_form(deps: Deps, client: WebClient, form: _Form) -> None:
    """A form whose author could not be checked in time: finish it and tell them by DM."""
    try:
        _, author, _ = validate(form.text, form.author, form.source, form=True)
        member = member_named(deps, client, form.team_id, author, wait=None, form=True)
        if isinstance(member, _Unchecked):
            raise UserError(NOT_CHECKED.format(author=escape(author)))
        sub = _submit_form(deps, form, member)
    except UserError as err:
        _safely(
            "form result DM",
            client.chat_postMessage,
            channel=form.user_id,
            text=f"Your quote was not saved. {err.message}",
        )
        return
    _after_modal_submit(deps, client, sub)


def _after_modal_submit(deps: Deps, client: WebClient, sub: SubmissionView) -> None:
    text, blocks = ui.submitted_message(sub, form=True)
    _safely("submitted DM", client.chat_postMessage, channel=sub.submitter_id, text=text, blocks=blocks)
    route_submission(deps, client, sub)


# -- review buttons and modals -------------------------------------------------------------------


def handle_approve(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, deps: Deps) -> None:
    ack()
    press = _press(body)
    admin = is_admin(deps, client, team_id=press.team_id, user_id=press.user_id)
    decision = _approve(deps, press, actor_is_admin=admin)
    deps.defer(announce_decision, client, decision, press, respond)
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
    press = _press(body)
    admin = is_admin(deps, client, team_id=press.team_id, user_id=press.user_id)
    with deps.sessions.begin() as session:
        sub = submissions.check_pending(
            session, team_id=press.team_id, submission_id=press.submission_id, actor_is_admin=admin
        )
    meta = {"id": sub.id, "channel": press.channel_id, "ts": press.message_ts, "response_url": press.response_url}
    deps.defer(_open_view, client, press.trigger_id, build(sub, metadata=meta))


def handle_edit(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps) -> None:
    ack()
    _open_decision_modal(body, client, deps, ui.edit_modal)
    deps.defer(_warm_names, deps, client, _team(body)[0])


def handle_reject(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps) -> None:
    ack()
    _open_decision_modal(body, client, deps, ui.reject_modal)


def _modal_press(body: dict[str, Any], view: dict[str, Any]) -> tuple[Press, dict[str, Any]]:
    team_id, enterprise_id = _team(body)
    meta = _metadata(view)
    press = Press(
        team_id=team_id,
        enterprise_id=enterprise_id,
        user_id=(body.get("user") or {}).get("id", ""),
        submission_id=_submission_id(meta.get("id")),
        trigger_id=body.get("trigger_id", ""),
        response_url=meta.get("response_url"),
        channel_id=meta.get("channel"),
        message_ts=meta.get("ts"),
    )
    return press, (view.get("state") or {}).get("values") or {}


def _respond_for(press: Press) -> Respond | None:
    return Respond(response_url=press.response_url) if press.response_url else None


def handle_edit_view(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, deps: Deps) -> None:
    press, values = _modal_press(body, view)
    admin = is_admin(deps, client, team_id=press.team_id, user_id=press.user_id)
    try:
        text, author, _ = validate(
            clean_form_value(_input(values, ui.TEXT_BLOCK)),
            clean_form_value(_input(values, ui.AUTHOR_BLOCK)),
            None,
            form=True,
        )
        if admin:
            _refuse_a_newly_named_member(deps, client, press, author)
        decision = _approve(deps, press, actor_is_admin=admin, text=text, author=author)
    except UserError as err:
        _form_error(ack, err)
        return
    ack()
    deps.defer(announce_decision, client, decision, press, _respond_for(press))
    deps.defer(refresh_summaries, deps, client, press.team_id)


def _refuse_a_newly_named_member(deps: Deps, client: WebClient, press: Press, author: str) -> None:
    """An edit may not name a teammate who was never asked: approving can't wait for consent."""
    member = member_named(deps, client, press.team_id, author, form=True)
    if member is None:
        return
    if isinstance(member, _Unchecked):
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
    press, values = _modal_press(body, view)
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
                reason=clean_form_value(_input(values, ui.REASON_BLOCK)),
            )
    except UserError as err:
        _form_error(ack, err)
        return
    ack()
    deps.defer(announce_decision, client, decision, press, _respond_for(press))
    deps.defer(refresh_summaries, deps, client, press.team_id)


# -- consent buttons ------------------------------------------------------------------------------


def _consent(body: dict[str, Any], client: WebClient, deps: Deps, *, allow: bool) -> None:
    press = _press(body)
    with deps.sessions.begin() as session:
        sub = submissions.answer_consent(
            session,
            team_id=press.team_id,
            submission_id=press.submission_id,
            user_id=press.user_id,
            allow=allow,
            now=deps.clock(),
        )
    deps.defer(after_consent, deps, client, sub, press)


def handle_consent_allow(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps) -> None:
    ack()
    _consent(body, client, deps, allow=True)


def handle_consent_decline(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps) -> None:
    ack()
    _consent(body, client, deps, allow=False)


# -- reactions on the daily posts -------------------------------------------------------------------


def _reaction(body: dict[str, Any], event: dict[str, Any], deps: Deps, *, added: bool) -> None:
    item = event.get("item") or {}
    if item.get("type") != "message" or not item.get("channel") or not item.get("ts"):
        return
    with deps.sessions.begin() as session:
        favourites.record_reaction(
            session,
            team_id=body.get("team_id") or "",
            channel_id=str(item["channel"]),
            message_ts=str(item["ts"]),
            user_id=str(event.get("user") or ""),
            reaction=str(event.get("reaction") or "")[:100],
            added=added,
            now=deps.clock(),
        )


def handle_reaction_added(body: dict[str, Any], event: dict[str, Any], deps: Deps) -> None:
    _reaction(body, event, deps, added=True)


def handle_reaction_removed(body: dict[str, Any], event: dict[str, Any], deps: Deps) -> None:
    _reaction(body, event, deps, added=False)


def register(app: App, routers: Routers) -> None:
    quote = routers.quote
    quote.add(
        "add",
        handle_add,
        usage='add "text" — Author',
        example='add "Praise in public, coach in private." — Jordan Lee',
        summary="Suggest a quote for the team's daily posts (an admin reviews it; quoting a teammate "
        "as `— @name` asks them first).",
    )
    quote.add("mine", handle_mine, usage="mine", example="mine", summary="Your submitted quotes and their status.")
    quote.add("review", handle_review, usage="review", example="review", summary="Quotes waiting for review (admins).")
    quote.add(
        "optout",
        handle_optout,
        usage="optout",
        example="optout",
        summary="Never be quoted: refuses and withdraws quotes attributed to you.",
    )
    quote.add("optin", handle_optin, usage="optin", example="optin", summary="Allow teammates to quote you again.")
    quote.add(
        "top",
        handle_top,
        usage="top [30d|90d|all]",
        example="top 90d",
        summary="The team's most-reacted daily quotes (default: last 30 days).",
    )
    quote.add(
        "search",
        handle_search,
        usage="search words",
        example="search drucker customer",
        summary="Find quotes by words in their text or author.",
    )
    app.shortcut(ui.SHORTCUT)(handle_save_shortcut)
    app.action(ui.SUBMIT_OPEN)(handle_open_submit)
    app.view(ui.SUBMIT_MODAL)(handle_submit_view)
    app.action(ui.APPROVE)(handle_approve)
    app.action(ui.EDIT)(handle_edit)
    app.action(ui.REJECT)(handle_reject)
    app.view(ui.EDIT_MODAL)(handle_edit_view)
    app.view(ui.REJECT_MODAL)(handle_reject_view)
    app.action(ui.CONSENT_ALLOW)(handle_consent_allow)
    app.action(ui.CONSENT_DECLINE)(handle_consent_decline)
    app.event("reaction_added")(handle_reaction_added)
    app.event("reaction_removed")(handle_reaction_removed)
