"""Review cards and the DMs around a submission: Slack orchestration after the ack.

Everything here runs through ``deps.defer`` once the request has been answered. A failed
Slack call is logged by its error code and never stops the others: one admin's closed DMs
must not keep the card from the rest. While more than ``REVIEW_CARDS_MAX`` quotes wait, each
review target gets one summary, updated in place, instead of a card per submission.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
import weakref
from collections.abc import Callable, Sequence
from typing import Any

from slack_sdk import WebClient

from bot.blocks import submissions as ui
from bot.deps import Deps
from bot.gateway.calls import post, safely, update
from bot.gateway.roles import configured_admins
from bot.services import submissions
from bot.services.submissions import REVIEW_CARDS_MAX, Decision, ReviewTarget, SubmissionView

log = logging.getLogger(__name__)


def route_submission(deps: Deps, client: WebClient, sub: SubmissionView) -> None:
    """Flag any near-duplicate, then ask the quoted member first when needed; otherwise
    straight to review."""
    with deps.sessions.begin() as session:
        sub = submissions.flag_near_duplicate(session, team_id=sub.team_id, submission_id=sub.id)
    if sub.needs_consent and sub.author_user_id:
        post(client, "consent request", channel=sub.author_user_id, message=ui.consent_request(sub))
        return
    send_to_review(deps, client, sub)


def _review_targets(deps: Deps, team_id: str) -> list[str]:
    channel = deps.settings.review_channel
    return [channel] if channel else configured_admins(deps, team_id=team_id)


def send_to_review(deps: Deps, client: WebClient, sub: SubmissionView) -> None:
    """Post the review card to COACHBOT_REVIEW_CHANNEL, else (or when the bot can't post
    there) to each configured admin by DM, and remember every copy so the decision can
    update them all. With neither, the submission waits in `/quote review`.

    While more than REVIEW_CARDS_MAX quotes wait, each target gets one summary instead,
    updated in place (a flood of submissions must not become a flood of DMs)."""
    with deps.sessions.begin() as session:
        waiting = submissions.pending_count(session, team_id=sub.team_id)
    if waiting > REVIEW_CARDS_MAX:
        with deps.sessions.begin() as session:
            # Summaries already sent elsewhere (admins' DMs standing in for a review channel
            # the bot can't post in) follow the count too.
            standing = [s.target_id for s in submissions.summaries(session, team_id=sub.team_id)]
        for target in dict.fromkeys([*_review_targets(deps, sub.team_id), *standing]):
            job = functools.partial(_summary_work, deps, client, sub.team_id, target, create=True)
            _summaries_for(deps).request((sub.team_id, target), job)
        return
    message = ui.review_message(sub)
    posted: list[ReviewTarget] = []
    channel = deps.settings.review_channel
    for targets in ([channel] if channel else [], configured_admins(deps, team_id=sub.team_id)):
        for target in targets:
            resp = post(client, "review card", channel=target, message=message)
            if resp is not None:
                posted.append(ReviewTarget(channel_id=resp["channel"], ts=resp["ts"]))
        if posted:
            break
    if not posted:
        log.warning("submission %s: no review card could be posted; it waits for /quote review", sub.id)
        return
    with deps.sessions.begin() as session:
        submissions.add_review_messages(session, submission_id=sub.id, targets=posted)
        current = submissions.get_submission(session, team_id=sub.team_id, submission_id=sub.id)
    if current.status != submissions.PENDING:
        # Decided (e.g. from `/quote review`) while these cards were being posted.
        _update_cards(client, current, posted)


class _Coalescer:
    """Runs one job per key at a time; calls that arrive meanwhile fold into one more run.

    300 submissions in a burst need the summary to show the last count, not 300 updates
    racing each other; with this, an update in flight is followed by at most one more.
    """

    # chat.update is rate-limited (Tier 3, about 50 a minute): at most one run a second per key.
    MIN_INTERVAL = 1.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._busy: set[tuple[str, str]] = set()
        self._dirty: set[tuple[str, str]] = set()

    def request(self, key: tuple[str, str], job: Callable[[], None]) -> None:
        with self._lock:
            if key in self._busy:
                self._dirty.add(key)
                return
            self._busy.add(key)
        try:
            while True:
                started = time.monotonic()
                job()
                time.sleep(max(0.0, started + self.MIN_INTERVAL - time.monotonic()))
                with self._lock:
                    if key not in self._dirty:
                        return
                    self._dirty.discard(key)
        finally:
            with self._lock:
                self._busy.discard(key)
                self._dirty.discard(key)


# One coalescer per app (per Deps), dropped with it.
_COALESCERS: dict[int, _Coalescer] = {}


def _summaries_for(deps: Deps) -> _Coalescer:
    key = id(deps)
    found = _COALESCERS.get(key)
    if found is None:
        found = _COALESCERS.setdefault(key, _Coalescer())
        weakref.finalize(deps, _COALESCERS.pop, key, None)
    return found


def _summary_work(deps: Deps, client: WebClient, team_id: str, target: str, *, create: bool) -> None:
    """Post the target's summary (once) or update it with the current count."""
    now = deps.clock()
    slot: submissions.SummarySlot | None
    with deps.sessions.begin() as session:
        waiting = submissions.pending_count(session, team_id=team_id)
        if create:
            slot = submissions.claim_summary(session, team_id=team_id, target_id=target, now=now)
        else:
            slot = next((s for s in submissions.summaries(session, team_id=team_id) if s.target_id == target), None)
    if slot is None:
        return
    message = ui.review_summary_message(waiting)
    if slot.claimed:
        resp = post(client, "review summary", channel=target, message=message)
        with deps.sessions.begin() as session:
            submissions.save_summary(
                session,
                team_id=team_id,
                target_id=target,
                channel_id=resp["channel"] if resp is not None else None,
                ts=resp["ts"] if resp is not None else None,
                now=now,
            )
        if resp is None and target == deps.settings.review_channel:
            # As with cards: a review channel the bot can't post in means the admins' DMs.
            for admin in configured_admins(deps, team_id=team_id):
                _summary_work(deps, client, team_id, admin, create=True)
    elif slot.ts and slot.channel_id:
        update(client, "review summary update", channel=slot.channel_id, ts=slot.ts, message=message)
        if waiting <= REVIEW_CARDS_MAX:
            with deps.sessions.begin() as session:
                submissions.forget_summary(session, team_id=team_id, target_id=target)
    # else: another request is posting it right now, and its post shows the count.


