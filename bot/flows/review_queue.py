"""Putting a submission in front of the reviewers: a card per review target, or, while more
than ``REVIEW_CARDS_MAX`` quotes wait, one summary per target, updated in place.

Shared by both quote flows: a new submission (``submit_quote``) and one the quoted member
allowed (``decide_quote``) go to review here; a decision refreshes the summaries. Everything
here runs after the ack; the Slack calls are in ``bot.gateway.review``.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
import weakref
from collections.abc import Callable

from slack_sdk import WebClient

from bot.deps import Deps
from bot.gateway import review as slack
from bot.gateway.roles import configured_admins
from bot.services import submissions
from bot.services.submissions import REVIEW_CARDS_MAX, ReviewTarget, SubmissionView

log = logging.getLogger(__name__)


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
    posted: list[ReviewTarget] = []
    channel = deps.settings.review_channel
    for targets in ([channel] if channel else [], configured_admins(deps, team_id=sub.team_id)):
        for target in targets:
            card = slack.post_review_card(client, sub, target=target)
            if card is not None:
                posted.append(card)
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
        slack.update_review_cards(client, current, posted)


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
    if slot.claimed:
        posted = slack.post_review_summary(client, target=target, waiting=waiting)
        with deps.sessions.begin() as session:
            submissions.save_summary(
                session,
                team_id=team_id,
                target_id=target,
                channel_id=posted.channel_id if posted is not None else None,
                ts=posted.ts if posted is not None else None,
                now=now,
            )
        if posted is None and target == deps.settings.review_channel:
            # As with cards: a review channel the bot can't post in means the admins' DMs.
            for admin in configured_admins(deps, team_id=team_id):
                _summary_work(deps, client, team_id, admin, create=True)
    elif slot.ts and slot.channel_id:
        slack.update_review_summary(client, channel_id=slot.channel_id, ts=slot.ts, waiting=waiting)
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
