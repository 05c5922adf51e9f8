"""The web edge measured on a real `coachbot serve` process: memory under a 200 MB POST,
file descriptors under a thousand stalled sockets, deadlines, the connection cap, the
metrics port, and JSON logs from every logger.

Bounds are in bytes and sockets. Where a deadline is involved the process runs with a
1-second setting and the test waits (generously) for the socket to be closed; nothing
asserts how long anything took.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine, text

from tests.fakes.slack_api import FakeSlack
from tests.harness import SIGNING_SECRET, SlackSender, free_port
from tests.serve_process import ServeProcess, raise_own_fd_limit, serve_env
from tests.web.test_web_edge import MIB, events_head, read_response, signed_head, status_of

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def module_fake() -> Iterator[FakeSlack]:
    fake = FakeSlack().start()
    fake.add_user("U1", name="ada", real_name="Ada Lovelace", tz="Europe/Berlin")
    fake.add_channel("C1", name="general")
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory, module_fake: FakeSlack) -> Iterator[ServeProcess]:
    """One `coachbot serve` on its own SQLite file (these tests never touch the database)."""
    workdir = tmp_path_factory.mktemp("serve")
    proc = ServeProcess(workdir, serve_env(f"sqlite:///{workdir / 'edge.db'}", module_fake)).start()
    yield proc
    proc.stop()


def reset_peak_or_skip(served: ServeProcess) -> None:
    try:
        served.reset_peak()
    except OSError:
        pytest.skip("cannot reset the peak RSS (/proc/PID/clear_refs) here")


def post_200_mb(port: int, head: str, block: bytes, *, chunked: bool) -> int:
    """Stream 200 MB after ``head``; return how many bytes the server let us send."""
    sent = 0
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(head.encode() + b"\r\n\r\n")
        try:
            for _ in range(200):
                s.sendall(b"%x\r\n" % len(block) + block + b"\r\n" if chunked else block)
                sent += len(block)
            if chunked:
                s.sendall(b"0\r\n\r\n")
            read_response(s)
        except (BrokenPipeError, ConnectionResetError):
            pass
    return sent


@pytest.mark.parametrize("kind", ["unsigned", "signed", "signed-chunked"])
def test_a_200_mb_post_raises_rss_by_less_than_20_mb(served: ServeProcess, kind: str) -> None:
    if kind == "unsigned":
        head = events_head(timestamp=str(int(time.time())), signature="v0=0", extra=f"Content-Length: {200 * MIB}")
        block = b"a" * MIB
    else:
        head, block = signed_head(SIGNING_SECRET, 200 * MIB, chunked=kind == "signed-chunked")
    reset_peak_or_skip(served)
    before = served.memory_mb()["VmRSS"]
    sent = post_200_mb(served.port, head, block, chunked=kind == "signed-chunked")
    after = served.memory_mb()
    print(f"{kind}: RSS {before:.1f} MB before, peak {after['VmHWM']:.1f} MB, {sent / MIB:.0f} MB accepted")
    assert after["VmHWM"] - before < 20
    assert sent < 200 * MIB  # the server stopped reading; it did not swallow the upload
    assert requests.get(f"{served.url}/healthz", timeout=10).status_code == 200


@pytest.mark.parametrize("kind", ["one endless header", "endless url", "endless stream of headers"])
def test_an_endless_request_head_gets_431_and_memory_stays_flat(served: ServeProcess, kind: str) -> None:
    reset_peak_or_skip(served)
    before = served.memory_mb()["VmRSS"]
    sent = 0
    with socket.create_connection(("127.0.0.1", served.port), timeout=30) as s:
        if kind == "one endless header":
            s.sendall(b"POST /slack/events HTTP/1.1\r\nX-Long: ")
        elif kind == "endless url":
            s.sendall(b"GET /")
        else:
            s.sendall(b"POST /slack/events HTTP/1.1\r\n")
        try:
            for i in range(200):
                if kind == "endless stream of headers":
                    s.sendall(b"".join(b"X-%d: a\r\n" % (i * 100_000 + j) for j in range(100_000))[:MIB])
                else:
                    s.sendall(b"a" * MIB)
                sent += MIB
        except (BrokenPipeError, ConnectionResetError):
            pass
    after = served.memory_mb()
    assert after["VmHWM"] - before < 20
    assert sent < 200 * MIB


def test_a_head_over_64_kib_gets_431_and_one_under_is_served(served: ServeProcess) -> None:
    def get_with_header(size: int) -> bytes:
        with socket.create_connection(("127.0.0.1", served.port), timeout=30) as s:
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: coachbot\r\nX-Pad: " + b"a" * size + b"\r\n\r\n")
            return read_response(s)

    assert status_of(get_with_header(60_000)) == 200
    assert status_of(get_with_header(66_000)) == 431  # sent in one piece, still counted
    assert status_of(get_with_header(60_000)) == 200


def test_healthz_answers_while_1100_sockets_stall(tmp_path: Path, module_fake: FakeSlack) -> None:
    """Started, as many service managers start it, with a soft limit of 1,024 open files."""
    raise_own_fd_limit(4096)
    # The head deadline is another test's subject: here a slow machine opening 1,100 sockets
    # must not see the first ones closed (408) before the last ones are open.
    env = serve_env(f"sqlite:///{tmp_path / 'fd.db'}", module_fake, COACHBOT_REQUEST_TIMEOUT_SECONDS="300")
    serve = ServeProcess(tmp_path, env, nofile_soft=1024)
    serve.start()
    stalled: list[socket.socket] = []
    try:
        for i in range(1100):
            s = socket.create_connection(("127.0.0.1", serve.port), timeout=10)
            if i % 3 == 1:  # half a request line and headers, then nothing
                s.sendall(b"POST /slack/events HTTP/1.1\r\nHost: coachbot\r\n")
            elif i % 3 == 2:  # headers promising a body that never comes
                s.sendall(
                    events_head(timestamp=str(int(time.time())), signature="v0=0", extra="Content-Length: 900").encode()
                    + b"\r\n\r\n"
                )
            stalled.append(s)
        deadline = time.monotonic() + 10
        while serve.open_fds() < 1100 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert serve.open_fds() >= 1100  # the server really holds every stalled socket
        for _ in range(5):
            assert requests.get(f"{serve.url}/healthz", timeout=10).status_code == 200
        slack = SlackSender(serve.url, response_url=module_fake.response_url)
        assert slack.command("/quote").status_code == 200
    finally:
        for s in stalled:
            s.close()
        serve.stop()


def _closed(s: socket.socket) -> bytes | None:
    """What the server sent before closing, or None while the socket is still open."""
    s.setblocking(False)
    data = b""
    try:
        while True:
            chunk = s.recv(4096)
            if not chunk:
                return data
            data += chunk
    except BlockingIOError:
        return None
    except ConnectionResetError:
        return data


def test_slow_requests_and_idle_keep_alives_are_closed(tmp_path: Path, module_fake: FakeSlack) -> None:
    env = serve_env(
        f"sqlite:///{tmp_path / 'slow.db'}",
        module_fake,
        COACHBOT_REQUEST_TIMEOUT_SECONDS="1",
        COACHBOT_KEEPALIVE_SECONDS="1",
        METRICS_PORT=str(metrics_port := free_port()),
    )
    serve = ServeProcess(tmp_path, env).start()
    try:
        silent = socket.create_connection(("127.0.0.1", serve.port))
        headers = socket.create_connection(("127.0.0.1", serve.port))
        headers.sendall(b"GET /healthz HTTP/1.1\r\nHost: coachbot\r\n")
        body = socket.create_connection(("127.0.0.1", serve.port))
        ts = str(int(time.time()))
        body.sendall(events_head(timestamp=ts, signature="v0=0", extra="Content-Length: 900").encode() + b"\r\n\r\nab")
        idle = socket.create_connection(("127.0.0.1", serve.port))
        idle.sendall(b"GET /healthz HTTP/1.1\r\nHost: coachbot\r\n\r\n")
        assert status_of(read_response(idle)) == 200  # answered, then kept alive
        dribble = socket.create_connection(("127.0.0.1", serve.port))
        dribble.sendall(b"GET /healthz HTTP/1.1\r\nX-Pad: ")
        sockets = {"silent": silent, "headers": headers, "body": body, "idle": idle, "dribble": dribble}
        answers: dict[str, bytes | None] = dict.fromkeys(sockets)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(a is None for a in answers.values()):
            for name, s in sockets.items():
                if answers[name] is None:
                    answers[name] = _closed(s)
            if answers["dribble"] is None:  # a header one byte at a time: too slow however often it sends
                dribble.sendall(b"a")
            time.sleep(0.1)
        assert all(a is not None for a in answers.values()), answers
        assert status_of(answers["headers"] or b"") == 408
        assert status_of(answers["body"] or b"") == 408
        assert answers["idle"] == b""  # uvicorn's keep-alive timeout: closed without a word
        assert status_of(answers["dribble"] or b"") == 408
        metrics = requests.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10).text
        assert 'coachbot_http_connections_dropped_total{reason="timeout"} 4.0' in metrics, [
            line for line in metrics.splitlines() if "dropped_total" in line
        ]
        assert requests.get(f"{serve.url}/healthz", timeout=10).status_code == 200
    finally:
        for s in (silent, headers, body, idle, dribble):
            s.close()
        serve.stop()
    assert "Traceback" not in serve.stderr()
    # Timeouts are counted, not logged one INFO line each (a thousand stalls would flood it).
    assert "disconnected mid-upload" not in serve.stderr()


def test_connections_past_the_cap_get_503_and_hold_no_descriptor(tmp_path: Path, module_fake: FakeSlack) -> None:
    raise_own_fd_limit(4096)
    # The held sockets send nothing; with the default 10 s head deadline a slow machine saw
    # them closed (408) mid-test, after which every extra was let in and waited out its own
    # deadline: 300 x 10 s. The deadline is another test's subject, so here it is long.
    env = serve_env(
        f"sqlite:///{tmp_path / 'cap.db'}",
        module_fake,
        COACHBOT_MAX_CONNECTIONS="20",
        COACHBOT_REQUEST_TIMEOUT_SECONDS="300",
        METRICS_PORT=str(metrics_port := free_port()),
    )
    serve = ServeProcess(tmp_path, env).start()
    held: list[socket.socket] = []
    try:
        baseline = serve.open_fds()
        held = [socket.create_connection(("127.0.0.1", serve.port)) for _ in range(20)]
        deadline = time.monotonic() + 30
        while serve.open_fds() < baseline + 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        for n in range(300):
            with socket.create_connection(("127.0.0.1", serve.port), timeout=10) as extra:
                answer = read_response(extra)
            # Stop at the first miss: one wrong answer says all there is to say.
            assert status_of(answer) == 503, (n, answer[:200], baseline, serve.open_fds())
        # The 300 extra sockets were not kept (the slack is the database's own files).
        assert serve.open_fds() <= baseline + 20 + 30, (baseline, serve.open_fds())
        holding = serve.open_fds()
        for s in held:
            s.close()
        # Wait until the server has seen the closes; asking sooner would be one more refusal.
        deadline = time.monotonic() + 30
        while serve.open_fds() > holding - 20 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert requests.get(f"{serve.url}/healthz", timeout=5).status_code == 200
        metrics = requests.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=5).text
        assert 'coachbot_http_connections_dropped_total{reason="over_cap"} 300.0' in metrics
    finally:
        for s in held:
            s.close()
        serve.stop()


def _listening_addresses(port: int) -> set[str]:
    """Local addresses listening on ``port`` (from /proc/net/tcp, state 0A = LISTEN)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        address, _, hex_port = local.partition(":")
        if state == "0A" and int(hex_port, 16) == port:
            found.add(socket.inet_ntoa(bytes.fromhex(address)[::-1]))
    return found


