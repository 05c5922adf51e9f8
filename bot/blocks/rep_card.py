"""Block Kit for a manager's card on one rep, and the targeted prompt built from it."""

from __future__ import annotations

import json

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
)

from bot.blocks import Message, dicts, md, section
from bot.blocks.notes import (
    count_of,
    day,
    quote_line,
)
from bot.blocks.ratings import stars
from bot.services.rep_card import RepCard, SkillTrend, TargetedPrompt
from bot.services.text import escape, truncate, truncate_escaped

LOG_NOTE_FOR_REP = "coach_log_note_rep"  # value: {"rep": "U..", "skill": <skill id> | null}


# --- the rep card ----------------------------------------------------------------------------


def log_note_for_rep_button(rep_id: str, skill_id: int | None, *, text: str = "Log a note") -> ButtonElement:
    value = json.dumps({"rep": rep_id, "skill": skill_id}, separators=(",", ":"))
    return ButtonElement(text=text, action_id=LOG_NOTE_FOR_REP, value=value, style="primary")


def parse_log_note_value(value: str) -> tuple[str | None, int | None]:
    """The rep and skill a "Log a note" button carries; (None, None) for anything malformed."""
    try:
        data = json.loads(value)
    except ValueError:
        return None, None
    if not isinstance(data, dict):
        return None, None
    rep, skill = data.get("rep"), data.get("skill")
    rep_id = rep if isinstance(rep, str) and rep[:1] in ("U", "W") and rep.isalnum() and len(rep) <= 32 else None
    skill_id = skill if isinstance(skill, int) and not isinstance(skill, bool) and 1 <= skill <= 2**31 - 1 else None
    return rep_id, skill_id


def _days(n: int | None) -> str:
    """The rep card's "last note ...": whole days since it (a day is 24 hours)."""
    if n is None:
        return "no notes yet"
    return "less than a day ago" if n == 0 else f"{count_of(n, 'day')} ago"


def since_last_note(days: int | None) -> str:
    """The prompt's words for how long a rep has gone without a note (whole 24-hour days)."""
    if days is None:
        return "hasn't had a note yet"
    if days == 0:
        return "had a note less than a day ago"
    if days == 1:
        return "last had a note a day ago"
    return f"hasn't had a note in {days:,} days"


def trend_line(trend: SkillTrend, *, weakest: bool) -> str:
    """One skill on the rep card. A sparkline only from two ratings up, and as plain text: one
    bar in a code span rendered as a lone red box, and padding made every span a box."""
    removed = " _(removed)_" if not trend.active else ""
    mark = "  ← weakest" if weakest else ""
    n = len(trend.ratings)
    spark = f"{trend.sparkline} " if n >= 2 else ""
    count = count_of(n, "rating") if n >= 2 else "1 rating so far"
    return f"{spark}*{escape(trend.label)}*{removed} {trend.average:.1f} ({count}){mark}"


def rep_card_message(card: RepCard, *, tz: str | None) -> Message:
    """``/coach rep @rep``: trends per skill, the weakest, items, the last notes, "Log a note"."""
    who = f"<@{card.rep_id}>"
    head = f"*Coaching card: {who}* — last note {_days(card.days_since_last_note)}"
    head += f" · {count_of(card.total_notes, 'note')} · only you can see this"
    blocks: list[Block] = [section(head)]
    if card.trends:
        weakest_skill = card.weakest.skill_id if card.weakest is not None else None
        lines = [trend_line(t, weakest=t.skill_id == weakest_skill) for t in card.trends]
        blocks.append(section("*Skills* (last 8 ratings, oldest first; average of those)\n" + "\n".join(lines)))
    else:
        blocks.append(section("No ratings yet. Rate a skill in a note: `/coach @rep discovery 3 what you observed`."))
    items = f"*Action items*: {card.open_items} open"
    if card.overdue_items:
        items += f", *{card.overdue_items} overdue*"
    blocks.append(section(items + " (see `/coach todos`)"))
    if card.last_notes:
        blocks.append(section(f"*Last {count_of(len(card.last_notes), 'note')}*"))
        for cn in card.last_notes:
            meta = [f"#{cn.note.id}", day(cn.note.created_at, tz)]
            if cn.skill_name:
                meta.append(f"_{escape(cn.skill_name)}_" + (f" {stars(cn.note.rating)}" if cn.note.rating else ""))
            if cn.note.edited_at is not None:
                meta.append("edited")
            blocks.append(section(" · ".join(meta) + "\n" + quote_line(cn.note.text)))
    weakest_id = card.weakest.skill_id if card.weakest is not None and card.weakest.active else None
    label = f"Log a note ({card.weakest.label})" if weakest_id is not None and card.weakest else "Log a note"
    blocks.append(ActionsBlock(elements=[log_note_for_rep_button(card.rep_id, weakest_id, text=truncate(label, 75))]))
    text = f"Coaching card for {who}: last note {_days(card.days_since_last_note)}"
    return Message(text=text, blocks=dicts(blocks))


def targeted_prompt_message(tp: TargetedPrompt) -> Message:
    """The daily prompt once a manager has ratings: the rep most overdue and their weakest skill."""
    t = tp.target
    head = (
        f":dart: *Coaching prompt* · <@{t.rep_id}> {since_last_note(t.days_since_last_note)}; "
        f"their weakest skill in your ratings is *{escape(t.skill.label)}* ({t.skill.average:.1f})."
    )
    blocks: list[Block] = [section(head)]
    if tp.prompt is not None:
        # Curated prompts may use mrkdwn and are validated free of <, > and &.
        blocks.append(section(tp.prompt.text))
    skill_id = t.skill.skill_id if t.skill.active else None
    # Escaped like every user text in plain_text here (bot.services.text.plain does the same).
    on = truncate_escaped(escape(t.rep_name), 50) if t.rep_name else "this rep"
    blocks.append(ActionsBlock(elements=[log_note_for_rep_button(t.rep_id, skill_id, text=f"Log a note on {on}")]))
    blocks.append(
        ContextBlock(
            elements=[
                md("Only you get this. Change the time with `/coach prompts 08:30`, stop with `/coach prompts off`.")
            ]
        )
    )
    text = f"Coaching prompt: <@{t.rep_id}>, {t.skill.label}"
    return Message(text=text, blocks=dicts(blocks))
