"""Block Kit for the coaching loop: skills, the rep card, action items, todos, the leader digest.

Pure functions: values in, ``Message`` (text + blocks) or block lists out. User text (notes,
action items, names) is escaped every time it is shown. The digest builder only ever gets a
``Digest``, which holds counts and averages and no text a manager wrote.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DatePickerElement,
    InputBlock,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks import Message, dicts, md, section
from bot.blocks.coaching import (
    DELETE_ALL_CANCEL,
    DELETE_ALL_CONFIRM,
    FOLLOW_UP_BLOCK,
    NOTE_BLOCK,
    THEME_BLOCK,
    count_of,
    day,
    escaped_chunks,
    theme_option,
)
from bot.services.action_items import ACKNOWLEDGED, DONE, TEXT_LIMIT, ActionItemView, ItemCounts, Todos
from bot.services.coaching import NOTE_LIMIT, NoteView
from bot.services.digest import MIN_RATINGS, SHOWN_WEEKS, Digest, ManagerStats
from bot.services.note_input import RATING_MAX, RATING_MIN
from bot.services.rep_card import RepCard, SkillTrend, TargetedPrompt
from bot.services.rubric import SkillView
from bot.services.store import THEMES
from bot.services.text import escape, truncate, truncate_escaped

# Action ids: the contract between these builders and the listeners.
LOG_NOTE_FOR_REP = "coach_log_note_rep"  # value: {"rep": "U..", "skill": <skill id> | null}
TODO_ACK = "coach_todo_ack"  # value: action item id
TODO_DONE = "coach_todo_done"  # value: action item id
EDIT_NOTE = "coach_note_edit"  # value: note id; the listener checks the presser is the author
NOTE_EDIT_MODAL = "coach_note_edit_modal"  # private_metadata: note id
# Block (and action) ids of the inputs the note modal gains.
SKILL_BLOCK, RATING_BLOCK = "skill", "rating"
ACTION_ITEM_BLOCK, ACTION_DUE_BLOCK = "action_item", "action_due"

_PREVIEW = 300


def _quote(text: str, limit: int = _PREVIEW) -> str:
    """User text as a one-line mrkdwn quote, escaped, newlines kept inside the quote."""
    shown = truncate_escaped(escape(text), limit)
    return "\n".join("> " + line for line in shown.splitlines() or [""])


def _stars(rating: int) -> str:
    return f"{rating}/5"


# --- skills ----------------------------------------------------------------------------------


def skills_message(skills: Sequence[SkillView], *, is_admin: bool) -> Message:
    """``/coach skills``: the rubric, and how admins change it."""
    names = ", ".join(f"`{s.name}`" for s in skills) or "none"
    text = f"*Skills in this workspace* ({len(skills)}): {names}"
    how = (
        "Change them with `/coach skills add cold-calling`, `/coach skills rename demo product-demo` or "
        "`/coach skills remove pipeline` (a removed skill keeps its history)."
        if is_admin
        else "Admins can add, rename and remove skills."
    )
    usage = (
        "Rate a note with `/coach @bob discovery 3 asked great follow-up questions` (any case, or a prefix: `disc`)."
    )
    return Message(text=text, blocks=dicts([section(text), ContextBlock(elements=[md(usage), md(how)])]))


def skill_changed_text(verb: str, skill: SkillView, *, old: str | None = None) -> str:
    if verb == "renamed" and old is not None:
        return f":pencil2: Renamed `{old}` to `{skill.name}`. Past notes follow the new name."
    if verb == "removed":
        return (
            f":wastebasket: Removed `{skill.name}` from the rubric. Notes already rated on it keep it; "
            f"bring it back with `/coach skills add {skill.name}`."
        )
    if verb == "restored":
        return f":leftwards_arrow_with_hook: `{skill.name}` is back in the rubric, with its history."
    return f":heavy_plus_sign: Added `{skill.name}` to the rubric."


def skill_option(skill: SkillView) -> Option:
    return Option(value=str(skill.id), label=truncate(skill.label, 75))


def skill_rating_inputs(
    skills: Sequence[SkillView], *, skill_id: int | None = None, rating: int | None = None
) -> list[dict[str, Any]]:
    """The note modal's Skill (static select) and Rating (radio buttons 1-5), both optional."""
    options = [skill_option(s) for s in skills[:100]]  # Slack's static select holds 100
    initial = next((o for s, o in zip(skills, options, strict=False) if s.id == skill_id), None)
    rating_options = [Option(value=str(r), label=str(r)) for r in range(RATING_MIN, RATING_MAX + 1)]
    initial_rating = next((o for r, o in enumerate(rating_options, RATING_MIN) if r == rating), None)
    blocks: list[Block] = [
        InputBlock(
            block_id=SKILL_BLOCK,
            label="Skill",
            element=StaticSelectElement(
                action_id=SKILL_BLOCK, placeholder="Which skill?", options=options, initial_option=initial
            ),
            optional=True,
        ),
        InputBlock(
            block_id=RATING_BLOCK,
            label="Rating",
            element=RadioButtonsElement(
                action_id=RATING_BLOCK,
                options=rating_options,
                initial_option=initial_rating,
            ),
            optional=True,
            hint="1 = needs a lot of work, 5 = a model for the team. Needs a skill.",
        ),
    ]
    return dicts(blocks)


