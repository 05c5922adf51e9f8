"""Apply Alembic migrations, once, even when several replicas start together."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, text

# Any fixed 64-bit number works; every replica must use the same one.
MIGRATION_LOCK_ID = 0x636F616368626F74  # "coachbot"


def migrations_dir() -> Path:
    """The migrations shipped in the package (``migrations/`` in a source checkout)."""
    return Path(str(resources.files("bot.migrations")))


def alembic_config(connection: Connection | None = None, url: str | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    if url is not None:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


@contextmanager
def startup_lock(engine: Engine) -> Iterator[None]:
    """Serialise start-up work (migrations, store load) across replicas.

    On PostgreSQL a session advisory lock, held on its own connection: the first replica
    does the work, the others wait, then find nothing left to do. A replica that dies
    releases the lock with its connection. SQLite supports one process; no lock needed.
    """
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": MIGRATION_LOCK_ID})
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": MIGRATION_LOCK_ID})
            conn.commit()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Upgrade to ``revision``. Callers that may run concurrently hold ``startup_lock``."""
    if engine.dialect.name != "sqlite":
        with engine.begin() as conn:
            command.upgrade(alembic_config(conn), revision)
        return
    # Batch mode rebuilds a SQLite table by copy, drop and rename. With foreign keys on, the
    # drop would cascade to (or null out) the rows that reference it. The pragma only takes
    # effect outside a transaction, so it is set before the migration's transaction begins,
    # and the result is checked before foreign keys are switched back on.
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        conn.commit()
        try:
            with conn.begin():
                command.upgrade(alembic_config(conn), revision)
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"migration left {len(broken)} rows with dangling foreign keys")
        finally:
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            conn.commit()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()
