"""The app over real HTTP: Slack's signing, /quote, help, health."""

from __future__ import annotations

import time

import requests
import yaml
from sqlalchemy import Engine

from bot.services.store import default_store
from tests.fakes.slack_api import FakeSlack
from tests.harness import AppServer, SlackSender, ephemeral_text, sign


def test_slack_documented_signing_example() -> None:
    # https://api.slack.com/authentication/verifying-requests-from-slack
    body = (
        "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
        "&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
        "&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        "&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    assert (
        sign("8f742231b10e8888abcd99yyyzzz85a5", "1531420618", body)
        == "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    )


def test_unsigned_request_is_rejected(slack: SlackSender, fake_slack: FakeSlack) -> None:
    resp = slack.post("command=%2Fquote&text=&team_id=T1&user_id=U1", signed=False)
    assert resp.status_code == 401
    assert not fake_slack.calls_to("chat.postMessage")


def test_request_signed_ten_minutes_ago_is_rejected(slack: SlackSender) -> None:
    resp = slack.post("command=%2Fquote&text=&team_id=T1&user_id=U1", timestamp=int(time.time()) - 600)
    assert resp.status_code == 401


def test_wrong_secret_is_rejected(slack: SlackSender) -> None:
    resp = slack.post("command=%2Fquote&text=&team_id=T1&user_id=U1", secret="not-the-secret")
    assert resp.status_code == 401


def test_quote_returns_a_curated_quote_privately(slack: SlackSender) -> None:
    resp = slack.command("/quote")
    assert resp.status_code == 200
    body = resp.json()
    assert body["response_type"] == "ephemeral"
    texts = set()
    for f in default_store().iterdir():
        if f.name.endswith(".yaml"):
            for q in yaml.safe_load(f.read_text()).get("quotes", []):
                texts.add(" ".join(q["text"].split()))
    shown = body["text"].split("”")[0].lstrip("“")
    assert shown in texts
    assert body["blocks"][0]["type"] == "rich_text"
    assert body["blocks"][0]["elements"][0]["elements"][0]["text"] == shown


def test_quote_help_lists_every_subcommand_with_an_example(slack: SlackSender, app_server: AppServer) -> None:
    text = ephemeral_text(slack.command("/quote", "help"))
    assert "`/quote help`" in text
    assert "e.g." in text


def test_unknown_subcommand_names_it_and_shows_an_example(slack: SlackSender) -> None:
    assert "`/quote fly`" in ephemeral_text(slack.command("/quote", "fly away"))
    text = ephemeral_text(slack.command("/quote", "<!channel> now"))
    assert "&lt;!channel&gt;" in text and "<!channel>" not in text
    assert "/quote help" in text


def test_healthz_reports_database(app_server: AppServer, engine: Engine) -> None:
    resp = requests.get(f"{app_server.url}/healthz", timeout=5)
    assert resp.status_code == 200
    assert resp.json() == {"status": "ok", "database": "ok"}


def test_metrics_count_requests_and_ack_latency(slack: SlackSender, app_server: AppServer) -> None:
    assert slack.command("/quote").status_code == 200
    assert slack.post("command=%2Fquote", signed=False).status_code == 401
    body = app_server.metrics()
    assert 'coachbot_requests_total{outcome="ok",type="command:/quote"} 1.0' in body
    assert 'coachbot_requests_total{outcome="rejected",type="other"} 1.0' in body
    assert 'coachbot_ack_seconds_count{type="command:/quote"} 1.0' in body
    assert "# TYPE coachbot_deliveries_total counter" in body
    assert "# TYPE coachbot_scheduler_tick_lag_seconds gauge" in body
