"""The assistant with a language model, over signed HTTP against the fake Slack and a fake
OpenAI-compatible model that records every prompt: free text is streamed, grounded only on
the asker's own data; the model's failures and timeouts fall back to the data answer."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import select

from bot.blocks.assistant import FALLBACK
from bot.db.engine import Sessions
from bot.db.models import AssistantQuestion, Leader
from tests.assistant_events import THREAD_TS, dm_of, user_message
from tests.factories import make_manager, seed_note
from tests.fakes.llm import FakeModel
from tests.fakes.slack_api import FakeSlack
from tests.harness import SlackSender
from tests.services.coaching_factories import rated_note, seed_item

ADA_NOTE = "ADA-PRIVATE: Bob mumbles through the pricing slide"
CY_NOTE = "CY-PRIVATE: Bob told me he is interviewing elsewhere"
OTHER_TEAM_NOTE = "T2-PRIVATE: a note in another workspace"


@pytest.fixture
def model() -> Iterator[FakeModel]:
    with FakeModel(model="coach-llm") as fake:
        yield fake


@pytest.fixture
def with_model(start_app: Callable[..., SlackSender], model: FakeModel) -> Callable[..., SlackSender]:
    def start(**env: str) -> SlackSender:
        return start_app(COACHBOT_LLM_BASE_URL=model.base_url, COACHBOT_LLM_MODEL="coach-llm", **env)

    return start


def _seed_two_managers(sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    make_manager(sessions, "U3")
    seed_note(sessions, author="U1", rep="U2", text=ADA_NOTE, rep_name="Bob Rep")
    seed_note(sessions, author="U3", rep="U2", text=CY_NOTE, rep_name="Bob Rep")
    seed_note(sessions, author="U1", rep="U2", text=OTHER_TEAM_NOTE, team_id="T2")
    rated_note(sessions, skill="discovery", rating=2, author="U3", rep="U2", text="CY-RATED: weak discovery")
    seed_item(sessions, assigner="U1", rep="U2", text="Ada's item: send the recap")
    seed_item(sessions, assigner="U3", rep="U2", text="Cy's item: call the CFO")


def _ask(slack: SlackSender, fake: FakeSlack, text: str, *, user: str = "U1", nth: int = 1) -> None:
    assert user_message(slack, text, user=user).status_code == 200
    fake.wait_for("assistant.threads.setTitle", count=nth, channel_id=dm_of(user))


def _questions(sessions: Sessions) -> list[AssistantQuestion]:
    with sessions.begin() as session:
        return list(session.scalars(select(AssistantQuestion).order_by(AssistantQuestion.id)))


def test_free_text_is_streamed_from_the_model_grounded_on_the_managers_own_data_only(
    with_model: Callable[..., SlackSender], sessions: Sessions, fake_slack: FakeSlack, model: FakeModel
) -> None:
    slack = with_model()
    _seed_two_managers(sessions)
    model.reply("Bob needs practice on pricing. <!channel> Try a role-play this week.")
    _ask(slack, fake_slack, "How should I coach Bob this week?")
    (request,) = model.completions()
    assert request.stream and request.model == "coach-llm"
    prompt = model.prompt_text()
    assert ADA_NOTE in prompt and "Ada's item: send the recap" in prompt
    assert "How should I coach Bob this week?" in prompt
    for foreign in (CY_NOTE, "CY-RATED", "Cy's item", OTHER_TEAM_NOTE):
        assert foreign not in prompt
    assert fake_slack.calls_to("chat.startStream", channel=dm_of("U1"), thread_ts=THREAD_TS)
    (reply,) = fake_slack.thread_replies(dm_of("U1"), THREAD_TS)
    assert reply["text"] == "Bob needs practice on pricing. &lt;!channel&gt; Try a role-play this week."
    assert not fake_slack.is_streaming(dm_of("U1"), reply["ts"])
    blocks = json.dumps(reply["blocks"])
    assert "feedback_buttons" in blocks and "coach-llm" in blocks and "your own data only" in blocks
    assert [q.answered_by for q in _questions(sessions)] == ["model"]


@pytest.mark.parametrize("asker", ["rep", "leader"])
def test_a_rep_or_leaders_prompt_holds_no_note_text_and_no_rating(
    asker: str, with_model: Callable[..., SlackSender], sessions: Sessions, fake_slack: FakeSlack, model: FakeModel
) -> None:
    slack = with_model()
    _seed_two_managers(sessions)
    user = "U2"
    if asker == "leader":
        user = "U4"
        fake_slack.add_user("U4", name="lee", real_name="Lee Leader")
        with sessions.begin() as session:
            session.add(Leader(team_id="T1", user_id="U4", added_by="UADMIN"))
        seed_item(sessions, assigner="U1", rep="U4", text="Leader's item: review the forecast")
    _ask(slack, fake_slack, "What should I focus on?", user=user)
    prompt = model.prompt_text()
    for private in (ADA_NOTE, CY_NOTE, "CY-RATED", OTHER_TEAM_NOTE, "/5", "Discovery"):
        assert private not in prompt
    if asker == "rep":
        assert "Ada's item: send the recap" in prompt and "Cy's item: call the CFO" in prompt
    else:
        assert "Leader's item: review the forecast" in prompt and "send the recap" not in prompt


def test_the_suggested_questions_are_answered_from_the_data_even_with_a_model(
    with_model: Callable[..., SlackSender], sessions: Sessions, fake_slack: FakeSlack, model: FakeModel
) -> None:
    slack = with_model()
    _seed_two_managers(sessions)
    _ask(slack, fake_slack, "What did I promise…?")
    assert model.completions() == []
    (answer,) = fake_slack.calls_to("chat.postMessage", channel=dm_of("U1"), thread_ts=THREAD_TS)
    assert "Ada's item: send the recap" in str(answer.get("text"))


@pytest.mark.parametrize("failure", ["500", "timeout"])
def test_a_model_error_or_timeout_falls_back_to_the_data_answer_said_plainly(
    failure: str,
    with_model: Callable[..., SlackSender],
    sessions: Sessions,
    fake_slack: FakeSlack,
    model: FakeModel,
) -> None:
    slack = with_model(COACHBOT_LLM_TIMEOUT_SECONDS="1")
    _seed_two_managers(sessions)
    if failure == "500":
        model.fail(500)
    else:
        model.hang(30)
    _ask(slack, fake_slack, "Anything I should worry about?")
    (answer,) = fake_slack.calls_to("chat.postMessage", channel=dm_of("U1"), thread_ts=THREAD_TS)
    text = str(answer.get("text"))
    assert text.startswith(FALLBACK) and "Ada's item: send the recap" in text
    assert "feedback_buttons" in json.dumps(answer.json("blocks"))
    assert not fake_slack.calls_to("chat.startStream")
    assert [q.answered_by for q in _questions(sessions)] == ["fallback"]
    assert len(model.completions()) == 1  # no retries: a person is waiting


def test_a_members_fallback_is_their_plate(
    with_model: Callable[..., SlackSender], sessions: Sessions, fake_slack: FakeSlack, model: FakeModel
) -> None:
    slack = with_model()
    _seed_two_managers(sessions)
    model.fail(503)
    _ask(slack, fake_slack, "What now?", user="U2")
    (answer,) = fake_slack.calls_to("chat.postMessage", channel=dm_of("U2"), thread_ts=THREAD_TS)
    text = str(answer.get("text"))
    assert text.startswith(FALLBACK) and "Your open action items" in text and ADA_NOTE not in text


def test_a_flood_never_reaches_the_model(
    with_model: Callable[..., SlackSender], sessions: Sessions, fake_slack: FakeSlack, model: FakeModel
) -> None:
    slack = with_model(COACHBOT_ASSISTANT_PER_MINUTE="1")
    make_manager(sessions, "U1")
    _ask(slack, fake_slack, "First free question")
    assert user_message(slack, "Second free question").status_code == 200
    posts = fake_slack.wait_for("chat.postMessage", channel=dm_of("U1"), thread_ts=THREAD_TS)
    assert "in the last minute" in str(posts[-1].get("text"))
    assert len(model.completions()) == 1
