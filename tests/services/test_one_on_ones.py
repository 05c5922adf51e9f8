"""1:1 cadences: parsing, who may set one, and which 1:1s are due (real databases)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.db.engine import Sessions
from bot.errors import NotAllowed, UsageError
from bot.services import one_on_ones
from bot.services.managers import NotAManager
from bot.services.one_on_ones import AGENDA_BEFORE, BRIEF_BEFORE, NUDGE_AFTER, Cadence, parse_cadence
from tests.factories import make_manager
from tests.services.coaching_factories import seed_cadence

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # a Monday; Berlin is UTC+1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("weekly tue 10:00", Cadence(1, 1, 10, 0, None)),
        ("tue 10:00", Cadence(1, 1, 10, 0, None)),
        ("biweekly thursday 4pm New York", Cadence(2, 3, 16, 0, "America/New_York")),
        ("every other fri 09:30 Europe/Berlin", Cadence(2, 4, 9, 30, "Europe/Berlin")),
        ("weekly 10:00 mondays", Cadence(1, 0, 10, 0, None)),
    ],
)
def test_parse_cadence_reads_frequency_day_time_and_zone(text: str, expected: Cadence) -> None:
    assert parse_cadence(text) == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("weekly 10:00", "which day"),
        ("weekly tue", "what time"),
        ("weekly tue thu 10:00", "one day"),
        ("weekly tue 25:00", "impossible time"),
        ("weekly tue 10:00 EST", "/coach 1on1 @bob weekly 10:00 America/New_York tue"),
    ],
)
def test_bad_cadences_name_the_problem_and_show_an_example(text: str, words: str) -> None:
    with pytest.raises(UsageError) as err:
        parse_cadence(text, command="/coach 1on1 @bob weekly")
    assert words in err.value.message and "10:00" in err.value.message


def test_only_a_manager_sets_a_cadence_and_never_with_themselves(sessions: Sessions) -> None:
    with pytest.raises(NotAManager):
        seed_cadence(sessions)
    make_manager(sessions, "U1")
    with pytest.raises(UsageError, match="not with yourself"):
        seed_cadence(sessions, rep="U1")


def test_a_rep_has_one_cadence_and_another_manager_is_told_whose_it_is(sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    make_manager(sessions, "U9")
    first = seed_cadence(sessions)
    with pytest.raises(NotAllowed, match="<@U1>"):
        seed_cadence(sessions, manager="U9")
    with sessions.begin() as session:
        assert one_on_ones.get_cadence(session, team_id="T1", rep_id="U2") == first
        # Off: the other manager may take over.
        assert not one_on_ones.stop_cadence(session, team_id="T1", manager_id="U9", rep_id="U2")
        assert one_on_ones.stop_cadence(session, team_id="T1", manager_id="U1", rep_id="U2")
    taken = seed_cadence(sessions, manager="U9")
    assert taken.manager_id == "U9" and taken.schedule_id == first.schedule_id


def test_weekly_meetings_are_due_at_each_offset_once(sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    cadence = seed_cadence(sessions)
    meets = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # Tue 10:00 Berlin
    assert cadence.anchor_on == date(2026, 12, 1)
    grace = timedelta(minutes=5)
    with sessions.begin() as session:
        for offset in (-BRIEF_BEFORE, -AGENDA_BEFORE, NUDGE_AFTER):
            due = one_on_ones.meetings_due(session, offset=offset, at=meets + offset, grace=grace)
            assert [(m.rep_id, m.manager_id, m.meets_at, m.due_at) for m in due] == [
                ("U2", "U1", meets, meets + offset)
            ]
            assert one_on_ones.meetings_due(session, offset=offset, at=meets + offset - grace / 2, grace=grace) == []
        nxt = one_on_ones.meetings_due(
            session, offset=-BRIEF_BEFORE, at=meets + timedelta(days=7) - BRIEF_BEFORE, grace=grace
        )
        assert [m.local_date for m in nxt] == [date(2026, 12, 8)]


def test_biweekly_skips_every_other_week_from_the_first_meeting(sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    cadence = seed_cadence(sessions, "biweekly tue 10:00")
    meets = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    with sessions.begin() as session:
        found = [
            bool(
                one_on_ones.meetings_due(
                    session, offset=timedelta(0), at=meets + timedelta(weeks=w), grace=timedelta(minutes=1)
                )
            )
            for w in range(5)
        ]
    assert found == [True, False, True, False, True]
    assert one_on_ones.next_meeting(cadence, meets) == meets + timedelta(weeks=2)


def test_a_cadence_set_an_hour_before_todays_1on1_sends_its_brief_at_once(sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    set_at = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # 09:00 Berlin, the 1:1 at 10:00
    seed_cadence(sessions, at=set_at)
    with sessions.begin() as session:
        late = one_on_ones.meetings_due(session, offset=-BRIEF_BEFORE, at=set_at, grace=timedelta(hours=2))
    assert [m.due_at for m in late] == [datetime(2026, 12, 1, 7, 0, tzinfo=UTC)]


def test_a_1on1_from_before_the_cadence_was_set_sends_nothing(sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    set_at = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)  # 10:30 Berlin, the 1:1 began at 10:00
    seed_cadence(sessions, at=set_at)
    with sessions.begin() as session:
        for offset in (-BRIEF_BEFORE, -AGENDA_BEFORE, NUDGE_AFTER):
            assert (
                one_on_ones.meetings_due(
                    session, offset=offset, at=set_at + timedelta(hours=1), grace=timedelta(hours=3)
                )
                == []
            )


def test_cadences_are_keyed_by_workspace(sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    seed_cadence(sessions)
    with sessions.begin() as session:
        assert one_on_ones.get_cadence(session, team_id="T2", rep_id="U2") is None
        assert one_on_ones.cadences_of_manager(session, team_id="T2", manager_id="U1") == []
        assert len(one_on_ones.cadences_of_manager(session, team_id="T1", manager_id="U1")) == 1