def refresh_summaries(deps: Deps, client: WebClient, team_id: str) -> None:
    """After a decision: existing summaries show the new count."""
    with deps.sessions.begin() as session:
        targets = [s.target_id for s in submissions.summaries(session, team_id=team_id)]
    for target in targets:
        job = functools.partial(_summary_work, deps, client, team_id, target, create=False)
        _summaries_for(deps).request((team_id, target), job)


def _update_cards(client: WebClient, sub: SubmissionView, targets: Sequence[ReviewTarget]) -> None:
    message = ui.decided_message(sub)
    for t in targets:
        update(client, "review card update", channel=t.channel_id, ts=t.ts, message=message)


def announce_decision(
    client: WebClient,
    decision: Decision,
    *,
    pressed: tuple[str | None, str | None] = (None, None),
    confirm: Callable[[str], None] | None = None,
) -> None:
    """Update every copy of the review card, confirm to the admin, DM the submitter.

    ``pressed`` is the (channel, ts) of the card that was pressed, if any: a press on a card
    shows the outcome there; anywhere else (the private ``/quote review`` list, a form) the
    admin gets ``confirm``'s private line instead."""
    sub = decision.submission
    _update_cards(client, sub, decision.review_messages)
    pressed_card = any(t.channel_id == pressed[0] and t.ts == pressed[1] for t in decision.review_messages)
    if confirm is not None and not pressed_card:
        confirm(f"Quote #{sub.id}: {ui.outcome_line(sub)}")
    message = ui.outcome_dm(sub)
    post(client, "outcome DM", channel=sub.submitter_id, message=message)


def after_consent(
    deps: Deps, client: WebClient, sub: SubmissionView, *, channel_id: str | None, message_ts: str | None
) -> None:
    if channel_id and message_ts:
        update(client, "consent card update", channel=channel_id, ts=message_ts, message=ui.consent_answered(sub))
    post(client, "consent DM", channel=sub.submitter_id, message=ui.outcome_dm(sub))
    if sub.status == submissions.PENDING:
        send_to_review(deps, client, sub)


def open_view(client: WebClient, trigger_id: str, view: dict[str, Any]) -> None:
    safely("views.open", client.views_open, trigger_id=trigger_id, view=view)
