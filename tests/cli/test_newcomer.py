"""The newcomer's path, word for word: copy .env.example, fill in two values, serve, /quote.

Before the fix, `.env.example`'s empty ``SLACK_CLIENT_ID=`` / ``SLACK_CLIENT_SECRET=`` lines made
Bolt switch to its own file-based OAuth mode, so the first /quote answered "your installation
with this app is no longer available". The second case below keeps those empty lines.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
import yaml

from tests.fakes.slack_api import FakeSlack
from tests.harness import SlackSender, free_port

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
SECRET = "newcomer-signing-secret-0123456789"
COACHBOT = Path(sys.executable).with_name("coachbot")


def _fill(env_file: Path, values: dict[str, str]) -> None:
    """Fill in values the way a person edits the file: on the line that names the variable."""
    lines = env_file.read_text(encoding="utf-8").splitlines()
    for name, value in values.items():
        for i, line in enumerate(lines):
            if line in (f"{name}=", f"# {name}="):
                lines[i] = f"{name}={value}"
                break
        else:
            raise AssertionError(f"{name} is not in .env.example")
    env_file.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _curated_texts() -> set[str]:
    texts: set[str] = set()
    for path in (ROOT / "quotes").glob("*.yaml"):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        texts.update(q["text"] for q in doc.get("quotes", []) or [])
    return texts


def _clean_environment() -> dict[str, str]:
    """A newcomer's shell: none of our settings exported."""
    prefixes = ("SLACK_", "COACHBOT_", "DATABASE_URL", "PORT", "LOG_", "METRICS_", "TEST_")
    return {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}


@pytest.mark.parametrize("old_example", [False, True], ids=["env-example", "env-example-with-empty-oauth-lines"])
def test_env_example_path_gives_a_working_bot(tmp_path: Path, fake_slack: FakeSlack, old_example: bool) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text((ROOT / ".env.example").read_text(encoding="utf-8"), encoding="utf-8")
    if old_example:  # the shape that broke: present-but-empty OAuth variables
        with env_file.open("a", encoding="utf-8") as f:
            f.write("SLACK_CLIENT_ID=\nSLACK_CLIENT_SECRET=\nSLACK_STATE_SECRET=\n")
    port = free_port()
    fake_slack.add_token("xoxb-newcomer-0000")
    _fill(
        env_file,
        {
            "SLACK_BOT_TOKEN": "xoxb-newcomer-0000",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": fake_slack.api_url,
            "PORT": str(port),
        },
    )
    proc = subprocess.Popen(
        [str(COACHBOT), "serve"],
        cwd=tmp_path,
        env=_clean_environment(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.stdout.read().decode() if proc.stdout else "serve exited"
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            assert time.monotonic() < deadline, "serve did not come up within 60 s"
            time.sleep(0.2)

        resp = SlackSender(f"http://127.0.0.1:{port}", secret=SECRET).command("/quote")
        assert resp.status_code == 200, resp.text
        body = resp.json()
        rendered = json.dumps(body, ensure_ascii=False)
        assert "no longer available" not in rendered
        assert body.get("response_type") == "ephemeral"
        assert any(text in rendered for text in _curated_texts()), rendered[:500]
        assert (tmp_path / "coachbot.db").exists()  # the embedded default, in the working directory
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)


def _doctor(tmp_path: Path, env_text: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / ".env").write_text(env_text, encoding="utf-8")
    return subprocess.run(
        [str(COACHBOT), "doctor"],
        cwd=tmp_path,
        env=_clean_environment(),
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_doctor_fails_on_half_set_oauth_and_says_how_to_fix(tmp_path: Path) -> None:
    done = _doctor(
        tmp_path,
        "SLACK_BOT_TOKEN=xoxb-1\nSLACK_SIGNING_SECRET=abc123abc123\nSLACK_CLIENT_ID=123.456\nSLACK_CLIENT_SECRET=\n",
    )
    assert done.returncode == 1
    assert "[FAIL] settings are not valid" in done.stdout
    assert "SLACK_CLIENT_SECRET is missing" in done.stdout
    assert "SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and SLACK_STATE_SECRET together (or none of them)" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_doctor_treats_empty_oauth_lines_as_unset(tmp_path: Path) -> None:
    done = _doctor(
        tmp_path,
        "SLACK_BOT_TOKEN=xoxb-1\nSLACK_SIGNING_SECRET=abc123abc123\nSLACK_CLIENT_ID=\nSLACK_CLIENT_SECRET=\n"
        f"SLACK_API_URL=http://127.0.0.1:{free_port()}/api/\n",
    )
    assert "settings are valid (HTTP on port 3000;" in done.stdout
    assert "multi-workspace OAuth" not in done.stdout


def test_bolt_is_built_from_settings_not_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fake_slack: FakeSlack
) -> None:
    from bot.app import create_app
    from bot.bootstrap import build_deps
    from tests.conftest import make_settings

    # Present in the environment, empty or not, these must not switch Bolt into its own OAuth mode.
    monkeypatch.setenv("SLACK_CLIENT_ID", "")
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-from-the-environment")
    deps = build_deps(make_settings(f"sqlite:///{tmp_path / 'x.db'}", fake_slack))
    try:
        app = create_app(deps)
        assert app.oauth_flow is None
        assert app.client.token == "xoxb-test"  # the token from Settings, not the environment's
        assert os.environ["SLACK_CLIENT_ID"] == ""  # the environment is left as it was
    finally:
        deps.background.shutdown(wait=False)
        deps.engine.dispose()
