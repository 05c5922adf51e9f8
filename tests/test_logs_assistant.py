"""The assistant, run as `serve` at DEBUG with a model: the model's key, the question, the
model's answer and the note text behind it never reach the logs (older ``openai`` releases
log each request's messages at DEBUG; ``bot.logs`` keeps that logger at WARNING)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from bot.db.engine import Sessions
from tests.assistant_events import dm_of, user_message
from tests.factories import make_manager, seed_note
from tests.fakes.llm import FakeModel
from tests.fakes.slack_api import FakeSlack
from tests.harness import SlackSender, free_port

KEY = "sk-live-ModelKeyNeverLogged-77"
SECRET = "signing-secret-never-logged-43"
NOTE = "Rep-confidential: Bob is negotiating a counter-offer elsewhere"
QUESTION = "Is Bob at risk of leaving us this quarter?"
ANSWER = "Possibly: your note of today mentions a counter-offer."


def test_a_model_answer_at_debug_logs_no_key_question_answer_or_note(
    tmp_path: Path, database_url: str, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    make_manager(sessions, "U1")
    seed_note(sessions, author="U1", rep="U2", text=NOTE)
    port = free_port()
    log_file = tmp_path / "serve.log"
    with FakeModel(model="m") as model:
        model.reply(ANSWER)
        env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COACHBOT_"))},
            "DATABASE_URL": database_url,
            "SLACK_BOT_TOKEN": "xoxb-test",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake_slack.api_url,
            "COACHBOT_LLM_BASE_URL": model.base_url,
            "COACHBOT_LLM_MODEL": "m",
            "COACHBOT_LLM_API_KEY": KEY,
            "LOG_LEVEL": "DEBUG",
        }
        with log_file.open("wb") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "bot.cli", "serve", "--port", str(port)],
                env=env,
                cwd=tmp_path,
                stdout=out,
                stderr=out,
            )
            try:
                slack = SlackSender(f"http://127.0.0.1:{port}", secret=SECRET)
                deadline = time.monotonic() + 60
                while True:
                    try:
                        if user_message(slack, QUESTION).status_code == 200:
                            break
                    except OSError:
                        pass
                    assert time.monotonic() < deadline, log_file.read_text()
                    time.sleep(0.2)
                fake_slack.wait_for("chat.stopStream", channel=dm_of("U1"), timeout=30)
            finally:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=30)
        assert NOTE in model.prompt_text()  # the run reached the model, with the note as ground
    logs = log_file.read_text()
    assert "DEBUG" in logs, "the run must log at DEBUG for this test to mean anything"
    for secret in (KEY, SECRET, NOTE, QUESTION, ANSWER, "counter-offer"):
        assert secret not in logs, f"{secret!r} leaked into the logs"
