"""The rep card and the targeted prompt (real databases, curated prompts loaded)."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select

from bot.db.engine import Sessions
from bot.db.models import Prompt
from bot.services import rep_card, rubric
from bot.services.rep_card import sparkline
from tests.factories import seed_note
from tests.services.coaching_factories import NOW, rated_note, seed_item


def test_sparkline_maps_1_to_5_onto_the_eight_bars() -> None:
    assert sparkline([1, 2, 3, 4, 5]) == "▁▃▅▆█"
    assert sparkline([]) == ""


def test_card_trends_average_weakest_days_items_and_last_notes(sessions: Sessions) -> None:
    day = timedelta(days=1)
    # Discovery: ten ratings; the card keeps the last eight, oldest first.
    for n, r in enumerate([1, 1, 2, 3, 3, 4, 4, 5, 5, 5]):
        rated_note(sessions, skill="discovery", rating=r, created_at=NOW - (30 - n) * day)
    rated_note(sessions, skill="demo", rating=2, created_at=NOW - 5 * day)
    rated_note(sessions, skill="demo", rating=3, created_at=NOW - 4 * day)
    rated_note(sessions, skill="closing", rating=None, created_at=NOW - 3 * day, text="skill, no rating")
    last = seed_note(sessions, text="latest <!channel>", created_at=NOW - 3 * day)
    # Noise that must not show: another manager, another rep, another workspace.
    rated_note(sessions, skill="demo", rating=1, author="U9", created_at=NOW)
    rated_note(sessions, skill="demo", rating=1, rep="U3", created_at=NOW)
    rated_note(sessions, skill="demo", rating=1, team_id="T2", created_at=NOW)
    seed_item(sessions, due_on=date(2026, 11, 20))  # overdue
    seed_item(sessions, due_on=date(2026, 12, 20))
    seed_item(sessions, status="done")
    seed_item(sessions, assigner="U9")
    with sessions.begin() as session:
        card = rep_card.rep_card(session, team_id="T1", author_id="U1", rep_id="U2", now=NOW)
    by_name = {t.name: t for t in card.trends}
    assert set(by_name) == {"discovery", "demo"}
    assert by_name["discovery"].ratings == (2, 3, 3, 4, 4, 5, 5, 5)
    assert by_name["discovery"].sparkline == "▃▅▅▆▆███"
    assert by_name["discovery"].average == 31 / 8
    assert by_name["demo"].ratings == (2, 3) and card.weakest is not None and card.weakest.name == "demo"
    assert card.days_since_last_note == 3
    assert (card.open_items, card.overdue_items) == (2, 1)
    assert card.last_notes[0].note.id == last and len(card.last_notes) == 3
    assert card.total_notes == 14


def test_weakest_ties_go_to_the_skill_rated_longest_ago(sessions: Sessions) -> None:
    rated_note(sessions, skill="closing", rating=2, created_at=NOW - timedelta(days=1))
    rated_note(sessions, skill="pipeline", rating=2, created_at=NOW - timedelta(days=9))
    rated_note(sessions, skill="demo", rating=4, created_at=NOW - timedelta(days=20))
    with sessions.begin() as session:
        card = rep_card.rep_card(session, team_id="T1", author_id="U1", rep_id="U2", now=NOW)
    assert card.weakest is not None and card.weakest.name == "pipeline"


def test_a_removed_skill_keeps_its_trend_and_a_rep_with_no_notes_has_an_empty_card(sessions: Sessions) -> None:
    rated_note(sessions, skill="pipeline", rating=1)
    with sessions.begin() as session:
        rubric.remove_skill(session, team_id="T1", typed="pipeline", is_admin=True, now=NOW)
        card = rep_card.rep_card(session, team_id="T1", author_id="U1", rep_id="U2", now=NOW)
        empty = rep_card.rep_card(session, team_id="T1", author_id="U1", rep_id="U3", now=NOW)
    assert [(t.name, t.active) for t in card.trends] == [("pipeline", False)]
    assert (empty.trends, empty.weakest, empty.days_since_last_note, empty.last_notes) == ((), None, None, ())


def test_no_ratings_means_no_target_so_the_theme_rotation_stays(sessions: Sessions) -> None:
    seed_note(sessions)
    rated_note(sessions, skill="demo", rating=1, author="U9")  # someone else's ratings don't count
    with sessions.begin() as session:
        assert rep_card.targeted_prompt(session, team_id="T1", author_id="U1", now=NOW) is None


def test_target_is_the_rated_rep_most_overdue_with_their_weakest_skill(sessions: Sessions) -> None:
    rated_note(sessions, rep="U2", skill="discovery", rating=2, created_at=NOW - timedelta(days=20))
    rated_note(sessions, rep="U2", skill="closing", rating=4, created_at=NOW - timedelta(days=19))
    rated_note(sessions, rep="U3", skill="demo", rating=1, created_at=NOW - timedelta(days=2))
    seed_note(sessions, rep="U4", created_at=NOW - timedelta(days=60))  # never rated: not a target
    with sessions.begin() as session:
        tp = rep_card.targeted_prompt(session, team_id="T1", author_id="U1", now=NOW, rng=random.Random(1))
    assert tp is not None
    assert (tp.target.rep_id, tp.target.skill.name, tp.target.days_since_last_note) == ("U2", "discovery", 19)
    assert tp.prompt is not None
    with sessions.begin() as session:
        prompt = session.get(Prompt, tp.prompt.id)
        assert prompt is not None and prompt.skill == "discovery"


def test_skill_prompts_do_not_repeat_until_the_pool_is_used_and_survive_a_rename(sessions: Sessions) -> None:
    rated_note(sessions, skill="negotiation", rating=1)
    with sessions.begin() as session:
        pool = set(session.scalars(select(Prompt.id).where(Prompt.active.is_(True), Prompt.skill == "negotiation")))
        rubric.rename_skill(session, team_id="T1", old="negotiation", new="pricing", is_admin=True, now=NOW)
    assert len(pool) >= 8
    seen = []
    for n in range(len(pool) + 1):
        with sessions.begin() as session:
            tp = rep_card.targeted_prompt(session, team_id="T1", author_id="U1", now=NOW + timedelta(days=n))
        assert tp is not None and tp.prompt is not None and tp.target.skill.name == "pricing"
        seen.append(tp.prompt.id)
    assert set(seen[: len(pool)]) == pool  # every prompt of the pool once
    assert seen[-1] == seen[0]  # then the least recently seen comes back first


def test_an_added_skill_has_no_pool_but_still_targets(sessions: Sessions) -> None:
    with sessions.begin() as session:
        rubric.add_skill(session, team_id="T1", typed="cold-calling", is_admin=True, now=NOW)
    rated_note(sessions, skill="cold-calling", rating=1)
    with sessions.begin() as session:
        tp = rep_card.targeted_prompt(session, team_id="T1", author_id="U1", now=NOW)
    assert tp is not None and tp.prompt is None and tp.target.skill.name == "cold-calling"
