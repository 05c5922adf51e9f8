"""Schedule text from a command, parsed with examples in the user's own time zone.

``/quote daily``, ``/coach prompts`` and ``/coach prompts channel`` take the same
``HH:MM [zone] [days]``. When the text is wrong, the example in the reply uses the zone the
user's schedule would fall back to (their Slack zone), not one picked for someone else.
Looking that zone up costs a ``users.info`` (cached), so it happens only on the error path.
"""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.gateway import users
from bot.services import schedule_input, schedule_spec
from bot.services.schedule_spec import ScheduleSpec

# Used when the user's own zone is unknown (Slack didn't say, or couldn't be asked).
FALLBACK_ZONE = "Europe/Berlin"


def users_zone(deps: Deps, client: WebClient, *, team_id: str, user_id: str) -> str | None:
    """The user's Slack time zone for an example in a reply, or None (also when Slack fails)."""
    try:
        return users.user_zone(deps.users, client, team_id=team_id, user_id=user_id)
    except SlackApiError:
        return None  # only the example depends on it: never fail the reply over it


def example(command: str, zone: str | None, *, at: str = "09:00") -> str:
    return f"`{command} {at} {zone or FALLBACK_ZONE} weekdays`"


def parse_schedule_text(
    deps: Deps, client: WebClient, *, team_id: str, user_id: str, text: str, command: str, at: str = "09:00"
) -> ScheduleSpec:
    """``schedule_input.parse_schedule`` for ``command``; an error's example is in the user's zone."""
    try:
        return schedule_input.parse_schedule(text, example=example(command, None, at=at), command=command)
    except schedule_spec.InvalidSchedule:
        zone = users_zone(deps, client, team_id=team_id, user_id=user_id)
        if zone is None:
            raise
        # Raises again, the same error with the example in the user's zone.
        return schedule_input.parse_schedule(text, example=example(command, zone, at=at), command=command)
