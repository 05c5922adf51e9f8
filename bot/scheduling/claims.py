"""The three ways a run starts an attempt: claim a due occurrence, retry a pending claim, or
send a DM that was deferred while its recipient was away.

Each takes the attempt's key (``Attempts.attempt``), commits the attempt before any post, and
hands the rendered message to the delivery flow (``bot.flows.deliver``).
"""

from __future__ import annotations

import http.client
import logging
import time

from slack_sdk.errors import SlackApiError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import Delivery
from bot.db.models.delivery import DeliveryStatus
from bot.flows.deliver import DeliverRequest, deliver
from bot.gateway.posting import error_code
from bot.gateway.users import SlackUser
from bot.scheduling import calendar_gate
from bot.scheduling.attempts import Attempts, Outcome, RunOutcome, is_user, occurrence_of
from bot.scheduling.kinds import Occurrence
from bot.services import calendars

log = logging.getLogger(__name__)


def claim_and_deliver(run: Attempts, occ: Occurrence) -> Outcome:
    """Claim, choose, render and record the first attempt in ONE transaction; then post.

    A DM to someone away is claimed as deferred instead (item chosen, nothing posted)."""
    kind = run.kinds[occ.kind]
    with run.attempt(occ.key) as session:
        if session is None:
            return Outcome(RunOutcome.BUSY, occ.kind)
        # Read before the claim's transaction: a Slack call must not hold a database lock.
        away = _away(run, occ)
        try:
            with run.writing(), session.begin():
                item_id = kind.choose(session, occ)
                if away is not None:
                    session.add(_deferred_claim(run, session, occ, item_id, away))
                    session.flush()  # the claim, as below
                    return Outcome(DeliveryStatus.DEFERRED, occ.kind)
                delivery = Delivery(
                    key=occ.key,
                    team_id=occ.team_id,
                    enterprise_id=occ.enterprise_id,
                    kind=occ.kind,
                    schedule_id=occ.schedule_id,
                    note_id=occ.note_id,
                    target_id=occ.target_id,
                    channel_id=None if is_user(occ.target_id) else occ.target_id,
                    local_date=occ.local_date,
                    due_at=occ.due_at,
                    item_id=item_id,
                    claimed_at=run.at,
                    status=DeliveryStatus.PENDING,
                    # The first attempt is recorded with the claim: should this process
                    # die from here on, the next run reconciles before posting.
                    attempts=1,
                    attempted_at=run.deps.clock(),
                )
                session.add(delivery)
                session.flush()  # the claim: the unique key makes a second one fail here
                delivery_id, channel_id = delivery.id, delivery.channel_id
                rendered = kind.render(session, occ, item_id)
                if rendered is None:
                    delivery.status, delivery.error = DeliveryStatus.SKIPPED, "nothing to send"
        except IntegrityError:
            return Outcome(RunOutcome.LOST_CLAIM, occ.kind)
        if rendered is None:
            return Outcome(DeliveryStatus.SKIPPED, occ.kind)
        return deliver(run, session, DeliverRequest(occ, delivery_id, channel_id, rendered, earlier_attempts=0))


def deliver_deferred(run: Attempts, delivery_id: int, key: str) -> Outcome:
    """A DM deferred earlier is due: still away, defer once more (one day on); else send it."""
    with run.attempt(key) as session:
        if session is None:
            return Outcome(RunOutcome.BUSY)
        with session.begin():
            delivery = _reread(session, delivery_id)
            if delivery is None or delivery.status != calendar_gate.DEFERRED or delivery.due_at > run.at:
                return Outcome(RunOutcome.DONE)
            occ, due_at, item_id = occurrence_of(delivery), delivery.due_at, delivery.item_id
        away = _away(run, occ)
        with run.writing(), session.begin():
            pending = (Delivery.id == delivery_id, Delivery.status == calendar_gate.DEFERRED, Delivery.due_at == due_at)
            if away is not None:
                later = calendar_gate.deferral_instant(session, occ, user_tz=away.tz)
                moved = session.execute(
                    update(Delivery)
                    .where(*pending)
                    .values(due_at=later, deferrals=Delivery.deferrals + 1, deferred_at=run.at)
                    .execution_options(synchronize_session=False)
                )
                return Outcome(DeliveryStatus.DEFERRED if getattr(moved, "rowcount", 0) else RunOutcome.DONE, occ.kind)
            # Back: this is the first attempt, committed before the post like a claim's.
            started = session.execute(
                update(Delivery)
                .where(*pending)
                .values(status=DeliveryStatus.PENDING, attempts=1, attempted_at=run.deps.clock())
                .execution_options(synchronize_session=False)
            )
            if not getattr(started, "rowcount", 0):
                return Outcome(RunOutcome.DONE)
            rendered = run.kinds[occ.kind].render(session, occ, item_id)
            if rendered is None:
                session.execute(
                    update(Delivery)
                    .where(Delivery.id == delivery_id)
                    .values(status=DeliveryStatus.SKIPPED, error="nothing to send")
                )
        if rendered is None:
            return Outcome(DeliveryStatus.SKIPPED, occ.kind)
        return deliver(run, session, DeliverRequest(occ, delivery_id, None, rendered, earlier_attempts=0))


