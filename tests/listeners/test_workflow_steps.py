"""Workflow Builder steps over signed HTTP: each step's success, each refusal, Slack's retries.

A step is run the way Slack runs it: ``FakeSlack.start_function`` opens an execution (its id
and execution token), ``SlackSender.function_executed`` delivers the signed event, and the
fake records the ``functions.completeSuccess``/``completeError`` that finished it. The outputs
a step must give are read from manifest.yml, so the fake refuses a completion that breaks it.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import yaml
from sqlalchemy import func, select

from bot.db.engine import Sessions
from bot.db.models import ActionItem, FunctionRun, Note, Rotation
from bot.logs import RedactingFilter
from tests.factories import make_manager, seed_note
from tests.fakes.api_functions import FunctionExecution
from tests.fakes.slack_api import DEFAULT_TOKEN, FakeSlack
from tests.harness import SlackSender, until
from tests.listeners.coaching_helpers import dm_posts
from tests.test_manifest_scopes import MANIFEST

FUNCTIONS = yaml.safe_load(MANIFEST.read_text())["functions"]
NOTE = {"manager": "U1", "rep": "U2", "text": "Great discovery call with Acme"}


@pytest.fixture(autouse=True)
def manager(sessions: Sessions) -> None:
    make_manager(sessions, "U1")


def run(
    slack: SlackSender, fake: FakeSlack, callback_id: str, inputs: dict[str, Any], **kwargs: Any
) -> FunctionExecution:
    """Run one step as a workflow would; the execution as it ended."""
    required = tuple(FUNCTIONS[callback_id]["output_parameters"].get("required", ()))
    execution = fake.start_function(callback_id, inputs, required_outputs=required, **kwargs)
    assert slack.function_executed(execution).status_code == 200
    fake.wait_completed(execution.id)  # the step runs after the ack
    return fake.execution(execution.id)


def count(sessions: Sessions, model: Any) -> int:
    with sessions.begin() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


# -- Log coaching note ---------------------------------------------------------------------------


def test_a_logged_note_is_a_coach_note_and_the_step_completes_with_its_id(
    slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    done = run(slack, fake_slack, "log_coaching_note", {**NOTE, "skill": "Discovery", "rating": 4})
    assert done.status == "completed", done.error
    with sessions.begin() as session:
        note = session.scalars(select(Note)).one()
        assert (note.team_id, note.author_id, note.rep_id, note.text, note.rating) == (
            "T1",
            "U1",
            "U2",
            "Great discovery call with Acme",
            4,
        )
        assert note.skill_id is not None and not note.shared_with_rep
    assert done.outputs == {"note_id": note.id}
    # Completed with the execution token Slack sent, not the bot token.
    (completion,) = fake_slack.completions(done.id)
    assert completion.token == done.token != DEFAULT_TOKEN
    # Private as ever: nothing of the note went anywhere (no post, no DM).
    assert fake_slack.calls_to("chat.postMessage") == []


@pytest.mark.parametrize(
    ("inputs", "problem"),
    [
        ({**NOTE, "manager": "U3"}, "manager"),
        ({**NOTE, "rep": "U404"}, "U404"),
        ({**NOTE, "text": "x" * 3001}, "the limit is 3,000"),
        ({**NOTE, "text": "   "}, "`text` input is empty"),
        ({**NOTE, "skill": "juggling", "rating": 3}, "juggling"),
        ({**NOTE, "rating": 9, "skill": "discovery"}, "A rating goes from 1 to 5"),
        ({**NOTE, "rating": "three", "skill": "discovery"}, "whole number"),
        ({"manager": "U1", "text": "no rep"}, "`rep` input is empty"),
    ],
)
def test_a_note_that_cannot_be_saved_fails_saying_what_to_fix_and_saves_nothing(
    slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions, inputs: dict[str, Any], problem: str
) -> None:
    done = run(slack, fake_slack, "log_coaching_note", inputs)
    assert done.status == "failed" and done.error is not None
    assert done.error.startswith("Log coaching note: ") and problem in done.error, done.error
    assert "Traceback" not in done.error
    assert count(sessions, Note) == 0


def test_a_retry_of_the_same_execution_answers_the_same_and_saves_nothing_new(
    slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    # The first completion never reaches Slack: Slack retries the event (same event id).
    fake_slack.fail("functions.completeSuccess", error="fatal_error", times=1)
    execution = fake_slack.start_function("log_coaching_note", NOTE, required_outputs=("note_id",))
    assert slack.function_executed(execution, event_id="EvRETRY1").status_code == 200
    fake_slack.wait_completed(execution.id)
    assert fake_slack.execution(execution.id).status == "running"
    assert slack.function_executed(execution, event_id="EvRETRY1", retry_num=1).status_code == 200
    fake_slack.wait_completed(execution.id, count=2)
    done = fake_slack.execution(execution.id)
    with sessions.begin() as session:
        (note_id,) = session.scalars(select(Note.id)).all()  # one note, not two
    assert (done.status, done.outputs) == ("completed", {"note_id": note_id})
    first, second = fake_slack.completions(execution.id)
    assert first.json("outputs") == second.json("outputs") == {"note_id": note_id}
    # Once more after it completed: Slack says it is over; still one note, nothing else sent.
    assert slack.function_executed(execution, event_id="EvRETRY1", retry_num=2).status_code == 200
    fake_slack.wait_completed(execution.id, count=3)
    assert fake_slack.completions(execution.id)[-1].response["error"] == "execution_not_in_running_state"
    assert count(sessions, Note) == 1


def test_a_retry_while_the_first_delivery_is_at_work_only_acknowledges(
    slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    held = fake_slack.hold("users.info")  # the first delivery waits on Slack mid-step
    execution = fake_slack.start_function("log_coaching_note", NOTE)
    with ThreadPoolExecutor(max_workers=1) as pool:
        first = pool.submit(slack.function_executed, execution, event_id="EvSLOW")
        held.wait_held()
        # Slack gave up waiting for the ack and retries: the step is claimed, so nothing is redone.
        assert slack.function_executed(execution, event_id="EvSLOW", retry_num=1).status_code == 200
        assert fake_slack.completions(execution.id) == [] and count(sessions, Note) == 0
        held.release()
        assert first.result().status_code == 200
    fake_slack.wait_completed(execution.id)
    done = fake_slack.execution(execution.id)
    assert done.status == "completed" and count(sessions, Note) == 1
    assert len(fake_slack.completions(execution.id)) == 1


def test_an_execution_token_is_masked_in_the_logs_like_any_token() -> None:
    record = logging.LogRecord("slack_bolt", logging.INFO, __file__, 1, "token xwfp-T1-000000001-abc", None, None)
    RedactingFilter().filter(record)
    assert "xwfp-T1" not in record.getMessage()


def test_a_refusal_is_the_answer_to_retries_too(slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions) -> None:
    fake_slack.fail("functions.completeError", error="fatal_error", times=1)
    execution = fake_slack.start_function("log_coaching_note", {**NOTE, "manager": "U3"})
    slack.function_executed(execution, event_id="EvRETRY2")
    fake_slack.wait_completed(execution.id)
    make_manager(sessions, "U3")  # even if it changed meanwhile, the execution keeps its answer
    slack.function_executed(execution, event_id="EvRETRY2", retry_num=1)
    fake_slack.wait_completed(execution.id, count=2)
    done = fake_slack.execution(execution.id)
    assert done.status == "failed" and done.error is not None and "manager" in done.error
    assert count(sessions, Note) == 0


def test_a_fault_undoes_the_claim_and_fails_saying_nothing_was_changed(
    slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    fake_slack.fail("users.info", error="internal_error", status=500)  # Slack is down for lookups
    done = run(slack, fake_slack, "log_coaching_note", NOTE)
    assert done.status == "failed" and done.error is not None and "nothing was changed" in done.error
    assert count(sessions, Note) == 0 and count(sessions, FunctionRun) == 0  # a new delivery may run it


# -- Assign action item ----------------------------------------------------------------------------


def test_an_assigned_action_item_dms_the_rep_as_coach_todo_does(
    slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    inputs = {"manager": "U1", "rep": "U2", "text": "Send the Acme recap", "due_date": "2026-12-04"}
    done = run(slack, fake_slack, "assign_action_item", inputs)
    assert done.status == "completed", done.error
    with sessions.begin() as session:
        item = session.scalars(select(ActionItem)).one()
        assert (item.assigner_id, item.rep_id, item.text, str(item.due_on)) == (
            "U1",
            "U2",
            "Send the Acme recap",
            "2026-12-04",
        )
    assert done.outputs == {"action_item_id": item.id}
    (dm,) = dm_posts(fake_slack, "U2", count=1)
    # Sent after the step completed, so with the bot token: the execution token has expired.
    assert dm.ok and dm.token == DEFAULT_TOKEN


@pytest.mark.parametrize(
    ("inputs", "problem"),
    [
        ({"manager": "U3", "rep": "U2", "text": "Do it"}, "manager"),
        ({"manager": "U1", "rep": "U404", "text": "Do it"}, "U404"),
        ({"manager": "U1", "rep": "U2", "text": "x" * 1001}, "the limit is 1,000"),
        ({"manager": "U1", "rep": "U1", "text": "Do it"}, "not for you"),
        ({"manager": "U1", "rep": "U2", "text": "Do it", "due_date": "2026-11-01"}, "Pick today or a later due date"),
        ({"manager": "U1", "rep": "U2", "text": "Do it", "due_date": "soon"}, "must be a date"),
    ],
)
def test_an_action_item_that_cannot_be_assigned_fails_and_sends_nothing(
    slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions, inputs: dict[str, Any], problem: str
) -> None:
    done = run(slack, fake_slack, "assign_action_item", inputs)
    assert done.status == "failed" and done.error is not None and problem in done.error, done.error
    assert count(sessions, ActionItem) == 0 and fake_slack.calls_to("chat.postMessage") == []


# -- Post a leadership quote -----------------------------------------------------------------------


def test_a_quote_is_posted_from_the_channels_rotation(
    slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    first = run(slack, fake_slack, "post_leadership_quote", {"channel": "C1"})
    second = run(slack, fake_slack, "post_leadership_quote", {"channel": "C1", "tag": "#Coaching"})
    assert first.status == second.status == "completed", (first.error, second.error)
    posts = fake_slack.history("C1")
    assert [p["ts"] for p in posts] == [(first.outputs or {})["message_ts"], (second.outputs or {})["message_ts"]]
    assert posts[0]["text"] != posts[1]["text"]
    with sessions.begin() as session:
        kinds = sorted(r.kind for r in session.scalars(select(Rotation)))
    assert kinds[0] == "quote" and kinds[1].startswith("quote#")  # the daily's rotation, and the tag's own


def test_a_public_channel_is_joined_first_as_for_the_daily_post(
    slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    fake_slack.add_channel("CNEW", name="kickoff", bot_is_member=False)
    done = run(slack, fake_slack, "post_leadership_quote", {"channel": "CNEW"})
    assert done.status == "completed", done.error
    assert [c.ok for c in fake_slack.calls_to("chat.postMessage")] == [False, True]
    assert len(fake_slack.calls_to("conversations.join", channel="CNEW")) == 1
    assert len(fake_slack.history("CNEW")) == 1


@pytest.mark.parametrize(
    ("channel", "tag", "problem"),
    [
        ("CPRIV", None, "/invite @coachbot"),  # private: joining it is refused
        ("CARCH", None, "is archived"),
        ("CGONE", None, "can't find"),
        ("C1", "juggling", "is not a quote tag"),
    ],
)
def test_a_quote_that_cannot_be_posted_fails_and_moves_no_rotation(
    slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions, channel: str, tag: str | None, problem: str
) -> None:
    fake_slack.add_channel("CPRIV", name="deals", is_private=True, bot_is_member=False)
    fake_slack.add_channel("CARCH", name="old", is_archived=True)
    inputs = {"channel": channel, **({"tag": tag} if tag else {})}
    done = run(slack, fake_slack, "post_leadership_quote", inputs)
    assert done.status == "failed" and done.error is not None and problem in done.error, done.error
    assert "Nothing was posted" in done.error
    with sessions.begin() as session:
        assert session.scalars(select(Rotation)).all() == []  # the pick was rolled back with the post


# -- Get rep coaching summary ------------------------------------------------------------------------


def test_the_summary_gives_counts_only(slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions) -> None:
    seed_note(sessions, text="PRIVATE: bob fumbled pricing")
    done = run(slack, fake_slack, "get_rep_coaching_summary", {"manager": "U1", "rep": "U2"})
    assert done.status == "completed", done.error
    assert done.outputs == {
        "notes_30d": 1,
        "days_since_last_note": 0,
        "open_action_items": 0,
        "overdue_action_items": 0,
    }
    assert "PRIVATE" not in str(fake_slack.completions(done.id)[0].params)


@pytest.mark.parametrize(
    ("inputs", "problem"),
    [({"manager": "U3", "rep": "U2"}, "manager"), ({"manager": "U1", "rep": "U404"}, "U404")],
)
def test_the_summary_is_refused_to_a_non_manager_and_for_an_unknown_rep(
    slack: SlackSender, fake_slack: FakeSlack, inputs: dict[str, Any], problem: str
) -> None:
    done = run(slack, fake_slack, "get_rep_coaching_summary", inputs)
    assert done.status == "failed" and done.error is not None and problem in done.error, done.error


def test_a_step_from_a_workspace_this_token_is_not_for_changes_nothing(
    slack: SlackSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    fake_slack.add_workspace("T2")
    execution = fake_slack.start_function("log_coaching_note", NOTE, team_id="T2")
    assert slack.function_executed(execution).status_code == 200
    assert until(lambda: fake_slack.completions(), timeout=0.5) == []
    assert count(sessions, Note) == 0
