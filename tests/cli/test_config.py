"""Settings: defaults, validation, one-line errors."""

from __future__ import annotations

import pytest

from bot.config import ConfigError, Settings


def test_defaults() -> None:
    s = Settings.from_env({})
    assert s.database_url == "sqlite:///coachbot.db"
    assert s.port == 3000
    assert s.slack_api_url == "https://slack.com/api/"
    assert s.grace_minutes == 120
    assert not s.oauth_enabled and not s.socket_mode


def test_values_are_parsed() -> None:
    s = Settings.from_env(
        {
            "DATABASE_URL": "postgres://u@h/db",
            "SLACK_API_URL": "http://127.0.0.1:9/api",
            "COACHBOT_ADMINS": "U1AAA, W2BBB",
            "PORT": "8080",
            "LOG_LEVEL": "debug",
        }
    )
    assert s.database_url == "postgresql+psycopg://u@h/db"
    assert s.slack_api_url == "http://127.0.0.1:9/api/"
    assert s.admins == frozenset({"U1AAA", "W2BBB"})
    assert s.port == 8080 and s.log_level == "DEBUG"


@pytest.mark.parametrize(
    ("env", "needle"),
    [
        ({"PORT": "0"}, "PORT"),
        ({"COACHBOT_GRACE_MINUTES": "x"}, "COACHBOT_GRACE_MINUTES"),
        ({"SLACK_API_URL": "slack.com"}, "SLACK_API_URL"),
        ({"COACHBOT_REVIEW_CHANNEL": "#general"}, "COACHBOT_REVIEW_CHANNEL"),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL"),
        ({"SLACK_APP_TOKEN": "xoxb-wrong-kind"}, "SLACK_APP_TOKEN"),
    ],
)
def test_errors_are_one_line_naming_the_variable(env: dict[str, str], needle: str) -> None:
    with pytest.raises(ConfigError) as err:
        Settings.from_env(env)
    assert needle in str(err.value) and "\n" not in str(err.value)


def test_require_slack_names_what_is_missing() -> None:
    with pytest.raises(ConfigError, match="SLACK_SIGNING_SECRET"):
        Settings.from_env({}).require_slack()
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN"):
        Settings.from_env({"SLACK_SIGNING_SECRET": "s3cret"}).require_slack()
    Settings.from_env({"SLACK_SIGNING_SECRET": "s3cret", "SLACK_BOT_TOKEN": "xoxb-1"}).require_slack()


OAUTH = {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "cs", "SLACK_STATE_SECRET": "ss"}


def test_with_oauth_a_bare_admin_id_stops_start_up_with_how_to_write_it() -> None:
    with pytest.raises(ConfigError) as err:
        Settings.from_env({**OAUTH, "COACHBOT_ADMINS": "T1AAA:U1AAA,U2BBB"})
    message = str(err.value)
    assert "'U2BBB' without its workspace" in message and "TEAM:USER" in message
    assert "COACHBOT_ADMINS=T012ABCDEF:U2BBB" in message and "\n" not in message


def test_admins_are_per_workspace() -> None:
    s = Settings.from_env({**OAUTH, "COACHBOT_ADMINS": "T1AAA:U1AAA, T2BBB:U2BBB, E1ORG:W3CCC"})
    assert s.admins_in("T1AAA") == {"U1AAA"}
    assert s.admins_in("T2BBB") == {"U2BBB"}
    assert s.admins_in("T9ZZZ") == frozenset()
    single = Settings.from_env({"COACHBOT_ADMINS": "U1AAA,T2BBB:U2BBB"})  # one workspace: bare ids apply
    assert single.admins_in("T2BBB") == {"U1AAA", "U2BBB"}
    assert single.admins_in("T1AAA") == {"U1AAA"}


@pytest.mark.parametrize("token", ["xapp-1-A1 23", "xapp-1-A123-456-abc'", "xapp-1-\u00e4bc", "xapp-1-abc\tdef"])
def test_an_app_token_with_characters_no_token_has_is_refused_with_an_example(token: str) -> None:
    with pytest.raises(ConfigError, match=r"^SLACK_APP_TOKEN has characters .* e\.g\. SLACK_APP_TOKEN=xapp-1-"):
        Settings.from_env({"SLACK_APP_TOKEN": token})


def test_a_well_formed_app_token_is_kept() -> None:
    token = "xapp-1-A012ABCDEF-1234567890123-0123456789abcdef"
    assert Settings.from_env({"SLACK_APP_TOKEN": token}).slack_app_token == token
