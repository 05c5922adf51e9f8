"""The one place where unexpected failures become a friendly, private answer.

``UserError`` is handled by the router (it is an answer, not a failure). What reaches this
handler is a fault (the database is down) or a bug. Slack must never see a 5xx or a stack
trace: slash commands get an ephemeral message saying nothing was saved, modals get an
error on the form, buttons get a 200 and a private message through ``response_url``.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from slack_bolt import BoltRequest, BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from bot.errors import UserError

log = logging.getLogger("bot.errors")

DB_DOWN = (
    ":warning: That was *not saved*: coachbot can't reach its database right now. "
    "Please try again in a minute. Nothing was changed."
)
BUG = (
    ":warning: Something went wrong on our side and nothing was changed. Please try again; "
    "if it keeps happening, tell your coachbot admin."
)


def message_for(error: Exception) -> str:
    if isinstance(error, UserError):
        return error.message
    if isinstance(error, OperationalError | PoolTimeout) or (
        isinstance(error, DBAPIError) and error.connection_invalidated
    ):
        return DB_DOWN
    return BUG


def record(error: Exception, where: str, deps: Any) -> None:
    """Count a Slack refusal and log a fault by type and place (never a payload)."""
    if isinstance(error, SlackApiError) and deps is not None:
        method = str(getattr(error.response, "api_url", "")).rstrip("/").rsplit("/", 1)[-1] or "unknown"
        deps.metrics.slack_error(method, str(error.response.get("error") or "unknown"))
    if not isinstance(error, UserError):
        # Type and location only: payloads can hold note text and tokens.
        log.error("unhandled %s while handling %s", type(error).__name__, where, exc_info=_trace(error))


def handle_error(error: Exception, body: dict[str, Any], request: BoltRequest) -> BoltResponse:
    record(error, str(body.get("command") or body.get("type") or "request"), request.context.get("deps"))
    text = message_for(error)
    kind = body.get("type")
    if body.get("command"):
        return _json({"response_type": "ephemeral", "text": text})
    if kind == "view_submission":
        return _json({"response_action": "push", "view": not_saved_view(text)})
    answer_action_late(error, body, None, recorded=True)
    return BoltResponse(status=200, body="")


def not_saved_view(text: str) -> dict[str, Any]:
    """Pushed over a form that could not be saved; Back returns to the form as it was filled in."""
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Not saved"},
        "close": {"type": "plain_text", "text": "Back"},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
    }


def answer_command_late(error: BaseException, command: str, response_url: str, deps: Any) -> None:
    """A command acked before its handler failed: the same private line, through response_url."""
    if not isinstance(error, Exception):
        raise error
    record(error, command, deps)
    if response_url:
        post_response(response_url, {"text": message_for(error), "response_type": "ephemeral"})


def answer_action_late(error: Exception, body: dict[str, Any], deps: Any, *, recorded: bool = False) -> None:
    """A button's or shortcut's fault, after the ack: a private line through response_url."""
    if not recorded:
        record(error, str(body.get("type") or "request"), deps)
    response_url = body.get("response_url") or next(
        (r.get("response_url") for r in body.get("response_urls", []) if r.get("response_url")), None
    )
    if response_url:
        post_response(
            response_url, {"text": message_for(error), "response_type": "ephemeral", "replace_original": False}
        )


def _trace(error: Exception) -> bool:
    # A traceback of a database error can echo SQL parameters (note text); leave it out.
    return not isinstance(error, DBAPIError)


def _json(body: dict[str, Any]) -> BoltResponse:
    return BoltResponse(status=200, body=json.dumps(body), headers={"content-type": "application/json"})


def post_response(url: str, payload: dict[str, Any]) -> None:
    """POST an answer to a response_url; a failure is logged by type (never the payload)."""
    try:
        resp = WebhookClient(url, timeout=5).send_dict(payload)
    except OSError as exc:
        log.warning("could not post to response_url: %s", type(exc).__name__)
        return
    if resp.status_code >= 300:
        log.warning("response_url refused the answer: HTTP %s", resp.status_code)
