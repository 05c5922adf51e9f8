"""Sends what a person does on the page to the app as Slack would: signed, to /slack/events.

Payload shapes follow Slack's (slash command form, ``payload=`` JSON for interactivity,
an ``event_callback`` envelope for events). The signature is Slack's v0 HMAC over
``v0:{timestamp}:{body}`` with the playground's generated signing secret, and the
timestamp is the wall clock's: Bolt refuses requests older than five minutes, whatever
the playground clock says.
"""

from __future__ import annotations

import json
import re
import secrets
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from bot.playground import views
from bot.playground import world as w

# Slack gives up after 3 seconds; the playground waits longer so a busy laptop still shows
# the answer, and says so when it took longer than Slack would have waited.
TIMEOUT_SECONDS = 15.0
SLACK_ACK_SECONDS = 3.0


@dataclass(frozen=True)
class AppAnswer:
    status: int
    body: str
    content_type: str
    seconds: float

    def json(self) -> dict[str, Any] | None:
        if not self.body.strip() or "json" not in self.content_type:
            return None
        try:
            parsed = json.loads(self.body)
        except ValueError:
            return None
        return parsed if isinstance(parsed, dict) else None

    @property
    def problem(self) -> str | None:
        """What Slack would tell the person when the app's answer is no good, else None."""
        if self.status == 0:
            return "operation_timeout" if self.body == "timeout" else "dispatch_failed"
        if self.status >= 500:
            return "http_service_error"
        if self.status >= 400:
            return "http_client_error"
        return None


class Poster:
    def __init__(self, events_url: str, signing_secret: str) -> None:
        self.events_url = events_url
        self.verifier = SignatureVerifier(signing_secret)

    # -- transport ---------------------------------------------------------------------

    def post(self, body: str, content_type: str, headers: dict[str, str] | None = None) -> AppAnswer:
        timestamp = str(int(time.time()))
        signature = self.verifier.generate_signature(timestamp=timestamp, body=body) or ""
        request = urllib.request.Request(  # noqa: S310 - always our own http://127.0.0.1 URL
            self.events_url,
            data=body.encode("utf-8"),
            method="POST",
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": timestamp,
                "X-Slack-Signature": signature,
                "User-Agent": "Slackbot 1.0 (coachbot playground)",
                **(headers or {}),
            },
        )
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as resp:  # noqa: S310
                raw = resp.read().decode("utf-8", "replace")
                return AppAnswer(resp.status, raw, resp.headers.get("content-type", ""), time.perf_counter() - started)
        except urllib.error.HTTPError as err:
            raw = err.read().decode("utf-8", "replace")
            return AppAnswer(err.code, raw, err.headers.get("content-type", ""), time.perf_counter() - started)
        except TimeoutError:
            return AppAnswer(0, "timeout", "", time.perf_counter() - started)
        except OSError as err:
            return AppAnswer(0, type(err).__name__, "", time.perf_counter() - started)

    def interactive(self, payload: dict[str, Any]) -> AppAnswer:
        payload.setdefault("team", {"id": w.TEAM_ID, "domain": w.TEAM_DOMAIN})
        payload.setdefault("api_app_id", w.APP_ID)
        payload.setdefault("token", "playground-verification-token")
        payload.setdefault("is_enterprise_install", False)
        payload.setdefault("enterprise", None)
        return self.post(urlencode({"payload": json.dumps(payload)}), "application/x-www-form-urlencoded")

    # -- what people do ----------------------------------------------------------------

    def command(
        self, *, user: w.Persona, channel: w.Channel, command: str, text: str, trigger_id: str, response_url: str
    ) -> AppAnswer:
        form = {
            "token": "playground-verification-token",
            "team_id": w.TEAM_ID,
            "team_domain": w.TEAM_DOMAIN,
            "channel_id": channel.id,
            "channel_name": "directmessage" if channel.is_im else channel.name,
            "user_id": user.id,
            "user_name": user.name,
            "command": command,
            "text": text,
            "api_app_id": w.APP_ID,
            "is_enterprise_install": "false",
            "response_url": response_url,
            "trigger_id": trigger_id,
        }
        return self.post(urlencode(form), "application/x-www-form-urlencoded")

    def block_actions(
        self,
        *,
        user: w.Persona,
        action: dict[str, Any],
        trigger_id: str,
        channel: w.Channel | None = None,
        message: dict[str, Any] | None = None,
        view: dict[str, Any] | None = None,
        response_url: str | None = None,
    ) -> AppAnswer:
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user.id, "username": user.name, "name": user.name, "team_id": w.TEAM_ID},
            "trigger_id": trigger_id,
            "actions": [{**action, "action_ts": f"{time.time():.6f}"}],
        }
        if view is not None:
            payload["view"] = view
            payload["container"] = {"type": "view", "view_id": view["id"]}
        elif channel is not None and message is not None:
            payload["channel"] = {"id": channel.id, "name": "directmessage" if channel.is_im else channel.name}
            payload["message"] = message
            payload["container"] = {
                "type": "message",
                "message_ts": message["ts"],
                "channel_id": channel.id,
                "is_ephemeral": bool(message.get("is_ephemeral")),
            }
            payload["state"] = {"values": {}}
        if response_url is not None:
            payload["response_url"] = response_url
        return self.interactive(payload)

    def view_submission(self, *, user: w.Persona, view: dict[str, Any], trigger_id: str) -> AppAnswer:
        return self.interactive(
            {
                "type": "view_submission",
                "user": {"id": user.id, "username": user.name, "name": user.name, "team_id": w.TEAM_ID},
                "trigger_id": trigger_id,
                "view": view,
                "response_urls": [],
            }
        )

    def view_closed(self, *, user: w.Persona, view: dict[str, Any]) -> AppAnswer:
        return self.interactive(
            {
                "type": "view_closed",
                "user": {"id": user.id, "username": user.name, "name": user.name, "team_id": w.TEAM_ID},
                "view": view,
                "is_cleared": False,
            }
        )

    def message_shortcut(
        self,
        *,
        user: w.Persona,
        callback_id: str,
        channel: w.Channel,
        message: dict[str, Any],
        trigger_id: str,
        response_url: str,
    ) -> AppAnswer:
        return self.interactive(
            {
                "type": "message_action",
                "callback_id": callback_id,
                "user": {"id": user.id, "username": user.name, "name": user.name, "team_id": w.TEAM_ID},
                "channel": {"id": channel.id, "name": "directmessage" if channel.is_im else channel.name},
                "trigger_id": trigger_id,
                "message_ts": message["ts"],
                "message": message,
                "response_url": response_url,
                "action_ts": f"{time.time():.6f}",
            }
        )

    def event(self, event: dict[str, Any]) -> AppAnswer:
        body = {
            "token": "playground-verification-token",
            "team_id": w.TEAM_ID,
            "api_app_id": w.APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": "Ev" + secrets.token_hex(6).upper(),
            "event_time": int(time.time()),
            "authorizations": [
                {"team_id": w.TEAM_ID, "user_id": w.BOT_USER_ID, "is_bot": True, "is_enterprise_install": False}
            ],
        }
        return self.post(json.dumps(body), "application/json")