def test_metrics_port_serves_metrics_on_loopback_and_the_slack_port_does_not(
    tmp_path: Path, module_fake: FakeSlack
) -> None:
    metrics_port = free_port()
    env = serve_env(f"sqlite:///{tmp_path / 'm.db'}", module_fake, METRICS_PORT=str(metrics_port))
    serve = ServeProcess(tmp_path, env).start()
    try:
        slack = SlackSender(serve.url, response_url=module_fake.response_url)
        assert slack.command("/quote").status_code == 200
        body = requests.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10).text
        assert 'coachbot_requests_total{outcome="ok",type="command:/quote"} 1.0' in body
        assert requests.get(f"{serve.url}/metrics", timeout=10).status_code == 404
        assert _listening_addresses(metrics_port) == {"127.0.0.1"}
    finally:
        serve.stop()
    assert f"metrics: http://127.0.0.1:{metrics_port}/metrics" in serve.stderr()


def test_a_taken_metrics_port_stops_start_up_with_one_line(tmp_path: Path, module_fake: FakeSlack) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = serve_env(f"sqlite:///{tmp_path / 't.db'}", module_fake, METRICS_PORT=str(port))
        serve = ServeProcess(tmp_path, env).start(wait=False)
        assert serve.proc is not None
        assert serve.proc.wait(timeout=90) == 2
    lines = [line for line in serve.stderr().splitlines() if line.startswith("coachbot:")]
    assert len(lines) == 1 and f"METRICS_PORT={port}" in lines[0] and "METRICS_PORT=9100" in lines[0]
    assert "Traceback" not in serve.stderr()


