"""The web edge: limits applied before Bolt (or even Starlette) sees a request.

Two layers, because each protects against something the other cannot see:

- ``SlackEdge`` is ASGI middleware. It answers from the headers alone whenever it can: a
  request to ``/slack/events`` without Slack's two signing headers, or with a timestamp that
  is not an integer within five minutes, gets 401 before one body byte is read; a
  ``Content-Length`` over the cap gets 413 at once; a chunked body is read only up to the
  cap. Slack's own payloads are a few KB, so 1 MiB is generous.
- ``edge_protocol`` subclasses uvicorn's httptools protocol. uvicorn has a keep-alive
  timeout but no deadline for a request's headers or body, and it only checks
  ``limit_concurrency`` once headers have arrived, so a client that connects and says
  nothing holds a file descriptor forever. The subclass gives every request a deadline and
  sheds connections past the cap as soon as they are accepted. It also caps a request's
  head (request line and headers) at 64 KiB: httptools would buffer it without limit.
"""

from __future__ import annotations

import asyncio
import logging
import re
import resource
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from prometheus_client import CollectorRegistry, Counter
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from bot.config import Settings
from bot.metrics import Metrics

log = logging.getLogger(__name__)

SLACK_EVENTS_PATH = "/slack/events"
# Slack refuses requests signed more than five minutes ago; so do we (replay window).
MAX_SKEW_SECONDS = 5 * 60
_TIMESTAMP = re.compile(r"[0-9]{1,12}")
_DIGITS = re.compile(r"[0-9]{1,20}")
# Set in the ASGI scope by the protocol when it closed a request that was too slow.
TIMED_OUT = "coachbot.timed_out"
# A request line and headers larger than this get 431. Slack's are under 2 KB; without a
# cap, httptools keeps buffering a header (or a stream of headers) for as long as it comes.
MAX_HEAD_BYTES = 64 * 1024
# File descriptors kept for everything that is not a client connection: the database
# pool, Slack API connections, log files, the metrics port.
FD_RESERVE = 256


@dataclass(frozen=True)
class EdgeLimits:
    max_body_bytes: int
    request_timeout_seconds: float
    max_connections: int

    @classmethod
    def from_settings(cls, settings: Settings, *, max_connections: int | None = None) -> EdgeLimits:
        return cls(
            max_body_bytes=settings.max_body_bytes,
            request_timeout_seconds=settings.request_timeout_seconds,
            max_connections=max_connections or settings.max_connections,
        )


_DROPPED: weakref.WeakKeyDictionary[CollectorRegistry, Counter] = weakref.WeakKeyDictionary()


def dropped_connections(registry: CollectorRegistry) -> Counter:
    """Connections the edge closed itself, by reason (one counter per app's registry)."""
    counter = _DROPPED.get(registry)
    if counter is None:
        counter = Counter(
            "coachbot_http_connections_dropped",
            "Connections closed by the web edge: request too slow, or past the connection cap",
            ["reason"],
            registry=registry,
        )
        _DROPPED[registry] = counter
    return counter


def slack_header_problem(headers: Headers, now: float) -> str | None:
    """What is wrong with a request's Slack signing headers, or None when they may be checked.

    Only the shape and the age are checked here; the HMAC over the body is Bolt's
    ``SignatureVerifier``, once the (capped) body has been read.
    """
    for name in ("x-slack-signature", "x-slack-request-timestamp"):
        values = headers.getlist(name)
        if not values:
            return f"missing {name} header"
        if len(values) > 1:
            return f"{name} header sent more than once"
    timestamp = headers["x-slack-request-timestamp"]
    if not _TIMESTAMP.fullmatch(timestamp):
        return "x-slack-request-timestamp is not an integer"
    if abs(now - int(timestamp)) > MAX_SKEW_SECONDS:
        return "x-slack-request-timestamp is more than 5 minutes from now"
    return None


