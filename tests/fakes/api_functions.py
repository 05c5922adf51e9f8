"""The fake Slack Web API: Workflow Builder custom steps (``functions.*``) and their executions.

On Slack, a workflow reaching an app's custom step sends the app a ``function_executed`` event
carrying the step's inputs, a ``function_execution_id`` and a short-lived *function execution
token* (``event.bot_access_token``, ``xwfp-``). The app finishes the step with
``functions.completeSuccess`` (outputs) or ``functions.completeError`` (a message for the
person who ran the workflow), called with that token; Bolt's ``complete``/``fail`` do so.

``start_function(callback_id, inputs)`` plays the workflow: it opens an execution and returns
a ``FunctionExecution`` whose ``event()`` is the event to deliver (``SlackSender.function_executed``
sends it signed over HTTP or, with ``SocketModeSender``, as an ``events_api`` envelope). The
execution token works for the workspace's other methods too while the execution runs, and
gets ``token_expired`` once it is completed (its lifetime is the execution's). The two
completion methods answer as Slack does:

- the token must be *that execution's* token: the bot token, another execution's token or an
  unknown one gets ``invalid_auth``, so a test can tell which token the app used;
- an unknown execution id gets ``function_execution_not_found``;
- a second completion gets ``execution_not_in_running_state`` (the first one stands);
- ``completeSuccess`` without an output the test declared required (``required_outputs``)
  gets ``parameter_validation_failed``; ``completeError`` without ``error`` gets
  ``invalid_arguments``.

Every completion is recorded on the execution (``status``, ``outputs``, ``error``) and, like
every request, as a ``Call``.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

from tests.fakes.core import DEFAULT_TEAM_ID, FakeSlackCore, _json_reply, _maybe_json, _Reply

COMPLETE_SUCCESS = "functions.completeSuccess"
COMPLETE_ERROR = "functions.completeError"
_COMPLETIONS = frozenset({COMPLETE_SUCCESS, COMPLETE_ERROR})


@dataclass
class FunctionExecution:
    """One run of a custom step, and how it ended (``status``: running, completed or failed)."""

    id: str
    team_id: str
    callback_id: str
    inputs: dict[str, Any]
    token: str
    workflow_execution_id: str
    function_id: str
    app_id: str
    enterprise_id: str | None = None
    required_outputs: tuple[str, ...] = ()
    status: str = "running"
    outputs: dict[str, Any] | None = None
    error: str | None = None
    event_ts: str = field(default_factory=lambda: f"{time.time():.6f}")

    def event(self) -> dict[str, Any]:
        """The ``function_executed`` event as Slack puts it in an ``event_callback``."""
        return {
            "type": "function_executed",
            "function": {
                "id": self.function_id,
                "callback_id": self.callback_id,
                "title": self.callback_id.replace("_", " ").capitalize(),
                "description": "",
                "type": "app",
                "input_parameters": [],
                "output_parameters": [],
                "app_id": self.app_id,
                "date_created": 1700000000,
                "date_updated": 1700000000,
                "date_deleted": 0,
            },
            "inputs": copy.deepcopy(self.inputs),
            "function_execution_id": self.id,
            "workflow_execution_id": self.workflow_execution_id,
            "event_ts": self.event_ts,
            "bot_access_token": self.token,
        }


class FunctionsApi(FakeSlackCore):
    API_METHODS: ClassVar[dict[str, str]] = {}  # both methods are answered in ``_answer`` (they need the token)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._executions: dict[str, FunctionExecution] = {}
        self._execution_tokens: dict[str, str] = {}  # token -> execution id
        super().__init__(*args, **kwargs)

    def start_function(
        self,
        callback_id: str,
        inputs: Mapping[str, Any] | None = None,
        *,
        team_id: str = DEFAULT_TEAM_ID,
        app_id: str = "A1",
        required_outputs: tuple[str, ...] = (),
    ) -> FunctionExecution:
        """A workflow reached the custom step ``callback_id``: open its execution and token."""
        with self._lock:
            ws = self._workspaces[team_id]
            serial = self._next_id("")
            execution = FunctionExecution(
                id=f"Fx{serial}",
                team_id=team_id,
                callback_id=callback_id,
                inputs=dict(inputs or {}),
                token=f"xwfp-{team_id}-{serial}",
                workflow_execution_id=f"Wx{serial}",
                function_id=f"Fn{serial}",
                app_id=app_id,
                enterprise_id=ws.enterprise_id,
                required_outputs=required_outputs,
            )
            self._executions[execution.id] = execution
            self._execution_tokens[execution.token] = execution.id
            self._tokens[execution.token] = team_id  # other methods accept it, as on Slack
            return copy.deepcopy(execution)

    def execution(self, execution_id: str) -> FunctionExecution:
        """The execution as it stands (a copy)."""
        with self._lock:
            return copy.deepcopy(self._executions[execution_id])

    def wait_completed(self, execution_id: str, count: int = 1, timeout: float = 5.0) -> list[Any]:
        """Block until the app made ``count`` completion calls (accepted or not) for the
        execution: a step runs after its event is acked. ``AssertionError`` after ``timeout``."""
        deadline = time.monotonic() + timeout
        while len(found := self.completions(execution_id)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{execution_id}: {len(found)} completion calls, expected {count}")
            time.sleep(0.005)
        return found

    def completions(self, execution_id: str | None = None) -> list[Any]:
        """Every ``functions.complete*`` call (accepted or not), oldest first."""
        calls = [c for c in self.calls if c.method in _COMPLETIONS]
        if execution_id is None:
            return calls
        return [c for c in calls if c.get("function_execution_id") == execution_id]

    def _answer(
        self,
        kind: str,
        method: str,
        params: dict[str, Any],
        body: bytes,
        headers: Mapping[str, str],
        token: str | None,
    ) -> _Reply:
        own = self._execution_tokens.get(token) if token is not None else None
        if (
            kind == "api"
            and method not in _COMPLETIONS
            and own is not None
            and self._executions[own].status != "running"
        ):
            return _json_reply(200, {"ok": False, "error": "token_expired"})
        if kind != "api" or method not in _COMPLETIONS:
            return super()._answer(kind, method, params, body, headers, token)
        return _json_reply(200, self._complete(method, params, token))

    def _complete(self, method: str, params: dict[str, Any], token: str | None) -> dict[str, Any]:
        if token is None:
            return {"ok": False, "error": "not_authed"}
        own = self._execution_tokens.get(token)
        execution_id = str(params.get("function_execution_id") or "")
        if own is None or token in self._revoked:
            return {"ok": False, "error": "invalid_auth"}  # the bot token, a user token, or no such token
        execution = self._executions.get(execution_id)
        if execution is None:
            return {"ok": False, "error": "function_execution_not_found"}
        if own != execution_id:
            return {"ok": False, "error": "invalid_auth"}  # another execution's token
        if execution.status != "running":
            return {"ok": False, "error": "execution_not_in_running_state"}
        if method == COMPLETE_ERROR:
            error = params.get("error")
            if not isinstance(error, str) or not error:
                return {"ok": False, "error": "invalid_arguments"}
            execution.status, execution.error = "failed", error
            return {"ok": True}
        outputs = _maybe_json(params.get("outputs", {}))
        if not isinstance(outputs, dict):
            return {"ok": False, "error": "invalid_arguments"}
        missing = [name for name in execution.required_outputs if outputs.get(name) in (None, "")]
        if missing:
            return {"ok": False, "error": "parameter_validation_failed", "missing": missing}
        execution.status, execution.outputs = "completed", outputs
        return {"ok": True}