# -- what Slack sends for what a person did ---------------------------------------------


def slack_encode(text: str) -> str:
    """What Slack sends for typed text (``should_escape``): &, <, > escaped; @Name, #channel
    and @here/@channel/@everyone turned into Slack's markup."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    by_name = {p.real_name.lower(): p for p in w.PERSONAS} | {p.name: p for p in w.PERSONAS}
    channels = {c.name: c for c in w.CHANNELS if not c.is_im}

    def mention(m: re.Match[str]) -> str:
        word = m.group(1).lower()
        if word in ("here", "channel", "everyone"):
            return f"<!{word}>"
        persona = by_name.get(word)
        return f"<@{persona.id}|{persona.name}>" if persona else m.group(0)

    def channel(m: re.Match[str]) -> str:
        found = channels.get(m.group(1).lower())
        return f"<#{found.id}|{found.name}>" if found else m.group(0)

    text = re.sub(r"(?<![\w@])@([A-Za-z]+)\b", mention, text)
    return re.sub(r"(?<![\w#&])#([a-z][a-z0-9_-]*)\b", channel, text)


def find_element(blocks: list[dict[str, Any]], block_id: str, action_id: str) -> dict[str, Any] | None:
    """The element a click names, in the blocks shown now; None when the message changed."""
    for block in blocks:
        if block_id and str(block.get("block_id", "")) != block_id:
            continue
        candidates = list(block.get("elements") or [])
        for key in ("accessory", "element"):
            if block.get(key):
                candidates.append(block[key])
        for element in candidates:
            if element.get("action_id") == action_id:
                return dict(element)
    return None


def action_payload(element: dict[str, Any], block_id: str, raw: Any) -> dict[str, Any]:
    """The ``actions[0]`` Slack sends for an element, with the chosen value in its place."""
    kind = str(element.get("type"))
    action: dict[str, Any] = {"type": kind, "action_id": element.get("action_id"), "block_id": block_id}
    if kind == "button":
        action["text"] = element.get("text")
        if "value" in element:
            action["value"] = element["value"]
        if element.get("style"):
            action["style"] = element["style"]
        return action
    if kind == "overflow":
        state = views.element_state({**element, "type": "static_select"}, raw)
        action["selected_option"] = state["selected_option"]
        return action
    action.update({k: v for k, v in views.element_state(element, raw).items() if k != "type"})
    return action
