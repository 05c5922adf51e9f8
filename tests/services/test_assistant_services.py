"""The assistant's services without Slack: reading a question, the data answers, the limit per
minute and feedback, and the grounding a model would be shown (own data only)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.blocks.assistant import answer_message
from bot.db.engine import Sessions
from bot.errors import NotFound, UsageError
from bot.services import assistant
from bot.services.assistant import (
    AskingTooFast,
    Help,
    PickRep,
    Plate,
    Prep,
    Promises,
    Role,
    Stale,
    TopicAdded,
    TopicNeeded,
    Weakest,
)
from bot.services.assistant_context import CONTEXT_CHARS, grounding
from bot.services.assistant_intents import MAX_QUESTION, Intent, read_question
from tests.factories import make_manager, seed_note
from tests.services.coaching_factories import NOW, rated_note, seed_cadence, seed_item

ADA_SECRET = "Ada-only: Bob froze on the pricing slide"
CY_SECRET = "Cy-only: Bob is thinking of leaving"


@pytest.mark.parametrize(
    ("typed", "intent", "mentions", "subject"),
    [
        ("Prep my 1:1 with…", Intent.PREP, (), ""),
        ("prep my 1:1 with <@U2|bob>", Intent.PREP, ("U2",), ""),
        ("Prep my 1:1 with Bob Rep", Intent.PREP, (), "Bob Rep"),
        ("What did I promise…?", Intent.PROMISES, (), ""),
        ("what did i promise <@U2>?", Intent.PROMISES, ("U2",), ""),
        ("Who haven't I coached lately?", Intent.STALE, (), ""),
        ("WHO HAVEN’T I COACHED LATELY", Intent.STALE, (), ""),
        ("Which reps are weakest at…?", Intent.WEAKEST, (), ""),
        ("Which reps are weakest at discovery?", Intent.WEAKEST, (), "discovery"),
        ("What's on my plate?", Intent.PLATE, (), ""),
        ("Add a topic for my 1:1 with <@U1>: pricing review", Intent.ADD_TOPIC, ("U1",), "pricing review"),
        ("help", Intent.HELP, (), ""),
        ("How should I open tomorrow's call with Bob?", Intent.FREE_TEXT, (), ""),
        # Look-alikes: a Greek capital Rho and Cyrillic letters read as the Latin ones.
        ("\u03a1rep my 1:1 with <@U2>", Intent.PREP, ("U2",), ""),
        ("Wh\u043e h\u0430ven't I coached lately?", Intent.STALE, (), ""),
        # Zero-width characters inside the key phrase don't hide it.
        ("on my pl\u200bate?", Intent.PLATE, (), ""),
    ],
)
def test_questions_are_read_by_key_phrase(typed: str, intent: Intent, mentions: tuple[str, ...], subject: str) -> None:
    q = read_question(typed)
    assert (q.intent, q.mentions, q.subject) == (intent, mentions, subject)


def test_empty_and_huge_questions_are_refused_with_an_example() -> None:
    with pytest.raises(UsageError, match=r"Ask me something, e\.g\."):
        read_question("   ")
    with pytest.raises(UsageError) as err:
        read_question("x" * (MAX_QUESTION + 1))
    assert f"{MAX_QUESTION + 1:,} characters" in err.value.message and "e.g." in err.value.message


def _answer(sessions: Sessions, text: str, *, user: str = "U1", team: str = "T1") -> assistant.DataAnswer:
    with sessions.begin() as session:
        role = assistant.role_of(session, team_id=team, user_id=user)
        return assistant.answer(session, team_id=team, user_id=user, role=role, question=read_question(text), now=NOW)


def test_prep_is_the_managers_own_card_for_the_rep(sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    make_manager(sessions, "U3")
    seed_note(sessions, author="U1", rep="U2", text=ADA_SECRET, rep_name="Bob Rep", created_at=NOW - timedelta(days=3))
    seed_note(sessions, author="U3", rep="U2", text=CY_SECRET, rep_name="Bob Rep")
    by_mention = _answer(sessions, "Prep my 1:1 with <@U2>")
    by_name = _answer(sessions, "prep my 1:1 with bob")
    for found in (by_mention, by_name):
        assert isinstance(found, Prep)
        assert [n.text for n in found.brief.last_notes] == [ADA_SECRET]
        assert found.brief.days_since_last_note == 3 and found.meets_at is None


def test_prep_without_a_rep_or_with_an_unknown_name_asks_which(sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    seed_note(sessions, author="U1", rep="U2", rep_name="Bob Rep")
    asked = _answer(sessions, "Prep my 1:1 with…")
    assert isinstance(asked, PickRep) and [r.rep_id for r in asked.reps] == ["U2"] and asked.unmatched == ""
    unknown = _answer(sessions, "Prep my 1:1 with Zed")
    assert isinstance(unknown, PickRep) and unknown.unmatched == "Zed"
    with pytest.raises(UsageError, match="That's you"):
        _answer(sessions, "Prep my 1:1 with <@U1>")


def test_promises_are_the_managers_unfinished_items_and_open_follow_ups(sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    make_manager(sessions, "U3")
    seed_item(sessions, assigner="U1", rep="U2", text="Send the recap", due_on=date(2026, 11, 20))
    seed_item(sessions, assigner="U1", rep="U2", text="Already done", status="done")
    seed_item(sessions, assigner="U3", rep="U2", text="Cy's item")
    seed_note(sessions, author="U1", rep="U2", follow_up_on=date(2026, 12, 2))
    seed_note(sessions, author="U3", rep="U2", follow_up_on=date(2026, 12, 1))
    owed = _answer(sessions, "What did I promise…?")
    assert isinstance(owed, Promises)
    assert [i.text for i in owed.items] == ["Send the recap"] and owed.items[0].overdue(NOW)
    assert [n.author_id for n in owed.follow_ups] == ["U1"]
    to_cy = _answer(sessions, "What did I promise <@U3>?")
    assert isinstance(to_cy, Promises) and to_cy.items == () and to_cy.follow_ups == ()


def test_stale_lists_reps_not_noted_in_14_days(sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    seed_note(sessions, author="U1", rep="U2", created_at=NOW - timedelta(days=20))
    seed_note(sessions, author="U1", rep="U3", created_at=NOW - timedelta(days=2))
    seed_note(sessions, author="U9", rep="U4", created_at=NOW - timedelta(days=40))  # another manager's rep
    found = _answer(sessions, "Who haven't I coached lately?")
    assert isinstance(found, Stale) and [r.rep_id for r in found.reps] == ["U2"] and found.total_reps == 2


def test_weakest_ranks_the_managers_own_ratings_without_a_minimum(sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    rated_note(sessions, skill="discovery", rating=2, rep="U2")
    rated_note(sessions, skill="discovery", rating=4, rep="U3")
    rated_note(sessions, skill="closing", rating=1, rep="U3")
    rated_note(sessions, skill="discovery", rating=1, rep="U4", author="U9")  # not Ada's rating
    on_skill = _answer(sessions, "Which reps are weakest at discovery?")
    assert isinstance(on_skill, Weakest) and on_skill.skill is not None
    assert [(r.rep_id, r.average) for r in on_skill.reps] == [("U2", 2.0), ("U3", 4.0)]
    each = _answer(sessions, "Which reps are weakest at…?")
    assert isinstance(each, Weakest) and [(r.rep_id, r.skill_label) for r in each.reps] == [
        ("U3", "Closing"),
        ("U2", "Discovery"),
    ]
    with pytest.raises(UsageError, match="weakest at discovery"):
        _answer(sessions, "Which reps are weakest at juggling?")


def test_a_member_gets_their_plate_and_never_a_managers_answer(sessions: Sessions) -> None:
    seed_item(sessions, assigner="U1", rep="U2", text="Practise the demo")
    seed_note(sessions, author="U1", rep="U2", text=ADA_SECRET)
    found = _answer(sessions, "What's on my plate?", user="U2")
    assert isinstance(found, Plate) and [i.text for i in found.items] == ["Practise the demo"]
    for question in ("Prep my 1:1 with <@U2>", "Who haven't I coached lately?", "Which reps are weakest at…?"):
        refused = _answer(sessions, question, user="U2")
        assert refused == Help(Role.MEMBER, asked_for_managers=True)


def test_other_workspaces_see_nothing(sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    make_manager(sessions, "U1", team_id="T2")
    seed_note(sessions, author="U1", rep="U2", text=ADA_SECRET, created_at=NOW - timedelta(days=30))
    seed_item(sessions, assigner="U1", rep="U2")
    stale = _answer(sessions, "Who haven't I coached lately?", team="T2")
    assert isinstance(stale, Stale) and stale.total_reps == 0
    owed = _answer(sessions, "What did I promise…?", team="T2")
    assert isinstance(owed, Promises) and owed.items == ()


def test_asking_is_limited_per_member_and_minute(sessions: Sessions) -> None:
    def ask(user: str, at: timedelta = timedelta()) -> int:
        with sessions.begin() as session:
            return assistant.admit(session, team_id="T1", user_id=user, intent=Intent.HELP, now=NOW + at, per_minute=2)

    ask("U1")
    ask("U1", timedelta(seconds=10))
    with pytest.raises(AskingTooFast, match="2 questions in the last minute") as err:
        ask("U1", timedelta(seconds=20))
    assert "Nothing was looked up" in err.value.message
    ask("U2", timedelta(seconds=20))  # someone else is not held up
    ask("U1", timedelta(seconds=61))  # the first has left the window


def test_feedback_is_the_askers_only(sessions: Sessions) -> None:
    with sessions.begin() as session:
        qid = assistant.admit(session, team_id="T1", user_id="U1", intent=Intent.HELP, now=NOW, per_minute=5)
    with sessions.begin() as session:
        assert assistant.record_feedback(session, team_id="T1", user_id="U1", question_id=qid, vote="up", now=NOW)
    for team, user, question_id in (("T1", "U2", qid), ("T2", "U1", qid), ("T1", "U1", 2**40)):
        with pytest.raises(NotFound), sessions.begin() as session:
            assistant.record_feedback(
                session, team_id=team, user_id=user, question_id=question_id, vote="down", now=NOW
            )


def test_a_managers_grounding_holds_their_own_data_only(sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    make_manager(sessions, "U3")
    seed_note(sessions, author="U1", rep="U2", text=ADA_SECRET, rep_name="Bob Rep")
    seed_note(sessions, author="U3", rep="U2", text=CY_SECRET, rep_name="Bob Rep")
    seed_note(sessions, author="U1", rep="U2", text="Other workspace", team_id="T2")
    seed_item(sessions, assigner="U1", rep="U2", text="Ada's item")
    seed_item(sessions, assigner="U3", rep="U2", text="Cy's item")
    with sessions.begin() as session:
        ground = grounding(session, team_id="T1", user_id="U1", role=Role.MANAGER, now=NOW)
    prompt = "\n".join(m.content for m in ground.messages("How is Bob doing?"))
    assert ADA_SECRET in prompt and "Ada's item" in prompt and "Bob Rep" in prompt
    assert CY_SECRET not in prompt and "Cy's item" not in prompt and "Other workspace" not in prompt


def test_a_members_grounding_has_no_note_text_and_no_rating(sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    rated_note(sessions, skill="discovery", rating=2, rep="U2", text=ADA_SECRET)
    seed_item(sessions, assigner="U1", rep="U2", text="Practise the demo")
    with sessions.begin() as session:
        ground = grounding(session, team_id="T1", user_id="U2", role=Role.MEMBER, now=NOW)
    prompt = "\n".join(m.content for m in ground.messages("What should I work on?"))
    assert "Practise the demo" in prompt
    assert ADA_SECRET not in prompt and "Discovery" not in prompt and "2/5" not in prompt


def test_the_grounding_is_bounded_for_a_manager_with_many_notes(sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    for i in range(60):
        seed_note(sessions, author="U1", rep=f"U{100 + i}", text="n" * 3000, created_at=NOW - timedelta(hours=i))
    with sessions.begin() as session:
        ground = grounding(session, team_id="T1", user_id="U1", role=Role.MANAGER, now=NOW)
    assert sum(len(line) + 1 for line in ground.lines) <= CONTEXT_CHARS + 30
    assert ground.lines[-1] == "(older data left out)"


def test_a_rep_adds_a_topic_to_their_1on1_and_sees_it_on_their_plate(sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    seed_cadence(sessions)
    added = _answer(sessions, "Add a topic for my 1:1: <!channel> help with Acme", user="U2")
    assert isinstance(added, TopicAdded) and added.topic.manager_id == "U1" and added.topic.added_by == "U2"
    shown = _answer(sessions, "What's on my plate?", user="U2")
    assert isinstance(shown, Plate) and shown.agenda is not None
    assert [t.text for t in shown.agenda.topics] == ["<!channel> help with Acme"]
    text = answer_message(shown, tz=None, user_id="U2").text
    assert "&lt;!channel&gt; help with Acme" in text and "<!channel>" not in text
    prep = _answer(sessions, "Prep my 1:1 with <@U2>")
    assert isinstance(prep, Prep) and [t.text for t in prep.brief.topics] == ["<!channel> help with Acme"]
    assert prep.meets_at is not None and prep.meets_at.weekday() == 1  # next Tuesday


def test_a_topic_without_text_or_a_1on1_is_refused_and_adds_nothing(sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    assert _answer(sessions, "Add a topic for my 1:1 with…", user="U2") == TopicNeeded(None)
    with pytest.raises(UsageError, match="has no 1:1 with you set up yet"):
        _answer(sessions, "Add a topic for my 1:1 with <@U1>: pricing", user="U2")
    with pytest.raises(UsageError, match="not with yourself"):
        _answer(sessions, "Add a topic for my 1:1 with <@U1>: pricing", user="U1")
    shown = _answer(sessions, "What's on my plate?", user="U2")
    assert isinstance(shown, Plate) and shown.agenda is None


def test_a_members_grounding_holds_their_talking_points_but_no_note(sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    seed_cadence(sessions)
    seed_note(sessions, author="U1", rep="U2", text=ADA_SECRET)
    _answer(sessions, "Add a topic for my 1:1 with <@U2>: the Q1 pipeline")
    with sessions.begin() as session:
        ground = grounding(session, team_id="T1", user_id="U2", role=Role.MEMBER, now=NOW)
    prompt = "\n".join(m.content for m in ground.messages("What's next?"))
    assert "the Q1 pipeline" in prompt and ADA_SECRET not in prompt
