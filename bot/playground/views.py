"""From what a person entered in a modal to Slack's ``view.state.values``, and Slack's own checks.

The page sends raw values per ``block_id``/``action_id`` (a string, a list of strings or
null); the view stored by the stand-in says what element each one is, so the state gets
Slack's exact shape (``selected_option`` with its text, ``selected_date``...).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

RawValues = Mapping[str, Mapping[str, Any]]


def _options(element: Mapping[str, Any]) -> list[dict[str, Any]]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return options


def _as_list(raw: Any) -> list[str]:
    if raw is None or raw == "":
        return []
    if isinstance(raw, list):
        return [str(v) for v in raw if v not in (None, "")]
    return [str(raw)]


def _first(raw: Any) -> str | None:
    values = _as_list(raw)
    return values[0] if values else None


def input_elements(view: Mapping[str, Any]) -> Iterator[tuple[Mapping[str, Any], Mapping[str, Any]]]:
    """(input block, its element) for each input of a view."""
    for block in view.get("blocks") or []:
        if block.get("type") == "input" and block.get("element"):
            yield block, block["element"]


def element_state(element: Mapping[str, Any], raw: Any) -> dict[str, Any]:
    """One element's entry in ``state.values``, in Slack's shape for its type."""
    kind = str(element.get("type"))
    state: dict[str, Any] = {"type": kind}
    if kind in ("plain_text_input", "email_text_input", "url_text_input", "number_input"):
        value = _first(raw)
        state["value"] = value
    elif kind in ("static_select", "external_select", "radio_buttons"):
        value = _first(raw)
        state["selected_option"] = next(
            (copy.deepcopy(o) for o in _options(element) if str(o.get("value")) == value), None
        )
    elif kind in ("multi_static_select", "checkboxes"):
        values = _as_list(raw)
        state["selected_options"] = [copy.deepcopy(o) for o in _options(element) if str(o.get("value")) in values]
    elif kind == "users_select":
        state["selected_user"] = _first(raw)
    elif kind == "multi_users_select":
        state["selected_users"] = _as_list(raw)
    elif kind in ("conversations_select", "channels_select"):
        key = "selected_conversation" if kind == "conversations_select" else "selected_channel"
        state[key] = _first(raw)
    elif kind in ("multi_conversations_select", "multi_channels_select"):
        key = "selected_conversations" if kind == "multi_conversations_select" else "selected_channels"
        state[key] = _as_list(raw)
    elif kind == "datepicker":
        state["selected_date"] = _first(raw)
    elif kind == "timepicker":
        state["selected_time"] = _first(raw)
    return state


def build_state(view: Mapping[str, Any], raw: RawValues) -> dict[str, dict[str, Any]]:
    """``state.values`` for a view: every input block, filled from ``raw`` (missing = empty)."""
    values: dict[str, dict[str, Any]] = {}
    for block, element in input_elements(view):
        block_id = str(block.get("block_id", ""))
        action_id = str(element.get("action_id", ""))
        given = (raw.get(block_id) or {}).get(action_id)
        values[block_id] = {action_id: element_state(element, given)}
    return values


def _is_empty(state: Mapping[str, Any]) -> bool:
    return all(v in (None, "", []) for k, v in state.items() if k != "type")


def client_errors(view: Mapping[str, Any], values: Mapping[str, Mapping[str, Any]]) -> dict[str, str]:
    """What Slack's client refuses before anything is sent: empty required inputs and text
    outside ``min_length``/``max_length``. Keyed by block id, like ``response_action: errors``."""
    errors: dict[str, str] = {}
    for block, element in input_elements(view):
        block_id = str(block.get("block_id", ""))
        state = values.get(block_id, {}).get(str(element.get("action_id", "")), {})
        if _is_empty(state):
            if not block.get("optional"):
                errors[block_id] = "Please complete this required field."
            continue
        value = state.get("value")
        if isinstance(value, str):
            low, high = element.get("min_length"), element.get("max_length")
            if isinstance(low, int) and len(value) < low:
                errors[block_id] = f"Please enter at least {low} characters."
            elif isinstance(high, int) and len(value) > high:
                errors[block_id] = f"Please enter no more than {high} characters."
    return errors
