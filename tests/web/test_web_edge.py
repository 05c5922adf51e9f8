"""The web edge, before Bolt sees anything: Slack's signing headers checked before the body
is read, a body cap, deadlines for slow clients, a connection cap, quiet disconnects, a
cached /healthz, /metrics on its own port.

Requests go over real sockets, often raw ones: a test that needs to know whether the server
read a body sends headers that promise one and then sends nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import socket
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests
from sqlalchemy import Engine, event

from bot.bootstrap import build_deps
from bot.config import ConfigError, Settings
from tests.conftest import make_settings
from tests.fakes.slack_api import FakeSlack
from tests.harness import SIGNING_SECRET, AppServer, SlackSender, TestClock, sign

MIB = 1024 * 1024
QUOTE = "command=%2Fquote&text=&team_id=T1&user_id=U1&channel_id=C1&response_url=http%3A%2F%2F127.0.0.1%3A9%2Fx"


def raw_request(port: int, head: str, body: bytes = b"", *, read_timeout: float = 10) -> bytes:
    """Send ``head`` (request line and headers, without the blank line) and ``body``; return
    what the server answers before it closes or goes quiet."""
    with socket.create_connection(("127.0.0.1", port), timeout=read_timeout) as s:
        s.sendall(head.encode("latin-1") + b"\r\n\r\n" + body)
        return read_response(s)


def read_response(s: socket.socket) -> bytes:
    data = b""
    try:
        while b"\r\n\r\n" not in data or len(data) < _expected_length(data):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    except (TimeoutError, ConnectionResetError):
        pass
    return data


def _expected_length(data: bytes) -> int:
    head, _, _ = data.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(head) + 4 + int(value)
    return len(data) + 1


def status_of(response: bytes) -> int:
    assert response.startswith(b"HTTP/1.1 "), response[:80]
    return int(response.split(b" ", 2)[1])


def events_head(*, timestamp: str | None, signature: str | None, extra: str = "") -> str:
    lines = ["POST /slack/events HTTP/1.1", "Host: coachbot", "Content-Type: application/x-www-form-urlencoded"]
    if timestamp is not None:
        lines.append(f"X-Slack-Request-Timestamp: {timestamp}")
    if signature is not None:
        lines.append(f"X-Slack-Signature: {signature}")
    if extra:
        lines.append(extra)
    return "\r\n".join(lines)


def edge_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "bot.web.edge"]


@pytest.fixture
def small_cap_server(database_url: str, sessions: Any, engine: Engine, fake_slack: FakeSlack) -> Iterator[AppServer]:
    server = AppServer(make_settings(database_url, fake_slack, COACHBOT_MAX_BODY_BYTES="4096"), clock=TestClock())
    server.start(build_deps(server.settings, engine))
    yield server
    server.stop()


# --- Slack's headers, checked before the body is read ---------------------------------


@pytest.mark.parametrize("timestamp", ["abc", "1e9", "1.5", "-1", "+1", "0x10", " ", "１２３"])
def test_a_timestamp_that_is_not_an_integer_gets_401_and_one_short_line(
    timestamp: str, app_server: AppServer, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    body = QUOTE.encode()
    # The body is promised and sent; the answer must still be 401, not a 500 and a traceback.
    head = events_head(timestamp=timestamp, signature="v0=" + "0" * 64, extra=f"Content-Length: {len(body)}")
    response = raw_request(app_server.port, head.encode("utf-8").decode("latin-1"), body)
    assert status_of(response) == 401
    assert b"not an integer" in response or b"5 minutes" in response
    (record,) = edge_records(caplog)
    assert record.levelno == logging.INFO and record.exc_info is None and len(record.getMessage()) < 200
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not fake_slack.calls


@pytest.mark.parametrize(
    ("timestamp", "signature", "problem"),
    [
        (None, "v0=" + "0" * 64, b"missing x-slack-request-timestamp"),
        ("NOW", None, b"missing x-slack-signature"),
        (None, None, b"missing x-slack-signature"),
        ("OLD", "v0=" + "0" * 64, b"more than 5 minutes"),
        ("FUTURE", "v0=" + "0" * 64, b"more than 5 minutes"),
    ],
)
def test_missing_or_stale_headers_get_401_before_the_body_is_sent(
    timestamp: str | None, signature: str | None, problem: bytes, app_server: AppServer
) -> None:
    now = int(time.time())
    ts = {"NOW": str(now), "OLD": str(now - 301), "FUTURE": str(now + 301), None: None}[timestamp]
    # Content-Length promises 1,000 bytes that never come: an answer proves nothing was read.
    head = events_head(timestamp=ts, signature=signature, extra="Content-Length: 1000")
    response = raw_request(app_server.port, head)
    assert status_of(response) == 401
    assert problem in response


def test_a_header_sent_twice_is_refused(app_server: AppServer) -> None:
    ts = str(int(time.time()))
    head = events_head(timestamp=ts, signature="v0=1", extra=f"X-Slack-Request-Timestamp: {ts}\r\nContent-Length: 5")
    assert status_of(raw_request(app_server.port, head)) == 401


def test_a_timestamp_four_minutes_old_is_still_checked_by_signature(slack: SlackSender) -> None:
    assert slack.post(QUOTE, timestamp=int(time.time()) - 240).status_code == 200
    assert slack.post(QUOTE, timestamp=int(time.time()) - 240, secret="wrong").status_code == 401


def test_refusals_are_counted_in_metrics(app_server: AppServer) -> None:
    raw_request(app_server.port, events_head(timestamp="abc", signature="v0=1", extra="Content-Length: 10"))
    raw_request(app_server.port, events_head(timestamp=None, signature=None, extra=f"Content-Length: {2 * MIB}"))
    body = app_server.metrics()
    assert 'coachbot_requests_total{outcome="rejected",type="other"} 1.0' in body
    assert 'coachbot_requests_total{outcome="too_large",type="other"} 1.0' in body


# --- The body cap ------------------------------------------------------------------------


def test_content_length_over_the_cap_gets_413_at_once(app_server: AppServer, fake_slack: FakeSlack) -> None:
    ts = str(int(time.time()))
    head = events_head(timestamp=ts, signature="v0=" + "0" * 64, extra=f"Content-Length: {200 * MIB}")
    response = raw_request(app_server.port, head)  # not one body byte sent
    assert status_of(response) == 413
    assert b"1048576" in response
    assert not fake_slack.calls


def test_the_cap_holds_for_unsigned_requests_and_every_path(app_server: AppServer) -> None:
    for path in ("/slack/events", "/healthz", "/nowhere"):
        head = f"POST {path} HTTP/1.1\r\nHost: coachbot\r\nContent-Length: {MIB + 1}"
        assert status_of(raw_request(app_server.port, head)) == 413, path


def test_a_chunked_body_is_cut_off_at_the_cap_with_413(app_server: AppServer) -> None:
    ts = str(int(time.time()))
    head = events_head(timestamp=ts, signature="v0=" + "0" * 64, extra="Transfer-Encoding: chunked")
    chunk = b"a" * 65536
    with socket.create_connection(("127.0.0.1", app_server.port), timeout=10) as s:
        s.sendall(head.encode() + b"\r\n\r\n")
        sent = 0
        try:
            while sent <= 4 * MIB:  # the server must stop reading long before this
                s.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        response = read_response(s)
    assert sent > MIB
    if response:  # the 413 can be lost to a reset when the client is still sending
        assert status_of(response) == 413


def test_a_chunked_body_that_stops_before_the_cap_gets_413_from_the_cap_and_401_from_the_signature(
    app_server: AppServer,
) -> None:
    ts = str(int(time.time()))
    head = events_head(timestamp=ts, signature="v0=" + "0" * 64, extra="Transfer-Encoding: chunked")
    big = b"a" * (MIB + 1)
    with socket.create_connection(("127.0.0.1", app_server.port), timeout=10) as s:
        s.sendall(head.encode() + b"\r\n\r\n" + b"%x\r\n" % len(big) + big + b"\r\n0\r\n\r\n")
        assert status_of(read_response(s)) == 413
    small = QUOTE.encode()
    with socket.create_connection(("127.0.0.1", app_server.port), timeout=10) as s:
        s.sendall(head.encode() + b"\r\n\r\n" + b"%x\r\n" % len(small) + small + b"\r\n0\r\n\r\n")
        assert status_of(read_response(s)) == 401  # read whole, then the HMAC does not match


def test_a_signed_chunked_command_under_the_cap_is_answered(app_server: AppServer) -> None:
    ts = str(int(time.time()))
    body = QUOTE.encode()
    head = events_head(timestamp=ts, signature=sign(SIGNING_SECRET, ts, QUOTE), extra="Transfer-Encoding: chunked")
    halves = [body[:20], body[20:]]
    chunked = b"".join(b"%x\r\n" % len(h) + h + b"\r\n" for h in halves) + b"0\r\n\r\n"
    with socket.create_connection(("127.0.0.1", app_server.port), timeout=10) as s:
        s.sendall(head.encode() + b"\r\n\r\n" + chunked)
        response = read_response(s)
    assert status_of(response) == 200 and b"ephemeral" in response


def test_the_cap_is_exact(small_cap_server: AppServer) -> None:
    ts = str(int(time.time()))
    for size, expected in ((4096, 400), (4097, 413)):
        body = ("command=%2Fquote&pad=" + "a" * (size - 21)).encode()
        assert len(body) == size
        head = events_head(
            timestamp=ts, signature=sign(SIGNING_SECRET, ts, body.decode()), extra=f"Content-Length: {size}"
        )
        # 4,096 bytes pass the cap and the signature; Bolt's shape check then refuses the
        # command for its missing user and team (400). One byte more never gets that far.
        assert status_of(raw_request(small_cap_server.port, head, body)) == expected, size


def test_a_client_that_leaves_mid_upload_gets_one_info_line(
    app_server: AppServer, fake_slack: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    ts = str(int(time.time()))
    head = events_head(timestamp=ts, signature="v0=" + "0" * 64, extra="Content-Length: 5000")
    with socket.create_connection(("127.0.0.1", app_server.port), timeout=10) as s:
        s.sendall(head.encode() + b"\r\n\r\n" + b"command=%2Fquote&te")
        time.sleep(0.2)  # let the server read what was sent
    deadline = time.monotonic() + 10
    while not edge_records(caplog) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)  # anything else it logs about this connection arrives now
    (record,) = edge_records(caplog)
    assert record.levelno == logging.INFO and "disconnected mid-upload after 19 bytes" in record.getMessage()
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.WARNING]
    assert not fake_slack.calls


# --- /healthz ----------------------------------------------------------------------------


@pytest.fixture
def health_checks(engine: Engine) -> Iterator[list[str]]:
    """Every health-check query the app sends to the database."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.strip().upper() == "SELECT 1":
            seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    yield seen
    event.remove(engine, "before_cursor_execute", record)


