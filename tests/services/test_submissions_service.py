"""The submissions service called directly: statuses, duplicates, races, scoping."""

from __future__ import annotations

import random
import threading
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from bot.db.engine import Sessions
from bot.db.models import OptOut, Quote, Submission
from bot.errors import NotAllowed, NotFound, UserError
from bot.services import submissions as svc
from bot.services.quote_input import QuoteInputError

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
TEXT = "Coach the player in front of you, not the one you wish you had."


def submit(sessions: Sessions, text: str = TEXT, **kw: object) -> svc.SubmissionView:
    args: dict[str, object] = {
        "team_id": "T1",
        "enterprise_id": None,
        "submitter_id": "U1",
        "text": text,
        "author": "Jordan Lee",
        "via": "command",
        "now": NOW,
    }
    args.update(kw)
    with sessions.begin() as s:
        return svc.submit(s, **args)  # type: ignore[arg-type]


def approve(sessions: Sessions, sub_id: int, admin: str = "UADMIN", team: str = "T1") -> svc.Decision:
    with sessions.begin() as s:
        return svc.approve(s, team_id=team, submission_id=sub_id, admin_id=admin, actor_is_admin=True, now=NOW)


def test_own_words_go_straight_to_review_and_others_wait_for_consent(sessions: Sessions) -> None:
    assert submit(sessions).status == svc.PENDING
    assert submit(sessions, TEXT + " Twice.", author_user_id="U1").status == svc.PENDING
    assert submit(sessions, TEXT + " Thrice.", author_user_id="U2").status == svc.AWAITING_CONSENT


def test_unknown_tags_are_dropped_and_repeats_removed(sessions: Sessions) -> None:
    assert submit(sessions, tags=["coaching", "nope", "coaching", "vision"]).tags == ("coaching", "vision")


def test_near_duplicate_of_a_pending_submission_is_flagged(sessions: Sessions) -> None:
    first = submit(sessions)
    second = submit(sessions, "Coach the player in front of you, not the one you wished you had!", submitter_id="U2")
    assert second.near_dup is None  # found after the ack, not while the user waits
    with sessions.begin() as s:
        second = svc.flag_near_duplicate(s, team_id="T1", submission_id=second.id)
    assert second.near_dup is not None
    assert (second.near_dup.submission_id, second.near_dup.submitted_by) == (first.id, "U1")
    assert second.near_dup.score >= 90


def test_unrelated_quote_is_not_flagged_and_never_resembles_itself(sessions: Sessions) -> None:
    sub = submit(sessions, "Hire slowly, fire fast, and write everything down.")
    with sessions.begin() as s:
        assert svc.flag_near_duplicate(s, team_id="T1", submission_id=sub.id).near_dup is None


def test_approval_creates_the_team_quote_with_credit(sessions: Sessions) -> None:
    sub = submit(sessions, source="Offsite", tags=["coaching"])
    with sessions.begin() as s:
        decision = svc.approve(
            s,
            team_id="T1",
            submission_id=sub.id,
            admin_id="UADMIN",
            actor_is_admin=True,
            now=NOW,
            rng=random.Random(7),
        )
    with sessions() as s:
        q = s.scalars(select(Quote).where(Quote.submission_id == sub.id)).one()
    assert decision.submission.quote_id == q.id
    assert (q.team_id, q.submitted_by, q.source, q.tags, q.approved_at, q.active) == (
        "T1",
        "U1",
        "Offsite",
        ["coaching"],
        NOW,
        True,
    )
    assert q.curated_key is None and 0 <= q.shuffle_key < 2**31


