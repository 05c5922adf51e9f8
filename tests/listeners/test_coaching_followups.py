"""Follow-up reminders: a DM on the date, once, at the prompt time or 09:00; Done and Snooze."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from bot.db.engine import Sessions
from bot.scheduling.run import run_due
from tests.factories import blocks_of, buttons, get_note, last_response, make_manager, seed_note
from tests.fakes.slack_api import FakeSlack
from tests.harness import AppServer, SlackSender, TestClock

# Ada (U1) lives in Europe/Berlin: 09:00 CET on 2026-12-02 is 08:00 UTC.
DEC_2_0900_BERLIN = datetime(2026, 12, 2, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def ada_is_a_manager(sessions: Sessions) -> None:
    make_manager(sessions, "U1")


def test_follow_up_reminder_is_sent_once_at_0900_local(
    app_server: AppServer, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    note_id = seed_note(sessions, text="Check Bob <!here> tried the new opener", follow_up_on=date(2026, 12, 2))
    assert app_server.deps is not None
    assert run_due(app_server.deps, datetime(2026, 12, 2, 7, 59, tzinfo=UTC)).sent == 0
    assert run_due(app_server.deps, DEC_2_0900_BERLIN).sent == 1
    assert run_due(app_server.deps, DEC_2_0900_BERLIN).sent == 0
    assert run_due(app_server.deps, datetime(2026, 12, 2, 9, 30, tzinfo=UTC)).sent == 0
    (post,) = fake_slack.posts("DU1")
    dumped = json.dumps(blocks_of(post))
    assert f"your note *#{note_id}*" in dumped
    assert "Check Bob &lt;!here&gt; tried the new opener" in dumped and "<!here>" not in dumped
    assert set(buttons(blocks_of(post))) == {"coach_followup_done", "coach_followup_snooze"}


def test_follow_up_uses_the_authors_prompt_time(
    slack: SlackSender, app_server: AppServer, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    slack.command("/coach", "prompts 07:15 Europe/Berlin weekdays")
    seed_note(sessions, follow_up_on=date(2026, 12, 5))  # a Saturday: follow-ups ignore the days
    assert app_server.deps is not None
    assert run_due(app_server.deps, datetime(2026, 12, 5, 6, 15, tzinfo=UTC)).sent == 1
    (post,) = fake_slack.posts("DU1")
    assert post.get("text").startswith("Follow-up due today")


def test_follow_up_from_a_command_saved_note(
    slack: SlackSender, app_server: AppServer, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    values = {
        "rep": {"rep": {"type": "users_select", "selected_user": "U2"}},
        "note": {"note": {"type": "plain_text_input", "value": "Revisit the Acme forecast"}},
        "follow_up": {"follow_up": {"type": "datepicker", "selected_date": "2026-12-02"}},
    }
    assert slack.view_submission("coach_note_modal", values).json()["response_action"] == "update"
    assert app_server.deps is not None
    assert run_due(app_server.deps, DEC_2_0900_BERLIN).sent == 1
    assert "Revisit the Acme forecast" in json.dumps(blocks_of(fake_slack.posts("DU1")[0]))


def test_done_marks_the_follow_up_done(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    note_id = seed_note(sessions, follow_up_on=date(2026, 12, 2))
    clock.set("2026-12-02T08:05:00Z")
    slack.block_action("coach_followup_done", str(note_id), channel="DU1")
    answer = last_response(fake_slack)
    assert answer["replace_original"] is True and "marked done" in answer["text"]
    note = get_note(sessions, note_id)
    assert note is not None and note.follow_up_done_at == clock.now


def test_done_follow_up_is_not_reminded(app_server: AppServer, sessions: Sessions, fake_slack: FakeSlack) -> None:
    seed_note(sessions, follow_up_on=date(2026, 12, 2), follow_up_done_at=datetime(2026, 12, 1, tzinfo=UTC))
    assert app_server.deps is not None
    assert run_due(app_server.deps, DEC_2_0900_BERLIN).sent == 0
    assert not fake_slack.posts("DU1")


def test_snooze_moves_it_a_week_and_it_comes_back(
    slack: SlackSender, app_server: AppServer, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    note_id = seed_note(sessions, follow_up_on=date(2026, 12, 2))
    assert app_server.deps is not None
    run_due(app_server.deps, DEC_2_0900_BERLIN)
    clock.set("2026-12-02T08:10:00Z")
    slack.block_action("coach_followup_snooze", str(note_id), channel="DU1")
    assert "snoozed to 2026-12-09" in last_response(fake_slack)["text"]
    note = get_note(sessions, note_id)
    assert note is not None and note.follow_up_on == date(2026, 12, 9)
    assert run_due(app_server.deps, datetime(2026, 12, 9, 8, 0, tzinfo=UTC)).sent == 1
    assert len(fake_slack.posts("DU1")) == 2


def test_deleted_note_is_not_reminded(app_server: AppServer, sessions: Sessions, slack: SlackSender) -> None:
    note_id = seed_note(sessions, follow_up_on=date(2026, 12, 2))
    slack.command("/coach", f"delete {note_id}")
    assert app_server.deps is not None
    assert run_due(app_server.deps, DEC_2_0900_BERLIN).sent == 0
