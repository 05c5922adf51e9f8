"""Socket Mode end to end: a real `coachbot serve` with SLACK_APP_TOKEN, connected to the fake
Socket Mode endpoint (tests/fakes/socket_mode.py) that the fake Web API's
``apps.connections.open`` points at.

Slash commands, buttons, view submissions and events arrive as envelopes; the assertions are on
the acks (with their payloads), the recorded Web API calls and the database rows. Also: the
reconnect Slack asks for (``disconnect``, ``refresh_requested``), /healthz on PORT (and nothing
else there), /metrics on METRICS_PORT, SIGTERM, and a rejected app token.
"""

from __future__ import annotations

import json
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import Engine, select

from bot.db.engine import Sessions, make_engine, make_sessions
from bot.db.models import Note
from tests.factories import buttons, get_note, last_response, make_manager, mention, note_count
from tests.fakes.slack_api import FakeSlack
from tests.fakes.socket_mode import DEFAULT_APP_TOKEN
from tests.fakes.socket_sender import SocketModeSender
from tests.harness import SlackSender, free_port, until
from tests.listeners.test_coaching_notes import modal_values
from tests.serve_process import ServeProcess, serve_env
from tests.web.test_web_edge_process import _listening_addresses

pytestmark = pytest.mark.slow


def socket_fake() -> FakeSlack:
    fake = FakeSlack().start()
    fake.add_user("U1", name="ada", real_name="Ada Lovelace", tz="Europe/Berlin")
    fake.add_user("U2", name="bob", real_name="Bob Rep", tz="America/New_York")
    fake.add_channel("C1", name="general")
    fake.enable_socket_mode(DEFAULT_APP_TOKEN)
    return fake


@pytest.fixture(scope="module")
def module_fake() -> Iterator[FakeSlack]:
    fake = socket_fake()
    yield fake
    fake.stop()


@pytest.fixture(scope="module")
def metrics_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def served(
    tmp_path_factory: pytest.TempPathFactory,
    engine: Engine,
    database_url: str,
    module_fake: FakeSlack,
    metrics_port: int,
) -> Iterator[ServeProcess]:
    """One Socket Mode `coachbot serve` on the database under test (``engine`` migrated it)."""
    env = serve_env(database_url, module_fake, SLACK_APP_TOKEN=DEFAULT_APP_TOKEN, METRICS_PORT=str(metrics_port))
    proc = ServeProcess(tmp_path_factory.mktemp("socket-serve"), env).start()  # waits for /healthz: 200
    yield proc
    proc.stop()


@pytest.fixture
def slack(served: ServeProcess, module_fake: FakeSlack, sessions: Sessions) -> SocketModeSender:
    module_fake.clear()
    make_manager(sessions, "U1")
    return SocketModeSender(socket=module_fake.socket_mode, response_url=module_fake.response_url)


def answers(ack: requests.Response, fake: FakeSlack) -> str:
    """Everything the user was told: the ack's payload and what went to response_url."""
    return ack.text + json.dumps(fake.responses())


def test_a_slash_command_is_handled_and_its_ack_carries_the_reply(
    slack: SocketModeSender, module_fake: FakeSlack, sessions: Sessions
) -> None:
    resp = slack.command("/coach", f"{mention('U2', 'bob')} Great discovery call with Acme")
    assert resp.status_code == 200 and slack.last_ack is not None
    note_id = until(lambda: _only_note_id(sessions))
    note = get_note(sessions, note_id) if note_id is not None else None
    assert note is not None and (note.author_id, note.rep_id, note.text) == (
        "U1",
        "U2",
        "Great discovery call with Acme",
    )
    assert until(lambda: f"Saved note *#{note_id}*" in answers(resp, module_fake))
    # A command answered at once is answered in the ack's payload: an ephemeral reply.
    slack.command("/quote")
    assert slack.last_ack.payload is not None and slack.last_ack.payload["response_type"] == "ephemeral"
    assert slack.last_ack.payload["blocks"]


def test_a_button_is_handled(slack: SocketModeSender, module_fake: FakeSlack, sessions: Sessions) -> None:
    slack.command("/coach", f"{mention('U2', 'bob')} Follow up on the Acme pricing objection")
    note_id = until(lambda: _only_note_id(sessions))
    module_fake.clear()
    resp = slack.block_action("coach_note_undo", str(note_id))
    assert resp.status_code == 200 and slack.last_ack is not None  # acked over the socket
    answer = last_response(module_fake)
    assert f"Note #{note_id}" in answer["text"] and "undone" in answer["text"]
    assert note_count(sessions) == 0


