"""Factories and helpers shared by the coaching tests (no tests here)."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select

from bot.db.engine import Sessions
from bot.db.models import Delivery, Manager, Note
from bot.gateway.posting import METADATA_EVENT
from bot.services.quotes import QuoteView
from tests.fakes.slack_api import Call, FakeSlack


def make_manager(sessions: Sessions, user_id: str, *, team_id: str = "T1") -> None:
    with sessions.begin() as session:
        session.add(Manager(team_id=team_id, user_id=user_id, added_by="UADMIN", created_at=datetime.now(UTC)))


def seed_note(
    sessions: Sessions,
    *,
    author: str = "U1",
    rep: str = "U2",
    text: str = "Solid discovery call",
    team_id: str = "T1",
    created_at: datetime | None = None,
    theme: str | None = None,
    follow_up_on: date | None = None,
    follow_up_done_at: datetime | None = None,
    author_tz: str | None = "Europe/Berlin",
    rep_name: str | None = None,
    skill_id: int | None = None,
    rating: int | None = None,
) -> int:
    with sessions.begin() as session:
        note = Note(
            team_id=team_id,
            author_id=author,
            author_tz=author_tz,
            rep_id=rep,
            rep_name=rep_name or rep,
            text=text,
            theme=theme,
            follow_up_on=follow_up_on,
            follow_up_done_at=follow_up_done_at,
            created_at=created_at or datetime(2026, 11, 30, 11, 0, tzinfo=UTC),
            skill_id=skill_id,
            rating=rating,
        )
        session.add(note)
        session.flush()
        return note.id


def note_count(sessions: Sessions, **where: Any) -> int:
    with sessions.begin() as session:
        stmt = select(func.count(Note.id))
        for key, value in where.items():
            stmt = stmt.where(getattr(Note, key) == value)
        return int(session.scalar(stmt) or 0)


def get_note(sessions: Sessions, note_id: int) -> Note | None:
    with sessions.begin() as session:
        return session.get(Note, note_id)


def last_response(fake: FakeSlack, count: int = 1) -> dict[str, Any]:
    """The latest body POSTed to a response_url (waiting for deferred answers)."""
    calls = fake.wait_for("response_url", count=count)
    params = calls[-1].params
    assert isinstance(params, dict)
    return params


def buttons(blocks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every button in the blocks, by action_id."""
    found: dict[str, dict[str, Any]] = {}
    for block in blocks:
        for element in block.get("elements", []) if block.get("type") == "actions" else []:
            if element.get("type") == "button":
                found[element["action_id"]] = element
        accessory = block.get("accessory")
        if isinstance(accessory, dict) and accessory.get("type") == "button":
            found[accessory["action_id"]] = accessory
    return found


def blocks_of(call: Call) -> list[dict[str, Any]]:
    value = call.json("blocks") or []
    assert isinstance(value, list)
    return value


def view_of(call: Call) -> dict[str, Any]:
    value = call.json("view")
    assert isinstance(value, dict)
    return value


def dump(value: Any) -> str:
    return json.dumps(value)


def mention(user_id: str, name: str | None = None) -> str:
    """A mention as Slack sends it with should_escape: true."""
    return f"<@{user_id}|{name}>" if name else f"<@{user_id}>"


def posted_dates(fake: FakeSlack, sessions: Sessions, channel: str = "C1") -> list[date]:
    """The local dates of the daily posts ``channel`` received, read from what Slack has."""
    ids = [
        m["metadata"]["event_payload"]["delivery_id"]
        for m in fake.history(channel)
        if (m.get("metadata") or {}).get("event_type") == METADATA_EVENT
    ]
    with sessions() as s:
        return sorted(s.scalars(select(Delivery.local_date).where(Delivery.id.in_(ids))))


def quote_view(**overrides: Any) -> QuoteView:
    """A quote as the builders take it: an attributed one by default, any field overridden."""
    fields: dict[str, Any] = {
        "id": 7,
        "text": "You manage things; you lead people.",
        "author": "Grace Hopper",
        "source": None,
        "tags": ("leadership",),
        "confidence": "attributed",
        "attribution_note": None,
        "submitted_by": None,
    }
    return QuoteView(**(fields | overrides))
