"""Cross-cutting Events API handling: retries of an already handled event are acked only."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltResponse

from bot.deps import Deps
from bot.listeners.router import Routers
from bot.services import events

log = logging.getLogger(__name__)


def dedupe_events(body: dict[str, Any], deps: Deps, next: Callable[[], BoltResponse]) -> BoltResponse | None:
    event_id = body.get("event_id") if body.get("type") == "event_callback" else None
    if isinstance(event_id, str) and event_id:
        with deps.sessions.begin() as session:
            fresh = events.first_time_seen(session, event_id=event_id, team_id=body.get("team_id"), now=deps.clock())
        if not fresh:
            log.info("event %s already handled; acknowledging the retry", event_id)
            return BoltResponse(status=200, body="")
    return next()


def ack_other_events(ack: Ack) -> None:
    """Events no feature handles are still acknowledged; an unanswered event is retried."""
    ack()


def register(app: App, routers: Routers) -> None:
    app.middleware(dedupe_events)


def register_fallbacks(app: App) -> None:
    """Registered after every feature: Bolt runs the first listener that matches."""
    app.event(re.compile(".*"))(ack_other_events)
