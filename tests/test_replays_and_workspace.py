"""Replayed requests store nothing new; with one bot token, one workspace means one workspace."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from sqlalchemy import Engine, func, select

from bot.bootstrap import build_deps
from bot.db.engine import Sessions
from bot.db.models import Manager, Note, Schedule
from tests.conftest import make_settings
from tests.factories import make_manager, mention, note_count
from tests.fakes.slack_api import FakeSlack
from tests.harness import AppServer, SlackSender, TestClock, ephemeral_text, until
from tests.listeners.test_coaching_notes import modal_values


def _count(sessions: Sessions, model: type) -> int:
    with sessions.begin() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


# -- replays ----------------------------------------------------------------------------


def test_a_replayed_slash_command_stores_nothing_new(slack: SlackSender, sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    first = slack.command("/coach", f"{mention('U2', 'bob')} Strong close on Acme", trigger_id="trig.captured1")
    assert "Saved note" in ephemeral_text(first)
    again = slack.command("/coach", f"{mention('U2', 'bob')} Strong close on Acme", trigger_id="trig.captured1")
    assert "already handled; nothing was changed" in ephemeral_text(again)
    assert note_count(sessions) == 1


def test_a_replayed_schedule_command_adds_no_schedule(slack: SlackSender, sessions: Sessions) -> None:
    for _ in range(3):
        slack.command("/quote", "daily 09:00 Europe/Berlin", trigger_id="trig.captured2")
    assert _count(sessions, Schedule) == 1


def test_a_replayed_form_submission_saves_one_note(slack: SlackSender, sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    payload = {
        "type": "view_submission",
        "user": {"id": "U1", "username": "u1", "team_id": "T1"},
        "trigger_id": "trig.captured3",
        "view": {
            "id": "V1",
            "type": "modal",
            "callback_id": "coach_note_modal",
            "private_metadata": "",
            "state": {"values": modal_values(note="Replayed form")},
            "team_id": "T1",
        },
    }
    for _ in range(2):
        assert slack.interactive(json.loads(json.dumps(payload))).status_code == 200
    assert note_count(sessions, text="Replayed form") == 1


def test_the_exact_same_signed_body_twice_is_answered_once(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    make_manager(sessions, "U1")
    url = fake_slack.response_url()
    body = urlencode(
        {
            "team_id": "T1",
            "channel_id": "C1",
            "user_id": "U1",
            "command": "/coach",
            "text": f"{mention('U2', 'bob')} Replay me",
            "response_url": url,
            "trigger_id": "trig.captured4",
        }
    )
    # A first note on a rep asks Slack who they are: acked at once, answered on response_url.
    assert slack.post(body).status_code == 200
    (answer,) = until(lambda: fake_slack.responses(url))
    assert "Saved note" in answer["text"]
    assert "already handled" in ephemeral_text(slack.post(body))
    assert note_count(sessions, text="Replay me") == 1


def test_different_presses_of_the_same_button_are_not_replays(slack: SlackSender, sessions: Sessions) -> None:
    # Every real press carries a fresh trigger_id, so repeated real presses still work.
    make_manager(sessions, "U1")
    for n in range(3):
        assert "Saved note" in ephemeral_text(slack.command("/coach", f"{mention('U2', 'bob')} note {n}"))
    assert note_count(sessions) == 3


# -- one workspace ----------------------------------------------------------------------


def test_a_request_naming_another_workspace_is_refused_and_changes_nothing(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    slack.command("/quote", "daily 09:00 Europe/Berlin")
    assert _count(sessions, Schedule) == 1
    fake_slack.wait_for("chat.postMessage", count=1)  # the channel's notice of our own set-up
    other = slack.as_team("T2")
    text = ephemeral_text(other.command("/quote", "daily 10:00 Europe/Berlin"))
    assert "installed in another Slack workspace" in text and "nothing was changed" in text
    assert _count(sessions, Schedule) == 1  # no second schedule in our channel
    make_manager(sessions, "U1", team_id="T2")
    assert "installed in another Slack workspace" in ephemeral_text(other.command("/coach", f"{mention('U2')} hi"))
    assert "installed in another Slack workspace" in ephemeral_text(other.command("/coach", "managers add <@U3>"))
    with sessions.begin() as session:
        assert session.scalar(select(func.count(Note.id))) == 0
        assert session.scalars(select(Manager.user_id).where(Manager.team_id == "T2")).all() == ["U1"]
    assert len(fake_slack.calls_to("chat.postMessage")) == 1  # nothing posted for T2


def test_another_enterprise_is_refused_even_with_a_matching_team_id(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    fake_slack.add_workspace("T1", token="xoxb-test", enterprise_id="E1")  # auth.test now names E1
    text = ephemeral_text(slack.as_team("T1", enterprise_id="E2").command("/quote", "daily 09:00 Europe/Berlin"))
    assert "installed in another Slack workspace" in text
    assert _count(sessions, Schedule) == 0
    ours = ephemeral_text(slack.as_team("T1", enterprise_id="E1").command("/quote", "daily 09:00 Europe/Berlin"))
    assert "installed in another" not in ours
    assert _count(sessions, Schedule) == 1


def test_buttons_from_another_workspace_do_nothing(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    make_manager(sessions, "U1")
    slack.command("/coach", f"{mention('U2', 'bob')} Keep me")
    with sessions.begin() as session:
        note_id = session.scalars(select(Note.id)).one()
    before = len(fake_slack.responses())  # the note's own answer may have come there
    assert slack.as_team("T2").block_action("coach_note_undo", str(note_id)).status_code == 200
    assert note_count(sessions) == 1
    assert len(fake_slack.responses()) == before


def test_an_admin_named_team_colon_user_is_an_admin_in_that_workspace(
    database_url: str, sessions: Sessions, engine: Engine, fake_slack: FakeSlack
) -> None:
    fake_slack.add_user("UBOSS", name="pat", real_name="Pat Lead", tz="Europe/Berlin")
    server = AppServer(make_settings(database_url, fake_slack, COACHBOT_ADMINS="T1:UBOSS"), clock=TestClock())
    server.start(build_deps(server.settings, engine))
    try:
        sender = SlackSender(server.url, response_url=fake_slack.response_url, replies=fake_slack.responses)
        text = ephemeral_text(sender.command("/coach", f"managers add {mention('U3', 'cy')}", user="UBOSS"))
        assert "<@U3>" in text
        with sessions.begin() as session:
            assert session.scalars(select(Manager.user_id).where(Manager.team_id == "T1")).all() == ["U3"]
        refused = ephemeral_text(sender.command("/coach", f"managers add {mention('U2', 'bob')}", user="U3"))
        assert "admin" in refused.lower()
    finally:
        server.stop()


def test_a_replayed_read_is_answered_again_without_a_database_write(slack: SlackSender, sessions: Sessions) -> None:
    # Reads change nothing, so their trigger ids are not recorded (no write on the hot ack path).
    from bot.db.models import ProcessedEvent

    make_manager(sessions, "U1")
    for _ in range(2):
        assert "already handled" not in ephemeral_text(slack.command("/quote", "", trigger_id="trig.read1"))
        assert "already handled" not in ephemeral_text(slack.command("/coach", "notes", trigger_id="trig.read2"))
        assert "already handled" not in ephemeral_text(slack.command("/quote", "help", trigger_id="trig.read3"))
    assert _count(sessions, ProcessedEvent) == 0
    # A command that may write is still guarded, even when this text would only show a setting.
    slack.command("/quote", "daily", trigger_id="trig.write1")
    assert "already handled" in ephemeral_text(slack.command("/quote", "daily", trigger_id="trig.write1"))
