"""Factories for the coaching service tests (no tests here)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from bot.db.engine import Sessions
from bot.db.models import ActionItem, Schedule
from bot.services import one_on_ones, rubric
from tests.factories import seed_note

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)  # a Monday


def skill_id(session: Session, name: str, *, team_id: str = "T1") -> int:
    return rubric.resolve_skill(session, team_id=team_id, typed=name, now=NOW, example="x").id


def rated_note(
    sessions: Sessions,
    *,
    skill: str | None,
    rating: int | None,
    author: str = "U1",
    rep: str = "U2",
    team_id: str = "T1",
    created_at: datetime = NOW,
    text: str = "Observed a call",
    rep_name: str | None = None,
) -> int:
    """A note as stored (bypassing the parser), with the team's skill id for ``skill``."""
    with sessions.begin() as session:
        skill_id_ = skill_id(session, skill, team_id=team_id) if skill else None
    return seed_note(
        sessions,
        author=author,
        rep=rep,
        team_id=team_id,
        created_at=created_at,
        text=text,
        rep_name=rep_name,
        skill_id=skill_id_,
        rating=rating,
    )


def seed_item(
    sessions: Sessions,
    *,
    assigner: str = "U1",
    rep: str = "U2",
    team_id: str = "T1",
    text: str = "Send the recap",
    due_on: date | None = None,
    status: str = "open",
    rep_tz: str | None = "America/New_York",
    created_at: datetime = NOW,
    done_at: datetime | None = None,
) -> int:
    with sessions.begin() as session:
        item = ActionItem(
            team_id=team_id,
            assigner_id=assigner,
            rep_id=rep,
            rep_tz=rep_tz,
            text=text,
            due_on=due_on,
            status=status,
            created_at=created_at,
            updated_at=created_at,
            done_at=done_at,
        )
        session.add(item)
        session.flush()
        return item.id


def digest_schedule(
    sessions: Sessions, *, leader: str, hour: int, minute: int = 0, tz: str, days: int, team_id: str = "T1"
) -> int:
    """A leader's ``digest`` schedule, as the digest command will store it (schedules.set_schedule
    learns the kind with the structure refactor; see the H9 report)."""
    with sessions.begin() as session:
        row = Schedule(
            team_id=team_id,
            kind="digest",
            target_id=leader,
            created_by=leader,
            hour=hour,
            minute=minute,
            tz=tz,
            days=days,
            active=True,
            active_since=datetime(2026, 11, 1, tzinfo=UTC),
        )
        session.add(row)
        session.flush()
        return row.id


def seed_cadence(
    sessions: Sessions,
    text: str = "weekly tue 10:00",
    *,
    manager: str = "U1",
    rep: str = "U2",
    at: datetime = NOW,
    tz: str = "Europe/Berlin",
) -> one_on_ones.CadenceView:
    """A manager's 1:1 cadence with a rep, as ``/coach 1on1 @rep <text>`` sets it (zone ``tz``
    unless ``text`` names one)."""
    cadence = one_on_ones.parse_cadence(text)
    with sessions.begin() as session:
        return one_on_ones.set_cadence(
            session,
            team_id="T1",
            enterprise_id=None,
            manager_id=manager,
            rep_id=rep,
            cadence=cadence,
            tz=cadence.tz or tz,
            now=at,
        )
