"""Schedule parsing edges found by the hostile-input table."""

from __future__ import annotations

import pytest

from bot.services.schedule_input import parse_schedule
from bot.services.schedule_spec import InvalidSchedule
from bot.services.zones import canonical_zone

EXAMPLE = "`/quote daily 09:00 Europe/Berlin weekdays`"


@pytest.mark.parametrize("zone", ["localtime", "Factory", "posix/Europe/Berlin", "right/UTC"])
def test_server_dependent_and_duplicate_zone_names_are_not_zones(zone: str) -> None:
    assert canonical_zone(zone) is None
    with pytest.raises(InvalidSchedule):
        parse_schedule(f"09:00 {zone}", example=EXAMPLE)


def test_real_zones_are_canonicalised_case_insensitively() -> None:
    assert canonical_zone("europe/berlin") == "Europe/Berlin"
    assert canonical_zone("UTC") == "UTC"


def test_a_huge_bad_token_is_echoed_short() -> None:
    with pytest.raises(InvalidSchedule) as err:
        parse_schedule("x" * 10_000, example=EXAMPLE)
    assert len(err.value.message) < 400
    assert EXAMPLE in err.value.message
