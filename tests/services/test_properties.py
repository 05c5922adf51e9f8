"""Property tests for the parsers users type into: never crash, always round-trip."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.services import schedule_input, schedule_spec
from bot.services.schedule_spec import InvalidSchedule, ScheduleSpec

EXAMPLE = "`/quote daily 09:00 Europe/Berlin weekdays`"
ZONES = ["Europe/Berlin", "America/New_York", "Asia/Tokyo", "UTC", "Australia/Lord_Howe", "America/St_Johns"]

specs = st.builds(
    ScheduleSpec,
    hour=st.integers(0, 23),
    minute=st.integers(0, 59),
    tz=st.one_of(st.none(), st.sampled_from(ZONES)),
    days=st.integers(1, 127),
)
WORDS = [
    "9am",
    "09:00",
    "25:99",
    "mon",
    "weekdays",
    "Europe/Berlin",
    "Mars/Olympus",
    "every",
    "day",
    "pm",
    ",",
    "-",
    "<!channel>",
]


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(specs)
def test_schedule_format_then_parse_round_trips(spec: ScheduleSpec) -> None:
    assert schedule_input.parse_schedule(schedule_spec.command_args(spec), example=EXAMPLE) == spec
    assert schedule_input.parse_schedule(schedule_spec.format_spec(spec), example=EXAMPLE) == spec


@settings(max_examples=500)
@given(st.one_of(st.text(max_size=80), st.lists(st.sampled_from(WORDS), max_size=6).map(" ".join)))
def test_schedule_parser_raises_only_its_own_error(text: str) -> None:
    try:
        spec = schedule_input.parse_schedule(text, example=EXAMPLE)
    except InvalidSchedule as err:
        assert EXAMPLE in err.message or "`" in err.message
        assert "<!channel>" not in err.message
        return
    assert 0 <= spec.hour <= 23 and 0 <= spec.minute <= 59 and 1 <= spec.days <= 127
    again = schedule_input.parse_schedule(schedule_spec.command_args(spec), example=EXAMPLE)
    assert again == spec
