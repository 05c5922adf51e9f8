"""The assistant in Slack's AI pane over signed HTTP, against the fake Slack (no model): prompts
by role, each suggested question answered from the data, status and title, feedback, and
hostile input (replays, other workspaces, huge and look-alike text, floods)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select

from bot.blocks.assistant import FEEDBACK, STATUS
from bot.db.engine import Sessions
from bot.db.models import AssistantQuestion
from tests.assistant_events import THREAD_TS, context_changed, dm_of, thread_started, user_message
from tests.factories import make_manager, seed_note
from tests.fakes.slack_api import Call, FakeSlack
from tests.harness import SlackSender, TestClock
from tests.services.coaching_factories import seed_item

ADA_NOTE = "Ada's own: Bob rushed the pricing slide"
CY_NOTE = "Cy's private: Bob may be leaving"


def ask(slack: SlackSender, fake: FakeSlack, text: str, *, user: str = "U1", nth: int = 1) -> Call:
    """Send ``text`` in the user's assistant thread; the ``nth`` answer posted there (the flow
    sets the thread's title last, so the answer is in once the title call is)."""
    assert user_message(slack, text, user=user).status_code == 200
    fake.wait_for("assistant.threads.setTitle", count=nth, channel_id=dm_of(user))
    return fake.calls_to("chat.postMessage", channel=dm_of(user), thread_ts=THREAD_TS)[-1]


def shown(call: Call) -> str:
    return str(call.get("text")) + json.dumps(call.json("blocks") or [])


def questions(sessions: Sessions) -> list[AssistantQuestion]:
    with sessions.begin() as session:
        return list(session.scalars(select(AssistantQuestion).order_by(AssistantQuestion.id)))


