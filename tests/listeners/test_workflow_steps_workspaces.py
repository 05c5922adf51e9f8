"""Workflow Builder steps in two workspaces of one org (same user ids), installed through
OAuth: each execution acts in its own workspace only, with that workspace's tokens."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.engine import Sessions
from bot.db.models import Note
from tests.factories import make_manager
from tests.fakes.slack_api import FakeSlack
from tests.harness import SlackSender
from tests.listeners.test_workflow_steps import NOTE

# The two-workspace app and fake (OAuth installs of T1 and T2 in org E1), used as fixtures.
from tests.test_workspace_isolation import app_server, fake_slack  # noqa: F401

SUMMARY = {"manager": "U1", "rep": "U2"}


def test_a_manager_in_one_workspace_is_not_one_in_the_other(
    slack: SlackSender,
    fake_slack: FakeSlack,  # noqa: F811 - the fixture imported above
    sessions: Sessions,
) -> None:
    make_manager(sessions, "U1", team_id="T1")
    refused = fake_slack.start_function("log_coaching_note", NOTE, team_id="T2")
    slack.function_executed(refused)
    fake_slack.wait_completed(refused.id)
    done = fake_slack.execution(refused.id)
    assert done.status == "failed" and done.error is not None and "manager" in done.error
    with sessions.begin() as session:
        assert session.scalars(select(Note)).all() == []


def test_each_workspace_sees_its_own_notes_through_its_own_tokens(
    slack: SlackSender,
    fake_slack: FakeSlack,  # noqa: F811 - the fixture imported above
    sessions: Sessions,
) -> None:
    make_manager(sessions, "U1", team_id="T1")
    make_manager(sessions, "U1", team_id="T2")
    logged = fake_slack.start_function("log_coaching_note", NOTE, team_id="T2")
    slack.function_executed(logged)
    fake_slack.wait_completed(logged.id)
    assert fake_slack.execution(logged.id).status == "completed"
    with sessions.begin() as session:
        assert [n.team_id for n in session.scalars(select(Note))] == ["T2"]
    (completion,) = fake_slack.completions(logged.id)
    assert completion.token == logged.token and completion.team_id == "T2"
    # The step's own lookups used T2's bot token.
    assert {c.team_id for c in fake_slack.calls_to("users.info")} == {"T2"}

    summaries = {}
    for team in ("T1", "T2"):
        execution = fake_slack.start_function("get_rep_coaching_summary", SUMMARY, team_id=team)
        slack.function_executed(execution)
        fake_slack.wait_completed(execution.id)
        done = fake_slack.execution(execution.id)
        assert done.status == "completed", done.error
        summaries[team] = done.outputs
    assert summaries["T1"] == {"notes_30d": 0, "open_action_items": 0, "overdue_action_items": 0}
    assert summaries["T2"] is not None and summaries["T2"]["notes_30d"] == 1