def action_item_inputs() -> list[dict[str, Any]]:
    """The note modal's "Action item for the rep" and its due date (both optional)."""
    return dicts(
        [
            InputBlock(
                block_id=ACTION_ITEM_BLOCK,
                label="Action item for the rep",
                element=PlainTextInputElement(
                    action_id=ACTION_ITEM_BLOCK,
                    max_length=TEXT_LIMIT,
                    placeholder="e.g. Send the Acme recap with the quantified pain",
                ),
                optional=True,
                hint="The rep gets this by DM with who asked, never the note.",
            ),
            InputBlock(
                block_id=ACTION_DUE_BLOCK,
                label="Due",
                element=DatePickerElement(action_id=ACTION_DUE_BLOCK, placeholder="No due date"),
                optional=True,
                hint="The rep gets one reminder that day at 09:00 their time.",
            ),
        ]
    )


# --- editing a note --------------------------------------------------------------------------


def edit_note_button(note_id: int) -> ButtonElement:
    """ "Edit" on the saved-note reply and on each note in ``/coach notes`` (only the author sees
    those; the listener still checks the presser is the author)."""
    return ButtonElement(text="Edit", action_id=EDIT_NOTE, value=str(note_id))


def edited_mark(note: NoteView) -> str:
    """`` · edited`` after a note's details once it was changed, else nothing."""
    return " · edited" if note.edited_at is not None else ""


