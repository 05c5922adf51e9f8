"""The fake Slack Web API: apps.connections.open, the app-level (``xapp-``) token's one method.

``enable_socket_mode()`` starts a ``FakeSocketMode`` and accepts an app-level token; from then
on ``apps.connections.open`` with that token answers a fresh URL pointing at it. As on Slack, an
app-level token is refused by every other method (``not_allowed_token_type``), a bot token is
refused by ``apps.connections.open`` (``not_allowed_token_type``) and an unknown token gets
``invalid_auth``. ``fail("apps.connections.open", ...)`` injects any other error.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from tests.fakes.core import FakeSlackCore, Workspace, _json_reply, _Reply
from tests.fakes.socket_mode import DEFAULT_APP_TOKEN, FakeSocketMode

APPS_CONNECTIONS_OPEN = "apps.connections.open"


class AppsApi(FakeSlackCore):
    API_METHODS: ClassVar[dict[str, str]] = {APPS_CONNECTIONS_OPEN: "_apps_connections_open"}

    _socket_mode: FakeSocketMode | None = None
    _app_tokens: frozenset[str] = frozenset()

    def enable_socket_mode(self, app_token: str = DEFAULT_APP_TOKEN) -> FakeSocketMode:
        """Start the Socket Mode endpoint (once) and accept ``app_token`` for it."""
        with self._lock:
            if self._socket_mode is None:
                self._socket_mode = FakeSocketMode().start()
            self._app_tokens = self._app_tokens | {app_token}
            return self._socket_mode

    @property
    def socket_mode(self) -> FakeSocketMode:
        assert self._socket_mode is not None, "call enable_socket_mode() first"
        return self._socket_mode

    def stop(self) -> None:
        super().stop()
        socket_mode, self._socket_mode = self._socket_mode, None
        if socket_mode is not None:
            socket_mode.stop()

    def _answer(
        self,
        kind: str,
        method: str,
        params: dict[str, Any],
        body: bytes,
        headers: Mapping[str, str],
        token: str | None,
    ) -> _Reply:
        if kind == "api" and token is not None and token in self._app_tokens and method != APPS_CONNECTIONS_OPEN:
            return _json_reply(200, {"ok": False, "error": "not_allowed_token_type"})
        if kind != "api" or method != APPS_CONNECTIONS_OPEN:
            return super()._answer(kind, method, params, body, headers, token)
        if token is None:
            return _json_reply(200, {"ok": False, "error": "not_authed"})
        if token in self._app_tokens and token not in self._revoked:
            return _json_reply(200, self._apps_connections_open(self._anonymous(), params))
        if token in self._tokens:  # a bot or user token where an app-level one belongs
            return _json_reply(200, {"ok": False, "error": "not_allowed_token_type"})
        return _json_reply(200, {"ok": False, "error": "token_revoked" if token in self._revoked else "invalid_auth"})

    def _apps_connections_open(self, _ws: Workspace, _params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "url": self.socket_mode.issue_url()}
