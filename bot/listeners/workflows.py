"""Workflow Builder custom steps (``function_executed``): Slack in, the step's flow, Slack out.

Bolt's ``@app.function`` hands each execution over with its inputs and its *function
execution token*; Bolt's ``complete``/``fail`` finish the step with that token, as Slack
requires. The step's own Slack calls (lookups, the rep's DM, the quote post) use the bot
token instead: the execution token stops working once the step is completed, and the rep's DM
is sent after that. The steps and their inputs are declared in ``bot.flows.workflow_steps``;
running each once across Slack's retries is ``bot.flows.workflow_runs``.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext, Complete, Fail
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.workflows import failed_text
from bot.deps import Deps
from bot.flows.workflow_runs import StepRequest, run_step
from bot.flows.workflow_steps import STEPS, Step
from bot.gateway.clients import make_client
from bot.listeners.errors import message_for, record
from bot.listeners.router import Routers

log = logging.getLogger(__name__)

# A second completion of an execution Slack already closed (a retry answered as before).
_ALREADY_COMPLETED = frozenset({"execution_not_in_running_state", "function_execution_not_found"})


def _finish(
    deps: Deps, bot_client: WebClient, request: StepRequest, step: Step, complete: Complete, fail: Fail
) -> None:
    """Run the step once and finish it with the execution token (after the ack)."""
    try:
        outcome = run_step(deps, bot_client, request, step.work)
    # A fault (database, Slack), already undone by run_step: recorded with its trace and
    # told to the person, rather than leaving their workflow hanging until Slack times out.
    except Exception as exc:  # noqa: BLE001 - recorded, then reported as the step's failure
        record(exc, f"workflow step {step.callback_id}", deps)
        fail(failed_text(step.title, message_for(exc)))
        return
    if outcome is None:
        return  # an earlier delivery of this execution is at work and completes it
    try:
        if outcome.error is not None:
            fail(failed_text(step.title, outcome.error))
        else:
            complete(outputs=outcome.outputs or {})
    except SlackApiError as exc:
        if str(exc.response.get("error")) not in _ALREADY_COMPLETED:
            raise
        log.info("step %s was already completed; its retry changed nothing", step.callback_id)


def _listener(step: Step) -> Any:
    def handle_step(
        event: dict[str, Any], inputs: dict[str, Any], context: BoltContext, complete: Complete, fail: Fail, deps: Deps
    ) -> None:
        request = StepRequest(
            team_id=str(context.team_id or ""),
            enterprise_id=context.enterprise_id,
            execution_id=str(context.function_execution_id or ""),
            callback_id=step.callback_id,
            inputs=inputs or {},
        )
        bot_client = make_client(deps.settings, context.bot_token)
        # Slack wants the event acked within 3 s; the step's lookups, its writes and its
        # completion run after the ack. A retry meanwhile finds the execution claimed and only
        # acknowledges (bot.flows.workflow_runs).
        deps.defer(_finish, deps, bot_client, request, step, complete, fail)

    handle_step.__name__ = f"handle_{step.callback_id}"
    return handle_step


def register(app: App, routers: Routers) -> None:
    for step in STEPS:
        app.function(step.callback_id)(_listener(step))