def test_a_view_submission_is_answered_through_its_ack(slack: SocketModeSender, sessions: Sessions) -> None:
    resp = slack.view_submission("coach_note_modal", modal_values(note="Nailed the demo", theme="coaching"))
    body = resp.json()
    assert body["response_action"] == "update"  # the ack's payload is the modal's next view
    assert "coach_note_undo" in buttons(body["view"]["blocks"])
    note_id = _only_note_id(sessions)
    assert note_id is not None
    note = get_note(sessions, note_id)
    assert note is not None and (note.rep_id, note.text, note.theme) == ("U2", "Nailed the demo", "coaching")


def test_an_event_is_handled(slack: SocketModeSender, module_fake: FakeSlack) -> None:
    resp = slack.event({"type": "app_home_opened", "user": "U1", "channel": "DU1", "tab": "home"})
    assert resp.status_code == 200 and slack.last_ack is not None and slack.last_ack.payload is None
    (publish,) = module_fake.wait_for("views.publish", timeout=15, user_id="U1")
    assert publish.json("view")["type"] == "home"


def test_an_event_delivered_twice_is_handled_once(slack: SocketModeSender, module_fake: FakeSlack) -> None:
    """Slack redelivers an envelope it saw no ack for (retry_attempt 1), possibly over
    another connection; the replay record is shared with HTTP mode."""
    event = {"type": "app_home_opened", "user": "U2", "channel": "DU2", "tab": "home"}
    slack.event(event, event_id="EvSOCKETTWICE")
    module_fake.wait_for("views.publish", timeout=15, user_id="U2")
    again = slack.event(event, event_id="EvSOCKETTWICE", retry_num=1)
    assert again.status_code == 200 and slack.last_ack is not None  # acked, so Slack stops retrying
    slack.command("/quote")  # handled after the replay: the replay had its chance to publish
    assert len(module_fake.calls_to("views.publish", user_id="U2")) == 1


def test_a_command_naming_another_workspace_is_refused_over_the_socket_too(
    slack: SocketModeSender, sessions: Sessions
) -> None:
    resp = slack.as_team("T2").command("/coach", f"{mention('U2', 'bob')} Great call")
    assert "installed in another Slack workspace" in resp.json()["text"]
    assert note_count(sessions) == 0


def test_a_refresh_requested_disconnect_reconnects_and_the_next_envelope_is_handled(
    slack: SocketModeSender, module_fake: FakeSlack, sessions: Sessions
) -> None:
    socket_mode = module_fake.socket_mode
    before = len(socket_mode.connections)
    socket_mode.disconnect("refresh_requested")
    socket_mode.wait_connected(before + 1)
    assert len(module_fake.calls_to("apps.connections.open")) == 1  # a fresh URL for the new socket
    until(lambda: socket_mode.connections[before - 1].closed)  # the client let the old one go
    resp = slack.view_submission("coach_note_modal", modal_values(note="After the refresh"))
    assert slack.last_ack is not None and slack.last_ack.connection == before  # over the new socket
    assert resp.json()["response_action"] == "update"
    assert note_count(sessions) == 1


def test_healthz_is_served_on_loopback_and_nothing_else_is(
    served: ServeProcess, module_fake: FakeSlack, metrics_port: int
) -> None:
    health = requests.get(f"{served.url}/healthz", timeout=10)
    assert health.status_code == 200
    assert health.json() == {"status": "ok", "database": "ok", "socket_mode": "connected"}
    assert _listening_addresses(served.port) == {"127.0.0.1"}  # the image's HEALTHCHECK reaches it
    signed = SlackSender(served.url).command("/quote")
    assert signed.status_code == 404  # no /slack/events: Slack's requests come over the socket
    for path in ("/slack/install", "/slack/oauth_redirect", "/metrics"):
        assert requests.get(f"{served.url}{path}", timeout=10).status_code == 404
    assert _listening_addresses(metrics_port) == {"127.0.0.1"}
    assert f"health: http://127.0.0.1:{served.port}/healthz" in served.stderr()


def test_socket_mode_requests_are_counted_on_the_metrics_port(slack: SocketModeSender, metrics_port: int) -> None:
    def quote_commands() -> float:
        body = requests.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10).text
        line = [
            ln
            for ln in body.splitlines()
            if ln.startswith('coachbot_requests_total{outcome="ok",type="command:/quote"}')
        ]
        return float(line[0].split()[-1]) if line else 0.0

    before = quote_commands()
    slack.command("/quote")
    assert quote_commands() == before + 1


def _only_note_id(sessions: Sessions) -> int | None:
    with sessions.begin() as session:
        return session.scalars(select(Note.id)).one_or_none()


# --- processes of their own -------------------------------------------------------------------