def note_edit_modal(note: NoteView, *, skills: Sequence[SkillView]) -> dict[str, Any]:
    """The note form, pre-filled with the note (the rep and the sharing stay as saved)."""
    theme_select = StaticSelectElement(
        action_id=THEME_BLOCK,
        placeholder="Pick a theme",
        options=[theme_option(t) for t in THEMES],
        initial_option=theme_option(note.theme) if note.theme in THEMES else None,
    )
    blocks: list[dict[str, Any]] = dicts(
        [
            section(f"Editing note *#{note.id}* about <@{note.rep_id}>. Only you can read it."),
            InputBlock(
                block_id=NOTE_BLOCK,
                label="Note",
                element=PlainTextInputElement(
                    action_id=NOTE_BLOCK, multiline=True, max_length=NOTE_LIMIT, initial_value=note.text
                ),
                hint=f"At most {NOTE_LIMIT:,} characters.",
            ),
        ]
    )
    blocks += skill_rating_inputs(skills, skill_id=note.skill_id, rating=note.rating)
    blocks += dicts(
        [
            InputBlock(
                block_id=FOLLOW_UP_BLOCK,
                label="Follow up on",
                element=DatePickerElement(
                    action_id=FOLLOW_UP_BLOCK,
                    placeholder="No follow-up",
                    initial_date=note.follow_up_on.isoformat() if note.follow_up_on else None,
                ),
                optional=True,
            ),
            InputBlock(block_id=THEME_BLOCK, label="Theme", element=theme_select, optional=True),
        ]
    )
    return View(
        type="modal",
        callback_id=NOTE_EDIT_MODAL,
        title=PlainTextObject(text="Edit a coaching note"),
        submit=PlainTextObject(text="Save"),
        close=PlainTextObject(text="Cancel"),
        private_metadata=str(note.id),
        blocks=blocks,
    ).to_dict()


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
                meta.append(f"_{escape(cn.skill_name)}_" + (f" {_stars(cn.note.rating)}" if cn.note.rating else ""))
            if cn.note.edited_at is not None:
                meta.append("edited")
            blocks.append(section(" · ".join(meta) + "\n" + _quote(cn.note.text)))
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


# --- action items ----------------------------------------------------------------------------


def _due(item: ActionItemView) -> str:
    return f"due {item.due_on.isoformat()}" if item.due_on else "no due date"


def _item_buttons(item: ActionItemView) -> list[ButtonElement]:
    buttons = []
    if item.status not in (ACKNOWLEDGED, DONE):
        buttons.append(ButtonElement(text="Got it", action_id=TODO_ACK, value=str(item.id)))
    if item.status != DONE:
        buttons.append(ButtonElement(text="Done", action_id=TODO_DONE, value=str(item.id), style="primary"))
    return buttons


def _item_blocks(item: ActionItemView, head: str) -> list[Block]:
    blocks: list[Block] = [section(head)]
    blocks += [section(chunk) for chunk in escaped_chunks(item.text)]
    state = {DONE: ":white_check_mark: Done", ACKNOWLEDGED: ":ok_hand: You're on it"}.get(item.status)
    context = f"#{item.id} · {_due(item)}" + (f" · {state}" if state else "")
    blocks.append(ContextBlock(elements=[md(context)]))
    buttons = _item_buttons(item)
    if buttons:
        blocks.append(ActionsBlock(elements=buttons))
    return blocks


def action_item_message(item: ActionItemView) -> Message:
    """The rep's DM: the item and who assigned it, "Got it" and "Done". Never the note."""
    head = f":memo: <@{item.assigner_id}> asked you to do this ({_due(item)}):"
    text = f"Action item from <@{item.assigner_id}>: {_inline(item.text, 150)}"
    return Message(text=text, blocks=dicts(_item_blocks(item, head)))


def action_item_reminder_message(item: ActionItemView) -> Message:
    """The one reminder on the due date."""
    head = f":alarm_clock: *Due today*, from <@{item.assigner_id}>:"
    text = f"Due today, from <@{item.assigner_id}>: {_inline(item.text, 150)}"
    return Message(text=text, blocks=dicts(_item_blocks(item, head)))


def action_item_removed_message(item_id: int) -> Message:
    """What the rep's DM buttons answer once the manager deleted everything."""
    text = f"Action item #{item_id} was removed by whoever assigned it; there is nothing left to do."
    return Message(text=text, blocks=dicts([section(":wastebasket: " + text)]))


def action_item_created_text(item: ActionItemView) -> str:
    return (
        f":memo: Action item *#{item.id}* for <@{item.rep_id}> ({_due(item)}). They get it by DM with "
        "Got it and Done buttons; the note stays private. Track it with `/coach todos`."
    )


