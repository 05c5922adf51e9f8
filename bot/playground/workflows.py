"""The playground's Workflows panel: run coachbot's Workflow Builder steps as Slack would.

Slack runs a custom step by sending the app a signed ``function_executed`` event (inputs, an
execution id, an execution token) and waiting for ``functions.completeSuccess`` or
``functions.completeError``. ``WorkflowSteps.run`` does the same through the playground's
poster, and the two completion methods are added to the stand-in, which remembers how each
execution ended so the panel can show the outputs or the error. The stand-in accepts one
token, so the execution token the event carries is the playground's bot token; the real
difference between the two is tested against the fake Slack (tests/fakes/api_functions.py).
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

from bot.flows.workflow_steps import STEPS
from bot.playground.poster import Poster
from bot.playground.standin import StandIn
from bot.playground.standin_api import ApiError

# A finished execution is read back by the panel once, right after the app answered.
STEP_TIMEOUT_SECONDS = 10.0  # Slack itself gives a step far longer; the page waits this long
KEEP = 50


@dataclass(frozen=True)
class StepRun:
    status: str  # completed | failed | no_answer
    outputs: dict[str, Any]
    error: str | None
    seconds: float

    def to_json(self) -> dict[str, Any]:
        # "failure", not "error": the page shows a response's "error" as the playground's own problem.
        return {
            "status": self.status,
            "outputs": self.outputs,
            "failure": self.error,
            "seconds": round(self.seconds, 3),
        }


def catalog() -> list[dict[str, Any]]:
    """The steps and their input names, for the panel's forms (from the same declarations as the app)."""
    return [{"callback_id": s.callback_id, "title": s.title, "inputs": list(s.inputs)} for s in STEPS]


class WorkflowSteps:
    def __init__(self, standin: StandIn, *, token: str) -> None:
        self.token = token
        self._lock = threading.Condition()
        self._ended: dict[str, tuple[str, dict[str, Any], str | None]] = {}
        standin.methods["functions.completeSuccess"] = self._complete_success
        standin.methods["functions.completeError"] = self._complete_error

    def run(self, poster: Poster, *, callback_id: str, inputs: dict[str, Any]) -> StepRun:
        """Deliver one execution of ``callback_id`` and report how the app completed it."""
        step = next((s for s in STEPS if s.callback_id == callback_id), None)
        if step is None:
            return StepRun("failed", {}, f"coachbot has no workflow step {callback_id!r}", 0.0)
        execution_id = "Fx" + secrets.token_hex(5).upper()
        given = {k: v for k, v in inputs.items() if k in step.inputs and v not in (None, "")}
        event = {
            "type": "function_executed",
            "function": {"id": "Fn" + callback_id.upper()[:8], "callback_id": callback_id, "title": step.title},
            "inputs": given,
            "function_execution_id": execution_id,
            "workflow_execution_id": "Wx" + secrets.token_hex(5).upper(),
            "event_ts": f"{time.time():.6f}",
            "bot_access_token": self.token,
        }
        started = time.perf_counter()
        answer = poster.event(event)
        with self._lock:
            if not answer.problem:  # the app runs the step after acking the event, as Slack lets it
                self._lock.wait_for(lambda: execution_id in self._ended, timeout=STEP_TIMEOUT_SECONDS)
            ended = self._ended.pop(execution_id, None)
        seconds = time.perf_counter() - started
        if ended is None:
            problem = answer.problem or "the app answered without completing the step"
            return StepRun("no_answer", {}, f"Slack would still be waiting: {problem}", seconds)
        status, outputs, error = ended
        return StepRun(status, outputs, error, seconds)

    # -- the stand-in's side ------------------------------------------------------------------

    def _end(self, params: dict[str, Any], status: str, outputs: dict[str, Any], error: str | None) -> None:
        execution_id = str(params.get("function_execution_id") or "")
        if not execution_id.startswith("Fx"):
            raise ApiError("function_execution_not_found")
        with self._lock:
            if execution_id in self._ended:
                raise ApiError("execution_not_in_running_state")
            self._ended[execution_id] = (status, outputs, error)
            self._lock.notify_all()
            while len(self._ended) > KEEP:
                self._ended.pop(next(iter(self._ended)))

    def _complete_success(self, params: dict[str, Any]) -> dict[str, Any]:
        outputs = params.get("outputs") or {}
        if isinstance(outputs, str):
            outputs = json.loads(outputs)
        self._end(params, "completed", dict(outputs), None)
        return {}

    def _complete_error(self, params: dict[str, Any]) -> dict[str, Any]:
        error = params.get("error")
        if not isinstance(error, str) or not error:
            raise ApiError("invalid_arguments")
        self._end(params, "failed", {}, error)
        return {}
