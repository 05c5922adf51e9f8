"""Schedules: parsing, formatting, local-time maths (DST) and the storage helpers."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.engine import Sessions
from bot.db.models import Schedule
from bot.kinds import ScheduleKind
from bot.services import schedule_spec, schedules, zones
from bot.services.occurrences import next_run, occurrence_due
from bot.services.schedule_input import parse_schedule
from bot.services.schedule_spec import (
    DAY_BITS,
    EVERYDAY,
    WEEKDAYS,
    InvalidSchedule,
    ScheduleSpec,
    format_days,
    format_spec,
)

EXAMPLE = "`/quote daily 09:00 Europe/Berlin weekdays`"
GRACE = timedelta(minutes=120)


def parse(text: str) -> ScheduleSpec:
    return parse_schedule(text, example=EXAMPLE)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# -- parsing ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("09:00 Europe/Berlin weekdays", ScheduleSpec(9, 0, "Europe/Berlin", WEEKDAYS)),
        ("9:00", ScheduleSpec(9, 0, None, WEEKDAYS)),
        ("9am", ScheduleSpec(9, 0, None, WEEKDAYS)),
        ("9:30pm", ScheduleSpec(21, 30, None, WEEKDAYS)),
        ("12am everyday", ScheduleSpec(0, 0, None, EVERYDAY)),
        ("12pm daily", ScheduleSpec(12, 0, None, EVERYDAY)),
        ("9 am", ScheduleSpec(9, 0, None, WEEKDAYS)),
        ("07:45 mon,wed,fri america/new_york", ScheduleSpec(7, 45, "America/New_York", 0b0010101)),
        ("07:45 mon, wed, fri", ScheduleSpec(7, 45, None, 0b0010101)),
        ("08:00 mondays Asia/Tokyo", ScheduleSpec(8, 0, "Asia/Tokyo", DAY_BITS[0])),
        ("08:00 Sunday", ScheduleSpec(8, 0, None, DAY_BITS[6])),
        ("08:00 weekends", ScheduleSpec(8, 0, None, 0b1100000)),
        ("08:00 mon-thu", ScheduleSpec(8, 0, None, 0b0001111)),
        ("08:00 every day UTC", ScheduleSpec(8, 0, "UTC", EVERYDAY)),
    ],
)
def test_parse_schedule_accepts(text: str, expected: ScheduleSpec) -> None:
    assert parse(text) == expected


def test_zone_is_stored_in_canonical_spelling() -> None:
    assert parse("09:00 EUROPE/berlin").tz == "Europe/Berlin"


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("25:99", ["`25:99`", "impossible time"]),
        ("13pm", ["`13pm`", "impossible time"]),
        ("09:00 Mars/Olympus", ["`Mars/Olympus`", "time zone"]),
        ("09:00 funday", ["`funday`", "day"]),
        ("09:00 mon,xyz", ["`xyz`", "day"]),
        ("noon", ["`noon`", "not a time"]),
        ("weekdays", ["time first"]),
        ("9", ["`9`", "ambiguous"]),
        ("09:00 Europe/Berlin America/New_York", ["one time zone"]),
    ],
)
def test_parse_errors_name_the_bad_part_and_show_the_example(text: str, names: list[str]) -> None:
    with pytest.raises(InvalidSchedule) as err:
        parse(text)
    for name in names:
        assert name in err.value.message
    assert EXAMPLE in err.value.message


def test_parse_error_escapes_user_text() -> None:
    with pytest.raises(InvalidSchedule) as err:
        parse("09:00 <!channel>")
    assert "<!channel>" not in err.value.message
    assert "&lt;!channel&gt;" in err.value.message


@pytest.mark.parametrize(
    ("days", "text"),
    [(WEEKDAYS, "weekdays"), (EVERYDAY, "every day"), (0b0010101, "Mon, Wed, Fri"), (DAY_BITS[6], "Sun")],
)
def test_format_days(days: int, text: str) -> None:
    assert format_days(days) == text


def test_format_spec() -> None:
    assert format_spec(ScheduleSpec(9, 0, "Europe/Berlin", WEEKDAYS)) == "09:00 Europe/Berlin, weekdays"


@given(
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    tz=st.sampled_from([None, "Europe/Berlin", "America/New_York", "UTC", "Asia/Kolkata"]),
    days=st.integers(1, EVERYDAY),
)
def test_format_spec_round_trips(hour: int, minute: int, tz: str | None, days: int) -> None:
    spec = ScheduleSpec(hour, minute, tz, days)
    assert parse(format_spec(spec)) == spec
    assert parse(schedule_spec.command_args(spec)) == spec


# -- when things are due -----------------------------------------------------------------

BERLIN_9 = ScheduleSpec(9, 0, "Europe/Berlin", WEEKDAYS)


def test_due_at_the_local_time_on_a_chosen_day() -> None:
    # Monday 2026-11-30, 09:00 CET = 08:00 UTC.
    assert occurrence_due(BERLIN_9, utc(2026, 11, 30, 8, 0), GRACE) == (date(2026, 11, 30), utc(2026, 11, 30, 8, 0))


def test_not_due_before_the_time_or_after_the_grace() -> None:
    assert occurrence_due(BERLIN_9, utc(2026, 11, 30, 7, 59), GRACE) is None
    assert occurrence_due(BERLIN_9, utc(2026, 11, 30, 10, 0), GRACE) is not None
    assert occurrence_due(BERLIN_9, utc(2026, 11, 30, 10, 1), GRACE) is None


def test_weekday_is_judged_in_the_schedules_zone() -> None:
    # 23:30 local on Monday in Los Angeles is already Tuesday in UTC.
    spec = ScheduleSpec(23, 30, "America/Los_Angeles", DAY_BITS[0])
    assert occurrence_due(spec, utc(2026, 12, 1, 7, 30), GRACE) == (date(2026, 11, 30), utc(2026, 12, 1, 7, 30))
    saturday_spec = ScheduleSpec(23, 30, "America/Los_Angeles", DAY_BITS[1])
    assert occurrence_due(saturday_spec, utc(2026, 12, 1, 7, 30), GRACE) is None


def test_not_due_on_an_unchosen_day() -> None:
    assert occurrence_due(BERLIN_9, utc(2026, 12, 5, 8, 0), GRACE) is None  # Saturday


def test_grace_crossing_local_midnight_finds_yesterdays_occurrence() -> None:
    spec = ScheduleSpec(23, 30, "Europe/Berlin", EVERYDAY)
    # 00:30 Berlin on 1 Dec is within two hours of 23:30 on 30 Nov.
    assert occurrence_due(spec, utc(2026, 11, 30, 23, 30), GRACE) == (date(2026, 11, 30), utc(2026, 11, 30, 22, 30))


def test_spring_forward_gap_is_due_at_the_end_of_the_gap() -> None:
    spec = ScheduleSpec(2, 30, "America/New_York", EVERYDAY)
    assert occurrence_due(spec, utc(2027, 3, 14, 6, 59), GRACE) is None
    # 02:30 does not exist on 2027-03-14: due at 03:00 EDT = 07:00 UTC.
    assert occurrence_due(spec, utc(2027, 3, 14, 7, 0), GRACE) == (date(2027, 3, 14), utc(2027, 3, 14, 7, 0))


def test_fall_back_overlap_is_due_at_the_first_occurrence_only() -> None:
    spec = ScheduleSpec(1, 30, "America/New_York", EVERYDAY)
    first = utc(2026, 11, 1, 5, 30)  # 01:30 EDT
    assert occurrence_due(spec, first, GRACE) == (date(2026, 11, 1), first)
    # At the second 01:30 (EST, 06:30 UTC) it is the same occurrence, not a new one.
    assert occurrence_due(spec, utc(2026, 11, 1, 6, 30), GRACE) == (date(2026, 11, 1), first)
    assert occurrence_due(spec, utc(2026, 11, 1, 6, 30), timedelta(minutes=30)) is None


def test_next_run_is_strictly_after() -> None:
    assert next_run(BERLIN_9, utc(2026, 11, 27, 12, 0)) == utc(2026, 11, 30, 8, 0)  # Fri -> Mon
    assert next_run(BERLIN_9, utc(2026, 11, 30, 8, 0)) == utc(2026, 12, 1, 8, 0)
    assert next_run(BERLIN_9, utc(2026, 11, 30, 7, 59)) == utc(2026, 11, 30, 8, 0)


@given(
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    tz=st.sampled_from(["Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"]),
    days=st.integers(1, EVERYDAY),
    start=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2028, 1, 1)),
)
def test_next_run_is_exactly_when_the_next_occurrence_becomes_due(
    hour: int, minute: int, tz: str, days: int, start: datetime
) -> None:
    spec = ScheduleSpec(hour, minute, tz, days)
    after = start.replace(tzinfo=UTC)
    due = next_run(spec, after)
    assert due > after
    found = occurrence_due(spec, due, timedelta(0))
    assert found is not None and found[1] == due
    assert occurrence_due(spec, due - timedelta(seconds=1), timedelta(0)) is None


# -- storage ---------------------------------------------------------------------------


def test_set_schedule_upserts_and_reactivates(sessions: Sessions) -> None:
    with sessions.begin() as s:
        first = schedules.set_schedule(
            s, team_id="T1", enterprise_id=None, kind="quote_channel", target_id="C1", created_by="U1", spec=BERLIN_9
        )
        schedule_id = first.id
        schedules.pause_schedule(s, schedule_id=schedule_id, reason="the channel is archived")
    with sessions.begin() as s:
        again = schedules.set_schedule(
            s,
            team_id="T1",
            enterprise_id=None,
            kind="quote_channel",
            target_id="C1",
            created_by="U2",
            spec=ScheduleSpec(7, 15, "Asia/Tokyo", EVERYDAY),
        )
        assert again.id == schedule_id
    with sessions.begin() as s:
        row = s.get(Schedule, schedule_id)
        assert row is not None
        assert (row.hour, row.minute, row.tz, row.days, row.created_by) == (7, 15, "Asia/Tokyo", EVERYDAY, "U2")
        assert row.active and row.paused_reason is None
        assert s.query(Schedule).count() == 1


def test_get_stop_and_pause(sessions: Sessions) -> None:
    with sessions.begin() as s:
        schedules.set_schedule(
            s, team_id="T1", enterprise_id=None, kind="quote_channel", target_id="C1", created_by="U1", spec=BERLIN_9
        )
    with sessions.begin() as s:
        assert schedules.stop_schedule(s, team_id="T1", kind="quote_channel", target_id="C1") is True
        assert schedules.stop_schedule(s, team_id="T1", kind="quote_channel", target_id="C1") is False
        assert schedules.stop_schedule(s, team_id="T2", kind="quote_channel", target_id="C1") is False
        row = schedules.get_schedule(s, team_id="T1", kind="quote_channel", target_id="C1")
        assert row is not None and not row.active
        assert schedules.get_schedule(s, team_id="T2", kind="quote_channel", target_id="C1") is None
        assert schedules.spec_of(row) == BERLIN_9


def test_stop_team_stops_only_that_workspace(sessions: Sessions) -> None:
    with sessions.begin() as s:
        for team, kind, target in [
            ("T1", "quote_channel", "C1"),
            ("T1", "prompt_dm", "U1"),
            ("T2", "quote_channel", "C9"),
        ]:
            schedules.set_schedule(
                s, team_id=team, enterprise_id=None, kind=kind, target_id=target, created_by="U1", spec=BERLIN_9
            )
    with sessions.begin() as s:
        assert schedules.stop_team(s, team_id="T1") == 2
    with sessions.begin() as s:
        active = {(r.team_id, r.target_id) for r in s.query(Schedule).filter(Schedule.active.is_(True))}
        assert active == {("T2", "C9")}


def test_due_schedules_skips_occurrences_before_the_schedule_was_set(sessions: Sessions) -> None:
    with sessions.begin() as s:
        schedules.set_schedule(
            s,
            team_id="T1",
            enterprise_id=None,
            kind="quote_channel",
            target_id="C1",
            created_by="U1",
            spec=BERLIN_9,
            now=utc(2026, 11, 30, 8, 30),  # set at 09:30 Berlin, after today's 09:00
        )
    with sessions.begin() as s:
        assert schedules.due_schedules(s, kind="quote_channel", at=utc(2026, 11, 30, 8, 45), grace=GRACE) == []
        (due,) = schedules.due_schedules(s, kind="quote_channel", at=utc(2026, 12, 1, 8, 0), grace=GRACE)
    assert due.local_date == date(2026, 12, 1)
    assert due.key.endswith(":2026-12-01")


# -- zones as people type them ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("9:00 Berlin", "Europe/Berlin"),
        ("9am london", "Europe/London"),
        ("09:00 New York", "America/New_York"),
        ("09:00 new_york", "America/New_York"),
        ("09:00 Buenos Aires", "America/Argentina/Buenos_Aires"),  # the old alias collapses into the current name
        ("09:00 Ho Chi Minh City", "Asia/Ho_Chi_Minh"),
        ("09:00 Munich", "Europe/Berlin"),  # a city that is no IANA name
        ("09:00 St. Johns", "America/St_Johns"),
        ("09:00 Zürich", "Europe/Zurich"),
        ("09:00 UTC", "UTC"),
        ("09:00 US/Eastern", "US/Eastern"),  # an IANA name that follows summer time stays accepted
    ],
)
def test_cities_and_iana_names(text: str, zone: str) -> None:
    assert parse(text).tz == zone


@pytest.mark.parametrize(
    ("token", "meant"),
    [
        ("EST", "America/New_York"),
        ("edt", "America/New_York"),
        ("CST", "America/Chicago"),
        ("MST", "America/Denver"),
        ("PST", "America/Los_Angeles"),
        ("CET", "Europe/Berlin"),
        ("GMT", "Europe/London"),
        ("BST", "Europe/London"),
        ("IST", "Asia/Kolkata"),
        ("AEST", "Australia/Sydney"),
        ("JST", "Asia/Tokyo"),
    ],
)
def test_abbreviations_are_refused_with_the_zone_people_mean(token: str, meant: str) -> None:
    with pytest.raises(InvalidSchedule) as err:
        parse_schedule(f"08:15 {token} mon", example=EXAMPLE, command="/quote daily")
    assert f"`{token}` is an abbreviation" in err.value.message
    assert f"Paste this: `/quote daily 08:15 {meant} mon`" in err.value.message
    # What it says to paste parses to the zone it names.
    assert parse(f"08:15 {meant} mon") == ScheduleSpec(8, 15, meant, DAY_BITS[0])


def test_a_bad_day_is_reported_before_the_abbreviation() -> None:
    with pytest.raises(InvalidSchedule) as err:
        parse("09:00 EST someday")
    assert "`someday`" in err.value.message


@pytest.mark.parametrize("token", ["UTC+2", "gmt-5", "+05:30", "UTC+14"])
def test_fixed_offsets_are_refused(token: str) -> None:
    with pytest.raises(InvalidSchedule) as err:
        parse(f"09:00 {token}")
    assert "fixed offset" in err.value.message and "Name the place" in err.value.message


def test_two_places_are_one_too_many_and_named_as_typed() -> None:
    with pytest.raises(InvalidSchedule) as err:
        parse("09:00 Berlin New York")
    assert "not both `Berlin` and `New York`" in err.value.message
    with pytest.raises(InvalidSchedule) as err:
        parse("09:00 EST Europe/Berlin")
    assert "not both `EST` and `Europe/Berlin`" in err.value.message


def test_a_form_zone_field_takes_cities_and_speaks_without_commands() -> None:
    assert zones.zone_from_text(" New York ") == "America/New_York"
    assert zones.zone_from_text("asia/tokyo") == "Asia/Tokyo"
    for text in ("EST", "UTC+1", "Portland", "Berln", "New York mon"):
        with pytest.raises(InvalidSchedule) as err:
            zones.zone_from_text(text)
        assert "/quote" not in err.value.message and "/coach" not in err.value.message


def test_two_schedules_set_for_one_channel_at_once_leave_one_row(sessions: Sessions) -> None:
    """Two `/quote daily` in one channel at the same instant: the second waits for the first,
    then updates its row (before, it clashed on the unique key with an IntegrityError)."""

    def put(session: Session, hour: int, user: str) -> None:
        schedules.set_schedule(
            session,
            team_id="T1",
            enterprise_id=None,
            kind=ScheduleKind.QUOTE_CHANNEL,
            target_id="C1",
            created_by=user,
            spec=ScheduleSpec(hour, 0, "Europe/Berlin", schedule_spec.WEEKDAYS),
        )

    first = sessions()
    first.begin()
    put(first, 9, "U1")
    outcome: dict[str, str] = {}

    def second() -> None:
        try:
            with sessions.begin() as session:
                put(session, 10, "U2")
            outcome["second"] = "saved"
        except Exception as exc:  # the assertion below names what went wrong
            outcome["second"] = repr(exc)

    thread = threading.Thread(target=second)
    thread.start()
    thread.join(timeout=0.2)  # let it reach the lock; the result doesn't depend on it
    first.commit()
    first.close()
    thread.join(timeout=30)
    assert outcome["second"] == "saved"
    with sessions() as session:
        rows = session.scalars(select(Schedule).where(Schedule.target_id == "C1")).all()
        assert [(r.hour, r.created_by) for r in rows] == [(10, "U2")]
