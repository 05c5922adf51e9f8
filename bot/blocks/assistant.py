"""Block Kit and text for the assistant in Slack's AI pane.

Pure: an answer from ``bot.services.assistant`` in, a ``Message`` out. Answers are mrkdwn (the
AI pane renders it); user text (action items, notes, names) is escaped every time. A
manager's prep answer is the prep brief (``brief_message``), the same builder as the brief
DMed before a 1:1.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import ContextActionsBlock, ContextBlock, FeedbackButtonObject, FeedbackButtonsElement

from bot.blocks import Message, dicts, md, section
from bot.blocks.notes import count_of, day
from bot.blocks.one_on_ones import brief_message, topic_added_text, topic_lines
from bot.services.action_items import ActionItemView
from bot.services.assistant import (
    DataAnswer,
    Help,
    PickRep,
    Plate,
    Prep,
    Promises,
    Role,
    Stale,
    TopicAdded,
    TopicNeeded,
    Weakest,
    prompts_for,
)
from bot.services.assistant_intents import Intent
from bot.services.text import escape, truncate

# The thumbs up/down under each answer. Value: "<question id>:up" or "<question id>:down".
FEEDBACK = "assistant_feedback"
STATUS = "is looking through your notes…"
FALLBACK = "The model didn't answer; here is what your data says."
BROKE_OFF = "The model stopped answering; here is what your data says."
GREETING = {
    Role.MANAGER: (
        "Hi! I answer from your own coaching notes and action items; only you see this thread. "
        "Pick a question or ask your own."
    ),
    Role.MEMBER: "Hi! I can tell you what's on your plate and add a topic for your next 1:1. Pick one below.",
}
TITLES = {
    Intent.PREP: "1:1 prep",
    Intent.PROMISES: "What I promised",
    Intent.STALE: "Who to coach next",
    Intent.WEAKEST: "Weakest skills",
    Intent.PLATE: "My plate",
    Intent.ADD_TOPIC: "1:1 topic",
    Intent.HELP: "What I can answer",
    Intent.FREE_TEXT: "Question",
}
ITEM_CHARS = 200


def feedback_block(question_id: int) -> dict[str, Any]:
    buttons = FeedbackButtonsElement(
        action_id=FEEDBACK,
        positive_button=FeedbackButtonObject(text="Good answer", value=f"{question_id}:up"),
        negative_button=FeedbackButtonObject(text="Bad answer", value=f"{question_id}:down"),
    )
    return ContextActionsBlock(elements=[buttons]).to_dict()


def model_footer(model: str) -> dict[str, Any]:
    """Under a model's answer: who wrote it, and from what."""
    said = (
        f"Written by the language model ({escape(truncate(model, 60))}) from your own data only; check before acting."
    )
    return ContextBlock(elements=[md(said)]).to_dict()


def with_feedback(message: Message, question_id: int) -> Message:
    return Message(text=message.text, blocks=[*message.blocks, feedback_block(question_id)])


def answer_message(answer: DataAnswer, *, tz: str | None, user_id: str) -> Message:
    if isinstance(answer, Prep):
        return brief_message(answer.brief, tz=tz, meets_at=answer.meets_at)
    if isinstance(answer, TopicAdded):
        return error_message(topic_added_text(answer.topic, user_id=user_id))
    text = _text(answer, tz)
    return Message(text=truncate(text, 3000), blocks=dicts([section(truncate(text, 3000))]))


def _text(answer: DataAnswer, tz: str | None) -> str:
    if isinstance(answer, Promises):
        return _promises(answer, tz)
    if isinstance(answer, Stale):
        return _stale(answer)
    if isinstance(answer, Weakest):
        return _weakest(answer)
    if isinstance(answer, Plate):
        return _plate(answer, tz)
    if isinstance(answer, PickRep):
        return _pick_rep(answer)
    if isinstance(answer, TopicNeeded):
        return _topic_needed(answer)
    assert isinstance(answer, Help)
    return help_text(answer)


def help_text(answer: Help) -> str:
    prompts = "\n".join(f"• *{p.message}*" for p in prompts_for(answer.role))
    if answer.asked_for_managers:
        return (
            "That question is answered from a manager's own coaching notes, and you keep none here. "
            f"You can ask:\n{prompts}"
        )
    return f"I can answer these from your data:\n{prompts}"


