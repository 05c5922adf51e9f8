"""Who may coach: the managers of a workspace, and the admin-only changes to that list."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import Manager
from bot.errors import NotAllowed


class NotAManager(NotAllowed):
    """Only managers (named by an admin) and admins can keep coaching notes."""


class NotAnAdmin(NotAllowed):
    """Only admins can name managers."""


@dataclass(frozen=True)
class ManagerChange:
    changed: tuple[str, ...]
    unchanged: tuple[str, ...]


# --- roles -------------------------------------------------------------------------------


def is_manager(session: Session, *, team_id: str, user_id: str) -> bool:
    row = session.scalar(select(Manager.id).where(Manager.team_id == team_id, Manager.user_id == user_id))
    return row is not None


def not_a_manager_message(admin_ids: Sequence[str], user_id: str) -> str:
    """Whom to ask, and the command they type with the asker named (a mention, not "@you")."""
    who = ", ".join(f"<@{a}>" for a in admin_ids) if admin_ids else "your workspace admins"
    return (
        "Only managers can keep coaching notes and prompts, and you're not one yet. "
        f"Ask an admin to add you ({who}): they type `/coach managers add` followed by <@{user_id}>."
    )


def ensure_admin(*, is_admin: bool) -> None:
    if not is_admin:
        raise NotAnAdmin(
            "Only admins can name managers (COACHBOT_ADMINS and the workspace's admins and owners). "
            "Nothing was changed. An admin would type e.g. `/coach managers add @ada @bob`."
        )


def add_managers(
    session: Session,
    *,
    team_id: str,
    enterprise_id: str | None,
    user_ids: Iterable[str],
    added_by: str,
    now: datetime,
) -> ManagerChange:
    added: list[str] = []
    already: list[str] = []
    for user_id in dict.fromkeys(user_ids):
        if is_manager(session, team_id=team_id, user_id=user_id):
            already.append(user_id)
            continue
        try:
            # A concurrent add of the same person must not fail the whole command.
            with session.begin_nested():
                session.add(
                    Manager(
                        team_id=team_id,
                        enterprise_id=enterprise_id,
                        user_id=user_id,
                        added_by=added_by,
                        created_at=now,
                    )
                )
        except IntegrityError:
            already.append(user_id)
        else:
            added.append(user_id)
    return ManagerChange(changed=tuple(added), unchanged=tuple(already))


def remove_managers(session: Session, *, team_id: str, user_ids: Iterable[str]) -> ManagerChange:
    removed: list[str] = []
    missing: list[str] = []
    for user_id in dict.fromkeys(user_ids):
        result = session.execute(delete(Manager).where(Manager.team_id == team_id, Manager.user_id == user_id))
        (removed if getattr(result, "rowcount", 0) else missing).append(user_id)
    return ManagerChange(changed=tuple(removed), unchanged=tuple(missing))


def list_managers(session: Session, *, team_id: str) -> list[str]:
    return list(session.scalars(select(Manager.user_id).where(Manager.team_id == team_id).order_by(Manager.created_at)))