def action_item_done_message(item: ActionItemView) -> Message:
    """The manager's DM when the rep pressed Done."""
    head = f":white_check_mark: <@{item.rep_id}> finished action item *#{item.id}* ({_due(item)}):"
    blocks: list[Block] = [section(head), section(_quote(item.text, 1000))]
    text = f"<@{item.rep_id}> finished: {_inline(item.text, 150)}"
    return Message(text=text, blocks=dicts(blocks))


def todos_message(todos: Todos, *, can_assign: bool) -> Message:
    """``/coach todos``: mine to do, then the ones I assigned with their status. Someone who
    may not assign (a rep) is not offered ``/coach todo``."""
    blocks: list[Block] = []
    if todos.assigned_to_me:
        lines = []
        for item in todos.assigned_to_me:
            late = " *overdue*" if item.overdue(todos.now) else ""
            state = " (on it)" if item.status == ACKNOWLEDGED else ""
            lines.append(f"• #{item.id} from <@{item.assigner_id}>, {_due(item)}{late}{state}: {_inline(item.text)}")
        more = _more(todos.to_me_total, len(todos.assigned_to_me))
        blocks.append(section(f"*Assigned to you* ({todos.to_me_total} open){more}\n" + "\n".join(lines)))
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(text=f"Done #{item.id}", action_id=TODO_DONE, value=str(item.id))
                    for item in todos.assigned_to_me[:5]
                ]
            )
        )
    else:
        blocks.append(section("*Assigned to you*: nothing open."))
    if todos.assigned_by_me:
        lines = []
        for item in todos.assigned_by_me:
            status = "overdue" if item.overdue(todos.now) else item.status
            lines.append(f"• #{item.id} <@{item.rep_id}>, {_due(item)}, *{status}*: {_inline(item.text)}")
        more = _more(todos.by_me_total, len(todos.assigned_by_me))
        blocks.append(section(f"*You assigned* ({todos.by_me_total}){more}\n" + "\n".join(lines)))
    elif can_assign:
        blocks.append(section("*You assigned*: nothing yet. E.g. `/coach todo @bob send the Acme recap by fri`."))
    text = f"Your action items: {todos.to_me_total} open for you"
    if todos.assigned_by_me or can_assign:
        text += f", {todos.by_me_total} you assigned"
    return Message(text=text, blocks=dicts(_fit(blocks)))


def _inline(text: str, limit: int = 120) -> str:
    return truncate_escaped(escape(" ".join(text.split())), limit)


def _more(total: int, shown: int) -> str:
    return f", the {shown} most pressing shown" if total > shown else ""


def _fit(blocks: list[Block]) -> list[Block]:
    """A section holds 3,000 characters: cut long lists by whole lines."""
    fitted: list[Block] = []
    for b in blocks:
        if isinstance(b, SectionBlock) and b.text is not None and len(b.text.text) > 2900:
            kept = b.text.text[:2900].rsplit("\n", 1)[0] + "\n…"
            b = section(kept)
        fitted.append(b)
    return fitted


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
    return Message(text=f"Coaching digest: {summary}", blocks=dicts(_fit(blocks)))


# --- the note form and lists with the loop's fields ------------------------------------------


def with_loop_inputs(
    view: dict[str, Any], skills: Sequence[SkillView], *, skill_id: int | None = None
) -> dict[str, Any]:
    """The note modal (``bot.blocks.coaching.note_modal``) with Skill and Rating after the note,
    and the action item and its due date at the end."""
    blocks = list(view.get("blocks") or [])
    after = next((i + 1 for i, b in enumerate(blocks) if b.get("block_id") == NOTE_BLOCK), len(blocks))
    blocks[after:after] = skill_rating_inputs(skills, skill_id=skill_id)
    blocks += action_item_inputs()
    return {**view, "blocks": blocks}


