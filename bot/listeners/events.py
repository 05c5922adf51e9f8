"""Cross-cutting Events API handling: retries of an already handled event are acked only."""

from __future__ import annotations

import hashlib
import logging
import re
from typing import Any

from slack_bolt import Ack, App

from bot.deps import Deps
from bot.listeners.router import Routers
from bot.services import events

log = logging.getLogger(__name__)


def already_handled(body: dict[str, Any], deps: Deps) -> bool:
    """True for a retry (or a second replica's copy) of an event id that was already handled."""
    event_id = body.get("event_id") if body.get("type") == "event_callback" else None
    if not isinstance(event_id, str) or not event_id:
        return False
    if (body.get("event") or {}).get("type") == "function_executed":
        # A Workflow Builder step's retry must still complete the step: it is made
        # idempotent by its execution id instead (bot.flows.workflow_runs).
        return False
    with deps.sessions.begin() as session:
        fresh = events.first_time_seen(session, event_id=event_id, team_id=body.get("team_id"), now=deps.clock())
    if not fresh:
        log.info("event %s already handled; acknowledging the retry", event_id)
    return not fresh


def replayed(body: dict[str, Any], deps: Deps, *, team_id: str | None) -> bool:
    """True when this slash command or interaction's ``trigger_id`` was seen before.

    Slack never resends a command or a button press, and each carries a fresh ``trigger_id``.
    The same one again is a replay: a captured, still-fresh signed request sent a second time
    (the signature check alone accepts it for five minutes). Recording it before any listener
    runs makes every write a command, button or form makes idempotent, in one place.
    """
    trigger = body.get("trigger_id")
    if not isinstance(trigger, str) or not trigger:
        return False
    key = "t:" + hashlib.sha256(trigger.encode("utf-8", "replace")).hexdigest()[:40]
    # On the ack path of every command that may write: one autocommit INSERT, one round trip.
    with deps.engine.connect() as conn:
        fresh = events.record_once(
            conn.execution_options(isolation_level="AUTOCOMMIT"), event_id=key, team_id=team_id, now=deps.clock()
        )
    if not fresh:
        log.warning("replayed request ignored (its trigger_id was already handled)")
    return not fresh


def ack_other_events(ack: Ack) -> None:
    """Events no feature handles are still acknowledged; an unanswered event is retried."""
    ack()


def register(app: App, routers: Routers) -> None:
    """Nothing per feature: ``already_handled`` runs in the app's global middleware."""


def register_fallbacks(app: App) -> None:
    """Registered after every feature: Bolt runs the first listener that matches."""
    app.event(re.compile(".*"))(ack_other_events)
