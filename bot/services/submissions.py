"""Team quote submissions: duplicate checks, consent, moderation, opt-outs.

A submission moves ``awaiting_consent`` -> ``pending`` -> ``approved`` | ``rejected``;
``declined`` when the quoted member says no (final). Every change of status is one
conditional ``UPDATE ... WHERE status = <expected>``: when two admins press Approve at
once, the database lets exactly one of those updates match and the other finds the row
already decided. Approval inserts the workspace's own ``Quote`` row, which the daily
rotation puts ahead of curated quotes a channel has not seen.

Services take a Session and plain values and never commit or call Slack.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from rapidfuzz import fuzz, process
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from bot.db.models import OptOut, Quote, ReviewMessage, ReviewSummary, Submission
from bot.db.upsert import insert_ignore
from bot.errors import NotAllowed, NotFound, UserError
from bot.services.member_limits import lock_members, slack_when
from bot.services.quote_input import EXAMPLE, QUOTE_TAGS, validate
from bot.services.quotes import visible_to
from bot.services.text import compact, escape, norm_key, normalize

NEAR_DUP_SCORE = 90
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


class DuplicateQuote(UserError):
    """The same quote (ignoring case, punctuation and dashes) is already there."""


class AuthorOptedOut(NotAllowed):
    """The quoted member has opted out of being quoted."""


class AlreadyDecided(UserError):
    """Someone else decided first, or the quoted member already answered."""


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


@dataclass(frozen=True)
class OptOutResult:
    already: bool
    withdrawn: tuple[Decision, ...]
    retired_quotes: int


# -- reading ---------------------------------------------------------------------------


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


def _view(session: Session, row: Submission) -> SubmissionView:
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


def _row(session: Session, *, team_id: str, submission_id: int) -> Submission:
    if not 1 <= submission_id <= MAX_ID:
        raise no_such_submission(submission_id)
    row = session.scalars(
        select(Submission).where(Submission.id == submission_id, Submission.team_id == team_id)
    ).first()
    if row is None:
        raise no_such_submission(submission_id)
    return row


def get_submission(session: Session, *, team_id: str, submission_id: int) -> SubmissionView:
    return _view(session, _row(session, team_id=team_id, submission_id=submission_id))


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


def pending_count(session: Session, *, team_id: str) -> int:
    where = (Submission.team_id == team_id, Submission.status == PENDING)
    return int(session.scalar(select(func.count()).select_from(Submission).where(*where)) or 0)


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


def list_mine(session: Session, *, team_id: str, user_id: str, limit: int = LIST_LIMIT) -> Listing:
    where = (Submission.team_id == team_id, Submission.submitter_id == user_id)
    rows = session.scalars(
        select(Submission).where(*where).order_by(Submission.created_at.desc(), Submission.id.desc()).limit(limit)
    ).all()
    total = session.scalar(select(func.count()).select_from(Submission).where(*where)) or 0
    return Listing(items=tuple(_view(session, r) for r in rows), total=total)


def list_pending(session: Session, *, team_id: str, limit: int = LIST_LIMIT) -> Listing:
    where = (Submission.team_id == team_id, Submission.status == PENDING)
    rows = session.scalars(select(Submission).where(*where).order_by(Submission.id).limit(limit)).all()
    total = session.scalar(select(func.count()).select_from(Submission).where(*where)) or 0
    return Listing(items=tuple(_view(session, r) for r in rows), total=total)


# -- submitting ------------------------------------------------------------------------


def is_opted_out(session: Session, *, team_id: str, user_id: str) -> bool:
    return session.get(OptOut, (team_id, user_id)) is not None


def _refuse_exact_duplicate(
    session: Session, *, team_id: str, key: str, exclude_submission: int | None, form: bool = False
) -> None:
    """Refuse a quote whose normalized text is already in the pool or the queue.

    ``form``: the reply goes under the modal's Quote field, so it speaks of the form.
    """
    quote = session.scalars(
        select(Quote).where(visible_to(team_id), Quote.norm_key == key).order_by(Quote.id).limit(1)
    ).first()
    if quote is not None:
        who = (
            "it is one of coachbot's curated quotes"
            if quote.team_id is None
            else (f"<@{quote.submitted_by}> added it" if quote.submitted_by else "your team added it")
        )
        after = (
            "Please enter a different quote."
            if form
            else f"Search what's there with `/quote search {escape(_first_words(quote.text))}`."
        )
        raise DuplicateQuote(
            f"That quote is already in coachbot ({who}): “{escape(quote.text)}” — {escape(quote.author)}.\n{after}",
            block_id="text",
        )
    pending = select(Submission).where(
        Submission.team_id == team_id, Submission.norm_key == key, Submission.status.in_(OPEN_STATUSES)
    )
    if exclude_submission is not None:
        pending = pending.where(Submission.id != exclude_submission)
    other = session.scalars(pending.order_by(Submission.id).limit(1)).first()
    if other is not None:
        after = "Please enter a different quote." if form else "See your own submissions with `/quote mine`."
        raise DuplicateQuote(
            f"That quote is already waiting for review (#{other.id}, sent in by <@{other.submitter_id}>): "
            f"“{escape(other.text)}” — {escape(other.author)}.\n{after}",
            block_id="text",
        )


def _first_words(text: str) -> str:
    # The quote's own words (normalize() is a comparison key, not something to show).
    words = (w.strip(".,;:!?\"'“”‘’«»()[]") for w in text.split())
    return " ".join([w for w in words if w][:3])


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _check_limits(session: Session, *, team_id: str, submitter_id: str, limits: Limits, now: datetime) -> None:
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


def _check_consent_limits(
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


def _near_duplicate(session: Session, *, team_id: str, text: str, exclude_submission: int) -> NearDup | None:
    """The most similar quote in the store or the pending queue, if rapidfuzz ratio >= 90.

    This compares against the whole visible pool in Python, which takes a while with a
    very large pool; it runs after the ack (``flag_near_duplicate``), never in a request.
    """
    target = normalize(text)
    candidates: list[tuple[str, NearDup]] = []
    for qid, qtext, qauthor, qteam, qby in session.execute(
        select(Quote.id, Quote.text, Quote.author, Quote.team_id, Quote.submitted_by).where(visible_to(team_id))
    ):
        candidates.append(
            (normalize(qtext), NearDup(0, qtext, qauthor, quote_id=qid, curated=qteam is None, submitted_by=qby))
        )
    for sid, stext, sauthor, sby in session.execute(
        select(Submission.id, Submission.text, Submission.author, Submission.submitter_id).where(
            Submission.team_id == team_id,
            Submission.status.in_(OPEN_STATUSES),
            Submission.id != exclude_submission,
        )
    ):
        candidates.append((normalize(stext), NearDup(0, stext, sauthor, submission_id=sid, submitted_by=sby)))
    if not candidates:
        return None
    best = process.extractOne(
        target, [c[0] for c in candidates], scorer=fuzz.ratio, processor=None, score_cutoff=NEAR_DUP_SCORE
    )
    if best is None:
        return None
    _, score, index = best
    found = candidates[index][1]
    return NearDup(
        score=int(score),
        text=found.text,
        author=found.author,
        quote_id=found.quote_id,
        submission_id=found.submission_id,
        curated=found.curated,
        submitted_by=found.submitted_by,
    )


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
    _refuse_exact_duplicate(session, team_id=team_id, key=key, exclude_submission=None, form=form)
    _check_limits(session, team_id=team_id, submitter_id=submitter_id, limits=limits, now=now)
    if needs_consent and author_user_id is not None:
        _check_consent_limits(
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
    return _view(session, row)


def flag_near_duplicate(session: Session, *, team_id: str, submission_id: int) -> SubmissionView:
    """Record the quote this submission most resembles (ratio >= 90), for the reviewer.

    Exact duplicates were refused by ``submit`` through the ``norm_key`` index; this
    fuzzy pass scans the pool, so it runs after the ack, before the review card goes out.
    """
    row = _row(session, team_id=team_id, submission_id=submission_id)
    near = _near_duplicate(session, team_id=team_id, text=row.text, exclude_submission=row.id)
    if near is not None:
        row.near_dup_quote_id = near.quote_id
        row.near_dup_submission_id = near.submission_id
        row.near_dup_text = near.text
        row.near_dup_score = near.score
        session.flush()
    return _view(session, row)


# -- consent -----------------------------------------------------------------------------


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
    row = _row(session, team_id=team_id, submission_id=submission_id)
    if getattr(result, "rowcount", 0) != 1:
        if row.author_user_id != user_id:
            raise NotAllowed(
                f"Only <@{row.author_user_id}> can allow or decline quote #{row.id}. "
                "To stop anyone quoting you, use `/quote optout`."
            )
        raise AlreadyDecided(f"You already answered about quote #{row.id}: it is {_status_words(row)}.")
    session.refresh(row)
    return _view(session, row)


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
    row = _row(session, team_id=team_id, submission_id=submission_id)
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
        _refuse_exact_duplicate(session, team_id=team_id, key=row.norm_key, exclude_submission=row.id, form=True)
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
    return Decision(submission=_view(session, row), review_messages=review_targets(session, submission_id=row.id))


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
    return Decision(submission=_view(session, row), review_messages=review_targets(session, submission_id=row.id))


def check_pending(session: Session, *, team_id: str, submission_id: int, actor_is_admin: bool) -> SubmissionView:
    """Before opening the Edit or Reject modal: still something to decide, and allowed to."""
    _require_admin(actor_is_admin)
    row = _row(session, team_id=team_id, submission_id=submission_id)
    if row.status != PENDING:
        raise AlreadyDecided(f"Quote #{row.id} is {_status_words(row)}, so nothing was changed.")
    return _view(session, row)


# -- opting out ----------------------------------------------------------------------------


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
            row = _row(session, team_id=team_id, submission_id=sid)
            session.refresh(row)
            targets = review_targets(session, submission_id=sid)
            withdrawn.append(Decision(submission=_view(session, row), review_messages=targets))
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
