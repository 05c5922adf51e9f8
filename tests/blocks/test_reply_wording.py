"""Every counted reply, at zero, one and many (issue 20): "1 note", "2 notes", and at zero
words ("none yet", "nothing"), never "0 notes" or "1 notes".

One table: the builder, its count, and what the reader must see. Every text the table builds
(notification text and blocks) also goes through the generic checks below, so a new row
gets them for free. The digest, the coaching prompt and the rep card have their own file.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.blocks import Message, daily
from bot.blocks import home as hb
from bot.blocks import note_lists as note_lists_ui
from bot.blocks import submissions as sb
from bot.services.favourites import Favourite, SearchResult
from bot.services.note_history import NotePage, Overview, RepOverview
from bot.services.schedules import ScheduleSpec
from bot.services.submissions import Listing
from tests.factories import quote_view

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
QUOTE = quote_view(
    id=1, text="Praise in public, coach in private.", author="Jordan Lee", tags=("coaching",), confidence="sourced"
)


def page(total: int) -> NotePage:
    return NotePage(notes=(), page=1, pages=max(1, total), total=total)


def rep(i: int, *, follow_ups: int = 0, stale: bool = False) -> RepOverview:
    return RepOverview(f"U{i}", None, NOW - timedelta(days=20), 0, 1, follow_ups, stale)


def overview(n: int, **kw: Any) -> Overview:
    return Overview(reps=tuple(rep(i, **kw) for i in range(n)), now=NOW)


def search(total: int) -> SearchResult:
    return SearchResult(words=("coach",), quotes=(QUOTE,) * min(total, 2), total=total)


def home(next_prompt: str | None) -> dict[str, Any]:
    spec = ScheduleSpec(hour=8, minute=30, tz="America/New_York", days=0b0011111)
    return hb.manager_home(
        next_prompt=next_prompt,
        prompt_spec=spec if next_prompt else None,
        recent=page(0),
        overview=overview(0),
        tz="America/New_York",
        quote=None,
    )


Built = Message | str | dict[str, Any] | list[dict[str, Any]]

# (what, builder, what the reader sees)
CASES: list[tuple[str, Callable[[], Built], str]] = [
    ("notes page, none", lambda: note_lists_ui.notes_page_text(page(0)), "Your recent notes: none yet"),
    ("notes page, one", lambda: note_lists_ui.notes_page_text(page(1)), "Your recent notes: 1 note"),
    ("notes page, two", lambda: note_lists_ui.notes_page_text(page(2)), "Your recent notes: 2 notes"),
    ("deleted, none", lambda: note_lists_ui.deleted_text(0), "There was nothing left to delete."),
    ("deleted, one", lambda: note_lists_ui.deleted_text(1), "Deleted 1 note."),
    ("deleted, two", lambda: note_lists_ui.deleted_text(2), "Deleted 2 notes."),
    ("delete all, one", lambda: note_lists_ui.delete_all_prompt_text(1), "Delete your only note?"),
    ("delete all, three", lambda: note_lists_ui.delete_all_prompt_text(3), "Delete all 3 of your notes?"),
    ("delete all button, one", lambda: note_lists_ui.delete_all_confirm_blocks(1, 9), '"Delete it"'),
    ("delete all button, two", lambda: note_lists_ui.delete_all_confirm_blocks(2, 9), '"Delete all 2 notes"'),
    ("export, items only", lambda: note_lists_ui.export_sending_text(0), "Sending your action items (no notes yet)"),
    ("export, one", lambda: note_lists_ui.export_sending_text(1), "Sending your 1 note as a CSV"),
    ("export, two", lambda: note_lists_ui.export_sending_text(2), "Sending your 2 notes as a CSV"),
    (
        "export file, items only",
        lambda: note_lists_ui.export_comment(0, ["date"]),
        "Your action items (no coaching notes yet).",
    ),
    ("export file, one", lambda: note_lists_ui.export_comment(1, ["date"]), "Your 1 coaching note."),
    ("overview text, none", lambda: note_lists_ui.overview_text(overview(0)), "Your coaching overview: no notes yet"),
    ("overview text, one", lambda: note_lists_ui.overview_text(overview(1)), "Your coaching overview: 1 rep"),
    ("overview text, two", lambda: note_lists_ui.overview_text(overview(2)), "Your coaching overview: 2 reps"),
    (
        "overview, none",
        lambda: note_lists_ui.overview_blocks(overview(0), tz=None),
        "Your coaching overview*: no notes yet.",
    ),
    (
        "overview, one rep",
        lambda: note_lists_ui.overview_blocks(overview(1), tz=None),
        "1 rep, least recently coached first",
    ),
    (
        "overview, one stale",
        lambda: note_lists_ui.overview_blocks(overview(1, stale=True), tz=None),
        "; 1 not coached in 14+ days",
    ),
    (
        "overview, one follow-up",
        lambda: note_lists_ui.overview_blocks(overview(1, follow_ups=1), tz=None),
        ", 1 open follow-up",
    ),
    (
        "overview, two follow-ups",
        lambda: note_lists_ui.overview_blocks(overview(1, follow_ups=2), tz=None),
        "2 open follow-ups",
    ),
    ("review queue text, none", lambda: sb.review_summary_message(0), "Nothing is waiting for review any more."),
    ("review queue, one", lambda: sb.review_summary_message(1), "1 quote is waiting for review."),
    ("review queue, two", lambda: sb.review_summary_message(2), "2 quotes are waiting for review."),
    ("review list, none", lambda: sb.pending_message(Listing(items=(), total=0)), "Nothing is waiting for review."),
    ("mine, none", lambda: sb.mine_message(Listing(items=(), total=0)), "You haven't submitted any quotes yet."),
    ("top, none", lambda: sb.top_message([], "30d"), "No votes on the daily quotes in the last 30 days."),
    ("top, one vote", lambda: sb.top_message([Favourite(QUOTE, 1)], "all"), "*1.* 1 vote"),
    ("top, two votes", lambda: sb.top_message([Favourite(QUOTE, 2)], "all"), "*1.* 2 votes"),
    ("search, none", lambda: sb.search_message(search(0)), "No quotes match your search."),
    ("search, one", lambda: sb.search_message(search(1)), "*1 quote matches* your search"),
    ("search, two", lambda: sb.search_message(search(2)), "*2 quotes match* your search"),
    ("search, more than shown", lambda: sb.search_message(search(7)), "Showing 2 of 7 quotes that match"),
    ("home, no prompts", lambda: home(None), "No coaching prompts yet."),
    ("home, next prompt", lambda: home("Mon 30 Nov 2026, 08:30 EST"), "(America/New_York)*; days: weekdays"),
    ("own post shortcut", daily.own_post_shortcut_message, "its quote is already in rotation"),
]

# A count of zero reads as words; one takes the singular (these verbs end in "s" but are singular).
_ZERO = re.compile(r"(?<![\w#.:/-])0 [a-z]")
_ONE_PLURAL = re.compile(r"(?<![\w#.:/-])1 (?!(?:is|was|has|does|matches)\b)[a-z-]+s\b")
_ALL_ONE = re.compile(r"\ball 1 of\b")


def texts(built: Built) -> list[str]:
    """Every string a reader could see: the notification text and each block's text."""
    if isinstance(built, str):
        return [built]
    if isinstance(built, Message):
        return [built.text, *texts(built.blocks or [])]
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                found.append(node["text"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(built)
    return found


def emoji_codes_where_slack_shows_them_raw(built: Built) -> list[str]:
    """`:code:` in a plain_text with emoji off, or in a rich_text text element: Slack shows it raw."""
    raw: list[str] = []

    def walk(node: Any, in_rich: bool) -> None:
        if isinstance(node, dict):
            kind = node.get("type")
            text = node.get("text")
            literal = (kind == "plain_text" and node.get("emoji") is False) or (in_rich and kind == "text")
            if literal and isinstance(text, str):
                raw.extend(re.findall(r":[a-z0-9_+-]+:", text))
            for value in node.values():
                walk(value, in_rich or kind == "rich_text")
        elif isinstance(node, list):
            for value in node:
                walk(value, in_rich)

    walk(built.blocks if isinstance(built, Message) else built, False)
    return raw


@pytest.mark.parametrize(("what", "build", "expected"), CASES, ids=[c[0] for c in CASES])
def test_reply_wording(what: str, build: Callable[[], Built], expected: str) -> None:
    built = build()
    shown = texts(built)
    assert any(expected in t for t in shown) or expected in json.dumps(built, default=str), (what, shown)
    for text in shown:
        assert not _ZERO.search(text), f"{what}: a zero count in figures: {text!r}"
        assert not _ONE_PLURAL.search(text), f"{what}: one with a plural: {text!r}"
        assert not _ALL_ONE.search(text), f"{what}: {text!r}"
    assert emoji_codes_where_slack_shows_them_raw(built) == [], what


def test_the_checks_catch_what_they_are_for() -> None:
    assert _ZERO.search("Your recent notes: 0 notes")
    assert _ONE_PLURAL.search("1 notes in 7 days") and not _ONE_PLURAL.search("Quote #1 was approved")
    assert not _ZERO.search("09:00 EST") and not _ONE_PLURAL.search("2026-12-01 reps")
    rich = [
        {
            "type": "rich_text",
            "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": ":x:"}]}],
        }
    ]
    assert emoji_codes_where_slack_shows_them_raw(rich) == [":x:"]
    assert (
        emoji_codes_where_slack_shows_them_raw([{"type": "section", "text": {"type": "mrkdwn", "text": ":x:"}}]) == []
    )
