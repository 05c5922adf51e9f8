"""Tokens, signing secrets and note text never reach the logs, even at DEBUG."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.db.engine import Sessions
from tests.factories import make_manager
from tests.fakes.slack_api import FakeSlack
from tests.harness import SlackSender, free_port

TOKEN = "xoxb-1234-5678-SeCrEtToKeN"
SECRET = "signing-secret-never-logged-42"
NOTE = "Rep-confidential: struggling with pricing objections, maybe family stress"


@pytest.mark.parametrize("log_format", ["text", "json"])
def test_a_full_run_logs_no_token_secret_or_note_text(
    log_format: str, tmp_path: Path, database_url: str, sessions: Sessions, engine: Engine, fake_slack: FakeSlack
) -> None:
    fake_slack.add_token(TOKEN, "T1")
    make_manager(sessions, "U1")
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COACHBOT_"))},
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_API_URL": fake_slack.api_url,
        "COACHBOT_ADMINS": "UADMIN",
        "LOG_LEVEL": "DEBUG",
        "LOG_FORMAT": log_format,
        "COACHBOT_TICK_SECONDS": "1",
    }
    log_file = tmp_path / "serve.log"
    with log_file.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
            env=env,
            cwd=tmp_path,
            stdout=out,
            stderr=out,
        )
        try:
            slack = SlackSender(f"http://127.0.0.1:{port}", secret=SECRET, response_url=fake_slack.response_url)
            deadline = time.monotonic() + 60
            while True:
                try:
                    if slack.command("/quote").status_code == 200:
                        break
                except OSError:
                    pass
                assert time.monotonic() < deadline, log_file.read_text()
                time.sleep(0.2)
            assert slack.command("/coach", f"<@U2|bob> {NOTE}").status_code == 200
            assert slack.command("/coach", "notes <@U2|bob>").status_code == 200
            assert slack.command("/coach", f"search {NOTE.split()[0]}").status_code == 200
            assert slack.command("/coach", "export").status_code == 200
            fake_slack.wait_for("files.completeUploadExternal")
            assert slack.command("/coach", f"<@UNKNOWN9|x> {NOTE}").status_code == 200
            assert slack.command("/coach", "x" * 5000).status_code == 200
            assert slack.post("command=%2Fcoach", secret="wrong-secret").status_code == 401
            assert slack.command("/quote", "daily 09:00 Europe/Berlin").status_code == 200
            time.sleep(1.5)  # let the scheduler tick at least once
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
    logs = log_file.read_text()
    assert "coachbot listening on" in logs  # the log is the serve process's, not empty
    assert "DEBUG" in logs or '"level": "DEBUG"' in logs, "the run must log at DEBUG for this test to mean anything"
    for secret in (TOKEN, SECRET, NOTE, NOTE.split(":")[1].strip()[:30], "SeCrEtToKeN"):
        assert secret not in logs, f"{secret!r} leaked into the logs"
    if log_format == "json":
        lines = [line for line in logs.splitlines() if line.startswith("{")]
        assert lines and all(json.loads(line)["level"] for line in lines)
