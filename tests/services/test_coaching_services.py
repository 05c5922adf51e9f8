"""Coaching services and block builders, called directly (fast, no HTTP)."""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.blocks import notes as notes_ui
from bot.blocks import prompts as prompts_ui
from bot.db.engine import Sessions
from bot.db.models import Prompt
from bot.errors import NotFound, UsageError
from bot.services import managers, note_history, notes, prompts
from bot.services.store import THEMES
from bot.services.text import escape
from tests.factories import make_manager, note_count, seed_note

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


# --- note text -------------------------------------------------------------------------------


def test_note_text_limits() -> None:
    assert notes.validate_note_text("  keep <!channel> verbatim  ") == "keep <!channel> verbatim"
    assert notes.validate_note_text("a" * 3000) == "a" * 3000
    with pytest.raises(notes.NoteTooLong, match="3,001 characters; the limit is 3,000"):
        notes.validate_note_text("a" * 3001)
    with pytest.raises(notes.EmptyNote, match=r"e\.g\. `/coach @bob"):
        notes.validate_note_text("   ")


def test_unknown_theme_is_refused_on_the_theme_block() -> None:
    with pytest.raises(UsageError) as err:
        notes.validate_theme("astrology")
    assert err.value.block_id == "theme"
    assert notes.validate_theme("") is None and notes.validate_theme("vision") == "vision"


# --- privacy and lifecycle -------------------------------------------------------------------


def test_get_note_is_scoped_to_author_and_team(sessions: Sessions) -> None:
    note_id = seed_note(sessions, author="U1", team_id="T1")
    with sessions.begin() as session:
        assert notes.get_note(session, team_id="T1", author_id="U1", note_id=note_id).id == note_id
        for team, author in (("T1", "U3"), ("T2", "U1")):
            with pytest.raises(NotFound):
                notes.get_note(session, team_id=team, author_id=author, note_id=note_id)


def test_undo_window_is_ten_minutes_from_now(sessions: Sessions) -> None:
    note_id = seed_note(sessions, created_at=NOW)
    with sessions.begin() as session, pytest.raises(notes.UndoExpired):
        notes.undo_note(
            session, team_id="T1", author_id="U1", note_id=note_id, now=NOW + timedelta(minutes=10, seconds=1)
        )
    with sessions.begin() as session:
        notes.undo_note(session, team_id="T1", author_id="U1", note_id=note_id, now=NOW + timedelta(minutes=10))
    assert note_count(sessions) == 0


def test_delete_all_stops_at_the_cut_off_and_spares_others(sessions: Sessions) -> None:
    first = seed_note(sessions)
    seed_note(sessions, author="U3")
    seed_note(sessions, team_id="T2")
    later = seed_note(sessions)
    with sessions.begin() as session:
        assert note_history.delete_all_notes(session, team_id="T1", author_id="U1", up_to_id=first) == 1
    assert note_count(sessions) == 3 and note_count(sessions, id=later) == 1


def test_search_treats_like_wildcards_literally(sessions: Sessions) -> None:
    seed_note(sessions, text="quota_attainment at 100%")
    seed_note(sessions, text="quotaXattainment")
    with sessions.begin() as session:
        found = note_history.search_notes(session, team_id="T1", author_id="U1", query="quota_attainment")
    assert [n.text for n in found.notes] == ["quota_attainment at 100%"]


def test_pages_clamp_to_the_last_page(sessions: Sessions) -> None:
    for i in range(6):
        seed_note(sessions, created_at=NOW - timedelta(hours=i))
    with sessions.begin() as session:
        page = note_history.list_notes(session, team_id="T1", author_id="U1", page=99)
    assert (page.page, page.pages, page.total, len(page.notes)) == (2, 2, 6, 1)
    assert page.has_prev and not page.has_next


# --- export and overview ---------------------------------------------------------------------


def test_export_dates_are_in_the_authors_zone_and_formulas_defused(sessions: Sessions) -> None:
    seed_note(
        sessions,
        text='+1 for the demo, "quoted"\nsecond line',
        created_at=datetime(2026, 11, 30, 23, 30, tzinfo=UTC),
        theme="coaching",
        follow_up_on=date(2026, 12, 7),
        rep_name="@Bob",
    )
    with sessions.begin() as session:
        content, count = note_history.export_csv(session, team_id="T1", author_id="U1", tz="Europe/Berlin")
    rows = list(csv.reader(io.StringIO(content)))
    assert count == 1
    assert rows[1] == [
        "2026-12-01",
        "U2",
        "'@Bob",
        "coaching",
        "2026-12-07",
        '\'+1 for the demo, "quoted"\nsecond line',
    ]


def test_overview_boundaries(sessions: Sessions) -> None:
    seed_note(sessions, rep="U2", created_at=NOW - timedelta(days=14))  # exactly 14 days: not flagged
    seed_note(sessions, rep="U3", created_at=NOW - timedelta(days=14, seconds=1))  # just over: flagged
    seed_note(sessions, rep="U3", created_at=NOW - timedelta(days=30))  # exactly 30 days: counts
    seed_note(sessions, rep="U3", created_at=NOW - timedelta(days=91))  # outside 90
    seed_note(sessions, rep="U3", follow_up_on=date(2026, 12, 1), created_at=NOW - timedelta(days=100))
    with sessions.begin() as session:
        ov = note_history.overview(session, team_id="T1", author_id="U1", now=NOW)
    by_rep = {r.rep_id: r for r in ov.reps}
    assert by_rep["U2"].stale is False and by_rep["U3"].stale is True
    assert (by_rep["U3"].notes_30d, by_rep["U3"].notes_90d, by_rep["U3"].open_follow_ups) == (2, 2, 1)
    assert ov.stale_count == 1


