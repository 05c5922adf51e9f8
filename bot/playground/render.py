"""Block Kit and mrkdwn to HTML, for the playground page. The one place that renders.

Pure functions of (blocks, a ``Directory`` of names). Every piece of text that came from
the app or a person goes through ``html.escape``; only Slack's own markup (``<@U1>``,
``<https://…|label>``, ``*bold*``...) turns into tags. Interactive elements carry
``data-*`` attributes that the page's script reads to build Slack's payloads:
``data-kind`` (the element type), ``data-action-id``, ``data-block-id``, ``data-value``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.playground.render_elements import Where, element_html, image_element, input_id
from bot.playground.render_text import EMOJI, SAFE_URL, Directory, data_attrs, esc, mrkdwn, plain, text_html

# The page and the tests render through this module; its parts are named here too.
__all__ = [
    "EMOJI",
    "Author",
    "Directory",
    "Where",
    "blocks_html",
    "day_divider",
    "esc",
    "local_day",
    "message_html",
    "mrkdwn",
    "plain",
    "text_html",
]

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
        f'<div class="pg-block pg-input"{data_attrs(data_block_id=block_id)}>'
        f'<label class="pg-label"{data_attrs(for_=input_id(block_id), id="lb-" + input_id(block_id))}>'
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
            f"<a{data_attrs(href=url, target='_blank', rel='noopener noreferrer')}>{shown}</a>"
            if SAFE_URL.match(url)
            else shown
        )
    elif kind == "user":
        uid = str(element.get("user_id", ""))
        out = f'<span class="pg-mention"{data_attrs(data_user=uid)}>@{esc(directory.users.get(uid, uid))}</span>'
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
            f'<div class="pg-msg pg-system"{data_attrs(data_ts=ts)}><div class="pg-system-text">'
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
        f"{data_attrs(data_kind='reaction', data_reaction=name, title=_names(users, directory))}>"
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
        f'<div class="{classes}"{data_attrs(data_ts=ts)}>'
        f'<div class="pg-avatar" style="background:{esc(author.color)}">{esc(author.initial)}</div>'
        f'<div class="pg-msg-body"><div class="pg-meta"><span class="pg-author">{esc(author.name)}</span>{badge}'
        f"{time_html}{edited}{only_you}</div>{content}{files}"
        + (f'<div class="pg-reactions">{reactions}</div>' if reactions else "")
        + f"</div>{tools}</div>"
    )
