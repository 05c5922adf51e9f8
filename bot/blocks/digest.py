"""Block Kit for leaders and the weekly digest.

The digest builder only ever gets a ``Digest``, which holds counts and averages and no text a
manager wrote.
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
)

from bot.blocks import Message, dicts, md, section
from bot.blocks.notes import count_of, fit_sections
from bot.services.digest import MIN_RATINGS, SHOWN_WEEKS, Digest, ManagerStats
from bot.services.text import escape

# --- leaders and the digest ------------------------------------------------------------------


def leaders_text(leader_ids: Sequence[str], admin_ids: Sequence[str]) -> str:
    leaders = ", ".join(f"<@{u}>" for u in leader_ids) or "none named yet"
    admins = ", ".join(f"<@{a}>" for a in admin_ids) or "the workspace admins and owners"
    return (
        f"*Leaders:* {leaders}\n*Admins* (count as leaders too): {admins}.\n"
        "Leaders get the coaching digest: counts and averages per manager, never a note or a single rating. "
        "Add with `/coach leaders add @ada`, remove with `/coach leaders remove @ada`."
    )


LEADER_VIEW_HELP = (
    "What leaders see: per manager, notes in 7 and 30 days, reps noted, reps not coached for 14+ days, and action "
    f"items open, overdue and done. Per skill, the team's average over the last {SHOWN_WEEKS} weeks and its change "
    f"against the {SHOWN_WEEKS} before, from whole weeks (Monday to Sunday, UTC) that are over: a skill's figure "
    f"moves only once {MIN_RATINGS} or more new ratings of it have come in (a thinner week waits for the next), "
    "never moves when a note is edited or deleted, and comes without a count. So no digest, nor any sequence of "
    "digests, tells a single rating. Never a note's text."
)
DIGEST_FOOTNOTE = (
    f"Per skill: whole weeks only, moving only after {MIN_RATINGS}+ new ratings, never a count; "
    "never a note's text or a single rating. More in `/coach help`."
)


def _change(value: float | None) -> str:
    if value is None:
        return ""
    if abs(value) < 0.05:
        return " (±0.0)"
    return f" ({'▲' if value > 0 else '▼'}{abs(value):.1f})"


def _manager_line(m: ManagerStats) -> str:
    """One manager, saying only what isn't zero (beyond the notes, which always say something)."""
    if m.notes_30d:
        parts = [f"{count_of(m.notes_7d, 'note')} in 7 days, {m.notes_30d:,} in 30"]
    else:
        parts = ["no notes in 30 days"]
    if m.reps_ever:
        stale = f", *{m.reps_stale} not coached 14+ days*" if m.reps_stale else ""
        parts.append(f"reps noted {m.reps_noted_30d}/{m.reps_ever}{stale}")
    items = []
    if m.items_open:
        overdue = f" (*{m.items_overdue} overdue*)" if m.items_overdue else ""
        items.append(f"{m.items_open} open{overdue}")
    if m.items_done_30d:
        items.append(f"{m.items_done_30d} done in 30 days")
    if items:
        parts.append("action items " + ", ".join(items))
    return f"• <@{m.manager_id}>: " + " · ".join(parts)


def digest_message(digest: Digest) -> Message:
    """The leader's digest. Built from a ``Digest`` only: counts and averages, no text."""
    summary = f"{count_of(len(digest.managers), 'manager')}, {count_of(digest.notes_30d, 'note')} in the last 30 days"
    blocks: list[Block] = [section(f":bar_chart: *Coaching digest* — {summary}")]
    if digest.managers:
        lines = [_manager_line(m) for m in digest.managers]
        blocks.append(section("*Per manager* (least active first)\n" + "\n".join(lines)))
    else:
        blocks.append(section("No managers have coached yet."))
    shown = [s for s in digest.skills if s.average is not None]
    waiting = len(digest.skills) - len(shown)
    heading = f"*Team average per skill*, last {SHOWN_WEEKS} weeks (change vs the {SHOWN_WEEKS} before)"
    if shown:
        lines = [f"• {escape(s.label)}: {s.average:.1f}{_change(s.change)}" for s in shown if s.average is not None]
        if waiting:
            other = "The other skill" if waiting == 1 else f"The other {waiting} skills"
            lines.append(f"_{other}: not enough new ratings yet._")
        blocks.append(section(heading + "\n" + "\n".join(lines)))
    elif digest.skills:
        blocks.append(
            section(
                "*Team average per skill*: none yet. A skill gets its first figure on the Monday after "
                f"the week in which it reached {MIN_RATINGS} ratings."
            )
        )
    blocks.append(ContextBlock(elements=[md(DIGEST_FOOTNOTE)]))
    return Message(text=f"Coaching digest: {summary}", blocks=dicts(fit_sections(blocks)))
