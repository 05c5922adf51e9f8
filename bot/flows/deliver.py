"""Deliver one scheduled item that the engine has claimed: the flow from "chosen" to "posted".

The engine (``bot.scheduling``) decides what is due and holds the claim and its key lock; it
hands this flow a ``DeliverRequest`` (the occurrence, its delivery row's id, the rendered
message, whether an earlier attempt may have posted). The flow then:

1. resolves a DM's conversation once and keeps it on the row (reconciliation reads its history);
2. after an earlier attempt, looks for that attempt's tagged post first and, found, records it
   without reposting (Slack has no idempotency key for ``chat.postMessage``; the tag is ours);
3. posts, joining a public channel and retrying once on ``not_in_channel``;
4. classifies a failure: no answer (timeout, 5xx, ``internal_error``, a 429 that outlasted its
   retries) stays pending for the next run, never blindly reposted; a channel that is gone,
   archived or not joined fails the delivery, pauses its schedule and tells who set it, by DM;
   anything else fails the delivery and keeps the schedule.

Every Slack call goes through ``bot.gateway.posting``; the outcome is written through the
engine's ``Attempts`` (the only writer of ``Delivery`` rows).
"""

from __future__ import annotations

import http.client
import logging
from dataclasses import dataclass
from datetime import timedelta

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.blocks import Message
from bot.blocks.daily import delivery_paused_message
from bot.db.models import Delivery
from bot.db.models.delivery import DeliveryStatus
from bot.gateway import posting
from bot.scheduling import registry
from bot.scheduling.attempts import Attempts, Outcome, is_user
from bot.scheduling.kinds import Occurrence
from bot.services import schedules

log = logging.getLogger(__name__)

# Reconciliation reads the channel from a little before the due time: every attempt's
# post is newer than that (claims happen at or after the due time).
RECONCILE_MARGIN = timedelta(minutes=15)
CHANNEL_ERRORS = frozenset({"channel_not_found", "not_in_channel", "is_archived"})
# Errors after which Slack may or may not have posted: never repost blindly.
UNKNOWN_OUTCOME_ERRORS = frozenset({"internal_error", "fatal_error", "service_unavailable", "request_timeout"})
_NO_ANSWER = (OSError, http.client.HTTPException)

_PAUSE_REASONS = {
    "channel_not_found": "the channel was not found: it was deleted, or it is private and coachbot is not in it",
    "not_in_channel": "coachbot is not a member of the channel",
    "is_archived": "the channel is archived",
}


@dataclass(frozen=True)
class DeliverRequest:
    occ: Occurrence
    delivery_id: int
    channel_id: str | None  # None: a DM whose conversation is not resolved yet
    message: Message
    earlier_attempts: int  # > 0: an earlier attempt may have posted; reconcile first


def deliver(run: Attempts, session: Session, req: DeliverRequest) -> Outcome:
    """Resolve a DM's channel, reconcile an earlier attempt if any, post, record."""
    occ, channel_id = req.occ, req.channel_id
    client = run.client(occ.team_id, occ.enterprise_id)
    if client is None:
        return run.fail(session, occ, "not_installed")
    if channel_id is None:
        try:
            channel_id = posting.open_dm(client, user_id=occ.target_id)
        except SlackApiError as exc:
            return _slack_failure(run, session, occ, "conversations.open", exc)
        except _NO_ANSWER as exc:
            return run.leave_pending(session, occ, f"conversations.open: {type(exc).__name__}")
        with run.writing(), session.begin():
            session.execute(update(Delivery).where(Delivery.id == req.delivery_id).values(channel_id=channel_id))

    if req.earlier_attempts > 0:
        try:
            ts = posting.find_tagged(
                client, channel_id=channel_id, delivery_id=req.delivery_id, oldest=occ.due_at - RECONCILE_MARGIN
            )
        except SlackApiError as exc:
            if posting.error_code(exc) in CHANNEL_ERRORS:
                return _slack_failure(run, session, occ, "conversations.history", exc)
            return run.leave_pending(session, occ, f"conversations.history: {posting.error_code(exc)}")
        except _NO_ANSWER as exc:
            return run.leave_pending(session, occ, f"conversations.history: {type(exc).__name__}")
        if ts is not None:
            run.record_sent(session, req.delivery_id, ts)
            log.info("delivery %s was already posted (ts %s); recorded without reposting", req.delivery_id, ts)
            return Outcome(DeliveryStatus.RECONCILED, occ.kind)
    return _post(run, session, client, req, channel_id)


