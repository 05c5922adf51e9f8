"""Reading Slack payloads: the one place that knows where each field sits.

Slash commands, button presses, form submissions, shortcuts and events each put the team,
the user and the channel somewhere else. Listeners call these functions and work with the
plain values they return. Everything here tolerates missing or malformed fields: a payload
is client-controlled, so a bad one reads as "absent", never as an exception.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot.db.models.base import MAX_ID


@dataclass(frozen=True)
class Actor:
    """Who did it, and in which workspace."""

    team_id: str
    enterprise_id: str | None
    user_id: str


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def actor(body: dict[str, Any]) -> Actor:
    """The user and workspace of a command, an interaction or an event."""
    user = body.get("user")
    team = _dict(body.get("team"))
    event = _dict(body.get("event"))
    user_id = _str(body.get("user_id")) or _str(_dict(user).get("id")) or _str(user) or _str(event.get("user"))
    team_id = (
        _str(team.get("id"))
        or _str(_dict(user).get("team_id"))
        or _str(body.get("team_id"))
        or _str(_dict(body.get("view")).get("team_id"))
    )
    enterprise_id = _str(_dict(body.get("enterprise")).get("id")) or _str(body.get("enterprise_id")) or None
    return Actor(team_id=team_id, enterprise_id=enterprise_id, user_id=user_id)


def channel_id(body: dict[str, Any]) -> str | None:
    container = _dict(body.get("container"))
    return (
        _str(container.get("channel_id"))
        or _str(_dict(body.get("channel")).get("id"))
        or _str(body.get("channel_id"))
        or None
    )


def message_ts(body: dict[str, Any]) -> str | None:
    return _str(_dict(body.get("container")).get("message_ts")) or _str(_dict(body.get("message")).get("ts")) or None


def trigger_id(body: dict[str, Any]) -> str:
    return _str(body.get("trigger_id"))


def response_url(body: dict[str, Any]) -> str | None:
    return _str(body.get("response_url")) or None


def _first_action(body: dict[str, Any]) -> dict[str, Any]:
    actions = body.get("actions")
    return _dict(actions[0]) if isinstance(actions, list) and actions else {}


def action_id(body: dict[str, Any]) -> str:
    return _str(_first_action(body).get("action_id"))


def action_value(body: dict[str, Any]) -> str:
    """A button's ``value`` (or an overflow/select's selected value)."""
    action = _first_action(body)
    return _str(action.get("value")) or _str(_dict(action.get("selected_option")).get("value"))


def parse_id(raw: str) -> int | None:
    """An id from a button, form or metadata value: exactly 1 to 12 ASCII digits (no spaces: we
    wrote the value) within our 32-bit ids, else None."""
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 12:
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_ID else None


def in_modal(body: dict[str, Any]) -> bool:
    """True for a button inside a modal (its answer replaces the modal, not a message)."""
    return _dict(body.get("container")).get("type") == "view" and _dict(body.get("view")).get("type") == "modal"


def view_of(body: dict[str, Any]) -> dict[str, Any]:
    return _dict(body.get("view"))


def view_values(view: dict[str, Any]) -> dict[str, Any]:
    """``view.state.values``."""
    return _dict(_dict(view.get("state")).get("values"))


def field(values: dict[str, Any], block: str) -> dict[str, Any]:
    """The state of the input in ``block`` (we name each input's action_id after its block)."""
    return _dict(_dict(values.get(block)).get(block))


def text_input(values: dict[str, Any], block: str) -> str:
    return _str(field(values, block).get("value"))


def selected_value(values: dict[str, Any], block: str) -> str | None:
    return _str(_dict(field(values, block).get("selected_option")).get("value")) or None


def selected_values(values: dict[str, Any], block: str) -> list[str]:
    options = field(values, block).get("selected_options")
    return [_str(_dict(o).get("value")) for o in options] if isinstance(options, list) else []


def private_metadata(view: dict[str, Any]) -> str:
    return _str(view.get("private_metadata"))


def metadata_json(view: dict[str, Any]) -> dict[str, Any]:
    """``private_metadata`` as a JSON object; anything else reads as empty."""
    try:
        meta = json.loads(private_metadata(view) or "{}")
    except ValueError:
        return {}
    return _dict(meta)
