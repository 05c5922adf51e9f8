"""The per-workspace skill rubric, and notes that carry a skill and a rating (real databases)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from bot.db.engine import Sessions
from bot.db.models import ActionItem, Note, Skill
from bot.errors import NotAllowed, NotFound, UsageError
from bot.services import note_history, notes, rubric
from bot.services.rubric import DEFAULT_SKILLS
from tests.factories import seed_note
from tests.services.coaching_factories import NOW, rated_note, seed_item, skill_id


def _names(sessions: Sessions, team_id: str = "T1") -> list[str]:
    with sessions.begin() as session:
        return rubric.skill_names(session, team_id=team_id, now=NOW)


def test_default_rubric_is_seeded_once_per_workspace_on_first_read(sessions: Sessions) -> None:
    assert _names(sessions) == list(DEFAULT_SKILLS)
    assert _names(sessions) == list(DEFAULT_SKILLS)
    assert _names(sessions, "T2") == list(DEFAULT_SKILLS)
    with sessions.begin() as session:
        per_team = dict(session.execute(select(Skill.team_id, func.count(Skill.id)).group_by(Skill.team_id)).all())
    assert per_team == {"T1": len(DEFAULT_SKILLS), "T2": len(DEFAULT_SKILLS)}


def test_admins_add_rename_and_remove_and_history_stays(sessions: Sessions) -> None:
    note_id = rated_note(sessions, skill="demo", rating=2)
    with sessions.begin() as session:
        added, restored = rubric.add_skill(session, team_id="T1", typed="Cold Calling", is_admin=True, now=NOW)
        assert (added.name, restored) == ("cold-calling", False)
        old, renamed = rubric.rename_skill(session, team_id="T1", old="DEM", new="product-demo", is_admin=True, now=NOW)
        assert (old, renamed.name) == ("demo", "product-demo")
        removed = rubric.remove_skill(session, team_id="T1", typed="product-demo", is_admin=True, now=NOW)
        assert removed.active is False
    assert "product-demo" not in _names(sessions) and _names(sessions)[-1] == "cold-calling"
    with sessions.begin() as session:
        # The note still points at the (renamed, removed) skill: its history is kept.
        note = session.get(Note, note_id)
        assert note is not None and note.rating == 2
        assert rubric.skills_by_id(session, team_id="T1")[note.skill_id or 0].name == "product-demo"
        back, restored = rubric.add_skill(session, team_id="T1", typed="Product-Demo", is_admin=True, now=NOW)
        assert restored is True and back.id == note.skill_id
    assert "product-demo" in _names(sessions)


def test_only_admins_change_the_rubric_and_nothing_changes(sessions: Sessions) -> None:
    with sessions.begin() as session:
        with pytest.raises(NotAllowed, match="Only admins can change the skill rubric"):
            rubric.add_skill(session, team_id="T1", typed="x-ray", is_admin=False, now=NOW)
        with pytest.raises(NotAllowed):
            rubric.rename_skill(session, team_id="T1", old="demo", new="x", is_admin=False, now=NOW)
        with pytest.raises(NotAllowed):
            rubric.remove_skill(session, team_id="T1", typed="demo", is_admin=False, now=NOW)
    assert _names(sessions) == list(DEFAULT_SKILLS)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("discovery", "`discovery` is already a skill"),
        ("DISCOVERY", "`discovery` is already a skill"),
        ("objectionhandling", "`objection-handling` is already a skill"),  # the same words
        ("dіscovery", "`dіscovery` can't be a skill name"),  # Cyrillic і: names are a-z, 0-9 and -
        ("", "Name the skill"),
        ("a" * 41, "at most 40 characters"),
        ("<!channel>", "`&lt;!channel&gt;` can't be a skill name"),
        ("rock&roll", "can't be a skill name"),
    ],
)
def test_add_refuses_duplicates_look_alikes_and_bad_names(sessions: Sessions, typed: str, message: str) -> None:
    with sessions.begin() as session, pytest.raises(UsageError, match=message):
        rubric.add_skill(session, team_id="T1", typed=typed, is_admin=True, now=NOW)


def test_rubric_size_is_capped(sessions: Sessions) -> None:
    with sessions.begin() as session:
        for n in range(rubric.MAX_SKILLS - len(DEFAULT_SKILLS)):
            rubric.add_skill(session, team_id="T1", typed=f"skill-{n}", is_admin=True, now=NOW)
        with pytest.raises(UsageError, match=f"has {rubric.MAX_SKILLS} skills, the most"):
            rubric.add_skill(session, team_id="T1", typed="one-more", is_admin=True, now=NOW)


def test_rename_refuses_a_name_in_use_and_resolve_names_candidates(sessions: Sessions) -> None:
    with sessions.begin() as session:
        with pytest.raises(UsageError, match="`closing` is already a skill"):
            rubric.rename_skill(session, team_id="T1", old="demo", new="Closing", is_admin=True, now=NOW)
        with pytest.raises(UsageError, match="`pro` could be `prospecting` or `product-knowledge`"):
            rubric.resolve_skill(session, team_id="T1", typed="pro", now=NOW, example="e")
        with pytest.raises(UsageError, match=r"not a skill here\. Skills: `prospecting`"):
            rubric.resolve_skill(session, team_id="T1", typed="astrology", now=NOW, example="e")


def test_a_skill_id_from_another_workspace_or_removed_is_refused(sessions: Sessions) -> None:
    with sessions.begin() as session:
        other = skill_id(session, "demo", team_id="T2")
        removed = rubric.remove_skill(session, team_id="T1", typed="pipeline", is_admin=True, now=NOW).id
        for bad in (other, removed, 0, 2**31):
            with pytest.raises(UsageError, match="no longer in your workspace's rubric"):
                notes.log_note(
                    session,
                    team_id="T1",
                    enterprise_id=None,
                    author_id="U1",
                    author_tz=None,
                    rep_id="U2",
                    rep_name=None,
                    text="x",
                    now=NOW,
                    skill_id=bad,
                    rating=3,
                )


def _log(session: object, **kw: object) -> notes.NoteView:
    base: dict[str, object] = dict(
        team_id="T1", enterprise_id=None, author_id="U1", author_tz=None, rep_id="U2", rep_name="Bob", now=NOW
    )
    base.update(kw)
    return notes.log_note(session, **base)  # type: ignore[arg-type]


def test_log_note_with_skill_and_rating_and_the_rating_rules(sessions: Sessions) -> None:
    with sessions.begin() as session:
        demo = skill_id(session, "demo")
        view = _log(session, text="Crisp demo", skill_id=demo, rating=4)
        assert (view.skill_id, view.rating, view.edited_at) == (demo, 4, None)
        assert _log(session, text="No skill at all").skill_id is None
        with pytest.raises(UsageError, match="A rating needs a skill") as err:
            _log(session, text="x", rating=3)
        assert err.value.block_id == "skill"
        for bad in (0, 6, -1):
            with pytest.raises(UsageError, match="from 1 to 5"):
                _log(session, text="x", skill_id=demo, rating=bad)


def test_edit_note_is_for_the_author_only_and_marks_it_edited(sessions: Sessions) -> None:
    note_id = seed_note(sessions, text="First draft", follow_up_on=date(2026, 12, 2))
    later = NOW + timedelta(hours=1)
    with sessions.begin() as session:
        closing = skill_id(session, "closing")
        for intruder in (dict(author_id="U9"), dict(team_id="T2")):
            kw: dict[str, object] = dict(team_id="T1", author_id="U1")
            kw.update(intruder)
            with pytest.raises(NotFound, match=f"Note #{note_id} no longer exists"):
                notes.edit_note(session, note_id=note_id, text="hijack", now=later, **kw)  # type: ignore[arg-type]
        view = notes.edit_note(
            session,
            team_id="T1",
            author_id="U1",
            note_id=note_id,
            text="Second draft <!here>",
            now=later,
            skill_id=closing,
            rating=5,
            follow_up_on=date(2026, 12, 9),
        )
    assert (view.text, view.skill_id, view.rating, view.edited_at) == ("Second draft <!here>", closing, 5, later)
    assert view.follow_up_on == date(2026, 12, 9) and view.rep_id == "U2"
    with sessions.begin() as session, pytest.raises(UsageError, match="Write what you observed"):
        notes.edit_note(session, team_id="T1", author_id="U1", note_id=note_id, text="  ", now=later)


def test_export_with_loop_columns_keeps_the_old_columns_first(sessions: Sessions) -> None:
    note_id = rated_note(sessions, skill="discovery", rating=3, text="=cmd|x", rep_name="Bob Rep")
    with sessions.begin() as session:
        notes.edit_note(
            session,
            team_id="T1",
            author_id="U1",
            note_id=note_id,
            text="=cmd|x",
            now=NOW + timedelta(minutes=5),
            skill_id=skill_id(session, "discovery"),
            rating=3,
        )
    seed_item(sessions, text="@SUM(1) send recap", due_on=date(2026, 12, 4))
    seed_item(sessions, assigner="U9", text="someone else's item")
    seed_item(sessions, team_id="T2", text="other workspace item")
    with sessions.begin() as session:
        content, count = note_history.export_csv(
            session, team_id="T1", author_id="U1", tz="Europe/Berlin", full_columns=True
        )
        old, _ = note_history.export_csv(session, team_id="T1", author_id="U1", tz="Europe/Berlin")
    rows = list(csv.reader(io.StringIO(content)))
    assert count == 1
    assert rows[0] == list(note_history.FULL_CSV_COLUMNS) and rows[0][:6] == list(note_history.CSV_COLUMNS)
    assert rows[1] == [
        "2026-11-30",
        "U2",
        "Bob Rep",
        "",
        "",
        "'=cmd|x",
        "discovery",
        "3",
        "2026-11-30T13:05+01:00",
        "note",
        "",
        "",
        "",
    ]
    assert rows[2] == [
        "2026-11-30",
        "U2",
        "Bob Rep",
        "",
        "",
        "'@SUM(1) send recap",
        "",
        "",
        "",
        "action item",
        "2026-12-04",
        "open",
        "",
    ]
    assert len(rows) == 3
    assert next(csv.reader(io.StringIO(old))) == list(note_history.CSV_COLUMNS)


def test_delete_all_also_removes_the_managers_action_items_only(sessions: Sessions) -> None:
    seed_note(sessions)
    seed_item(sessions)
    seed_item(sessions, assigner="U9")
    seed_item(sessions, team_id="T2")
    with sessions.begin() as session:
        _, newest = note_history.count_notes(session, team_id="T1", author_id="U1")
        assert note_history.delete_all_notes(session, team_id="T1", author_id="U1", up_to_id=newest or 0) == 1
    with sessions.begin() as session:
        left = sorted(session.execute(select(ActionItem.team_id, ActionItem.assigner_id)).all())
    assert left == [("T1", "U9"), ("T2", "U1")]