# --- managers --------------------------------------------------------------------------------


def test_managers_are_per_workspace(sessions: Sessions) -> None:
    make_manager(sessions, "U1", team_id="T1")
    with sessions.begin() as session:
        assert managers.is_manager(session, team_id="T1", user_id="U1")
        assert not managers.is_manager(session, team_id="T2", user_id="U1")
        change = managers.add_managers(
            session, team_id="T2", enterprise_id=None, user_ids=["U1", "U1", "U3"], added_by="UADMIN", now=NOW
        )
    assert change.changed == ("U1", "U3")
    with sessions.begin() as session:
        assert managers.remove_managers(session, team_id="T2", user_ids=["U3", "U9"]).unchanged == ("U9",)
        assert managers.list_managers(session, team_id="T2") == ["U1"]


# --- prompt rotation -------------------------------------------------------------------------


def active_prompts(sessions: Sessions) -> int:
    with sessions.begin() as session:
        return int(session.scalar(select(func.count(Prompt.id)).where(Prompt.active.is_(True))) or 0)


def test_no_prompt_repeats_until_all_were_seen(sessions: Sessions) -> None:
    total = active_prompts(sessions)
    assert total >= 20
    rng = random.Random(7)
    with sessions.begin() as session:
        picks = [
            prompts.next_prompt(session, team_id="T1", target_id="U1", now=NOW, weigh_by_author="U1", rng=rng).id
            for _ in range(total)
        ]
        assert len(set(picks)) == total
        nxt = prompts.next_prompt(session, team_id="T1", target_id="U1", now=NOW, weigh_by_author="U1", rng=rng)
    assert nxt.id != picks[-1]  # a new cycle never opens with the prompt that closed the last


def test_rotation_is_per_target(sessions: Sessions) -> None:
    with sessions.begin() as session:
        a = prompts.next_prompt(session, team_id="T1", target_id="U1", now=NOW, rng=random.Random(1))
        b = prompts.next_prompt(session, team_id="T1", target_id="U3", now=NOW, rng=random.Random(1))
    assert a.id == b.id  # same seed, separate rotations: neither saw anything yet


def test_prompts_favour_the_themes_a_manager_noted_least(sessions: Sessions) -> None:
    neglected = "data-driven"
    for theme in THEMES:
        if theme != neglected:
            for _ in range(3):
                seed_note(sessions, theme=theme, created_at=NOW - timedelta(days=5))
    rng = random.Random(42)
    first_themes: Counter[str] = Counter()
    with sessions.begin() as session:
        for i in range(60):
            # A fresh rotation each time: only the weighting decides the first prompt.
            p = prompts.next_prompt(
                session, team_id="T1", target_id=f"UFRESH{i}", now=NOW, weigh_by_author="U1", rng=rng
            )
            first_themes[p.theme] += 1
    # Weight 1 against 1/16 for each of 9 other themes: ~64% (38 of 60); unweighted: ~6.
    assert first_themes[neglected] >= 30
    assert first_themes.most_common(1)[0][0] == neglected


def test_theme_weights_fall_with_note_counts() -> None:
    weights = prompts.theme_weights({"vision": 0, "culture": 1, "strategy": 5})
    assert weights["vision"] > weights["culture"] > weights["strategy"] > 0


# --- block builders --------------------------------------------------------------------------


def test_escaped_chunks_stay_under_slacks_limit_and_never_split_an_entity() -> None:
    text = "&<>" * 1000  # 3,000 characters that escape to 12,000
    chunks = notes_ui.escaped_chunks(text)
    assert all(len(c) <= 2900 for c in chunks)
    assert "".join(chunks) == escape(text)
    assert all(c.endswith(";") for c in chunks)


def test_note_modal_prefills_a_known_theme_only() -> None:
    modal = notes_ui.note_modal(theme="vision")
    theme_block = next(b for b in modal["blocks"] if b.get("block_id") == "theme")
    assert theme_block["element"]["initial_option"]["value"] == "vision"
    assert len(theme_block["element"]["options"]) == len(THEMES)
    plain = notes_ui.note_modal(theme=None)
    plain_theme = next(b for b in plain["blocks"] if b.get("block_id") == "theme")
    assert "initial_option" not in plain_theme["element"]


def test_prompt_message_states_theme_and_offers_log_a_note() -> None:
    built = prompts_ui.prompt_message(prompts.PromptView(id=1, theme="data-driven", text="Look at the numbers."))
    assert built.text == "Coaching prompt (Data-driven decisions): Look at the numbers."
    assert "_Data-driven decisions_" in built.blocks[0]["text"]["text"]
    assert built.blocks[1]["elements"][0]["value"] == "data-driven"