def test_a_start_up_failure_is_json_too_when_logs_are(tmp_path: Path, module_fake: FakeSlack) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = serve_env(f"sqlite:///{tmp_path / 'tj.db'}", module_fake, METRICS_PORT=str(port), LOG_FORMAT="json")
        serve = ServeProcess(tmp_path, env).start(wait=False)
        assert serve.proc is not None
        assert serve.proc.wait(timeout=90) == 2
    entries = [json.loads(line) for line in serve.stderr().splitlines()]
    (failure,) = [e for e in entries if e["level"] == "ERROR"]
    assert failure["message"].startswith(f"coachbot: METRICS_PORT={port} on 127.0.0.1 cannot be opened")


def test_json_logs_cover_uvicorn_and_tracebacks(tmp_path: Path, module_fake: FakeSlack) -> None:
    env = serve_env(f"sqlite:///{tmp_path / 'json.db'}", module_fake, LOG_FORMAT="json")
    serve = ServeProcess(tmp_path, env).start()
    try:
        port = serve.port
        # uvicorn's own logger: a request it cannot parse.
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(b"NOT HTTP AT ALL\r\n\r\n")
            read_response(s)
        # The edge: a bad timestamp, and a client that leaves mid-upload.
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.sendall(
                events_head(timestamp="1.5", signature="v0=0", extra="Content-Length: 3").encode() + b"\r\n\r\nabc"
            )
            read_response(s)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            ts = str(int(time.time()))
            s.sendall(events_head(timestamp=ts, signature="v0=0", extra="Content-Length: 99").encode() + b"\r\n\r\nab")
            time.sleep(0.3)
        slack = SlackSender(serve.url, response_url=module_fake.response_url)
        assert slack.command("/quote").status_code == 200
    finally:
        serve.stop()
    lines = serve.stderr().splitlines()
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    assert all(isinstance(e, dict) and {"ts", "level", "logger", "message"} <= e.keys() for e in entries)
    loggers = {e["logger"] for e in entries}
    assert "uvicorn.error" in loggers and "bot.web.edge" in loggers
    assert any("disconnected mid-upload" in e["message"] for e in entries)
    assert not [e for e in entries if e["level"] in ("ERROR", "CRITICAL")]
    assert serve.stdout() == ""


def test_json_logs_put_an_uncaught_traceback_in_one_object(tmp_path: Path, module_fake: FakeSlack) -> None:
    # A database written by a newer coachbot: Alembic cannot find its revision and raises.
    database = tmp_path / "newer.db"
    engine = create_engine(f"sqlite:///{database}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)"))
        conn.execute(text("INSERT INTO alembic_version VALUES ('9999')"))
    engine.dispose()
    serve = ServeProcess(tmp_path, serve_env(f"sqlite:///{database}", module_fake, LOG_FORMAT="json"))
    serve.start(wait=False)
    assert serve.proc is not None and serve.proc.wait(timeout=90) != 0
    entries = [json.loads(line) for line in serve.stderr().splitlines()]
    (crash,) = entries
    assert crash["level"] == "CRITICAL" and crash["message"] == "uncaught CommandError"
    assert crash["exc"].startswith("Traceback (most recent call last):") and "9999" in crash["exc"]
