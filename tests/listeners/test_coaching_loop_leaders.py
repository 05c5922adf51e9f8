"""The rubric, the rep card, leaders and the digest over signed HTTP, with who may see what."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.blocks.coaching_loop import LEADER_VIEW_HELP
from bot.db.engine import Sessions
from bot.db.models import Schedule
from bot.scheduling.run import run_due
from tests.factories import buttons, make_manager, mention, view_of
from tests.fakes.slack_api import FakeSlack
from tests.harness import AppServer, SlackSender, TestClock, ephemeral_text
from tests.listeners.loop_helpers import dm_posts, everything_sent, make_leader, skill_id, view_blocks

SECRET = "PRIVATE-NOTE-TEXT bob cried on the call"


@pytest.fixture(autouse=True)
def managers(sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    make_manager(sessions, "U3")


# --- the rubric -------------------------------------------------------------------------------


def test_anyone_lists_the_default_rubric(slack: SlackSender) -> None:
    text = ephemeral_text(slack.command("/coach", "skills", user="U2"))  # a rep
    for name in (
        "prospecting",
        "discovery",
        "demo",
        "objection-handling",
        "negotiation",
        "closing",
        "pipeline",
        "product-knowledge",
    ):
        assert f"`{name}`" in text
    assert "Admins can add" in text


def test_admins_add_rename_and_remove_skills_and_history_stays(slack: SlackSender, sessions: Sessions) -> None:
    assert "Added `cold-calling`" in ephemeral_text(slack.command("/coach", "skills add Cold Calling", user="UADMIN"))
    renamed = ephemeral_text(slack.command("/coach", "skills rename demo product-demo", user="UADMIN"))
    assert "Renamed `demo` to `product-demo`" in renamed
    slack.command("/coach", f"{mention('U2')} pipeline 2 thin pipeline for Q1")
    pipeline = skill_id(sessions, "pipeline")
    removed = ephemeral_text(slack.command("/coach", "skills remove pipeline", user="UADMIN"))
    assert "Removed `pipeline`" in removed
    listing = ephemeral_text(slack.command("/coach", "skills"))
    assert "`pipeline`" not in listing and "`product-demo`" in listing and "`cold-calling`" in listing
    card = ephemeral_text(slack.command("/coach", f"rep {mention('U2')}"))
    assert "Pipeline" in card and "(removed)" in card  # the removed skill keeps its history
    assert skill_id(sessions, "pipeline") == pipeline


@pytest.mark.parametrize("change", ["skills add cold-calling", "skills remove demo", "skills rename demo x"])
def test_a_manager_cannot_change_the_rubric(slack: SlackSender, change: str) -> None:
    text = ephemeral_text(slack.command("/coach", change))
    assert "Only admins can change the skill rubric" in text and "Nothing was changed" in text
    assert "`demo`" in ephemeral_text(slack.command("/coach", "skills"))


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ("skills frob", "takes `add`"),
        ("skills add", "Name the skill"),
        ("skills add de\u00admo", "already a skill"),
        ("skills add d\u0435mo", "can't be a skill"),
        ("skills add " + "x" * 50, "at most 40"),
        ("skills rename demo", "old name and the new one"),
    ],
)
def test_bad_rubric_changes_are_explained(slack: SlackSender, change: str, problem: str) -> None:
    assert problem in ephemeral_text(slack.command("/coach", change, user="UADMIN"))


# --- the rep card -----------------------------------------------------------------------------


def test_rep_card_shows_trends_weakest_items_and_only_my_notes(slack: SlackSender, sessions: Sessions) -> None:
    for rating in (2, 3, 4):
        slack.command("/coach", f"{mention('U2')} discovery {rating} better questions")
    slack.command("/coach", f"{mention('U2')} closing 1 never asked for the deal")
    slack.command("/coach", f"todo {mention('U2')} practise the close by 2026-11-30")
    slack.command("/coach", f"{mention('U2')} {SECRET}", user="U3")  # another manager's note
    body = slack.command("/coach", f"rep {mention('U2')}").json()
    text = ephemeral_text_of(body)
    assert "▁" in text or "▂" in text  # a sparkline
    assert "Discovery* 3.0 (3 ratings)" in text and "Closing* 1.0 (1 rating)  ← weakest" in text
    assert "1 open" in text
    assert SECRET not in text and "4 notes" in text
    log = buttons(body["blocks"])["coach_log_note_rep"]
    assert json.loads(log["value"]) == {"rep": "U2", "skill": skill_id(sessions, "closing")}


def ephemeral_text_of(body: dict[str, object]) -> str:
    return str(body.get("text")) + json.dumps(body.get("blocks"), ensure_ascii=False)


def test_log_a_note_on_the_card_opens_the_form_pre_filled(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    slack.command("/coach", f"{mention('U2')} closing 1 never asked for the deal")
    closing = skill_id(sessions, "closing")
    slack.block_action("coach_log_note_rep", json.dumps({"rep": "U2", "skill": closing}))
    blocks = view_blocks(view_of(fake_slack.wait_for("views.open")[0]))
    assert blocks["rep"]["element"]["initial_user"] == "U2"
    assert blocks["skill"]["element"]["initial_option"]["value"] == str(closing)


def test_a_rep_cannot_see_a_card(slack: SlackSender) -> None:
    slack.command("/coach", f"{mention('U3')} {SECRET}")
    text = ephemeral_text(slack.command("/coach", f"rep {mention('U3')}", user="U2"))
    assert SECRET not in text and "manager" in text


@pytest.mark.parametrize(
    ("args", "problem"), [("", "Name one rep"), ("bob", "not a mention"), ("<@U2> <@U3>", "Name one rep")]
)
def test_bad_rep_arguments_are_explained(slack: SlackSender, args: str, problem: str) -> None:
    text = ephemeral_text(slack.command("/coach", f"rep {args}".strip()))
    assert problem in text and "/coach rep @bob" in text


# --- leaders ----------------------------------------------------------------------------------


def test_admins_name_and_remove_leaders(slack: SlackSender, sessions: Sessions) -> None:
    added = ephemeral_text(slack.command("/coach", f"leaders add {mention('U3')}", user="UADMIN"))
    assert "Added as leaders: <@U3>" in added
    assert "<@U3>" in ephemeral_text(slack.command("/coach", "leaders", user="UADMIN"))
    slack.command("/coach", "digest weekly mon 08:00 Europe/Berlin", user="U3")
    removed = ephemeral_text(slack.command("/coach", f"leaders remove {mention('U3')}", user="UADMIN"))
    assert "Removed as leaders: <@U3>" in removed
    with sessions.begin() as session:
        from sqlalchemy import select

        schedule = session.scalars(select(Schedule).where(Schedule.kind == "digest")).one()
        assert schedule.active is False  # a removed leader's digest stops


def test_a_manager_cannot_name_leaders(slack: SlackSender, sessions: Sessions) -> None:
    text = ephemeral_text(slack.command("/coach", f"leaders add {mention('U1')}"))
    assert "Only admins" in text
    assert "not one" in ephemeral_text(slack.command("/coach", "digest now"))


# --- the digest -------------------------------------------------------------------------------


def test_help_tells_managers_exactly_what_leaders_see(slack: SlackSender) -> None:
    assert LEADER_VIEW_HELP in ephemeral_text(slack.command("/coach", "help"))


def test_digest_now_dms_counts_and_never_a_note(slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack) -> None:
    make_leader(sessions, "U2")
    for rating in (2, 3, 4):
        slack.command("/coach", f"{mention('U3', 'cy')} discovery {rating} {SECRET} {rating}")
    slack.command("/coach", f"todo {mention('U3')} {SECRET} homework")
    reply = ephemeral_text(slack.command("/coach", "digest now", user="U2"))
    assert "Sending you the coaching digest" in reply
    assert len(dm_posts(fake_slack, "U2", count=1)) == 1
    sent = everything_sent(fake_slack, "U2")
    assert "<@U1>: 3 notes in 7 days, 3 in 30" in sent and "Discovery: 3.0" in sent
    assert "PRIVATE" not in sent and "cried" not in sent and "homework" not in sent
    assert "3/5" not in sent  # no single rating


def test_weekly_digest_is_scheduled_and_sent_once_on_monday(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack, app_server: AppServer, clock: TestClock
) -> None:
    slack.command("/coach", f"{mention('U2')} discovery 2 {SECRET}")
    saved = ephemeral_text(slack.command("/coach", "digest weekly mon 08:00 Europe/Berlin", user="UADMIN"))
    assert "You'll get the coaching digest by DM Mon at 08:00 Europe/Berlin" in saved
    deps = app_server.deps
    assert deps is not None
    at = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)  # Monday 08:00 in Berlin
    clock.now = at
    run_due(deps, at)
    run_due(deps, at + timedelta(minutes=5))
    (dm,) = dm_posts(fake_slack, "UADMIN")
    assert dm.params["text"].startswith("Coaching digest")
    assert "PRIVATE" not in everything_sent(fake_slack, "UADMIN")


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        ("weekly 08:00", "one day of the week"),
        ("weekly mon", "time"),
        ("monthly", "takes `now`"),
        ("now please", "nothing after"),
    ],
)
def test_bad_digest_commands_are_explained(slack: SlackSender, sessions: Sessions, args: str, problem: str) -> None:
    text = ephemeral_text(slack.command("/coach", f"digest {args}", user="UADMIN"))
    assert problem in text
    with sessions.begin() as session:
        from sqlalchemy import func, select

        assert session.scalar(select(func.count(Schedule.id))) == 0
