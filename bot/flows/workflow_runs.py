"""Running one Workflow Builder step once, whatever Slack retries: claim, do, record.

Every custom step (``bot.flows.workflow_steps``) runs through ``run_step``: the execution is
claimed by its ``function_execution_id`` (``bot.services.function_runs``), the step's own flow
does the work in its own unit of work, and the outcome is recorded before it is returned. A
second delivery of the same execution gets the recorded outcome and does nothing. A refusal
the person can fix (``UserError``) is an outcome like a success: recorded, and the step fails
with its message. A fault (database, Slack) gives up the claim, so nothing is half-done and a
new delivery may run the step afresh; it becomes a failure saying nothing was changed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_sdk import WebClient

from bot.deps import Deps
from bot.errors import UsageError, UserError
from bot.services import function_runs
from bot.services.function_runs import Claim, Outcome

log = logging.getLogger(__name__)

# When the first delivery died mid-step: the write may or may not have happened.
LOST = (
    "coachbot was interrupted while running this step, so it may or may not have been done. "
    "Check in Slack (`/coach notes`, `/coach todos` or the channel) before running the workflow again."
)


@dataclass(frozen=True)
class StepRequest:
    """One ``function_executed`` delivery, as plain values."""

    team_id: str
    enterprise_id: str | None
    execution_id: str
    callback_id: str
    inputs: Mapping[str, Any]

    def user(self, name: str) -> str:
        """A required ``slack#/types/user_id`` or ``channel_id`` input."""
        value = self.inputs.get(name)
        if not isinstance(value, str) or not value.strip():
            raise UsageError(
                f"The step's `{name}` input is empty. Pick a person or channel for it in Workflow Builder."
            )
        return value.strip()

    def text(self, name: str, *, required: bool = True) -> str | None:
        value = self.inputs.get(name)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                raise UsageError(f"The step's `{name}` input is empty. Fill it in Workflow Builder.")
            return None
        return str(value)

    def integer(self, name: str) -> int | None:
        value = self.inputs.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip().lstrip("-").isdigit():
            raise UsageError(f"The step's `{name}` input must be a whole number, e.g. 3.")
        return int(value)

    def day(self, name: str) -> date | None:
        value = self.inputs.get(name)
        if value is None or value == "":
            return None
        try:
            return date.fromisoformat(str(value))
        except ValueError:
            raise UsageError(f"The step's `{name}` input must be a date, e.g. 2026-12-18.") from None


StepWork = Callable[[Deps, WebClient, StepRequest], dict[str, Any]]


def run_step(deps: Deps, client: WebClient, request: StepRequest, work: StepWork) -> Outcome | None:
    """The outcome to complete the execution with; None when an earlier delivery of it is still
    at work (it will complete it)."""
    key = {"team_id": request.team_id, "execution_id": request.execution_id}
    with deps.sessions.begin() as session:
        claimed = function_runs.claim(session, callback_id=request.callback_id, now=deps.clock(), **key)
    if claimed.claim is Claim.DONE:
        log.info("step %s: a retry of a finished execution; answering as before", request.callback_id)
        return claimed.outcome
    if claimed.claim is Claim.RUNNING:
        log.info("step %s: a retry while the first delivery is at work; acknowledged only", request.callback_id)
        return None
    if claimed.claim is Claim.LOST:
        lost = Outcome(error=LOST)
        with deps.sessions.begin() as session:
            function_runs.finish(session, outcome=lost, now=deps.clock(), **key)
        return lost
    try:
        outcome = Outcome(outputs=work(deps, client, request))
    except UserError as err:
        outcome = Outcome(error=err.message)
    except BaseException:
        with deps.sessions.begin() as session:
            function_runs.release(session, **key)
        raise
    with deps.sessions.begin() as session:
        function_runs.finish(session, outcome=outcome, now=deps.clock(), **key)
    return outcome
