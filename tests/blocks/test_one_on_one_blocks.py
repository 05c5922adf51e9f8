"""The 1:1 builders: user text stays text, Slack's limits hold, the rep's agenda has no notes."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

from bot.blocks.one_on_ones import TOPIC_ADD, agenda_message, nudge_message, topic_added_text
from bot.blocks.rep_card import LOG_NOTE_FOR_REP, parse_log_note_value
from bot.services.action_items import ActionItemView
from bot.services.topics import AGENDA_LIMIT, TEXT_LIMIT, Agenda, TopicView

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _topic(n: int, text: str, by: str = "U2") -> TopicView:
    return TopicView(n, "T1", "U1", "U2", by, text, NOW, None, None)


def _item(n: int, text: str, due: date | None) -> ActionItemView:
    return ActionItemView(n, "T1", "U1", "U2", "UTC", text, due, "open", None, None, None, NOW, None, None)


def _agenda(topics: list[TopicView], items: list[ActionItemView]) -> Agenda:
    return Agenda("U1", "U2", tuple(topics), len(topics), tuple(items), len(items), NOW)


def _buttons(blocks: list[dict[str, object]]) -> list[dict[str, object]]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]  # type: ignore[attr-defined]


def test_markup_in_a_topic_never_mentions_anyone() -> None:
    agenda = _agenda([_topic(1, "ping <!channel> and <@U9> *now*")], [_item(2, "<https://evil.example|x>", None)])
    shown = json.dumps(agenda_message(agenda, viewer_id="U2").blocks)
    assert "<!channel>" not in shown and "<@U9>" not in shown and "<https://evil" not in shown
    assert "&lt;!channel&gt;" in shown
    assert "&lt;!channel&gt;" in topic_added_text(_topic(1, "<!channel>"), user_id="U2")


def test_a_full_agenda_fits_slacks_section_limit_and_buttons_are_distinct() -> None:
    topics = [_topic(n, "&" * TEXT_LIMIT) for n in range(1, AGENDA_LIMIT + 1)]
    items = [_item(n, "<" * 1000, date(2026, 11, 1)) for n in range(1, AGENDA_LIMIT + 1)]
    message = agenda_message(_agenda(topics, items), viewer_id="U1")
    assert all(len(b["text"]["text"]) <= 3000 for b in message.blocks if b["type"] == "section")
    ids = [b["action_id"] for b in _buttons(message.blocks)]
    assert len(ids) == len(set(ids)) and ids[0] == TOPIC_ADD
    assert "*overdue*" in json.dumps(message.blocks)


def test_each_side_sees_the_other_named_and_the_nudge_opens_the_note_form_for_the_rep() -> None:
    agenda = _agenda([_topic(1, "Goals", by="U1")], [])
    assert "<@U1>" in agenda_message(agenda, viewer_id="U2").text
    assert "<@U2>" in agenda_message(agenda, viewer_id="U1").text
    (button,) = _buttons(nudge_message(rep_id="U2", skill_id=4).blocks)
    assert button["action_id"] == LOG_NOTE_FOR_REP
    assert parse_log_note_value(str(button["value"])) == ("U2", 4)
