"""The fake's Workflow Builder steps: executions, their token, and the two completion methods,
driven by a real slack_sdk WebClient as Bolt's ``complete``/``fail`` drive Slack's."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from slack_bolt import App, BoltRequest, Complete
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from tests.fakes.slack_api import DEFAULT_TOKEN, FakeSlack
from tests.fakes.socket_mode import DEFAULT_APP_TOKEN
from tests.fakes.socket_sender import SocketModeSender
from tests.harness import SIGNING_SECRET, SlackSender, sign, until


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as server:
        server.add_channel("C1", name="general")
        yield server


def client(fake: FakeSlack, token: str) -> WebClient:
    return WebClient(token=token, base_url=fake.api_url, retry_handlers=[])


def refusal(call: object) -> str:
    with pytest.raises(SlackApiError) as refused:
        call()  # type: ignore[operator]
    return str(refused.value.response["error"])


def test_an_execution_is_delivered_as_slack_sends_function_executed(fake: FakeSlack) -> None:
    execution = fake.start_function("log_coaching_note", {"manager": "U1", "text": "hi"})
    event = execution.event()
    assert event["type"] == "function_executed"
    assert event["function"]["callback_id"] == "log_coaching_note"
    assert event["inputs"] == {"manager": "U1", "text": "hi"}
    assert event["function_execution_id"] == execution.id and execution.id.startswith("Fx")
    assert event["bot_access_token"] == execution.token and execution.token.startswith("xwfp-")
    assert execution.token != DEFAULT_TOKEN
    assert fake.execution(execution.id).status == "running"


def test_complete_success_takes_the_execution_token_and_records_the_outputs(fake: FakeSlack) -> None:
    execution = fake.start_function("post_leadership_quote", required_outputs=("message_ts",))
    client(fake, execution.token).functions_completeSuccess(
        function_execution_id=execution.id, outputs={"message_ts": "1.000100"}
    )
    done = fake.execution(execution.id)
    assert (done.status, done.outputs, done.error) == ("completed", {"message_ts": "1.000100"}, None)
    (call,) = fake.completions(execution.id)
    assert call.token == execution.token and call.ok


def test_complete_error_records_the_message(fake: FakeSlack) -> None:
    execution = fake.start_function("assign_action_item")
    client(fake, execution.token).functions_completeError(function_execution_id=execution.id, error="Pick a rep.")
    done = fake.execution(execution.id)
    assert (done.status, done.outputs, done.error) == ("failed", None, "Pick a rep.")


def test_the_bot_token_or_another_executions_token_is_refused(fake: FakeSlack) -> None:
    execution = fake.start_function("get_rep_coaching_summary")
    other = fake.start_function("get_rep_coaching_summary")
    outputs = {"notes_30d": 1}
    bot = client(fake, DEFAULT_TOKEN)
    assert refusal(lambda: bot.functions_completeSuccess(function_execution_id=execution.id, outputs=outputs)) == (
        "invalid_auth"
    )
    wrong = client(fake, other.token)
    assert refusal(lambda: wrong.functions_completeError(function_execution_id=execution.id, error="x")) == (
        "invalid_auth"
    )
    unknown = client(fake, "xwfp-nope")
    assert refusal(lambda: unknown.functions_completeSuccess(function_execution_id=execution.id, outputs={})) == (
        "invalid_auth"
    )
    assert fake.execution(execution.id).status == "running"  # nothing of that counted
    assert [c.response["error"] for c in fake.completions(execution.id)] == ["invalid_auth"] * 3


def test_a_second_completion_is_refused_and_the_first_stands(fake: FakeSlack) -> None:
    execution = fake.start_function("log_coaching_note")
    steps = client(fake, execution.token)
    steps.functions_completeSuccess(function_execution_id=execution.id, outputs={"note_id": 7})
    again = refusal(lambda: steps.functions_completeError(function_execution_id=execution.id, error="late"))
    assert again == "execution_not_in_running_state"
    assert fake.execution(execution.id).outputs == {"note_id": 7}


def test_missing_outputs_an_unknown_execution_and_an_empty_error_are_refused(fake: FakeSlack) -> None:
    execution = fake.start_function("log_coaching_note", required_outputs=("note_id",))
    steps = client(fake, execution.token)
    assert refusal(lambda: steps.functions_completeSuccess(function_execution_id=execution.id, outputs={})) == (
        "parameter_validation_failed"
    )
    assert refusal(lambda: steps.functions_completeSuccess(function_execution_id="Fx0", outputs={})) == (
        "function_execution_not_found"
    )
    assert refusal(lambda: steps.functions_completeError(function_execution_id=execution.id, error="")) == (
        "invalid_arguments"
    )
    assert fake.execution(execution.id).status == "running"


def test_the_execution_token_works_for_the_workspaces_other_methods(fake: FakeSlack) -> None:
    execution = fake.start_function("post_leadership_quote")
    posted = client(fake, execution.token).chat_postMessage(channel="C1", text="Lead by example.")
    assert posted["ok"] and fake.history("C1")[-1]["text"] == "Lead by example."
    (call,) = fake.calls_to("chat.postMessage")
    assert call.team_id == "T1" and call.token == execution.token


def test_an_execution_in_another_workspace_carries_its_own_team(fake: FakeSlack) -> None:
    fake.add_workspace(team_id="T2", enterprise_id="E1")
    execution = fake.start_function("log_coaching_note", team_id="T2")
    assert (execution.team_id, execution.enterprise_id) == ("T2", "E1")
    assert client(fake, execution.token).auth_test()["team_id"] == "T2"
    json.dumps(execution.event())  # serialisable as delivered


# -- delivered to a real Bolt app ----------------------------------------------------------------


def reversing_app(fake: FakeSlack) -> App:
    """The smallest Bolt app with a custom step, on the fake's Web API."""
    app = App(
        signing_secret=SIGNING_SECRET,
        client=WebClient(token=DEFAULT_TOKEN, base_url=fake.api_url, retry_handlers=[]),
        token_verification_enabled=False,
        process_before_response=True,
    )

    @app.function("reverse")
    def reverse(inputs: dict[str, Any], complete: Complete) -> None:
        complete(outputs={"reversed": str(inputs["text"])[::-1]})

    return app


