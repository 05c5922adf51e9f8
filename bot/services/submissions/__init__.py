"""Team quote submissions: storage, duplicate checks, limits, consent, moderation, opt-outs.

One module per concept (``records``: statuses, views and lookups; ``intake``: taking a quote
in; ``duplicates``; ``limits``; ``decisions``: consent, approval and rejection;
``summaries``: the review summaries; ``opt_outs``). This package's namespace is the
feature's public surface, so callers can write ``submissions.approve(...)``.

Services take a Session and plain values and never commit or call Slack.
"""

from bot.services.submissions.decisions import AlreadyDecided, answer_consent, approve, check_pending, reject
from bot.services.submissions.duplicates import NEAR_DUP_SCORE, DuplicateQuote, flag_near_duplicate
from bot.services.submissions.intake import submit
from bot.services.submissions.limits import CONSENT_DMS_PER_DAY, DAY, LimitReached, Limits
from bot.services.submissions.opt_outs import OptOutResult, opt_in, opt_out
from bot.services.submissions.records import (
    APPROVED,
    AWAITING_CONSENT,
    DECLINED,
    LIST_LIMIT,
    MAX_ID,
    OPEN_STATUSES,
    PENDING,
    REASON_MAX,
    REJECTED,
    VIAS,
    AuthorOptedOut,
    Decision,
    Listing,
    NearDup,
    ReviewTarget,
    SubmissionView,
    add_review_messages,
    get_submission,
    is_opted_out,
    list_mine,
    list_pending,
    no_such_submission,
    pending_count,
    review_targets,
)
from bot.services.submissions.summaries import (
    REVIEW_CARDS_MAX,
    SUMMARY_CLAIM_TIMEOUT,
    SummarySlot,
    claim_summary,
    forget_summary,
    save_summary,
    summaries,
)

__all__ = [
    "APPROVED",
    "AWAITING_CONSENT",
    "CONSENT_DMS_PER_DAY",
    "DAY",
    "DECLINED",
    "LIST_LIMIT",
    "MAX_ID",
    "NEAR_DUP_SCORE",
    "OPEN_STATUSES",
    "PENDING",
    "REASON_MAX",
    "REJECTED",
    "REVIEW_CARDS_MAX",
    "SUMMARY_CLAIM_TIMEOUT",
    "VIAS",
    "AlreadyDecided",
    "AuthorOptedOut",
    "Decision",
    "DuplicateQuote",
    "LimitReached",
    "Limits",
    "Listing",
    "NearDup",
    "OptOutResult",
    "ReviewTarget",
    "SubmissionView",
    "SummarySlot",
    "add_review_messages",
    "answer_consent",
    "approve",
    "check_pending",
    "claim_summary",
    "flag_near_duplicate",
    "forget_summary",
    "get_submission",
    "is_opted_out",
    "list_mine",
    "list_pending",
    "no_such_submission",
    "opt_in",
    "opt_out",
    "pending_count",
    "reject",
    "review_targets",
    "save_summary",
    "submit",
    "summaries",
]
