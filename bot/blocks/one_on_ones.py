"""Block Kit for 1:1s: the manager's prep brief, the agenda (both sides), the nudge afterwards.

Pure: values in, ``Message`` or view dicts out. Topic, note and action-item text is user
text: escaped every time it is shown, so ``<!channel>`` or ``<@U…>`` in a topic stays text.
The agenda builder only ever gets an ``Agenda`` (topics and action items): what the rep is
sent cannot hold a note or a rating, whichever side asks for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    InputBlock,
    PlainTextInputElement,
    PlainTextObject,
)
from slack_sdk.models.views import View

from bot.blocks import Message, dicts, md, section
from bot.blocks.notes import count_of, day
from bot.blocks.rep_card import log_note_for_rep_button, since_last_note, trend_line
from bot.services.action_items import ActionItemView
from bot.services.occurrences import describe_instant
from bot.services.one_on_ones import CadenceView, describe
from bot.services.prep_brief import PrepBrief
from bot.services.text import escape, truncate, truncate_escaped
from bot.services.topics import TEXT_LIMIT, Agenda, CheckOff, TopicView

# Action and view ids: the contract between these builders and the listeners.
# value: "agenda:<topic id>" or "brief:<topic id>" (which message to draw again); the service
# re-checks that the presser is on the 1:1. The action id ends in the topic id (unique per message).
TOPIC_CHECK = "coach_topic_check"
TOPIC_ADD = "coach_topic_add"  # value: the other side's user id; opens TOPIC_MODAL
TOPIC_MODAL = "coach_topic_modal"  # private_metadata: the other side's user id
TOPIC_BLOCK = "topic"
_SHOWN_CHECKS = 10
Drawn = Literal["agenda", "brief"]  # check-off buttons per agenda (an actions block holds 25)
_NOTE_PREVIEW = 400


def _inline(text: str, limit: int = 160) -> str:
    return truncate_escaped(escape(" ".join(text.split())), limit)


def _quote(text: str, limit: int = _NOTE_PREVIEW) -> str:
    shown = truncate_escaped(escape(text), limit)
    return "\n".join("> " + line for line in shown.splitlines() or [""])


def _when(meets_at: datetime | None, tz: str | None) -> str:
    return f" · {describe_instant(meets_at, tz)}" if meets_at is not None and tz else ""


def _due(item: ActionItemView, now: datetime) -> str:
    if item.due_on is None:
        return "no due date"
    return f"*overdue* (due {item.due_on.isoformat()})" if item.overdue(now) else f"due {item.due_on.isoformat()}"


def topic_lines(topics: Sequence[TopicView], total: int, *, viewer_id: str) -> str:
    if not topics:
        return "*Talking points*: none yet."
    lines = []
    for t in topics:
        who = "you" if t.added_by == viewer_id else f"<@{t.added_by}>"
        lines.append(f"• #{t.id} {_inline(t.text, 120)} _(added by {who})_")
    more = f", the {len(topics)} oldest shown" if total > len(topics) else ""
    return f"*Talking points* ({total}{more})\n" + "\n".join(lines)


def item_lines(items: Sequence[ActionItemView], total: int, now: datetime) -> str:
    if not items:
        return "*Action items*: nothing open."
    lines = [f"• #{i.id} {_inline(i.text, 120)} — {_due(i, now)}" for i in items]
    more = f", the {len(items)} most pressing shown" if total > len(items) else ""
    return f"*Open action items* ({total}{more})\n" + "\n".join(lines)


def check_buttons(topics: Sequence[TopicView], *, on: Drawn) -> list[ButtonElement]:
    return [
        ButtonElement(text=f"✓ #{t.id}", action_id=f"{TOPIC_CHECK}_{t.id}", value=f"{on}:{t.id}")
        for t in topics[:_SHOWN_CHECKS]
    ]


def parse_check_value(value: str) -> tuple[Drawn, int]:
    """The message a ✓ sits on and its topic id; ("agenda", 0) for anything malformed (0 names nothing)."""
    on, _, raw = value.partition(":")
    topic_id = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 10 else 0
    return ("brief" if on == "brief" else "agenda"), topic_id


def add_topic_button(other_id: str) -> ButtonElement:
    return ButtonElement(text="Add topic", action_id=TOPIC_ADD, value=other_id)


def brief_message(brief: PrepBrief, *, tz: str | None, meets_at: datetime | None = None) -> Message:
    """The manager's prep brief (a DM before the 1:1, or on demand). Only the manager gets it."""
    who = f"<@{brief.rep_id}>"
    head = f":clipboard: *Prep for your 1:1 with {who}*{_when(meets_at, tz)}"
    blocks: list[Block] = [section(head)]
    blocks.append(section(f"{who} {since_last_note(brief.days_since_last_note)}."))
    if brief.trends:
        weakest = brief.weakest.skill_id if brief.weakest is not None else None
        lines = [trend_line(t, weakest=t.skill_id == weakest) for t in brief.trends]
        blocks.append(section("*Skills* (last 8 ratings, oldest first)\n" + "\n".join(lines)))
    if brief.weakest is not None:
        ask = f"*Coach {escape(brief.weakest.label)}* ({brief.weakest.average:.1f})"
        # Curated prompts may use mrkdwn and are validated free of <, > and &.
        blocks.append(section(ask + (f": {brief.prompt.text}" if brief.prompt is not None else ".")))
    blocks.append(section(item_lines(brief.items, brief.open_items, brief.now)))
    blocks.append(section(topic_lines(brief.topics, brief.agenda.open_topics, viewer_id=brief.manager_id)))
    if brief.last_notes:
        blocks.append(section(f"*Your last {count_of(len(brief.last_notes), 'note')}*"))
        for n in brief.last_notes:
            meta = [f"#{n.id}", day(n.created_at, tz)]
            if n.skill_name:
                meta.append(f"_{escape(n.skill_name)}_" + (f" {n.rating}/5" if n.rating else ""))
            if n.edited:
                meta.append("edited")
            blocks.append(section(" · ".join(meta) + "\n" + _quote(n.text)))
    else:
        blocks.append(section("No notes on them yet: the 1:1 is a good moment for the first."))
    skill_id = brief.weakest.skill_id if brief.weakest is not None and brief.weakest.active else None
    elements = [log_note_for_rep_button(brief.rep_id, skill_id), add_topic_button(brief.rep_id)]
    elements += check_buttons(brief.topics, on="brief")[: 25 - len(elements)]
    blocks.append(ActionsBlock(elements=elements))
    private = "Only you get this brief: your own notes and items, never anyone else's."
    blocks.append(ContextBlock(elements=[md(private)]))
    text = f"Prep for your 1:1 with {who}: {brief.open_items} open action items, {brief.agenda.open_topics} topics"
    return Message(text=text, blocks=dicts(blocks))


