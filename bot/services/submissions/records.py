"""A submission as stored: its statuses, the views the rest of the app reads, lookups and lists.

A submission moves ``awaiting_consent`` -> ``pending`` -> ``approved`` | ``rejected``;
``declined`` when the quoted member says no (final).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import OptOut, Quote, ReviewMessage, Submission
from bot.errors import NotAllowed, NotFound

AWAITING_CONSENT = "awaiting_consent"
PENDING = "pending"
APPROVED = "approved"
REJECTED = "rejected"
DECLINED = "declined"
OPEN_STATUSES = (AWAITING_CONSENT, PENDING)
VIAS = ("command", "shortcut", "home", "modal")
LIST_LIMIT = 15
REASON_MAX = 300
# Ids are 32-bit on both databases; a larger one (from a forged button) names nothing.
MAX_ID = 2**31 - 1


class AuthorOptedOut(NotAllowed):
    """The quoted member has opted out of being quoted."""


@dataclass(frozen=True)
class NearDup:
    """The quote a submission resembles: in the store, or in the pending queue."""

    score: int
    text: str
    author: str
    quote_id: int | None = None
    submission_id: int | None = None
    curated: bool = False
    submitted_by: str | None = None


@dataclass(frozen=True)
class SubmissionView:
    id: int
    team_id: str
    enterprise_id: str | None
    submitter_id: str
    text: str
    author: str
    author_user_id: str | None
    source: str | None
    tags: tuple[str, ...]
    via: str
    status: str
    near_dup: NearDup | None
    decided_by: str | None
    decided_at: datetime | None
    reason: str | None
    quote_id: int | None
    created_at: datetime

    @property
    def needs_consent(self) -> bool:
        return self.status == AWAITING_CONSENT


@dataclass(frozen=True)
class ReviewTarget:
    """One copy of a review card: where to ``chat.update`` it."""

    channel_id: str
    ts: str


@dataclass(frozen=True)
class Decision:
    """The outcome of a press: what to update and whom to tell."""

    submission: SubmissionView
    review_messages: tuple[ReviewTarget, ...]


@dataclass(frozen=True)
class Listing:
    items: tuple[SubmissionView, ...]
    total: int


def _near_dup_of(session: Session, row: Submission) -> NearDup | None:
    if row.near_dup_score is None:
        return None
    if row.near_dup_quote_id is not None:
        q = session.get(Quote, row.near_dup_quote_id)
        return NearDup(
            score=row.near_dup_score,
            text=q.text if q else row.near_dup_text or "",
            author=q.author if q else "",
            quote_id=row.near_dup_quote_id,
            curated=bool(q and q.team_id is None),
            submitted_by=q.submitted_by if q else None,
        )
    other = session.get(Submission, row.near_dup_submission_id) if row.near_dup_submission_id else None
    return NearDup(
        score=row.near_dup_score,
        text=other.text if other else row.near_dup_text or "",
        author=other.author if other else "",
        submission_id=row.near_dup_submission_id,
        submitted_by=other.submitter_id if other else None,
    )


def view_of(session: Session, row: Submission) -> SubmissionView:
    return SubmissionView(
        id=row.id,
        team_id=row.team_id,
        enterprise_id=row.enterprise_id,
        submitter_id=row.submitter_id,
        text=row.text,
        author=row.author,
        author_user_id=row.author_user_id,
        source=row.source,
        tags=tuple(row.tags or ()),
        via=row.via,
        status=row.status,
        near_dup=_near_dup_of(session, row),
        decided_by=row.decided_by,
        decided_at=row.decided_at,
        reason=row.reason,
        quote_id=row.quote_id,
        created_at=row.created_at,
    )


def no_such_submission(submission_id: object) -> NotFound:
    shown = str(submission_id)
    shown = f"#{shown}" if len(shown) <= 12 and shown.isascii() and shown.isdigit() else "with that number"
    return NotFound(f"There is no such submission ({shown}). See the ones waiting with `/quote review`.")


def row_of(session: Session, *, team_id: str, submission_id: int) -> Submission:
    if not 1 <= submission_id <= MAX_ID:
        raise no_such_submission(submission_id)
    row = session.scalars(
        select(Submission).where(Submission.id == submission_id, Submission.team_id == team_id)
    ).first()
    if row is None:
        raise no_such_submission(submission_id)
    return row


def get_submission(session: Session, *, team_id: str, submission_id: int) -> SubmissionView:
    return view_of(session, row_of(session, team_id=team_id, submission_id=submission_id))


def review_targets(session: Session, *, submission_id: int) -> tuple[ReviewTarget, ...]:
    rows = session.scalars(
        select(ReviewMessage).where(ReviewMessage.submission_id == submission_id).order_by(ReviewMessage.id)
    )
    return tuple(ReviewTarget(channel_id=r.channel_id, ts=r.ts) for r in rows)


def add_review_messages(session: Session, *, submission_id: int, targets: list[ReviewTarget]) -> None:
    for t in targets:
        session.add(ReviewMessage(submission_id=submission_id, channel_id=t.channel_id, ts=t.ts))


# -- review notices ----------------------------------------------------------------------
# Each review target (the review channel, or each admin's DM) gets a card per submission


def pending_count(session: Session, *, team_id: str) -> int:
    where = (Submission.team_id == team_id, Submission.status == PENDING)
    return int(session.scalar(select(func.count()).select_from(Submission).where(*where)) or 0)


def list_mine(session: Session, *, team_id: str, user_id: str, limit: int = LIST_LIMIT) -> Listing:
    where = (Submission.team_id == team_id, Submission.submitter_id == user_id)
    rows = session.scalars(
        select(Submission).where(*where).order_by(Submission.created_at.desc(), Submission.id.desc()).limit(limit)
    ).all()
    total = session.scalar(select(func.count()).select_from(Submission).where(*where)) or 0
    return Listing(items=tuple(view_of(session, r) for r in rows), total=total)


def list_pending(session: Session, *, team_id: str, limit: int = LIST_LIMIT) -> Listing:
    where = (Submission.team_id == team_id, Submission.status == PENDING)
    rows = session.scalars(select(Submission).where(*where).order_by(Submission.id).limit(limit)).all()
    total = session.scalar(select(func.count()).select_from(Submission).where(*where)) or 0
    return Listing(items=tuple(view_of(session, r) for r in rows), total=total)


# -- submitting ------------------------------------------------------------------------


def is_opted_out(session: Session, *, team_id: str, user_id: str) -> bool:
    return session.get(OptOut, (team_id, user_id)) is not None
