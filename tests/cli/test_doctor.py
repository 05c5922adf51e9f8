"""`coachbot doctor` against the fake Slack: each line passes or fails with a fix."""

from __future__ import annotations

from pathlib import Path

from bot.app import BOT_SCOPES
from tests.cli.test_cli import coachbot
from tests.fakes.slack_api import FakeSlack


def _env(fake: FakeSlack, db: str, **extra: str) -> dict[str, str]:
    return {
        "DATABASE_URL": db,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": "s3cret-value",
        "SLACK_API_URL": fake.api_url,
        "COACHBOT_ADMINS": "UADMIN",
        **extra,
    }


def test_doctor_passes_on_a_good_install(tmp_path: Path, fake_slack: FakeSlack) -> None:
    db = f"sqlite:///{tmp_path / 'd.db'}"
    assert coachbot("db", "upgrade", env={"DATABASE_URL": db}, cwd=tmp_path).returncode == 0
    fake_slack.workspace("T1").scopes = list(BOT_SCOPES)
    result = coachbot("doctor", env=_env(fake_slack, db), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[FAIL]" not in result.stdout
    assert "token works for team T1" in result.stdout
    assert f"all {len(BOT_SCOPES)} scopes from manifest.yml are granted" in result.stdout
    assert "scheduler ticks every 30s" in result.stdout


def test_doctor_names_each_failure_and_its_fix(tmp_path: Path, fake_slack: FakeSlack) -> None:
    db = f"sqlite:///{tmp_path / 'fresh.db'}"  # never migrated
    fake_slack.workspace("T1").scopes = [s for s in BOT_SCOPES if s != "files:write"]
    result = coachbot("doctor", env=_env(fake_slack, db, SLACK_SIGNING_SECRET="", COACHBOT_ADMINS=""), cwd=tmp_path)
    assert result.returncode == 1
    out = result.stdout
    assert "[FAIL] signing secret is not set" in out and "Basic Information" in out
    assert "code expects" in out and "coachbot db upgrade" in out
    assert "missing scopes files:write" in out and "reinstall" in out
    assert "checks passed; fix the failures above" in out


def test_doctor_reports_a_rejected_token(tmp_path: Path, fake_slack: FakeSlack) -> None:
    db = f"sqlite:///{tmp_path / 'd.db'}"
    result = coachbot("doctor", env=_env(fake_slack, db, SLACK_BOT_TOKEN="xoxb-unknown"), cwd=tmp_path)
    assert result.returncode == 1
    assert "Slack rejected the token (invalid_auth)" in result.stdout


def test_manifest_scopes_match_the_app(tmp_path: Path) -> None:
    import yaml

    manifest = yaml.safe_load((Path(__file__).resolve().parents[2] / "manifest.yml").read_text())
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)
    commands = {c["command"]: c for c in manifest["features"]["slash_commands"]}
    assert set(commands) == {"/quote", "/coach"}
    assert all(c["should_escape"] is True for c in commands.values())
    assert manifest["features"]["shortcuts"][0]["callback_id"] == "save_leadership_quote"
    assert manifest["settings"]["interactivity"]["is_enabled"] is True
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["settings"]["socket_mode_enabled"] is True