def test_healthz_reuses_its_database_check_for_a_second(app_server: AppServer, health_checks: list[str]) -> None:
    for _ in range(50):
        assert requests.get(f"{app_server.url}/healthz", timeout=5).json() == {"status": "ok", "database": "ok"}
    assert len(health_checks) == 1
    app_server.clock.now += timedelta(milliseconds=999)
    requests.get(f"{app_server.url}/healthz", timeout=5)
    assert len(health_checks) == 1
    app_server.clock.now += timedelta(milliseconds=1)
    requests.get(f"{app_server.url}/healthz", timeout=5)
    assert len(health_checks) == 2
    app_server.clock.now -= timedelta(hours=1)  # a clock set back does not freeze the answer
    requests.get(f"{app_server.url}/healthz", timeout=5)
    assert len(health_checks) == 3


def test_concurrent_health_checks_share_one_database_check(app_server: AppServer, health_checks: list[str]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=20) as pool:
        codes = list(pool.map(lambda _: requests.get(f"{app_server.url}/healthz", timeout=10).status_code, range(200)))
    assert codes == [200] * 200
    assert len(health_checks) == 1


# --- /metrics on its own port only ---------------------------------------------------------


@pytest.mark.parametrize("metrics_port", [None, "9464"])
def test_the_slack_port_never_serves_metrics(
    database_url: str, sessions: Any, engine: Engine, fake_slack: FakeSlack, metrics_port: str | None
) -> None:
    """Not by default either: /metrics is for METRICS_PORT (loopback unless METRICS_HOST says
    otherwise), never for the public Slack port."""
    env = {"METRICS_PORT": metrics_port} if metrics_port else {}
    server = AppServer(make_settings(database_url, fake_slack, **env), clock=TestClock())
    server.start(build_deps(server.settings, engine))
    try:
        assert requests.get(f"{server.url}/metrics", timeout=5).status_code == 404
        assert requests.get(f"{server.url}/healthz", timeout=5).status_code == 200
    finally:
        server.stop()


