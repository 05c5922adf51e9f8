"""A restart in the middle of a slash command: the user gets an answer, or nothing is stored."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from bot.db.engine import Sessions
from tests.factories import make_manager, note_count
from tests.fakes.slack_api import FakeSlack
from tests.harness import SlackSender, free_port

pytestmark = pytest.mark.slow
SECRET = "restart-secret"
NOTE = "Walked the new rep through the discovery checklist"


def _serve(tmp_path: Path, database_url: str, fake: FakeSlack, port: int) -> subprocess.Popen[bytes]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COACHBOT_"))},
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake.api_url,
        "COACHBOT_TICK_SECONDS": "3600",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return proc
        except requests.RequestException:
            pass
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.1)


def test_killed_mid_command_stores_nothing_and_the_retry_is_answered_and_stored(
    tmp_path: Path, database_url: str, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    make_manager(sessions, "U1")
    port = free_port()
    proc = _serve(tmp_path, database_url, fake_slack, port)
    slack = SlackSender(
        f"http://127.0.0.1:{port}", secret=SECRET, response_url=fake_slack.response_url, replies=fake_slack.responses
    )
    fake_slack.hang("users.info", 5.0, times=1)  # the command is mid-way, checking the rep
    answers: list[int | str] = []

    def send() -> None:
        try:
            resp = slack.command("/coach", f"<@U2|bob> {NOTE}", wait_for_answer=False)
            answers.append(resp.status_code if resp.content else "acked empty")
        except requests.RequestException as exc:
            answers.append(type(exc).__name__)

    sender = threading.Thread(target=send)
    sender.start()
    time.sleep(1.5)  # the command is waiting on users.info (5 s) now
    assert not fake_slack.calls_to("users.info")  # still waiting on Slack
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    sender.join(timeout=20)
    # The ack did not wait on Slack: it went out empty, the answer was to follow ...
    assert answers == ["acked empty"]
    assert fake_slack.responses() == []  # ... but no answer reached the user ...
    assert note_count(sessions) == 0  # ... and nothing was stored

    proc = _serve(tmp_path, database_url, fake_slack, port)
    try:
        resp = slack.command("/coach", f"<@U2|bob> {NOTE}")
        assert resp.status_code == 200 and "Saved" in resp.json()["text"]
        assert note_count(sessions, text=NOTE) == 1
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
