"""Talking points, the agenda and the prep brief (real databases, curated prompts loaded)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.blocks.one_on_ones import agenda_message, brief_message
from bot.db.engine import Sessions
from bot.errors import NotFound
from bot.services import prep_brief, rubric, topics
from bot.services.topics import TopicRefused
from tests.factories import dump, make_manager, seed_note
from tests.services.coaching_factories import seed_cadence, seed_item

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # a Monday
DAY = timedelta(days=1)


def _add(
    sessions: Sessions,
    text: str,
    *,
    user: str = "U1",
    other: str = "U2",
    at: datetime = NOW,
    per_day: int = topics.PER_DAY,
) -> topics.TopicView:
    with sessions.begin() as session:
        return topics.add_topic(
            session, team_id="T1", enterprise_id=None, user_id=user, other_id=other, text=text, now=at, per_day=per_day
        )


def _agenda(sessions: Sessions, *, manager: str = "U1", rep: str = "U2") -> topics.Agenda:
    with sessions.begin() as session:
        return topics.build_agenda(session, team_id="T1", manager_id=manager, rep_id=rep, now=NOW)


def test_either_side_adds_and_topics_carry_over_until_checked(sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    seed_cadence(sessions)
    mine = _add(sessions, "Q1 pipeline review")
    theirs = _add(sessions, "help with <!channel> Acme", user="U2", other="U1")
    assert (mine.manager_id, mine.rep_id, theirs.manager_id, theirs.rep_id) == ("U1", "U2", "U1", "U2")
    assert [t.id for t in _agenda(sessions).topics] == [mine.id, theirs.id]
    with sessions.begin() as session:
        done = topics.check_topic(session, team_id="T1", topic_id=mine.id, user_id="U2", now=NOW)
        again = topics.check_topic(session, team_id="T1", topic_id=mine.id, user_id="U1", now=NOW)
    assert done.newly_checked and not again.newly_checked and again.topic.checked_by == "U2"
    assert [t.id for t in _agenda(sessions).topics] == [theirs.id]


def test_only_the_pair_checks_a_topic_off_and_other_workspaces_see_nothing(sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    topic = _add(sessions, "Territory plan")
    with sessions.begin() as session:
        for team, user, topic_id in (("T1", "U3", topic.id), ("T2", "U1", topic.id), ("T1", "U1", 2**40)):
            with pytest.raises(NotFound):
                topics.check_topic(session, team_id=team, topic_id=topic_id, user_id=user, now=NOW)
    assert len(_agenda(sessions).topics) == 1


@pytest.mark.parametrize(
    ("user", "other", "words"),
    [
        ("U1", "U1", "not with yourself"),
        ("U2", "U1", "no 1:1 with you set up yet"),  # a rep, but no cadence with that manager
        ("U2", "U3", "not your manager"),  # neither is a manager
    ],
)
def test_a_topic_needs_a_real_pair(sessions: Sessions, user: str, other: str, words: str) -> None:
    make_manager(sessions, "U1")
    with pytest.raises(TopicRefused, match=words) as err:
        _add(sessions, "Anything", user=user, other=other)
    assert "/coach" in err.value.message
    assert _agenda(sessions).topics == ()


@pytest.mark.parametrize(
    ("text", "words"),
    [("", "Say what"), ("\u200b\u200b …!", "Say what"), ("x" * 301, "301 characters")],
)
def test_empty_or_huge_topics_are_refused(sessions: Sessions, text: str, words: str) -> None:
    make_manager(sessions, "U1")
    with pytest.raises(TopicRefused, match=words):
        _add(sessions, text)
    assert _agenda(sessions).open_topics == 0


def test_a_look_alike_of_an_open_topic_is_refused_but_a_checked_one_may_come_back(sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    first = _add(sessions, "Acme renewal")
    # Cyrillic "А" and "е", a zero-width space, other case and spacing: it looks the same.
    with pytest.raises(TopicRefused, match=f"#{first.id}"):
        _add(sessions, "  \u0410cm\u0435 \u200bRENEWAL ")
    with sessions.begin() as session:
        topics.check_topic(session, team_id="T1", topic_id=first.id, user_id="U1", now=NOW)
    assert _add(sessions, "Acme renewal").id != first.id


def test_the_flood_limit_counts_one_persons_topics_over_24_hours(sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    for n in range(3):
        _add(sessions, f"Point {n}", at=NOW - timedelta(hours=23) + n * timedelta(minutes=1), per_day=3)
    with pytest.raises(TopicRefused, match="3 topics in the last 24 hours"):
        _add(sessions, "One more", per_day=3)
    assert _agenda(sessions).open_topics == 3
    assert _add(sessions, "Next day", at=NOW + timedelta(hours=2), per_day=3).text == "Next day"


def test_the_agenda_holds_topics_and_the_managers_open_items_only(sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    seed_cadence(sessions)
    seed_note(sessions, text="PRIVATE note text", created_at=NOW - DAY)
    late = seed_item(sessions, text="Send the recap", due_on=date(2026, 11, 20))
    seed_item(sessions, text="Done already", status="done")
    seed_item(sessions, assigner="U9", text="Another manager's item")
    _add(sessions, "Career path", user="U2", other="U1")
    agenda = _agenda(sessions)
    assert [i.id for i in agenda.items] == [late] and agenda.overdue() == 1
    shown = dump(agenda_message(agenda, viewer_id="U2").blocks)
    assert "Send the recap" in shown and "Career path" in shown
    assert "PRIVATE" not in shown and "Another manager" not in shown and "/5" not in shown


def _rated(sessions: Sessions, skill: str, rating: int, *, at: datetime, author: str = "U1", team: str = "T1") -> int:
    with sessions.begin() as session:
        skill_id = rubric.resolve_skill(session, team_id=team, typed=skill, now=NOW, example="x").id
    return seed_note(sessions, author=author, team_id=team, created_at=at, skill_id=skill_id, rating=rating)


def test_the_brief_is_the_managers_own_picture(sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    for n, r in enumerate([2, 2, 3]):
        _rated(sessions, "discovery", r, at=NOW - (20 - n) * DAY)
    for n, r in enumerate([4, 5]):
        _rated(sessions, "demo", r, at=NOW - (10 - n) * DAY)
    newest = [seed_note(sessions, text=f"Note {n}", created_at=NOW - (5 - n) * DAY) for n in range(3)]
    # Another manager's notes, another rep, another workspace: never in U1's brief.
    _rated(sessions, "demo", 1, at=NOW, author="U9")
    seed_note(sessions, author="U9", text="U9 SECRET", created_at=NOW)
    seed_note(sessions, rep="U3", text="other rep", created_at=NOW)
    seed_note(sessions, team_id="T2", text="other team", created_at=NOW)
    seed_item(sessions, due_on=date(2026, 11, 20))
    seed_item(sessions, due_on=date(2026, 12, 20))
    _add(sessions, "Quota check-in")
    with sessions.begin() as session:
        brief = prep_brief.build_brief(session, team_id="T1", manager_id="U1", rep_id="U2", now=NOW)
        again = prep_brief.build_brief(session, team_id="T1", manager_id="U1", rep_id="U2", now=NOW)
    assert brief == again  # repeatable: nothing was used up
    assert [n.id for n in brief.last_notes] == list(reversed(newest))
    assert brief.days_since_last_note == 3
    assert {t.name: t.ratings for t in brief.trends} == {"discovery": (2, 2, 3), "demo": (4, 5)}
    assert brief.weakest is not None and brief.weakest.name == "discovery"
    assert brief.prompt is not None
    assert (brief.open_items, brief.overdue_items) == (2, 1)
    assert [t.text for t in brief.topics] == ["Quota check-in"]
    shown = dump(brief_message(brief, tz="Europe/Berlin").blocks)
    assert "SECRET" not in shown and "other rep" not in shown and "other team" not in shown
    assert "Note 2" in shown and "Quota check-in" in shown and brief.prompt.text[:30] in shown


def test_a_brief_for_a_rep_without_notes_still_has_the_agenda(sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    _add(sessions, "First 1:1: goals")
    with sessions.begin() as session:
        brief = prep_brief.build_brief(session, team_id="T1", manager_id="U1", rep_id="U2", now=NOW)
    assert brief.days_since_last_note is None and brief.last_notes == () and brief.weakest is None
    assert brief.prompt is None and len(brief.topics) == 1
    assert "No notes on them yet" in dump(brief_message(brief, tz=None).blocks)
