"""The fake Slack Web API: chat.*."""

from __future__ import annotations

from typing import Any, ClassVar

from tests.fakes.core import FakeSlackCore, Workspace, _ApiError, _maybe_json


class ChatApi(FakeSlackCore):
    API_METHODS: ClassVar[dict[str, str]] = {
        "chat.postMessage": "_chat_post_message",
        "chat.postEphemeral": "_chat_post_ephemeral",
        "chat.update": "_chat_update",
        "chat.delete": "_chat_delete",
        "chat.getPermalink": "_chat_get_permalink",
    }

    def _chat_post_message(self, ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._postable(ws, params.get("channel"))
        if not (params.get("text") or params.get("blocks") or params.get("attachments")):
            raise _ApiError("no_text")
        message = self._bot_message(ws, params)
        self._store_message(channel, message)
        return {"ok": True, "channel": channel.id, "ts": message["ts"], "message": message}

    def _chat_post_ephemeral(self, ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._postable(ws, params.get("channel"))
        self._visible_user(ws, params.get("user"))
        if not (params.get("text") or params.get("blocks") or params.get("attachments")):
            raise _ApiError("no_text")
        return {"ok": True, "channel": channel.id, "message_ts": self._next_ts()}

    def _chat_update(self, ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._conversation(ws, params.get("channel"))
        ts = str(params.get("ts") or "")
        if not ts:
            raise _ApiError("message_not_found")
        data: dict[str, Any] = {"ok": True, "channel": channel.id, "ts": ts}
        message = self._find_message(channel, ts)
        if message is None:
            data["text"] = params.get("text") or ""
            return data
        if "text" in params:
            message["text"] = params["text"]
        for name in ("blocks", "attachments", "metadata"):
            if name in params:
                message[name] = _maybe_json(params[name])
        message["edited"] = {"user": ws.bot_user_id, "ts": self._next_ts()}
        data["text"] = message.get("text", "")
        data["message"] = message
        return data

    def _chat_delete(self, ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._conversation(ws, params.get("channel"))
        ts = str(params.get("ts") or "")
        channel.messages[:] = [m for m in channel.messages if m["ts"] != ts]
        return {"ok": True, "channel": channel.id, "ts": ts}

    def _chat_get_permalink(self, ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._conversation(ws, params.get("channel"))
        ts = str(params.get("message_ts") or "")
        if not ts:
            raise _ApiError("message_not_found")
        permalink = f"{ws.url}archives/{channel.id}/p{ts.replace('.', '')}"
        return {"ok": True, "channel": channel.id, "permalink": permalink}

    # -- API methods: conversations --------------------------------------------------
