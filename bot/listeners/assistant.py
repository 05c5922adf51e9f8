"""Slack's AI pane, through Bolt's ``Assistant``: a thread starts, a message comes in, a vote.

Thin: each listener reads the payload into a ``flows.assistant.Thread`` and hands the work to
``deps.defer`` (the answer may wait on a model; the event's ack must not). The Events API
retries an event that was not acked in 3 seconds; a retry, or the same event replayed, is
dropped by the app's middleware before it gets here (``events.already_handled``).

``assistant_thread_context_changed`` (the member switched channels with the pane open) is
acknowledged and nothing more: answers come from the member's own coaching data, never from
the channel being viewed, so the channel context is not read or stored.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Assistant, BoltContext, Respond
from slack_sdk import WebClient

from bot.blocks.assistant import FEEDBACK
from bot.deps import Deps
from bot.errors import UserError
from bot.flows import assistant as flow
from bot.listeners import payload
from bot.listeners.answers import say_privately
from bot.listeners.router import Routers
from bot.services import assistant

log = logging.getLogger(__name__)


def _thread(context: BoltContext, *, user_id: Any, channel_id: Any, thread_ts: Any) -> flow.Thread | None:
    values = (context.team_id, user_id, channel_id, thread_ts)
    if not all(isinstance(v, str) and v for v in values):
        return None
    return flow.Thread(
        team_id=str(context.team_id),
        enterprise_id=context.enterprise_id,
        user_id=str(user_id),
        channel_id=str(channel_id),
        thread_ts=str(thread_ts),
    )


def handle_thread_started(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    started = event.get("assistant_thread") or {}
    thread = _thread(
        context,
        user_id=started.get("user_id"),
        channel_id=started.get("channel_id"),
        thread_ts=started.get("thread_ts"),
    )
    if thread is not None:
        deps: Deps = context["deps"]
        deps.defer(flow.start_thread, deps, client, thread)


def handle_user_message(event: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    thread = _thread(
        context, user_id=event.get("user"), channel_id=event.get("channel"), thread_ts=event.get("thread_ts")
    )
    text = event.get("text")
    if thread is not None and isinstance(text, str):
        deps: Deps = context["deps"]
        deps.defer(flow.ask, deps, client, thread, text)


def handle_context_changed() -> None:
    """Acknowledged (Bolt acks assistant events itself); the channel context is not used."""


def handle_feedback(ack: Ack, body: dict[str, Any], respond: Respond, deps: Deps) -> None:
    """A thumbs up or down under an answer: recorded on the question (no text), by its asker only."""
    ack()
    who = payload.actor(body)
    raw_id, _, vote = payload.action_value(body).partition(":")
    question_id = payload.parse_id(raw_id)
    try:
        if question_id is None:
            raise UserError("That feedback button is broken; ask again to get a new answer.")
        with deps.sessions.begin() as session:
            assistant.record_feedback(
                session, team_id=who.team_id, user_id=who.user_id, question_id=question_id, vote=vote, now=deps.clock()
            )
    except UserError as err:
        say_privately(body, respond, err.message)
        return
    log.info("assistant feedback recorded: %s", vote)


def build() -> Assistant:
    pane = Assistant(logger=logging.getLogger("slack_bolt.Assistant"))
    pane.thread_started(handle_thread_started)
    pane.user_message(handle_user_message)
    pane.thread_context_changed(handle_context_changed)
    return pane


def register(app: App, routers: Routers) -> None:
    app.assistant(build())
    app.action(FEEDBACK)(handle_feedback)
