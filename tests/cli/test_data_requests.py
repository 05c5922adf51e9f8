"""Data lifecycle: an admin exports one user's notes for a data request; a manager deletes all."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from bot.db.engine import Sessions
from tests.cli.test_cli import coachbot
from tests.factories import seed_note


def test_export_notes_writes_only_that_authors_notes_in_that_workspace(
    tmp_path: Path, database_url: str, sessions: Sessions
) -> None:
    seed_note(sessions, author="U1", rep="U2", text="Mine, in T1", team_id="T1")
    seed_note(sessions, author="U1", rep="U3", text="=HYPERLINK(evil)", team_id="T1")
    seed_note(sessions, author="U1", rep="U2", text="Same user id, other workspace", team_id="T2")
    seed_note(sessions, author="U9", rep="U2", text="Another manager's note", team_id="T1")
    out = tmp_path / "u1.csv"
    result = coachbot(
        "export-notes",
        "--team",
        "T1",
        "--user",
        "U1",
        "--out",
        str(out),
        env={"DATABASE_URL": database_url},
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "2 note(s) by U1 in T1" in result.stderr
    rows = list(csv.reader(io.StringIO(out.read_text())))
    assert rows[0] == [
        *("date", "rep id", "rep name", "theme", "follow-up", "note"),
        *("skill", "rating", "edited at", "type", "due", "status", "done at"),
    ]
    assert sorted(r[5] for r in rows[1:]) == ["'=HYPERLINK(evil)", "Mine, in T1"]


def test_export_notes_to_stdout_and_required_arguments(tmp_path: Path, database_url: str, sessions: Sessions) -> None:
    seed_note(sessions, author="U1", text="Printed to stdout")
    result = coachbot("export-notes", "--team", "T1", "--user", "U1", env={"DATABASE_URL": database_url}, cwd=tmp_path)
    assert result.returncode == 0 and "Printed to stdout" in result.stdout
    missing = coachbot("export-notes", "--team", "T1", env={"DATABASE_URL": database_url}, cwd=tmp_path)
    assert missing.returncode == 2 and "--user" in missing.stderr


def test_export_notes_includes_skills_ratings_and_action_items(
    tmp_path: Path, database_url: str, sessions: Sessions
) -> None:
    from tests.services.coaching_factories import rated_note, seed_item

    rated_note(sessions, skill="discovery", rating=4, text="Rated note")
    seed_item(sessions, text="Send the recap", status="done")
    seed_item(sessions, team_id="T2", text="Other workspace item")
    result = coachbot("export-notes", "--team", "T1", "--user", "U1", env={"DATABASE_URL": database_url}, cwd=tmp_path)
    rows = list(csv.reader(io.StringIO(result.stdout)))
    assert rows[1][5:10] == ["Rated note", "discovery", "4", "", "note"]
    assert [r[5] for r in rows[2:]] == ["Send the recap"] and rows[2][9] == "action item" and rows[2][11] == "done"