def test_non_admin_is_refused_before_anything_changes(sessions: Sessions) -> None:
    sub = submit(sessions)
    with pytest.raises(NotAllowed), sessions.begin() as s:
        svc.approve(s, team_id="T1", submission_id=sub.id, admin_id="U2", actor_is_admin=False, now=NOW)
    with pytest.raises(NotAllowed), sessions.begin() as s:
        svc.reject(s, team_id="T1", submission_id=sub.id, admin_id="U2", actor_is_admin=False, now=NOW)
    with sessions() as s:
        assert s.get(Submission, sub.id).status == svc.PENDING  # type: ignore[union-attr]


def test_edited_approval_that_duplicates_the_store_is_refused_and_stays_pending(sessions: Sessions) -> None:
    sub = submit(sessions)
    with pytest.raises(svc.DuplicateQuote), sessions.begin() as s:
        svc.approve(
            s,
            team_id="T1",
            submission_id=sub.id,
            admin_id="UADMIN",
            actor_is_admin=True,
            now=NOW,
            text="The aim of marketing is to make selling superfluous.",
            author="Peter Drucker",
        )
    with sessions() as s:
        assert s.get(Submission, sub.id).status == svc.PENDING  # type: ignore[union-attr]


def test_invalid_edit_is_refused(sessions: Sessions) -> None:
    sub = submit(sessions)
    with pytest.raises(QuoteInputError), sessions.begin() as s:
        svc.approve(
            s, team_id="T1", submission_id=sub.id, admin_id="UADMIN", actor_is_admin=True, now=NOW, text="short"
        )


def test_concurrent_approvals_on_separate_sessions_give_one_outcome(sessions: Sessions) -> None:
    """The first approval holds its row (or write) lock while the second one starts; the
    second waits, then finds the submission decided. Works the same on SQLite and PG."""
    sub = submit(sessions)
    first = sessions()
    first.begin()
    svc.approve(first, team_id="T1", submission_id=sub.id, admin_id="UADMIN", actor_is_admin=True, now=NOW)
    outcome: dict[str, str] = {}

    def second() -> None:
        try:
            approve(sessions, sub.id, admin="UBOSS")
            outcome["second"] = "approved"
        except svc.AlreadyDecided as err:
            outcome["second"] = err.message

    thread = threading.Thread(target=second)
    thread.start()
    thread.join(timeout=0.2)  # give it time to reach the lock; the result doesn't depend on it
    first.commit()
    first.close()
    thread.join(timeout=30)
    assert outcome["second"] == f"Quote #{sub.id} is already approved by <@UADMIN>, so nothing was changed."
    with sessions() as s:
        assert len(s.scalars(select(Quote).where(Quote.submission_id == sub.id)).all()) == 1
        assert s.get(Submission, sub.id).decided_by == "UADMIN"  # type: ignore[union-attr]


def test_reject_after_approve_is_refused(sessions: Sessions) -> None:
    sub = submit(sessions)
    approve(sessions, sub.id)
    with pytest.raises(svc.AlreadyDecided), sessions.begin() as s:
        svc.reject(s, team_id="T1", submission_id=sub.id, admin_id="UBOSS", actor_is_admin=True, now=NOW)


def test_reason_longer_than_the_limit_is_refused(sessions: Sessions) -> None:
    sub = submit(sessions)
    with pytest.raises(UserError) as err, sessions.begin() as s:
        svc.reject(
            s, team_id="T1", submission_id=sub.id, admin_id="UADMIN", actor_is_admin=True, now=NOW, reason="r" * 301
        )
    assert "301 characters" in err.value.message and err.value.block_id == "reason"


def test_other_workspace_sees_nothing(sessions: Sessions) -> None:
    sub = submit(sessions)
    with pytest.raises(NotFound), sessions.begin() as s:
        svc.get_submission(s, team_id="T2", submission_id=sub.id)
    with pytest.raises(NotFound):
        approve(sessions, sub.id, team="T2")
    with sessions() as s:
        assert svc.list_pending(s, team_id="T2").total == 0
        assert svc.list_mine(s, team_id="T2", user_id="U1").total == 0


