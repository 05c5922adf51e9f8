"""Taking a quote in: validation, opt-outs, duplicates and limits, then the stored submission."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.db.models import Submission
from bot.services.member_limits import lock_members
from bot.services.quote_input import EXAMPLE, QUOTE_TAGS, validate
from bot.services.submissions.duplicates import refuse_exact_duplicate
from bot.services.submissions.limits import Limits, check_consent_limits, check_limits
from bot.services.submissions.records import (
    AWAITING_CONSENT,
    PENDING,
    VIAS,
    AuthorOptedOut,
    SubmissionView,
    is_opted_out,
    view_of,
)
from bot.services.text import norm_key


def submit(
    session: Session,
    *,
    team_id: str,
    enterprise_id: str | None,
    submitter_id: str,
    text: str,
    author: str | None,
    author_user_id: str | None = None,
    source: str | None = None,
    tags: list[str] | tuple[str, ...] = (),
    via: str,
    now: datetime,
    limits: Limits | None = None,
    form: bool = False,
) -> SubmissionView:
    """Record a submission, or refuse it (``QuoteInputError``, ``DuplicateQuote``,
    ``AuthorOptedOut``, ``LimitReached``). A quote attributed to another member waits for
    their consent; one's own words go straight to review. Near-duplicates:
    ``flag_near_duplicate``. ``form``: the values came from a modal (errors name its fields).
    """
    limits = limits or Limits()
    text, author_name, source = validate(text, author, source, form=form)
    if via not in VIAS:
        raise ValueError(f"unknown submission channel {via!r}")
    clean_tags = [t for t in dict.fromkeys(tags) if t in QUOTE_TAGS]
    needs_consent = author_user_id is not None and author_user_id != submitter_id
    lock_members(
        session,
        team_id=team_id,
        user_ids=[submitter_id, *([author_user_id] if needs_consent and author_user_id else [])],
        now=now,
    )
    if author_user_id is not None and is_opted_out(session, team_id=team_id, user_id=author_user_id):
        example = "Or leave “Who said it” empty." if form else f"For example: `{EXAMPLE}`"
        raise AuthorOptedOut(
            f"<@{author_user_id}> has opted out of being quoted, so coachbot can't take quotes attributed "
            f"to them. You can still submit other quotes. {example}",
            block_id="author",
        )
    key = norm_key(text)
    refuse_exact_duplicate(session, team_id=team_id, key=key, exclude_submission=None, form=form)
    check_limits(session, team_id=team_id, submitter_id=submitter_id, limits=limits, now=now)
    if needs_consent and author_user_id is not None:
        check_consent_limits(
            session,
            team_id=team_id,
            submitter_id=submitter_id,
            author_user_id=author_user_id,
            limits=limits,
            now=now,
        )
    row = Submission(
        team_id=team_id,
        enterprise_id=enterprise_id,
        submitter_id=submitter_id,
        text=text,
        author=author_name,
        author_user_id=author_user_id,
        source=source,
        tags=clean_tags,
        norm_key=key,
        via=via,
        status=AWAITING_CONSENT if needs_consent else PENDING,
        created_at=now,
        consent_asked_at=now if needs_consent else None,
    )
    session.add(row)
    session.flush()
    return view_of(session, row)
