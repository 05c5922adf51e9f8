"""Action items and leaders, through the services on real databases."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.db.engine import Sessions
from bot.db.models import Schedule
from bot.errors import NotAllowed, NotFound, UsageError
from bot.services import action_items, leaders
from bot.services.action_items import ActionItemGone
from tests.factories import seed_note
from tests.services.coaching_factories import NOW, digest_schedule, seed_item


def _create(sessions: Sessions, **kw: object) -> action_items.ActionItemView:
    base: dict[str, object] = dict(
        team_id="T1",
        enterprise_id=None,
        assigner_id="U1",
        rep_id="U2",
        rep_tz="America/New_York",
        text="Send the Acme recap",
        due_on=date(2026, 12, 4),
        now=NOW,
    )
    base.update(kw)
    with sessions.begin() as session:
        return action_items.create_action_item(session, **base)  # type: ignore[arg-type]


def test_the_rep_acknowledges_then_finishes_and_the_manager_is_told_once(sessions: Sessions) -> None:
    item = _create(sessions)
    assert item.status == "open"
    with sessions.begin() as session:
        got = action_items.acknowledge(session, team_id="T1", item_id=item.id, user_id="U2", now=NOW)
        assert (got.status, got.acknowledged_at) == ("acknowledged", NOW)
        later = NOW + timedelta(hours=2)
        first = action_items.complete(session, team_id="T1", item_id=item.id, user_id="U2", now=later)
        again = action_items.complete(session, team_id="T1", item_id=item.id, user_id="U2", now=later)
        assert (first.notify, first.item.status, first.item.done_at) == ("U1", "done", later)
        assert again.notify is None
        # "Got it" after Done changes nothing.
        assert (
            action_items.acknowledge(session, team_id="T1", item_id=item.id, user_id="U2", now=later).status == "done"
        )


def test_only_the_rep_moves_an_item_and_other_workspaces_see_nothing(sessions: Sessions) -> None:
    item = _create(sessions)
    with sessions.begin() as session:
        for user in ("U1", "U3", "UADMIN"):  # the manager, another rep, an admin
            with pytest.raises(NotAllowed, match=f"Action item #{item.id} is <@U2>'s to mark"):
                action_items.complete(session, team_id="T1", item_id=item.id, user_id=user, now=NOW)
        with pytest.raises(ActionItemGone, match=f"Action item #{item.id} was removed"):
            action_items.complete(session, team_id="T2", item_id=item.id, user_id="U2", now=NOW)
        for bad in (0, -1, 2**31, 99999):
            with pytest.raises(NotFound, match="was removed"):
                action_items.acknowledge(session, team_id="T1", item_id=bad, user_id="U2", now=NOW)


def test_after_delete_all_the_reps_buttons_answer_removed(sessions: Sessions) -> None:
    item = _create(sessions)
    with sessions.begin() as session:
        action_items.record_dm(session, team_id="T1", item_id=item.id, channel_id="DU2", ts="1.0")
        assert action_items.delete_all_action_items(session, team_id="T1", assigner_id="U1") == 1
    with sessions.begin() as session, pytest.raises(ActionItemGone, match="removed by whoever assigned it"):
        action_items.complete(session, team_id="T1", item_id=item.id, user_id="U2", now=NOW)


def test_text_limits_and_the_flood_cap(sessions: Sessions) -> None:
    with pytest.raises(UsageError, match="Write what the rep should do"):
        _create(sessions, text=" \x00 ")
    with pytest.raises(UsageError, match="1,001 characters; the limit is 1,000"):
        _create(sessions, text="a" * 1001)
    # The rep's daily DM budget is raised here: this is the open-items cap's test.
    roomy = action_items.MAX_OPEN_PER_REP * 2
    assert _create(sessions, text="a" * 1000, dms_per_day=roomy).text == "a" * 1000
    for n in range(action_items.MAX_OPEN_PER_REP - 1):
        _create(sessions, text=f"item {n}", dms_per_day=roomy)
    with pytest.raises(UsageError, match="already has 25 unfinished action items from you"):
        _create(sessions, text="one too many", dms_per_day=roomy)
    # Another rep, and another manager on the same rep, are not capped by these.
    assert _create(sessions, rep_id="U3").rep_id == "U3"
    assert _create(sessions, assigner_id="U9", dms_per_day=roomy).assigner_id == "U9"


def test_linking_a_note_needs_the_assigners_own_note(sessions: Sessions) -> None:
    mine = seed_note(sessions)
    theirs = seed_note(sessions, author="U9")
    assert _create(sessions, note_id=mine).note_id == mine
    with pytest.raises(NotFound, match=f"Note #{theirs} no longer exists"):
        _create(sessions, note_id=theirs)


def test_todos_lists_mine_open_and_what_i_assigned_with_status(sessions: Sessions) -> None:
    now = datetime(2026, 12, 5, 15, 0, tzinfo=UTC)  # 10:00 in New York
    late = seed_item(sessions, assigner="U9", rep="U1", due_on=date(2026, 12, 4))
    today = seed_item(sessions, assigner="U9", rep="U1", due_on=date(2026, 12, 5), status="acknowledged")
    undated = seed_item(sessions, assigner="U9", rep="U1")
    seed_item(sessions, assigner="U9", rep="U1", status="done")  # done: not in my open list
    seed_item(sessions, assigner="U9", rep="U1", team_id="T2")  # other workspace
    gave_done = seed_item(sessions, assigner="U1", rep="U2", status="done", created_at=NOW + timedelta(days=1))
    gave_open = seed_item(sessions, assigner="U1", rep="U3", due_on=date(2026, 12, 1))
    with sessions.begin() as session:
        todos = action_items.list_action_items(session, team_id="T1", user_id="U1", now=now)
    assert [i.id for i in todos.assigned_to_me] == [late, today, undated]
    assert [i.overdue(now) for i in todos.assigned_to_me] == [True, False, False]
    assert [i.id for i in todos.assigned_by_me] == [gave_open, gave_done]  # unfinished first
    assert (todos.to_me_total, todos.by_me_total) == (3, 2)


def test_overdue_is_the_reps_local_date(sessions: Sessions) -> None:
    due = date(2026, 12, 4)
    # 2026-12-05 03:00 UTC: already the 5th in Berlin (overdue), still the 4th in New York.
    at = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)
    assert action_items.is_overdue(due, "open", "Europe/Berlin", at) is True
    assert action_items.is_overdue(due, "open", "America/New_York", at) is False
    assert action_items.is_overdue(due, "done", "Europe/Berlin", at) is False
    assert action_items.is_overdue(None, "open", "Europe/Berlin", at) is False
    seed_item(sessions, rep="U2", due_on=due, rep_tz="Europe/Berlin")
    seed_item(sessions, rep="U2", due_on=due, rep_tz="America/New_York")
    seed_item(sessions, rep="U2", due_on=due, rep_tz="Europe/Berlin", status="done")
    with sessions.begin() as session:
        counts = action_items.counts_for_rep(session, team_id="T1", assigner_id="U1", rep_id="U2", now=at)
    assert (counts.open, counts.overdue) == (2, 1)


# --- leaders ---------------------------------------------------------------------------------


def test_admins_name_and_remove_leaders_and_admins_count_as_leaders(sessions: Sessions) -> None:
    with sessions.begin() as session:
        change = leaders.add_leaders(
            session,
            team_id="T1",
            enterprise_id=None,
            user_ids=["U5", "U6", "U5"],
            added_by="UADMIN",
            is_admin=True,
            now=NOW,
        )
        assert (change.changed, change.unchanged) == (("U5", "U6"), ())
        again = leaders.add_leaders(
            session, team_id="T1", enterprise_id=None, user_ids=["U5"], added_by="UADMIN", is_admin=True, now=NOW
        )
        assert again.unchanged == ("U5",)
        assert leaders.list_leaders(session, team_id="T1") == ["U5", "U6"]
        assert leaders.list_leaders(session, team_id="T2") == []
        assert leaders.is_leader(session, team_id="T1", user_id="U5", is_admin=False)
        assert not leaders.is_leader(session, team_id="T2", user_id="U5", is_admin=False)
        assert leaders.is_leader(session, team_id="T1", user_id="UADMIN", is_admin=True)
        with pytest.raises(NotAllowed, match="The coaching digest is for leaders"):
            leaders.ensure_leader(session, team_id="T1", user_id="U1", is_admin=False)
        with pytest.raises(NotAllowed, match="Only admins can name leaders"):
            leaders.add_leaders(
                session, team_id="T1", enterprise_id=None, user_ids=["U1"], added_by="U5", is_admin=False, now=NOW
            )
        with pytest.raises(NotAllowed, match="Only admins can name leaders"):
            leaders.remove_leaders(session, team_id="T1", user_ids=["U6"], is_admin=False)
    assert digest_schedule(sessions, leader="U5", hour=8, tz="UTC", days=1)
    with sessions.begin() as session:
        removed = leaders.remove_leaders(session, team_id="T1", user_ids=["U5", "U7"], is_admin=True)
        assert (removed.changed, removed.unchanged) == (("U5",), ("U7",))
    with sessions.begin() as session:
        schedule = session.scalars(select(Schedule).where(Schedule.target_id == "U5")).one()
        assert (schedule.active, schedule.paused_reason) == (False, "no longer a leader")
        assert leaders.list_leaders(session, team_id="T1") == ["U6"]
