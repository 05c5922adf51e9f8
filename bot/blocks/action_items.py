"""Block Kit for action items: the rep's DM with Got it / Done, ``/coach todos``, the
manager's "done" notice, and what delete all and the overview say about items.

User text is escaped every time it is shown. The rep's DM never carries the note.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DatePickerElement,
    InputBlock,
    PlainTextInputElement,
)

from bot.blocks import Message, dicts, md, section
from bot.blocks.notes import (
    DELETE_ALL_CANCEL,
    DELETE_ALL_CONFIRM,
    count_of,
    escaped_chunks,
    fit_sections,
    quote_line,
)
from bot.services.action_items import ACKNOWLEDGED, DONE, TEXT_LIMIT, ActionItemLists, ActionItemView, ItemCounts
from bot.services.text import escape, truncate_escaped

TODO_ACK = "coach_todo_ack"  # value: action item id
TODO_DONE = "coach_todo_done"  # value: action item id


ACTION_ITEM_BLOCK, ACTION_DUE_BLOCK = "action_item", "action_due"


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
    blocks: list[Block] = [section(head), section(quote_line(item.text, 1000))]
    text = f"<@{item.rep_id}> finished: {_inline(item.text, 150)}"
    return Message(text=text, blocks=dicts(blocks))


def action_items_message(lists: ActionItemLists, *, can_assign: bool) -> Message:
    """``/coach todos``: mine to do, then the ones I assigned with their status. Someone who
    may not assign (a rep) is not offered ``/coach todo``."""
    blocks: list[Block] = []
    if lists.assigned_to_me:
        lines = []
        for item in lists.assigned_to_me:
            late = " *overdue*" if item.overdue(lists.now) else ""
            state = " (on it)" if item.status == ACKNOWLEDGED else ""
            lines.append(f"• #{item.id} from <@{item.assigner_id}>, {_due(item)}{late}{state}: {_inline(item.text)}")
        more = _more(lists.to_me_total, len(lists.assigned_to_me))
        blocks.append(section(f"*Assigned to you* ({lists.to_me_total} open){more}\n" + "\n".join(lines)))
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(text=f"Done #{item.id}", action_id=TODO_DONE, value=str(item.id))
                    for item in lists.assigned_to_me[:5]
                ]
            )
        )
    else:
        blocks.append(section("*Assigned to you*: nothing open."))
    if lists.assigned_by_me:
        lines = []
        for item in lists.assigned_by_me:
            status = "overdue" if item.overdue(lists.now) else item.status
            lines.append(f"• #{item.id} <@{item.rep_id}>, {_due(item)}, *{status}*: {_inline(item.text)}")
        more = _more(lists.by_me_total, len(lists.assigned_by_me))
        blocks.append(section(f"*You assigned* ({lists.by_me_total}){more}\n" + "\n".join(lines)))
    elif can_assign:
        blocks.append(section("*You assigned*: nothing yet. E.g. `/coach todo @bob send the Acme recap by fri`."))
    text = f"Your action items: {lists.to_me_total} open for you"
    if lists.assigned_by_me or can_assign:
        text += f", {lists.by_me_total} you assigned"
    return Message(text=text, blocks=dicts(fit_sections(blocks)))


def _inline(text: str, limit: int = 120) -> str:
    return truncate_escaped(escape(" ".join(text.split())), limit)


def _more(total: int, shown: int) -> str:
    return f", the {shown} most pressing shown" if total > shown else ""


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
