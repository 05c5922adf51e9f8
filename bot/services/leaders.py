"""Leaders: the people who get the coaching digest. Admins name them; admins count as leaders.

A leader sees counts and averages only (``bot.services.digest``), never a note or a single
note's rating. Removing a leader also stops their scheduled digest, so nothing keeps arriving
after their access ended.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import Leader, Schedule
from bot.errors import NotAllowed
from bot.kinds import ScheduleKind
from bot.services.managers import ManagerChange

DIGEST_SCHEDULE_KIND = ScheduleKind.DIGEST
ADD_EXAMPLE = "/coach leaders add @ada"


class NotALeader(NotAllowed):
    """Only leaders (and admins) get the digest."""


class NotAnAdmin(NotAllowed):
    """Only admins name leaders."""


def ensure_admin(*, is_admin: bool) -> None:
    if not is_admin:
        raise NotAnAdmin(
            "Only admins can name leaders (COACHBOT_ADMINS and the workspace's admins and owners). "
            f"Nothing was changed. An admin would type e.g. `{ADD_EXAMPLE}`."
        )


def is_leader(session: Session, *, team_id: str, user_id: str, is_admin: bool) -> bool:
    if is_admin:
        return True
    return session.scalar(select(Leader.id).where(Leader.team_id == team_id, Leader.user_id == user_id)) is not None


def ensure_leader(session: Session, *, team_id: str, user_id: str, is_admin: bool) -> None:
    if not is_leader(session, team_id=team_id, user_id=user_id, is_admin=is_admin):
        raise NotALeader(
            "The coaching digest is for leaders, and you're not one. An admin can add you, e.g. "
            f"`{ADD_EXAMPLE}`. (It shows counts and averages per manager, never a note.)"
        )


def add_leaders(
    session: Session,
    *,
    team_id: str,
    enterprise_id: str | None,
    user_ids: Iterable[str],
    added_by: str,
    is_admin: bool,
    now: datetime,
) -> ManagerChange:
    """(added, already leaders). Safe against a concurrent add of the same person."""
    ensure_admin(is_admin=is_admin)
    added: list[str] = []
    already: list[str] = []
    for user_id in dict.fromkeys(user_ids):
        if is_leader(session, team_id=team_id, user_id=user_id, is_admin=False):
            already.append(user_id)
            continue
        try:
            with session.begin_nested():
                session.add(
                    Leader(
                        team_id=team_id, enterprise_id=enterprise_id, user_id=user_id, added_by=added_by, created_at=now
                    )
                )
        except IntegrityError:
            already.append(user_id)
        else:
            added.append(user_id)
    return ManagerChange(changed=tuple(added), unchanged=tuple(already))


def remove_leaders(session: Session, *, team_id: str, user_ids: Iterable[str], is_admin: bool) -> ManagerChange:
    """(removed, were not leaders). A removed leader's digest schedule is switched off."""
    ensure_admin(is_admin=is_admin)
    removed: list[str] = []
    missing: list[str] = []
    for user_id in dict.fromkeys(user_ids):
        result = session.execute(delete(Leader).where(Leader.team_id == team_id, Leader.user_id == user_id))
        (removed if getattr(result, "rowcount", 0) else missing).append(user_id)
    if removed:
        session.execute(
            update(Schedule)
            .where(
                Schedule.team_id == team_id,
                Schedule.kind == DIGEST_SCHEDULE_KIND,
                Schedule.target_id.in_(removed),
                Schedule.active.is_(True),
            )
            .values(active=False, paused_reason="no longer a leader")
            .execution_options(synchronize_session=False)
        )
    return ManagerChange(changed=tuple(removed), unchanged=tuple(missing))


def list_leaders(session: Session, *, team_id: str) -> list[str]:
    return list(session.scalars(select(Leader.user_id).where(Leader.team_id == team_id).order_by(Leader.id)))
