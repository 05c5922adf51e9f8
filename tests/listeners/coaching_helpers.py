"""Helpers for the coaching listener tests (notes, ratings, action items, digest; no tests here)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from bot.db.engine import Sessions
from bot.db.models import ActionItem, Leader, Skill
from tests.fakes.slack_api import Call, FakeSlack


def dm_posts(fake: FakeSlack, user_id: str, *, count: int = 0) -> list[Call]:
    """Messages posted into ``user_id``'s DM with the bot (waiting for ``count`` of them)."""
    if count:
        fake.wait_for("conversations.open", users=user_id)
    opened = {str(c.response["channel"]["id"]) for c in fake.calls_to("conversations.open", users=user_id) if c.ok}
    if count:
        for channel in opened:
            fake.wait_for("chat.postMessage", count=count, channel=channel)
    return [c for c in fake.posts() if c.params.get("channel") in opened]


def everything_sent(fake: FakeSlack, user_id: str) -> str:
    """All text and blocks posted to ``user_id``'s DM, as one string."""
    return "\n".join(json.dumps(c.params, default=str) for c in dm_posts(fake, user_id))


def skill_id(sessions: Sessions, name: str, team_id: str = "T1") -> int:
    with sessions.begin() as session:
        return int(session.scalars(select(Skill.id).where(Skill.team_id == team_id, Skill.name == name)).one())


def items(sessions: Sessions, **where: Any) -> list[ActionItem]:
    with sessions.begin() as session:
        stmt = select(ActionItem).order_by(ActionItem.id)
        for key, value in where.items():
            stmt = stmt.where(getattr(ActionItem, key) == value)
        return list(session.scalars(stmt))


def make_leader(sessions: Sessions, user_id: str, team_id: str = "T1") -> None:
    from datetime import UTC, datetime

    with sessions.begin() as session:
        session.add(Leader(team_id=team_id, user_id=user_id, added_by="UADMIN", created_at=datetime.now(UTC)))


def view_blocks(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {b.get("block_id", ""): b for b in view.get("blocks", [])}
