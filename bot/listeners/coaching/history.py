"""Reading back your notes: list and page, search, delete (one or all), export, overview.

Every read and change is filtered on the caller's own team and user id by the service: a
note is readable only by its author, whatever a button's value says.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import Message
from bot.blocks import action_items as action_items_ui
from bot.blocks import note_form as note_form_ui
from bot.blocks import note_lists as note_lists_ui
from bot.blocks import notes as notes_ui
from bot.deps import Deps
from bot.errors import UsageError, UserError
from bot.gateway import users
from bot.listeners import answers, coach_args, payload
from bot.listeners.router import CommandContext, CommandRouter, Subcommand, declare
from bot.services import action_items, note_history, notes

log = logging.getLogger(__name__)

SUBCOMMANDS: list[Subcommand] = []
TITLE = "Coaching note"


def _zone(ctx: CommandContext) -> str | None:
    return users.user_zone(ctx.deps.users, ctx.client, team_id=ctx.team_id, user_id=ctx.user_id)


@declare(
    SUBCOMMANDS,
    "notes",
    usage="notes [@rep] [page]",
    example="notes @bob 2",
    summary="Your notes, newest first.",
    read_only=True,
)
def handle_notes(ctx: CommandContext) -> Message:
    args = coach_args.parse_notes(ctx.args)
    with ctx.deps.sessions.begin() as session:
        result = note_history.list_notes(
            session, team_id=ctx.team_id, author_id=ctx.user_id, rep_id=args.rep_id, page=args.page
        )
    return Message(text=note_lists_ui.notes_page_text(result), blocks=_page_blocks(result, _zone(ctx)))


def _page_blocks(result: note_history.NotePage, tz: str | None) -> list[dict[str, Any]]:
    """A page of the reader's own notes, each with Edit (the handler re-checks the author)."""
    return note_form_ui.with_edit_buttons(note_lists_ui.notes_page_blocks(result, tz=tz), [n.id for n in result.notes])


@declare(
    SUBCOMMANDS,
    "search",
    usage="search words",
    example="search discovery call",
    summary="Search your notes.",
    read_only=True,
)
def handle_search(ctx: CommandContext) -> Message:
    with ctx.deps.sessions.begin() as session:
        result = note_history.search_notes(
            session, team_id=ctx.team_id, author_id=ctx.user_id, query=coach_args.parse_search(ctx.args)
        )
    return Message(text=note_lists_ui.notes_page_text(result), blocks=_page_blocks(result, _zone(ctx)))


@declare(
    SUBCOMMANDS, "delete", usage="delete ID | all", example="delete 12", summary="Delete one of your notes, or all."
)
def handle_delete(ctx: CommandContext) -> Message:
    """``/coach delete ID`` or ``/coach delete all`` (which asks first)."""
    args = coach_args.parse_delete(ctx.args)
    if args.note_id is None:
        with ctx.deps.sessions.begin() as session:
            count, newest = note_history.count_notes(session, team_id=ctx.team_id, author_id=ctx.user_id)
            items = action_items.count_assigned(session, team_id=ctx.team_id, assigner_id=ctx.user_id)
        if not count and not items:
            return Message(text="You have no coaching notes or action items, so there is nothing to delete.")
        if not count or newest is None:  # action items only: the cut-off 0 deletes no note
            blocks = action_items_ui.items_only_confirm_blocks(items)
            return Message(text=action_items_ui.items_to_delete_text(items).strip(), blocks=blocks)
        blocks = note_lists_ui.delete_all_confirm_blocks(count, newest)
        if items:
            blocks = action_items_ui.with_items_to_delete(blocks, items)
        return Message(
            text=note_lists_ui.delete_all_prompt_text(count) + action_items_ui.items_to_delete_text(items),
            blocks=blocks,
        )
    with ctx.deps.sessions.begin() as session:
        note = notes.delete_note(session, team_id=ctx.team_id, author_id=ctx.user_id, note_id=args.note_id)
    log.info("note %d deleted by its author", note.id)
    return Message(text=f":wastebasket: Deleted note #{note.id} about <@{note.rep_id}>.")


@declare(SUBCOMMANDS, "export", usage="export", example="export", summary="Get your notes as a CSV file by DM.")
def handle_export(ctx: CommandContext) -> Message:
    deps = ctx.deps
    tz = _zone(ctx)
    with deps.sessions.begin() as session:
        content, count = note_history.export_csv(
            session, team_id=ctx.team_id, author_id=ctx.user_id, tz=tz, full_columns=True
        )
    if not count and len(content.splitlines()) <= 1:  # no notes and no action items: the header only
        return Message(text="You have no coaching notes to export yet. Log one with `/coach @rep what you observed`.")
    filename = f"coaching-notes-{notes.local_today(deps.clock(), tz).isoformat()}.csv"
    deps.defer(send_export, ctx.client, user_id=ctx.user_id, content=content, filename=filename, count=count)
    return Message(text=note_lists_ui.export_sending_text(count))


