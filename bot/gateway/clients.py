"""WebClient construction, in one place, so every client honours SLACK_API_URL and retries."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.oauth.installation_store import InstallationStore

from bot.config import Settings

log = logging.getLogger(__name__)


def make_client(settings: Settings, token: str | None, *, idempotent_only: bool = False) -> WebClient:
    """A client pointed at ``SLACK_API_URL``.

    429s are always waited out (Retry-After) - Slack did not process the call, so a retry
    cannot duplicate. Server errors and dropped connections are retried only on clients
    used for idempotent calls (``idempotent_only=False``); a ``chat.postMessage`` that timed
    out may have been posted, so delivery code reconciles through message metadata instead.
    """
    handlers: list[RetryHandler] = [RateLimitErrorRetryHandler(max_retry_count=5)]
    if not idempotent_only:
        handlers += [
            ConnectionErrorRetryHandler(max_retry_count=2),
            ServerErrorRetryHandler(max_retry_count=2),
        ]
    return WebClient(token=token, base_url=settings.slack_api_url, timeout=10, retry_handlers=handlers)


class ClientFactory:
    """Bot clients per workspace. Single-workspace mode uses SLACK_BOT_TOKEN; with OAuth the
    token comes from the installation store (``find_bot``), never from ``app.client``."""

    def __init__(self, settings: Settings, installation_store: InstallationStore | None = None) -> None:
        self.settings = settings
        self.installation_store = installation_store

    def bot_token(self, *, team_id: str, enterprise_id: str | None = None) -> str | None:
        if self.installation_store is not None:
            bot = self.installation_store.find_bot(enterprise_id=enterprise_id, team_id=team_id)
            if bot is not None:
                return bot.bot_token
            if not self.settings.slack_bot_token:
                return None
        return self.settings.slack_bot_token

    def for_team(self, *, team_id: str, enterprise_id: str | None = None, **kwargs: Any) -> WebClient | None:
        token = self.bot_token(team_id=team_id, enterprise_id=enterprise_id)
        if token is None:
            log.warning("no bot token for team %s; is the app installed there?", team_id)
            return None
        return make_client(self.settings, token, **kwargs)
