"""Deciding a submission: the quoted member's consent, and an admin's approval or rejection.

Every change of status is one conditional ``UPDATE ... WHERE status = <expected>``: when two
admins press Approve at once, the database lets exactly one of those updates match and the
other finds the row already decided. Approval inserts the workspace's own ``Quote`` row,
which the daily rotation puts ahead of curated quotes a channel has not seen.
"""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from bot.db.models import Quote, Submission
from bot.errors import NotAllowed, UserError
from bot.services.quote_input import validate
from bot.services.submissions.duplicates import refuse_exact_duplicate
from bot.services.submissions.records import (
    APPROVED,
    AWAITING_CONSENT,
    DECLINED,
    PENDING,
    REASON_MAX,
    REJECTED,
    AuthorOptedOut,
    Decision,
    SubmissionView,
    is_opted_out,
    review_targets,
    row_of,
    view_of,
)
from bot.services.text import norm_key


class AlreadyDecided(UserError):
    """Someone else decided first, or the quoted member already answered."""


def answer_consent(
    session: Session, *, team_id: str, submission_id: int, user_id: str, allow: bool, now: datetime
) -> SubmissionView:
    """The quoted member's answer. Only they can give it, once; a decline is final."""
    values: dict[str, Any] = (
        {"status": PENDING}
        if allow
        else {
            "status": DECLINED,
            "decided_by": user_id,
            "decided_at": now,
            "reason": "The quoted member declined.",
        }
    )
    result = session.execute(
        update(Submission)
        .where(
            Submission.id == submission_id,
            Submission.team_id == team_id,
            Submission.author_user_id == user_id,
            Submission.status == AWAITING_CONSENT,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    row = row_of(session, team_id=team_id, submission_id=submission_id)
    if getattr(result, "rowcount", 0) != 1:
        if row.author_user_id != user_id:
            raise NotAllowed(
                f"Only <@{row.author_user_id}> can allow or decline quote #{row.id}. "
                "To stop anyone quoting you, use `/quote optout`."
            )
        raise AlreadyDecided(f"You already answered about quote #{row.id}: it is {_status_words(row)}.")
    session.refresh(row)
    return view_of(session, row)


# -- moderation ----------------------------------------------------------------------------


def _status_words(row: Submission) -> str:
    by = f" by <@{row.decided_by}>" if row.decided_by else ""
    return {
        AWAITING_CONSENT: f"still waiting for <@{row.author_user_id}> to agree to be quoted",
        PENDING: "waiting for review",
        APPROVED: f"already approved{by}",
        REJECTED: f"already rejected{by}",
        DECLINED: "declined by the quoted member" if row.decided_by == row.author_user_id else f"withdrawn{by}",
    }.get(row.status, row.status)


def _require_admin(actor_is_admin: bool) -> None:
    if not actor_is_admin:
        raise NotAllowed(
            "Only coachbot admins can approve, edit or reject quotes, so nothing was changed. "
            "You can see your own submissions with `/quote mine`."
        )


def _claim(session: Session, *, team_id: str, submission_id: int, values: dict[str, Any]) -> Submission:
    """Move a pending submission on. Exactly one of several concurrent claims wins.

    The conditional UPDATE is the first statement of the unit of work: on PostgreSQL a
    second claimer blocks on the row lock and then finds ``status`` changed; on SQLite
    the write lock serialises them the same way.
    """
    result = session.execute(
        update(Submission)
        .where(Submission.id == submission_id, Submission.team_id == team_id, Submission.status == PENDING)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    row = row_of(session, team_id=team_id, submission_id=submission_id)
    if getattr(result, "rowcount", 0) != 1:
        raise AlreadyDecided(f"Quote #{row.id} is {_status_words(row)}, so nothing was changed.")
    session.refresh(row)
    return row


def approve(
    session: Session,
    *,
    team_id: str,
    submission_id: int,
    admin_id: str,
    actor_is_admin: bool,
    now: datetime,
    text: str | None = None,
    author: str | None = None,
    rng: random.Random | None = None,
) -> Decision:
    """Approve, optionally with the admin's edited ``text`` and ``author``: the quote joins
    this workspace's pool, credited to the submitter."""
    _require_admin(actor_is_admin)
    edited: dict[str, Any] = {}
    if text is not None:
        # Validated before the claim, so a bad edit leaves the submission pending.
        new_text, new_author, _ = validate(text, author, None, form=True)
        edited = {"text": new_text, "author": new_author, "norm_key": norm_key(new_text)}
    row = _claim(
        session,
        team_id=team_id,
        submission_id=submission_id,
        values={"status": APPROVED, "decided_by": admin_id, "decided_at": now, **edited},
    )
    if edited:
        refuse_exact_duplicate(session, team_id=team_id, key=row.norm_key, exclude_submission=row.id, form=True)
    if row.author_user_id is not None and is_opted_out(session, team_id=team_id, user_id=row.author_user_id):
        raise AuthorOptedOut(
            f"<@{row.author_user_id}> has opted out of being quoted since this was sent in; please reject it."
        )
    quote = Quote(
        team_id=row.team_id,
        enterprise_id=row.enterprise_id,
        curated_key=None,
        text=row.text,
        author=row.author,
        source=row.source,
        tags=list(row.tags or []),
        contested=False,
        submitted_by=row.submitter_id,
        submission_id=row.id,
        active=True,
        norm_key=row.norm_key,
        shuffle_key=(rng or random).randrange(0, 0x7FFFFFFF),
        created_at=now,
        updated_at=now,
        approved_at=now,
    )
    session.add(quote)
    session.flush()
    row.quote_id = quote.id
    session.flush()
    return Decision(submission=view_of(session, row), review_messages=review_targets(session, submission_id=row.id))


def reject(
    session: Session,
    *,
    team_id: str,
    submission_id: int,
    admin_id: str,
    actor_is_admin: bool,
    now: datetime,
    reason: str | None = None,
) -> Decision:
    _require_admin(actor_is_admin)
    reason = " ".join((reason or "").split()) or None
    if reason is not None and len(reason) > REASON_MAX:
        raise UserError(
            f"The reason is too long: it has {len(reason)} characters, and the limit is {REASON_MAX}. "
            "For example: Already posted last month.",
            block_id="reason",
        )
    row = _claim(
        session,
        team_id=team_id,
        submission_id=submission_id,
        values={"status": REJECTED, "decided_by": admin_id, "decided_at": now, "reason": reason},
    )
    return Decision(submission=view_of(session, row), review_messages=review_targets(session, submission_id=row.id))


def check_pending(session: Session, *, team_id: str, submission_id: int, actor_is_admin: bool) -> SubmissionView:
    """Before opening the Edit or Reject modal: still something to decide, and allowed to."""
    _require_admin(actor_is_admin)
    row = row_of(session, team_id=team_id, submission_id=submission_id)
    if row.status != PENDING:
        raise AlreadyDecided(f"Quote #{row.id} is {_status_words(row)}, so nothing was changed.")
    return view_of(session, row)


# -- opting out ----------------------------------------------------------------------------
