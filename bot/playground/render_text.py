"""Slack mrkdwn and text objects to HTML, for the playground page (see ``render``).

Every piece of text goes through ``esc`` (``html.escape``); only Slack's own markup
(``<@U1>``, ``<https://…|label>``, ``*bold*``...) turns into tags.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

EMOJI = {
    "warning": "⚠️",
    "white_check_mark": "✅",
    "heavy_check_mark": "✔️",
    "x": "❌",
    "alarm_clock": "⏰",
    "wastebasket": "🗑️",
    "double_vertical_bar": "⏸️",
    "zzz": "💤",
    "outbox_tray": "📤",
    "inbox_tray": "📥",
    "lock": "🔒",
    "leftwards_arrow_with_hook": "↩️",
    "dart": "🎯",
    "calendar": "📆",
    "date": "📅",
    "sunrise": "🌅",
    "bulb": "💡",
    "memo": "📝",
    "pencil": "📝",
    "pencil2": "✏️",
    "speech_balloon": "💬",
    "star": "⭐",
    "star2": "🌟",
    "sparkles": "✨",
    "trophy": "🏆",
    "medal": "🏅",
    "fire": "🔥",
    "tada": "🎉",
    "clap": "👏",
    "heart": "❤️",
    "+1": "👍",
    "thumbsup": "👍",
    "-1": "👎",
    "raised_hands": "🙌",
    "muscle": "💪",
    "rocket": "🚀",
    "eyes": "👀",
    "wave": "👋",
    "thinking_face": "🤔",
    "hourglass": "⌛",
    "hourglass_flowing_sand": "⏳",
    "mag": "🔍",
    "bar_chart": "📊",
    "chart_with_upwards_trend": "📈",
    "busts_in_silhouette": "👥",
    "bust_in_silhouette": "👤",
    "bell": "🔔",
    "no_bell": "🔕",
    "information_source": "ℹ️",
    "question": "❓",
    "exclamation": "❗",
    "arrow_right": "➡️",
    "books": "📚",
    "quote": "❝",
    "left_speech_bubble": "🗨️",
    "handshake": "🤝",
    "seedling": "🌱",
    "compass": "🧭",
    "mailbox_with_mail": "📬",
    "envelope": "✉️",
    "clipboard": "📋",
    "pushpin": "📌",
    "link": "🔗",
    "gear": "⚙️",
    "no_entry": "⛔",
    "no_entry_sign": "🚫",
    "stopwatch": "⏱️",
    "smile": "😄",
    "slightly_smiling_face": "🙂",
    "palm_tree": "🌴",
    "arrow_forward": "▶️",
    "heavy_plus_sign": "➕",
    "ok_hand": "👌",
}

_PH_OPEN, _PH_CLOSE = "\ue000", "\ue001"  # placeholders: private-use characters no text contains
_TOKEN = re.compile(r"<([^<>\n]+)>")
_CODE_BLOCK = re.compile(r"```(.+?)```", re.DOTALL)
_CODE = re.compile(r"`([^`\n]+)`")
# Slack's rule: a marker opens after a non-word character and closes before one, so the
# underscore in "New_York" neither opens nor closes italics.
_BOLD = re.compile(r"(?<![\w*])\*(?=\S)(.*?\S)\*(?!\w)")
_ITALIC = re.compile(r"(?<![\w_])_(?=\S)(.*?\S)_(?!\w)")
_STRIKE = re.compile(r"(?<![\w~])~(?=\S)(.*?\S)~(?!\w)")
_EMOJI = re.compile(r":([a-z0-9_+\-]+):")
SAFE_URL = re.compile(r"^(https?://|mailto:)", re.IGNORECASE)


@dataclass(frozen=True)
class Directory:
    """Names for ids: users shown as ``@Name``, channels as ``#name``, times in ``tz``."""

    users: Mapping[str, str] = field(default_factory=dict)
    channels: Mapping[str, str] = field(default_factory=dict)
    tz: str = "UTC"


def esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def data_attrs(**attrs: Any) -> str:
    """``data_action_id="x"`` -> `` data-action-id="x"``; None is left out; all escaped."""
    return "".join(f' {k.rstrip("_").replace("_", "-")}="{esc(v)}"' for k, v in attrs.items() if v is not None)


# -- text ----------------------------------------------------------------------------------


