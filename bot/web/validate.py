"""Shape checks on signed request bodies before Bolt sees them.

Bolt assumes Slack's documented shapes; a signed but malformed body (truncated JSON, a
``payload`` that is not an object, an event without a type) would otherwise raise deep
inside it and surface as a 500. Slack never sends these, so they get a 400.
"""

from __future__ import annotations

from typing import Any


def malformed_reason(parsed: Any) -> str | None:
    """Why this parsed body (``BoltRequest.body``) is not a Slack request we can handle,
    or None when it looks right."""
    if not isinstance(parsed, dict):
        return "body is not an object"
    if not parsed:
        return "empty body, or a payload that is not a JSON object"
    kind = parsed.get("type")
    if kind == "event_callback":
        event = parsed.get("event")
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            return "event_callback without an event type"
    if kind in ("block_actions", "view_submission", "view_closed", "shortcut", "message_action"):
        if not isinstance(parsed.get("user"), dict) or not isinstance(parsed["user"].get("id"), str):
            return f"{kind} without a user"
        if not isinstance(parsed.get("team"), dict | None):
            return f"{kind} with a malformed team"
    if kind == "block_actions":
        actions = parsed.get("actions")
        if not isinstance(actions, list) or not all(isinstance(a, dict) for a in actions):
            return "block_actions without a list of actions"
    if kind in ("view_submission", "view_closed") and not isinstance(parsed.get("view"), dict):
        return f"{kind} without a view"
    if "command" in parsed and not (isinstance(parsed.get("user_id"), str) and isinstance(parsed.get("team_id"), str)):
        return "slash command without user_id or team_id"
    return None
