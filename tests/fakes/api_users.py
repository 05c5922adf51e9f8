"""The fake Slack Web API: users.*."""

from __future__ import annotations

from typing import Any, ClassVar

from tests.fakes.core import FakeSlackCore, Workspace, _ApiError


class UsersApi(FakeSlackCore):
    API_METHODS: ClassVar[dict[str, str]] = {
        "users.info": "_users_info",
        "users.profile.get": "_users_profile_get",
        "users.list": "_users_list",
        "users.lookupByEmail": "_users_lookup_by_email",
    }

    def _users_info(self, ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "user": self._visible_user(ws, params.get("user")).to_api()}

    def _users_profile_get(self, ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "profile": self._visible_user(ws, params.get("user")).to_api()["profile"]}

    def _users_list(self, ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
        members = [u.to_api() for u in self._users.values() if self._same_org(ws, u.team_id)]
        return {"ok": True, "members": members, "response_metadata": {"next_cursor": ""}}

    def _users_lookup_by_email(self, ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
        email = str(params.get("email") or "").lower()
        for user in self._users.values():
            if user.email and user.email.lower() == email and self._same_org(ws, user.team_id):
                return {"ok": True, "user": user.to_api()}
        raise _ApiError("users_not_found")

    # -- API methods: views --------------------------------------------------------------