def test_consent_then_decline_is_final(sessions: Sessions) -> None:
    sub = submit(sessions, author_user_id="U2")
    with sessions.begin() as s:
        declined = svc.answer_consent(s, team_id="T1", submission_id=sub.id, user_id="U2", allow=False, now=NOW)
    assert declined.status == svc.DECLINED
    with pytest.raises(svc.AlreadyDecided), sessions.begin() as s:
        svc.answer_consent(s, team_id="T1", submission_id=sub.id, user_id="U2", allow=True, now=NOW)


def test_declined_quote_can_be_resubmitted_only_with_a_new_consent(sessions: Sessions) -> None:
    sub = submit(sessions, author_user_id="U2")
    with sessions.begin() as s:
        svc.answer_consent(s, team_id="T1", submission_id=sub.id, user_id="U2", allow=False, now=NOW)
    again = submit(sessions, author_user_id="U2", submitter_id="U3")
    assert again.status == svc.AWAITING_CONSENT


def test_opt_out_is_idempotent(sessions: Sessions) -> None:
    with sessions.begin() as s:
        assert not svc.opt_out(s, team_id="T1", user_id="U2", now=NOW).already
    with sessions.begin() as s:
        assert svc.opt_out(s, team_id="T1", user_id="U2", now=NOW).already
    with sessions.begin() as s:
        assert svc.opt_in(s, team_id="T1", user_id="U2")
        assert not svc.opt_in(s, team_id="T1", user_id="U2")


def test_approval_is_refused_if_the_author_opted_out_meanwhile(sessions: Sessions) -> None:
    sub = submit(sessions, author_user_id="U1")  # own words: pending at once
    with sessions.begin() as s:
        s.add(OptOut(team_id="T1", user_id="U1", created_at=NOW))
    with pytest.raises(svc.AuthorOptedOut):
        approve(sessions, sub.id)


def test_lists_are_capped_with_a_total(sessions: Sessions) -> None:
    roomy = svc.Limits(max_pending=100, per_day=100)
    for i in range(svc.LIST_LIMIT + 2):
        submit(sessions, f"Quote number {i} about coaching and leading people well.", limits=roomy)
    with sessions() as s:
        pending = svc.list_pending(s, team_id="T1")
        mine = svc.list_mine(s, team_id="T1", user_id="U1")
    assert (len(pending.items), pending.total) == (svc.LIST_LIMIT, svc.LIST_LIMIT + 2)
    assert pending.items[0].id < pending.items[1].id  # oldest first for review
    assert (len(mine.items), mine.total) == (svc.LIST_LIMIT, svc.LIST_LIMIT + 2)


def test_one_summary_poster_per_target_and_a_dead_ones_claim_expires(sessions: Sessions) -> None:
    from datetime import timedelta

    with sessions.begin() as s:
        first = svc.claim_summary(s, team_id="T1", target_id="UADMIN", now=NOW)
    with sessions.begin() as s:
        second = svc.claim_summary(s, team_id="T1", target_id="UADMIN", now=NOW + timedelta(seconds=30))
        other_target = svc.claim_summary(s, team_id="T1", target_id="UADMIN2", now=NOW)
    assert (first.claimed, second.claimed, other_target.claimed) == (True, False, True)
    # The first poster died before saving its ts: after the timeout, another may post.
    with sessions.begin() as s:
        later = svc.claim_summary(s, team_id="T1", target_id="UADMIN", now=NOW + svc.SUMMARY_CLAIM_TIMEOUT * 2)
    assert later.claimed
    with sessions.begin() as s:
        svc.save_summary(s, team_id="T1", target_id="UADMIN", channel_id="D1", ts="1.1", now=NOW)
    with sessions.begin() as s:
        saved = svc.claim_summary(s, team_id="T1", target_id="UADMIN", now=NOW + timedelta(days=1))
    assert (saved.claimed, saved.channel_id, saved.ts) == (False, "D1", "1.1")