def deliver_pending(run: Attempts, delivery_id: int, key: str) -> Outcome:
    """Deliver a claim left pending by an earlier run (crashed, timed out, rate limited)."""
    with run.attempt(key) as session:
        if session is None:
            return Outcome(RunOutcome.BUSY)
        with session.begin():
            # Re-read under the lock: another process may have finished it meanwhile.
            delivery = _reread(session, delivery_id)
            if delivery is None or delivery.status != DeliveryStatus.PENDING:
                return Outcome(RunOutcome.DONE)
            settle = run.settle_seconds(delivery.attempts, delivery.attempted_at)
            earlier_attempts = delivery.attempts
            channel_id = delivery.channel_id
            occ = occurrence_of(delivery)
            kind = run.kinds.get(delivery.kind)
            rendered = kind.render(session, occ, delivery.item_id) if kind is not None else None
        if rendered is None:
            error = "nothing to send" if kind is not None else f"unknown kind {occ.kind}"
            with run.writing(), session.begin():
                session.execute(
                    update(Delivery)
                    .where(Delivery.id == delivery_id, Delivery.status == DeliveryStatus.PENDING)
                    .values(status=DeliveryStatus.SKIPPED, error=error)
                )
            return Outcome(DeliveryStatus.SKIPPED, occ.kind)
        if settle > 0:
            # An earlier attempt started so recently that its post may still be on its
            # way to Slack (its process died mid-request): reading the history now could
            # miss it. Wait until that request has landed or timed out.
            log.info("delivery %s: waiting %.1fs for an earlier attempt to settle", delivery_id, settle)
            time.sleep(settle)
        with run.writing(), session.begin():
            # Commit attempts + 1 before any post; zero rows: it was finished meanwhile.
            bumped = session.execute(
                update(Delivery)
                .where(Delivery.id == delivery_id, Delivery.status == DeliveryStatus.PENDING)
                .values(attempts=Delivery.attempts + 1, attempted_at=run.deps.clock())
                .execution_options(synchronize_session=False)
            )
            if not getattr(bumped, "rowcount", 0):
                return Outcome(RunOutcome.DONE)
        request = DeliverRequest(occ, delivery_id, channel_id, rendered, earlier_attempts=earlier_attempts)
        return deliver(run, session, request)


def _reread(session: Session, delivery_id: int) -> Delivery | None:
    return session.scalars(
        select(Delivery).where(Delivery.id == delivery_id).execution_options(populate_existing=True)
    ).first()


# -- people who are away --------------------------------------------------------------


def _away(run: Attempts, occ: Occurrence) -> SlackUser | None:
    """The recipient, when ``occ`` is a DM and their Slack status says away; else None.

    A status that cannot be read (Slack error, no answer) does not hold a DM back."""
    if not is_user(occ.target_id):
        return None
    client = run.client(occ.team_id, occ.enterprise_id)
    if client is None:
        return None
    try:
        user = run.deps.users.status_of(client, team_id=occ.team_id, user_id=occ.target_id, now=run.at)
    except SlackApiError as exc:
        run.deps.metrics.slack_error("users.info", error_code(exc))
        return None
    except (OSError, http.client.HTTPException) as exc:
        log.warning("delivery %s: status not read (%s); delivering", occ.key, type(exc).__name__)
        return None
    if user is None or not calendars.is_away(
        status_emoji=user.status_emoji,
        status_text=user.status_text,
        status_expiration=user.status_expiration,
        at=run.at,
        rules=run.away_rules,
    ):
        return None
    return user


def _deferred_claim(run: Attempts, session: Session, occ: Occurrence, item_id: int | None, user: SlackUser) -> Delivery:
    return Delivery(
        key=occ.key,
        team_id=occ.team_id,
        enterprise_id=occ.enterprise_id,
        kind=occ.kind,
        schedule_id=occ.schedule_id,
        note_id=occ.note_id,
        target_id=occ.target_id,
        channel_id=None,
        local_date=occ.local_date,  # the item's identity: it keeps its day and key
        due_at=calendar_gate.deferral_instant(session, occ, user_tz=user.tz),
        item_id=item_id,
        claimed_at=run.at,
        status=calendar_gate.DEFERRED,
        attempts=0,
        deferrals=1,
        deferred_at=run.at,
    )
