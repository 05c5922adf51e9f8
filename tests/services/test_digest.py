"""The leader digest (counts and averages only) and the coaching Block Kit builders."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, func, select, update

from bot.blocks import action_items as action_items_ui
from bot.blocks import digest as digest_ui
from bot.blocks import note_form as note_form_ui
from bot.blocks import ratings as ratings_ui
from bot.blocks import rep_card as rep_card_ui
from bot.db.engine import Sessions
from bot.db.models import Note, RatingBlock
from bot.services import action_items, digest, rep_card
from tests.factories import make_manager, seed_note
from tests.services.coaching_factories import NOW, rated_note, seed_item

MARKER = "SECRET-NOTE-MARKER-7f3a"
DAY = timedelta(days=1)


def test_digest_counts_per_manager(sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    make_manager(sessions, "U8")  # named, has done nothing yet
    for rep, ago in (("U2", 1), ("U2", 6), ("U3", 20), ("U4", 45)):
        seed_note(sessions, author="U1", rep=rep, created_at=NOW - ago * DAY)
    seed_note(sessions, author="UADMIN", rep="U2", created_at=NOW - 15 * DAY)  # an admin coaching: counted
    seed_note(sessions, author="U9", rep="U2", team_id="T2", created_at=NOW)  # other workspace
    seed_item(sessions, assigner="U1", due_on=date(2026, 11, 1))  # overdue
    seed_item(sessions, assigner="U1", due_on=date(2026, 12, 20), status="acknowledged")
    seed_item(sessions, assigner="U1", status="done", done_at=NOW - 3 * DAY)
    seed_item(sessions, assigner="U1", status="done", done_at=NOW - 40 * DAY)
    with sessions.begin() as session:
        d = digest.build_digest(session, team_id="T1", now=NOW, viewer="ULEAD")
    by_id = {m.manager_id: m for m in d.managers}
    assert set(by_id) == {"U1", "U8", "UADMIN"}
    u1 = by_id["U1"]
    assert (u1.notes_7d, u1.notes_30d, u1.reps_noted_30d, u1.reps_ever, u1.reps_stale) == (2, 3, 2, 3, 2)
    assert (u1.items_open, u1.items_overdue, u1.items_done_30d) == (2, 1, 1)
    assert by_id["UADMIN"].reps_stale == 1 and by_id["U8"].notes_30d == 0
    assert d.managers[0].manager_id == "U8"  # least active first
    assert d.notes_30d == 4


def test_skill_averages_need_three_ratings_and_compare_with_the_weeks_before(sessions: Sessions) -> None:
    for r, author in ((2, "U1"), (3, "U1"), (4, "U9")):
        rated_note(sessions, skill="discovery", rating=r, author=author, created_at=NOW - 5 * DAY)
    for r in (1, 2, 3):
        rated_note(sessions, skill="discovery", rating=r, created_at=NOW - 45 * DAY)
    rated_note(sessions, skill="demo", rating=5, created_at=NOW - DAY)  # one rating: never shown
    rated_note(sessions, skill="demo", rating=1, created_at=NOW - 2 * DAY)
    rated_note(sessions, skill="closing", rating=1, team_id="T2", created_at=NOW - DAY)
    with sessions.begin() as session:
        d = digest.build_digest(session, team_id="T1", now=NOW, viewer="ULEAD")
    by_name = {s.name: s for s in d.skills}
    assert (by_name["discovery"].average, by_name["discovery"].change) == (3.0, 1.0)
    assert (by_name["demo"].average, by_name["demo"].change) == (None, None)
    assert by_name["closing"].average is None


def test_nothing_a_manager_wrote_reaches_the_digest_message(sessions: Sessions) -> None:
    make_manager(sessions, "U1")
    for n in range(4):
        rated_note(sessions, skill="demo", rating=1 + n, text=f"{MARKER} note {n}", rep_name=f"{MARKER} rep")
    seed_item(sessions, text=f"{MARKER} action item", due_on=date(2026, 11, 1))
    with sessions.begin() as session:
        message = digest_ui.digest_message(
            digest.build_digest(session, team_id="T1", now=NOW + 7 * DAY, viewer="ULEAD")
        )
    dumped = json.dumps(message.blocks) + message.text
    assert MARKER not in dumped
    assert "<@U1>: 4 notes in 7 days, 4 in 30" in dumped and "Demo: 2.5" in dumped
    assert "a single rating" in dumped and "ratings)" not in dumped  # no count


# --- what the figures per skill are built from ------------------------------------------------


def figures(sessions: Sessions, at: datetime) -> dict[str, float | None]:
    with sessions.begin() as session:
        return {s.name: s.average for s in digest.build_digest(session, team_id="T1", now=at, viewer="ULEAD").skills}


def test_a_skill_gets_a_figure_only_from_a_whole_week_that_is_over(sessions: Sessions) -> None:
    for r in (2, 3, 4):
        rated_note(sessions, skill="demo", rating=r, created_at=NOW)  # Monday
    for hours in (0, 30, 24 * 6 + 11):  # asking again and again in the same week changes nothing
        assert figures(sessions, NOW + timedelta(hours=hours))["demo"] is None
    assert figures(sessions, datetime(2026, 12, 7, 0, 0, tzinfo=UTC))["demo"] == 3.0  # the week is over


def test_a_thin_week_waits_and_a_figure_never_moves_by_one_rating(sessions: Sessions) -> None:
    for r in (2, 3, 4):
        rated_note(sessions, skill="demo", rating=r, created_at=NOW)
    rated_note(sessions, skill="demo", rating=1, created_at=NOW + 7 * DAY)  # one more, the week after
    assert figures(sessions, NOW + 14 * DAY)["demo"] == 3.0  # not (2+3+4+1)/4: a lone rating waits
    rated_note(sessions, skill="demo", rating=5, created_at=NOW + 14 * DAY)
    assert figures(sessions, NOW + 21 * DAY)["demo"] == 3.0  # two waiting: still nothing new
    rated_note(sessions, skill="demo", rating=3, created_at=NOW + 21 * DAY)
    assert figures(sessions, NOW + 28 * DAY)["demo"] == 3.0  # (2+3+4) and (1+5+3): 18 / 6
    with sessions.begin() as session:
        blocks = session.execute(select(RatingBlock.closed_on, RatingBlock.ratings, RatingBlock.total)).all()
    assert sorted(blocks) == [(date(2026, 12, 7), 3, 9), (date(2026, 12, 28), 3, 9)]


def test_editing_or_deleting_a_rating_after_it_was_shown_moves_nothing(sessions: Sessions) -> None:
    ids = [rated_note(sessions, skill="demo", rating=r, created_at=NOW) for r in (2, 3, 4)]
    ids.append(rated_note(sessions, skill="demo", rating=5, created_at=NOW))
    assert figures(sessions, NOW + 7 * DAY)["demo"] == 3.5
    with sessions.begin() as session:
        session.execute(delete(Note).where(Note.id == ids[3]))  # the 5 goes: (2+3+4)/3 would say so
        session.execute(update(Note).where(Note.id == ids[0]).values(rating=5))
    assert figures(sessions, NOW + 8 * DAY)["demo"] == 3.5


def test_a_rating_deleted_before_its_week_was_over_is_never_counted(sessions: Sessions) -> None:
    ids = [rated_note(sessions, skill="demo", rating=r, created_at=NOW) for r in (2, 3, 4)]
    with sessions.begin() as session:
        session.execute(delete(Note).where(Note.id == ids[2]))
    assert figures(sessions, NOW + 7 * DAY)["demo"] is None  # two left: not enough


def test_a_leader_who_rated_sees_a_block_only_with_three_ratings_of_others(sessions: Sessions) -> None:
    for r, author in ((2, "U1"), (4, "U1"), (3, "U3")):  # U1 knows 2 and 4: the average would give U3's 3
        rated_note(sessions, skill="demo", rating=r, author=author, created_at=NOW)
    for r, author in ((1, "U3"), (5, "U4"), (3, "U5"), (2, "U1")):
        rated_note(sessions, skill="closing", rating=r, author=author, created_at=NOW)
    at = NOW + 7 * DAY
    with sessions.begin() as session:
        as_u1 = {s.name: s.average for s in digest.build_digest(session, team_id="T1", now=at, viewer="U1").skills}
        as_u3 = {s.name: s.average for s in digest.build_digest(session, team_id="T1", now=at, viewer="U3").skills}
    assert as_u1["demo"] is None and as_u1["closing"] == 2.75  # three of closing's four are others'
    assert as_u3["demo"] is None and as_u3["closing"] == 2.75
    assert figures(sessions, at)["demo"] == 3.0  # a leader who rated none of them sees it


def test_two_digests_built_at_once_cut_the_same_blocks(sessions: Sessions) -> None:
    for r in (2, 3, 4, 5, 1, 3, 4):
        rated_note(sessions, skill="demo", rating=r, created_at=NOW)
    at = NOW + 7 * DAY
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: figures(sessions, at)["demo"], range(8)))
    assert set(results) == {22 / 7}
    with sessions.begin() as session:
        assert session.scalar(select(func.count(RatingBlock.id))) == 1


# --- builders ---------------------------------------------------------------------------------


def _item(**kw: object) -> action_items.ActionItemView:
    base: dict[str, object] = dict(
        id=7,
        team_id="T1",
        assigner_id="U1",
        rep_id="U2",
        rep_tz="UTC",
        text="Send <!channel> the recap & notes",
        due_on=date(2026, 12, 4),
        status="open",
        note_id=3,
        dm_channel_id=None,
        dm_ts=None,
        created_at=NOW,
        acknowledged_at=None,
        done_at=None,
    )
    base.update(kw)
    return action_items.ActionItemView(**base)  # type: ignore[arg-type]


def _buttons(blocks: list[dict[str, object]]) -> dict[str, str]:
    found = {}
    for b in blocks:
        if b.get("type") == "actions":
            for e in b["elements"]:  # type: ignore[attr-defined]
                found[e["action_id"]] = e["value"]
    return found


def test_action_item_dm_escapes_names_the_assigner_and_never_the_note() -> None:
    message = action_items_ui.action_item_message(_item())
    dumped = json.dumps(message.blocks)
    assert "<@U1> asked you to do this (due 2026-12-04)" in dumped
    assert "&lt;!channel&gt; the recap &amp; notes" in dumped and "<!channel>" not in dumped + message.text
    assert _buttons(message.blocks) == {action_items_ui.TODO_ACK: "7", action_items_ui.TODO_DONE: "7"}
    assert "note" not in message.text.lower().replace("notes", "")  # no "note #3"
    acknowledged = action_items_ui.action_item_message(_item(status="acknowledged"))
    assert _buttons(acknowledged.blocks) == {action_items_ui.TODO_DONE: "7"}
    assert _buttons(action_items_ui.action_item_message(_item(status="done")).blocks) == {}
    done = action_items_ui.action_item_done_message(_item(status="done"))
    assert done.text.startswith("<@U2> finished: Send &lt;!channel&gt;")


def test_rep_card_message_button_carries_rep_and_weakest_skill(sessions: Sessions) -> None:
    rated_note(sessions, skill="demo", rating=2, text="went <!here> long")
    rated_note(sessions, skill="closing", rating=4)
    with sessions.begin() as session:
        card = rep_card.rep_card(session, team_id="T1", author_id="U1", rep_id="U2", now=NOW + DAY)
    message = rep_card_ui.rep_card_message(card, tz="Europe/Berlin")
    dumped = json.dumps(message.blocks, ensure_ascii=False)
    assert "went &lt;!here&gt; long" in dumped and "<!here>" not in dumped
    assert "*Demo* 2.0" in dumped and "← weakest" in dumped
    value = _buttons(message.blocks)[rep_card_ui.LOG_NOTE_FOR_REP]
    assert card.weakest is not None
    assert rep_card_ui.parse_log_note_value(value) == ("U2", card.weakest.skill_id)
    for bad in ("", "{", "[]", '{"rep": "<!channel>", "skill": true}', '{"rep": "U2", "skill": 2147483648}'):
        rep, skill = rep_card_ui.parse_log_note_value(bad)
        assert skill is None and rep in (None, "U2")


def test_todos_message_lists_both_sides_and_fits_a_section() -> None:
    now = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    mine = tuple(_item(id=n, rep_id="U1", assigner_id="U9", text="x" * 900) for n in range(1, 51))
    todos = action_items.ActionItemLists(
        assigned_to_me=mine, assigned_by_me=(_item(id=99),), to_me_total=60, by_me_total=1, now=now
    )
    message = action_items_ui.action_items_message(todos, can_assign=True)
    sections = [b["text"]["text"] for b in message.blocks if b["type"] == "section"]
    assert all(len(s) <= 3000 for s in sections)
    assert "*Assigned to you* (60 open), the 50 most pressing shown" in sections[0] and "overdue" in sections[0]
    assert "#99 <@U2>, due 2026-12-04, *overdue*" in sections[1]
    assert len(_buttons(message.blocks)) == 1 and len(message.blocks[1]["elements"]) == 5


def test_todos_message_offers_assigning_only_to_whoever_may_assign() -> None:
    now = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    empty = action_items.ActionItemLists(assigned_to_me=(), assigned_by_me=(), to_me_total=0, by_me_total=0, now=now)
    rep = action_items_ui.action_items_message(empty, can_assign=False)
    manager = action_items_ui.action_items_message(empty, can_assign=True)
    assert "/coach todo" not in str(rep.blocks) and "you assigned" not in rep.text
    assert "/coach todo @bob" in str(manager.blocks) and "0 you assigned" in manager.text


def test_skill_rating_inputs_preselect_the_skill_and_rating(sessions: Sessions) -> None:
    from bot.services import rubric

    with sessions.begin() as session:
        skills = rubric.list_skills(session, team_id="T1", now=NOW)
    blocks = ratings_ui.skill_rating_inputs(skills, skill_id=skills[1].id, rating=3)
    assert blocks[0]["element"]["initial_option"]["value"] == str(skills[1].id)
    assert blocks[1]["element"]["initial_option"]["value"] == "3"
    assert "initial_option" not in ratings_ui.skill_rating_inputs(skills)[1]["element"]


def test_edit_modal_is_prefilled_and_edited_notes_say_so(sessions: Sessions) -> None:
    from bot.services import notes, rubric

    with sessions.begin() as session:
        skills = rubric.list_skills(session, team_id="T1", now=NOW)
        note = notes.log_note(
            session,
            team_id="T1",
            enterprise_id=None,
            author_id="U1",
            author_tz=None,
            rep_id="U2",
            rep_name="Bob",
            text="Draft <!channel> & more",
            now=NOW,
            theme="coaching",
            follow_up_on=date(2026, 12, 9),
            skill_id=skills[2].id,
            rating=2,
        )
        assert note_form_ui.edited_mark(note) == ""
        edited = notes.edit_note(session, team_id="T1", author_id="U1", note_id=note.id, text="Final", now=NOW + DAY)
    assert note_form_ui.edited_mark(edited) == " · edited"
    view = note_form_ui.note_edit_modal(note, skills=skills)
    assert (view["callback_id"], view["private_metadata"]) == (note_form_ui.NOTE_EDIT_MODAL, str(note.id))
    by_block = {b.get("block_id"): b for b in view["blocks"]}
    assert by_block["note"]["element"]["initial_value"] == "Draft <!channel> & more"  # plain_text input: verbatim
    assert by_block["skill"]["element"]["initial_option"]["value"] == str(skills[2].id)
    assert by_block["rating"]["element"]["initial_option"]["value"] == "2"
    assert by_block["follow_up"]["element"]["initial_date"] == "2026-12-09"
    assert by_block["theme"]["element"]["initial_option"]["value"] == "coaching"
    assert note_form_ui.edit_note_button(note.id).to_dict()["value"] == str(note.id)


def test_targeted_prompt_message_names_rep_and_skill_with_a_prefilled_button(sessions: Sessions) -> None:
    rated_note(sessions, skill="discovery", rating=1, created_at=NOW - 9 * DAY, rep_name="Bob <!here> Rep")
    with sessions.begin() as session:
        tp = rep_card.targeted_prompt(session, team_id="T1", author_id="U1", now=NOW)
    assert tp is not None and tp.prompt is not None
    message = rep_card_ui.targeted_prompt_message(tp)
    dumped = json.dumps(message.blocks)
    assert "<@U2> hasn't had a note in 9 days" in dumped and "*Discovery* (1.0)" in dumped
    assert tp.prompt.text in dumped
    button = next(e for b in message.blocks if b["type"] == "actions" for e in b["elements"])
    assert button["text"]["text"] == "Log a note on Bob &lt;!here&gt; Rep"
    assert rep_card_ui.parse_log_note_value(button["value"]) == ("U2", tp.target.skill.skill_id)
