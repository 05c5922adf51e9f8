"""`coachbot doctor` says which answers the assistant gives: from the data, or from a model
(which it probes); COACHBOT_LLM_* settings are validated with a fix, and the key never shows."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.app import BOT_SCOPES
from bot.config import ConfigError, Settings
from tests.cli.test_cli import coachbot
from tests.cli.test_doctor import _env
from tests.fakes.llm import FakeModel
from tests.fakes.slack_api import FakeSlack

KEY = "sk-live-NeverPrintThisKey-123"


def _migrated(tmp_path: Path, fake: FakeSlack) -> str:
    db = f"sqlite:///{tmp_path / 'd.db'}"
    assert coachbot("db", "upgrade", env={"DATABASE_URL": db}, cwd=tmp_path).returncode == 0
    fake.workspace("T1").scopes = list(BOT_SCOPES)
    return db


def test_without_a_model_doctor_says_answers_come_from_the_data(tmp_path: Path, fake_slack: FakeSlack) -> None:
    result = coachbot("doctor", env=_env(fake_slack, _migrated(tmp_path, fake_slack)), cwd=tmp_path)
    assert "[PASS] assistant answers from your data (no language model" in result.stdout


def test_doctor_probes_the_model_and_names_it_without_the_key(tmp_path: Path, fake_slack: FakeSlack) -> None:
    db = _migrated(tmp_path, fake_slack)
    with FakeModel(model="llama3.1") as model:
        env = _env(
            fake_slack,
            db,
            COACHBOT_LLM_BASE_URL=model.base_url,
            COACHBOT_LLM_MODEL="llama3.1",
            COACHBOT_LLM_API_KEY=KEY,
        )
        result = coachbot("doctor", env=env, cwd=tmp_path)
        assert f"[PASS] assistant: free text is answered by model llama3.1 at {model.base_url}" in result.stdout
        assert result.returncode == 0, result.stdout
        (probe,) = model.requests
        assert probe.path.endswith("/models") and probe.authorization == f"Bearer {KEY}"
        assert model.completions() == []  # a probe spends no completion
    assert KEY not in result.stdout + result.stderr


def test_doctor_fails_an_unknown_model_and_a_dead_endpoint_with_fixes(tmp_path: Path, fake_slack: FakeSlack) -> None:
    db = _migrated(tmp_path, fake_slack)
    with FakeModel(model="llama3.1") as model:
        env = _env(fake_slack, db, COACHBOT_LLM_BASE_URL=model.base_url, COACHBOT_LLM_MODEL="gpt-9")
        wrong = coachbot("doctor", env=env, cwd=tmp_path)
        model.fail(500)
        failing = coachbot("doctor", env=env, cwd=tmp_path)
    assert wrong.returncode == 1
    assert "does not serve gpt-9 (it serves llama3.1)" in wrong.stdout and "COACHBOT_LLM_MODEL=llama3.1" in wrong.stdout
    assert (
        "[FAIL] assistant: model gpt-9 at" in failing.stdout and "does not answer (error: HTTP 500)" in failing.stdout
    )
    assert "answered from the data" in failing.stdout


def test_doctor_hides_credentials_in_the_url(tmp_path: Path, fake_slack: FakeSlack) -> None:
    db = _migrated(tmp_path, fake_slack)
    env = _env(fake_slack, db, COACHBOT_LLM_BASE_URL="http://user:hunter2@127.0.0.1:9/v1", COACHBOT_LLM_MODEL="m")
    result = coachbot("doctor", env=env, cwd=tmp_path)
    assert "hunter2" not in result.stdout
    assert "model m at http://127.0.0.1:9/v1 does not answer (unreachable" in result.stdout


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"COACHBOT_LLM_MODEL": "llama3.1"}, "need COACHBOT_LLM_BASE_URL too, e.g. COACHBOT_LLM_BASE_URL=http"),
        ({"COACHBOT_LLM_BASE_URL": "localhost:11434"}, "is not an http(s) URL"),
        ({"COACHBOT_LLM_BASE_URL": "http://127.0.0.1:11434/v1"}, "e.g. COACHBOT_LLM_MODEL=llama3.1"),
        (
            {"COACHBOT_LLM_BASE_URL": "http://h/v1", "COACHBOT_LLM_MODEL": "m", "COACHBOT_LLM_API_KEY": "changeme"},
            "placeholder",
        ),
        ({"COACHBOT_LLM_TIMEOUT_SECONDS": "0"}, "use a number from 1 to 300"),
        ({"COACHBOT_ASSISTANT_PER_MINUTE": "many"}, "COACHBOT_ASSISTANT_PER_MINUTE=10"),
    ],
)
def test_bad_model_settings_name_the_fix(env: dict[str, str], expected: str) -> None:
    with pytest.raises(ConfigError) as err:
        Settings.from_env(env)
    assert expected in str(err.value)


def test_model_settings_default_off_and_the_key_has_no_repr() -> None:
    assert not Settings.from_env({}).llm_enabled
    on = Settings.from_env(
        {"COACHBOT_LLM_BASE_URL": "http://127.0.0.1:11434/v1/", "COACHBOT_LLM_MODEL": "m", "COACHBOT_LLM_API_KEY": KEY}
    )
    assert on.llm_enabled and on.llm_base_url == "http://127.0.0.1:11434/v1" and on.llm_timeout_seconds == 20
    assert KEY not in repr(on)