def agenda_message(
    agenda: Agenda, *, viewer_id: str, tz: str | None = None, meets_at: datetime | None = None
) -> Message:
    """The agenda, for either side: talking points and open action items, check-off buttons."""
    other = agenda.rep_id if viewer_id == agenda.manager_id else agenda.manager_id
    head = f":date: *Agenda for your 1:1 with <@{other}>*{_when(meets_at, tz)}"
    blocks: list[Block] = [section(head)]
    blocks.append(section(topic_lines(agenda.topics, agenda.open_topics, viewer_id=viewer_id)))
    blocks.append(section(item_lines(agenda.items, agenda.open_items, agenda.now)))
    elements = [add_topic_button(other), *check_buttons(agenda.topics, on="agenda")]
    blocks.append(ActionsBlock(elements=elements))
    blocks.append(
        ContextBlock(
            elements=[md(f"Both of you see this agenda. Add a point with `/coach topic @{other} what to discuss`.")]
        )
    )
    text = f"Agenda for your 1:1 with <@{other}>: {count_of(agenda.open_topics, 'topic')}"
    return Message(text=text, blocks=dicts(blocks))


def nudge_message(*, rep_id: str, skill_id: int | None) -> Message:
    """After the 1:1: one reminder to write it down, with the note form pre-filled with the rep."""
    head = f":pencil: How did your 1:1 with <@{rep_id}> go? A note now keeps the next brief useful."
    blocks: list[Block] = [
        section(head),
        ActionsBlock(elements=[log_note_for_rep_button(rep_id, skill_id)]),
        ContextBlock(elements=[md("Only you can read your notes.")]),
    ]
    return Message(text=f"Log a note on your 1:1 with <@{rep_id}>", blocks=dicts(blocks))