def _post(run: Attempts, session: Session, client: WebClient, req: DeliverRequest, channel_id: str) -> Outcome:
    occ = req.occ
    joined = False
    while True:
        run.pacer(occ.team_id).acquire()
        try:
            ts = posting.post_tagged(
                client, channel_id=channel_id, message=req.message, delivery_id=req.delivery_id, key=occ.key
            )
        except SlackApiError as exc:
            if posting.error_code(exc) == "not_in_channel" and not joined and not is_user(occ.target_id):
                joined = True
                if _join(run, client, channel_id):
                    continue  # the failed post did not post: retrying cannot duplicate
            return _slack_failure(run, session, occ, "chat.postMessage", exc)
        except _NO_ANSWER as exc:
            # No answer: it may or may not have posted. The next run reconciles.
            return run.leave_pending(session, occ, f"chat.postMessage: {type(exc).__name__}")
        run.record_sent(session, req.delivery_id, ts)
        return Outcome(DeliveryStatus.SENT, occ.kind)


def _join(run: Attempts, client: WebClient, channel_id: str) -> bool:
    try:
        posting.join(client, channel_id=channel_id)
    except SlackApiError as exc:
        run.deps.metrics.slack_error("conversations.join", posting.error_code(exc))
        return False
    except _NO_ANSWER:
        return False
    return True


def _slack_failure(run: Attempts, session: Session, occ: Occurrence, method: str, exc: SlackApiError) -> Outcome:
    code = posting.error_code(exc)
    run.deps.metrics.slack_error(method, code)
    status = getattr(exc.response, "status_code", 200) or 200
    if method == "chat.postMessage" and (status >= 500 or code in UNKNOWN_OUTCOME_ERRORS):
        return run.leave_pending(session, occ, f"{method}: {code}")
    if code == "ratelimited":
        # Still 429 after every retry: Slack did not post. Leave it for the next run.
        return run.leave_pending(session, occ, f"{method}: {code}")
    outcome = run.fail(session, occ, f"{method}: {code}")
    if code in CHANNEL_ERRORS and occ.schedule_id is not None:
        _pause_and_tell(run, session, occ, code)
    return outcome


def _pause_and_tell(run: Attempts, session: Session, occ: Occurrence, code: str) -> None:
    assert occ.schedule_id is not None
    with run.writing(), session.begin():
        schedule = schedules.pause_schedule(session, schedule_id=occ.schedule_id, reason=_PAUSE_REASONS[code])
        if schedule is None:
            return
        kind, spec, owner = schedule.kind, schedules.spec_of(schedule), schedule.created_by
    if not owner:
        return
    words = registry.wording(kind)
    message = delivery_paused_message(
        what=words.item, command=words.command, channel_id=occ.target_id, error=code, spec=spec
    )
    client = run.client(occ.team_id, occ.enterprise_id)
    if client is None:
        return
    try:
        posting.post_dm(client, user_id=owner, message=message)
    except SlackApiError as exc:
        run.deps.metrics.slack_error("chat.postMessage", posting.error_code(exc))
        log.warning("could not tell %s that schedule %s is paused: %s", owner, occ.schedule_id, posting.error_code(exc))
    except _NO_ANSWER as exc:
        log.warning("could not tell %s that schedule %s is paused: %s", owner, occ.schedule_id, type(exc).__name__)
