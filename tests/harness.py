"""Test harness: run the real app over HTTP, and talk to it the way Slack does.

``AppServer`` serves ``bot.web.server`` with uvicorn on a free loopback port, wired to a
real database and to the fake Slack Web API. ``SlackSender`` builds slash commands,
interactivity payloads and events, signs them as Slack does, and POSTs them.
"""

from __future__ import annotations

import json
import socket
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import urlencode

import requests
import uvicorn
from slack_sdk.signature import SignatureVerifier

from bot.app import create_app
from bot.bootstrap import build_deps
from bot.config import Settings
from bot.deps import Deps
from bot.web.server import create_web_app

SIGNING_SECRET = "test-signing-secret-0123456789abcdef"
BOT_TOKEN = "xoxb-test"
TEAM = "T1"


def sign(secret: str, timestamp: str, body: str) -> str:
    """Slack's v0 signature: HMAC-SHA256 of ``v0:{timestamp}:{body}`` with the signing secret."""
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    assert signature is not None
    return signature


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class TestClock:
    """The app's notion of now; tests move it."""

    __test__ = False

    def __init__(self, now: datetime | None = None) -> None:
        self.now = now or datetime(2026, 11, 30, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def set(self, iso: str) -> datetime:
        self.now = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(UTC)
        return self.now


T = TypeVar("T")


def until(probe: Callable[[], T], timeout: float = 5.0) -> T:
    """Poll ``probe`` until it returns something truthy, for work done after the ack; its last
    value once ``timeout`` seconds have passed."""
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.01)


@dataclass
class AppServer:
    settings: Settings
    clock: TestClock = field(default_factory=TestClock)
    port: int = 0
    deps: Deps | None = None
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, deps: Deps | None = None) -> AppServer:
        self.deps = deps or build_deps(self.settings)
        self.deps.clock = self.clock
        app = create_app(self.deps)
        web = create_web_app(app, self.deps)
        self.port = free_port()
        config = uvicorn.Config(web, host="127.0.0.1", port=self.port, log_level="warning", access_log=False)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("app server did not start")
            time.sleep(0.01)
        return self

    def metrics(self) -> str:
        """The app's Prometheus text, as `serve` exposes it on METRICS_PORT (the Slack port
        never serves /metrics)."""
        assert self.deps is not None
        return self.deps.metrics.render().decode("utf-8")

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self.deps is not None:
            self.deps.background.shutdown(wait=True)


