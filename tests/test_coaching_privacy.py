"""A note is readable only by its author, in its workspace, through every path."""

from __future__ import annotations

import json
import logging
from datetime import date

import pytest
from sqlalchemy import select

from bot.db.engine import Sessions
from bot.db.models import Note
from tests.factories import get_note, last_response, make_manager, mention, note_count, seed_note
from tests.fakes.slack_api import FakeSlack
from tests.harness import SlackSender, ephemeral_text

SECRET = "Bob is struggling with his divorce; go easy this month"


@pytest.fixture
def ada_note(sessions: Sessions) -> int:
    """Ada (U1, manager in T1) wrote a private note on Bob; Cy (U3) is another manager."""
    make_manager(sessions, "U1")
    make_manager(sessions, "U3")
    return seed_note(sessions, author="U1", rep="U2", text=SECRET, follow_up_on=date(2026, 12, 3))


READERS = [
    pytest.param(("U3", "T1"), id="another-manager"),
    pytest.param(("UADMIN", "T1"), id="admin"),
]
# The same user id in another workspace: with one bot token every request naming another
# workspace is refused before any listener runs (below); with OAuth, where both workspaces are
# installed, tests/test_workspace_isolation.py shows that nothing crosses.


@pytest.fixture
def reader(
    request: pytest.FixtureRequest, slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> tuple[SlackSender, str]:
    user, team = request.param
    if team != "T1":
        fake_slack.add_workspace(team)
        make_manager(sessions, user, team_id=team)  # a manager there too: still sees nothing here
    return slack.as_team(team), user


@pytest.mark.parametrize("reader", READERS, indirect=True)
def test_notes_lists_show_nothing(ada_note: int, reader: tuple[SlackSender, str]) -> None:
    sender, user = reader
    for args in (f"notes {mention('U2', 'bob')}", "notes", f"notes {mention('U2')} 1"):
        text = ephemeral_text(sender.command("/coach", args, user=user))
        assert SECRET not in text and "divorce" not in text
        assert "none yet" in text


@pytest.mark.parametrize("reader", READERS, indirect=True)
def test_search_finds_nothing(ada_note: int, reader: tuple[SlackSender, str]) -> None:
    sender, user = reader
    text = ephemeral_text(sender.command("/coach", "search divorce", user=user))
    assert "divorce" in text  # the query is echoed...
    assert SECRET not in text and "none yet" in text  # ...but no note


@pytest.mark.parametrize("reader", READERS, indirect=True)
def test_delete_by_id_cannot_touch_it(ada_note: int, reader: tuple[SlackSender, str], sessions: Sessions) -> None:
    sender, user = reader
    text = ephemeral_text(sender.command("/coach", f"delete {ada_note}", user=user))
    assert f"Note #{ada_note} no longer exists" in text
    assert get_note(sessions, ada_note) is not None


@pytest.mark.parametrize("reader", READERS, indirect=True)
def test_delete_all_cannot_touch_it(ada_note: int, reader: tuple[SlackSender, str], sessions: Sessions) -> None:
    sender, user = reader
    assert "no coaching notes" in ephemeral_text(sender.command("/coach", "delete all", user=user))
    # A forged confirmation with a huge cut-off deletes only the clicker's own notes (none).
    sender.block_action("coach_delete_all_confirm", "999999", user=user)
    assert get_note(sessions, ada_note) is not None


@pytest.mark.parametrize("reader", READERS, indirect=True)
def test_forged_buttons_are_refused(
    ada_note: int, reader: tuple[SlackSender, str], sessions: Sessions, fake_slack: FakeSlack
) -> None:
    sender, user = reader
    for action in ("coach_note_undo", "coach_followup_done", "coach_followup_snooze"):
        sender.block_action(action, str(ada_note), user=user)
    answers = [c.params for c in fake_slack.wait_for("response_url", count=3)]
    assert all("no longer exists" in a["text"] for a in answers)
    note = get_note(sessions, ada_note)
    assert note is not None
    assert note.follow_up_done_at is None and note.follow_up_on == date(2026, 12, 3)
    page = json.dumps({"r": "U2", "q": None, "p": 1})
    sender.block_action("coach_notes_page_next", page, user=user)
    shown = last_response(fake_slack, count=4)
    assert SECRET not in json.dumps(shown)


@pytest.mark.parametrize("reader", READERS, indirect=True)
def test_export_and_overview_hold_nothing(
    ada_note: int, reader: tuple[SlackSender, str], fake_slack: FakeSlack
) -> None:
    sender, user = reader
    assert "no coaching notes to export" in ephemeral_text(sender.command("/coach", "export", user=user))
    overview = ephemeral_text(sender.command("/coach", "overview", user=user))
    assert "no notes yet" in overview and "<@U2>" not in overview
    assert not fake_slack.calls_to("files.getUploadURLExternal")


def test_the_same_user_id_in_another_workspace_is_refused_everywhere(
    ada_note: int, slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    fake_slack.add_workspace("T2")
    make_manager(sessions, "U1", team_id="T2")
    other = slack.as_team("T2")
    for args in (
        "notes",
        f"notes {mention('U2', 'bob')}",
        "search divorce",
        f"delete {ada_note}",
        "delete all",
        "export",
        "overview",
    ):
        text = ephemeral_text(other.command("/coach", args, user="U1"))
        assert "installed in another Slack workspace" in text and SECRET not in text
    for action in ("coach_note_undo", "coach_followup_done", "coach_followup_snooze", "coach_delete_all_confirm"):
        other.block_action(action, str(ada_note), user="U1")
    assert fake_slack.responses() == []
    note = get_note(sessions, ada_note)
    assert note is not None and note.follow_up_done_at is None


def test_the_author_still_sees_it(ada_note: int, slack: SlackSender) -> None:
    assert SECRET in ephemeral_text(slack.command("/coach", "search divorce", user="U1"))


def test_note_text_is_never_logged(slack: SlackSender, sessions: Sessions, caplog: pytest.LogCaptureFixture) -> None:
    make_manager(sessions, "U1")
    caplog.set_level(logging.INFO)
    marker = "zebra-confidential-4711"
    slack.command("/coach", f"{mention('U2', 'bob')} {marker}")
    with sessions.begin() as session:
        note_id = session.scalars(select(Note.id)).one()
    slack.command("/coach", f"search {marker}")
    slack.command("/coach", f"delete {note_id}")
    assert note_count(sessions) == 0
    assert "saved" in caplog.text  # something was logged...
    assert marker not in caplog.text  # ...but never the note


def test_malformed_button_values_change_nothing(
    ada_note: int, slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    for action, value in (
        ("coach_note_undo", "1 OR 1=1"),
        ("coach_followup_done", "-1"),
        ("coach_delete_all_confirm", "all"),
    ):
        assert slack.block_action(action, value, user="U1").status_code == 200
    answers = [c.params["text"] for c in fake_slack.wait_for("response_url", count=3)]
    assert any("does not name a note" in a for a in answers)
    assert any("Start again with `/coach delete all`" in a for a in answers)
    for value in ("not json", json.dumps({"r": "<!channel>", "p": 1}), json.dumps([1, 2])):
        assert slack.block_action("coach_notes_page_next", value, user="U1").status_code == 200
    assert note_count(sessions) == 1
    assert get_note(sessions, ada_note) is not None
