"""The fake Slack Web API: conversations.*."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, ClassVar

from tests.fakes.core import Channel, FakeSlackCore, Workspace, _ApiError, _as_int, _truthy, _ts_value


class ConversationsApi(FakeSlackCore):
    API_METHODS: ClassVar[dict[str, str]] = {
        "conversations.history": "_conversations_history",
        "conversations.replies": "_conversations_replies",
        "conversations.info": "_conversations_info",
        "conversations.join": "_conversations_join",
        "conversations.open": "_conversations_open",
        "conversations.members": "_conversations_members",
        "conversations.list": "_conversations_list",
    }

    def _conversations_history(self, ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._readable(ws, params.get("channel"))
        top_level = [
            m
            for m in channel.messages
            if m.get("thread_ts") in (None, m["ts"]) or m.get("subtype") == "thread_broadcast"
        ]
        return self._page(top_level, params, newest_first=True)

    def _conversations_replies(self, ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._readable(ws, params.get("channel"))
        ts = params.get("ts")
        if not ts:
            raise _ApiError("thread_not_found")
        thread = [m for m in channel.messages if m["ts"] == ts or m.get("thread_ts") == ts]
        if not thread:
            raise _ApiError("thread_not_found")
        return self._page(thread, params, newest_first=False)

    def _page(self, messages: list[dict[str, Any]], params: Mapping[str, Any], *, newest_first: bool) -> dict[str, Any]:
        oldest = _ts_value(params.get("oldest") or "0", "invalid_ts_oldest")
        latest_raw = params.get("latest")
        latest = _ts_value(latest_raw, "invalid_ts_latest") if latest_raw else None
        inclusive = _truthy(params.get("inclusive"))

        def in_range(message: dict[str, Any]) -> bool:
            ts = Decimal(str(message["ts"]))
            after_oldest = ts > oldest or (inclusive and ts == oldest)
            before_latest = latest is None or ts < latest or (inclusive and ts == latest)
            return after_oldest and before_latest

        selected = [m for m in messages if in_range(m)]
        if newest_first:
            selected.reverse()
        limit = _as_int(params.get("limit"), 100) or 100
        offset = 0
        cursor = str(params.get("cursor") or "")
        if cursor.startswith("offset:"):
            offset = _as_int(cursor[len("offset:") :], 0)
        page = copy.deepcopy(selected[offset : offset + limit])
        if not _truthy(params.get("include_all_metadata")):
            for message in page:
                message.pop("metadata", None)
        has_more = offset + limit < len(selected)
        data: dict[str, Any] = {"ok": True, "messages": page, "has_more": has_more}
        data["response_metadata"] = {"next_cursor": f"offset:{offset + limit}" if has_more else ""}
        return data

    def _conversations_info(self, ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._conversation(ws, params.get("channel"))
        if channel.is_private and not channel.bot_is_member:
            raise _ApiError("channel_not_found")
        return {"ok": True, "channel": channel.to_api()}

    def _conversations_join(self, ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._conversation(ws, params.get("channel"))
        if channel.is_private or channel.is_im or channel.is_mpim:
            raise _ApiError("method_not_supported_for_channel_type")
        if channel.is_archived:
            raise _ApiError("is_archived")
        data: dict[str, Any] = {"ok": True}
        if channel.bot_is_member:
            data["warning"] = "already_in_channel"
        self._set_bot_member(channel, ws, True)
        data["channel"] = channel.to_api()
        return data

    def _conversations_open(self, ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("channel"):
            channel = self._conversation(ws, params["channel"])
        else:
            raw = params.get("users")
            user_ids = raw if isinstance(raw, list) else str(raw or "").split(",")
            users = [self._visible_user(ws, u.strip()) for u in user_ids if u.strip()]
            if not users:
                raise _ApiError("users_list_not_supplied")
            if len(users) == 1:
                channel = self._dm_with(ws, users[0])
            else:
                ids = sorted({u.id for u in users} | {ws.bot_user_id})
                digest = hashlib.sha1(",".join(ids).encode()).hexdigest()[:10].upper()
                channel = self._channels.setdefault(
                    f"G{digest}",
                    Channel(
                        id=f"G{digest}",
                        team_id=ws.team_id,
                        name="mpdm-" + "--".join(ids),
                        is_mpim=True,
                        members=set(ids),
                    ),
                )
        if _truthy(params.get("return_im")):
            return {"ok": True, "channel": channel.to_api()}
        return {"ok": True, "channel": {"id": channel.id}}

    def _conversations_members(self, ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
        channel = self._conversation(ws, params.get("channel"))
        if channel.is_private and not channel.bot_is_member:
            raise _ApiError("channel_not_found")
        return {
            "ok": True,
            "members": sorted(channel.members),
            "response_metadata": {"next_cursor": ""},
        }

    def _conversations_list(self, ws: Workspace, params: dict[str, Any]) -> dict[str, Any]:
        types = set(str(params.get("types") or "public_channel").split(","))
        exclude_archived = _truthy(params.get("exclude_archived"))

        def kind(c: Channel) -> str:
            if c.is_im:
                return "im"
            if c.is_mpim:
                return "mpim"
            return "private_channel" if c.is_private else "public_channel"

        channels = [
            c.to_api()
            for c in self._channels.values()
            if self._same_org(ws, c.team_id)
            and kind(c) in types
            and not (exclude_archived and c.is_archived)
            and (kind(c) == "public_channel" or c.bot_is_member)
        ]
        return {"ok": True, "channels": channels, "response_metadata": {"next_cursor": ""}}

    # -- API methods: users --------------------------------------------------------------
