"""Daily quote delivery through run_due, against the fake Slack Web API and a real database.

Every test drives ``run_due`` at injected instants and asserts on the fake's channel
histories (what people would see) and on the ``deliveries`` rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from bot.blocks import Message
from bot.bootstrap import build_deps
from bot.db.engine import Sessions
from bot.db.models import Delivery, Quote, Schedule
from bot.deps import Deps
from bot.gateway.posting import METADATA_EVENT
from bot.scheduling.kinds import Occurrence
from bot.scheduling.quote_kind import QuoteKind
from bot.scheduling.run import run_due
from bot.services import schedules
from bot.services.schedules import EVERYDAY, WEEKDAYS, ScheduleSpec
from bot.services.text import norm_key
from tests.conftest import make_settings
from tests.fakes.slack_api import FakeSlack
from tests.harness import TestClock

BERLIN_9 = ScheduleSpec(9, 0, "Europe/Berlin", WEEKDAYS)
MONDAY_9_BERLIN = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
# Message ts values from the fake start here, after every instant these tests use, as
# real posts are always newer than their due time (reconciliation reads from there).
FAKE_TS_BASE = int(datetime(2028, 1, 1, tzinfo=UTC).timestamp())


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = FakeSlack(ts_base=FAKE_TS_BASE)
    fake.start()
    fake.add_user("U1", name="ada", real_name="Ada Lovelace", tz="Europe/Berlin")
    fake.add_user("U2", name="bob", real_name="Bob Rep", tz="America/New_York")
    fake.add_user("U3", name="cy", real_name="Cy Rep", tz="America/New_York")
    fake.add_channel("C1", name="general")
    yield fake
    fake.stop()


@pytest.fixture
def deps(
    database_url: str, engine: Engine, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> Iterator[Deps]:
    deps = build_deps(make_settings(database_url, fake_slack, COACHBOT_FANOUT_WORKERS="8"), engine)
    deps.clock = clock
    yield deps
    deps.background.shutdown(wait=True)


def add_schedule(
    sessions: Sessions, channel: str = "C1", spec: ScheduleSpec = BERLIN_9, *, team: str = "T1", user: str = "U1"
) -> int:
    with sessions.begin() as s:
        row = schedules.set_schedule(
            s, team_id=team, enterprise_id=None, kind="quote_channel", target_id=channel, created_by=user, spec=spec
        )
        return row.id


def run(deps: Deps, clock: TestClock, at: datetime) -> Any:
    clock.now = at
    return run_due(deps, at)


def posts(fake: FakeSlack, channel: str = "C1") -> list[dict[str, Any]]:
    return [m for m in fake.history(channel) if (m.get("metadata") or {}).get("event_type") == METADATA_EVENT]


def deliveries(sessions: Sessions) -> list[Delivery]:
    with sessions() as s:
        return list(s.scalars(select(Delivery).order_by(Delivery.id)))


# -- when posts go out -------------------------------------------------------------------


def test_monday_0900_berlin_posts_one_quote(
    deps: Deps, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    add_schedule(sessions)
    result = run(deps, clock, MONDAY_9_BERLIN)

    (post,) = posts(fake_slack)
    (delivery,) = deliveries(sessions)
    assert result.sent == 1 and result.failed == 0
    assert delivery.status == "sent" and delivery.message_ts == post["ts"]
    assert delivery.local_date == date(2026, 11, 30) and delivery.due_at == MONDAY_9_BERLIN
    assert post["metadata"]["event_payload"]["delivery_id"] == delivery.id
    with sessions() as s:
        quote = s.get(Quote, delivery.item_id)
        assert quote is not None
    assert quote.text.split()[0] in post["text"]
    assert post["blocks"][0]["type"] == "section"


def test_saturday_gets_nothing_on_weekdays(
    deps: Deps, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    add_schedule(sessions)
    result = run(deps, clock, datetime(2026, 12, 5, 8, 0, tzinfo=UTC))
    assert result.due == 0
    assert posts(fake_slack) == [] and deliveries(sessions) == []


def test_second_run_at_the_same_time_posts_nothing_more(
    deps: Deps, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    add_schedule(sessions)
    run(deps, clock, MONDAY_9_BERLIN)
    again = run(deps, clock, MONDAY_9_BERLIN)
    later = run(deps, clock, MONDAY_9_BERLIN + timedelta(minutes=30))
    assert len(posts(fake_slack)) == 1
    assert (again.sent, again.already_claimed) == (0, 1)
    assert (later.sent, later.already_claimed) == (0, 1)


def test_run_before_the_time_posts_nothing(
    deps: Deps, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    add_schedule(sessions)
    result = run(deps, clock, MONDAY_9_BERLIN - timedelta(minutes=1))
    assert result.due == 0 and posts(fake_slack) == []


def test_run_three_and_a_half_hours_late_posts_nothing(
    deps: Deps, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    add_schedule(sessions)
    result = run(deps, clock, MONDAY_9_BERLIN + timedelta(hours=3, minutes=30))
    assert result.due == 0 and posts(fake_slack) == [] and deliveries(sessions) == []


def test_run_late_within_the_grace_still_posts(
    deps: Deps, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    add_schedule(sessions)
    run(deps, clock, MONDAY_9_BERLIN + timedelta(minutes=119))
    assert len(posts(fake_slack)) == 1


def test_nineteen_weekdays_bring_nineteen_different_quotes(
    deps: Deps, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    add_schedule(sessions)
    day = date(2026, 11, 30)
    runs = 0
    while runs < 19:
        at = schedules.due_instant(day, 9, 0, ZoneInfo("Europe/Berlin"))
        run(deps, clock, at)
        if day.weekday() < 5:
            runs += 1
        day += timedelta(days=1)
    texts = [p["text"] for p in posts(fake_slack)]
    assert len(texts) == 19
    assert len(set(texts)) == 19
    assert {d.local_date.weekday() for d in deliveries(sessions)} <= {0, 1, 2, 3, 4}


@pytest.mark.parametrize(
    ("spec", "start", "due"),
    [
        # 02:30 does not exist on 2027-03-14 in New York: posted once, at 03:00 EDT.
        (ScheduleSpec(2, 30, "America/New_York", EVERYDAY), datetime(2027, 3, 14, 4, 0), datetime(2027, 3, 14, 7, 0)),
        # 01:30 happens twice on 2026-11-01: posted once, at the first (EDT).
        (ScheduleSpec(1, 30, "America/New_York", EVERYDAY), datetime(2026, 11, 1, 3, 0), datetime(2026, 11, 1, 5, 30)),
    ],
    ids=["spring-forward", "fall-back"],
)
def test_dst_days_get_exactly_one_post(
    deps: Deps,
    sessions: Sessions,
    fake_slack: FakeSlack,
    clock: TestClock,
    spec: ScheduleSpec,
    start: datetime,
    due: datetime,
) -> None:
    add_schedule(sessions, spec=spec)
    at = start.replace(tzinfo=UTC)
    sent_at: list[datetime] = []
    while at <= start.replace(tzinfo=UTC) + timedelta(hours=6):  # a tick every 15 minutes
        if run(deps, clock, at).sent:
            sent_at.append(at)
        at += timedelta(minutes=15)
    assert len(posts(fake_slack)) == 1
    assert sent_at == [due.replace(tzinfo=UTC)]
    (delivery,) = deliveries(sessions)
    assert delivery.due_at == due.replace(tzinfo=UTC)


# -- what gets posted ------------------------------------------------------------------


def add_team_quote(sessions: Sessions, text: str, *, team: str = "T1", by: str = "U3", approved: datetime) -> int:
    with sessions.begin() as s:
        q = Quote(
            team_id=team,
            text=text,
            author="Grace Hopper",
            source="A talk",
            tags=["culture"],
            submitted_by=by,
            norm_key=norm_key(text),
            shuffle_key=12345,
            approved_at=approved,
        )
        s.add(q)
        s.flush()
        return q.id


def test_approved_team_quote_is_the_next_post_and_credits_the_submitter(
    deps: Deps, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    add_schedule(sessions)
    run(deps, clock, MONDAY_9_BERLIN)
    quote_id = add_team_quote(sessions, "Leaders are made, they are not born.", approved=MONDAY_9_BERLIN)
    run(deps, clock, MONDAY_9_BERLIN + timedelta(days=1))

    second = posts(fake_slack)[1]
    assert "Leaders are made" in second["text"]
    assert "Submitted by <@U3>" in str(second["blocks"])
    assert "Grace Hopper" in str(second["blocks"]) and "A talk" in str(second["blocks"])
    assert "#culture" in str(second["blocks"])
    assert deliveries(sessions)[1].item_id == quote_id


def test_another_workspaces_team_quote_is_never_posted(
    deps: Deps, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    add_team_quote(sessions, "Only for the other workspace, thank you.", team="T2", approved=MONDAY_9_BERLIN)
    add_schedule(sessions)
    run(deps, clock, MONDAY_9_BERLIN)
    assert "Only for the other workspace" not in posts(fake_slack)[0]["text"]


def test_post_never_produces_a_channel_wide_mention(
    deps: Deps, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    add_team_quote(sessions, "<!channel> <!here> lead from the front", approved=MONDAY_9_BERLIN)
    add_schedule(sessions)
    run(deps, clock, MONDAY_9_BERLIN)
    (post,) = posts(fake_slack)
    # The typed text sits in rich_text `text` elements, which Slack shows as written and never
    # parses (a broadcast is its own element type); everywhere else it is escaped or absent.
    literal = [b for b in post["blocks"] if b["type"] == "rich_text"]
    assert literal[0]["elements"][0]["elements"] == [{"type": "text", "text": "<!channel> <!here> lead from the front"}]
    assert "broadcast" not in str(literal)
    everything = post["text"] + str([b for b in post["blocks"] if b["type"] != "rich_text"])
    assert "<!channel>" not in everything and "<!here>" not in everything
    assert "&lt;!channel&gt;" in post["text"]


# -- Slack errors ----------------------------------------------------------------------


def test_429_with_retry_after_is_waited_out_without_a_duplicate(
    deps: Deps, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    add_schedule(sessions)
    fake_slack.ratelimit_next("chat.postMessage", retry_after=1)
    result = run(deps, clock, MONDAY_9_BERLIN)

    calls = fake_slack.calls_to("chat.postMessage")
    assert [c.status for c in calls] == [429, 200]
    assert calls[1].at - calls[0].at >= 1.0  # Retry-After respected
    assert len(posts(fake_slack)) == 1
    assert (result.sent, result.rate_limited) == (1, 1)


@pytest.mark.parametrize(
    ("channel", "setup", "error", "fix"),
    [
        ("C2", {"is_private": True, "bot_is_member": False}, "not_in_channel", "/invite @coachbot"),
        ("C3", {"is_archived": True}, "is_archived", "Pick another channel"),
        ("C404", None, "channel_not_found", "/invite @coachbot"),
    ],
)
def test_channel_errors_pause_the_schedule_and_dm_its_creator(
    deps: Deps,
    sessions: Sessions,
    fake_slack: FakeSlack,
    clock: TestClock,
    channel: str,
    setup: dict[str, bool] | None,
    error: str,
    fix: str,
) -> None:
    if setup is not None:
        fake_slack.add_channel(
            channel,
            is_private=setup.get("is_private", False),
            is_archived=setup.get("is_archived", False),
            bot_is_member=setup.get("bot_is_member", True),
        )
    schedule_id = add_schedule(sessions, channel, user="U2")
    result = run(deps, clock, MONDAY_9_BERLIN)

    (delivery,) = deliveries(sessions)
    assert delivery.status == "failed" and delivery.error is not None and error in delivery.error
    with sessions() as s:
        schedule = s.get(Schedule, schedule_id)
        assert schedule is not None and not schedule.active and schedule.paused_reason
    (dm,) = fake_slack.calls_to("chat.postMessage", channel="U2")
    assert fix in dm.get("text") and f"<#{channel}>" in dm.get("text")
    assert "/quote daily 09:00 Europe/Berlin weekdays" in dm.get("text")
    assert result.failed == 1
    # Paused: the next day nothing is attempted.
    before = len(fake_slack.calls_to("chat.postMessage"))
    assert run(deps, clock, MONDAY_9_BERLIN + timedelta(days=1)).due == 0
    assert len(fake_slack.calls_to("chat.postMessage")) == before


def test_public_channel_the_bot_left_is_joined_and_posted_to(
    deps: Deps, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    fake_slack.add_channel("C5", name="sales", bot_is_member=False)
    schedule_id = add_schedule(sessions, "C5")
    run(deps, clock, MONDAY_9_BERLIN)
    assert fake_slack.calls_to("conversations.join", channel="C5")
    assert len(posts(fake_slack, "C5")) == 1
    with sessions() as s:
        schedule = s.get(Schedule, schedule_id)
        assert schedule is not None and schedule.active


def test_other_slack_errors_fail_the_delivery_but_keep_the_schedule(
    deps: Deps, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    schedule_id = add_schedule(sessions)
    fake_slack.fail("chat.postMessage", "invalid_blocks", times=1)
    result = run(deps, clock, MONDAY_9_BERLIN)
    (delivery,) = deliveries(sessions)
    assert (delivery.status, delivery.error) == ("failed", "chat.postMessage: invalid_blocks")
    assert result.failed == 1 and result.errors
    with sessions() as s:
        schedule = s.get(Schedule, schedule_id)
        assert schedule is not None and schedule.active
    assert not fake_slack.calls_to("chat.postMessage", channel="U1")


# -- exactly once across failures -------------------------------------------------------


def test_a_post_without_an_answer_is_reconciled_not_reposted(
    deps: Deps, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    """Slack posted but the answer was lost (500 after the fact): the next run finds the
    tagged message in the history and records it instead of posting again."""
    add_schedule(sessions)
    fake_slack.fail("chat.postMessage", "internal_error", status=500, times=1)
    first = run(deps, clock, MONDAY_9_BERLIN)
    (delivery,) = deliveries(sessions)
    assert (first.pending, delivery.status, delivery.attempts) == (1, "pending", 1)
    # Pretend the failed call had in fact posted: put the tagged message in the channel.
    ts = fake_slack.add_message(
        "C1",
        "the quote",
        user="UBOT",
        metadata={"event_type": METADATA_EVENT, "event_payload": {"delivery_id": delivery.id, "key": delivery.key}},
    )
    second = run(deps, clock, MONDAY_9_BERLIN + timedelta(minutes=1))

    (recorded,) = deliveries(sessions)
    assert (recorded.status, recorded.message_ts) == ("sent", ts)
    assert (second.sent, second.reconciled) == (1, 1)
    assert len(fake_slack.calls_to("chat.postMessage")) == 1  # only the failed one
    assert fake_slack.calls_to("conversations.history", channel="C1", include_all_metadata=lambda v: v in ("1", "true"))


def test_a_post_that_did_not_go_through_is_posted_by_the_next_run(
    deps: Deps, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    add_schedule(sessions)
    fake_slack.fail("chat.postMessage", "internal_error", status=500, times=1)
    run(deps, clock, MONDAY_9_BERLIN)
    second = run(deps, clock, MONDAY_9_BERLIN + timedelta(minutes=1))
    assert second.sent == 1 and second.reconciled == 0
    assert len(posts(fake_slack)) == 1
    (delivery,) = deliveries(sessions)
    assert (delivery.status, delivery.attempts) == ("sent", 2)


def seed_claim(sessions: Sessions, *, attempts: int = 0) -> int | None:
    """A claim for Monday 09:00 Berlin in C1, as a run that died after claiming leaves it."""
    with sessions.begin() as s:
        (occ,) = QuoteKind().due(s, MONDAY_9_BERLIN, timedelta(minutes=120))
        item = QuoteKind().choose(s, occ)
        s.add(
            Delivery(
                key=occ.key,
                team_id="T1",
                kind="quote",
                schedule_id=occ.schedule_id,
                target_id="C1",
                channel_id="C1",
                local_date=occ.local_date,
                due_at=occ.due_at,
                item_id=item,
                attempts=attempts,
            )
        )
    return item


def test_a_pending_claim_of_a_crashed_run_is_delivered_with_its_chosen_quote(
    deps: Deps, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    add_schedule(sessions)
    # A run that claimed (and chose the quote) and then died before posting.
    item = seed_claim(sessions)
    result = run(deps, clock, MONDAY_9_BERLIN + timedelta(minutes=5))
    (delivery,) = deliveries(sessions)
    assert delivery.status == "sent" and delivery.item_id == item
    assert (result.sent, result.already_claimed) == (1, 1)
    assert len(posts(fake_slack)) == 1


def test_a_recent_unconfirmed_attempt_is_given_time_to_land_before_reconciling(
    deps: Deps, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_schedule(sessions)
    fake_slack.fail("chat.postMessage", "internal_error", status=500, times=1)
    run(deps, clock, MONDAY_9_BERLIN)
    with sessions.begin() as s:  # the failed attempt started 11.5 s before the next run
        s.execute(update(Delivery).values(attempted_at=MONDAY_9_BERLIN + timedelta(seconds=48.5)))
    waited: list[float] = []
    monkeypatch.setattr("bot.scheduling.run.time.sleep", waited.append)
    run(deps, clock, MONDAY_9_BERLIN + timedelta(minutes=1))
    assert waited and waited[0] == pytest.approx(0.5)
    assert len(posts(fake_slack)) == 1


# -- DMs and fan-out -------------------------------------------------------------------


class DmKind:
    """A minimal delivery kind with a user as target (the shape of coaching prompt DMs)."""

    name = "test_dm"

    def due(self, session: Session, at: datetime, grace: timedelta) -> list[Occurrence]:
        return [
            Occurrence(
                key=f"test_dm:U2:{at.date()}",
                kind=self.name,
                team_id="T1",
                enterprise_id=None,
                target_id="U2",
                local_date=at.date(),
                due_at=at,
            )
        ]

    def choose(self, session: Session, occ: Occurrence) -> int | None:
        return 7

    def render(self, session: Session, occ: Occurrence, item_id: int | None) -> Message | None:
        return Message(text=f"prompt #{item_id}", blocks=[])


def test_dm_target_is_resolved_to_its_im_channel_and_kept(
    deps: Deps, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    clock.now = MONDAY_9_BERLIN
    result = run_due(deps, MONDAY_9_BERLIN, kinds=[DmKind()])
    (delivery,) = deliveries(sessions)
    assert fake_slack.calls_to("conversations.open", users="U2")
    assert delivery.channel_id == "DU2" and delivery.status == "sent"
    assert [m["text"] for m in posts(fake_slack, "DU2")] == ["prompt #7"]
    assert result.sent == 1


def test_fan_out_posts_concurrently(deps: Deps, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock) -> None:
    channels = [f"CF{i:02d}" for i in range(16)]
    for channel in channels:
        fake_slack.add_channel(channel)
        add_schedule(sessions, channel)
    fake_slack.latency = 0.1
    result = run(deps, clock, MONDAY_9_BERLIN)

    assert result.sent == 16
    assert all(len(posts(fake_slack, c)) == 1 for c in channels)
    arrivals = sorted(c.at for c in fake_slack.calls_to("chat.postMessage"))
    # One at a time, 8 posts would arrive at least 7 x 0.1 s apart; 8 workers overlap them.
    assert arrivals[7] - arrivals[0] < 0.4


def test_each_channel_has_its_own_rotation(
    deps: Deps, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    fake_slack.add_channel("C2")
    add_schedule(sessions, "C1")
    add_schedule(sessions, "C2")
    for day in range(3):
        run(deps, clock, MONDAY_9_BERLIN + timedelta(days=day))
    assert len(posts(fake_slack, "C1")) == 3 and len(posts(fake_slack, "C2")) == 3
    assert len({p["text"] for p in posts(fake_slack, "C1")}) == 3


def test_a_pending_claim_past_its_grace_is_expired_not_posted_late(
    deps: Deps, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    add_schedule(sessions)
    seed_claim(sessions, attempts=1)  # a claim whose post never went through
    result = run(deps, clock, MONDAY_9_BERLIN + timedelta(hours=3, minutes=30))
    (delivery,) = deliveries(sessions)
    assert delivery.status == "expired" and result.expired == 1
    assert "1 expired" in result.summary()
    assert posts(fake_slack) == [] and not fake_slack.calls_to("conversations.history")