def test_a_manager_gets_the_four_manager_prompts_and_a_member_the_two_member_ones(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    make_manager(sessions, "U1")
    assert thread_started(slack, user="U1").status_code == 200
    assert thread_started(slack, user="U2").status_code == 200
    fake_slack.wait_for("chat.postMessage", channel=dm_of("U2"), thread_ts=THREAD_TS)
    fake_slack.wait_for("chat.postMessage", channel=dm_of("U1"), thread_ts=THREAD_TS)
    manager = [p["title"] for p in fake_slack.suggested_prompts(dm_of("U1"), THREAD_TS)]
    member = [p["title"] for p in fake_slack.suggested_prompts(dm_of("U2"), THREAD_TS)]
    assert manager == [
        "Prep my 1:1 with…",
        "What did I promise…?",
        "Who haven't I coached lately?",
        "Which reps are weakest at…?",
    ]
    assert member == ["What's on my plate?", "Add a topic for my 1:1"]


def test_prep_is_the_managers_own_brief_with_status_title_and_feedback(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    make_manager(sessions, "U1")
    make_manager(sessions, "U3")
    seed_note(sessions, author="U1", rep="U2", text=ADA_NOTE, created_at=clock.now - timedelta(days=4))
    seed_note(sessions, author="U3", rep="U2", text=CY_NOTE)
    answer = ask(slack, fake_slack, "Prep my 1:1 with <@U2>")
    text = shown(answer)
    assert "Prep for your 1:1 with <@U2>" in text and "Ada's own: Bob rushed the pricing slide" in text
    assert "Cy's private" not in text
    assert fake_slack.calls_to("assistant.threads.setStatus", status=STATUS, thread_ts=THREAD_TS)
    assert fake_slack.status(dm_of("U1"), THREAD_TS) == ""  # the reply cleared it
    assert fake_slack.title(dm_of("U1"), THREAD_TS) == "1:1 prep"
    (row,) = questions(sessions)
    assert (row.intent, row.answered_by, row.user_id) == ("prep", "data", "U1")
    feedback = [b for b in answer.json("blocks") if b["type"] == "context_actions"]
    assert feedback[0]["elements"][0]["positive_button"]["value"] == f"{row.id}:up"


def test_every_manager_prompt_is_answered_from_the_data(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    make_manager(sessions, "U1")
    seed_note(sessions, author="U1", rep="U2", rep_name="Bob Rep", created_at=clock.now - timedelta(days=20))
    seed_item(sessions, assigner="U1", rep="U2", text="Send the <!here> recap")
    promised = shown(ask(slack, fake_slack, "What did I promise…?", nth=1))
    assert "Send the &lt;!here&gt; recap" in promised and "<!here>" not in promised
    stale = shown(ask(slack, fake_slack, "Who haven't I coached lately?", nth=2))
    assert "Not coached in 14+ days" in stale and "<@U2>" in stale
    weakest = shown(ask(slack, fake_slack, "Which reps are weakest at…?", nth=3))
    assert "You haven't rated anyone yet" in weakest
    which = shown(ask(slack, fake_slack, "Prep my 1:1 with…", nth=4))
    assert "Which rep?" in which and "<@U2>" in which
    assert [q.answered_by for q in questions(sessions)] == ["data"] * 4


def test_a_rep_sees_their_plate_and_no_manager_answer(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    make_manager(sessions, "U1")
    seed_note(sessions, author="U1", rep="U2", text=ADA_NOTE)
    seed_item(sessions, assigner="U1", rep="U2", text="Practise the demo")
    plate = shown(ask(slack, fake_slack, "What's on my plate?", user="U2"))
    assert "Practise the demo" in plate and ADA_NOTE not in plate
    refused = shown(ask(slack, fake_slack, "Prep my 1:1 with <@U2>", user="U2", nth=2))
    assert "answered from a manager's own coaching notes" in refused and ADA_NOTE not in refused


def test_free_text_without_a_model_lists_what_can_be_asked(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    make_manager(sessions, "U1")
    text = shown(ask(slack, fake_slack, "How do I get Bob to close faster?"))
    assert "I can answer these from your data" in text and "Who haven't I coached lately?" in text
    assert not fake_slack.calls_to("chat.startStream")


def test_huge_and_empty_messages_are_refused_and_record_nothing(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    make_manager(sessions, "U1")
    assert user_message(slack, "x" * 5000).status_code == 200
    (refusal,) = fake_slack.wait_for("chat.postMessage", channel=dm_of("U1"), thread_ts=THREAD_TS)
    assert "That message is 5,000 characters" in shown(refusal) and "e.g." in shown(refusal)
    assert questions(sessions) == []


def test_look_alike_text_reads_as_the_question_and_a_typed_at_name_is_no_mention(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    make_manager(sessions, "U1")
    seed_note(sessions, author="U1", rep="U2", rep_name="Bob Rep", text=ADA_NOTE)
    greek = shown(ask(slack, fake_slack, "\u03a1rep my 1:1 with <@U2>"))  # a Greek capital Rho
    assert "Prep for your 1:1 with <@U2>" in greek
    typed = shown(ask(slack, fake_slack, "Prep my 1:1 with @U3", nth=2))  # text, not Slack's <@U3>
    assert "None of your reps is called “@U3”" in typed


def test_floods_are_refused_per_member_and_minute(
    start_app: Callable[..., SlackSender], sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    slack = start_app(COACHBOT_ASSISTANT_PER_MINUTE="2")
    make_manager(sessions, "U1")
    ask(slack, fake_slack, "What did I promise…?", nth=1)
    ask(slack, fake_slack, "What did I promise…?", nth=2)
    assert user_message(slack, "What did I promise…?").status_code == 200
    posts = fake_slack.wait_for("chat.postMessage", count=3, channel=dm_of("U1"), thread_ts=THREAD_TS)
    assert "You've asked 2 questions in the last minute" in shown(posts[-1])
    assert len(questions(sessions)) == 2
    ask(slack, fake_slack, "What's on my plate?", user="U2")  # another member is not held up
    clock.now += timedelta(minutes=2)
    ask(slack, fake_slack, "What did I promise…?", nth=3)
    assert len(questions(sessions)) == 4


def test_a_replayed_event_is_answered_once(slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack) -> None:
    make_manager(sessions, "U1")
    assert user_message(slack, "What did I promise…?", event_id="EvSAME1").status_code == 200
    assert user_message(slack, "What did I promise…?", event_id="EvSAME1", retry_num=1).status_code == 200
    ask(slack, fake_slack, "Who haven't I coached lately?", nth=2)  # a later question, answered after
    assert [q.intent for q in questions(sessions)] == ["promises", "stale"]


def test_another_workspace_gets_nothing(slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack) -> None:
    make_manager(sessions, "U1")
    make_manager(sessions, "U1", team_id="T2")
    seed_note(sessions, author="U1", rep="U2", text=ADA_NOTE)
    assert user_message(slack.as_team("T2"), "Prep my 1:1 with <@U2>").status_code == 200
    assert thread_started(slack.as_team("T2")).status_code == 200
    ask(slack, fake_slack, "What did I promise…?")  # this workspace's question, answered after
    assert [q.team_id for q in questions(sessions)] == ["T1"]
    assert ADA_NOTE not in json.dumps([c.params for c in fake_slack.calls])
    assert not fake_slack.calls_to("assistant.threads.setSuggestedPrompts")


def test_a_context_change_is_acknowledged_and_reads_no_channel(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    make_manager(sessions, "U1")
    assert context_changed(slack, viewing="C1").status_code == 200
    ask(slack, fake_slack, "What did I promise…?")
    methods = {c.method for c in fake_slack.calls}
    assert not methods & {"conversations.history", "conversations.replies", "chat.update"}


def test_feedback_is_recorded_for_the_asker_only(slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack) -> None:
    make_manager(sessions, "U1")
    ask(slack, fake_slack, "What did I promise…?")
    (row,) = questions(sessions)
    forged = slack.block_action(FEEDBACK, f"{row.id}:down", user="U2", channel=dm_of("U2"))
    assert forged.status_code == 200
    (said,) = fake_slack.wait_for("response_url")
    assert "isn't yours" in json.dumps(said.params)
    assert slack.block_action(FEEDBACK, f"{row.id}:up", user="U1", channel=dm_of("U1")).status_code == 200
    assert questions(sessions)[0].feedback == "up"
    assert slack.block_action(FEEDBACK, "junk", user="U1", channel=dm_of("U1")).status_code == 200
    assert questions(sessions)[0].feedback == "up"