def test_sigterm_with_a_socket_open_exits_cleanly(tmp_path: Path) -> None:
    fake = socket_fake()
    try:
        serve = ServeProcess(
            tmp_path, serve_env(f"sqlite:///{tmp_path / 'term.db'}", fake, SLACK_APP_TOKEN=DEFAULT_APP_TOKEN)
        ).start()
        sender = SocketModeSender(socket=fake.socket_mode, response_url=fake.response_url)
        assert sender.command("/quote").status_code == 200
        assert serve.proc is not None
        serve.proc.send_signal(signal.SIGTERM)
        assert serve.proc.wait(timeout=60) == 0
        until(lambda: fake.socket_mode.connections[-1].closed)
        assert fake.socket_mode.connections[-1].closed  # the socket was closed, not left to time out
    finally:
        fake.stop()
    stderr = serve.stderr()
    assert "Traceback" not in stderr and " ERROR " not in stderr, stderr[-3000:]
    assert stderr.rstrip().endswith("coachbot stopped")


def test_sigterm_lets_an_envelope_being_handled_finish_and_ack_first(tmp_path: Path) -> None:
    fake = socket_fake()
    try:
        url = f"sqlite:///{tmp_path / 'drain.db'}"
        serve = ServeProcess(tmp_path, serve_env(url, fake, SLACK_APP_TOKEN=DEFAULT_APP_TOKEN)).start()
        make_manager(make_sessions(make_engine(url)), "U1")
        fake.hang("users.info", 3, times=1)  # the first note on a rep asks Slack for the rep's name
        sender = SocketModeSender(socket=fake.socket_mode, response_url=fake.response_url)
        answered: list[requests.Response] = []
        thread = threading.Thread(
            target=lambda: answered.append(sender.command("/coach", f"{mention('U2', 'bob')} Strong close"))
        )
        thread.start()
        time.sleep(1)  # not an assertion: lets the envelope reach its listener, which waits on Slack
        assert serve.proc is not None
        serve.proc.send_signal(signal.SIGTERM)
        thread.join(timeout=60)
        assert answered and answered[0].status_code == 200  # acked over the socket before it closed
        assert serve.proc.wait(timeout=60) == 0
    finally:
        fake.stop()
    with make_sessions(make_engine(url)).begin() as session:
        assert [n.text for n in session.scalars(select(Note))] == ["Strong close"]
    assert "Traceback" not in serve.stderr(), serve.stderr()[-3000:]


def test_healthz_says_503_while_the_socket_is_down_and_200_once_it_is_back(tmp_path: Path) -> None:
    fake = socket_fake()
    try:
        serve = ServeProcess(
            tmp_path, serve_env(f"sqlite:///{tmp_path / 'down.db'}", fake, SLACK_APP_TOKEN=DEFAULT_APP_TOKEN)
        ).start()
        try:
            fake.fail("apps.connections.open", "internal_error")
            fake.socket_mode.drop_connections()

            def health(status: int) -> dict[str, str] | None:
                resp = requests.get(f"{serve.url}/healthz", timeout=10)
                return resp.json() if resp.status_code == status else None

            down = until(lambda: health(503), timeout=30)
            assert down is not None and down["socket_mode"] == "disconnected" and down["database"] == "ok"
            fake.clear_failures()
            back = until(lambda: health(200), timeout=60)  # the SDK retries every ping interval (10 s)
            assert back is not None and back["socket_mode"] == "connected"
        finally:
            assert serve.stop() == 0
    finally:
        fake.stop()


@pytest.mark.parametrize(
    ("token", "error", "says"),
    [
        ("xapp-1-A1-1-unknown", None, "SLACK_APP_TOKEN was refused by Slack (invalid_auth)"),
        (DEFAULT_APP_TOKEN, "not_allowed_token_type", "SLACK_APP_TOKEN is not an app-level token"),
        (DEFAULT_APP_TOKEN, "missing_scope", "SLACK_APP_TOKEN lacks the connections:write scope"),
        ("xapp-1-A1-1-abc def", None, "SLACK_APP_TOKEN has characters a Slack token never has"),
        ("xapp-1-A1-1-\u00fcber", None, "SLACK_APP_TOKEN has characters a Slack token never has"),
    ],
)
def test_a_rejected_app_token_stops_start_up_with_one_line(
    tmp_path: Path, token: str, error: str | None, says: str
) -> None:
    fake = socket_fake()
    socket_mode = fake.socket_mode
    try:
        if error is not None:
            fake.fail("apps.connections.open", error)
        env = serve_env(f"sqlite:///{tmp_path / 'rejected.db'}", fake, SLACK_APP_TOKEN=token)
        serve = ServeProcess(tmp_path, env).start(wait=False)
        assert serve.proc is not None
        assert serve.proc.wait(timeout=90) == 2
    finally:
        fake.stop()
    stderr = serve.stderr()
    assert "Traceback" not in stderr, stderr[-3000:]
    problems = [line for line in stderr.splitlines() if " INFO " not in line]
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"coachbot: {says}")
    assert "SLACK_APP_TOKEN" in problems[0] and ("connections:write" in problems[0] or "xapp-1-" in problems[0])
    assert token not in stderr  # the token itself is never printed
    assert not socket_mode.connections  # nothing was connected
