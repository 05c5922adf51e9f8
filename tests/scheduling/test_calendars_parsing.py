"""The calendar words as people type them: holiday codes, `skip holidays XX`, pauses, statuses,
and the settings. Pure functions, tested directly (the engine tests are beside this file)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.config import DEFAULT_AWAY_EMOJI, DEFAULT_AWAY_WORDS, ConfigError, Settings
from bot.db.models import Schedule
from bot.services import away as away_status
from bot.services import holiday_calendars, pauses
from bot.services.holiday_calendars import InvalidCalendar
from bot.services.pauses import InvalidPause
from bot.services.schedule_spec import WEEKDAYS

# -- holiday codes -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("DE", "DE"),
        ("de", "DE"),
        ("DE-BY", "DE-BY"),
        ("de-by", "DE-BY"),
        ("DE-Bayern", "DE-BY"),
        ("DE–BY", "DE-BY"),  # an en dash, as phones type it
        ("DE_BY", "DE-BY"),
        ("US", "US"),
        ("US-CA", "US-CA"),
        ("us-ny", "US-NY"),
        ("UK", "GB"),
        ("GB-SCT", "GB-SCT"),
        ("Germany", "DE"),
        ("DEU", "DE"),
        ("USA", "US"),
        ("AU-NSW", "AU-NSW"),
        ("CA-ON", "CA-ON"),
        ("FR", "FR"),
        ("JP", "JP"),
        ("IN", "IN"),
        ("BR", "BR"),
        ("CH-ZH", "CH-ZH"),
        ("D\u0415", "DE"),  # a Cyrillic "Е"
        ("D\u00ade", "DE"),  # a soft hyphen
        (" de ", "DE"),
        ("none", None),
        ("NONE", None),
    ],
)
def test_calendar_codes_people_type(typed: str, code: str | None) -> None:
    assert holiday_calendars.parse_calendar(typed) == code


@pytest.mark.parametrize(
    ("typed", "named", "nearest"),
    [
        ("XX", "`XX` is not a country", ["MX", "AX", "CX"]),
        ("Germny", "`Germny` is not a country", ["DE"]),
        ("Deutschland", "`Deutschland` is not a country", ["DE"]),
        ("DE-XY", "`XY` is not a region of Germany", ["DE-BY", "DE-BB", "DE-BE"]),
        ("US-Cali", "`Cali` is not a region of United States", ["US-CA"]),
        ("IS-XX", "has no regional holiday calendars", ["IS"]),
    ],
)
def test_an_unknown_calendar_names_the_problem_and_the_nearest_codes(
    typed: str, named: str, nearest: list[str]
) -> None:
    with pytest.raises(InvalidCalendar) as err:
        holiday_calendars.parse_calendar(typed)
    assert named in err.value.message
    assert list(err.value.nearest[: len(nearest)]) == nearest
    for code in nearest:
        assert f"`{code}`" in err.value.message


def test_an_unknown_calendar_shows_a_correct_example() -> None:
    with pytest.raises(InvalidCalendar) as err:
        holiday_calendars.parse_calendar("XX")
    assert "`skip holidays DE`" in err.value.message and "`skip holidays DE-BY`" in err.value.message


def test_what_is_echoed_back_is_escaped_and_short() -> None:
    with pytest.raises(InvalidCalendar) as err:
        holiday_calendars.parse_calendar("<!channel>&" + "x" * 5000)
    assert "<!channel>" not in err.value.message and "&lt;!channel&gt;&amp;" in err.value.message
    assert len(err.value.message) < 600


def test_labels_name_country_and_region() -> None:
    assert holiday_calendars.calendar_label("DE-BY") == "Germany, Bayern (DE-BY)"
    assert holiday_calendars.calendar_label("US") == "United States (US)"
    assert holiday_calendars.calendar_label(None) == "no holiday calendar"


def test_holidays_are_those_of_the_region() -> None:
    epiphany = date(2027, 1, 6)
    assert holiday_calendars.is_holiday("DE-BY", epiphany) and not holiday_calendars.is_holiday("DE", epiphany)
    assert holiday_calendars.holiday_name("DE", date(2026, 12, 26)) == "Second Day of Christmas"
    assert holiday_calendars.holiday_name("US", date(2026, 11, 26)) == "Thanksgiving Day"
    assert not holiday_calendars.is_holiday(None, date(2026, 12, 25))


def test_the_next_three_skipped_dates() -> None:
    assert holiday_calendars.next_skipped("DE", "Europe/Berlin", date(2026, 12, 1)) == [
        (date(2026, 12, 25), "Christmas Day"),
        (date(2026, 12, 26), "Second Day of Christmas"),
        (date(2027, 1, 1), "New Year's Day"),
    ]
    # On weekdays only: 26 Dec 2026 is a Saturday, so it is not a skipped post.
    weekdays = holiday_calendars.next_skipped("DE", "Europe/Berlin", date(2026, 12, 1), days=WEEKDAYS)
    assert [d for d, _ in weekdays] == [date(2026, 12, 25), date(2027, 1, 1), date(2027, 3, 26)]
    # An instant is read in the schedule's zone: 23:30 UTC on the 24th is the 25th in Berlin.
    late = holiday_calendars.next_skipped("DE", "Europe/Berlin", datetime(2026, 12, 24, 23, 30, tzinfo=UTC), n=1)
    assert late == [(date(2026, 12, 25), "Christmas Day")]
    assert holiday_calendars.next_skipped(None, "Europe/Berlin", date(2026, 12, 1)) == []


def test_the_confirmation_text_names_the_calendar_and_the_next_three_skips() -> None:
    text = holiday_calendars.calendar_summary(
        "DE-BY", tz="Europe/Berlin", now=datetime(2026, 12, 1, 8, 0, tzinfo=UTC), days=WEEKDAYS
    )
    assert text == (
        "Skips public holidays in Germany, Bayern (DE-BY). Next skipped: Fri 25 Dec 2026 (Christmas Day); "
        "Fri 1 Jan 2027 (New Year's Day); Wed 6 Jan 2027 (Epiphany)."
    )
    assert "no holiday calendar" in holiday_calendars.calendar_summary(
        None, tz="UTC", now=datetime(2026, 12, 1, tzinfo=UTC)
    )


# -- the option words ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "option", "rest"),
    [
        ("09:00 Europe/Berlin weekdays skip holidays DE", "DE", "09:00 Europe/Berlin weekdays"),
        ("09:00 skip holidays de-by Europe/Berlin", "DE-BY", "09:00 Europe/Berlin"),
        ("9am Skip Holiday us", "US", "9am"),
        ("09:00 skip holidays none", "none", "09:00"),
        ("09:00 Europe/Berlin weekdays", None, "09:00 Europe/Berlin weekdays"),
        ("pause until 2027-01-04", None, "pause until 2027-01-04"),
    ],
)
def test_split_calendar_option(words: str, option: str | None, rest: str) -> None:
    assert holiday_calendars.split_calendar_option(words.split()) == (option, rest.split())


@pytest.mark.parametrize(
    ("words", "problem"),
    [
        ("09:00 skip", "`skip` takes `holidays`"),
        ("09:00 skip weekends", "`skip` takes `holidays`"),
        ("09:00 skip holidays", "Say which holidays"),
        ("09:00 skip holidays DE skip holidays US", "one holiday calendar, not two"),
        ("09:00 skip holidays XX", "`XX` is not a country"),
    ],
)
def test_split_calendar_option_refuses_with_an_example(words: str, problem: str) -> None:
    with pytest.raises(InvalidCalendar) as err:
        holiday_calendars.split_calendar_option(words.split())
    assert problem in err.value.message and "`skip holidays DE`" in err.value.message


def test_which_calendar_a_schedule_gets() -> None:
    choose = holiday_calendars.calendar_for_schedule
    assert choose(None, default="US", current=None, is_new=True) == "US"  # the workspace default
    assert choose(None, default="US", current=None, is_new=False) is None  # an existing one keeps its own
    assert choose(None, default="US", current="DE", is_new=False) == "DE"
    assert choose("none", default="US", current="DE", is_new=False) is None
    assert choose("DE-BY", default="US", current=None, is_new=True) == "DE-BY"
    assert choose(None, default=None, current=None, is_new=True) is None


# -- pauses --------------------------------------------------------------------------------

TODAY = date(2026, 12, 1)


@pytest.mark.parametrize(
    ("typed", "until"),
    [
        ("until 2027-01-04", date(2027, 1, 4)),
        ("2027-01-04", date(2027, 1, 4)),
        ("until 2027-1-4", date(2027, 1, 4)),
        ("2w", date(2026, 12, 15)),
        ("2 weeks", date(2026, 12, 15)),
        ("10d", date(2026, 12, 11)),
        ("1m", date(2027, 1, 1)),
        ("12m", date(2027, 12, 1)),
        ("52w", date(2027, 11, 30)),
        ("365d", date(2027, 12, 1)),
        ("1y", date(2027, 12, 1)),
        ("\uff11\uff10d", date(2026, 12, 11)),  # fullwidth digits
        ("UNTIL 2026-12-02", date(2026, 12, 2)),
    ],
)
def test_pauses_people_type(typed: str, until: date) -> None:
    assert pauses.parse_pause(typed, today=TODAY) == until


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("until 2026-11-01", "2026-11-01 is in the past"),
        ("until 2026-12-01", "2026-12-01 is today"),
        ("13m", "more than a year away"),
        ("366d", "more than a year away"),
        ("2 years", "more than a year away"),
        ("9999y", "more than a year away"),
        ("9999w", "more than a year away"),
        ("2027-12-02", "more than a year away"),
        ("0d", "at least a day"),
        ("until", "Say until when"),
        ("", "Say until when"),
        ("2027-02-30", "not a date in the calendar"),
        ("tomorrow", "`tomorrow` is not a date or a span"),
        ("<!here>", "`&lt;!here&gt;` is not a date"),
    ],
)
def test_pauses_refused_with_a_clear_message(typed: str, problem: str) -> None:
    with pytest.raises(InvalidPause) as err:
        pauses.parse_pause(typed, today=TODAY)
    assert problem in err.value.message
    assert "pause until" in err.value.message or "`off`" in err.value.message


def test_pause_and_resume_on_a_schedule_row() -> None:
    row = Schedule(team_id="T1", kind="quote_channel", target_id="C1", created_by="U1", hour=9, minute=0, tz="UTC")
    pauses.pause_schedule_until(row, date(2027, 1, 4), "U2")
    assert (row.paused_until, row.paused_by) == (date(2027, 1, 4), "U2")
    assert pauses.pause_summary(row, today=TODAY) == (
        "Paused until Mon 4 Jan 2027 by <@U2>: it posts again that day by itself."
    )
    assert pauses.pause_summary(row, today=date(2027, 1, 4)) is None  # the pause has run out
    assert pauses.resume_schedule(row) is True
    assert (row.paused_until, row.paused_by) == (None, None)
    assert pauses.pause_summary(row, today=TODAY) is None
    assert pauses.resume_schedule(row) is False


def test_set_calendar_stores_the_canonical_code_and_refuses_unknown_ones() -> None:
    row = Schedule(team_id="T1", kind="quote_channel", target_id="C1", created_by="U1", hour=9, minute=0, tz="UTC")
    assert holiday_calendars.set_calendar(row, "de-bayern") == "DE-BY" and row.holidays == "DE-BY"
    with pytest.raises(InvalidCalendar):
        holiday_calendars.set_calendar(row, "XX")
    assert row.holidays == "DE-BY"  # unchanged
    assert holiday_calendars.set_calendar(row, "none") is None and row.holidays is None


def test_today_is_the_schedules_local_date() -> None:
    late_evening_utc = datetime(2026, 12, 1, 23, 30, tzinfo=UTC)
    assert pauses.local_today("Asia/Tokyo", late_evening_utc) == date(2026, 12, 2)
    assert pauses.local_today("America/New_York", late_evening_utc) == date(2026, 12, 1)


def test_months_end_on_the_last_day_of_short_months() -> None:
    assert pauses.add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert pauses.add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert pauses.add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)


# -- away ----------------------------------------------------------------------------------

RULES = away_status.AwayRules.of(DEFAULT_AWAY_EMOJI, DEFAULT_AWAY_WORDS)
NOON = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("emoji", "text", "away"),
    [
        (":palm_tree:", "Vacationing", True),
        (":airplane:", "", True),
        (":face_with_thermometer:", "", True),
        (":house_with_garden:", "", True),
        (":Palm_Tree:", "", True),
        ("", "on holiday", True),
        ("", "HOLIDAYS!", True),
        ("", "ooo", True),
        ("", "Out   of\toffice", True),
        ("", "sick leave", True),
        ("", "Parental Leave until March", True),
        ("", "Vac\u0430tion", True),  # a Cyrillic "а"
        ("", "", False),
        (":coffee:", "Focus time", False),
        ("", "Oooh, a new deal", False),
        ("", "homesick", False),
        ("", "Quota 1,000,000", False),
    ],
)
def test_is_away(emoji: str, text: str, away: bool) -> None:
    found = away_status.is_away(status_emoji=emoji, status_text=text, status_expiration=0, at=NOON, rules=RULES)
    assert found is away


def test_an_expired_status_is_not_away() -> None:
    past, future = int(NOON.timestamp()) - 1, int(NOON.timestamp()) + 3600
    for expiration, away in ((past, False), (future, True)):
        assert (
            away_status.is_away(
                status_emoji=":palm_tree:", status_text="", status_expiration=expiration, at=NOON, rules=RULES
            )
            is away
        )


def test_deferred_to_the_next_working_day_at_the_same_local_time_across_a_clock_change() -> None:
    # Friday 27 March 2026 09:00 in Berlin is 08:00 UTC (CET); Monday 30 March 09:00 is CEST.
    friday_9 = datetime(2026, 3, 27, 8, 0, tzinfo=UTC)
    assert away_status.deferred_until(friday_9, tz="Europe/Berlin", calendar=None) == datetime(
        2026, 3, 30, 7, 0, tzinfo=UTC
    )
    # Maundy Thursday 2026 (2 April) in Berlin: Good Friday and Easter Monday are holidays.
    thursday_9 = datetime(2026, 4, 2, 7, 0, tzinfo=UTC)
    assert away_status.deferred_until(thursday_9, tz="Europe/Berlin", calendar="DE") == datetime(
        2026, 4, 7, 7, 0, tzinfo=UTC
    )


# -- settings ------------------------------------------------------------------------------


def test_settings_defaults() -> None:
    settings = Settings.from_env({})
    assert settings.holidays is None
    assert settings.away_emoji == ("palm_tree", "airplane", "face_with_thermometer", "house_with_garden")
    assert settings.away_words == ("vacation", "holiday", "OOO", "out of office", "sick", "parental leave")


def test_settings_read_the_calendar_and_the_away_lists() -> None:
    settings = Settings.from_env(
        {"COACHBOT_HOLIDAYS": "de-by", "COACHBOT_AWAY_EMOJI": ":sun:, palm_tree", "COACHBOT_AWAY_WORDS": "offsite"}
    )
    assert settings.holidays == "DE-BY"
    assert (settings.away_emoji, settings.away_words) == (("sun", "palm_tree"), ("offsite",))
    assert Settings.from_env({"COACHBOT_AWAY_WORDS": "none"}).away_words == ()


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"COACHBOT_HOLIDAYS": "XX"}, "COACHBOT_HOLIDAYS='XX' is not a holiday calendar I know (nearest: MX, AX, CX)"),
        ({"COACHBOT_HOLIDAYS": "DE-XY"}, "(nearest: DE-BY, DE-BB, DE-BE)"),
        ({"COACHBOT_AWAY_EMOJI": "<!here>"}, "COACHBOT_AWAY_EMOJI has '<!here>', which is not an emoji name"),
    ],
)
def test_bad_settings_name_the_variable_and_a_fix(env: dict[str, str], says: str) -> None:
    with pytest.raises(ConfigError) as err:
        Settings.from_env(env)
    assert says in str(err.value) and "\n" not in str(err.value)


# -- anything at all -------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_calendar_text_is_a_known_code_or_a_clear_refusal(text: str) -> None:
    try:
        code = holiday_calendars.parse_calendar(text)
    except InvalidCalendar as err:
        assert err.message and "<!" not in err.message
        return
    assert code is None or holiday_calendars.parse_calendar(code) == code  # canonical, and stable


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_any_pause_text_is_a_date_within_a_year_or_a_clear_refusal(text: str) -> None:
    try:
        until = pauses.parse_pause(text, today=TODAY)
    except InvalidPause as err:
        assert err.message and "<!" not in err.message
        return
    assert TODAY < until <= date(2027, 12, 1)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30), st.text(max_size=80), st.integers(min_value=-(2**40), max_value=2**40))
def test_any_status_is_judged_and_an_expired_one_never_counts(emoji: str, text: str, expiration: int) -> None:
    away = away_status.is_away(status_emoji=emoji, status_text=text, status_expiration=expiration, at=NOON, rules=RULES)
    assert isinstance(away, bool)
    if 0 < expiration <= NOON.timestamp():
        assert away is False
