"""Ids are never reused, so a stale button can never act on a newer row.

What happened on SQLite before: notes #4, #3 and #2 were deleted, the next notes were numbered
#2 to #4 again, and the still-visible Undo on "Saved note #3 about @UREP" deleted the new
note #3 about another rep.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, inspect, select, text

from bot.db import migrate
from bot.db.engine import Sessions, make_engine
from bot.db.models import Base, Note
from tests.factories import buttons, last_response, make_manager, mention, note_count
from tests.fakes.slack_api import FakeSlack
from tests.harness import SlackSender, TestClock, ephemeral_text


def _note(slack: SlackSender, rep: str, name: str, words: str) -> tuple[int, dict[str, object]]:
    body = slack.command("/coach", f"{mention(rep, name)} {words}").json()
    undo = buttons(body["blocks"])["coach_note_undo"]
    return int(str(undo["value"])), undo


def test_a_stale_undo_never_deletes_a_newer_note(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack, clock: TestClock
) -> None:
    make_manager(sessions, "U1")
    ids = [_note(slack, "U2", "bob", f"Call review {n}")[0] for n in range(1, 5)]
    assert ids == sorted(ids) and len(set(ids)) == 4
    stale_undo = ids[2]  # the Undo button on "Saved note #3 about @bob" stays on screen

    for note_id in reversed(ids[1:]):  # delete #4, #3, #2
        assert f"#{note_id}" in ephemeral_text(slack.command("/coach", f"delete {note_id}"))

    new_ids = [_note(slack, "U3", "cy", f"New rep note {n}")[0] for n in range(1, 4)]
    assert min(new_ids) > max(ids), f"ids were reused: {ids} then {new_ids}"

    assert slack.block_action("coach_note_undo", str(stale_undo)).status_code == 200
    answer = last_response(fake_slack)
    assert answer["text"].startswith(f"Note #{stale_undo} no longer exists")
    assert "<@U3>" not in answer["text"]
    # Nothing else was touched: the first note and the three new ones are all there.
    with sessions.begin() as session:
        remaining = set(session.scalars(select(Note.id)))
    assert remaining == {ids[0], *new_ids}
    assert note_count(sessions, rep_id="U3") == 3


def test_commands_and_buttons_naming_a_deleted_or_impossible_note_say_so(
    slack: SlackSender, sessions: Sessions, fake_slack: FakeSlack
) -> None:
    make_manager(sessions, "U1")
    note_id, _ = _note(slack, "U2", "bob", "Pricing objection handled well")
    slack.command("/coach", f"delete {note_id}")
    assert f"Note #{note_id} no longer exists" in ephemeral_text(slack.command("/coach", f"delete {note_id}"))
    for value in (str(2**31), str(2**31 - 1), "0", "999999999999"):
        slack.block_action("coach_note_undo", value)
        answer = last_response(fake_slack, count=len(fake_slack.responses()))
        assert "no longer exists" in answer["text"] or "does not name a note" in answer["text"], answer
        assert "Something went wrong" not in answer["text"]
    huge = ephemeral_text(slack.command("/coach", f"delete {2**31}"))
    assert "Something went wrong" not in huge
    assert "no longer exists" in huge or "not a note number" in huge.lower() or "/coach delete" in huge


def test_every_table_with_an_integer_id_is_autoincrement_on_sqlite(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'ids.db'}")
    migrate.upgrade(engine)
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'table'")).all()
    created: dict[str, str] = {str(name): str(sql) for name, sql in rows}
    ours = [
        t.name
        for t in Base.metadata.sorted_tables
        if not t.name.startswith("slack_") and [c.name for c in t.primary_key.columns] == ["id"]
    ]
    assert {"notes", "quotes", "submissions", "schedules", "deliveries"} <= set(ours)
    missing = [name for name in ours if "AUTOINCREMENT" not in created[name].upper()]
    assert missing == [], f"tables that would reuse ids on SQLite: {missing}"
    engine.dispose()


def _seed_at_0004(engine: Engine) -> None:
    now = datetime(2026, 11, 1, tzinfo=UTC).isoformat(" ").replace("+00:00", "")
    with engine.begin() as conn:
        for n in range(1, 5):
            conn.execute(
                text(
                    "INSERT INTO notes (id, team_id, author_id, rep_id, text, shared_with_rep, created_at)"
                    " VALUES (:id, 'T1', 'U1', 'U2', :t, 0, :now)"
                ),
                {"id": n, "t": f"note {n}", "now": now},
            )
        conn.execute(text("DELETE FROM notes WHERE id IN (3, 4)"))
        conn.execute(
            text(
                "INSERT INTO schedules (id, team_id, kind, target_id, created_by, hour, minute, tz, days, active,"
                " created_at, updated_at) VALUES (7, 'T1', 'quote_channel', 'C1', 'U1', 9, 0, 'UTC', 31, 1,"
                " :now, :now)"
            ),
            {"now": now},
        )
        conn.execute(
            text(
                "INSERT INTO deliveries (id, key, team_id, kind, schedule_id, target_id, local_date, due_at,"
                " status, attempts, claimed_at) VALUES (1, 'schedule:7:2026-11-02', 'T1', 'quote_channel', 7,"
                " 'C1', '2026-11-02', :now, 'sent', 1, :now)"
            ),
            {"now": now},
        )


def test_migration_keeps_rows_and_children_and_stops_reuse(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    engine = make_engine(url)  # foreign keys on, as the app runs
    migrate.upgrade(engine, "0004")
    try:
        _seed_at_0004(engine)
    except Exception:  # the 0004 schema needs columns this seed does not know: show which
        cols = {t: [c["name"] for c in inspect(engine).get_columns(t)] for t in ("notes", "schedules", "deliveries")}
        raise AssertionError(f"seed does not match the 0004 schema: {cols}") from None
    migrate.upgrade(engine)
    with engine.begin() as conn:
        assert [r[0] for r in conn.execute(text("SELECT id FROM notes ORDER BY id"))] == [1, 2]
        # The delivery still points at its schedule: rebuilding `schedules` did not null it.
        assert conn.execute(text("SELECT schedule_id FROM deliveries WHERE id = 1")).scalar_one() == 7
        insert = text(
            "INSERT INTO notes (team_id, author_id, rep_id, text, shared_with_rep, created_at)"
            " VALUES ('T1', 'U1', 'U3', 'after', 0, '2026-11-02 00:00:00')"
        )
        # Ids freed before the migration are gone from the file; from now on none is reused.
        conn.execute(insert)
        assert conn.execute(text("SELECT max(id) FROM notes")).scalar_one() == 3
        conn.execute(text("DELETE FROM notes WHERE id = 3"))
        conn.execute(insert)
        assert conn.execute(text("SELECT max(id) FROM notes")).scalar_one() == 4  # not 3 again
    engine.dispose()
    # A plain connection (no pragmas) sees foreign keys intact too.
    raw = create_engine(url)
    with raw.connect() as conn:
        assert conn.execute(text("PRAGMA foreign_key_check")).fetchall() == []
    raw.dispose()
