"""Duplicate detection: exact duplicates are refused; near ones are flagged for the reviewer."""

from __future__ import annotations

from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import Quote, Submission
from bot.errors import UserError
from bot.services.quotes import visible_to
from bot.services.submissions.records import OPEN_STATUSES, NearDup, SubmissionView, row_of, view_of
from bot.services.text import escape, normalize

NEAR_DUP_SCORE = 90


class DuplicateQuote(UserError):
    """The same quote (ignoring case, punctuation and dashes) is already there."""


def refuse_exact_duplicate(
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


def flag_near_duplicate(session: Session, *, team_id: str, submission_id: int) -> SubmissionView:
    """Record the quote this submission most resembles (ratio >= 90), for the reviewer.

    Exact duplicates were refused by ``submit`` through the ``norm_key`` index; this
    fuzzy pass scans the pool, so it runs after the ack, before the review card goes out.
    """
    row = row_of(session, team_id=team_id, submission_id=submission_id)
    near = _near_duplicate(session, team_id=team_id, text=row.text, exclude_submission=row.id)
    if near is not None:
        row.near_dup_quote_id = near.quote_id
        row.near_dup_submission_id = near.submission_id
        row.near_dup_text = near.text
        row.near_dup_score = near.score
        session.flush()
    return view_of(session, row)


# -- consent -----------------------------------------------------------------------------