def slack_unescape(text: str) -> str:
    """Slack escapes only these three in message text; ``&amp;`` last so ``&amp;lt;`` stays ``&lt;``."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def emoji(text: str) -> str:
    return _EMOJI.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), text)


def _token_html(inner: str, directory: Directory) -> str:
    """One ``<...>`` of Slack markup: a mention, a channel, a special mention, a date or a link."""
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        uid = target[1:]
        name = directory.users.get(uid) or label or uid
        return f'<span class="pg-mention"{data_attrs(data_user=uid)}>@{esc(slack_unescape(name))}</span>'
    if target.startswith("#"):
        cid = target[1:]
        name = directory.channels.get(cid) or label or cid
        return f'<span class="pg-mention pg-channel">#{esc(slack_unescape(name))}</span>'
    if target.startswith("!"):
        word = target[1:].split("^", 1)[0]
        if word in ("here", "channel", "everyone"):
            return f'<span class="pg-mention pg-broadcast">@{esc(word)}</span>'
        if word == "subteam":
            return f'<span class="pg-mention">{esc(slack_unescape(label) or "@group")}</span>'
        return esc(slack_unescape(label or target))  # <!date^…|fallback> and friends
    url = slack_unescape(target)
    shown = slack_unescape(label) if label else url
    if not SAFE_URL.match(url):
        return esc(shown)  # javascript: and other schemes are shown, never linked
    return f'<a href="{esc(url)}" target="_blank" rel="noopener noreferrer">{esc(shown)}</a>'


def mrkdwn(text: str, directory: Directory) -> str:
    """Slack mrkdwn to HTML: bold, italic, strike, code, quotes, links, mentions, emoji."""
    holes: list[str] = []

    def hole(markup: str) -> str:
        holes.append(markup)
        return f"{_PH_OPEN}{len(holes) - 1}{_PH_CLOSE}"

    # 1. Slack's own markup (<@U1>, <url|label>) before anything else: it is not text.
    text = _TOKEN.sub(lambda m: hole(_token_html(m.group(1), directory)), text)
    # 2. The rest is text as Slack escaped it; unescape once, then escape for HTML.
    text = slack_unescape(text)
    text = _CODE_BLOCK.sub(lambda m: hole(f'<pre class="pg-pre">{esc(m.group(1).strip(chr(10)))}</pre>'), text)
    text = _CODE.sub(lambda m: hole(f"<code>{esc(m.group(1))}</code>"), text)
    lines = []
    quote: list[str] = []
    for line in text.split("\n"):
        if line.startswith(">"):
            quote.append(_inline(line[1:].removeprefix(" ")))
            continue
        if quote:
            lines.append(f'<blockquote class="pg-quote">{"<br>".join(quote)}</blockquote>')
            quote = []
        lines.append(_inline(line))
    if quote:
        lines.append(f'<blockquote class="pg-quote">{"<br>".join(quote)}</blockquote>')
    out = ""
    for i, part in enumerate(lines):
        # A blockquote is a block: no <br> around it.
        if i and not part.startswith("<blockquote") and not lines[i - 1].startswith("<blockquote"):
            out += "<br>"
        out += part
    pattern = re.compile(f"{_PH_OPEN}(\\d+){_PH_CLOSE}")
    # Holes can contain holes (a mention inside a code block does not happen, but a bold
    # mention does): substitute until none are left.
    while pattern.search(out):
        out = pattern.sub(lambda m: holes[int(m.group(1))], out)
    return out


def _inline(line: str) -> str:
    line = emoji(esc(line))
    line = _BOLD.sub(r"<b>\1</b>", line)
    line = _ITALIC.sub(r"<i>\1</i>", line)
    return _STRIKE.sub(r"<s>\1</s>", line)


def text_html(obj: Mapping[str, Any] | None, directory: Directory) -> str:
    """A text object: mrkdwn, or plain_text (emoji shown, nothing else interpreted)."""
    if not obj:
        return ""
    text = str(obj.get("text") or "")
    if obj.get("type") == "mrkdwn" and not obj.get("verbatim_plain"):
        return mrkdwn(text, directory)
    shown = esc(text)
    return (emoji(shown) if obj.get("emoji", True) else shown).replace("\n", "<br>")


def plain(obj: Mapping[str, Any] | None) -> str:
    return str((obj or {}).get("text") or "")
