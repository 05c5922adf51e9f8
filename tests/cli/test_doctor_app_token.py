"""`coachbot doctor` checks SLACK_APP_TOKEN the way `serve` uses it: apps.connections.open."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.test_cli import coachbot
from tests.cli.test_doctor import _env
from tests.fakes.slack_api import FakeSlack
from tests.fakes.socket_mode import DEFAULT_APP_TOKEN


def test_doctor_passes_a_working_app_token(tmp_path: Path, fake_slack: FakeSlack) -> None:
    fake_slack.enable_socket_mode(DEFAULT_APP_TOKEN)
    db = f"sqlite:///{tmp_path / 'd.db'}"
    result = coachbot("doctor", env=_env(fake_slack, db, SLACK_APP_TOKEN=DEFAULT_APP_TOKEN), cwd=tmp_path)
    assert "[PASS] SLACK_APP_TOKEN: Slack opens Socket Mode connections for it" in result.stdout, result.stdout
    (call,) = fake_slack.calls_to("apps.connections.open")
    assert call.token == DEFAULT_APP_TOKEN
    assert not fake_slack.socket_mode.connections  # the URL is asked for, never connected to


@pytest.mark.parametrize(
    ("token", "error", "says"),
    [
        ("xapp-1-A1-1-unknown", None, "[FAIL] SLACK_APP_TOKEN was refused by Slack (invalid_auth)"),
        (DEFAULT_APP_TOKEN, "not_allowed_token_type", "[FAIL] SLACK_APP_TOKEN is not an app-level token"),
        (DEFAULT_APP_TOKEN, "missing_scope", "[FAIL] SLACK_APP_TOKEN lacks the connections:write scope"),
    ],
)
def test_doctor_names_a_refused_app_token_and_the_fix(
    tmp_path: Path, fake_slack: FakeSlack, token: str, error: str | None, says: str
) -> None:
    fake_slack.enable_socket_mode(DEFAULT_APP_TOKEN)
    if error is not None:
        fake_slack.fail("apps.connections.open", error)
    db = f"sqlite:///{tmp_path / 'd.db'}"
    result = coachbot("doctor", env=_env(fake_slack, db, SLACK_APP_TOKEN=token), cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    failed = next(i for i, line in enumerate(lines) if line.startswith(says))
    assert lines[failed + 1].strip().startswith("fix: ") and "App-Level Tokens" in lines[failed + 1]
    assert "Traceback" not in result.stderr
