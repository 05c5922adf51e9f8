"""The stand-in for Slack's Web API: just the methods coachbot calls, answered from ``World``.

The app reaches it through ``SLACK_API_URL`` with its ordinary ``WebClient``, so every call
goes through the same client, retry policy and error handling as against Slack. Answers
follow Slack's shapes (``{"ok": false, "error": "channel_not_found"}`` with HTTP 200).
This is a product part, not the tests' recorder (``tests/fakes``): it keeps no call log
and injects no faults.
"""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from bot.playground import world as w
from bot.playground.standin_api import ApiError, Handler, WebApiMethods
from bot.playground.world import Message, World

RESPONSE_URL_USES = 5  # Slack: up to five answers within 30 minutes
RESPONSE_URL_SECONDS = 30 * 60


class StandIn(WebApiMethods):
    """The Web API, upload and response_url endpoints over HTTP, on the playground's port."""

    def __init__(self, world: World, *, token: str, base_url: str) -> None:
        super().__init__(world, token=token, base_url=base_url)
        self.methods: dict[str, Handler] = {
            "auth.test": self.auth_test,
            "api.test": lambda params: {},
            "chat.postMessage": self.chat_post_message,
            "chat.postEphemeral": self.chat_post_ephemeral,
            "chat.update": self.chat_update,
            "chat.delete": self.chat_delete,
            "conversations.info": self.conversations_info,
            "conversations.join": self.conversations_join,
            "conversations.open": self.conversations_open,
            "conversations.history": self.conversations_history,
            "users.info": self.users_info,
            "users.list": self.users_list,
            "views.open": self.views_open,
            "views.push": self.views_push,
            "views.update": self.views_update,
            "views.publish": self.views_publish,
            "files.getUploadURLExternal": self.files_get_upload_url,
            "files.completeUploadExternal": self.files_complete_upload,
        }

    def routes(self) -> list[Route]:
        return [
            Route("/api/{method}", self.api, methods=["GET", "POST"]),
            Route("/upload/{file_id}", self.upload, methods=["POST"]),
            Route("/response/{token}", self.response_url, methods=["POST"]),
        ]

    # -- HTTP --------------------------------------------------------------------------

    async def api(self, request: Request) -> Response:
        method = request.path_params["method"]
        params = await _params(request)
        token = (request.headers.get("authorization") or "").removeprefix("Bearer ").strip() or params.pop(
            "token", None
        )
        handler = self.methods.get(method)
        if handler is None:
            return JSONResponse({"ok": False, "error": "unknown_method"})
        if token != self.token:
            return JSONResponse({"ok": False, "error": "not_authed" if not token else "invalid_auth"})
        try:
            body = handler(params)
        except ApiError as err:
            return JSONResponse({"ok": False, "error": err.error})
        return JSONResponse({"ok": True, **body})

    async def upload(self, request: Request) -> Response:
        file = self.world.files.get(request.path_params["file_id"])
        if file is None:
            return PlainTextResponse("file not found", status_code=404)
        file.content = await request.body()
        return PlainTextResponse(f"OK - {len(file.content)}")

    async def response_url(self, request: Request) -> Response:
        target = self.world.responses.get(request.path_params["token"])
        if target is None or time.monotonic() - target.created > RESPONSE_URL_SECONDS:
            return PlainTextResponse("expired_url", status_code=404)
        if target.uses >= RESPONSE_URL_USES:
            return PlainTextResponse("used_url", status_code=404)
        try:
            payload = json.loads(await request.body() or b"{}")
        except ValueError:
            return PlainTextResponse("invalid_payload", status_code=400)
        if not isinstance(payload, dict):
            return PlainTextResponse("invalid_payload", status_code=400)
        target.uses += 1
        self.answer(target.user, target.channel, target.source_ts, payload)
        return PlainTextResponse("ok")

    # -- replies to an interaction (ack bodies and response_url) -------------------------

    def answer(self, user_id: str, channel_id: str, source_ts: str | None, payload: dict[str, Any]) -> None:
        """Show a command's or action's answer as Slack would: ephemeral unless ``in_channel``;
        ``replace_original``/``delete_original`` act on the message the action came from."""
        if payload.get("delete_original") and source_ts:
            self.world.delete(channel_id, source_ts)
            return
        text = str(payload.get("text") or "")
        blocks = payload.get("blocks") or None
        public = payload.get("response_type") == "in_channel"
        if payload.get("replace_original") and source_ts:
            original = self.world.find(channel_id, source_ts)
            if original is not None:
                self.world.replace(channel_id, source_ts, text=text, blocks=blocks, edited=original.visible_to is None)
                return
        if not text and not blocks:
            return
        self.world.post(
            Message(
                channel=channel_id,
                ts=self.world.next_ts(),
                user=w.BOT_USER_ID,
                text=text,
                blocks=blocks,
                visible_to=None if public else user_id,
            )
        )


async def _params(request: Request) -> dict[str, Any]:
    body = await request.body()
    params: dict[str, Any] = dict(request.query_params)
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json") and body:
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict):
            params.update(parsed)
    elif body:
        params.update(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
    return params
