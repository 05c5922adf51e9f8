"""The coaching replies, table-driven over plurals and zero cases: the prompt's "days
without a note", the rep card's trend lines, the leaders' digest and the DM budget refusal."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.blocks import digest as digest_ui
from bot.blocks import rep_card as rep_card_ui
from bot.db.engine import Sessions
from bot.db.models import ItemDm
from bot.services import action_items
from bot.services.digest import Digest, ManagerStats, SkillAverage
from bot.services.rep_card import RepCard, SkillTrend

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("days", "words"),
    [
        (None, "hasn't had a note yet"),
        (0, "had a note less than a day ago"),
        (1, "last had a note a day ago"),
        (2, "hasn't had a note in 2 days"),
        (1200, "hasn't had a note in 1,200 days"),
    ],
)
def test_days_without_a_note(days: int | None, words: str) -> None:
    assert rep_card_ui.since_last_note(days) == words


def trend(*ratings: int, active: bool = True) -> SkillTrend:
    return SkillTrend(
        skill_id=1, name="demo", label="Demo", active=active, ratings=ratings, last_rated_at=NOW, position=0
    )


@pytest.mark.parametrize(
    ("ratings", "line"),
    [
        ((3,), "*Demo* 3.0 (1 rating so far)"),  # one bar is no trend: no sparkline, no code box
        ((1, 5), "▁█ *Demo* 3.0 (2 ratings)"),
        ((2, 3, 3, 4, 4, 5, 5, 5), "▃▅▅▆▆███ *Demo* 3.9 (8 ratings)"),
    ],
)
def test_a_trend_line(ratings: tuple[int, ...], line: str) -> None:
    assert rep_card_ui.trend_line(trend(*ratings), weakest=False) == line
    assert "`" not in rep_card_ui.trend_line(trend(*ratings), weakest=True)


def test_a_removed_weakest_skill_says_both() -> None:
    assert (
        rep_card_ui.trend_line(trend(2, 4, active=False), weakest=True)
        == "▃▆ *Demo* _(removed)_ 3.0 (2 ratings)  ← weakest"
    )


def card(days: int | None, total: int, *trends: SkillTrend) -> RepCard:
    return RepCard(
        rep_id="U2",
        rep_name="Riley",
        trends=trends,
        weakest=trends[0] if trends else None,
        days_since_last_note=days,
        open_items=0,
        overdue_items=0,
        last_notes=(),
        total_notes=total,
        now=NOW,
    )


@pytest.mark.parametrize(
    ("days", "total", "head"),
    [
        (None, 0, "last note no notes yet · 0 notes"),
        (0, 1, "last note less than a day ago · 1 note"),
        (1, 2, "last note 1 day ago · 2 notes"),
        (9, 12, "last note 9 days ago · 12 notes"),
    ],
)
def test_the_rep_card_heading(days: int | None, total: int, head: str) -> None:
    text = rep_card_ui.rep_card_message(card(days, total), tz="UTC").blocks[0]["text"]["text"]
    assert head in text


def test_a_rep_card_with_one_rating_shows_no_broken_box() -> None:
    blocks = rep_card_ui.rep_card_message(card(0, 1, trend(3)), tz="UTC").blocks
    skills = blocks[1]["text"]["text"]
    assert "*Demo* 3.0 (1 rating so far)" in skills and "`" not in skills


def manager(user: str, n7: int = 0, n30: int = 0, **kw: int) -> ManagerStats:
    fields = dict(reps_noted_30d=0, reps_ever=0, reps_stale=0, items_open=0, items_overdue=0, items_done_30d=0)
    fields.update(kw)
    return ManagerStats(manager_id=user, notes_7d=n7, notes_30d=n30, **fields)


@pytest.mark.parametrize(
    ("stats", "line"),
    [
        (manager("U1"), "• <@U1>: no notes in 30 days"),
        (manager("U1", 1, 1, reps_noted_30d=1, reps_ever=1), "• <@U1>: 1 note in 7 days, 1 in 30 · reps noted 1/1"),
        (manager("U1", 0, 2, reps_noted_30d=1, reps_ever=3), "• <@U1>: 0 notes in 7 days, 2 in 30 · reps noted 1/3"),
        (
            manager("U1", 2, 5, reps_noted_30d=2, reps_ever=4, reps_stale=2, items_open=3, items_overdue=1),
            "• <@U1>: 2 notes in 7 days, 5 in 30 · reps noted 2/4, *2 not coached 14+ days* · "
            "action items 3 open (*1 overdue*)",
        ),
        (manager("U1", items_done_30d=1), "• <@U1>: no notes in 30 days · action items 1 done in 30 days"),
    ],
)
def test_a_manager_line_in_the_digest_says_only_what_is_not_zero(stats: ManagerStats, line: str) -> None:
    assert digest_ui.digest_message(Digest(team_id="T1", now=NOW, managers=(stats,), skills=())).blocks[1]["text"][
        "text"
    ].splitlines()[1:] == [line]


def skill(label: str, average: float | None, change: float | None = None) -> SkillAverage:
    return SkillAverage(skill_id=1, name=label.lower(), label=label, average=average, change=change)


@pytest.mark.parametrize(
    ("managers", "notes", "head"),
    [
        ((), 0, "0 managers, 0 notes in the last 30 days"),
        ((manager("U1", 1, 1),), 1, "1 manager, 1 note in the last 30 days"),
        ((manager("U1", 1, 1), manager("U3", 0, 1)), 2, "2 managers, 2 notes in the last 30 days"),
    ],
)
def test_the_digest_heading(managers: tuple[ManagerStats, ...], notes: int, head: str) -> None:
    message = digest_ui.digest_message(Digest(team_id="T1", now=NOW, managers=managers, skills=()))
    assert head in message.blocks[0]["text"]["text"] and message.text == f"Coaching digest: {head}"


EIGHT_EMPTY = tuple(skill(f"Skill {n}", None) for n in range(8))


@pytest.mark.parametrize(
    ("skills", "shown", "absent"),
    [
        (EIGHT_EMPTY, ["*Team average per skill*: none yet"], ["Skill 0", "fewer than", "ratings)"]),
        (
            (skill("Demo", 3.25, 0.5), *EIGHT_EMPTY[:7]),
            ["• Demo: 3.2 (▲0.5)", "_The other 7 skills: not enough new ratings yet._"],
            ["Skill 0", "fewer than", "ratings)"],
        ),
        (
            (skill("Demo", 3.0, 0.01), skill("Closing", 2.0, -1.0), EIGHT_EMPTY[0]),
            ["• Demo: 3.0 (±0.0)", "• Closing: 2.0 (▼1.0)", "_The other skill: not enough new ratings yet._"],
            ["Skill 0"],
        ),
        ((skill("Demo", 4.0),), ["• Demo: 4.0\n"], ["other"]),
    ],
)
def test_the_digest_lists_only_skills_with_a_figure(
    skills: tuple[SkillAverage, ...], shown: list[str], absent: list[str]
) -> None:
    message = digest_ui.digest_message(Digest(team_id="T1", now=NOW, managers=(), skills=skills))
    text = "\n".join(str((b.get("text") or {}).get("text")) for b in message.blocks) + "\n"
    for words in shown:
        assert words in text
    for words in absent:
        assert words not in text


def test_the_digest_says_what_leaders_see_once_and_briefly() -> None:
    dumped = json.dumps(digest_ui.digest_message(Digest(team_id="T1", now=NOW, managers=(), skills=EIGHT_EMPTY)).blocks)
    assert "What leaders see" not in dumped and dumped.count("a single rating") == 1


@pytest.mark.parametrize(
    ("per_day", "words"), [(1, "already got 1 action item by DM"), (2, "already got 2 action items")]
)
def test_the_dm_budget_refusal(sessions: Sessions, per_day: int, words: str) -> None:
    with sessions.begin() as session:
        for _ in range(per_day):
            session.add(ItemDm(team_id="T1", rep_id="U2", sent_at=NOW))
    with sessions.begin() as session, pytest.raises(action_items.DmBudgetSpent) as refused:
        action_items.check_dm_budget(session, team_id="T1", rep_id="U2", now=NOW, per_day=per_day)
    assert words in refused.value.message and "(in 24 h 00 min)" in refused.value.message
