"""Block Kit interactive elements to HTML (buttons, menus, pickers, inputs), for the page.

Each element carries the ``data-*`` attributes the page's script reads to build Slack's
payloads (see ``render``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.playground.render_text import SAFE_URL, Directory, data_attrs, esc, plain, text_html

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


def input_id(block_id: str) -> str:
    return "in-" + re.sub(r"[^A-Za-z0-9_-]", "_", block_id)


def _common(element: Mapping[str, Any], where: Where) -> str:
    return data_attrs(
        # An input's element is named by its block's <label for=...>, as a person reads it.
        id=input_id(where.block_id) if where.in_input else None,
        data_kind=element.get("type"),
        data_action_id=element.get("action_id"),
        data_block_id=where.block_id,
        data_input="1" if where.in_input else None,
    )


def button(element: Mapping[str, Any], where: Where, directory: Directory) -> str:
    style = element.get("style")
    classes = f"pg-btn pg-btn-{style}" if style in ("primary", "danger") else "pg-btn"
    confirm = element.get("confirm")
    extra = data_attrs(data_value=element.get("value", ""), data_confirm=json.dumps(confirm) if confirm else None)
    label = text_html(element.get("text"), directory)
    url = element.get("url")
    if url and SAFE_URL.match(str(url)):
        link = data_attrs(href=url, target="_blank", rel="noopener noreferrer")
        return f'<a class="{classes}"{link}{_common(element, where)}{extra}>{label}</a>'
    return f'<button type="button" class="{classes}"{_common(element, where)}{extra}>{label}</button>'


def overflow(element: Mapping[str, Any], where: Where, directory: Directory) -> str:
    items = "".join(
        f'<button type="button" class="pg-menu-item"{data_attrs(data_value=o.get("value", ""))}>'
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
    aria = data_attrs(aria_label=None if where.in_input else placeholder)
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
    group = data_attrs(
        role="radiogroup" if kind == "radio" else "group", aria_labelledby="lb-" + input_id(where.block_id)
    )
    return f'<div class="pg-choices"{group}{_common(element, where)}>{"".join(rows)}</div>'


def radio_buttons(element: Mapping[str, Any], where: Where, directory: Directory) -> str:
    return _choices(element, where, directory, "radio")


def checkboxes(element: Mapping[str, Any], where: Where, directory: Directory) -> str:
    return _choices(element, where, directory, "checkbox")


def datepicker(element: Mapping[str, Any], where: Where, directory: Directory) -> str:
    label = None if where.in_input else plain(element.get("placeholder")) or "Pick a date"
    attrs = data_attrs(value=element.get("initial_date"), aria_label=label)
    return f'<input type="date" class="pg-field"{attrs}{_common(element, where)}>'


def timepicker(element: Mapping[str, Any], where: Where, directory: Directory) -> str:
    label = None if where.in_input else plain(element.get("placeholder")) or "Pick a time"
    attrs = data_attrs(value=element.get("initial_time"), aria_label=label)
    return f'<input type="time" class="pg-field"{attrs}{_common(element, where)}>'


def plain_text_input(element: Mapping[str, Any], where: Where, directory: Directory) -> str:
    attrs = data_attrs(
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
    return f'<input type="{kind}" class="pg-field"{data_attrs(value=initial or None)}{attrs}{_common(element, where)}>'


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