def test_bolt_completes_a_step_delivered_over_signed_http_with_the_execution_token(fake: FakeSlack) -> None:
    app = reversing_app(fake)
    execution = fake.start_function("reverse", {"text": "abc"}, required_outputs=("reversed",))
    sent: dict[str, Any] = {}

    class Direct(SlackSender):
        """Signed as over HTTP, handed to the app without a server."""

        def post(self, body: str, **kwargs: Any) -> Any:
            ts = str(int(time.time()))
            headers: dict[str, str | Sequence[str]] = {
                "content-type": "application/json",
                "x-slack-request-timestamp": ts,
            }
            headers["x-slack-signature"] = sign(SIGNING_SECRET, ts, body)
            sent["response"] = app.dispatch(BoltRequest(body=body, headers=headers))
            return sent["response"]

    Direct("direct").function_executed(execution)
    assert sent["response"].status == 200
    done = fake.execution(execution.id)
    assert (done.status, done.outputs) == ("completed", {"reversed": "cba"})
    (call,) = fake.completions(execution.id)
    assert call.token == execution.token  # Bolt's complete() used the execution token, not xoxb-


def test_bolt_completes_a_step_delivered_through_socket_mode(fake: FakeSlack) -> None:
    socket = fake.enable_socket_mode()
    handler = SocketModeHandler(reversing_app(fake), app_token=DEFAULT_APP_TOKEN)
    handler.connect()  # type: ignore[no-untyped-call]
    try:
        socket.wait_connected()
        execution = fake.start_function("reverse", {"text": "step"})
        sender = SocketModeSender(socket=socket)
        assert sender.function_executed(execution).status_code == 200
        assert sender.last_ack is not None  # the envelope was acked over the socket
        assert until(lambda: fake.execution(execution.id).status == "completed", timeout=15)
        assert fake.execution(execution.id).outputs == {"reversed": "pets"}
        assert [c.token for c in fake.completions(execution.id)] == [execution.token]
    finally:
        handler.close()  # type: ignore[no-untyped-call]


def test_the_execution_token_expires_with_its_execution(fake: FakeSlack) -> None:
    execution = fake.start_function("assign_action_item")
    steps = client(fake, execution.token)
    steps.functions_completeSuccess(function_execution_id=execution.id, outputs={"action_item_id": 1})
    assert refusal(lambda: steps.chat_postMessage(channel="C1", text="late")) == "token_expired"
    assert client(fake, DEFAULT_TOKEN).chat_postMessage(channel="C1", text="the bot token still works")["ok"]
