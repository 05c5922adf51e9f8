"""Block Kit for daily posts: the channel post, the /quote daily replies, the paused DM.

Pure functions: values in, (text, blocks) out. User text is escaped by the quote builders;
the only mentions produced are of Slack ids we validated (``<@U…>``, ``<#C…>``), never
``<!channel>``/``<!here>``.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import date

from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject

from bot.blocks import Message, dicts, section
from bot.blocks.calendars import lead_line, note_lines
from bot.blocks.quotes import quote_blocks, quote_text
from bot.services.quotes import QuoteView
from bot.services.schedules import ScheduleSpec, command_args, format_days, format_time

_USER_ID = re.compile(r"^[UW][A-Z0-9]+$")
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]+$")

POST_HEADING = "Leadership quote of the day"


def _channel(channel_id: str) -> str:
    return f"<#{channel_id}>" if _CHANNEL_ID.match(channel_id) else "this channel"


# -- the post ----------------------------------------------------------------------------


# Under every daily post: the two ways anyone in the channel can take part.
POST_INVITE = "React to vote for the team's favourites (`/quote top`) · `/quote add` to share one"


def quote_post_message(q: QuoteView) -> Message:
    """The daily post: quote and byline by confidence level, topic tags, "Submitted by" for
    team quotes, and a line inviting the channel to vote and to share a quote."""
    if q.submitted_by is not None and not _USER_ID.match(q.submitted_by):
        q = dataclasses.replace(q, submitted_by=None)
    text = quote_text(q)
    if q.submitted_by:
        text += f" (submitted by <@{q.submitted_by}>)"
    blocks = quote_blocks(q, heading=POST_HEADING)
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=POST_INVITE)]).to_dict())
    return Message(text=text, blocks=blocks)


def own_post_shortcut_message() -> Message:
    """ "Save as leadership quote" on one of coachbot's own posts: its quote is already in rotation."""
    text = (
        "That's one of my own posts: its quote is already in rotation, so there is nothing to save. "
        'To suggest a new one: `/quote add "text" — Author`.'
    )
    return Message(text=text, blocks=dicts([section(text)]))


# -- /quote daily replies ------------------------------------------------------------------


def schedule_set_message(
    *,
    channel_id: str,
    spec: ScheduleSpec,
    next_post: str,
    zone_from_profile: bool,
    joined: bool,
    calendar_note: str = "",
    pause_note: str | None = None,
) -> Message:
    assert spec.tz is not None
    lines = [
        f":calendar: Daily quotes are on for {_channel(channel_id)}: *{format_time(spec)}* {spec.tz}, "
        f"{format_days(spec.days)}.",
        f"Next post: *{next_post}*.",
        *note_lines(event="shown", calendar_note=calendar_note, pause_note=pause_note, command="/quote daily"),
    ]
    if zone_from_profile:
        lines.append(
            f"_{spec.tz} is your Slack time zone. For another, name it: "
            f"`/quote daily {format_time(spec)} America/New_York`._"
        )
    if joined:
        lines.append("I joined this channel so I can post here.")
    lines.append("Change it by running `/quote daily` again; stop it with `/quote daily off`.")
    text = "\n".join(lines)
    return Message(text=text, blocks=dicts([section(text)]))


def schedule_status_message(
    *,
    channel_id: str,
    spec: ScheduleSpec,
    active: bool,
    paused_reason: str | None,
    next_post: str | None,
    event: str = "shown",
    paused_until: date | None = None,
    calendar_note: str = "",
    pause_note: str | None = None,
) -> Message:
    setting = f"*{format_time(spec)}* {spec.tz}, {format_days(spec.days)}"
    if active:
        lead = lead_line(event, paused_until=paused_until, command="/quote daily")
        notes = note_lines(event=event, calendar_note=calendar_note, pause_note=pause_note, command="/quote daily")
        text = "\n".join(
            [
                *([lead] if lead else []),
                f"Daily quotes in {_channel(channel_id)}: {setting}.",
                f"Next post: *{next_post}*.",
                *notes,
                "Stop them with `/quote daily off`.",
            ]
        )
    elif paused_reason:
        text = (
            f":double_vertical_bar: Daily quotes in {_channel(channel_id)} ({setting}) are *paused*: "
            f"{paused_reason}.\nFix that, then turn them back on with `/quote daily {command_args(spec)}`."
        )
    else:
        text = (
            f"Daily quotes are off in {_channel(channel_id)} (last setting: {setting}).\n"
            f"Turn them back on with `/quote daily {command_args(spec)}`."
        )
    return Message(text=text, blocks=dicts([section(text)]))


def no_schedule_message(*, channel_id: str, example: str) -> Message:
    text = f"There are no daily quotes in {_channel(channel_id)} yet. Set them up with {example}"
    return Message(text=text, blocks=dicts([section(text)]))


def schedule_off_message(*, channel_id: str, was_on: bool) -> Message:
    if was_on:
        text = (
            f"Daily quotes are off for {_channel(channel_id)}. Turn them back on any time with "
            "`/quote daily 09:00 Europe/Berlin weekdays`."
        )
    else:
        text = f"There were no daily quotes in {_channel(channel_id)} to stop. Nothing changed."
    return Message(text=text, blocks=dicts([section(text)]))


def invite_needed_message(*, channel_id: str, args: str) -> Message:
    text = (
        f":lock: I can't post in {_channel(channel_id)}: it's a private channel and I'm not in it. "
        f"Type `/invite @coachbot` here, then run `/quote daily {args}` again. Nothing was saved."
    )
    return Message(text=text, blocks=dicts([section(text)]))


def cannot_post_message(*, channel_id: str, reason: str, example: str) -> Message:
    text = f"I can't post daily quotes in {_channel(channel_id)}: {reason}. Nothing was saved. {example}"
    return Message(text=text, blocks=dicts([section(text)]))


def not_a_channel_message(*, example: str) -> Message:
    text = (
        "Daily quotes go to a channel, not a direct message. Run the command in the channel that "
        f"should get them, for example {example} (in a private channel, `/invite @coachbot` first)."
    )
    return Message(text=text, blocks=dicts([section(text)]))


# -- delivery problems -------------------------------------------------------------------


def delivery_paused_message(*, what: str, command: str, channel_id: str, error: str, spec: ScheduleSpec) -> Message:
    """The DM to whoever set a schedule that could not be delivered and is now paused.

    ``what`` and ``command`` are the kind's wording (``today's quote``, ``/quote daily``)."""
    where = _channel(channel_id)
    resume = f"`{command} {command_args(spec)}`"
    if error == "is_archived":
        problem = f"{where} is archived"
        fix = f"Pick another channel and run {resume} there."
    elif error == "not_in_channel":
        problem = f"I'm not a member of {where}"
        fix = f"Type `/invite @coachbot` in {where}, then run {resume} there to turn the posts back on."
    else:
        problem = f"I can't find {where}: it was deleted, or it's private and I'm not in it"
        fix = (
            f"If it's private, type `/invite @coachbot` in it and run {resume} there; "
            f"otherwise pick another channel and run {resume} in it."
        )
    text = f":warning: I couldn't post {what}: {problem}. I've paused that schedule. {fix}"
    blocks = dicts([section(text)])
    blocks.append(
        ContextBlock(elements=[MarkdownTextObject(text=f"Slack said `{error}`. Nothing else was changed.")]).to_dict()
    )
    return Message(text=text, blocks=blocks)