def topic_modal(other_id: str, other_name: str | None = None) -> dict[str, Any]:
    """The "Add topic" form; ``private_metadata`` names the other side (re-checked on submit)."""
    label = f"Topic for your 1:1 with {truncate(other_name, 60)}" if other_name else "Topic for your next 1:1"
    return View(
        type="modal",
        callback_id=TOPIC_MODAL,
        title=PlainTextObject(text="Add a topic"),
        submit=PlainTextObject(text="Add"),
        close=PlainTextObject(text="Cancel"),
        private_metadata=other_id,
        blocks=[
            InputBlock(
                block_id=TOPIC_BLOCK,
                label=PlainTextObject(text=label),
                element=PlainTextInputElement(
                    action_id=TOPIC_BLOCK, max_length=TEXT_LIMIT, placeholder="What would you like to talk about?"
                ),
            )
        ],
    ).to_dict()


def topic_added_text(topic: TopicView, *, user_id: str) -> str:
    """The reply after adding: the topic echoed escaped and short (markup in it stays text)."""
    return (
        f":speech_balloon: Added topic *#{topic.id}* for your next 1:1 with <@{topic.other_side(user_id)}>: "
        f"“{_inline(topic.text, 120)}”. Both of you see it on the agenda until one of you checks it off."
    )


def topic_checked_text(result: CheckOff) -> str:
    t = result.topic
    if not result.newly_checked:
        return f"Topic #{t.id} was checked off already; nothing changed."
    return f":white_check_mark: Checked off topic #{t.id}: “{_inline(t.text, 120)}”."


_EVENTS = {
    "saved": ":handshake: Set:",
    "paused": ":double_vertical_bar: Paused:",
    "resumed": ":arrow_forward: Resumed:",
    "not_paused": "It was not paused; nothing changed:",
    "shown": ":handshake:",
}


def cadence_message_text(
    cadence: CadenceView, *, next_at: datetime | None, calendar_note: str, pause_note: str | None, event: str
) -> str:
    """A cadence in a reply: who, when, the next 1:1 (holidays and pause skipped), what comes."""
    nxt = describe_instant(next_at, cadence.tz) if next_at is not None else "none within a year"
    lines = [
        f"{_EVENTS.get(event, ':handshake:')} 1:1 with <@{cadence.rep_id}> {describe(cadence)}. Next: {nxt}.",
        "You get a prep brief 2 hours before, both of you get the agenda 30 minutes before, and you get "
        "one nudge to log a note an hour after it starts.",
    ]
    lines += [note for note in (calendar_note, pause_note) if note]
    lines.append(
        f"Change it with `/coach 1on1 <@{cadence.rep_id}> biweekly thu 15:00`, pause with "
        f"`/coach 1on1 <@{cadence.rep_id}> pause 2w`, stop with `/coach 1on1 <@{cadence.rep_id}> off`."
    )
    return "\n".join(lines)


def cadences_text(cadences: Sequence[CadenceView], *, now: datetime) -> str:
    """``/coach 1on1`` alone: the manager's cadences."""
    if not cadences:
        return "You have no 1:1 cadences yet. Set one with e.g. `/coach 1on1 @bob weekly tue 10:00 Europe/Berlin`."
    lines = [f"• <@{c.rep_id}> {describe(c)}" for c in cadences]
    return "*Your 1:1s*\n" + "\n".join(lines) + "\nThe brief for one now: `/coach 1on1 @bob brief`."


def no_cadence_text(rep_id: str, *, example: str) -> str:
    return f"You have no 1:1 cadence with <@{rep_id}>. Set one with `{example}`."


def cadence_stopped_text(rep_id: str, *, was_on: bool, example: str) -> str:
    if was_on:
        return f"1:1s with <@{rep_id}> stopped: no more briefs, agendas or nudges. Open topics stay."
    return f"You had no 1:1 cadence with <@{rep_id}>; nothing changed. Set one with `{example}`."
