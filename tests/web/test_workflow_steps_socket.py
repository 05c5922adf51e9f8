"""Workflow Builder steps delivered through Socket Mode: the ``function_executed`` event as an
``events_api`` envelope over the fake's WebSocket, to the app's own Socket Mode handler
(``bot.serve.SocketMode``, in process), completed with the execution token.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from bot.app import create_app
from bot.bootstrap import build_deps
from bot.db.engine import Sessions
from bot.db.models import ActionItem, Note
from bot.serve import SocketMode
from tests.conftest import make_settings
from tests.factories import make_manager
from tests.fakes.api_functions import FunctionExecution
from tests.fakes.slack_api import FakeSlack
from tests.fakes.socket_mode import DEFAULT_APP_TOKEN
from tests.fakes.socket_sender import SocketModeSender
from tests.harness import TestClock
from tests.listeners.test_workflow_steps import FUNCTIONS, NOTE


@pytest.fixture
def socket_slack(
    database_url: str, engine: Engine, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> Iterator[SocketModeSender]:
    socket = fake_slack.enable_socket_mode(DEFAULT_APP_TOKEN)
    deps = build_deps(make_settings(database_url, fake_slack, SLACK_APP_TOKEN=DEFAULT_APP_TOKEN), engine)
    deps.clock = clock
    handler = SocketMode(create_app(deps), deps)
    handler.connect()
    socket.wait_connected()
    make_manager(sessions, "U1")
    yield SocketModeSender(socket=socket)
    handler.close()
    deps.background.shutdown(wait=True)


def run(slack: SocketModeSender, fake: FakeSlack, callback_id: str, inputs: dict[str, Any]) -> FunctionExecution:
    required = tuple(FUNCTIONS[callback_id]["output_parameters"].get("required", ()))
    execution = fake.start_function(callback_id, inputs, required_outputs=required)
    assert slack.function_executed(execution).status_code == 200
    assert slack.last_ack is not None  # acked over the socket; the step runs after the ack
    fake.wait_completed(execution.id)
    return fake.execution(execution.id)


def rows(sessions: Sessions, model: Any) -> int:
    with sessions.begin() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_each_step_completes_over_the_socket_with_the_execution_token(
    socket_slack: SocketModeSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    note = run(socket_slack, fake_slack, "log_coaching_note", NOTE)
    item = run(socket_slack, fake_slack, "assign_action_item", {"manager": "U1", "rep": "U2", "text": "Send the recap"})
    quote = run(socket_slack, fake_slack, "post_leadership_quote", {"channel": "C1"})
    summary = run(socket_slack, fake_slack, "get_rep_coaching_summary", {"manager": "U1", "rep": "U2"})
    for done in (note, item, quote, summary):
        assert done.status == "completed", done.error
        assert [c.token for c in fake_slack.completions(done.id)] == [done.token]
    assert rows(sessions, Note) == 1 and rows(sessions, ActionItem) == 1
    assert quote.outputs == {"message_ts": fake_slack.history("C1")[-1]["ts"]}
    assert summary.outputs is not None and (summary.outputs["notes_30d"], summary.outputs["open_action_items"]) == (
        1,
        1,
    )


def test_a_refusal_and_a_retry_over_the_socket(
    socket_slack: SocketModeSender, fake_slack: FakeSlack, sessions: Sessions
) -> None:
    refused = run(socket_slack, fake_slack, "log_coaching_note", {**NOTE, "manager": "U3"})
    assert refused.status == "failed" and refused.error is not None and "manager" in refused.error
    fake_slack.fail("functions.completeSuccess", error="fatal_error", times=1)
    execution = fake_slack.start_function("log_coaching_note", NOTE)
    socket_slack.function_executed(execution, event_id="EvSOCKRETRY")
    fake_slack.wait_completed(execution.id)
    assert fake_slack.execution(execution.id).status == "running"  # the completion was lost
    socket_slack.function_executed(execution, event_id="EvSOCKRETRY", retry_num=1)
    fake_slack.wait_completed(execution.id, count=2)
    done = fake_slack.execution(execution.id)
    with sessions.begin() as session:
        (note_id,) = session.scalars(select(Note.id)).all()
    assert (done.status, done.outputs) == ("completed", {"note_id": note_id})