def send_export(client: WebClient, *, user_id: str, content: str, filename: str, count: int) -> None:
    """Upload the CSV into the author's DM with the bot (files upload v2 flow), after the ack."""
    dm = client.conversations_open(users=user_id)
    client.files_upload_v2(
        channel=dm["channel"]["id"],
        content=content,
        filename=filename,
        title="Your coaching notes",
        initial_comment=note_lists_ui.export_comment(count, note_history.FULL_CSV_COLUMNS),
    )
    log.info("exported %d notes for %s", count, user_id)


@declare(
    SUBCOMMANDS,
    "overview",
    usage="overview",
    example="overview",
    summary="Per rep: last note, notes in 30/90 days, open follow-ups, who's gone 14+ days uncoached.",
    read_only=True,
)
def handle_overview(ctx: CommandContext) -> Message:
    with ctx.deps.sessions.begin() as session:
        ov = note_history.overview(session, team_id=ctx.team_id, author_id=ctx.user_id, now=ctx.deps.clock())
        counts = action_items.counts_by_rep(session, team_id=ctx.team_id, assigner_id=ctx.user_id, now=ov.now)
    return Message(
        text=note_lists_ui.overview_text(ov),
        blocks=action_items_ui.with_item_counts(note_lists_ui.overview_blocks(ov, tz=_zone(ctx)), counts),
    )


# --- buttons ---------------------------------------------------------------------------------


def handle_page(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, deps: Deps) -> None:
    """Prev/Next: the value says which list and page; the notes are always the clicker's own."""
    ack()
    who = payload.actor(body)
    try:
        raw = json.loads(payload.action_value(body))
        page = int(raw.get("p", 1))
        rep_id = raw.get("r")
        query = raw.get("q")
    except (ValueError, TypeError, AttributeError, OverflowError):  # {"p": 1e999} is inf
        return
    if rep_id is not None and (not isinstance(rep_id, str) or coach_args.parse_mention(f"<@{rep_id}>") is None):
        return
    try:
        with deps.sessions.begin() as session:
            if isinstance(query, str):
                result = note_history.search_notes(
                    session, team_id=who.team_id, author_id=who.user_id, query=query, page=page
                )
            else:
                result = note_history.list_notes(
                    session, team_id=who.team_id, author_id=who.user_id, rep_id=rep_id, page=page
                )
    except UserError as err:
        answers.say_privately(body, respond, err.message)
        return
    tz = users.user_zone(deps.users, client, team_id=who.team_id, user_id=who.user_id)
    respond(
        text=note_lists_ui.notes_page_text(result),
        blocks=_page_blocks(result, tz),
        replace_original=True,
        response_type="ephemeral",
    )


def handle_delete_all_confirm(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, deps: Deps) -> None:
    ack()
    who = payload.actor(body)

    def delete_all() -> str:
        raw = payload.action_value(body)
        up_to = 0 if raw == "0" else payload.parse_id(raw)  # 0: only action items to delete
        if up_to is None:
            raise UsageError("That button is not valid any more. Start again with `/coach delete all`.")
        with deps.sessions.begin() as session:
            items = action_items.count_assigned(session, team_id=who.team_id, assigner_id=who.user_id)
            deleted = note_history.delete_all_notes(session, team_id=who.team_id, author_id=who.user_id, up_to_id=up_to)
        log.info("%d notes and %d action items deleted by their author", deleted, items)
        if not deleted and items:
            return action_items_ui.items_deleted_text(items)
        return note_lists_ui.deleted_text(deleted) + (" " + action_items_ui.items_deleted_text(items) if items else "")

    answers.run_action(body, respond, client, delete_all, title=TITLE)


def handle_delete_all_cancel(ack: Ack, body: dict[str, Any], respond: Respond, client: WebClient, deps: Deps) -> None:
    ack()
    answers.answer_action(body, respond, client, "Nothing was deleted.", replace=True, title=TITLE)


def register(app: App, coach: CommandRouter) -> None:
    coach.add_all(SUBCOMMANDS)
    app.action(re.compile(f"^{notes_ui.PAGE}_(prev|next)$"))(coach.ack_first(handle_page))
    app.action(notes_ui.DELETE_ALL_CONFIRM)(coach.ack_first(handle_delete_all_confirm))
    app.action(notes_ui.DELETE_ALL_CANCEL)(coach.ack_first(handle_delete_all_cancel))