@dataclass
class SlackSender:
    """Sends signed requests to the app as Slack would."""

    base_url: str
    secret: str = SIGNING_SECRET
    team_id: str = TEAM
    response_url: Callable[[], str] | None = None
    enterprise_id: str | None = None
    # The bodies POSTed to a response_url (``FakeSlack.responses``): a command acked empty
    # before its answer was ready (it waited on Slack) is answered there; see ``reply``.
    replies: Callable[[str], list[Any]] | None = None
    # The fake Slack itself, for forms answered after their ack (see ``view_submission``).
    fake: Any = None

    def as_team(self, team_id: str, enterprise_id: str | None = None) -> SlackSender:
        return replace(self, team_id=team_id, enterprise_id=enterprise_id)

    def post(
        self,
        body: str,
        *,
        content_type: str = "application/x-www-form-urlencoded",
        timestamp: int | None = None,
        headers: dict[str, str] | None = None,
        secret: str | None = None,
        signed: bool = True,
    ) -> requests.Response:
        ts = str(int(time.time()) if timestamp is None else timestamp)
        h = {"Content-Type": content_type, "X-Slack-Request-Timestamp": ts}
        if signed:
            h["X-Slack-Signature"] = sign(secret or self.secret, ts, body)
        h.update(headers or {})
        return requests.post(f"{self.base_url}/slack/events", data=body.encode("utf-8"), headers=h, timeout=15)

    def command(
        self,
        command: str,
        text: str = "",
        *,
        user: str = "U1",
        channel: str = "C1",
        wait_for_answer: bool = True,
        **extra: str,
    ) -> requests.Response:
        """Send a slash command. A command whose answer waited on Slack is acked empty and
        answered through its response_url (the ack's ``x-coachbot-answer`` header says so):
        with ``wait_for_answer`` (and ``replies``), that answer is waited for and put in the
        returned response's body, as if it had come in the ack, so the command is done when
        this returns; ``response.answered_late`` tells the two apart, ``response.ack_body`` is
        what the ack itself carried."""
        form = {
            "token": "legacy-verification-token",
            "team_id": self.team_id,
            "team_domain": "acme",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": command,
            "text": text,
            "api_app_id": "A1",
            "is_enterprise_install": "false",
            "response_url": self.response_url() if self.response_url else "https://hooks.invalid/none",
            "trigger_id": f"trig.{uuid.uuid4().hex[:12]}",
        }
        if self.enterprise_id:
            form["enterprise_id"] = self.enterprise_id
        form.update(extra)
        response = self.post(urlencode(form))
        late = response.headers.get("x-coachbot-answer") == "response_url"
        response.answered_late = late  # type: ignore[attr-defined]
        response.ack_body = response.content  # type: ignore[attr-defined]
        if late and wait_for_answer and self.replies is not None:
            replies, url = self.replies, form["response_url"]
            posted = until(lambda: replies(url), timeout=15)
            assert posted, f"{command} was acked empty and nothing came to its response_url"
            response._content = json.dumps(posted[0]).encode()
        return response

    def interactive(self, payload: dict[str, Any]) -> requests.Response:
        payload.setdefault("team", {"id": self.team_id, "domain": "acme"})
        payload.setdefault("api_app_id", "A1")
        payload.setdefault("token", "legacy-verification-token")
        payload.setdefault("is_enterprise_install", False)
        if self.enterprise_id:
            payload.setdefault("enterprise", {"id": self.enterprise_id})
        return self.post(urlencode({"payload": json.dumps(payload)}))

    def block_action(
        self,
        action_id: str,
        value: str = "",
        *,
        user: str = "U1",
        channel: str | None = "C1",
        message_ts: str | None = None,
        view: dict[str, Any] | None = None,
        block_id: str = "b",
    ) -> requests.Response:
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user, "username": user.lower(), "team_id": self.team_id},
            "trigger_id": f"trig.{uuid.uuid4().hex[:12]}",
            "actions": [
                {
                    "action_id": action_id,
                    "block_id": block_id,
                    "value": value,
                    "type": "button",
                    "action_ts": "1",
                }
            ],
            "response_url": self.response_url() if self.response_url else "https://hooks.invalid/none",
        }
        if channel is not None:
            payload["channel"] = {"id": channel, "name": "general"}
            payload["container"] = {
                "type": "message",
                "channel_id": channel,
                "message_ts": message_ts or "1.000001",
            }
            payload["message"] = {"ts": message_ts or "1.000001", "text": ""}
        if view is not None:
            payload["view"] = view
            payload["container"] = {"type": "view", "view_id": view.get("id", "V1")}
        return self.interactive(payload)

    def view_submission(
        self,
        callback_id: str,
        values: dict[str, dict[str, Any]],
        *,
        user: str = "U1",
        private_metadata: str = "",
        previous_view_id: str | None = None,
        wait_for_answer: bool = True,
    ) -> requests.Response:
        """Submit a form. A form that had to ask Slack first is acked with a pushed "One
        moment" view, which the app then updates with its answer (``bot.listeners.ack_first``).
        With ``wait_for_answer`` (and ``fake``), that update is waited for and the response's
        body becomes what the ack would otherwise have said (``errors``, ``update`` or empty);
        ``answered_late`` and ``ack_body`` as for ``command``."""
        payload = {
            "type": "view_submission",
            "user": {"id": user, "username": user.lower(), "team_id": self.team_id},
            "trigger_id": f"trig.{uuid.uuid4().hex[:12]}",
            "view": {
                "id": "V1",
                "type": "modal",
                "callback_id": callback_id,
                "private_metadata": private_metadata,
                "state": {"values": values},
                "team_id": self.team_id,
                "previous_view_id": previous_view_id,
            },
        }
        response = self.interactive(payload)
        acked = response.json() if response.content else {}
        pending = acked.get("view") if acked.get("response_action") == "push" else None
        external_id = str((pending or {}).get("external_id") or "")
        response.answered_late = external_id.startswith("coachbot-pending-")  # type: ignore[attr-defined]
        response.ack_body = response.content  # type: ignore[attr-defined]
        if response.answered_late and wait_for_answer and self.fake is not None:  # type: ignore[attr-defined]
            self.fake.view_from_ack(pending, self.team_id)
            (update, *_) = self.fake.wait_for("views.update", external_id=external_id, timeout=15)
            answer = _ack_of(update.json("view"))
            response._content = json.dumps(answer).encode() if answer else b""
        return response

    def shortcut(
        self, callback_id: str, *, message_text: str, user: str = "U1", channel: str = "C1"
    ) -> requests.Response:
        payload = {
            "type": "message_action",
            "callback_id": callback_id,
            "user": {"id": user, "username": user.lower(), "team_id": self.team_id},
            "channel": {"id": channel, "name": "general"},
            "trigger_id": f"trig.{uuid.uuid4().hex[:12]}",
            "message_ts": "1700000000.000100",
            "message": {"type": "message", "user": "U9", "ts": "1700000000.000100", "text": message_text},
            "response_url": self.response_url() if self.response_url else "https://hooks.invalid/none",
        }
        return self.interactive(payload)

    def event(
        self, event: dict[str, Any], *, event_id: str | None = None, retry_num: int | None = None
    ) -> requests.Response:
        body: dict[str, Any] = {
            "token": "legacy-verification-token",
            "team_id": self.team_id,
            "api_app_id": "A1",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": self.team_id, "user_id": "UBOT", "is_bot": True}],
        }
        if self.enterprise_id:  # as Slack sends events from an Enterprise Grid workspace
            body["enterprise_id"] = self.enterprise_id
            body["authorizations"][0]["enterprise_id"] = self.enterprise_id
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        return self.post(json.dumps(body), content_type="application/json", headers=headers)

    def function_executed(
        self, execution: Any, *, event_id: str | None = None, retry_num: int | None = None
    ) -> requests.Response:
        """Deliver the ``function_executed`` event of a ``FunctionExecution`` (``FakeSlack.start_function``)
        from its workspace. Slack's retry of it repeats the ``event_id`` with ``retry_num``."""
        same = (execution.team_id, execution.enterprise_id) == (self.team_id, self.enterprise_id)
        sender = self if same else self.as_team(execution.team_id, execution.enterprise_id)
        return sender.event(execution.event(), event_id=event_id, retry_num=retry_num)


def _ack_of(late: dict[str, Any]) -> dict[str, Any] | str:
    """The ack a form would have given, from the view its "One moment" view became."""
    title = (late.get("title") or {}).get("text")
    if title == "Not saved":
        errors = json.loads(late.get("private_metadata") or "{}").get("errors")
        if errors:
            return {"response_action": "errors", "errors": errors}
        return {"response_action": "push", "view": late}
    if title == "Done":
        return ""
    return {"response_action": "update", "view": {k: v for k, v in late.items() if k != "clear_on_close"}}


def ephemeral_text(response: requests.Response) -> str:
    """The text (and block texts) of an ack body (or a command's answer, see
    ``SlackSender.command``), for assertions."""
    assert response.status_code == 200, response.text
    body = response.json()
    parts = [body.get("text", "")]
    for block in body.get("blocks", []) or []:
        parts.append(json.dumps(block))
    return "\n".join(parts)
