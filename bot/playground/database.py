"""The playground's own SQLite file: Reset deletes it, so nothing else may be opened as it."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path

from bot.config import ConfigError
from bot.playground import world as w

# SQLite's header field for "which application's file is this": 'CBPG', coachbot playground.
APPLICATION_ID = 0x43425047


def check_database(path: Path) -> None:
    """Refuse any file that is not this playground's own database: Reset deletes it.

    A new or empty file is fine. Anything else must carry the playground's mark (SQLite's
    ``application_id``, set by ``mark_database``), or be an unmarked database written by an
    earlier playground (coachbot's tables holding the playground workspace's rows and no
    other's). Another application's file and a real coachbot database are refused.
    """
    if not path.exists() or path.stat().st_size == 0:
        return
    fix = "Choose another file, e.g. --db playground.db"
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
            marked = conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
            tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
            teams = _teams(conn, tables)
    except sqlite3.DatabaseError as err:
        raise ConfigError(f"{path} is not a SQLite database ({err}); {fix[0].lower()}{fix[1:]}") from None
    others = sorted(teams - {w.TEAM_ID})
    if others:
        raise ConfigError(
            f"{path} holds data of Slack workspace {others[0]}; the playground keeps its own database "
            f"and deletes it on Reset. {fix}"
        )
    if marked:
        return
    if "alembic_version" not in tables:
        if not tables:
            return  # a SQLite file with nothing in it yet
        shown = ", ".join(tables[:3]) + (", ..." if len(tables) > 3 else "")
        raise ConfigError(
            f"{path} is another application's database (tables: {shown}), not the playground's; "
            f"Reset would delete it. {fix}"
        )
    if w.TEAM_ID not in teams:
        raise ConfigError(
            f"{path} is a coachbot database but not the playground's; the playground deletes its database "
            f"on Reset. {fix}"
        )


def _teams(conn: sqlite3.Connection, tables: list[str]) -> set[str]:
    """The playground's workspace id if any ``team_id`` column holds it, and the first other one."""
    teams: set[str] = set()
    for table in tables:
        columns = [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")')]
        if "team_id" not in columns:
            continue
        for test in ("=", "!="):  # LIMIT 1 each: a large file is not read through
            row = conn.execute(
                f'SELECT team_id FROM "{table}" WHERE team_id IS NOT NULL AND team_id {test} ? LIMIT 1',  # noqa: S608
                (w.TEAM_ID,),
            ).fetchone()
            if row is not None:
                teams.add(str(row[0]))
    return teams


def mark_database(path: Path) -> None:
    """Stamp the file as the playground's own (creating it if new), for ``check_database``."""
    with contextlib.closing(sqlite3.connect(path)) as conn:
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        conn.commit()
