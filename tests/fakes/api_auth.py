"""The fake Slack Web API: auth.test, api.test and oauth.v2.access."""

from __future__ import annotations

from typing import Any, ClassVar

from tests.fakes.core import FakeSlackCore, Workspace, _ApiError, _suffix


class AuthApi(FakeSlackCore):
    API_METHODS: ClassVar[dict[str, str]] = {
        "api.test": "_api_test",
        "auth.test": "_auth_test",
        "oauth.v2.access": "_oauth_v2_access",
    }

    def _api_test(self, ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
        args = {k: v for k, v in params.items() if k != "token"}
        return {"ok": True, "args": args} if args else {"ok": True}

    def _oauth_v2_access(self, _ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            if params.get("grant_type") == "refresh_token":
                team_id = self._refresh_tokens.pop(str(params.get("refresh_token")), None)
                if team_id is None:
                    raise _ApiError("invalid_refresh_token")
                grant: dict[str, Any] = {"team_id": team_id, "installer": None, "scopes": None, "rotating": True}
            else:
                found = self._oauth_codes.pop(str(params.get("code")), None)
                if found is None:
                    raise _ApiError("invalid_code")
                grant = found
            ws = self._workspaces[grant["team_id"]]
            self._token_serial += 1
            data: dict[str, Any] = {
                "ok": True,
                "app_id": "A1",
                "token_type": "bot",
                "scope": ",".join(grant["scopes"] or ws.scopes or ["chat:write", "commands"]),
                "bot_user_id": ws.bot_user_id,
                "team": {"id": ws.team_id, "name": ws.team_name},
                "enterprise": {"id": ws.enterprise_id} if ws.enterprise_id else None,
                "is_enterprise_install": False,
            }
            if grant["rotating"]:
                token = f"xoxe.xoxb-{_suffix(ws.team_id)}-{self._token_serial}"
                refresh = f"xoxe-1-{_suffix(ws.team_id)}-{self._token_serial}"
                self._refresh_tokens[refresh] = ws.team_id
                data.update({"access_token": token, "refresh_token": refresh, "expires_in": 43200})
            else:
                token = ws.token
                data["access_token"] = token
            self._tokens[token] = ws.team_id
            if grant["installer"]:
                data["authed_user"] = {"id": grant["installer"]}
            return data

    def _auth_test(self, ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = {
            "ok": True,
            "url": ws.url,
            "team": ws.team_name,
            "user": "bot",
            "team_id": ws.team_id,
            "user_id": ws.bot_user_id,
            "bot_id": ws.bot_id,
            "is_enterprise_install": False,
        }
        if ws.enterprise_id is not None:
            data["enterprise_id"] = ws.enterprise_id
        return data

    # -- API methods: chat ---------------------------------------------------------
