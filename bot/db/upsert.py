"""Dialect-aware INSERT ... ON CONFLICT, for the few writes that race by design.

Claims, reactions, opt-outs and rotations are inserted by whichever request or replica gets
there first. ``ON CONFLICT DO NOTHING`` keeps the transaction usable when another got there
first, where catching ``IntegrityError`` would not on PostgreSQL. SQLite and PostgreSQL spell
the statement the same way in SQLAlchemy, from different modules.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session


def _dialect(executor: Session | Connection) -> str:
    return executor.dialect.name if isinstance(executor, Connection) else executor.get_bind().dialect.name


def insert_for(executor: Session | Connection, model: Any) -> Any:
    """The dialect's ``insert(model)``, which has ``on_conflict_do_nothing/update``."""
    insert = pg_insert if _dialect(executor) == "postgresql" else sqlite_insert
    return insert(model)


def insert_ignore(
    executor: Session | Connection,
    model: Any,
    values: dict[str, Any],
    *,
    conflict_on: Sequence[str] | None = None,
) -> bool:
    """INSERT that does nothing on a unique-key clash; True if a row was inserted.

    ``conflict_on`` names the unique columns when the clash to ignore is not the primary key's.
    """
    key = next(iter(model.__table__.primary_key.columns))
    stmt = insert_for(executor, model).values(**values).on_conflict_do_nothing(index_elements=conflict_on)
    # RETURNING, not rowcount: psycopg reports -1 for INSERT ... ON CONFLICT.
    return executor.execute(stmt.returning(key)).first() is not None
