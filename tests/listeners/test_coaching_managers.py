"""Roles over signed HTTP: admins name managers; nobody else can; non-managers keep no notes."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.engine import Sessions
from bot.db.models import Manager, Schedule
from tests.factories import make_manager, mention, note_count
from tests.fakes.slack_api import FakeSlack
from tests.harness import SlackSender, ephemeral_text


def managers(sessions: Sessions, team_id: str = "T1") -> set[str]:
    with sessions.begin() as session:
        return set(session.scalars(select(Manager.user_id).where(Manager.team_id == team_id)))


def test_admin_adds_managers(slack: SlackSender, sessions: Sessions) -> None:
    text = ephemeral_text(
        slack.command("/coach", f"managers add {mention('U1', 'ada')} {mention('U3')}", user="UADMIN")
    )
    assert "Added as managers: <@U1>, <@U3>" in text
    assert managers(sessions) == {"U1", "U3"}


def test_adding_twice_says_already(slack: SlackSender, sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    text = ephemeral_text(slack.command("/coach", f"managers add {mention('U1', 'ada')}", user="UADMIN"))
    assert "Already managers: <@U1>" in text
    assert managers(sessions) == {"U1"}


def test_workspace_admin_from_users_info_can_add(slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack) -> None:
    fake_slack.add_user("UOWNER", name="owner", real_name="Olga Owner", is_owner=True)
    text = ephemeral_text(slack.command("/coach", f"managers add {mention('U2')}", user="UOWNER"))
    assert "Added as managers: <@U2>" in text
    assert managers(sessions) == {"U2"}


def test_non_admin_cannot_add_and_nothing_changes(slack: SlackSender, sessions: Sessions) -> None:
    make_manager(sessions, "U1")  # even a manager is not an admin
    text = ephemeral_text(slack.command("/coach", f"managers add {mention('U2')}", user="U1"))
    assert "Only admins can name managers" in text
    assert "Nothing was changed" in text
    assert "/coach managers add" in text  # shows a correct example
    assert managers(sessions) == {"U1"}


def test_non_admin_cannot_remove_or_list(slack: SlackSender, sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    assert "Only admins" in ephemeral_text(slack.command("/coach", f"managers remove {mention('U1')}", user="U2"))
    assert "Only admins" in ephemeral_text(slack.command("/coach", "managers", user="U2"))
    assert managers(sessions) == {"U1"}


def test_admin_lists_managers_and_admins(slack: SlackSender, sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    text = ephemeral_text(slack.command("/coach", "managers", user="UADMIN"))
    assert "*Managers:* <@U1>" in text
    assert "<@UADMIN>" in text


def test_admin_removes_a_manager_and_their_prompts_stop(slack: SlackSender, sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    make_manager(sessions, "U3")
    ephemeral_text(slack.command("/coach", "prompts 08:30 America/New_York", user="U1"))
    text = ephemeral_text(slack.command("/coach", f"managers remove {mention('U1', 'ada')}", user="UADMIN"))
    assert "Removed as managers: <@U1>" in text
    assert managers(sessions) == {"U3"}
    with sessions.begin() as session:
        sched = session.scalars(select(Schedule).where(Schedule.target_id == "U1")).one()
        assert sched.active is False


def test_adding_a_bot_or_unknown_user_is_refused(slack: SlackSender, sessions: Sessions) -> None:
    bot = ephemeral_text(slack.command("/coach", f"managers add {mention('UBOT', 'bot')}", user="UADMIN"))
    assert "is a bot" in bot
    unknown = ephemeral_text(slack.command("/coach", f"managers add {mention('UNOBODY')}", user="UADMIN"))
    assert "can't find <@UNOBODY>" in unknown
    assert managers(sessions) == set()


def test_plain_text_instead_of_a_mention_is_explained(slack: SlackSender, sessions: Sessions) -> None:
    text = ephemeral_text(slack.command("/coach", "managers add bob", user="UADMIN"))
    assert "`bob` is not a mention" in text
    assert "/coach managers add @ada @bob" in text
    assert managers(sessions) == set()


def test_non_manager_cannot_log_a_note_and_is_told_who_the_admins_are(slack: SlackSender, sessions: Sessions) -> None:
    text = ephemeral_text(slack.command("/coach", f"{mention('U3', 'cy')} great demo", user="U2"))
    assert "Only managers can keep coaching notes" in text
    assert "<@UADMIN>" in text
    assert note_count(sessions) == 0


def test_admins_count_as_managers(slack: SlackSender, sessions: Sessions) -> None:
    text = ephemeral_text(slack.command("/coach", f"{mention('U2', 'bob')} tight pipeline review", user="UADMIN"))
    assert "Saved note" in text
    assert note_count(sessions, author_id="UADMIN") == 1