def test_edge_settings_are_validated_with_an_example() -> None:
    assert Settings.from_env({}).max_body_bytes == MIB
    assert Settings.from_env({}).metrics_port is None
    assert Settings.from_env({"METRICS_PORT": "9100"}).metrics_host == "127.0.0.1"
    with pytest.raises(ConfigError, match=r"METRICS_PORT=3000 is the same as PORT.*METRICS_PORT=9100"):
        Settings.from_env({"METRICS_PORT": "3000"})
    with pytest.raises(ConfigError, match=r"COACHBOT_MAX_BODY_BYTES='1MB' is not a whole number; use e.g."):
        Settings.from_env({"COACHBOT_MAX_BODY_BYTES": "1MB"})
    with pytest.raises(ConfigError, match=r"COACHBOT_MAX_BODY_BYTES=10 is out of range"):
        Settings.from_env({"COACHBOT_MAX_BODY_BYTES": "10"})
    with pytest.raises(ConfigError, match=r"METRICS_PORT='abc' is not a whole number"):
        Settings.from_env({"METRICS_PORT": "abc"})


def signed_head(secret: str, size: int, *, chunked: bool = False) -> tuple[str, Any]:
    """Headers for a validly signed body of ``size`` bytes of 'a' (the HMAC is streamed, so
    the test never holds the body in memory)."""
    ts = str(int(time.time()))
    mac = hmac.new(secret.encode(), f"v0:{ts}:".encode(), hashlib.sha256)
    block = b"a" * MIB
    for _ in range(size // MIB):
        mac.update(block)
    framing = "Transfer-Encoding: chunked" if chunked else f"Content-Length: {size}"
    return events_head(timestamp=ts, signature="v0=" + mac.hexdigest(), extra=framing), block
