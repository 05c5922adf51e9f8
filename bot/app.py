"""The Bolt app factory. No module-level App, engine or settings."""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from bot.db.models import OAUTH_STATES_TABLE
from bot.deps import Deps
from bot.gateway.clients import make_client
from bot.listeners import events, register_all
from bot.listeners.errors import handle_error

log = logging.getLogger(__name__)

BOT_SCOPES = [
    "assistant:write",
    "channels:history",
    "channels:join",
    "channels:read",
    "chat:write",
    "commands",
    "files:write",
    "groups:history",
    "groups:read",
    "im:history",
    "im:write",
    "reactions:read",
    "users:read",
]


_ENV_LOCK = threading.Lock()
_ALREADY_HANDLED = "This request was already handled; nothing was changed."
_OTHER_WORKSPACE = (
    "coachbot is installed in another Slack workspace, so it can't act here and nothing was changed. "
    "Ask an admin of this workspace to install coachbot here."
)


def _refuse(body: dict[str, Any], text: str) -> BoltResponse:
    """Answer without running any listener: a private line for a slash command, an empty ack otherwise."""
    if "command" not in body:
        return BoltResponse(status=200, body="")
    payload = json.dumps({"response_type": "ephemeral", "text": text})
    return BoltResponse(status=200, body=payload, headers={"content-type": "application/json"})


def _from_another_workspace(context: BoltContext) -> bool:
    """With one bot token, only the workspace (or org) that token belongs to may use the app.

    A signed request names its workspace in the payload; the token's own workspace comes from
    ``auth.test`` (Bolt's single-team authorization caches it). Without this check a request
    signed for this app but naming another team would write rows under that team's id and,
    for example, add a second daily schedule to one of our channels.
    """
    auth = context.authorize_result
    if auth is None:
        return False
    if auth.enterprise_id and context.enterprise_id and auth.enterprise_id != context.enterprise_id:
        return True
    org_wide = bool(auth.enterprise_id) and not (auth.team_id or "").startswith("T")
    return not org_wide and bool(context.team_id) and bool(auth.team_id) and context.team_id != auth.team_id


@contextmanager
def _bolt_reads_no_environment() -> Iterator[None]:
    """Hide ``SLACK_*`` variables from Bolt while it is constructed.

    Bolt falls back to ``os.environ`` for anything not passed in: ``SLACK_CLIENT_ID`` and
    ``SLACK_CLIENT_SECRET`` being *present* (even empty) switch it to its file-based OAuth
    mode, which ignores the bot token and answers "installation no longer available". The
    app must be built from ``Settings`` alone, so Bolt gets every value explicitly and sees
    no environment to fall back on. Construction happens once, at start-up.
    """
    with _ENV_LOCK:
        hidden = {k: os.environ.pop(k) for k in [k for k in os.environ if k.startswith("SLACK_")]}
        try:
            yield
        finally:
            os.environ.update(hidden)


def create_app(deps: Deps) -> App:
    """Build the Bolt app.

    ``process_before_response=True``: the listener's ack is the HTTP response, returned as
    soon as the listener returns, instead of Bolt polling for it every 10 ms. Anything slow
    runs after the ack through ``deps.defer``.
    """
    settings = deps.settings
    client = make_client(settings, settings.slack_bot_token)
    kwargs: dict[str, Any] = {
        "signing_secret": settings.slack_signing_secret or "socket-mode-has-no-signing-secret",
        "client": client,
        "process_before_response": True,
        # Verified lazily on first request, so `serve` starts even while Slack is unreachable.
        "token_verification_enabled": False,
        "logger": logging.getLogger("slack_bolt.App"),
    }
    with _bolt_reads_no_environment():
        if settings.oauth_enabled:
            assert settings.slack_client_id and settings.slack_client_secret and settings.slack_state_secret
            kwargs["oauth_settings"] = OAuthSettings(
                client_id=settings.slack_client_id,
                client_secret=settings.slack_client_secret,
                scopes=BOT_SCOPES,
                user_scopes=[],
                installation_store=deps.clients.installation_store,
                state_store=SQLAlchemyOAuthStateStore(
                    expiration_seconds=600,
                    engine=deps.engine,
                    table_name=OAUTH_STATES_TABLE,
                    logger=logging.getLogger("slack_sdk.oauth"),
                ),
            )
        app = App(**kwargs)

    @app.middleware
    def prepare_request(context: BoltContext, body: dict[str, Any], next: Any) -> Any:
        # One global middleware, not several: Bolt builds every middleware's kwargs anew.
        context["deps"] = deps
        if not settings.oauth_enabled and _from_another_workspace(context):
            return _refuse(body, _OTHER_WORKSPACE)
        if events.already_handled(body, deps):
            return BoltResponse(status=200, body="")
        if _may_write(body) and events.replayed(body, deps, team_id=context.team_id):
            return _refuse(body, _ALREADY_HANDLED)
        return next()

    def _may_write(body: dict[str, Any]) -> bool:
        router = routers.for_command(body.get("command"))
        return router is None or router.writes(str(body.get("text") or ""))

    app.error(handle_error)
    routers = register_all(app)
    return app
