"""A fake Slack Socket Mode endpoint on loopback: what ``apps.connections.open``'s URL points at.

Slack's side of Socket Mode, as slack_sdk's built-in client (which Bolt's
``SocketModeHandler`` uses) sees it:

- ``apps.connections.open`` (app-level token) answers a one-time ``wss://`` URL with a
  ticket. The built-in client speaks TLS only to port 443, so the fake's ``ws://127.0.0.1:PORT``
  URL is connected in the clear, with the same handshake (HTTP/1.1 ``Upgrade: websocket``).
- On connect the server sends ``{"type": "hello", ...}``.
- Payloads arrive as envelopes ``{"envelope_id", "type": "slash_commands" | "interactive" |
  "events_api", "payload", "accepts_response_payload", "retry_attempt", "retry_reason"}``.
- The client acks each with ``{"envelope_id": ..., "payload": {...}}`` (the payload is the
  HTTP response body it would have sent: an ephemeral reply, ``response_action: errors``...).
- ``{"type": "disconnect", "reason": "refresh_requested"}`` asks the client to fetch a new
  URL and reconnect (Slack sends it every few hours).

``FakeSocketMode`` records every connection (its ticket) and every ack with its payload;
``tests.fakes.socket_sender.SocketModeSender`` drives it like ``SlackSender`` drives HTTP.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

DEFAULT_APP_TOKEN = "xapp-1-A1-1-0123456789abcdef"


@dataclass
class SocketConnection:
    """One WebSocket connection a client opened with a ticket."""

    ticket: str
    connection: ServerConnection
    opened_at: float = field(default_factory=time.monotonic)
    closed: bool = False


@dataclass(frozen=True)
class Ack:
    """An ack the client sent: the envelope it answers and its payload (None when empty)."""

    envelope_id: str
    payload: dict[str, Any] | None
    connection: int  # index in FakeSocketMode.connections


class FakeSocketMode:
    """A loopback WebSocket server speaking Slack's Socket Mode protocol (server side)."""

    def __init__(self, host: str = "127.0.0.1", app_id: str = "A1") -> None:
        self._host = host
        self._app_id = app_id
        self._lock = threading.Condition()
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._tickets: set[str] = set()
        self._used: set[str] = set()
        self.connections: list[SocketConnection] = []
        self.acks: list[Ack] = []
        # Anything the client sent that is not an ack (there should be nothing).
        self.other_messages: list[str] = []

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> Self:
        self._server = serve(
            self._handle,
            self._host,
            0,
            process_request=self._check_ticket,
            compression=None,
            server_header="FakeSlackSocketMode/1.0",
        )
        self._thread = threading.Thread(target=self._server.serve_forever, name="FakeSocketMode", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def port(self) -> int:
        assert self._server is not None, "FakeSocketMode is not started"
        return int(self._server.socket.getsockname()[1])

    def issue_url(self) -> str:
        """A fresh one-time URL, as ``apps.connections.open`` returns it."""
        ticket = uuid.uuid4().hex
        with self._lock:
            self._tickets.add(ticket)
        return f"ws://{self._host}:{self.port}/link/?ticket={ticket}&app_id={self._app_id}"

    # -- what tests do ----------------------------------------------------------------------

    def wait_connected(self, count: int = 1, timeout: float = 30) -> SocketConnection:
        """Wait until ``count`` connections were opened; the newest one."""
        with self._lock:
            if not self._lock.wait_for(lambda: len(self.connections) >= count, timeout):
                raise AssertionError(f"{len(self.connections)} Socket Mode connection(s) after {timeout}s, not {count}")
            return self.connections[-1]

    def send_envelope(
        self,
        kind: str,
        payload: dict[str, Any],
        *,
        accepts_response_payload: bool,
        retry_attempt: int = 0,
        retry_reason: str = "",
    ) -> str:
        """Deliver one envelope over the newest open connection; its ``envelope_id``."""
        envelope_id = str(uuid.uuid4())
        envelope = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": accepts_response_payload,
            "retry_attempt": retry_attempt,
            "retry_reason": retry_reason,
        }
        self._newest().connection.send(json.dumps(envelope))
        return envelope_id

    def wait_ack(self, envelope_id: str, timeout: float = 15) -> Ack:
        with self._lock:
            found = self._lock.wait_for(lambda: self._ack_for(envelope_id), timeout)
            if not found:
                raise AssertionError(f"no ack for envelope {envelope_id} within {timeout}s")
            return found

    def disconnect(self, reason: str = "refresh_requested") -> None:
        """Tell the client on the newest connection to reconnect, as Slack does."""
        message = {"type": "disconnect", "reason": reason, "debug_info": {"host": "fake-applink"}}
        self._newest().connection.send(json.dumps(message))

    def drop_connections(self) -> None:
        """Close every open connection from the server side (Slack restarting a host)."""
        with self._lock:
            live = [c for c in self.connections if not c.closed]
        for entry in live:
            entry.connection.close(1001, "going away")

    # -- server side --------------------------------------------------------------------------

    def _check_ticket(self, connection: ServerConnection, request: Request) -> Response | None:
        """Only a URL issued by apps.connections.open connects, and only once."""
        ticket = dict(parse_qsl(urlsplit(request.path).query)).get("ticket", "")
        with self._lock:
            if ticket not in self._tickets or ticket in self._used:
                return connection.respond(401, "invalid or used ticket\n")
            self._used.add(ticket)
        return None

    def _handle(self, connection: ServerConnection) -> None:
        ticket = dict(parse_qsl(urlsplit(connection.request.path if connection.request else "").query))["ticket"]
        with self._lock:
            entry = SocketConnection(ticket=ticket, connection=connection)
            self.connections.append(entry)
            index = len(self.connections) - 1
            open_count = sum(not c.closed for c in self.connections)
        connection.send(
            json.dumps(
                {
                    "type": "hello",
                    "num_connections": open_count,
                    "debug_info": {"host": "fake-applink", "approximate_connection_time": 18060},
                    "connection_info": {"app_id": self._app_id},
                }
            )
        )
        with self._lock:
            self._lock.notify_all()
        try:
            for raw in connection:
                self._received(index, raw)
        except ConnectionClosed:
            pass
        finally:
            with self._lock:
                entry.closed = True
                self._lock.notify_all()

    def _received(self, index: int, raw: str | bytes) -> None:
        text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        try:
            message = json.loads(text)
        except ValueError:
            message = None
        with self._lock:
            if isinstance(message, dict) and isinstance(message.get("envelope_id"), str):
                payload = message.get("payload")
                self.acks.append(Ack(message["envelope_id"], payload if isinstance(payload, dict) else None, index))
            else:
                self.other_messages.append(text)
            self._lock.notify_all()

    def _newest(self) -> SocketConnection:
        with self._lock:
            live = [c for c in self.connections if not c.closed]
            if not live:
                raise AssertionError("no open Socket Mode connection")
            return live[-1]

    def _ack_for(self, envelope_id: str) -> Ack | None:
        return next((a for a in self.acks if a.envelope_id == envelope_id), None)
