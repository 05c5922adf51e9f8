"""The App Home tab, published on ``app_home_opened``.

Everyone sees today's quote and a 'Submit a quote' button (the submissions feature handles
it); managers also see their next prompt time, their own recent notes and their overview.
"""

from __future__ import annotations

import random
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.blocks import home as ui
from bot.deps import Deps
from bot.errors import NotFound
from bot.gateway import roles, users
from bot.kinds import ScheduleKind
from bot.listeners.router import Routers
from bot.services import calendars, note_history, notes, schedules
from bot.services.quotes import QuoteView

RECENT_NOTES = 5


def publish_home(deps: Deps, client: WebClient, *, team_id: str, user_id: str) -> None:
    tz = users.user_zone(deps.users, client, team_id=team_id, user_id=user_id)
    now = deps.clock()
    quote = todays_quote(deps, team_id=team_id, tz=tz)
    if roles.is_manager(deps, client, team_id=team_id, user_id=user_id):
        with deps.sessions.begin() as session:
            recent = note_history.list_notes(session, team_id=team_id, author_id=user_id, page_size=RECENT_NOTES)
            ov = note_history.overview(session, team_id=team_id, author_id=user_id, now=now)
            sched = schedules.get_schedule(session, team_id=team_id, kind=ScheduleKind.PROMPT_DM, target_id=user_id)
        next_prompt = prompt_note = spec = None
        if sched is not None and sched.active and sched.tz:
            # As the engine will send it: past public holidays and a running pause.
            spec = schedules.spec_of(sched)
            coming = calendars.upcoming(sched, now)
            next_prompt = coming.next_post_text(sched.tz)
            prompt_note = coming.pause_note
        view = ui.manager_home(
            next_prompt=next_prompt,
            prompt_spec=spec,
            prompt_note=prompt_note,
            recent=recent,
            overview=ov,
            tz=tz,
            quote=quote,
        )
    else:
        view = ui.member_home(quote=quote)
    client.views_publish(user_id=user_id, view=view)


def todays_quote(deps: Deps, *, team_id: str, tz: str | None) -> QuoteView | None:
    """The same quote all day for a workspace: a random pick seeded by the local date."""
    today = notes.local_today(deps.clock(), tz)
    try:
        return deps.quote_pool.random(team_id, rng=random.Random(f"{team_id}:{today}"))
    except NotFound:
        return None


def handle_app_home_opened(event: dict[str, Any], context: BoltContext, client: WebClient, deps: Deps) -> None:
    if event.get("tab") not in (None, "home") or not event.get("user"):
        return
    # Events are acked when the listener returns; publish after the ack.
    deps.defer(publish_home, deps, client, team_id=context.team_id or "", user_id=str(event["user"]))


def register(app: App, routers: Routers) -> None:
    app.event("app_home_opened")(handle_app_home_opened)
