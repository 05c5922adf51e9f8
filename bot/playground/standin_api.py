"""The Web API methods the stand-in answers (chat, conversations, users, views, files),
from ``World``, in Slack's shapes: ``{"ok": false, "error": ...}`` comes from ``ApiError``.

``StandIn`` (``standin``) serves them over HTTP with the token check; this module is what
each method does.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

from bot.playground import world as w
from bot.playground.world import Message, UploadedFile, World

log = logging.getLogger(__name__)

# Slack's trigger ids expire after 3 s; the playground allows more because the machine
# running it may be busy (a slow laptop, CI), and an expired modal would only confuse.
TRIGGER_MAX_AGE = 10.0
MAX_BLOCKS_MESSAGE = 50
MAX_BLOCKS_VIEW = 100
MAX_TEXT = 40_000


class ApiError(Exception):
    def __init__(self, error: str) -> None:
        super().__init__(error)
        self.error = error


Handler = Callable[[dict[str, Any]], dict[str, Any]]


class WebApiMethods:
    """One method per Web API method coachbot calls; ``params`` are the request's arguments."""

    def __init__(self, world: World, *, token: str, base_url: str) -> None:
        self.world = world
        self.token = token
        self.base_url = base_url.rstrip("/")

    def auth_test(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": f"https://{w.TEAM_DOMAIN}.slack.com/",
            "team": w.TEAM_NAME,
            "user": w.BOT_NAME,
            "team_id": w.TEAM_ID,
            "user_id": w.BOT_USER_ID,
            "bot_id": w.BOT_ID,
            "is_enterprise_install": False,
        }

    def _postable(self, raw: Any) -> w.Channel:
        channel = self.world.resolve(str(raw or ""))
        if channel is None:
            raise ApiError("channel_not_found")
        if not channel.is_im and channel.id not in self.world.bot_member:
            raise ApiError("not_in_channel")
        return channel

    def _content(self, params: dict[str, Any], *, limit: int = MAX_BLOCKS_MESSAGE) -> tuple[str, list[Any] | None]:
        text = str(params.get("text") or "")
        blocks = json_param(params.get("blocks"))
        if blocks is not None and not isinstance(blocks, list):
            raise ApiError("invalid_blocks_format")
        if not text and not blocks:
            raise ApiError("no_text")
        if blocks is not None and len(blocks) > limit:
            raise ApiError("invalid_blocks")
        if len(text) > MAX_TEXT:
            raise ApiError("msg_too_long")
        return text, blocks or None

    def chat_post_message(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._postable(params.get("channel"))
        text, blocks = self._content(params)
        metadata = json_param(params.get("metadata"))
        message = self.world.post(
            Message(
                channel=channel.id,
                ts=self.world.next_ts(),
                user=w.BOT_USER_ID,
                text=text,
                blocks=blocks,
                metadata=metadata if isinstance(metadata, dict) else None,
            )
        )
        return {"channel": channel.id, "ts": message.ts, "message": message.to_api(with_metadata=False)}

    def chat_post_ephemeral(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._postable(params.get("channel"))
        user = str(params.get("user") or "")
        if user not in w.PERSONA_BY_ID:
            raise ApiError("user_not_in_channel")
        text, blocks = self._content(params)
        message = self.world.post(
            Message(
                channel=channel.id,
                ts=self.world.next_ts(),
                user=w.BOT_USER_ID,
                text=text,
                blocks=blocks,
                visible_to=user,
            )
        )
        return {"message_ts": message.ts}

    def chat_update(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self.world.resolve(str(params.get("channel") or ""))
        if channel is None:
            raise ApiError("channel_not_found")
        ts = str(params.get("ts") or "")
        found = self.world.find(channel.id, ts)
        if found is None or found.visible_to is not None:
            raise ApiError("message_not_found")
        if found.user != w.BOT_USER_ID:
            raise ApiError("cant_update_message")
        text, blocks = self._content(params)
        self.world.replace(channel.id, ts, text=text, blocks=blocks, edited=True)
        return {"channel": channel.id, "ts": ts, "text": text}

    def chat_delete(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self.world.resolve(str(params.get("channel") or ""))
        ts = str(params.get("ts") or "")
        if channel is None:
            raise ApiError("channel_not_found")
        found = self.world.find(channel.id, ts)
        if found is None:
            raise ApiError("message_not_found")
        if found.user != w.BOT_USER_ID:
            raise ApiError("cant_delete_message")
        self.world.delete(channel.id, ts)
        return {"channel": channel.id, "ts": ts}

    def conversations_info(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self.world.channel(str(params.get("channel") or ""))
        if channel is None:
            raise ApiError("channel_not_found")
        return {"channel": channel.to_api(bot_member=channel.id in self.world.bot_member)}

    def conversations_join(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self.world.channel(str(params.get("channel") or ""))
        if channel is None:
            raise ApiError("channel_not_found")
        if channel.is_im:
            raise ApiError("method_not_supported_for_channel_type")
        if channel.id not in self.world.bot_member:
            with self.world.changing():
                self.world.bot_member.add(channel.id)
            self.world.post(
                Message(
                    channel=channel.id,
                    ts=self.world.next_ts(),
                    user=w.BOT_USER_ID,
                    text=f"joined #{channel.name}.",
                    system=True,
                )
            )
        return {"channel": channel.to_api(bot_member=True)}

    def conversations_open(self, params: dict[str, Any]) -> dict[str, Any]:
        users = [u for u in str(params.get("users") or "").split(",") if u]
        if len(users) != 1:
            # coachbot only opens one-to-one DMs; group DMs are not part of the playground.
            raise ApiError("users_list_not_supplied" if not users else "not_supported")
        dm = self.world.dm_of(users[0])
        if dm is None:
            raise ApiError("user_not_found")
        return {"channel": dm.to_api(bot_member=True)}

    def conversations_history(self, params: dict[str, Any]) -> dict[str, Any]:
        channel = self.world.channel(str(params.get("channel") or ""))
        if channel is None:
            raise ApiError("channel_not_found")
        if not channel.is_im and channel.id not in self.world.bot_member:
            raise ApiError("not_in_channel")
        oldest = float(params.get("oldest") or 0)
        latest = float(params.get("latest") or "inf")
        limit = max(1, min(int(params.get("limit") or 100), 999))
        cursor = str(params.get("cursor") or "0")
        start = int(cursor) if cursor.isdigit() else 0
        with_metadata = str(params.get("include_all_metadata") or "").lower() in ("1", "true")
        found = [
            m
            for m in reversed(self.world.visible(channel.id, ""))
            if m.visible_to is None and not m.system and oldest <= float(m.ts) <= latest
        ]
        page = found[start : start + limit]
        more = start + limit < len(found)
        return {
            "messages": [m.to_api(with_metadata=with_metadata) for m in page],
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def users_info(self, params: dict[str, Any]) -> dict[str, Any]:
        user_id = str(params.get("user") or "")
        if user_id == w.BOT_USER_ID:
            return {"user": _user_api(user_id, w.BOT_NAME, w.BOT_NAME, "UTC", is_bot=True)}
        persona = w.PERSONA_BY_ID.get(user_id)
        if persona is None:
            raise ApiError("user_not_found")
        return {"user": _user_api(persona.id, persona.name, persona.real_name, persona.tz, is_admin=persona.is_admin)}

    def users_list(self, params: dict[str, Any]) -> dict[str, Any]:
        members = [_user_api(p.id, p.name, p.real_name, p.tz, is_admin=p.is_admin) for p in w.PERSONAS] + [
            _user_api(w.BOT_USER_ID, w.BOT_NAME, w.BOT_NAME, "UTC", is_bot=True)
        ]
        return {"members": members, "response_metadata": {"next_cursor": ""}}

    def _view(self, params: dict[str, Any]) -> dict[str, Any]:
        view = json_param(params.get("view"))
        if not isinstance(view, dict):
            raise ApiError("invalid_arguments")
        problem = _view_problem(view)
        if problem:
            log.warning("the app sent a view Slack would refuse: %s", problem)
            raise ApiError("invalid_arguments")
        return view

    def views_open(self, params: dict[str, Any]) -> dict[str, Any]:
        view = self._view(params)
        user = self.world.take_trigger(str(params.get("trigger_id") or ""), TRIGGER_MAX_AGE)
        if user is None:
            raise ApiError("expired_trigger_id")
        return {"view": self.world.open_view(user, view)}

    def views_push(self, params: dict[str, Any]) -> dict[str, Any]:
        view = self._view(params)
        user = self.world.take_trigger(str(params.get("trigger_id") or ""), TRIGGER_MAX_AGE)
        if user is None:
            raise ApiError("expired_trigger_id")
        if not self.world.modal_stack(user):
            raise ApiError("not_found")
        return {"view": self.world.push_view(user, view)}

    def views_update(self, params: dict[str, Any]) -> dict[str, Any]:
        view = self._view(params)
        view_id = str(params.get("view_id") or "")
        external_id = str(params.get("external_id") or "")
        found = self.world.find_view(view_id) if view_id else self.world.find_view_by_external_id(external_id)
        if found is None:
            raise ApiError("not_found")
        given_hash = params.get("hash")
        if given_hash and given_hash != found[2]["hash"]:
            raise ApiError("hash_conflict")
        updated = self.world.update_view(found[2]["id"], view)
        assert updated is not None
        return {"view": updated}

    def views_publish(self, params: dict[str, Any]) -> dict[str, Any]:
        view = self._view(params)
        user_id = str(params.get("user_id") or "")
        if user_id not in w.PERSONA_BY_ID:
            raise ApiError("user_not_found")
        if view.get("type") != "home":
            raise ApiError("invalid_arguments")
        return {"view": self.world.publish_home(user_id, view)}

    def files_get_upload_url(self, params: dict[str, Any]) -> dict[str, Any]:
        filename = str(params.get("filename") or "")
        if not filename:
            raise ApiError("invalid_arguments")
        file = UploadedFile(id=self.world.new_id("F"), filename=filename, title=filename)
        with self.world.lock:
            self.world.files[file.id] = file
        return {"upload_url": f"{self.base_url}/upload/{file.id}", "file_id": file.id}

    def files_complete_upload(self, params: dict[str, Any]) -> dict[str, Any]:
        entries = json_param(params.get("files"))
        if not isinstance(entries, list) or not entries:
            raise ApiError("invalid_arguments")
        done: list[dict[str, Any]] = []
        for entry in entries:
            file = self.world.files.get(str((entry or {}).get("id") or ""))
            if file is None or file.content is None:
                raise ApiError("file_not_found")
            file.title = str(entry.get("title") or file.filename)
            done.append({"id": file.id, "name": file.filename, "title": file.title, "size": len(file.content)})
        channel_id = params.get("channel_id") or params.get("channels")
        if channel_id:
            channel = self._postable(str(channel_id).split(",")[0])
            self.world.post(
                Message(
                    channel=channel.id,
                    ts=self.world.next_ts(),
                    user=w.BOT_USER_ID,
                    text=str(params.get("initial_comment") or ""),
                    files=done,
                )
            )
        return {"files": done}


def _user_api(
    user_id: str, name: str, real_name: str, tz: str, *, is_admin: bool = False, is_bot: bool = False
) -> dict[str, Any]:
    return {
        "id": user_id,
        "team_id": w.TEAM_ID,
        "name": name,
        "real_name": real_name,
        "deleted": False,
        "tz": tz,
        "is_admin": is_admin,
        "is_owner": False,
        "is_primary_owner": False,
        "is_bot": is_bot,
        "profile": {"real_name": real_name, "display_name": name},
    }


def _view_problem(view: dict[str, Any]) -> str | None:
    """The checks Slack makes that an app most often trips on."""
    kind = view.get("type")
    if kind not in ("modal", "home"):
        return f"view type {kind!r}"
    blocks = view.get("blocks")
    if not isinstance(blocks, list) or len(blocks) > MAX_BLOCKS_VIEW:
        return "blocks missing or more than 100"
    if kind == "modal":
        for key in ("title", "submit", "close"):
            text = (view.get(key) or {}).get("text", "")
            if len(text) > 24:
                return f"{key} longer than 24 characters"
        if not (view.get("title") or {}).get("text"):
            return "modal without a title"
        if any(b.get("type") == "input" for b in blocks) and not view.get("submit"):
            return "inputs without a submit button"
    if len(str(view.get("private_metadata") or "")) > 3000:
        return "private_metadata longer than 3000 characters"
    return None


def json_param(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value
