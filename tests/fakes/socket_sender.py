"""``tests.harness.SlackSender`` over Socket Mode.

The same slash commands, buttons, view submissions and events the HTTP tests send, delivered
as envelopes through ``FakeSocketMode``; each call returns the ack's payload dressed as the
HTTP response an HTTP test would read (200, JSON body, or empty when the ack had none), so
helpers such as ``ephemeral_text`` work unchanged.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import requests

from tests.fakes.socket_mode import Ack, FakeSocketMode
from tests.harness import SlackSender


@dataclass
class SocketModeSender(SlackSender):
    """``SlackSender`` over Socket Mode: each request becomes an envelope, and the answer is
    the ack's payload dressed as the HTTP response an HTTP test would read (200, JSON)."""

    socket: FakeSocketMode = field(kw_only=True)
    base_url: str = "socket-mode"
    last_ack: Ack | None = None

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
        retry = {k.lower(): v for k, v in (headers or {}).items()}
        if content_type == "application/json":
            kind, payload = "events_api", json.loads(body)
        else:
            form = dict(parse_qsl(body, keep_blank_values=True))
            if "payload" in form:
                kind, payload = "interactive", json.loads(form["payload"])
            else:
                kind, payload = "slash_commands", form
        envelope_id = self.socket.send_envelope(
            kind,
            payload,
            accepts_response_payload=kind != "events_api",
            retry_attempt=int(retry.get("x-slack-retry-num", 0)),
            retry_reason=retry.get("x-slack-retry-reason", ""),
        )
        self.last_ack = ack = self.socket.wait_ack(envelope_id)
        response = requests.Response()
        response.status_code = 200
        if ack.payload is not None:
            response._content = json.dumps(ack.payload).encode("utf-8")
            response.headers["Content-Type"] = "application/json"
        else:
            response._content = b""
        return response
