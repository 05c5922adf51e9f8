"""The calendar lines every schedule reply shares: holidays skipped, a pause, a pause or resume
just made. Pure: plain values in, mrkdwn lines out. The notes come from
``bot.services.calendars`` (canonical codes, escaped holiday names, no user text).
"""

from __future__ import annotations

from datetime import date


def day_text(day: date) -> str:
    """``Mon 4 Jan 2027``: a schedule's local date as the replies and notices write it."""
    return f"{day:%a} {day.day} {day:%b %Y}"


def lead_line(event: str, *, paused_until: date | None, command: str) -> str | None:
    """The first line of a reply to ``pause`` or ``resume``: what changed and when it posts again."""
    if event == "paused" and paused_until is not None:
        return (
            f":double_vertical_bar: Paused until *{day_text(paused_until)}*: nothing posts before then, and it "
            f"posts again that day by itself. `{command} resume` posts again sooner."
        )
    if event == "resumed":
        return ":arrow_forward: Resumed: it posts again from the next time on."
    if event == "not_paused":
        return "It wasn't paused, so nothing changed."
    return None


def note_lines(*, event: str, calendar_note: str, pause_note: str | None, command: str) -> list[str]:
    """Under a schedule's setting: the pause (unless the lead line just said it), then the calendar."""
    lines = []
    if pause_note and event != "paused":
        lines.append(f":double_vertical_bar: {pause_note} `{command} resume` posts again sooner.")
    if calendar_note:
        lines.append(f":palm_tree: {calendar_note}")
    return lines