def _promises(answer: Promises, tz: str | None) -> str:
    whom = f" to <@{answer.rep_id}>" if answer.rep_id else ""
    if not answer.items and not answer.follow_ups:
        return f"Nothing open{whom}: every action item you assigned is done, and no follow-up is waiting."
    lines = [f"*Action items you assigned{whom}, not done* ({answer.items_total})"]
    for item in answer.items:
        lines.append(_item_line(item, answer, who=f"<@{item.rep_id}>"))
    if answer.items_total > len(answer.items):
        lines.append(f"…and {answer.items_total - len(answer.items)} more in `/coach todos`.")
    if answer.follow_ups:
        lines.append("*Your open follow-ups*")
        for note in answer.follow_ups:
            when = f"{note.follow_up_on:%a %d %b}" if note.follow_up_on else ""
            lines.append(f"• <@{note.rep_id}> · {when} · note #{note.id} ({day(note.created_at, tz)})")
    return "\n".join(lines)


def _item_line(item: ActionItemView, answer: Promises | Plate, *, who: str) -> str:
    due = f" · due {item.due_on:%a %d %b}" if item.due_on else ""
    late = " · *overdue*" if item.overdue(answer.now) else ""
    return f"• {who}: {escape(truncate(item.text, ITEM_CHARS))}{due}{late}"


def _stale(answer: Stale) -> str:
    if not answer.total_reps:
        return "You have no notes yet, so no one is overdue. Log one with `/coach @rep what you observed`."
    if not answer.reps:
        return f"You've coached all {count_of(answer.total_reps, 'rep')} in the last 14 days. Nicely done."
    lines = [f"*Not coached in 14+ days* ({len(answer.reps)} of {answer.total_reps}), longest first"]
    for r in answer.reps:
        lines.append(f"• <@{r.rep_id}> · last note {r.last_note_at:%a %d %b} · {r.open_follow_ups} open follow-ups")
    return "\n".join(lines)


def _weakest(answer: Weakest) -> str:
    if not answer.reps:
        on = f" on *{escape(answer.skill.label)}*" if answer.skill else ""
        return f"You haven't rated anyone{on} yet. Rate a skill in a note: `/coach @rep discovery 3 what you saw`."
    head = f"*Weakest at {escape(answer.skill.label)}*" if answer.skill else "*Each rep's weakest skill*"
    lines = [head + " (your last 8 ratings, average)"]
    for r in answer.reps:
        skill = "" if answer.skill else f" · {escape(r.skill_label)}"
        lines.append(f"• <@{r.rep_id}>{skill} · {r.average:.1f} from {count_of(len(r.ratings), 'rating')}")
    return "\n".join(lines)


def _plate(answer: Plate, tz: str | None) -> str:
    agenda = answer.agenda
    topics = (
        f"\n*Next 1:1 with <@{agenda.manager_id}>*\n"
        + topic_lines(agenda.topics, agenda.open_topics, viewer_id=agenda.rep_id)
        if agenda is not None
        else ""
    )
    if not answer.items:
        return "Nothing on your plate: no open action items. :tada:" + topics
    lines = [f"*Your open action items* ({answer.total})"]
    for item in answer.items:
        lines.append(_item_line(item, answer, who=f"from <@{item.assigner_id}>"))
    if answer.total > len(answer.items):
        lines.append(f"…and {answer.total - len(answer.items)} more in `/coach todos`.")
    return "\n".join(lines) + topics


def _topic_needed(answer: TopicNeeded) -> str:
    with_whom = f"<@{answer.other_id}>" if answer.other_id else "<@U012ABCDEF>"
    if answer.other_id is None:
        return (
            "Whose 1:1 is it for, and what's the topic? Type @ to name them, then the topic, e.g. "
            f"*Add a topic for my 1:1 with {with_whom}: the Q1 pipeline*"
        )
    return f"What's the topic? E.g. *Add a topic for my 1:1 with {with_whom}: the Q1 pipeline*"


def _pick_rep(answer: PickRep) -> str:
    unmatched = f"None of your reps is called “{escape(truncate(answer.unmatched, 80))}”. " if answer.unmatched else ""
    if not answer.reps:
        return unmatched + "Name the rep, e.g. *Prep my 1:1 with <@U012ABCDEF>* (type @ and pick them)."
    names = ", ".join(f"<@{r.rep_id}>" for r in answer.reps[:8])
    return (
        f"{unmatched}Which rep? Type @ and pick one, e.g. *Prep my 1:1 with <@{answer.reps[0].rep_id}>*. Yours: {names}"
    )


def error_message(text: str) -> Message:
    return Message(text=text, blocks=dicts([section(text)]))
