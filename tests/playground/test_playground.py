"""The playground over HTTP, without a browser: the page's JSON API, the stand-in Web API,
the loopback and same-origin guards, time travel, Reset, and the command line."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import func, select

from bot.config import ConfigError
from bot.db.engine import make_engine
from bot.db.migrate import upgrade
from bot.db.models import Quote
from bot.playground import world as w
from bot.playground.clock import jump_target
from bot.playground.database import APPLICATION_ID, check_database, mark_database
from bot.playground.poster import slack_encode
from bot.playground.run import check_host, db_path, hold_database, resumed_note
from bot.playground.server import Playground
from bot.playground.views import build_state, client_errors
from tests.fresh_wheel import install_fresh_wheel
from tests.harness import free_port


def call(pg: Playground, verb: str, **body: Any) -> dict[str, Any]:
    resp = requests.post(f"{pg.base_url}/pg/{verb}", json=body, timeout=30)
    assert resp.status_code in (200, 400), resp.text
    data: dict[str, Any] = resp.json()
    return data


def state(pg: Playground, persona: str, conv: str) -> dict[str, Any]:
    resp = requests.get(f"{pg.base_url}/pg/state", params={"persona": persona, "conv": conv}, timeout=30)
    assert resp.status_code == 200, resp.text
    data: dict[str, Any] = resp.json()
    return data


def wait_for(fn: Any, timeout: float = 10.0) -> Any:
    """The app answers some things after its ack (views.open, DMs): poll until they land."""
    deadline = time.monotonic() + timeout
    while True:
        value = fn()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


# -- the page's API ------------------------------------------------------------------------


def test_quote_command_answers_privately_in_the_channel(fresh: Playground) -> None:
    assert call(fresh, "send", persona=w.RILEY.id, conv=w.SALES.id, text="/quote") == {
        "seconds": pytest.approx(0, abs=15)
    }
    riley = state(fresh, w.RILEY.id, w.SALES.id)["messages"]
    assert "Only visible to you" in riley and "pg-quote" in riley
    assert state(fresh, w.MAX.id, w.SALES.id)["messages"] == ""


def test_bad_input_gets_a_clear_answer(fresh: Playground) -> None:
    assert call(fresh, "send", persona=w.RILEY.id, conv=w.SALES.id, text="  ")["error"].startswith("Type a message")
    assert "at most 4,000" in call(fresh, "send", persona=w.RILEY.id, conv=w.SALES.id, text="x" * 5000)["error"]
    assert "unknown persona" in call(fresh, "send", persona="UEVE", conv=w.SALES.id, text="/quote")["error"]
    assert "unknown conversation" in call(fresh, "send", persona=w.ADA.id, conv="CNOPE", text="/quote")["error"]
    assert "unknown request" in call(fresh, "bogus", persona=w.ADA.id)["error"]
    for lookalike in ("/qoute", "/qu\u043ete", "/quo\u00adte"):  # a typo, a Cyrillic o, a soft hyphen
        call(fresh, "send", persona=w.ADA.id, conv=w.SALES.id, text=lookalike)
    shown = state(fresh, w.ADA.id, w.SALES.id)["messages"]
    assert shown.count("is not a valid command") == 3 and "Slackbot" in shown
    assert state(fresh, w.MAX.id, w.SALES.id)["messages"] == ""  # Slackbot's line is Ada's alone


def test_typed_markup_is_sent_as_slack_sends_it() -> None:
    assert slack_encode("@Riley & <b> @channel #sales #nope") == (
        "<@URILEY|riley> &amp; &lt;b&gt; <!channel> <#CSALES|sales> #nope"
    )
    assert slack_encode("mail@riley.com a@max") == "mail@riley.com a@max"  # not mentions
    assert slack_encode("@R\u0456ley") == "@R\u0456ley"  # a Cyrillic look-alike is nobody


def test_hostile_message_text_is_shown_as_text(fresh: Playground) -> None:
    call(fresh, "send", persona=w.RILEY.id, conv=w.SALES.id, text="<script>alert(1)</script> @here")
    html = state(fresh, w.ADA.id, w.SALES.id)["messages"]
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/healthz"),
        ("GET", "/metrics"),
        ("POST", "/slack/events"),
        ("POST", "/api/auth.test"),
        ("POST", "/response/anything"),
        ("GET", "/static/app.js"),
        ("GET", "/pg/config"),
    ],
)
def test_every_route_checks_the_host(fresh: Playground, method: str, path: str) -> None:
    """The app's own routes (/healthz, /metrics, /slack/events) and the stand-in's too."""
    rebound = requests.request(method, fresh.base_url + path, headers={"Host": "evil.example:80"}, timeout=10)
    assert rebound.status_code == 403 and "only answers pages opened at http://127.0.0.1" in rebound.text
    if path in ("/healthz", "/pg/config", "/static/app.js"):
        assert requests.get(fresh.base_url + path, timeout=10).status_code == 200
        assert requests.get(fresh.base_url + path, headers={"Host": "localhost"}, timeout=10).status_code == 200


@pytest.mark.parametrize(
    "host", ["127.0.0.1.evil.example", "localhost.evil.example:3000", "evil.example#@127.0.0.1", ""]
)
def test_look_alike_hosts_are_refused_on_healthz(fresh: Playground, host: str) -> None:
    got = requests.get(fresh.base_url + "/healthz", headers={"Host": host}, timeout=10)
    assert got.status_code == 403


def test_page_refuses_other_hosts_and_cross_site_posts(fresh: Playground) -> None:
    rebound = requests.get(f"{fresh.base_url}/", headers={"Host": "evil.example:80"}, timeout=10)
    assert rebound.status_code == 403 and "127.0.0.1" in rebound.text
    form = requests.post(f"{fresh.base_url}/pg/send", data={"persona": w.ADA.id}, timeout=10)
    assert form.status_code == 415
    other = requests.post(f"{fresh.base_url}/pg/reset", json={}, headers={"Origin": "https://evil.example"}, timeout=10)
    assert other.status_code == 403
    assert requests.get(f"{fresh.base_url}/", timeout=10).status_code == 200
    assert "coachbot playground" in requests.get(f"{fresh.base_url}/", timeout=10).text
    assert requests.get(f"{fresh.base_url}/static/app.js", timeout=10).status_code == 200


def test_reactions_on_the_daily_post_feed_quote_top(fresh: Playground) -> None:
    call(fresh, "send", persona=w.MAX.id, conv=w.SALES.id, text="/quote daily 09:00 everyday")
    # The command checks the channel with Slack, so it is acked first and answered after.
    assert wait_for(lambda: "Next post" in state(fresh, w.MAX.id, w.SALES.id)["messages"])
    assert "1 delivered" in call(fresh, "time", persona=w.MAX.id, jump="morning")["summary"]
    (post,) = [m for m in fresh.world.messages[w.SALES.id] if m.metadata and m.visible_to is None]
    for who in (w.ADA, w.RILEY):
        assert call(fresh, "react", persona=who.id, conv=w.SALES.id, ts=post.ts, reaction="fire") == {}
    assert post.reactions == {"fire": [w.ADA.id, w.RILEY.id]}
    call(fresh, "send", persona=w.RILEY.id, conv=w.SALES.id, text="/quote top")
    top = state(fresh, w.RILEY.id, w.SALES.id)["messages"]
    assert "2 votes" in top and "No votes" not in top
    # A second click takes the reaction back (reaction_removed), as in Slack.
    call(fresh, "react", persona=w.ADA.id, conv=w.SALES.id, ts=post.ts, reaction="fire")
    assert post.reactions == {"fire": [w.RILEY.id]}


def test_shortcut_opens_the_prefilled_submission_modal(fresh: Playground) -> None:
    call(fresh, "send", persona=w.MAX.id, conv=w.SALES.id, text='"Slow is smooth, smooth is fast." — Navy SEALs')
    (message,) = fresh.world.messages[w.SALES.id]
    assert call(fresh, "shortcut", persona=w.RILEY.id, conv=w.SALES.id, ts=message.ts, callback_id="nope")["error"]
    call(fresh, "shortcut", persona=w.RILEY.id, conv=w.SALES.id, ts=message.ts, callback_id="save_leadership_quote")
    modal = wait_for(lambda: state(fresh, w.RILEY.id, w.SALES.id)["modal"])
    assert modal is not None and "Slow is smooth, smooth is fast." in modal["html"]


def test_export_arrives_as_a_file_in_the_dm(fresh: Playground) -> None:
    call(fresh, "send", persona=w.MAX.id, conv=w.SALES.id, text="/coach @Riley asked great questions today")
    call(fresh, "send", persona=w.MAX.id, conv=w.SALES.id, text="/coach export")
    dm = wait_for(lambda: [m for m in fresh.world.messages[w.MAX.dm] if m.files])
    (file,) = dm[0].files
    got = requests.get(f"{fresh.base_url}/pg/files/{file['id']}", timeout=10)
    assert got.status_code == 200 and "asked great questions today" in got.text
    assert 'attachment; filename="coaching-notes-' in got.headers["content-disposition"]


def test_modal_submission_errors_come_back_per_block(fresh: Playground) -> None:
    call(fresh, "send", persona=w.MAX.id, conv=w.SALES.id, text="/coach")
    modal = wait_for(lambda: state(fresh, w.MAX.id, w.SALES.id)["modal"])
    view_id = modal["id"]
    missing = call(fresh, "submit", persona=w.MAX.id, view_id=view_id, values={})
    required = "Please complete this required field."
    assert missing["errors"] == {"rep": required, "note": required}
    values = {"rep": {"rep": w.RILEY.id}, "note": {"note": "x"}, "follow_up": {"follow_up": "2020-01-01"}}
    # A past date is the app's rule (response_action: errors), not the client's.
    refused = call(fresh, "submit", persona=w.MAX.id, view_id=view_id, values=values)
    assert "later date" in refused["errors"]["follow_up"]
    assert call(fresh, "submit", persona=w.ADA.id, view_id=view_id, values=values)["error"] == "That form is closed."


def test_time_travel_moves_the_apps_clock_and_never_back(fresh: Playground) -> None:
    start = fresh.clock()
    assert fresh.deps is not None and fresh.deps.clock is fresh.clock
    call(fresh, "time", persona=w.ADA.id, jump="hour")
    assert (fresh.clock() - start).total_seconds() == pytest.approx(3600, abs=30)
    assert "Unknown time jump" in call(fresh, "time", persona=w.ADA.id, jump="yesterday")["error"]
    fresh.clock.travel_to(start)
    assert fresh.clock() > start


@pytest.mark.parametrize(
    ("now", "jump", "tz", "expected"),
    [
        ("2026-11-30T12:00:00Z", "morning", "America/New_York", "2026-11-30T14:00:00Z"),  # 07:00 -> today 09:00
        ("2026-11-30T15:00:00Z", "morning", "America/New_York", "2026-12-01T14:00:00Z"),  # 10:00 -> tomorrow
        ("2026-11-30T12:00:00Z", "monday", "Europe/London", "2026-12-07T09:00:00Z"),  # a Monday -> the next one
        ("2026-03-07T15:00:00Z", "morning", "America/New_York", "2026-03-08T13:00:00Z"),  # into daylight time
        ("2026-11-30T12:00:00Z", "hour", "Europe/London", "2026-11-30T13:00:00Z"),
    ],
)
def test_jump_targets(now: str, jump: str, tz: str, expected: str) -> None:
    at = datetime.fromisoformat(now.replace("Z", "+00:00"))
    assert jump_target(at, jump, tz) == datetime.fromisoformat(expected.replace("Z", "+00:00")).astimezone(UTC)


def test_after_reset_new_messages_are_stamped_on_the_reset_clock(fresh: Playground) -> None:
    """A week of time travel, then Reset: the next messages carry the clock's time and day,
    not a moment after the last pre-Reset message; "+1 hour" moves them on from there."""
    call(fresh, "time", persona=w.ADA.id, jump="monday")
    call(fresh, "send", persona=w.ADA.id, conv=w.SALES.id, text="before the reset")
    ahead = float(fresh.world.messages[w.SALES.id][-1].ts)
    call(fresh, "reset")
    now = fresh.clock().timestamp()
    assert ahead - now > 6 * 86400
    call(fresh, "send", persona=w.ADA.id, conv=w.SALES.id, text="after the reset")
    (after,) = fresh.world.messages[w.SALES.id]
    assert float(after.ts) == pytest.approx(now, abs=60)
    shown = state(fresh, w.ADA.id, w.SALES.id)
    day = datetime.fromisoformat(shown["clock"]["iso"])
    assert f"{day:%A}, {day:%B} {day.day}" in shown["messages"]  # the day divider is the clock's day
    call(fresh, "time", persona=w.ADA.id, jump="hour")
    call(fresh, "send", persona=w.ADA.id, conv=w.SALES.id, text="an hour later")
    assert float(fresh.world.messages[w.SALES.id][-1].ts) == pytest.approx(now + 3600, abs=60)


def test_the_quote_daily_reply_shows_its_emoji_not_their_codes(fresh: Playground) -> None:
    call(fresh, "send", persona=w.MAX.id, conv=w.SALES.id, text="/quote daily 09:00 skip holidays US")
    # /quote daily asks Slack about the channel first: acked at once, answered through response_url.
    assert wait_for(lambda: [m for m in fresh.world.messages[w.SALES.id] if m.visible_to == w.MAX.id])
    (reply,) = [m for m in fresh.world.messages[w.SALES.id] if m.visible_to == w.MAX.id]
    (block,) = reply.blocks or []
    assert block["type"] == "section" and block["text"]["type"] == "mrkdwn"  # where Slack renders :codes:
    assert ":palm_tree:" in block["text"]["text"]
    shown = state(fresh, w.MAX.id, w.SALES.id)["messages"]
    assert "🌴 Skips public holidays in United States (US)" in shown
    assert not re.search(r":[a-z_]+:", re.sub(r"<[^>]+>", "", shown))


def test_reset_empties_the_database_but_keeps_the_curated_store_and_roles(fresh: Playground) -> None:
    call(fresh, "send", persona=w.MAX.id, conv=w.SALES.id, text="/coach @Riley first note")
    # A first note on Riley asks Slack who Riley is: acked first, answered after.
    assert wait_for(lambda: "Saved note" in state(fresh, w.MAX.id, w.SALES.id)["messages"])
    assert call(fresh, "reset") == {}
    assert fresh.world.messages[w.SALES.id] == []
    assert fresh.deps is not None
    with fresh.deps.sessions.begin() as session:
        assert (session.scalar(select(func.count()).select_from(Quote)) or 0) > 100
    call(fresh, "send", persona=w.MAX.id, conv=w.SALES.id, text="/coach notes")
    answer = wait_for(lambda: state(fresh, w.MAX.id, w.SALES.id)["messages"])
    assert "Only visible to you" in answer and "first note" not in answer


# -- the stand-in Web API ----------------------------------------------------------------------


def test_stand_in_answers_like_slack(fresh: Playground) -> None:
    api = f"{fresh.base_url}/api/"
    with pytest.raises(SlackApiError, match="invalid_auth"):
        WebClient(token="xoxb-wrong", base_url=api).auth_test()
    client = WebClient(token=fresh.token, base_url=api)
    assert client.auth_test()["team_id"] == w.TEAM_ID
    with pytest.raises(SlackApiError, match="not_in_channel"):
        client.chat_postMessage(channel=w.LEADERSHIP.id, text="hi")
    posted = client.chat_postMessage(channel=w.RILEY.id, text="to a user id lands in their DM")
    assert posted["channel"] == w.RILEY.dm
    with pytest.raises(SlackApiError, match="expired_trigger_id"):
        client.views_open(
            trigger_id="123.abc", view={"type": "modal", "title": {"type": "plain_text", "text": "x"}, "blocks": []}
        )
    with pytest.raises(SlackApiError, match="invalid_arguments"):  # Slack caps titles at 24 characters
        client.views_publish(
            user_id=w.ADA.id, view={"type": "modal", "title": {"type": "plain_text", "text": "y" * 25}, "blocks": []}
        )
    call(fresh, "send", persona=w.ADA.id, conv=w.SALES.id, text="mine")
    (mine,) = fresh.world.messages[w.SALES.id]
    client.conversations_join(channel=w.SALES.id)
    with pytest.raises(SlackApiError, match="cant_update_message"):
        client.chat_update(channel=w.SALES.id, ts=mine.ts, text="edited by the bot")
    with pytest.raises(SlackApiError, match="user_not_found"):
        client.users_info(user="UNOBODY")
    history = client.conversations_history(channel=w.SALES.id, include_all_metadata=True)
    assert [m["text"] for m in history["messages"]] == ["mine"]  # "joined" lines are not messages


def test_modal_state_has_slacks_shape() -> None:
    view = {
        "blocks": [
            {"type": "input", "block_id": "a", "element": {"type": "users_select", "action_id": "a"}},
            {
                "type": "input",
                "block_id": "b",
                "optional": True,
                "element": {
                    "type": "checkboxes",
                    "action_id": "b",
                    "options": [{"text": {"type": "plain_text", "text": "S"}, "value": "s"}],
                },
            },
            {
                "type": "input",
                "block_id": "c",
                "element": {"type": "plain_text_input", "action_id": "c", "max_length": 3},
            },
        ]
    }
    values = build_state(view, {"a": {"a": "URILEY"}, "b": {"b": ["s", "forged"]}, "c": {"c": "abcd"}})
    assert values["a"] == {"a": {"type": "users_select", "selected_user": "URILEY"}}
    assert values["b"]["b"]["selected_options"] == [{"text": {"type": "plain_text", "text": "S"}, "value": "s"}]
    assert client_errors(view, values) == {"c": "Please enter no more than 3 characters."}
    assert client_errors(view, build_state(view, {})) == {
        "a": "Please complete this required field.",
        "c": "Please complete this required field.",
    }


# -- the command line ------------------------------------------------------------------------


def test_only_loopback_unless_in_a_container() -> None:
    assert check_host("127.0.0.1") is None and check_host("localhost") is None
    for host in ("192.168.1.20", "::", "example.com"):
        with pytest.raises(ConfigError, match=r"127\.0\.0\.1 only"):
            check_host(host, container=lambda: True)
    with pytest.raises(ConfigError, match="only for the Docker image"):
        check_host("0.0.0.0", container=lambda: False)
    warning = check_host("0.0.0.0", container=lambda: True)
    assert warning is not None and warning.startswith("warning:")


def test_db_option_takes_a_file(tmp_path: Path) -> None:
    assert db_path(str(tmp_path / "p.db")) == tmp_path / "p.db"
    assert db_path(f"sqlite:///{tmp_path}/q.db") == tmp_path / "q.db"
    with pytest.raises(ConfigError, match="give a file path"):
        db_path("postgresql://postgres@127.0.0.1/coachbot")
    with pytest.raises(ConfigError, match="is a folder"):
        db_path(str(tmp_path))


def test_a_real_workspaces_database_is_refused(tmp_path: Path) -> None:
    real = tmp_path / "coachbot.db"
    with sqlite3.connect(real) as conn:
        conn.execute("CREATE TABLE schedules (id INTEGER PRIMARY KEY, team_id TEXT)")
        conn.execute("INSERT INTO schedules (team_id) VALUES ('T0REAL123')")
    with pytest.raises(ConfigError, match="holds data of Slack workspace T0REAL123"):
        check_database(real)
    garbage = tmp_path / "notes.txt"
    garbage.write_text("not a database, just text that is long enough " * 200)
    with pytest.raises(ConfigError, match="not a SQLite database"):
        check_database(garbage)


def _other_app(path: Path) -> Path:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
        conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        conn.execute("INSERT INTO invoices (total) VALUES (12.5)")
    return path


def _tables(path: Path) -> list[str]:
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return sorted(r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'"))


def test_another_applications_database_is_refused_and_left_alone(tmp_path: Path) -> None:
    other = _other_app(tmp_path / "shop.sqlite")
    with pytest.raises(ConfigError, match=r"another application's database \(tables: invoices, customers\)"):
        check_database(other)
    pg = Playground(other, port=free_port())
    with pytest.raises(ConfigError, match="not the playground's"):
        pg.start_app(scheduler=False)
    assert _tables(other) == ["customers", "invoices"]  # no coachbot tables were added


def test_a_coachbot_database_that_is_not_the_playgrounds_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "coachbot.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)  # migrated, no workspace's rows yet: a fresh `coachbot serve` database
    engine.dispose()
    with pytest.raises(ConfigError, match="is a coachbot database but not the playground's"):
        check_database(path)


def test_the_playgrounds_own_database_is_marked_and_reopens(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    first = Playground(path, port=free_port())
    first.start_app(scheduler=False)
    first.stop_app()
    with contextlib.closing(sqlite3.connect(path)) as conn:
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    check_database(path)
    # A database of an earlier playground (unmarked, only the playground workspace's rows) opens.
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA application_id = 0")
        conn.commit()
    check_database(path)
    mark_database(path)
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()  # an empty SQLite file: nothing to lose
    check_database(empty)


def test_a_second_playground_on_the_same_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "p.db"
    held = hold_database(path, 3000)
    try:
        with pytest.raises(ConfigError) as refused:
            hold_database(path, 3001)
        assert str(refused.value) == (
            f"{path} is in use by another playground (port 3000); two cannot share a database (a Reset in one "
            f"would delete the other's). Stop that one, or give this one its own: --db {tmp_path / 'playground-3001.db'}"
        )
    finally:
        held.close()
    hold_database(path, 3001).close()  # free again once the first has stopped


def test_an_earlier_now_than_the_saved_clock_is_named(tmp_path: Path) -> None:
    start = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    first = Playground(tmp_path / "p.db", port=free_port(), start=start)
    first.start_app(scheduler=False)
    first.travel(w.ADA, "monday")
    first.stop_app()
    again = Playground(tmp_path / "p.db", port=free_port(), start=start)
    again.start_app(scheduler=False)
    try:
        assert again.resumed_at is not None and again.resumed_at > start + timedelta(days=6)
        assert resumed_note(start, again.resumed_at) == (
            "note: this database's clock had reached Mon 07 Dec 2026 09:00 UTC and never goes back, so it resumes "
            "there, not at --now 2026-11-30T12:00Z. Reset (in the page) starts again at --now; or use a new --db file"
        )
    finally:
        again.stop_app()
    later = Playground(tmp_path / "p.db", port=free_port(), start=start + timedelta(days=30))
    later.start_app(scheduler=False)  # a --now past the saved clock is simply taken
    try:
        assert later.resumed_at is None and later.clock() >= start + timedelta(days=30)
    finally:
        later.stop_app()


def _run(
    *args: str, python: str = sys.executable, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    base = dict(os.environ) | (env or {})
    return subprocess.run(
        [python, "-m", "bot.cli", *args], capture_output=True, text=True, timeout=60, cwd=cwd, env=base
    )


def test_cli_refuses_a_public_address_with_one_clear_line(tmp_path: Path) -> None:
    result = _run("playground", "--host", "192.0.2.10", "--db", str(tmp_path / "p.db"), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "coachbot playground: --host 192.0.2.10 refused: the playground has no login and acts as anyone, so it "
        "listens on 127.0.0.1 only. Drop --host (or, in the Docker image only, use --host 0.0.0.0)"
    ]
    assert not (tmp_path / "p.db").exists()
    assert "--db FILE" in _run("playground", "--help", cwd=tmp_path).stdout


def test_cli_refuses_another_applications_file_with_one_line_and_writes_nothing(tmp_path: Path) -> None:
    other = _other_app(tmp_path / "shop.sqlite")
    before = other.read_bytes()
    result = _run("playground", "--db", str(other), "--port", str(free_port()), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"coachbot playground: {other} is another application's database (tables: invoices, customers), not the "
        "playground's; Reset would delete it. Choose another file, e.g. --db playground.db"
    ]
    assert other.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["shop.sqlite"]  # no lock or clock file beside it


def test_cli_names_an_ignored_now_and_refuses_a_second_playground_on_the_same_file(tmp_path: Path) -> None:
    """From outside, as a newcomer would: one line for each, and the first playground runs on."""
    db = tmp_path / "p.db"
    first_port, second_port = free_port(), free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COACHBOT_", "DATABASE_URL"))}
    args = [sys.executable, "-m", "bot.cli", "playground", "--db", str(db)]
    setup = subprocess.Popen(
        [*args, "--port", str(first_port)], cwd=tmp_path, env=env, stdout=subprocess.PIPE, text=True
    )
    assert setup.stdout is not None and "coachbot playground: http://" in setup.stdout.readline()
    setup.terminate()
    setup.wait(timeout=20)
    Path(f"{db}.clock").write_text("2026-12-08T09:24:00+00:00\n")  # where time travel had got to
    first = subprocess.Popen(
        [*args, "--port", str(first_port), "--now", "2026-11-30T08:00:00Z"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert first.stdout is not None and first.stderr is not None
        assert "coachbot playground: http://" in first.stdout.readline()
        second = _run("playground", "--db", str(db), "--port", str(second_port), cwd=tmp_path, env=env)
        assert second.returncode == 2
        assert second.stderr.strip().splitlines() == [
            f"coachbot playground: {db} is in use by another playground (port {first_port}); two cannot share a "
            "database (a Reset in one would delete the other's). Stop that one, or give this one its own: "
            f"--db {tmp_path / f'playground-{second_port}.db'}"
        ]
        assert requests.get(f"http://127.0.0.1:{first_port}/healthz", timeout=10).status_code == 200
    finally:
        first.terminate()
        first.wait(timeout=20)
    assert first.stderr.read().strip().splitlines()[0] == (
        "note: this database's clock had reached Tue 08 Dec 2026 09:24 UTC and never goes back, so it resumes "
        "there, not at --now 2026-11-30T08:00Z. Reset (in the page) starts again at --now; or use a new --db file"
    )


def test_fresh_wheel_runs_the_playground_with_a_working_quote(tmp_path: Path) -> None:
    """`pip install .` then `coachbot playground`: the page's files ship in the wheel, the one
    line with the URL is printed, /quote answers, and a .env with Slack settings is ignored."""
    if os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("packaging does not depend on the database; checked in the SQLite run")
    vpy, wheel = install_fresh_wheel(tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    for page_file in ("index.html", "app.js", "app.css"):
        assert f"bot/playground/static/{page_file}" in names
    home = tmp_path / "home"
    home.mkdir()
    (home / ".env").write_text("SLACK_BOT_TOKEN=xoxb-real-looking\nSLACK_SIGNING_SECRET=real\nDATABASE_URL=bogus://x\n")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "COACHBOT_", "DATABASE_URL"))}
    env |= {"XDG_DATA_HOME": str(tmp_path / "data"), "PYTHONPATH": ""}
    proc = subprocess.Popen(
        [str(vpy), "-m", "bot.cli", "playground", "--port", str(port)],
        cwd=home,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert re.fullmatch(rf"coachbot playground: http://127\.0\.0\.1:{port}/ +\(data: .+\)\n", line), line
        assert str(tmp_path / "data" / "coachbot" / "playground.db") in line
        pg_url = f"http://127.0.0.1:{port}"
        sent = wait_for(
            lambda: (
                requests.post(
                    f"{pg_url}/pg/send", json={"persona": w.RILEY.id, "conv": w.SALES.id, "text": "/quote"}, timeout=30
                ).ok
            )
        )
        assert sent
        shown = requests.get(
            f"{pg_url}/pg/state", params={"persona": w.RILEY.id, "conv": w.SALES.id}, timeout=30
        ).json()
        assert "pg-quote" in shown["messages"]
        assert "coachbot playground" in requests.get(pg_url + "/", timeout=10).text
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_a_port_in_use_is_named_with_the_fix(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = _run("playground", "--port", str(port), "--db", str(tmp_path / "p.db"), cwd=tmp_path)
    assert result.returncode == 2
    assert f"port {port} is already in use" in result.stderr and f"--port {port + 1}" in result.stderr


def test_unread_counts_follow_what_each_person_has_seen(fresh: Playground) -> None:
    call(fresh, "send", persona=w.RILEY.id, conv=w.SALES.id, text="hello team")
    assert state(fresh, w.ADA.id, w.LEADERSHIP.id)["unread"] == {w.SALES.id: 1, w.LEADERSHIP.id: 0, "dm": 0}
    assert state(fresh, w.RILEY.id, w.LEADERSHIP.id)["unread"][w.SALES.id] == 0  # her own message
    state(fresh, w.ADA.id, w.SALES.id)  # Ada looks at #sales
    assert state(fresh, w.ADA.id, w.LEADERSHIP.id)["unread"][w.SALES.id] == 0
    assert state(fresh, w.MAX.id, w.LEADERSHIP.id)["unread"][w.SALES.id] == 1  # Max has not


def test_a_flooded_conversation_keeps_the_newest_messages(fresh: Playground) -> None:
    for i in range(w.MAX_MESSAGES + 20):
        fresh.world.post(w.Message(w.SALES.id, fresh.world.next_ts(), w.RILEY.id, f"message {i}"))
    kept = fresh.world.messages[w.SALES.id]
    assert len(kept) == w.MAX_MESSAGES
    assert kept[0].text == "message 20" and kept[-1].text == f"message {w.MAX_MESSAGES + 19}"
    assert len(state(fresh, w.ADA.id, w.SALES.id)["messages"]) > 0


def test_a_restart_resumes_the_clock_where_time_travel_left_it(tmp_path: Path) -> None:
    start = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    first = Playground(tmp_path / "p.db", port=free_port(), start=start)
    first.start_app(scheduler=False)
    reached = first.travel(w.ADA, "monday")["at"]
    first.stop_app()
    again = Playground(tmp_path / "p.db", port=free_port(), start=start)
    again.start_app(scheduler=False)
    try:
        assert again.clock() >= datetime.fromisoformat(reached) > start + timedelta(days=6)
        again.reset()  # Reset goes back to the start instant, and forgets the saved one
        assert again.clock() < start + timedelta(minutes=5)
        assert not (tmp_path / "p.db.clock").exists()
    finally:
        again.stop_app()
