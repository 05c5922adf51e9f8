"""Coaching across two workspaces with the SAME user ids (OAuth mode): a card, an action-item
list, a digest or an Edit button in one never shows the other's notes, ratings or items."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from bot.db.engine import Sessions
from bot.scheduling.run import run_due
from tests.factories import make_manager, mention
from tests.fakes.slack_api import FakeSlack
from tests.harness import AppServer, SlackSender, TestClock, ephemeral_text
from tests.listeners.coaching_helpers import dm_posts, items, make_leader
from tests.test_workspace_isolation import app_server, fake_slack  # noqa: F401 - the two-workspace fixtures

# (ruff reads the fixture parameters below as redefinitions of these imports, hence the F811 noqas.)

SECRET = "T1-ONLY bob lost the Acme deal"


def seed_t1(slack: SlackSender, sessions: Sessions) -> SlackSender:
    """T1's notes and action item by U1, who manages in both workspaces; returns T1's sender."""
    make_manager(sessions, "U1", team_id="T1")
    make_manager(sessions, "U1", team_id="T2")
    t1 = slack.as_team("T1", "E1")
    for rating in (2, 3, 4):
        assert "Saved" in ephemeral_text(t1.command("/coach", f"{mention('U2')} discovery {rating} {SECRET}"))
    assert "Action item" in ephemeral_text(t1.command("/coach", f"todo {mention('U2')} {SECRET} homework"))
    return t1


def test_card_todos_and_edit_stay_in_their_workspace(
    slack: SlackSender,
    sessions: Sessions,
    fake_slack: FakeSlack,  # noqa: F811
) -> None:
    seed_t1(slack, sessions)
    t2 = slack.as_team("T2", "E1")
    card = ephemeral_text(t2.command("/coach", f"rep {mention('U2')}"))
    assert SECRET not in card and "no notes yet" in card and "No ratings yet" in card
    todos = ephemeral_text(t2.command("/coach", "todos", user="U2"))
    assert "homework" not in todos and "nothing open" in todos
    (item,) = items(sessions, team_id="T1")
    t2.block_action("coach_todo_done", str(item.id), user="U2")
    answer = fake_slack.wait_for("response_url")[-1].params
    assert isinstance(answer, dict) and "removed" in answer["text"]
    assert items(sessions, team_id="T1")[0].status == "open"
    from sqlalchemy import select

    from bot.db.models import Note

    with sessions.begin() as session:
        note_id = session.scalars(select(Note.id)).first()
    values = {"note": {"note": {"type": "plain_text_input", "value": "overwritten from T2"}}}
    resp = t2.view_submission("coach_note_edit_modal", values, private_metadata=str(note_id))
    assert resp.json()["response_action"] == "errors"


def test_a_leader_in_one_workspace_sees_nothing_of_the_other(
    slack: SlackSender,
    sessions: Sessions,
    fake_slack: FakeSlack,  # noqa: F811
    app_server: AppServer,  # noqa: F811
    clock: TestClock,
) -> None:
    t1 = seed_t1(slack, sessions)
    make_leader(sessions, "U2", team_id="T2")
    t2 = slack.as_team("T2", "E1")
    t2.command("/coach", "digest now", user="U2")
    fake_slack.wait_for("chat.postMessage", team_id="T2")
    sent = json.dumps([c.params for c in fake_slack.posts() if c.team_id == "T2"])
    assert "0 notes in the last 30 days" in sent and "<@U1>: no notes in 30 days" in sent
    assert "T1-ONLY" not in sent and "Discovery: 3.0" not in sent
    # A T1 leader's weekly digest counts T1 only, and still no text.
    make_leader(sessions, "U3", team_id="T1")
    fake_slack.add_user("U3", team_id="T1", name="cy", tz="Europe/Berlin")
    t1.command("/coach", "digest weekly mon 08:00 Europe/Berlin", user="U3")
    deps = app_server.deps
    assert deps is not None
    at = datetime(2026, 12, 7, 7, 0, tzinfo=UTC)
    clock.now = at
    run_due(deps, at)
    t1_digest = json.dumps([c.params for c in dm_posts(fake_slack, "U3") if c.team_id == "T1"])
    assert "<@U1>: 3 notes in 7 days" in t1_digest and "T1-ONLY" not in t1_digest
    assert "Discovery: 3.0" in t1_digest  # Monday: last week's three ratings make T1's figure
