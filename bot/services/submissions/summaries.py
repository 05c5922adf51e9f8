"""Review summaries: one message per review target, updated in place, while the queue is long."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.db.models import ReviewSummary
from bot.db.upsert import insert_ignore

# -- review notices ----------------------------------------------------------------------
# Each review target (the review channel, or each admin's DM) gets a card per submission
# while the queue holds REVIEW_CARDS_MAX or fewer; past that, one summary message that is
# updated in place, so a flood of submissions can't flood the admins.
REVIEW_CARDS_MAX = 10
SUMMARY_CLAIM_TIMEOUT = timedelta(minutes=2)


@dataclass(frozen=True)
class SummarySlot:
    """Where a target's summary is (``ts`` None: being posted); ``claimed``: post it now."""

    target_id: str
    channel_id: str | None
    ts: str | None
    claimed: bool


def claim_summary(session: Session, *, team_id: str, target_id: str, now: datetime) -> SummarySlot:
    """The target's summary, or the right to post it (exactly one caller gets that)."""
    claimed = insert_ignore(
        session, ReviewSummary, {"team_id": team_id, "target_id": target_id, "ts": None, "updated_at": now}
    )
    if not claimed:
        # A poster that died between claiming and saving leaves ts NULL: after a while,
        # someone else may take over rather than the target never getting a summary.
        took_over = session.execute(
            update(ReviewSummary)
            .where(
                ReviewSummary.team_id == team_id,
                ReviewSummary.target_id == target_id,
                ReviewSummary.ts.is_(None),
                ReviewSummary.updated_at < now - SUMMARY_CLAIM_TIMEOUT,
            )
            .values(updated_at=now)
            .execution_options(synchronize_session=False)
        )
        claimed = getattr(took_over, "rowcount", 0) == 1
    row = session.get(ReviewSummary, (team_id, target_id), populate_existing=True)
    assert row is not None
    return SummarySlot(target_id=target_id, channel_id=row.channel_id, ts=row.ts, claimed=claimed)


def save_summary(
    session: Session, *, team_id: str, target_id: str, channel_id: str | None, ts: str | None, now: datetime
) -> None:
    """Record the posted summary (``ts`` None: the post failed, so the next one may try)."""
    if ts is None:
        session.execute(
            delete(ReviewSummary).where(ReviewSummary.team_id == team_id, ReviewSummary.target_id == target_id)
        )
        return
    session.execute(
        update(ReviewSummary)
        .where(ReviewSummary.team_id == team_id, ReviewSummary.target_id == target_id)
        .values(channel_id=channel_id, ts=ts, updated_at=now)
    )


def summaries(session: Session, *, team_id: str) -> list[SummarySlot]:
    rows = session.scalars(
        select(ReviewSummary).where(ReviewSummary.team_id == team_id, ReviewSummary.ts.is_not(None))
    ).all()
    return [SummarySlot(r.target_id, r.channel_id, r.ts, claimed=False) for r in rows]


def forget_summary(session: Session, *, team_id: str, target_id: str) -> None:
    """The queue is short again: the next overflow starts a fresh summary at the bottom of
    the conversation rather than updating one far up."""
    session.execute(delete(ReviewSummary).where(ReviewSummary.team_id == team_id, ReviewSummary.target_id == target_id))
