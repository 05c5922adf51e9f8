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
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.oauth.installation_store import Bot, InstallationStore
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.token_rotation import TokenRotator
from sqlalchemy import Engine

from bot.config import Settings
from bot.db.models import BOTS_TABLE, INSTALLATIONS_TABLE

log = logging.getLogger(__name__)


# Calls that create something visible: retrying one after a 5xx or a dropped connection
# can duplicate it, because Slack may have done it before failing to answer.
NON_IDEMPOTENT = frozenset(
    {"chat.postMessage", "chat.postEphemeral", "chat.scheduleMessage", "files.completeUploadExternal"}
)


def _method_of(request: HttpRequest) -> str:
    return request.url.rstrip("/").rsplit("/", 1)[-1]


class _NeverRetryPosts(RetryHandler):
    """Mixin: defer to the wrapped handler, except for calls that could double-post."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if _method_of(request) in NON_IDEMPOTENT:
            return False
        return super()._can_retry(state=state, request=request, response=response, error=error)


class SafeServerErrorRetryHandler(_NeverRetryPosts, ServerErrorRetryHandler):
    """Retries 500/503 with backoff, but never a call that could double-post."""


class SafeConnectionErrorRetryHandler(_NeverRetryPosts, ConnectionErrorRetryHandler):
    """Retries dropped connections, but never a call that could double-post."""


def retry_handlers() -> list[RetryHandler]:
    """429s are always waited out (Retry-After): Slack did not process the call. 5xx and
    dropped connections are retried with backoff except for calls in ``NON_IDEMPOTENT``;
    delivery code reconciles those through message metadata instead (bot.scheduling)."""
    return [
        RateLimitErrorRetryHandler(max_retry_count=5),
        SafeServerErrorRetryHandler(max_retry_count=2),
        SafeConnectionErrorRetryHandler(max_retry_count=2),
    ]


def make_client(settings: Settings, token: str | None, *, idempotent_only: bool = False) -> WebClient:
    """A client pointed at ``SLACK_API_URL`` with the retry policy above.

    ``idempotent_only`` is accepted for callers that want to say so explicitly; the policy
    already never blindly retries a post.
    """
    return WebClient(token=token, base_url=settings.slack_api_url, timeout=10, retry_handlers=retry_handlers())


class ClientFactory:
    """Bot clients per workspace. Single-workspace mode uses SLACK_BOT_TOKEN; with OAuth the
    token comes from the installation store (``find_bot``), never from ``app.client``, and
    is refreshed first when token rotation is on and it is about to expire."""

    def __init__(self, settings: Settings, installation_store: InstallationStore | None = None) -> None:
        self.settings = settings
        self.installation_store = installation_store

    def bot_token(self, *, team_id: str, enterprise_id: str | None = None) -> str | None:
        if self.installation_store is not None:
            bot = self.installation_store.find_bot(enterprise_id=enterprise_id, team_id=team_id)
            if bot is not None:
                return self._fresh(bot).bot_token
            if not self.settings.slack_bot_token:
                return None
        return self.settings.slack_bot_token

    def _fresh(self, bot: Bot) -> Bot:
        if not bot.bot_refresh_token or not (self.settings.slack_client_id and self.settings.slack_client_secret):
            return bot
        assert self.installation_store is not None
        rotator = TokenRotator(
            client_id=self.settings.slack_client_id,
            client_secret=self.settings.slack_client_secret,
            client=make_client(self.settings, None),
        )
        refreshed = rotator.perform_bot_token_rotation(bot=bot, minutes_before_expiration=120)
        if refreshed is None:
            return bot
        self.installation_store.save_bot(refreshed)
        return refreshed

    def for_team(self, *, team_id: str, enterprise_id: str | None = None, **kwargs: Any) -> WebClient | None:
        token = self.bot_token(team_id=team_id, enterprise_id=enterprise_id)
        if token is None:
            log.warning("no bot token for team %s; is the app installed there?", team_id)
            return None
        return make_client(self.settings, token, **kwargs)

    def forget(self, *, team_id: str, enterprise_id: str | None = None) -> None:
        """Delete a workspace's stored tokens (app_uninstalled, bot tokens_revoked)."""
        if self.installation_store is not None:
            self.installation_store.delete_all(enterprise_id=enterprise_id, team_id=team_id)

    def forget_users(self, *, team_id: str, enterprise_id: str | None, user_ids: list[str]) -> None:
        """Delete the installations of users whose tokens were revoked; the bot's stays."""
        if self.installation_store is not None:
            for user_id in user_ids:
                self.installation_store.delete_installation(
                    enterprise_id=enterprise_id, team_id=team_id, user_id=user_id
                )


def installation_store(settings: Settings, engine: Engine) -> SQLAlchemyInstallationStore:
    """slack-sdk's SQLAlchemy installation store, on our database and our migrated tables."""
    return SQLAlchemyInstallationStore(
        client_id=settings.slack_client_id or "single-workspace",
        engine=engine,
        installations_table_name=INSTALLATIONS_TABLE,
        bots_table_name=BOTS_TABLE,
        logger=logging.getLogger("slack_sdk.oauth"),
    )
