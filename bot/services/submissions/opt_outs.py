"""Opting out of being quoted, and back in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from bot.db.models import OptOut, Quote, Submission
from bot.db.upsert import insert_ignore
from bot.services.submissions.records import (
    APPROVED,
    DECLINED,
    OPEN_STATUSES,
    Decision,
    review_targets,
    row_of,
    view_of,
)
from bot.services.text import compact


@dataclass(frozen=True)
class OptOutResult:
    already: bool
    withdrawn: tuple[Decision, ...]
    retired_quotes: int


def opt_out(session: Session, *, team_id: str, user_id: str, now: datetime, names: Sequence[str] = ()) -> OptOutResult:
    """Stop being quoted: refuse new submissions, withdraw open ones, retire approved ones.

    ``names``: the member's handle, display and real name. Quotes whose author is one of
    them (compared after ``normalize``, as consent does) count as theirs too, even when
    they were sent in before names were checked.
    """
    inserted = insert_ignore(session, OptOut, {"team_id": team_id, "user_id": user_id, "created_at": now})
    keys = {k for k in (compact(n) for n in names) if k}
    open_rows = session.execute(
        select(Submission.id, Submission.author, Submission.author_user_id).where(
            Submission.team_id == team_id,
            or_(Submission.author_user_id == user_id, Submission.author_user_id.is_(None)),
            Submission.status.in_(OPEN_STATUSES),
        )
    ).all()
    open_ids = [sid for sid, author, uid in open_rows if uid == user_id or compact(author) in keys]
    withdrawn: list[Decision] = []
    for sid in open_ids:
        result = session.execute(
            update(Submission)
            .where(Submission.id == sid, Submission.status.in_(OPEN_STATUSES))
            .values(status=DECLINED, decided_by=user_id, decided_at=now, reason="The quoted member opted out.")
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) == 1:
            row = row_of(session, team_id=team_id, submission_id=sid)
            session.refresh(row)
            targets = review_targets(session, submission_id=sid)
            withdrawn.append(Decision(submission=view_of(session, row), review_messages=targets))
    approved = select(Submission.id).where(
        Submission.team_id == team_id, Submission.author_user_id == user_id, Submission.status == APPROVED
    )
    named = [
        qid
        for qid, author in session.execute(
            select(Quote.id, Quote.author).where(Quote.team_id == team_id, Quote.active.is_(True))
        )
        if compact(author) in keys
    ]
    retired = session.execute(
        update(Quote)
        .where(
            Quote.team_id == team_id,
            Quote.active.is_(True),
            or_(Quote.submission_id.in_(approved), Quote.id.in_(named)),
        )
        .values(active=False, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return OptOutResult(
        already=not inserted, withdrawn=tuple(withdrawn), retired_quotes=int(getattr(retired, "rowcount", 0) or 0)
    )


def opt_in(session: Session, *, team_id: str, user_id: str) -> bool:
    """Allow being quoted again (with consent each time). True if they had opted out."""
    result = session.execute(delete(OptOut).where(OptOut.team_id == team_id, OptOut.user_id == user_id))
    return bool(getattr(result, "rowcount", 0))
