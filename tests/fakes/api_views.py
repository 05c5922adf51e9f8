"""The fake Slack Web API: views.*."""

from __future__ import annotations

import copy
import time
from collections.abc import Mapping
from typing import Any, ClassVar

from tests.fakes.core import FakeSlackCore, Workspace, _ApiError, _maybe_json


class ViewsApi(FakeSlackCore):
    API_METHODS: ClassVar[dict[str, str]] = {
        "views.open": "_views_open",
        "views.push": "_views_push",
        "views.update": "_views_update",
        "views.publish": "_views_publish",
    }

    def _view_payload(self, params: Mapping[str, Any]) -> dict[str, Any]:
        view = _maybe_json(params.get("view"))
        if not isinstance(view, dict):
            raise _ApiError("invalid_arguments")
        return view

    def _save_view(
        self,
        ws: Workspace,
        view_id: str,
        view: dict[str, Any],
        *,
        root_view_id: str | None = None,
        previous_view_id: str | None = None,
    ) -> dict[str, Any]:
        stored: dict[str, Any] = {
            "id": view_id,
            "team_id": ws.team_id,
            "bot_id": ws.bot_id,
            "blocks": [],
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            "state": {"values": {}},
            **view,
            "hash": f"{int(time.time())}.{self._next_id('h')}",
            "root_view_id": root_view_id or view_id,
            "previous_view_id": previous_view_id,
        }
        self._views[view_id] = stored
        return {"ok": True, "view": copy.deepcopy(stored)}

    def _views_open(self, ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
        view = self._view_payload(params)
        if not (params.get("trigger_id") or params.get("interactivity_pointer")):
            raise _ApiError("invalid_arguments")
        return self._save_view(ws, self._next_id("V"), view)

    def _views_push(self, ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
        view = self._view_payload(params)
        if not (params.get("trigger_id") or params.get("interactivity_pointer")):
            raise _ApiError("invalid_arguments")
        return self._save_view(ws, self._next_id("V"), view)

    def view_from_ack(self, view: dict[str, Any], team_id: str = "T1") -> str:
        """Record a view the app opened in an HTTP ack (``response_action`` push or update),
        which Slack sees and this fake does not; returns its id."""
        with self._lock:
            return str(self._save_view(self.workspace(team_id), self._next_id("V"), dict(view))["view"]["id"])

    def _views_update(self, ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
        view = self._view_payload(params)
        view_id = params.get("view_id")
        external_id = params.get("external_id")
        if view_id:
            if view_id not in self._views:
                raise _ApiError("not_found")
        elif external_id:
            found = [vid for vid, v in self._views.items() if v.get("external_id") == external_id]
            if not found:
                raise _ApiError("not_found")
            view_id = found[-1]
        else:
            raise _ApiError("invalid_arguments")
        old = self._views[str(view_id)]
        return self._save_view(
            ws,
            str(view_id),
            view,
            root_view_id=old.get("root_view_id"),
            previous_view_id=old.get("previous_view_id"),
        )

    def _views_publish(self, ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
        view = self._view_payload(params)
        user = self._visible_user(ws, params.get("user_id"))
        key = (ws.team_id, user.id)
        view_id = self._home_views.get(key) or self._next_id("V")
        self._home_views[key] = view_id
        return self._save_view(ws, view_id, view)

    # -- API methods and endpoints: files ------------------------------------------------