async def _answer(send: Send, status: int, text: str) -> None:
    """A short plain-text answer that also closes the connection, so an unread body is
    never read: uvicorn drops the rest of the upload with the socket."""
    body = text.encode("utf-8")
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode("ascii")),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class SlackEdge:
    """ASGI middleware: Slack's signing headers and the body cap, before the body is read."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        signing_secret: str | None,
        max_body_bytes: int,
        metrics: Metrics,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.app = app
        self.check_signatures = bool(signing_secret)
        self.max_body_bytes = max_body_bytes
        self.metrics = metrics
        # Wall-clock time, as in Slack's signature: the app's injected clock may be a test's
        # frozen calendar day, but a signature's age is always measured against real time.
        self.now = now

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        length = headers.get("content-length")
        if length is not None and not _DIGITS.fullmatch(length):
            self._refused(scope, "malformed", "Content-Length %r is not a number", length[:20])
            await _answer(send, 400, "Content-Length is not a number")
            return
        if length is not None and int(length) > self.max_body_bytes:
            self._refused(scope, "too_large", "body of %s bytes is over the %d-byte cap", length, self.max_body_bytes)
            await _answer(send, 413, f"request body over {self.max_body_bytes} bytes")
            return
        if scope["path"] != SLACK_EVENTS_PATH or scope["method"] != "POST":
            await self.app(scope, self._capped(receive), send)
            return
        if self.check_signatures:
            problem = slack_header_problem(headers, self.now())
            if problem is not None:
                self._refused(scope, "rejected", "%s", problem)
                await _answer(send, 401, f"invalid request: {problem}")
                return
        body = await self._read_body(scope, receive)
        if body is None:
            return  # the client left; nobody to answer
        if len(body) > self.max_body_bytes:
            self._refused(scope, "too_large", "body cut off at the %d-byte cap", self.max_body_bytes)
            await _answer(send, 413, f"request body over {self.max_body_bytes} bytes")
            return
        await self.app(scope, _replay(body, receive), send)

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes | None:
        """The whole body, or up to one chunk past the cap; None if the client disconnected.

        uvicorn pauses reading while a chunk waits here (64 KiB high-water mark), so memory
        stays near the cap whatever the client sends.
        """
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                if scope.get(TIMED_OUT):
                    log.debug("request body not complete in time after %d bytes; closed", size)
                else:
                    log.info("client disconnected mid-upload after %d bytes; nothing was processed", size)
                return None
            chunk = message.get("body", b"")
            size += len(chunk)
            chunks.append(chunk)
            if size > self.max_body_bytes or not message.get("more_body", False):
                return b"".join(chunks)

    def _capped(self, receive: Receive) -> Receive:
        """For every other route: a body past the cap reads as a disconnect."""
        seen = 0

        async def capped() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body_bytes:
                    return {"type": "http.disconnect"}
            return message

        return capped

    def _refused(self, scope: Scope, outcome: str, reason: str, *args: Any) -> None:
        """One short line per refused request (no body, no headers: they may carry secrets)."""
        self.metrics.requests.labels(type="other", outcome=outcome).inc()
        log.info("refused %s %r: " + reason, scope["method"], scope["path"][:100], *args)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body: wait for a disconnect, as uvicorn would

    return replay


_TIMEOUT_RESPONSE = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: 16\r\nconnection: close\r\n\r\nrequest too slow"
)
_HEAD_TOO_LARGE_RESPONSE = (
    b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: 24\r\nconnection: close\r\n\r\nrequest head over 64 KiB"
)
_BUSY_RESPONSE = (
    b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: 20\r\nconnection: close\r\n\r\ntoo many connections"
)


def edge_protocol(limits: EdgeLimits, dropped: Counter) -> type[HttpToolsProtocol]:
    """uvicorn's httptools protocol with a per-request deadline and a connection cap."""

    class EdgeHttpToolsProtocol(HttpToolsProtocol):
        _deadline: asyncio.TimerHandle | None = None
        _shed = False
        # The request head so far: bytes of chunks that ended inside it (an unfinished
        # header grows in httptools' buffer, unseen by callbacks), and bytes of the request
        # line and headers as parsed. None once the head is complete.
        _head_chunks: int | None = 0
        _head_parsed = 0
        _progress = False  # a head or a message completed in the chunk being parsed
        _refused = False  # answered 431; the rest of the connection is ignored

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            if len(self.connections) >= limits.max_connections:
                # Past the cap: answer and close now rather than hold a descriptor until
                # the client's headers arrive (that is when uvicorn would check).
                self._shed = True
                self.transport = transport
                dropped.labels(reason="over_cap").inc()
                log.debug("connection refused: %d open connections", len(self.connections))
                transport.write(_BUSY_RESPONSE)
                transport.close()
                return
            super().connection_made(transport)
            self._arm()  # the first request's headers must arrive in time too

        def connection_lost(self, exc: Exception | None) -> None:
            self._disarm()
            if self._shed:
                return
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            if self._shed or self._refused:
                return
            self._progress = False
            super().data_received(data)
            if self._head_chunks is not None and not self._progress and not self._refused:
                # Only chunks that end inside a head count here: the one that completes a
                # head (or a whole request) may carry a body of any size up to the body cap.
                self._head_chunks += len(data)
                if self._head_chunks > MAX_HEAD_BYTES:
                    self._refuse_head()
            if self._refused or self.transport.is_closing():
                return
            # uvicorn cancels its keep-alive timer on any byte; stray bytes that start no
            # request (a bare CRLF) must not leave the connection without a deadline.
            idle = self.cycle is None or self.cycle.response_complete
            if idle and self.timeout_keep_alive_task is None:
                self._arm()

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self._arm()

        def on_url(self, url: bytes) -> None:
            super().on_url(url)
            self._head_parsed += len(url)

        def on_header(self, name: bytes, value: bytes) -> None:
            super().on_header(name, value)
            self._head_parsed += len(name) + len(value) + 4  # ": " and CRLF

        def on_headers_complete(self) -> None:
            if self._refused:
                return
            if self._head_parsed > MAX_HEAD_BYTES:
                self._refuse_head()  # before uvicorn starts the app for this request
                return
            super().on_headers_complete()
            self._head_chunks = None
            self._progress = True

        def on_body(self, body: bytes) -> None:
            if not self._refused:
                super().on_body(body)

        def on_message_complete(self) -> None:
            if self._refused:
                return
            super().on_message_complete()
            self._disarm()
            self._head_chunks, self._head_parsed = 0, 0  # later bytes start the next head
            self._progress = True

        def _refuse_head(self) -> None:
            self._refused = True
            dropped.labels(reason="head_too_large").inc()
            log.debug("closing a connection whose request head is over %d bytes", MAX_HEAD_BYTES)
            self.transport.write(_HEAD_TOO_LARGE_RESPONSE)
            self.transport.close()

        def _arm(self) -> None:
            if self._deadline is None:
                self._deadline = self.loop.call_later(limits.request_timeout_seconds, self._too_slow)

        def _disarm(self) -> None:
            if self._deadline is not None:
                self._deadline.cancel()
                self._deadline = None

        def _too_slow(self) -> None:
            self._deadline = None
            if self.transport.is_closing():
                return
            dropped.labels(reason="timeout").inc()
            log.debug("closing a connection whose request did not arrive within %ss", limits.request_timeout_seconds)
            cycle = self.cycle
            if cycle is not None and not cycle.response_complete:
                if cycle.response_started:
                    self.transport.close()
                    return
                # The app may be waiting for the rest of the body: it now reads a disconnect,
                # and the scope says why (SlackEdge logs a timeout quietly; it is counted).
                cast(dict[str, Any], cycle.scope)[TIMED_OUT] = True
                cycle.disconnected = True
                cycle.message_event.set()
            self.transport.write(_TIMEOUT_RESPONSE)
            self.transport.close()

    return EdgeHttpToolsProtocol


def raise_fd_limit() -> int:
    """Raise this process's soft open-file limit to the hard limit; return the new soft limit.

    Many systems start services with a soft limit of 1,024, which a thousand idle sockets
    exhaust; the hard limit is usually far higher and needs no privilege to reach.
    """
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard == resource.RLIM_INFINITY or hard > soft:
        target = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
            soft = target
        except (ValueError, OSError):
            log.debug("could not raise the open-file limit from %d", soft)
    return int(soft)


def connection_cap(settings: Settings, fd_limit: int) -> int:
    """The connection cap that this process's descriptors can actually hold."""
    return max(10, min(settings.max_connections, fd_limit - FD_RESERVE))
