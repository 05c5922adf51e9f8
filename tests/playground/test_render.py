"""The playground's Block Kit renderer: one test per block type, element type and mrkdwn rule.

The HTML is parsed back (stdlib ``html.parser``) so the assertions are about what a browser
would show and send, not about string fragments.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

import pytest

from bot.playground import render, render_text
from bot.playground.render_text import Directory

D = Directory(users={"UADA": "Ada", "URILEY": "Riley"}, channels={"CSALES": "sales"}, tz="America/New_York")


class Tree(HTMLParser):
    """Elements (tag, attrs) in document order, and the visible text."""

    def __init__(self, markup: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(markup)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    @property
    def shown(self) -> str:
        return "".join(self.text)

    def find(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [
            a
            for t, a in self.elements
            if t == tag and all(a.get(k.rstrip("_").replace("_", "-")) == v for k, v in attrs.items())
        ]

    def tags(self) -> list[str]:
        return [t for t, _ in self.elements]


def md(text: str) -> Tree:
    return Tree(render_text.mrkdwn(text, D))


def block(b: dict[str, Any]) -> Tree:
    return Tree(render.blocks_html([b], D))


def pt(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text}


def mk(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": text}


# -- mrkdwn -----------------------------------------------------------------------------------


def test_bold_italic_strike_and_code() -> None:
    tree = md("*bold* _italic_ ~gone~ `x = 1`")
    assert tree.tags() == ["b", "i", "s", "code"]
    assert tree.shown == "bold italic gone x = 1"


def test_underscores_inside_words_do_not_make_italics() -> None:
    tree = md("_America/New_York is your zone._")
    assert tree.tags() == ["i"]
    assert tree.shown == "America/New_York is your zone."


def test_user_mention_shows_the_name_and_channel_mention_the_channel() -> None:
    tree = md("<@URILEY> in <#CSALES> and <@UNKNOWN|someone>")
    assert tree.shown == "@Riley in #sales and @someone"
    assert tree.find("span", data_user="URILEY")


def test_links_are_links_and_other_schemes_are_text() -> None:
    tree = md("<https://example.com/a?b=1&amp;c=2|the article> <javascript:alert(1)|click>")
    links = tree.find("a")
    assert [a["href"] for a in links] == ["https://example.com/a?b=1&c=2"]
    assert links[0]["rel"] == "noopener noreferrer"
    assert tree.shown == "the article click"


def test_slack_escapes_are_shown_once_and_html_never_runs() -> None:
    tree = md("&lt;script&gt;alert(1)&lt;/script&gt; &amp;amp; <!channel>")
    assert "script" not in tree.tags()
    assert tree.shown == "<script>alert(1)</script> &amp; @channel"


def test_quotes_code_blocks_and_emoji() -> None:
    tree = md("> quoted *line*\nafter :warning:\n```a *not bold*```")
    assert tree.tags() == ["blockquote", "b", "br", "pre"]
    assert "after ⚠️" in tree.shown
    assert "a *not bold*" in tree.shown


def test_plain_text_is_not_interpreted() -> None:
    assert Tree(render_text.text_html(pt("*#selling* <@URILEY>"), D)).shown == "*#selling* <@URILEY>"


# -- one test per block type --------------------------------------------------------------------


def test_header_block() -> None:
    tree = block({"type": "header", "text": pt("Daily quote")})
    assert tree.find("div", class_="pg-block pg-header") and tree.shown == "Daily quote"


def test_section_block_with_text_fields_and_accessory() -> None:
    tree = block(
        {
            "type": "section",
            "block_id": "s1",
            "text": mk("*Quote #4* by <@UADA>"),
            "fields": [mk("*Status*"), pt("pending")],
            "accessory": {"type": "button", "text": pt("Why?"), "action_id": "why", "value": "4"},
        }
    )
    assert "Quote #4 by @Ada" in tree.shown and "Status" in tree.shown and "pending" in tree.shown
    assert tree.find("button", data_kind="button", data_action_id="why", data_block_id="s1", data_value="4")


def test_context_block() -> None:
    tree = block({"type": "context", "elements": [mk("Submitted by <@URILEY>"), pt("#growth")]})
    assert tree.find("div", class_="pg-block pg-context")
    assert tree.shown == "Submitted by @Riley#growth"


def test_divider_block() -> None:
    assert block({"type": "divider"}).find("hr", class_="pg-block pg-divider")


def test_actions_block_with_primary_and_danger_buttons_and_a_confirm() -> None:
    tree = block(
        {
            "type": "actions",
            "block_id": "review_1",
            "elements": [
                {"type": "button", "text": pt("Approve"), "action_id": "ok", "value": "1", "style": "primary"},
                {
                    "type": "button",
                    "text": pt("Reject"),
                    "action_id": "no",
                    "value": "1",
                    "style": "danger",
                    "confirm": {
                        "title": pt("Sure?"),
                        "text": pt("Gone for good"),
                        "confirm": pt("Yes"),
                        "deny": pt("No"),
                    },
                },
                {"type": "button", "text": pt("Edit"), "action_id": "edit"},
            ],
        }
    )
    buttons = tree.find("button")
    assert [b["class"] for b in buttons] == ["pg-btn pg-btn-primary", "pg-btn pg-btn-danger", "pg-btn"]
    assert buttons[1]["data-confirm"] is not None and '"Gone for good"' in buttons[1]["data-confirm"]
    assert tree.shown == "ApproveRejectEdit"


def test_overflow_element() -> None:
    tree = block(
        {
            "type": "actions",
            "block_id": "b",
            "elements": [
                {
                    "type": "overflow",
                    "action_id": "more",
                    "options": [{"text": pt("Snooze"), "value": "snooze"}, {"text": pt("Delete"), "value": "del"}],
                }
            ],
        }
    )
    assert tree.find("details", data_kind="overflow", data_action_id="more")
    assert [b["data-value"] for b in tree.find("button", class_="pg-menu-item")] == ["snooze", "del"]


def _input(element: dict[str, Any], **extra: Any) -> Tree:
    return block({"type": "input", "block_id": "f", "label": pt("Field"), "element": element, **extra})


def test_input_block_labels_its_element_and_marks_optional_and_hint() -> None:
    tree = _input({"type": "plain_text_input", "action_id": "a"}, optional=True, hint=pt("At most 10"))
    (label,) = tree.find("label", class_="pg-label")
    assert tree.find("input", id=label["for"] or "", data_input="1", data_block_id="f", data_action_id="a")
    assert "(optional)" in tree.shown and "At most 10" in tree.shown
    assert tree.find("div", class_="pg-error", role="alert")


def test_plain_text_input_multiline() -> None:
    tree = _input({"type": "plain_text_input", "action_id": "a", "multiline": True, "max_length": 3000})
    (area,) = tree.find("textarea", data_kind="plain_text_input")
    assert area["maxlength"] == "3000"


def test_users_select_lists_the_people_with_the_initial_one_chosen() -> None:
    tree = _input({"type": "users_select", "action_id": "rep", "initial_user": "URILEY"})
    assert [o["value"] for o in tree.find("option")] == ["", "UADA", "URILEY"]
    assert (
        "selected" in tree.find("option", value="URILEY")[0] and "selected" not in tree.find("option", value="UADA")[0]
    )
    assert "Riley" in tree.shown


def test_static_select_with_option_groups() -> None:
    element = {
        "type": "static_select",
        "action_id": "theme",
        "placeholder": pt("Pick a theme"),
        "option_groups": [{"label": pt("Skills"), "options": [{"text": pt("Listening"), "value": "listen"}]}],
        "initial_option": {"text": pt("Listening"), "value": "listen"},
    }
    tree = _input(element)
    assert [o["value"] for o in tree.find("option")] == ["", "listen"]
    assert "selected" in tree.find("option", value="listen")[0] and "selected" not in tree.find("option", value="")[0]
    assert tree.shown.startswith("FieldPick a theme")


def test_multi_static_select() -> None:
    tree = _input({"type": "multi_static_select", "action_id": "t", "options": [{"text": pt("A"), "value": "a"}]})
    (select,) = tree.find("select")
    assert "multiple" in select and [o["value"] for o in tree.find("option")] == ["a"]


def test_radio_buttons() -> None:
    options = [{"text": pt("Weekly"), "value": "w"}, {"text": pt("Daily"), "value": "d"}]
    tree = _input({"type": "radio_buttons", "action_id": "r", "options": options, "initial_option": options[1]})
    radios = tree.find("input", type="radio")
    assert [r["value"] for r in radios] == ["w", "d"] and "checked" in radios[1] and "checked" not in radios[0]
    assert tree.find("div", role="radiogroup", data_kind="radio_buttons")


def test_checkboxes() -> None:
    tree = _input({"type": "checkboxes", "action_id": "c", "options": [{"text": mk("*Share*"), "value": "share"}]})
    (box,) = tree.find("input", type="checkbox")
    assert box["value"] == "share" and "checked" not in box
    assert "b" in tree.tags()  # option text is mrkdwn here


def test_datepicker_and_timepicker() -> None:
    tree = _input({"type": "datepicker", "action_id": "d", "initial_date": "2026-12-07"})
    assert tree.find("input", type="date", value="2026-12-07", data_kind="datepicker")
    tree = _input({"type": "timepicker", "action_id": "t", "initial_time": "08:30"})
    assert tree.find("input", type="time", value="08:30", data_kind="timepicker")


def test_rich_text_block() -> None:
    tree = block(
        {
            "type": "rich_text",
            "elements": [
                {"type": "rich_text_quote", "elements": [{"type": "text", "text": "Lead *by* <example>"}]},
                {
                    "type": "rich_text_section",
                    "elements": [
                        {"type": "text", "text": "— "},
                        {"type": "user", "user_id": "URILEY"},
                        {"type": "text", "text": ", Source", "style": {"italic": True}},
                    ],
                },
                {
                    "type": "rich_text_list",
                    "style": "bullet",
                    "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": "one"}]}],
                },
            ],
        }
    )
    assert tree.shown == "Lead *by* <example>— @Riley, Sourceone"  # rich text is literal, not mrkdwn
    assert tree.tags() == ["div", "blockquote", "div", "span", "i", "ul", "li"]


def test_image_block_is_shown_as_its_alt_text_never_fetched() -> None:
    tree = block({"type": "image", "image_url": "https://example.com/x.png", "alt_text": "a chart"})
    assert "img" not in tree.tags() and "a chart" in tree.shown


def test_unknown_block_is_named_not_dropped() -> None:
    assert "Unsupported block: video" in block({"type": "video"}).shown


# -- messages -----------------------------------------------------------------------------------


def test_ephemeral_message_says_only_visible_to_you_and_offers_no_reactions() -> None:
    msg = {"ts": "1796040000.000100", "text": "hi *there*"}
    tree = Tree(
        render.message_html(
            msg, author=render.Author("coachbot", "c", "#000", is_app=True), directory=D, ephemeral=True
        )
    )
    assert "Only visible to you" in tree.shown and "APP" in tree.shown
    assert not tree.find("button", data_kind="react-menu")
    assert tree.find("time")[0]["title"] == "Mon 30 Nov 2026, 07:00"  # the reader's zone


def test_message_reactions_mark_mine() -> None:
    msg = {"ts": "1796040000.000100", "text": "quote", "reactions": {"+1": ["UADA", "URILEY"], "fire": ["UADA"]}}
    tree = Tree(render.message_html(msg, author=render.Author("Ada", "A", "#123"), directory=D, me="URILEY"))
    chips = tree.find("button", data_kind="reaction")
    assert [(c["data-reaction"], c["class"]) for c in chips] == [
        ("+1", "pg-reaction pg-mine"),
        ("fire", "pg-reaction"),
    ]
    assert "👍 2" in tree.shown and chips[0]["title"] == "Ada, Riley"


@pytest.mark.parametrize("name", ['Ada"><script>', "<b>x</b>"])
def test_author_and_colour_are_escaped(name: str) -> None:
    tree = Tree(
        render.message_html({"ts": "1.0", "text": "x"}, author=render.Author(name, "<", 'red"><i'), directory=D)
    )
    assert "script" not in tree.tags() and "i" not in tree.tags() and name in tree.shown


def test_day_divider_names_the_readers_local_day() -> None:
    # 2026-12-01 03:00 UTC is still Monday evening in New York.
    ts = "1796094000.000000"
    assert Tree(render.day_divider(ts, D)).shown == "Monday, November 30"
    assert render.local_day(ts, D) == "2026-11-30"
    assert Tree(render.day_divider(ts, Directory(tz="Europe/London"))).shown == "Tuesday, December 1"


def _emoji_codes_in_the_app() -> set[str]:
    """Every ``:name:`` written in the app's own strings (replies, posts, DMs)."""
    import ast
    import re
    from pathlib import Path

    root = Path(render.__file__).parents[1]
    codes: set[str] = set()
    for path in root.rglob("*.py"):
        if "playground" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                codes.update(m[1] for m in re.finditer(r"(?<![\w:/]):([a-z0-9_+\-]+):(?![\w/])", node.value))
    return codes


def test_every_emoji_code_the_app_writes_is_drawn_as_slack_draws_it() -> None:
    """Slack renders emoji codes in mrkdwn; the page must too, or a reply shows ``:palm_tree:``."""
    codes = _emoji_codes_in_the_app()
    assert {"palm_tree", "warning", "alarm_clock"} <= codes  # the scan finds them
    assert sorted(codes - set(render_text.EMOJI)) == []
    assert render_text.mrkdwn(":palm_tree: Skips public holidays", Directory()) == "🌴 Skips public holidays"
