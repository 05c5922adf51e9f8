"""1:1s over signed HTTP: /coach 1on1, /coach topic, the Add topic form, the ✓ buttons, and
every refusal changing nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from bot.db.engine import Sessions
from bot.db.models import Schedule, Topic
from tests.factories import buttons, last_response, make_manager, mention, seed_note
from tests.fakes.slack_api import FakeSlack
from tests.harness import SlackSender, TestClock, ephemeral_text
from tests.listeners.coaching_helpers import everything_sent


@pytest.fixture(autouse=True)
def ada_manages(sessions: Sessions) -> None:
    make_manager(sessions, "U1")


def one_on_one(slack: SlackSender, words: str, *, rep: str = "U2", user: str = "U1") -> str:
    return ephemeral_text(slack.command("/coach", f"1on1 {mention(rep)} {words}".strip(), user=user))


def topic(slack: SlackSender, other: str, text: str, *, user: str) -> str:
    return ephemeral_text(slack.command("/coach", f"topic {mention(other)} {text}".strip(), user=user))


def cadences(sessions: Sessions) -> list[Schedule]:
    with sessions() as s:
        return list(s.scalars(select(Schedule).where(Schedule.kind == "one_on_one")))


def topic_count(sessions: Sessions) -> int:
    with sessions() as s:
        return int(s.scalar(select(func.count(Topic.id))) or 0)


def test_set_show_pause_resume_and_off(slack: SlackSender, sessions: Sessions) -> None:
    reply = one_on_one(slack, "biweekly tue 10:00")  # the zone comes from Ada's profile (Berlin)
    assert "every other Tue at 10:00 (Europe/Berlin)" in reply and "Next: Tue 1 Dec 2026, 10:00 CET" in reply
    (row,) = cadences(sessions)
    assert (row.target_id, row.created_by, row.every_weeks, row.tz) == ("U2", "U1", 2, "Europe/Berlin")
    assert "every other Tue" in one_on_one(slack, "")
    paused = one_on_one(slack, "pause until 2026-12-20")
    assert "Paused until" in paused and "Next: Tue 29 Dec 2026" in paused
    assert "Resumed" in one_on_one(slack, "resume")
    assert "stopped" in one_on_one(slack, "off")
    assert not cadences(sessions)[0].active
    assert "<@U2>" not in ephemeral_text(slack.command("/coach", "1on1"))  # none active left


def test_skip_holidays_moves_the_next_1on1_past_christmas(slack: SlackSender, clock: TestClock) -> None:
    clock.now = datetime(2026, 12, 21, 12, 0, tzinfo=UTC)
    reply = one_on_one(slack, "weekly fri 10:00 Europe/Berlin skip holidays DE")
    assert "Next: Fri 1 Jan 2027" not in reply and "Next: Fri 8 Jan 2027" in reply  # 25 Dec, 1 Jan: holidays
    assert "Germany" in reply


@pytest.mark.parametrize(
    ("user", "text", "problem"),
    [
        ("U1", "1on1 <@U1> weekly tue 10:00", "not with yourself"),
        ("U1", "1on1 <@UNOBODY> weekly tue 10:00", "<@UNOBODY>"),
        ("U1", "1on1 bob weekly tue 10:00", "is not a mention"),
        ("U1", "1on1 <@U2> weekly 10:00", "which day"),
        ("U1", "1on1 <@U2> weekly tue mon 10:00", "one day"),
        ("U1", "1on1 <@U2> weekly tue 10:00 EST", "America/New_York"),
        ("U1", "1on1 <@U2> pause 2w", "nothing to pause"),
        ("U2", "1on1 <@U3> weekly tue 10:00", "managers"),  # a rep as manager
    ],
)
def test_bad_cadences_get_a_clear_answer_and_change_nothing(
    slack: SlackSender, sessions: Sessions, user: str, text: str, problem: str
) -> None:
    reply = ephemeral_text(slack.command("/coach", text, user=user))
    assert problem in reply and "/coach" in reply and "Traceback" not in reply
    assert cadences(sessions) == []


def test_another_managers_rep_is_refused(slack: SlackSender, sessions: Sessions) -> None:
    make_manager(sessions, "U3")
    one_on_one(slack, "weekly tue 10:00")
    reply = one_on_one(slack, "weekly wed 11:00", user="U3")
    assert "already has a 1:1 cadence with <@U1>" in reply
    (row,) = cadences(sessions)
    assert (row.created_by, row.hour) == ("U1", 10)


def test_both_sides_add_topics_and_check_them_off(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    assert "no 1:1 with you set up yet" in topic(slack, "U1", "my goals", user="U2")
    one_on_one(slack, "weekly tue 10:00")
    assert "Added topic" in topic(slack, "U1", "my <!channel> goals", user="U2")
    assert "Added topic" in topic(slack, "U2", "Q1 pipeline", user="U1")
    agenda = slack.command("/coach", f"topic {mention('U1')}", user="U2").json()
    shown = str(agenda)
    assert "&lt;!channel&gt;" in shown and "<!channel>" not in shown and "Q1 pipeline" in shown
    checks = [b for name, b in buttons(agenda["blocks"]).items() if name.startswith("coach_topic_check_")]
    assert len(checks) == 2
    slack.block_action(str(checks[0]["action_id"]), str(checks[0]["value"]), user="U3")  # not on this 1:1
    assert "isn't on any agenda" in str(last_response(fake_slack))
    slack.block_action(str(checks[0]["action_id"]), str(checks[0]["value"]), user="U2")
    with sessions() as s:
        checked = list(s.scalars(select(Topic.checked_by).where(Topic.checked_at.is_not(None))))
    assert checked == ["U2"]  # U3, not on this 1:1, pressed first and changed nothing
    redrawn = last_response(fake_slack, count=2)  # the agenda again, in place, without the point
    assert redrawn["replace_original"] is True and "Q1 pipeline" in str(redrawn["blocks"])
    assert "goals" not in str(redrawn["blocks"])


@pytest.mark.parametrize(
    ("text", "problem"),
    [("x" * 400, "400 characters"), ("\u200b", "Say what")],
)
def test_huge_or_empty_topics_change_nothing(slack: SlackSender, sessions: Sessions, text: str, problem: str) -> None:
    assert problem in topic(slack, "U2", text, user="U1")
    assert topic_count(sessions) == 0


def test_a_look_alike_topic_and_a_flood_are_refused(slack: SlackSender, sessions: Sessions) -> None:
    topic(slack, "U2", "Acme renewal", user="U1")
    assert "already on the agenda" in topic(slack, "U2", "\u0410cme RENEWAL", user="U1")
    for n in range(19):
        topic(slack, "U2", f"point {n}", user="U1")
    assert "20 topics in the last 24 hours" in topic(slack, "U2", "one more", user="U1")
    assert topic_count(sessions) == 20


def test_the_add_topic_form_and_its_errors(slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack) -> None:
    seed_note(sessions, text="PRIVATE")
    brief = slack.command("/coach", f"1on1 {mention('U2')} brief").json()
    add = buttons(brief["blocks"])["coach_topic_add"]
    slack.block_action("coach_topic_add", str(add["value"]))
    fake_slack.wait_for("views.open")
    values = {"topic": {"topic": {"type": "plain_text_input", "value": "x" * 301}}}
    refused = slack.view_submission("coach_topic_modal", values, private_metadata="U2")
    assert "301 characters" in str(refused.json())
    values = {"topic": {"topic": {"type": "plain_text_input", "value": "Career path"}}}
    slack.view_submission("coach_topic_modal", values, private_metadata="U2")
    assert topic_count(sessions) == 1
    assert "PRIVATE" not in everything_sent(fake_slack, "U2")


def test_a_replayed_topic_command_adds_it_once(slack: SlackSender, sessions: Sessions) -> None:
    slack.command("/coach", f"topic {mention('U2')} once", trigger_id="trig.same")
    slack.command("/coach", f"topic {mention('U2')} once", trigger_id="trig.same")
    assert topic_count(sessions) == 1


def test_another_workspace_sees_no_topic_and_checks_nothing(slack: SlackSender, sessions: Sessions) -> None:
    one_on_one(slack, "weekly tue 10:00")
    topic(slack, "U2", "ours", user="U1")
    with sessions() as s:
        topic_id = s.scalar(select(Topic.id))
    slack.team_id = "T2"
    try:
        reply = ephemeral_text(slack.command("/coach", f"topic {mention('U1')}", user="U2"))
        assert "ours" not in reply
        slack.block_action(f"coach_topic_check_{topic_id}", f"agenda:{topic_id}", user="U2")
    finally:
        slack.team_id = "T1"
    with sessions() as s:
        assert s.scalar(select(Topic.checked_at)) is None