def with_edit_buttons(blocks: list[dict[str, Any]], note_ids: Sequence[int]) -> list[dict[str, Any]]:
    """A notes list (``notes_page_blocks``) with an Edit button beside each note. Only the author
    ever gets such a list; the edit handler checks the presser is the author all the same."""
    prefixes = {f"*#{note_id}*": note_id for note_id in note_ids}
    out = []
    for block in blocks:
        text = str((block.get("text") or {}).get("text") or "") if block.get("type") == "section" else ""
        note_id = next((n for p, n in prefixes.items() if text.startswith(p + " ")), None)
        if note_id is not None and "accessory" not in block:
            block = {**block, "accessory": edit_note_button(note_id).to_dict()}
        out.append(block)
    return out


def rated_text(skill: SkillView | None, rating: int | None) -> str:
    """`` Skill: *Discovery*, 3/5.`` after "Saved note", or nothing for a note without a skill."""
    if skill is None:
        return ""
    return f" Skill: *{escape(skill.label)}*" + (f", {_stars(rating)}." if rating else ".")


def with_edit_button(blocks: list[dict[str, Any]], note_id: int, *, suffix: str = "") -> list[dict[str, Any]]:
    """The saved-note reply (``note_saved_blocks``) with Edit beside Undo, and ``suffix`` (the
    skill and rating) after its first line."""
    out: list[dict[str, Any]] = []
    for i, block in enumerate(blocks):
        if i == 0 and suffix and block.get("type") == "section":
            block = {**block, "text": {**block["text"], "text": block["text"]["text"] + suffix}}
        if block.get("type") == "actions":
            block = {**block, "elements": [*block.get("elements", []), edit_note_button(note_id).to_dict()]}
        out.append(block)
    return out


# --- delete all ------------------------------------------------------------------------------


def items_to_delete_text(items: int) -> str:
    if not items:
        return ""
    return (
        f" It also deletes the {count_of(items, 'action item')} you assigned; the reps' DMs stay, "
        "and their buttons then answer that the item was removed."
    )


def with_items_to_delete(blocks: list[dict[str, Any]], items: int) -> list[dict[str, Any]]:
    """The "delete all" confirmation (``delete_all_confirm_blocks``), saying the items go too."""
    note = dicts([ContextBlock(elements=[md(items_to_delete_text(items).strip())])])
    return [*blocks[:1], *note, *blocks[1:]]


def items_deleted_text(items: int) -> str:
    return f":wastebasket: Deleted {count_of(items, 'action item')} you assigned; the reps' DMs now say it was removed."


def items_only_confirm_blocks(items: int) -> list[dict[str, Any]]:
    """``/coach delete all`` for a manager with action items but no notes (cut-off 0)."""
    return dicts(
        [
            section(f":warning: You have no notes; this deletes the {count_of(items, 'action item')} you assigned."),
            ContextBlock(elements=[md(items_to_delete_text(items).strip())]),
            ActionsBlock(
                elements=[
                    ButtonElement(text="Delete them", action_id=DELETE_ALL_CONFIRM, value="0", style="danger"),
                    ButtonElement(text="Cancel", action_id=DELETE_ALL_CANCEL, value="cancel"),
                ]
            ),
        ]
    )


# --- the overview ----------------------------------------------------------------------------


def with_item_counts(blocks: list[dict[str, Any]], counts: Mapping[str, ItemCounts]) -> list[dict[str, Any]]:
    """``/coach overview`` (``overview_blocks``) with the action items the manager assigned: how
    many are open, and who has overdue ones. Placed before the closing context line."""
    if not counts:
        return blocks
    open_total = sum(c.open for c in counts.values())
    late = [(rep, c.overdue) for rep, c in counts.items() if c.overdue]
    text = f"*Action items you assigned*: {open_total} open"
    if late:
        text += f", *{sum(n for _, n in late)} overdue*: " + ", ".join(f"<@{rep}> ({n})" for rep, n in late)
    text += " (see `/coach todos`)"
    at = len(blocks) - 1 if blocks and blocks[-1].get("type") == "context" else len(blocks)
    return [*blocks[:at], *dicts([section(text)]), *blocks[at:]]
