"""Each confidence level as people see it: in `/quote`, in the daily post, on App Home, and
the "Why?" button under a contested quote. Signed HTTP to the real app, the fake Slack Web
API, run-due at injected instants, SQLite and PostgreSQL."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, delete, select, update

from bot.db.engine import Sessions, make_sessions
from bot.db.models import Quote
from bot.deps import Deps
from bot.gateway.posting import METADATA_EVENT
from bot.scheduling.run import run_due
from bot.services import schedules
from bot.services.schedules import EVERYDAY, ScheduleSpec
from bot.services.text import norm_key, stable_int
from tests.cli.test_cli import coachbot
from tests.fakes.slack_api import FakeSlack
from tests.harness import BOT_TOKEN, SIGNING_SECRET, AppServer, SlackSender

WHY = "quote_why_contested"
MONDAY_0900_BERLIN = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
# Posts are newer than their due time, as in Slack (reconciliation reads from there).
FAKE_TS_BASE = int(datetime(2028, 1, 1, tzinfo=UTC).timestamp())

LEVELS: dict[str, dict[str, Any]] = {
    "sourced": {
        "text": "Remember that a man's name is to him the sweetest and most important sound in any language.",
        "author": "Dale Carnegie",
        "source": "How to Win Friends and Influence People (1936)",
        "tags": ["selling", "communication"],
    },
    "attributed": {
        "text": "You will get all you want in life if you help enough other people get what they want.",
        "author": "Zig Ziglar",
        "tags": ["selling"],
    },
    "contested": {
        "text": "Culture eats strategy for breakfast.",
        "author": "Peter Drucker",
        "tags": ["culture", "strategy"],
        "attribution_note": "No Drucker source is known; the line was first recorded in 2000 at Ford.",
    },
}
BYLINE = {
    "sourced": "— Dale Carnegie, How to Win Friends and Influence People (1936)",
    "attributed": "— attributed to Zig Ziglar",
    "contested": "— Peter Drucker",
}


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack(ts_base=FAKE_TS_BASE)
    fake.start()
    fake.add_user("U1", name="ada", real_name="Ada Lovelace", tz="Europe/Berlin")
    fake.add_user("U2", name="bob", real_name="Bob Rep", tz="America/New_York")
    fake.add_channel("C1", name="general")
    yield fake
    fake.stop()


@pytest.fixture
def levels(sessions: Sessions) -> Iterator[dict[str, int]]:
    """One curated quote per level, none of them in rotation yet; the shipped store is taken
    out of rotation for the test and put back afterwards."""
    with sessions.begin() as s:
        shipped = list(s.scalars(select(Quote.id).where(Quote.team_id.is_(None), Quote.active.is_(True))))
        s.execute(update(Quote).where(Quote.team_id.is_(None)).values(active=False))
        ids = {}
        for level, fields in LEVELS.items():
            key = f"h2-render-{level}"
            row = Quote(
                curated_key=key,
                team_id=None,
                confidence=level,
                contested=level == "contested",
                norm_key=norm_key(fields["text"]),
                shuffle_key=stable_int(key),
                active=False,
                **fields,
            )
            s.add(row)
            s.flush()
            ids[level] = row.id
    yield ids
    with sessions.begin() as s:
        s.execute(delete(Quote).where(Quote.curated_key.like("h2-render-%")))
        s.execute(update(Quote).where(Quote.id.in_(shipped)).values(active=True))


def only(sessions: Sessions, app_server: AppServer, quote_id: int) -> None:
    """Make ``quote_id`` the only curated quote in rotation."""
    with sessions.begin() as s:
        s.execute(update(Quote).where(Quote.team_id.is_(None)).values(active=False))
        s.execute(update(Quote).where(Quote.id == quote_id).values(active=True))
    assert app_server.deps is not None
    app_server.deps.quote_pool.invalidate()


def rich_text(blocks: list[dict[str, Any]]) -> tuple[str, str]:
    """(quote text, byline) as Slack shows them."""
    (block,) = [b for b in blocks if b["type"] == "rich_text"]
    quote, byline = block["elements"]
    return "".join(e["text"] for e in quote["elements"]), "".join(e["text"] for e in byline["elements"])


def why_button(blocks: list[dict[str, Any]]) -> dict[str, Any] | None:
    buttons = [b["accessory"] for b in blocks if (b.get("accessory") or {}).get("action_id") == WHY]
    return buttons[0] if buttons else None


def daily_posts(fake: FakeSlack, channel: str = "C1") -> list[dict[str, Any]]:
    return [m for m in fake.history(channel) if (m.get("metadata") or {}).get("event_type") == METADATA_EVENT]


def schedule_daily(sessions: Sessions, channel: str = "C1") -> None:
    with sessions.begin() as s:
        schedules.set_schedule(
            s,
            team_id="T1",
            enterprise_id=None,
            kind="quote_channel",
            target_id=channel,
            created_by="U1",
            spec=ScheduleSpec(9, 0, "Europe/Berlin", EVERYDAY),
        )


def bound(slack: SlackSender, fake: FakeSlack) -> tuple[SlackSender, str]:
    """A sender whose requests all carry one response_url, to read the answer posted there."""
    url = fake.response_url()
    return SlackSender(slack.base_url, team_id=slack.team_id, response_url=lambda: url), url


def deps_of(app_server: AppServer) -> Deps:
    assert app_server.deps is not None
    return app_server.deps


# -- /quote ----------------------------------------------------------------------------------


@pytest.mark.parametrize("level", ["sourced", "attributed", "contested"])
def test_quote_command_shows_each_level(
    level: str, levels: dict[str, int], slack: SlackSender, sessions: Sessions, app_server: AppServer
) -> None:
    only(sessions, app_server, levels[level])
    response = slack.command("/quote")
    assert response.status_code == 200
    body = response.json()
    assert body["response_type"] == "ephemeral"
    assert rich_text(body["blocks"]) == (LEVELS[level]["text"], BYLINE[level])
    button = why_button(body["blocks"])
    if level == "contested":
        assert button is not None and button["value"] == str(levels[level])
        assert "⚠ attribution contested" in json.dumps(body["blocks"], ensure_ascii=False)
        assert LEVELS[level]["attribution_note"] not in json.dumps(body["blocks"])
    else:
        assert button is None and "contested" not in json.dumps(body["blocks"])


# -- the daily post --------------------------------------------------------------------------


@pytest.mark.parametrize("level", ["sourced", "attributed", "contested"])
def test_daily_post_shows_each_level_and_invites_people_in(
    level: str, levels: dict[str, int], sessions: Sessions, app_server: AppServer, fake_slack: FakeSlack
) -> None:
    only(sessions, app_server, levels[level])
    schedule_daily(sessions)
    assert run_due(deps_of(app_server), MONDAY_0900_BERLIN).sent == 1
    (post,) = daily_posts(fake_slack)
    assert rich_text(post["blocks"]) == (LEVELS[level]["text"], BYLINE[level])
    assert (why_button(post["blocks"]) is not None) == (level == "contested")
    invite = post["blocks"][-1]
    assert invite["type"] == "context"
    assert "React to vote for the team's favourites" in invite["elements"][0]["text"]
    assert "`/quote add` to share one" in invite["elements"][0]["text"]
    tags = [e for b in post["blocks"] if b["type"] == "context" for e in b["elements"] if e["type"] == "plain_text"]
    assert tags[0]["text"] == "  ".join(f"#{t}" for t in LEVELS[level]["tags"])


# -- App Home --------------------------------------------------------------------------------


@pytest.mark.parametrize("level", ["sourced", "contested"])
def test_app_home_shows_the_quote_at_its_level(
    level: str,
    levels: dict[str, int],
    sessions: Sessions,
    app_server: AppServer,
    fake_slack: FakeSlack,
    slack: SlackSender,
) -> None:
    only(sessions, app_server, levels[level])
    assert slack.event({"type": "app_home_opened", "user": "U2", "channel": "DU2", "tab": "home"}).status_code == 200
    (call,) = fake_slack.wait_for("views.publish")
    blocks = call.json("view")["blocks"]
    assert rich_text(blocks) == (LEVELS[level]["text"], BYLINE[level])
    assert (why_button(blocks) is not None) == (level == "contested")


# -- the "Why?" button -----------------------------------------------------------------------


def test_why_in_a_channel_post_answers_any_member_privately(
    levels: dict[str, int], sessions: Sessions, app_server: AppServer, fake_slack: FakeSlack, slack: SlackSender
) -> None:
    only(sessions, app_server, levels["contested"])
    schedule_daily(sessions)
    run_due(deps_of(app_server), MONDAY_0900_BERLIN)
    (post,) = daily_posts(fake_slack)
    button = why_button(post["blocks"])
    assert button is not None
    sender, url = bound(slack, fake_slack)
    assert sender.block_action(WHY, button["value"], user="U2", message_ts=post["ts"]).status_code == 200
    (answer,) = fake_slack.responses(url)
    assert answer["response_type"] == "ephemeral" and answer["replace_original"] is False
    assert LEVELS["contested"]["attribution_note"] in answer["text"]
    assert rich_text(answer["blocks"]) == (LEVELS["contested"]["text"], BYLINE["contested"])
    # The post itself is untouched for everyone else.
    assert not fake_slack.calls_to("chat.update")


def test_why_under_an_ephemeral_quote_answers_privately(
    levels: dict[str, int], sessions: Sessions, app_server: AppServer, fake_slack: FakeSlack, slack: SlackSender
) -> None:
    only(sessions, app_server, levels["contested"])
    button = why_button(slack.command("/quote", user="U1").json()["blocks"])
    assert button is not None
    sender, url = bound(slack, fake_slack)
    assert sender.block_action(WHY, button["value"], user="U1", channel="C1").status_code == 200
    (answer,) = fake_slack.responses(url)
    assert answer["response_type"] == "ephemeral"
    assert answer["text"] == f"Why the attribution is contested: {LEVELS['contested']['attribution_note']}"


def test_why_on_app_home_opens_a_modal(
    levels: dict[str, int], sessions: Sessions, app_server: AppServer, fake_slack: FakeSlack, slack: SlackSender
) -> None:
    # App Home actions carry a view and a trigger_id but no response_url.
    payload = {
        "type": "block_actions",
        "user": {"id": "U2", "username": "bob", "team_id": "T1"},
        "trigger_id": f"trig.{uuid.uuid4().hex[:12]}",
        "container": {"type": "view", "view_id": "VHOME"},
        "view": {"id": "VHOME", "type": "home", "blocks": []},
        "actions": [{"action_id": WHY, "block_id": "b", "value": str(levels["contested"]), "type": "button"}],
    }
    assert slack.interactive(payload).status_code == 200
    (call,) = fake_slack.wait_for("views.open")  # opened after the ack
    view = call.json("view")
    assert view["type"] == "modal" and view["title"]["text"] == "Why contested?"
    assert LEVELS["contested"]["attribution_note"] in json.dumps(view["blocks"])


def test_why_still_answers_for_a_quote_retired_since_it_was_posted(
    levels: dict[str, int], fake_slack: FakeSlack, slack: SlackSender
) -> None:
    # `levels` leaves every fixture quote out of rotation (active = false), as a retired entry is.
    sender, url = bound(slack, fake_slack)
    sender.block_action(WHY, str(levels["contested"]))
    (answer,) = fake_slack.responses(url)
    assert answer["text"] == f"Why the attribution is contested: {LEVELS['contested']['attribution_note']}"


@pytest.mark.parametrize(
    "value", ["999999", "2147483648", str(2**63), "-1", "0", "abc", "", "12 ", "١٢", "1e3", "<!channel>"]
)
def test_why_for_no_such_quote_says_so(value: str, fake_slack: FakeSlack, slack: SlackSender) -> None:
    sender, url = bound(slack, fake_slack)
    assert sender.block_action(WHY, value).status_code == 200
    (answer,) = fake_slack.responses(url)
    assert "no such quote" in answer["text"]
    assert "<!channel>" not in json.dumps(answer)


def test_why_reads_team_quotes_of_this_workspace_only(
    sessions: Sessions, fake_slack: FakeSlack, slack: SlackSender
) -> None:
    ids = {}
    with sessions.begin() as s:
        for team in ("T1", "T2"):
            row = Quote(
                team_id=team,
                text=f"A quote that only {team} approved, thank you.",
                author="Someone Else",
                tags=[],
                norm_key=norm_key(f"A quote that only {team} approved."),
                shuffle_key=1,
            )
            s.add(row)
            s.flush()
            ids[team] = row.id
    answers = {}
    for team, quote_id in ids.items():
        sender, url = bound(slack, fake_slack)
        sender.block_action(WHY, str(quote_id))
        (answers[team],) = fake_slack.responses(url)
    assert "no such quote" in answers["T2"]["text"] and "only T2" not in json.dumps(answers["T2"])
    assert (
        answers["T1"]["text"]
        == "About this attribution: This attribution is not contested: it is a popular attribution."
    )
    assert rich_text(answers["T1"]["blocks"])[0] == "A quote that only T1 approved, thank you."


# -- user text as plain text, end to end -----------------------------------------------------

HOSTILE_TEXT = "Ping <!channel> *now*: see https://evil.example & _win_"
HOSTILE_AUTHOR = "*Fake* <@U1>"


def test_a_team_quote_is_shown_as_typed_in_quote_and_the_daily_post(
    levels: dict[str, int], sessions: Sessions, app_server: AppServer, fake_slack: FakeSlack, slack: SlackSender
) -> None:
    with sessions.begin() as s:
        s.execute(update(Quote).where(Quote.team_id.is_(None)).values(active=False))
        s.add(
            Quote(
                team_id="T1",
                text=HOSTILE_TEXT,
                author=HOSTILE_AUTHOR,
                source="<https://x.example|Book>",
                tags=["selling"],
                submitted_by="U2",
                norm_key=norm_key(HOSTILE_TEXT),
                shuffle_key=5,
            )
        )
    deps_of(app_server).quote_pool.invalidate()
    schedule_daily(sessions)
    run_due(deps_of(app_server), MONDAY_0900_BERLIN)
    (post,) = daily_posts(fake_slack)
    answer = slack.command("/quote").json()
    for blocks, fallback in ((answer["blocks"], answer["text"]), (post["blocks"], post["text"])):
        expected = f"— attributed to {HOSTILE_AUTHOR}, <https://x.example|Book>"
        assert rich_text(blocks) == (HOSTILE_TEXT, expected)
        mrkdwn = [
            o["text"]
            for b in blocks
            for o in [b.get("text") or {}, *b.get("elements", [])]
            if isinstance(o, dict) and o.get("type") == "mrkdwn"
        ]
        assert not any(p in m for m in mrkdwn for p in ("<!channel>", "*Fake*", "https://evil", "<@U1>"))
        assert "Submitted by <@U2>" in mrkdwn
        assert "<!channel>" not in fallback and "&lt;!channel&gt;" in fallback


# -- the operator's path: `coachbot quotes load` then `coachbot run-due --at` ---------------------


def test_run_due_cli_posts_each_level_from_a_loaded_store(tmp_path: Path, fake_slack: FakeSlack) -> None:
    store = tmp_path / "store"
    store.mkdir()
    entries = []
    for level, fields in LEVELS.items():
        entries.append({"id": f"cli-{level}", **{k: fields[k] for k in ("text", "author")}, "confidence": level})
        for key in ("source", "tags", "attribution_note"):
            if key in fields:
                entries[-1][key] = fields[key]
    (store / "q.yaml").write_text(json.dumps({"quotes": entries}))  # JSON is YAML
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    env = {
        "DATABASE_URL": url,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake_slack.api_url,
        "COACHBOT_QUOTES_PATH": str(store),
    }
    loaded = coachbot("quotes", "load", env=env, cwd=tmp_path)
    assert loaded.returncode == 0 and "3 added" in loaded.stdout, loaded.stdout + loaded.stderr
    engine = create_engine(url)
    schedule_daily(make_sessions(engine))
    engine.dispose()
    for day in range(3):
        at = (MONDAY_0900_BERLIN + timedelta(days=day)).isoformat().replace("+00:00", "Z")
        ran = coachbot("run-due", "--at", at, env=env, cwd=tmp_path)
        assert ran.returncode == 0, ran.stdout + ran.stderr
    shown = sorted(rich_text(p["blocks"]) for p in daily_posts(fake_slack))
    assert shown == sorted((fields["text"], BYLINE[level]) for level, fields in LEVELS.items())
