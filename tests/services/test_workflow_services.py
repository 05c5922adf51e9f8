"""What the Workflow Builder steps rest on without Slack: the rep summary's counts and the
execution record that makes Slack's retries of one execution redo nothing (real databases)."""

from __future__ import annotations

import dataclasses
import random
from datetime import date, timedelta

from sqlalchemy import func, select

from bot.db.engine import Sessions
from bot.db.models import FunctionRun, Quote
from bot.services import function_runs, quote_tags, rep_summary, rotation
from bot.services.function_runs import Claim, Outcome
from tests.factories import seed_note
from tests.services.coaching_factories import NOW, rated_note, seed_item

DAY = timedelta(days=1)


def summary(sessions: Sessions, *, author: str = "U1", rep: str = "U2", team_id: str = "T1") -> rep_summary.RepSummary:
    with sessions.begin() as session:
        return rep_summary.rep_summary(session, team_id=team_id, author_id=author, rep_id=rep, now=NOW)


def test_the_summary_counts_the_managers_own_notes_and_items_on_that_rep(sessions: Sessions) -> None:
    seed_note(sessions, created_at=NOW - 40 * DAY)  # outside the 30 days
    seed_note(sessions, created_at=NOW - 20 * DAY)
    seed_note(sessions, created_at=NOW - 2 * DAY, text="secret words")
    # Noise that must not count: another manager, another rep, another workspace.
    seed_note(sessions, author="U9", created_at=NOW)
    seed_note(sessions, rep="U3", created_at=NOW)
    seed_note(sessions, team_id="T2", created_at=NOW)
    seed_item(sessions, due_on=date(2026, 11, 20))  # overdue
    seed_item(sessions, due_on=date(2026, 12, 20))
    seed_item(sessions, status="done")
    seed_item(sessions, assigner="U9")
    got = summary(sessions)
    assert got == rep_summary.RepSummary(
        notes_30d=2, days_since_last_note=2, open_items=2, overdue_items=1, weakest_skill=None
    )
    # Counts only: nothing of a note's text, nor any rating, is a field of the summary.
    assert "secret words" not in repr(got)
    assert {f.name for f in dataclasses.fields(got)} == {
        "notes_30d",
        "days_since_last_note",
        "open_items",
        "overdue_items",
        "weakest_skill",
    }


def test_no_note_yet_means_no_days_since_and_zeros(sessions: Sessions) -> None:
    assert summary(sessions) == rep_summary.RepSummary(0, None, 0, 0, None)


def test_the_weakest_skill_needs_three_ratings_as_the_digest_does(sessions: Sessions) -> None:
    # Demo has the lowest average but only two ratings: naming it would tell them apart.
    rated_note(sessions, skill="demo", rating=1, created_at=NOW - 3 * DAY)
    rated_note(sessions, skill="demo", rating=1, created_at=NOW - 2 * DAY)
    assert summary(sessions).weakest_skill is None
    for n, rating in enumerate([3, 4, 4]):
        rated_note(sessions, skill="discovery", rating=rating, created_at=NOW - (10 - n) * DAY)
    for n, rating in enumerate([5, 5, 4]):
        rated_note(sessions, skill="closing", rating=rating, created_at=NOW - (10 - n) * DAY)
    assert summary(sessions).weakest_skill == "discovery"
    rated_note(sessions, skill="demo", rating=2, created_at=NOW - DAY)  # its third rating
    assert summary(sessions).weakest_skill == "demo"


def claim(sessions: Sessions, execution_id: str = "Fx1", *, team_id: str = "T1", at: timedelta = timedelta()) -> Claim:
    with sessions.begin() as session:
        got = function_runs.claim(
            session, team_id=team_id, execution_id=execution_id, callback_id="log_coaching_note", now=NOW + at
        )
    return got.claim


def test_an_execution_is_claimed_once_and_a_retry_gets_the_same_outcome(sessions: Sessions) -> None:
    assert claim(sessions) is Claim.NEW
    assert claim(sessions, at=timedelta(seconds=2)) is Claim.RUNNING  # the first is still at work
    with sessions.begin() as session:
        function_runs.finish(session, team_id="T1", execution_id="Fx1", outcome=Outcome({"note_id": 4}), now=NOW)
    with sessions.begin() as session:
        again = function_runs.claim(
            session, team_id="T1", execution_id="Fx1", callback_id="log_coaching_note", now=NOW + timedelta(hours=1)
        )
    assert again.claim is Claim.DONE and again.outcome == Outcome(outputs={"note_id": 4})
    # The same execution id in another workspace is another execution.
    assert claim(sessions, team_id="T2") is Claim.NEW


def test_a_failure_is_kept_too_and_a_released_claim_runs_afresh(sessions: Sessions) -> None:
    claim(sessions, "Fx2")
    with sessions.begin() as session:
        function_runs.finish(session, team_id="T1", execution_id="Fx2", outcome=Outcome(error="Pick a rep."), now=NOW)
        function_runs.release(session, team_id="T1", execution_id="Fx2")  # a finished run is never released
    with sessions.begin() as session:
        got = function_runs.claim(session, team_id="T1", execution_id="Fx2", callback_id="x", now=NOW)
    assert got.outcome == Outcome(error="Pick a rep.")
    claim(sessions, "Fx3")
    with sessions.begin() as session:
        function_runs.release(session, team_id="T1", execution_id="Fx3")
    assert claim(sessions, "Fx3") is Claim.NEW


def test_a_claim_left_unfinished_is_lost_after_a_while_and_old_runs_are_forgotten(sessions: Sessions) -> None:
    claim(sessions, "Fx4")
    assert claim(sessions, "Fx4", at=function_runs.STILL_RUNNING) is Claim.LOST
    long_id = "F" * 200  # stored as its hash: it neither fails the insert nor bloats the row
    assert claim(sessions, long_id) is Claim.NEW and claim(sessions, long_id) is Claim.RUNNING
    with sessions.begin() as session:
        gone = function_runs.forget_old_runs(session, now=NOW + timedelta(days=2))
        left = session.scalar(select(func.count()).select_from(FunctionRun))
    assert (gone, left) == (2, 0)


def test_a_tagged_rotation_serves_only_that_tag_without_repeats_and_apart_from_the_daily(sessions: Sessions) -> None:
    with sessions.begin() as session:
        tagged = {q.id for q in session.scalars(select(Quote).where(Quote.team_id.is_(None))) if "coaching" in q.tags}
    assert len(tagged) >= 3
    picked: list[int] = []
    with sessions.begin() as session:
        daily_first = rotation.next_quote(session, team_id="T1", channel_id="C1", rng=random.Random(1))
        for _ in range(len(tagged)):
            got = quote_tags.next_quote(session, team_id="T1", channel_id="C1", tag="coaching", rng=random.Random(2))
            assert got is not None
            picked.append(got)
        untagged = quote_tags.next_quote(session, team_id="T1", channel_id="C1", tag=None, rng=random.Random(1))
    assert set(picked) == tagged and len(picked) == len(tagged)  # every tagged quote once
    assert untagged is not None and untagged != daily_first  # no tag: the daily post's own rotation, advanced
    assert quote_tags.known_tag("coaching") and not quote_tags.known_tag("nope")
    assert len(quote_tags.rotation_kind("leading-vs-managing")) <= 16


def test_a_claim_forgets_executions_older_than_a_day(sessions: Sessions) -> None:
    claim(sessions, "FxOLD")
    assert claim(sessions, "FxNEW", at=timedelta(days=2)) is Claim.NEW
    with sessions.begin() as session:
        assert session.scalars(select(FunctionRun.execution_id)).all() == ["FxNEW"]
