"""Block Kit and mrkdwn to HTML, for the playground page. The one place that renders.

Pure functions of (blocks, a ``Directory`` of names). Every piece of text that came from
the app or a person goes through ``html.escape``; only Slack's own markup (``<@U1>``,
``<https://…|label>``, ``*bold*``...) turns into tags. Interactive elements carry
``data-*`` attributes that the page's script reads to build Slack's payloads:
``data-kind`` (the element type), ``data-action-id``, ``data-block-id``, ``data-value``.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

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
_SAFE_URL = re.compile(r"^(https?://|mailto:)", re.IGNORECASE)


@dataclass(frozen=True)
class Directory:
    """Names for ids: users shown as ``@Name``, channels as ``#name``, times in ``tz``."""

    users: Mapping[str, str] = field(default_factory=dict)
    channels: Mapping[str, str] = field(default_factory=dict)
    tz: str = "UTC"


def esc(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _attrs(**attrs: Any) -> str:
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
        return f'<span class="pg-mention"{_attrs(data_user=uid)}>@{esc(slack_unescape(name))}</span>'
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
    if not _SAFE_URL.match(url):
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


# -- elements ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Where:
    """Where an element sits: its block, and whether it is a modal input (holds state) or
    an action (sends ``block_actions`` at once)."""

    block_id: str
    in_input: bool = False


def _option_label(option: Mapping[str, Any]) -> str:
    return plain(option.get("text"))


def _options(element: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return options


def _input_id(block_id: str) -> str:
    return "in-" + re.sub(r"[^A-Za-z0-9_-]", "_", block_id)


def _common(element: Mapping[str, Any], where: Where) -> str:
    return _attrs(
        # An input's element is named by its block's <label for=...>, as a person reads it.
        id=_input_id(where.block_id) if where.in_input else None,
        data_kind=element.get("type"),
        data_action_id=element.get("action_id"),
        data_block_id=where.block_id,
        data_input="1" if where.in_input else None,
    )


def button(element: Mapping[str, Any], where: Where, directory: Directory) -> str:
    style = element.get("style")
    classes = f"pg-btn pg-btn-{style}" if style in ("primary", "danger") else "pg-btn"
    confirm = element.get("confirm")
    extra = _attrs(data_value=element.get("value", ""), data_confirm=json.dumps(confirm) if confirm else None)
    label = text_html(element.get("text"), directory)
    url = element.get("url")
    if url and _SAFE_URL.match(str(url)):
        link = _attrs(href=url, target="_blank", rel="noopener noreferrer")
        return f'<a class="{classes}"{link}{_common(element, where)}{extra}>{label}</a>'
    return f'<button type="button" class="{classes}"{_common(element, where)}{extra}>{label}</button>'


def overflow(element: Mapping[str, Any], where: Where, directory: Directory) -> str:
    items = "".join(
        f'<button type="button" class="pg-menu-item"{_attrs(data_value=o.get("value", ""))}>'
        f"{text_html(o.get('text'), directory)}</button>"
        for o in _options(element)
    )
    return (
        f'<details class="pg-overflow"{_common(element, where)}><summary title="More actions">⋯</summary>'
        f'<div class="pg-menu">{items}</div></details>'
    )


def _select(element: Mapping[str, Any], where: Where, choices: Sequence[tuple[str, str]], selected: set[str]) -> str:
    multiple = str(element.get("type", "")).startswith("multi_")
    placeholder = plain(element.get("placeholder")) or "Select an item"
    opts = [] if multiple else [f'<option value="">{esc(placeholder)}</option>']
    for value, label in choices:
        sel = " selected" if value in selected else ""
        opts.append(f'<option value="{esc(value)}"{sel}>{esc(label)}</option>')
    attrs = " multiple" if multiple else ""
    aria = _attrs(aria_label=None if where.in_input else placeholder)
    return f'<select class="pg-select"{attrs}{aria}{_common(element, where)}>{"".join(opts)}</select>'


def static_select(element: Mapping[str, Any], where: Where, directory: Directory) -> str:
    choices = [(str(o.get("value", "")), _option_label(o)) for o in _options(element)]
    initial = [element.get("initial_option")] if element.get("initial_option") else []
    initial += list(element.get("initial_options") or [])
    return _select(element, where, choices, {str(o.get("value", "")) for o in initial if o})


def users_select(element: Mapping[str, Any], where: Where, directory: Directory) -> str:
    choices = [(uid, name) for uid, name in directory.users.items()]
    initial = {str(u) for u in [element.get("initial_user"), *(element.get("initial_users") or [])] if u}
    return _select(element, where, choices, initial)


def conversations_select(element: Mapping[str, Any], where: Where, directory: Directory) -> str:
    choices = [(cid, f"#{name}") for cid, name in directory.channels.items()]
    initial = {
        str(c)
        for c in [
            element.get("initial_conversation"),
            element.get("initial_channel"),
            *(element.get("initial_conversations") or []),
            *(element.get("initial_channels") or []),
        ]
        if c
    }
    return _select(element, where, choices, initial)


def _choices(element: Mapping[str, Any], where: Where, directory: Directory, kind: str) -> str:
    name = f"{where.block_id}.{element.get('action_id', '')}"
    initial = [element.get("initial_option")] if element.get("initial_option") else []
    initial += list(element.get("initial_options") or [])
    chosen = {str(o.get("value", "")) for o in initial if o}
    rows = []
    for o in _options(element):
        value = str(o.get("value", ""))
        checked = " checked" if value in chosen else ""
        desc = o.get("description")
        rows.append(
            f'<label class="pg-choice"><input type="{kind}" name="{esc(name)}" value="{esc(value)}"{checked}>'
            f"<span>{text_html(o.get('text'), directory)}"
            + (f'<small class="pg-hint">{text_html(desc, directory)}</small>' if desc else "")
            + "</span></label>"
        )
    group = _attrs(role="radiogroup" if kind == "radio" else "group", aria_labelledby="lb-" + _input_id(where.block_id))
    return f'<div class="pg-choices"{group}{_common(element, where)}>{"".join(rows)}</div>'


def radio_buttons(element: Mapping[str, Any], where: Where, directory: Directory) -> str:
    return _choices(element, where, directory, "radio")


def checkboxes(element: Mapping[str, Any], where: Where, directory: Directory) -> str:
    return _choices(element, where, directory, "checkbox")


def datepicker(element: Mapping[str, Any], where: Where, directory: Directory) -> str:
    label = None if where.in_input else plain(element.get("placeholder")) or "Pick a date"
    attrs = _attrs(value=element.get("initial_date"), aria_label=label)
    return f'<input type="date" class="pg-field"{attrs}{_common(element, where)}>'


def timepicker(element: Mapping[str, Any], where: Where, directory: Directory) -> str:
    label = None if where.in_input else plain(element.get("placeholder")) or "Pick a time"
    attrs = _attrs(value=element.get("initial_time"), aria_label=label)
    return f'<input type="time" class="pg-field"{attrs}{_common(element, where)}>'


def plain_text_input(element: Mapping[str, Any], where: Where, directory: Directory) -> str:
    attrs = _attrs(
        placeholder=plain(element.get("placeholder")) or None,
        maxlength=element.get("max_length"),
        minlength=element.get("min_length"),
    )
    initial = str(element.get("initial_value") or "")
    if element.get("multiline"):
        return f'<textarea class="pg-field" rows="4"{attrs}{_common(element, where)}>{esc(initial)}</textarea>'
    kind = {"email_text_input": "email", "url_text_input": "url", "number_input": "number"}.get(
        str(element.get("type")), "text"
    )
    return f'<input type="{kind}" class="pg-field"{_attrs(value=initial or None)}{attrs}{_common(element, where)}>'


def image_element(element: Mapping[str, Any], where: Where, directory: Directory) -> str:
    # The page works offline: an image is shown as its alt text, never fetched.
    return f'<span class="pg-image" title="image">🖼 {esc(element.get("alt_text", "image"))}</span>'


ELEMENTS: dict[str, Callable[[Mapping[str, Any], Where, Directory], str]] = {
    "button": button,
    "overflow": overflow,
    "static_select": static_select,
    "multi_static_select": static_select,
    "external_select": static_select,
    "users_select": users_select,
    "multi_users_select": users_select,
    "conversations_select": conversations_select,
    "channels_select": conversations_select,
    "multi_conversations_select": conversations_select,
    "multi_channels_select": conversations_select,
    "radio_buttons": radio_buttons,
    "checkboxes": checkboxes,
    "datepicker": datepicker,
    "timepicker": timepicker,
    "plain_text_input": plain_text_input,
    "email_text_input": plain_text_input,
    "url_text_input": plain_text_input,
    "number_input": plain_text_input,
    "image": image_element,
}


def element_html(element: Mapping[str, Any], where: Where, directory: Directory) -> str:
    render = ELEMENTS.get(str(element.get("type")))
    if render is None:
        return f'<span class="pg-unsupported">[{esc(element.get("type"))}]</span>'
    return render(element, where, directory)


# -- blocks --------------------------------------------------------------------------------


def header(block: Mapping[str, Any], directory: Directory) -> str:
    return f'<div class="pg-block pg-header">{text_html(block.get("text"), directory)}</div>'


def section(block: Mapping[str, Any], directory: Directory) -> str:
    where = Where(str(block.get("block_id", "")))
    parts = []
    if block.get("text"):
        parts.append(f'<div class="pg-text">{text_html(block.get("text"), directory)}</div>')
    fields = block.get("fields") or []
    if fields:
        cells = "".join(f'<div class="pg-field-cell">{text_html(f, directory)}</div>' for f in fields)
        parts.append(f'<div class="pg-fields">{cells}</div>')
    body = f'<div class="pg-section-body">{"".join(parts)}</div>'
    accessory = block.get("accessory")
    side = f'<div class="pg-accessory">{element_html(accessory, where, directory)}</div>' if accessory else ""
    return f'<div class="pg-block pg-section">{body}{side}</div>'


def context(block: Mapping[str, Any], directory: Directory) -> str:
    items = []
    for el in block.get("elements") or []:
        if el.get("type") == "image":
            items.append(image_element(el, Where(""), directory))
        else:
            items.append(f"<span>{text_html(el, directory)}</span>")
    return f'<div class="pg-block pg-context">{"".join(items)}</div>'


def divider(block: Mapping[str, Any], directory: Directory) -> str:
    return '<hr class="pg-block pg-divider">'


def actions(block: Mapping[str, Any], directory: Directory) -> str:
    where = Where(str(block.get("block_id", "")))
    items = "".join(element_html(el, where, directory) for el in block.get("elements") or [])
    return f'<div class="pg-block pg-actions">{items}</div>'


def input_block(block: Mapping[str, Any], directory: Directory) -> str:
    block_id = str(block.get("block_id", ""))
    element = block.get("element") or {}
    optional = ' <span class="pg-optional">(optional)</span>' if block.get("optional") else ""
    hint = block.get("hint")
    hint_html = f'<div class="pg-hint">{text_html(hint, directory)}</div>' if hint else ""
    return (
        f'<div class="pg-block pg-input"{_attrs(data_block_id=block_id)}>'
        f'<label class="pg-label"{_attrs(for_=_input_id(block_id), id="lb-" + _input_id(block_id))}>'
        f"{esc(plain(block.get('label')))}{optional}</label>"
        f"{element_html(element, Where(block_id, in_input=True), directory)}"
        f'{hint_html}<div class="pg-error" role="alert"></div></div>'
    )


def image_block(block: Mapping[str, Any], directory: Directory) -> str:
    title = f"<div>{text_html(block.get('title'), directory)}</div>" if block.get("title") else ""
    return f'<div class="pg-block pg-imageblock">{title}{image_element(block, Where(""), directory)}</div>'


def _rich_inline(element: Mapping[str, Any], directory: Directory) -> str:
    """One element of a rich_text section: text is literal (no mrkdwn), styled by ``style``."""
    kind = element.get("type")
    style = element.get("style") or {}
    if kind == "text":
        out = esc(element.get("text", "")).replace("\n", "<br>")
    elif kind == "link":
        url = str(element.get("url", ""))
        shown = esc(element.get("text") or url)
        out = (
            f"<a{_attrs(href=url, target='_blank', rel='noopener noreferrer')}>{shown}</a>"
            if _SAFE_URL.match(url)
            else shown
        )
    elif kind == "user":
        uid = str(element.get("user_id", ""))
        out = f'<span class="pg-mention"{_attrs(data_user=uid)}>@{esc(directory.users.get(uid, uid))}</span>'
    elif kind == "channel":
        cid = str(element.get("channel_id", ""))
        out = f'<span class="pg-mention pg-channel">#{esc(directory.channels.get(cid, cid))}</span>'
    elif kind == "broadcast":
        out = f'<span class="pg-mention pg-broadcast">@{esc(element.get("range", "here"))}</span>'
    elif kind == "usergroup":
        out = f'<span class="pg-mention">@{esc(element.get("usergroup_id", "group"))}</span>'
    elif kind == "emoji":
        out = EMOJI.get(str(element.get("name")), f":{esc(element.get('name', ''))}:")
    elif kind == "date":
        out = esc(element.get("fallback") or element.get("timestamp", ""))
    else:
        return f'<span class="pg-unsupported">[{esc(kind)}]</span>'
    if style.get("code"):
        out = f"<code>{out}</code>"
    if style.get("bold"):
        out = f"<b>{out}</b>"
    if style.get("italic"):
        out = f"<i>{out}</i>"
    if style.get("strike"):
        out = f"<s>{out}</s>"
    return out


def _rich_part(part: Mapping[str, Any], directory: Directory) -> str:
    inner = "".join(
        _rich_inline(e, directory) for e in part.get("elements") or [] if e.get("type") != "rich_text_section"
    )
    kind = part.get("type")
    if kind == "rich_text_section":
        return f'<div class="pg-rt-section">{inner}</div>'
    if kind == "rich_text_quote":
        return f'<blockquote class="pg-quote">{inner}</blockquote>'
    if kind == "rich_text_preformatted":
        return f'<pre class="pg-pre">{inner}</pre>'
    if kind == "rich_text_list":
        tag = "ol" if part.get("style") == "ordered" else "ul"
        items = "".join(
            f"<li>{''.join(_rich_inline(e, directory) for e in item.get('elements') or [])}</li>"
            for item in part.get("elements") or []
        )
        return f'<{tag} class="pg-rt-list" style="margin-left:{int(part.get("indent") or 0) * 16}px">{items}</{tag}>'
    return f'<div class="pg-unsupported">[{esc(kind)}]</div>'


def rich_text(block: Mapping[str, Any], directory: Directory) -> str:
    parts = "".join(_rich_part(p, directory) for p in block.get("elements") or [])
    return f'<div class="pg-block pg-richtext">{parts}</div>'


BLOCKS: dict[str, Callable[[Mapping[str, Any], Directory], str]] = {
    "rich_text": rich_text,
    "header": header,
    "section": section,
    "context": context,
    "divider": divider,
    "actions": actions,
    "input": input_block,
    "image": image_block,
}


def blocks_html(blocks: Sequence[Mapping[str, Any]], directory: Directory) -> str:
    out = []
    for block in blocks:
        render = BLOCKS.get(str(block.get("type")))
        out.append(
            render(block, directory)
            if render
            else f'<div class="pg-block pg-unsupported">Unsupported block: {esc(block.get("type"))}</div>'
        )
    return "".join(out)


# -- messages ------------------------------------------------------------------------------


def day_divider(ts: str, directory: Directory) -> str:
    """Slack's line between days, in the reader's zone: "Tuesday, December 1"."""
    day = datetime.fromtimestamp(float(ts), ZoneInfo(directory.tz))
    return f'<div class="pg-day" role="separator"><span>{day:%A, %B} {day.day}</span></div>'


def local_day(ts: str, directory: Directory) -> str:
    return datetime.fromtimestamp(float(ts), ZoneInfo(directory.tz)).date().isoformat()


def _names(user_ids: Sequence[str], directory: Directory) -> str:
    return ", ".join(directory.users.get(u, u) for u in user_ids)


@dataclass(frozen=True)
class Author:
    name: str
    initial: str
    color: str
    is_app: bool = False


def message_html(
    message: Mapping[str, Any],
    *,
    author: Author,
    directory: Directory,
    ephemeral: bool = False,
    system: bool = False,
    me: str = "",
) -> str:
    """One message: avatar, name, time (in the reader's zone), content, files, reactions."""
    ts = str(message.get("ts", "0"))
    when = datetime.fromtimestamp(float(ts), ZoneInfo(directory.tz))
    time_html = f'<time class="pg-time" title="{esc(when.strftime("%a %d %b %Y, %H:%M"))}">{when:%H:%M}</time>'
    if system:
        return (
            f'<div class="pg-msg pg-system"{_attrs(data_ts=ts)}><div class="pg-system-text">'
            f"<b>{esc(author.name)}</b> {mrkdwn(str(message.get('text', '')), directory)} {time_html}</div></div>"
        )
    blocks = message.get("blocks")
    content = (
        blocks_html(blocks, directory)
        if blocks
        else f'<div class="pg-text">{mrkdwn(str(message.get("text", "")), directory)}</div>'
    )
    files = "".join(
        f'<a class="pg-file" href="/pg/files/{esc(f.get("id"))}" download="{esc(f.get("name"))}">'
        f'<span class="pg-file-icon">CSV</span><span><b>{esc(f.get("title") or f.get("name"))}</b>'
        f"<small>{esc(f.get('name'))} · {int(f.get('size') or 0):,} bytes</small></span></a>"
        for f in message.get("files") or []
    )
    reactions = "".join(
        f'<button type="button" class="pg-reaction{" pg-mine" if me in users else ""}"'
        f"{_attrs(data_kind='reaction', data_reaction=name, title=_names(users, directory))}>"
        f"{EMOJI.get(name, ':' + esc(name) + ':')} <span>{len(users)}</span></button>"
        for name, users in (message.get("reactions") or {}).items()
    )
    badge = '<span class="pg-app-badge">APP</span>' if author.is_app else ""
    only_you = '<span class="pg-only-you">👁 Only visible to you</span>' if ephemeral else ""
    edited = '<span class="pg-edited">(edited)</span>' if message.get("edited") else ""
    tools = (
        ""
        if ephemeral
        else (
            '<div class="pg-tools"><button type="button" class="pg-tool" data-kind="react-menu" '
            'title="Add reaction">☺+</button><button type="button" class="pg-tool" data-kind="message-menu" '
            'title="More actions">⋮</button></div>'
        )
    )
    classes = "pg-msg" + (" pg-ephemeral" if ephemeral else "")
    return (
        f'<div class="{classes}"{_attrs(data_ts=ts)}>'
        f'<div class="pg-avatar" style="background:{esc(author.color)}">{esc(author.initial)}</div>'
        f'<div class="pg-msg-body"><div class="pg-meta"><span class="pg-author">{esc(author.name)}</span>{badge}'
        f"{time_html}{edited}{only_you}</div>{content}{files}"
        + (f'<div class="pg-reactions">{reactions}</div>' if reactions else "")
        + f"</div>{tools}</div>"
    )
