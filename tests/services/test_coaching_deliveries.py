"""Coaching deliveries through the real engine (run_due) against the fake Slack Web API:
the rep's action-item reminder and the leader's weekly digest, each exactly once."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from sqlalchemy import select

from bot.db.engine import Sessions
from bot.db.models import Delivery
from bot.scheduling.run import run_due
from bot.services import action_items
from bot.services.schedules import DAY_BITS
from tests.factories import blocks_of, buttons, make_manager
from tests.fakes.slack_api import FakeSlack
from tests.harness import AppServer
from tests.services.coaching_factories import digest_schedule, rated_note, seed_item

# Bob (U2) lives in America/New_York: 09:00 EST on 2026-12-04 is 14:00 UTC.
DEC_4_0900_NEW_YORK = datetime(2026, 12, 4, 14, 0, tzinfo=UTC)
MARKER = "SECRET-NOTE-MARKER-c41d"


def test_reminder_goes_to_the_rep_at_0900_their_time_once(
    app_server: AppServer, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    item_id = seed_item(sessions, rep="U2", text="Send <!here> the recap", due_on=date(2026, 12, 4))
    deps = app_server.deps
    assert deps is not None
    assert run_due(deps, datetime(2026, 12, 4, 13, 59, tzinfo=UTC)).sent == 0
    assert run_due(deps, DEC_4_0900_NEW_YORK).sent == 1
    assert run_due(deps, DEC_4_0900_NEW_YORK).sent == 0
    assert run_due(deps, datetime(2026, 12, 4, 15, 30, tzinfo=UTC)).sent == 0
    (post,) = fake_slack.posts("DU2")
    dumped = json.dumps(blocks_of(post))
    assert "Due today" in dumped and "<@U1>" in dumped
    assert "Send &lt;!here&gt; the recap" in dumped and "<!here>" not in dumped + str(post.get("text"))
    assert set(buttons(blocks_of(post))) == {"coach_todo_ack", "coach_todo_done"}
    with sessions.begin() as session:
        keys = list(session.scalars(select(Delivery.key).where(Delivery.kind == "todo")))
    assert keys == [f"todo:{item_id}:2026-12-04"]
    assert not fake_slack.posts("DU1")  # the manager gets nothing from the reminder


def test_finished_deleted_or_undated_items_are_not_reminded(
    app_server: AppServer, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    seed_item(sessions, rep="U2", due_on=date(2026, 12, 4), status="done")
    seed_item(sessions, rep="U2", due_on=None)
    seed_item(sessions, rep="U3", due_on=date(2026, 12, 5))  # tomorrow
    acknowledged = seed_item(sessions, rep="U3", due_on=date(2026, 12, 4), status="acknowledged")
    seed_item(sessions, assigner="U7", rep="U2", due_on=date(2026, 12, 4))
    with sessions.begin() as session:  # U7 ran `/coach delete all`
        assert action_items.delete_all_action_items(session, team_id="T1", assigner_id="U7") == 1
    deps = app_server.deps
    assert deps is not None
    result = run_due(deps, DEC_4_0900_NEW_YORK)
    assert (result.sent, result.failed) == (1, 0)  # only the acknowledged one: "Got it" isn't "Done"
    (post,) = fake_slack.posts("DU3")
    assert set(buttons(blocks_of(post))) == {"coach_todo_done"}
    assert f"#{acknowledged}" in json.dumps(blocks_of(post))
    assert not fake_slack.posts("DU2")


def test_weekly_digest_goes_to_the_leader_with_counts_and_no_note_text(
    app_server: AppServer, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    make_manager(sessions, "U1")
    for n in range(3):
        rated_note(
            sessions,
            skill="discovery",
            rating=2 + n,
            text=f"{MARKER} private {n}",
            created_at=datetime(2026, 11, 25, tzinfo=UTC),
        )
    seed_item(sessions, text=f"{MARKER} item", due_on=date(2026, 11, 26))
    digest_schedule(sessions, leader="UADMIN", hour=8, tz="America/New_York", days=DAY_BITS[0])  # Mondays
    deps = app_server.deps
    assert deps is not None
    sunday = datetime(2026, 12, 6, 13, 0, tzinfo=UTC)
    monday_0800 = datetime(2026, 12, 7, 13, 0, tzinfo=UTC)
    assert run_due(deps, sunday).sent == 0
    assert run_due(deps, monday_0800).sent == 1
    assert run_due(deps, monday_0800).sent == 0
    (post,) = fake_slack.posts("DUADMIN")
    dumped = json.dumps(blocks_of(post)) + str(post.get("text"))
    assert MARKER not in dumped
    assert "<@U1>: 0 notes in 7 days, 3 in 30" in dumped and "Discovery: 3.0" in dumped
    assert "action items 1 open (*1 overdue*)" in dumped
    for call in fake_slack.calls_to("chat.postMessage"):  # nothing sent anywhere carries note text
        assert MARKER not in json.dumps(call.params)
