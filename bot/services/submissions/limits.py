"""Per-member limits on submissions and on consent requests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import Submission
from bot.errors import UserError
from bot.services.member_limits import slack_when
from bot.services.submissions.records import AWAITING_CONSENT, OPEN_STATUSES

DAY = timedelta(hours=24)
# One member gets at most this many consent requests in 24 hours, whoever asks.
CONSENT_DMS_PER_DAY = 3


@dataclass(frozen=True)
class Limits:
    """Per-member submission limits (COACHBOT_MAX_PENDING_SUBMISSIONS, ..._PER_DAY)."""

    max_pending: int = 5
    per_day: int = 20
    consent_dms_per_day: int = CONSENT_DMS_PER_DAY


class LimitReached(UserError):
    """A per-member limit: the message says which, and when it frees up."""


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def check_limits(session: Session, *, team_id: str, submitter_id: str, limits: Limits, now: datetime) -> None:
    mine = (Submission.team_id == team_id, Submission.submitter_id == submitter_id)
    open_count = (
        session.scalar(select(func.count()).select_from(Submission).where(*mine, Submission.status.in_(OPEN_STATUSES)))
        or 0
    )
    if open_count >= limits.max_pending:
        raise LimitReached(
            f"You already have {_plural(open_count, 'quote')} waiting (for review or for a teammate's OK), "
            f"and one person can have at most {limits.max_pending} waiting at a time. A place frees up as "
            "soon as one of them is decided; see where they stand with `/quote mine`."
        )
    since = now - DAY
    recent = session.execute(
        select(func.count(), func.min(Submission.created_at)).where(*mine, Submission.created_at > since)
    ).one()
    if recent[0] >= limits.per_day:
        raise LimitReached(
            f"You've already sent {_plural(int(recent[0]), 'quote')} in the last 24 hours, the most one person "
            f"can send in a day. You can send the next one {slack_when((recent[1] or now) + DAY, now)}."
        )


def check_consent_limits(
    session: Session, *, team_id: str, submitter_id: str, author_user_id: str, limits: Limits, now: datetime
) -> None:
    waiting = session.scalars(
        select(Submission.id)
        .where(
            Submission.team_id == team_id,
            Submission.submitter_id == submitter_id,
            Submission.author_user_id == author_user_id,
            Submission.status == AWAITING_CONSENT,
        )
        .limit(1)
    ).first()
    if waiting is not None:
        raise LimitReached(
            f"You already asked <@{author_user_id}> about quote #{waiting}, and they haven't answered yet. "
            "One request to a person at a time: this one can be sent once they allow or decline that one "
            "(see `/quote mine`)."
        )
    asked = session.execute(
        select(func.count(), func.min(Submission.consent_asked_at)).where(
            Submission.team_id == team_id,
            Submission.author_user_id == author_user_id,
            Submission.consent_asked_at > now - DAY,
        )
    ).one()
    if asked[0] >= limits.consent_dms_per_day:
        raise LimitReached(
            f"<@{author_user_id}> has already been asked {_plural(int(asked[0]), 'time')} in the last 24 hours "
            f"whether they may be quoted, the most coachbot asks one person in a day. You can send this one "
            f"{slack_when((asked[1] or now) + DAY, now)}."
        )
