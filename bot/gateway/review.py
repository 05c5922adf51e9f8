"""The Slack Web API calls of quote submissions: review cards and summaries, the consent
request, the DMs to the submitter, and the forms.

Only the calls: which card goes where, and when, is decided in ``bot.flows`` (submit_quote,
review_queue, decide_quote). Each call runs after the ack. A failed call is logged by its
error code and returns None (``bot.gateway.calls``); it never stops the others: one admin's
closed DMs must not keep the card from the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk import WebClient

from bot.blocks import Message
from bot.blocks import submissions as ui
from bot.gateway.calls import post, safely, update
from bot.services.submissions import ReviewTarget, SubmissionView


def ask_consent(client: WebClient, sub: SubmissionView, *, member_id: str) -> None:
    post(client, "consent request", channel=member_id, message=ui.consent_request(sub))


def post_review_card(client: WebClient, sub: SubmissionView, *, target: str) -> ReviewTarget | None:
    """The card, or None when the bot can't post to ``target``."""
    resp = post(client, "review card", channel=target, message=ui.review_message(sub))
    return ReviewTarget(channel_id=resp["channel"], ts=resp["ts"]) if resp is not None else None


def update_review_cards(client: WebClient, sub: SubmissionView, targets: Sequence[ReviewTarget]) -> None:
    message = ui.decided_message(sub)
    for t in targets:
        update(client, "review card update", channel=t.channel_id, ts=t.ts, message=message)


def post_review_summary(client: WebClient, *, target: str, waiting: int) -> ReviewTarget | None:
    resp = post(client, "review summary", channel=target, message=ui.review_summary_message(waiting))
    return ReviewTarget(channel_id=resp["channel"], ts=resp["ts"]) if resp is not None else None


def update_review_summary(client: WebClient, *, channel_id: str, ts: str, waiting: int) -> None:
    update(client, "review summary update", channel=channel_id, ts=ts, message=ui.review_summary_message(waiting))


def update_consent_card(client: WebClient, sub: SubmissionView, *, channel_id: str, ts: str) -> None:
    update(client, "consent card update", channel=channel_id, ts=ts, message=ui.consent_answered(sub))


def send_outcome(client: WebClient, sub: SubmissionView, *, what: str = "outcome DM") -> None:
    """The submitter's DM saying what became of their quote."""
    post(client, what, channel=sub.submitter_id, message=ui.outcome_dm(sub))


def send_submitted(client: WebClient, sub: SubmissionView) -> None:
    """A form has no response_url: the "got it" goes to the submitter by DM."""
    post(client, "submitted DM", channel=sub.submitter_id, message=ui.submitted_message(sub, form=True))


def send_form_result(client: WebClient, *, user_id: str, text: str) -> None:
    post(client, "form result DM", channel=user_id, message=Message(text=text))


def open_view(client: WebClient, trigger_id: str, view: dict[str, Any]) -> None:
    safely("views.open", client.views_open, trigger_id=trigger_id, view=view)
